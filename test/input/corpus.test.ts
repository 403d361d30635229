/**
 * Bad input, all of it in one table: task tables, unit directories, policy files, scenario files, CLI flags and API
 * bodies that are broken in the ways real ones are. Every one must be refused with a one-line error naming what
 * and where (exit 2, HTTP 4xx), with no stack trace and no error class dumped, and must change nothing: no file
 * written for the CLI, no row in the store but the audit log's record of the refused attempt for the API.
 *
 * The CLI runs in-process against a Temporal address where nothing listens: an input that slipped past the checks
 * would reach for the server and exit 1, not 2. The HTTP server runs on a real SQLite store with a client whose
 * server is likewise absent, so a body that slipped past validation would fail with a 5xx.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Client, Connection } from '@temporalio/client';
import type { Directory } from '../../src/domain/directory';
import type { Plan } from '../../src/domain/plan';
import { BODY_LIMIT } from '../../src/http/transport';
import { type DubanHttp, createHttpServer } from '../../src/http/server';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../../src/import/directory';
import { importTableFile } from '../../src/import/plan-file';
import { createDubanClient } from '../../src/service';
import { type Store, openStore } from '../../src/store';
import { seedDocx, seedSubset, seedXlsx } from '../fixtures/seed-formats';
import { runCli } from '../import/run-cli';

jest.setTimeout(120_000);

const SEED = path.resolve(__dirname, '../../examples/fujian-2017/tasks.txt');
const OPERATOR = 'corpus-operator-token-0123456789';
const OFFICER = 'corpus-czt-officer-token-0123456789';

let dir: string;
/** Where a CLI case runs: its data directory must stay as it was. */
let dataDir: string;
const file = (name: string) => path.join(dir, name);

/** What a refusal must look like: the exit code or status, and what the message must name. */
interface CliCase {
  name: string;
  argv: () => string[];
  /** Each must match the error line. */
  names: RegExp[];
}

interface ApiCase {
  name: string;
  path: (plan: string) => string;
  token?: string;
  contentType?: string;
  body: () => string;
  status: number;
  names: RegExp[];
}

const directoryJson = (): Directory => JSON.parse(fs.readFileSync(BUNDLED_DIRECTORY_PATH, 'utf8')) as Directory;

/** Writes every bad file the CLI cases read. */
async function writeCorpus(): Promise<void> {
  const subset = seedSubset();
  const docx = await seedDocx(subset);
  const xlsx = await seedXlsx(subset);
  fs.writeFileSync(file('empty.txt'), '');
  fs.mkdirSync(file('a-folder'));
  fs.writeFileSync(file('garbage.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256)));
  fs.writeFileSync(file('truncated.docx'), docx.subarray(0, Math.floor(docx.length / 2)));
  fs.writeFileSync(file('truncated.xlsx'), xlsx.subarray(0, Math.floor(xlsx.length / 2)));
  fs.writeFileSync(file('zip-of-nothing.docx'), Buffer.from('PK\u0005\u0006' + '\u0000'.repeat(18), 'binary'));
  fs.writeFileSync(
    file('headerless.csv'),
    '1.深入解读政策背景,省直各部门,各设区市,通过新闻发布会及时解读\n2.按月公开全省财政收支情况,省财政厅,各设区市,每月公开\n',
  );
  fs.writeFileSync(
    file('bad-dates.csv'),
    [
      '工作任务,牵头单位,责任单位,完成时限',
      '1.按月公开全省财政收支情况,省财政厅,各设区市,2017年13月40日前',
      '2.主动公开审计结果,省审计厅,各设区市,2017-02-30',
    ].join('\n'),
  );
  fs.writeFileSync(file('just-a-notice.html'), '<html><body><p>关于印发通知</p></body></html>');

  const d = directoryJson();
  const unit = (i: number) => d.units[i]!;
  const write = (name: string, value: unknown) => fs.writeFileSync(file(name), JSON.stringify(value, null, 2));
  write('dir-bad-address.json', {
    ...d,
    units: d.units.map((u, i) => (i === 3 ? { ...u, officer: { ...u.officer, email: 'not-an-address' } } : u)),
  });
  write('dir-control-char.json', {
    ...d,
    units: d.units.map((u, i) => (i === 4 ? { ...u, head: { ...u.head, name: '王\u0007厅长' } } : u)),
  });
  write('dir-duplicate-code.json', { ...d, units: [...d.units, { ...unit(5), name: '另一个单位', aliases: [] }] });
  write('dir-wrong-types.json', { ...d, units: d.units.map((u, i) => (i === 2 ? { ...u, officer: 5 } : u)) });
  write('dir-units-not-array.json', { generalOffice: d.generalOffice, units: 'fj-bgt' });
  write('dir-no-general-office.json', { ...d, generalOffice: 'fj-nowhere' });
  fs.writeFileSync(file('dir-not-json.json'), '{"generalOffice": "fj-bgt", "units": [');

  write('policy-wrong-type.json', { deadline: { remindWorkingDaysBefore: 'five' } });
  write('policy-unknown-field.json', { deadlin: { remindWorkingDaysBefore: [5, 2, 1, 0] } });
  write('policy-negative.json', { deadline: { remindWorkingDaysBefore: [-3] } });
  write('policy-array.json', [1, 2, 3]);
  fs.writeFileSync(file('policy-not-json.json'), 'noticeHour = 9');
  write('scoring-out-of-range.json', { points: { late: 120 } });
  write('scoring-unknown-kind.json', { weights: { 'task-dedline': 2 } });
  write('scoring-floor-above-late.json', { points: { lateFloor: 90 } });

  write('scenario-unknown-task.json', {
    events: [
      { at: '2017-06-01T10:00:00+08:00', type: 'fulfil', unit: 'fj-czt', obligation: 'task-deadline', taskNo: 999 },
    ],
  });
  write('scenario-bad-instant.json', {
    events: [{ at: '2017-13-01T10:00:00+08:00', type: 'fulfil', unit: 'fj-czt', obligation: 'implementation-plan' }],
  });
  write('scenario-no-offset.json', {
    events: [{ at: '2017-06-01T10:00:00', type: 'fulfil', unit: 'fj-czt', obligation: 'implementation-plan' }],
  });
  write('scenario-wrong-kind.json', {
    events: [{ at: '2017-06-01T10:00:00+08:00', type: 'explode', unit: 'fj-czt' }],
  });
  write('scenario-unknown-unit.json', {
    events: [{ at: '2017-06-01T10:00:00+08:00', type: 'fulfil', unit: '火星省', obligation: 'implementation-plan' }],
  });
  write('scenario-events-object.json', { events: { at: '2017-06-01T10:00:00+08:00' } });
  fs.writeFileSync(file('scenario-not-json.json'), 'events: []');
}

const out = () => file('calendar.ics');
/** `duban COMMAND --unit fj-czt --obligation OBLIGATION …rest`. */
const onCzt = (command: string, obligation: string, ...rest: string[]) => [
  command,
  ...['--unit', 'fj-czt', '--obligation', obligation],
  ...rest,
];
const calendarWith = (flag: string, value: string) => () => [
  'calendar',
  '--unit',
  'fj-czt',
  '--out',
  out(),
  flag,
  file(value),
];

const CLI: CliCase[] = [
  // Task tables.
  ...[
    ['empty.txt', 'an empty file'],
    ['garbage.bin', 'binary garbage'],
    ['truncated.docx', 'a truncated Word file'],
    ['truncated.xlsx', 'a truncated Excel file'],
    ['zip-of-nothing.docx', 'an empty zip named .docx'],
    ['headerless.csv', 'a CSV without its header row'],
    ['bad-dates.csv', 'rows whose deadlines are no dates'],
    ['just-a-notice.html', 'a web page with no table'],
  ].map(([name, what]) => ({
    name: `table: ${what}`,
    argv: () => ['plan', 'import', file(name!)],
    names: [new RegExp(name!.replace('.', '\\.'))],
  })),
  {
    name: 'table: a file that does not exist',
    argv: () => ['plan', 'import', file('nowhere.docx')],
    names: [/nowhere\.docx/],
  },
  { name: 'table: a folder', argv: () => ['plan', 'import', file('a-folder')], names: [/a-folder/] },
  // Unit directories.
  ...[
    ['dir-bad-address.json', /units\[3\]\.officer\.email/],
    ['dir-control-char.json', /units\[4\]\.head\.name/],
    ['dir-duplicate-code.json', /duplicate|twice/],
    ['dir-wrong-types.json', /units\[2\]\.officer/],
    ['dir-units-not-array.json', /units/],
    ['dir-no-general-office.json', /generalOffice|general office/],
    ['dir-not-json.json', /JSON/],
  ].map(([name, where]) => ({
    name: `directory: ${name}`,
    argv: calendarWith('--directory', name as string),
    names: [new RegExp((name as string).replace('.', '\\.')), where as RegExp],
  })),
  // Policy files.
  ...[
    ['policy-wrong-type.json', /deadline\.remindWorkingDaysBefore/],
    ['policy-unknown-field.json', /deadlin/],
    ['policy-negative.json', /remindWorkingDaysBefore\[0\]/],
    ['policy-array.json', /policy/],
    ['policy-not-json.json', /JSON/],
  ].map(([name, where]) => ({
    name: `policy: ${name}`,
    argv: calendarWith('--policy', name as string),
    names: [new RegExp((name as string).replace('.', '\\.')), where as RegExp],
  })),
  // Scoring files, read before the store is opened.
  ...[
    ['scoring-out-of-range.json', /scoring\.points\.late: expected a number from 0 to 100, got 120/],
    ['scoring-unknown-kind.json', /scoring\.weights\.task-dedline: unknown field/],
    ['scoring-floor-above-late.json', /scoring\.points\.lateFloor/],
  ].map(([name, where]) => ({
    name: `scoring: ${name}`,
    argv: () => ['report', 'score', '--scoring', file(name as string)],
    names: [new RegExp((name as string).replace('.', '\\.')), where as RegExp],
  })),
  // Scenario files, checked whole before any server starts.
  ...[
    ['scenario-unknown-task.json', /999/],
    ['scenario-bad-instant.json', /events\.0\.at|events\[0\]\.at|2017-13-01/],
    ['scenario-no-offset.json', /events\.0\.at|events\[0\]\.at|offset/],
    ['scenario-wrong-kind.json', /explode/],
    ['scenario-unknown-unit.json', /火星省/],
    ['scenario-events-object.json', /events/],
    ['scenario-not-json.json', /JSON/],
  ].map(([name, where]) => ({
    name: `scenario: ${name}`,
    argv: () => ['simulate', '--scenario', file(name as string)],
    names: [new RegExp((name as string).replace('.', '\\.')), where as RegExp],
  })),
  // Flags.
  { name: 'flags: an unknown flag', argv: () => ['status', '--bogus'], names: [/--bogus/] },
  { name: 'flags: a flag without its value', argv: () => ['fulfil', '--unit'], names: [/--unit/] },
  { name: 'flags: an unknown command', argv: () => ['frobnicate'], names: [/frobnicate/] },
  {
    name: 'flags: a date that is no date',
    argv: () => onCzt('fulfil', 'implementation-plan', '--url', 'https://x.gov.cn/1', '--at', '2017-02-30T09:00'),
    names: [/--at/, /2017-02-30/],
  },
  {
    name: 'flags: an instant with a line break in it',
    argv: () => onCzt('fulfil', 'implementation-plan', '--url', 'https://x.gov.cn/1', '--at', '2017-05-24\nT09:00'),
    names: [/--at/],
  },
  {
    name: 'flags: a unit with control characters',
    argv: () => ['status', '--unit', 'fj-czt\u0000\u001b[2J'],
    names: [/--unit/],
  },
  {
    name: 'flags: control characters in the document reference',
    argv: () => onCzt('fulfil', 'implementation-plan', '--document', '闽财\u0000〔2017〕\u001b[31m1号'),
    names: [/--document/],
  },
  {
    name: 'flags: a bidirectional override in the reason',
    argv: () => onCzt('waive', 'implementation-plan', '--reason', '材料\u202e补充', '--approver', '陈主任'),
    names: [/--reason/],
  },
  {
    name: 'flags: a line break in the approver',
    argv: () => onCzt('waive', 'implementation-plan', '--reason', '材料补充', '--approver', '陈主任\nBcc: x@y.z'),
    names: [/--approver/],
  },
  {
    name: 'flags: a unit with a line break',
    argv: () => ['status', '--unit', 'fj-czt\n福州市'],
    names: [/--unit/],
  },
  {
    name: 'flags: control characters in an incident summary',
    argv: () => [
      'emergency',
      'report',
      '--unit',
      'fj-czt',
      '--level',
      '重大',
      '--summary',
      '暴雨\u0007\u0008',
      '--occurred-at',
      '2017-06-01T10:00+08:00',
    ],
    names: [/--summary/],
  },
  { name: 'flags: --json given a value', argv: () => ['plan', 'import', SEED, '--json=yes'], names: [/--json/] },
  {
    name: 'flags: --json where there is none',
    argv: () => ['calendar', '--unit', 'fj-czt', '--json'],
    names: [/--json/],
  },
  { name: 'flags: a task that is no number', argv: () => ['status', '--task', '12a'], names: [/--task/, /12a/] },
  {
    name: 'flags: a period that is no period',
    argv: () => onCzt('fulfil', 'quarterly-progress', '--period', '2017-Q9', '--url', 'https://x.gov.cn/1'),
    names: [/--period/, /2017-Q9/],
  },
  { name: 'flags: two table files', argv: () => ['plan', 'import', SEED, SEED], names: [/one table FILE/] },
  {
    name: 'flags: a date with slashes',
    argv: () => ['request', 'receive', '--unit', 'fj-czt', '--id', 'r-1', '--received-on', '2017/05/01'],
    names: [/--received-on/, /2017\/05\/01/],
  },
  { name: 'flags: a bulletin without a file', argv: () => ['report', 'bulletin'], names: [/--out/] },
  {
    name: 'flags: a quarter and the year at once',
    argv: () => ['report', 'score', '--quarter', '2017-Q3', '--year-end'],
    names: [/--quarter/, /--year-end/],
  },
  {
    name: 'flags: a score as a Word file',
    argv: () => ['report', 'score', '--format', 'docx', '--out', file('s.docx')],
    names: [/--format/, /docx/],
  },
  {
    name: 'flags: a huge unit name',
    argv: () => ['status', '--unit', '省'.repeat(100_000)],
    names: [/--unit/],
  },
];

/** Every file under a folder, with its size, to show a refused command wrote nothing. */
function snapshot(folder: string): string[] {
  return fs
    .readdirSync(folder, { recursive: true, encoding: 'utf8' })
    .map((f) => `${f}:${fs.statSync(path.join(folder, f)).size}`)
    .sort();
}

/**
 * The refusal is one line, with no control character in it: the first paragraph of stderr (the command's usage, or
 * the list of commands, may follow after a blank line).
 */
function errorLine(stderr: string): string {
  const [first, ...rest] = stderr.split('\n\n');
  expect(first!.split('\n')).toHaveLength(1);
  // eslint-disable-next-line no-control-regex
  expect(first).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  if (rest.length > 0) expect(rest[0]).toMatch(/^(Usage: duban|duban \(督办\))/);
  return first!;
}

function expectNoDump(text: string): void {
  expect(text).not.toMatch(/^\s+at \S/m);
  expect(text).not.toMatch(/\b(?:[A-Z][a-z]+)*Error:/);
}

describe('bad input, one table of cases', () => {
  let plan: Plan;
  let directory: Directory;
  let store: Store;
  let http: DubanHttp;
  let base: string;
  let client: Client;
  const saved: Record<string, string | undefined> = {};
  const ENV = {
    DUBAN_DATA_DIR: '',
    TEMPORAL_ADDRESS: '127.0.0.1:1',
    DATABASE_URL: '',
    DUBAN_DIRECTORY: '',
    DUBAN_OPERATOR: 'corpus',
  };

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-corpus-'));
    dataDir = path.join(dir, 'data');
    fs.mkdirSync(dataDir);
    ENV.DUBAN_DATA_DIR = dataDir;
    for (const [k, v] of Object.entries(ENV)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    await writeCorpus();
    directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
    plan = importTableFile(SEED, { directory }).plan;
    store = await openStore({ kind: 'sqlite', file: path.join(dir, 'http.sqlite') });
    // Nothing listens there: any call that reaches for a workflow fails.
    client = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
    const duban = createDubanClient({ client, plan, directory, namespace: 'default', taskQueue: 'corpus' });
    http = createHttpServer({
      duban,
      store,
      plan,
      directory,
      config: { operatorToken: OPERATOR, unitTokens: new Map([[OFFICER, 'fj-czt']]), secureCookies: false },
    });
    base = `http://127.0.0.1:${await http.listen(0)}`;
  });

  afterAll(async () => {
    await http?.close();
    await client?.connection.close().catch(() => undefined);
    await store?.close();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.each(CLI.map((c) => [c.name, c] as const))('CLI %s: exit 2, one line naming it, nothing written', async (_, c) => {
    const before = snapshot(dataDir);
    const result = await runCli(...c.argv());
    expect({ code: result.code, stdout: result.out }).toEqual({ code: 2, stdout: '' });
    const line = errorLine(result.err);
    for (const name of c.names) expect(line).toMatch(name);
    expectNoDump(result.err);
    expect(line.length).toBeLessThan(600);
    expect(snapshot(dataDir)).toEqual(before);
    expect(fs.existsSync(out())).toBe(false);
  });

  const obligation = (plan: string, what: string) =>
    `/api/plans/${plan}/units/fj-czt/obligations/implementation-plan/${what}`;
  const json = (value: unknown) => () => JSON.stringify(value);
  const API: ApiCase[] = [
    {
      name: `a body over ${BODY_LIMIT} bytes`,
      path: (p) => obligation(p, 'fulfil'),
      body: json({ evidence: { document: 'x', note: 'y'.repeat(BODY_LIMIT) } }),
      status: 413,
      names: [/body/, new RegExp(String(BODY_LIMIT))],
    },
    {
      name: 'not JSON',
      path: (p) => obligation(p, 'fulfil'),
      body: () => '{"evidence": ',
      status: 400,
      names: [/body/],
    },
    { name: 'a JSON array', path: (p) => obligation(p, 'fulfil'), body: json([1, 2]), status: 400, names: [/body/] },
    { name: 'JSON null', path: (p) => obligation(p, 'fulfil'), body: json(null), status: 400, names: [/body/] },
    {
      name: 'evidence as a string',
      path: (p) => obligation(p, 'fulfil'),
      body: json({ evidence: '闽财〔2017〕1号' }),
      status: 400,
      names: [/evidence/],
    },
    {
      name: 'a number where text belongs',
      path: (p) => obligation(p, 'waive'),
      token: OPERATOR,
      body: json({ reason: 12, approver: '陈主任' }),
      status: 400,
      names: [/reason/],
    },
    {
      name: 'an unknown field',
      path: (p) => obligation(p, 'fulfil'),
      body: json({ evidence: { document: '闽财〔2017〕1号' }, recordedBy: 'someone-else' }),
      status: 400,
      names: [/recordedBy/],
    },
    {
      name: 'control characters in the document reference',
      path: (p) => obligation(p, 'fulfil'),
      body: json({ evidence: { document: '闽财\u0000〔2017〕\u001b[31m1号' } }),
      status: 400,
      names: [/evidence\.document/],
    },
    {
      name: 'a line break in the approver',
      path: (p) => obligation(p, 'extend'),
      token: OPERATOR,
      body: json({ newDue: '2017-06-30', reason: '材料补充', approver: '陈主任\r\nBcc: x@y.z' }),
      status: 400,
      names: [/approver/],
    },
    {
      name: 'a huge reason (within the body limit)',
      path: (p) => obligation(p, 'waive'),
      token: OPERATOR,
      body: json({ reason: '理'.repeat(10_000), approver: '陈主任' }),
      status: 400,
      names: [/reason/, /500/],
    },
    {
      name: 'a date that does not exist',
      path: (p) => obligation(p, 'extend'),
      token: OPERATOR,
      body: json({ newDue: '2017-02-30', reason: '材料补充', approver: '陈主任' }),
      status: 400,
      names: [/newDue/],
    },
    {
      name: 'an instant without an offset',
      path: (p) => `/api/plans/${p}/units/fj-czt/incidents`,
      body: json({ level: '重大', summary: '暴雨', occurredAt: '2017-06-01T10:00' }),
      status: 400,
      names: [/occurredAt/],
    },
    {
      name: 'an instant that does not exist',
      path: (p) => `/api/plans/${p}/units/fj-czt/incidents`,
      body: json({ level: '重大', summary: '暴雨', occurredAt: '2017-06-31T25:61+08:00' }),
      status: 400,
      names: [/occurredAt/],
    },
    {
      name: 'control characters in an incident summary',
      path: (p) => `/api/plans/${p}/units/fj-czt/incidents`,
      body: json({ level: '重大', summary: '暴雨\u0000\u0008', occurredAt: '2017-06-01T10:00+08:00' }),
      status: 400,
      names: [/summary/],
    },
    {
      name: 'a request id in Chinese',
      path: (p) => `/api/plans/${p}/units/fj-czt/requests`,
      body: json({ requestId: '申请一号', receivedOn: '2017-06-01' }),
      status: 400,
      names: [/requestId/],
    },
    {
      name: 'a number where a date belongs',
      path: (p) => `/api/plans/${p}/units/fj-czt/requests`,
      body: json({ requestId: 'r-1', receivedOn: 20170601 }),
      status: 400,
      names: [/receivedOn/],
    },
    {
      name: 'a line break in the unit of the path',
      path: (p) => `/api/plans/${p}/units/fj-czt%0A%1B%5B2J/incidents`,
      token: OPERATOR,
      body: json({ level: '重大', summary: '暴雨', occurredAt: '2017-06-01T10:00+08:00' }),
      status: 404,
      names: [/unit/],
    },
    {
      name: 'a huge unit in the path',
      path: (p) => `/api/plans/${p}/units/${'x'.repeat(4000)}/incidents`,
      token: OPERATOR,
      body: json({ level: '重大', summary: '暴雨', occurredAt: '2017-06-01T10:00+08:00' }),
      status: 404,
      names: [/unit/],
    },
    {
      name: 'a form body to the JSON API',
      path: (p) => obligation(p, 'fulfil'),
      contentType: 'application/x-www-form-urlencoded',
      body: () => 'evidence=x',
      status: 415,
      names: [/JSON/],
    },
    {
      name: 'text/plain to the JSON API',
      path: (p) => obligation(p, 'fulfil'),
      contentType: 'text/plain',
      body: json({ evidence: { document: '闽财〔2017〕1号' } }),
      status: 415,
      names: [/JSON/],
    },
  ];

  /** Rows of every table but the audit log (and its id counter): what a refused call must leave as it was. */
  const rowCounts = (): Record<string, number> => {
    const db = new Database(path.join(dir, 'http.sqlite'), { readonly: true });
    try {
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('audit_log', 'sqlite_sequence')")
        .all() as { name: string }[];
      return Object.fromEntries(
        tables.map((t) => [t.name, (db.prepare(`SELECT COUNT(*) AS n FROM "${t.name}"`).get() as { n: number }).n]),
      );
    } finally {
      db.close();
    }
  };

  it.each(API.map((c) => [c.name, c] as const))('API %s: 4xx, one line naming it, nothing changed', async (_, c) => {
    const before = rowCounts();
    const audited = (await store.listAudit()).length;
    const res = await fetch(`${base}${c.path(plan.id)}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token ?? OFFICER}`, 'content-type': c.contentType ?? 'application/json' },
      body: c.body(),
    });
    const text = await res.text();
    expect([res.status, text.slice(0, 300)]).toEqual([c.status, expect.any(String)]);
    const answer = JSON.parse(text) as { detail: string; code: string };
    expect(answer.detail.split('\n')).toHaveLength(1);
    // eslint-disable-next-line no-control-regex
    expect(answer.detail).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(answer.detail.length).toBeLessThan(600);
    for (const name of c.names) expect(answer.detail).toMatch(name);
    expectNoDump(text);
    expect(rowCounts()).toEqual(before);
    // The refused attempt may be on record in the audit log, as refused; nothing else is.
    const fresh = (await store.listAudit()).slice(audited);
    for (const entry of fresh) expect(['invalid', 'refused']).toContain(entry.result);
  });

  it('counts the corpus', () => {
    console.log(
      `bad-input corpus: ${CLI.length} CLI cases, ${API.length} API cases, ${CLI.length + API.length} in all`,
    );
    expect(CLI.length + API.length).toBeGreaterThanOrEqual(60);
  });
});
