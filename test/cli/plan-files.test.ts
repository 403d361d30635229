/**
 * A plan file as a new user brings it: every command that takes one reads it the same way (--sheet, --issuer,
 * --year, --published-on), shows its import warnings, and finds the directory the same way; a bare table (a title
 * row and the header, as many attachments are published) imports.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { commands } from '../../src/cli/commands';
import type { Directory } from '../../src/domain/directory';
import type { Plan } from '../../src/domain/plan';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../../src/import/directory';
import { cityWordTable, healthLedgerWorkbook } from '../fixtures/published-tables';
import { execDuban, freePort } from '../helpers/process';
import { runCli } from '../import/run-cli';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'duban-plan-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

function duban(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number; out: string; err: string }> {
  return execDuban(args, { DUBAN_DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '', ...env });
}

/** Runs the CLI in-process with `env` set for the call. */
async function withEnv<T>(env: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const before = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(before)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** A workbook with two sheets that each hold a ledger (a title row, the header, rows), the first one first. */
async function twoSheets(): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheets: [string, string[][]][] = [
    [
      '2024年任务',
      [
        ['青云市2024年政务公开工作任务分解表'],
        ['序号', '工作任务', '责任单位', '完成时限'],
        ['1', '公开财政预决算', '市财政局', '2024年6月底前'],
      ],
    ],
    [
      '补充任务',
      [
        ['青云市2024年政务公开补充任务分解表'],
        ['序号', '工作任务', '责任单位', '完成时限'],
        ['1', '公开审计结果', '市审计局', '2024年9月底前'],
      ],
    ],
  ];
  for (const [name, rows] of sheets) {
    const sheet = workbook.addWorksheet(name);
    rows.forEach((row, r) => (sheet.getRow(r + 1).values = row));
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const BARE_CSV = [
  '青云市2024年政务公开工作要点任务分解表,,,',
  '序号,工作任务,责任单位,完成时限',
  '1,公开财政预决算,市财政局,2024年6月底前',
  '2,发布统计数据,市统计局,每月5日前',
  '3,推进政务公开专区建设,市政务服务中心,在适当时候完成',
  '',
].join('\n');

describe('every command that takes a plan file', () => {
  it('takes --sheet, --issuer, --year and --published-on with it', () => {
    const tableFile = ['plan import', 'plan assignments'];
    const planCommands = commands.filter(
      (c) => c.flags.some((f) => f.name === 'plan') || tableFile.includes(c.path.join(' ')),
    );
    const missing = planCommands.flatMap((c) =>
      ['sheet', 'issuer', 'year', 'published-on']
        .filter((name) => !c.flags.some((f) => f.name === name))
        .map((name) => `${c.path.join(' ')} --${name}`),
    );
    expect(planCommands.map((c) => c.path.join(' '))).toEqual(
      expect.arrayContaining(['start', 'plan start', 'simulate', 'directory init', 'directory check', 'plan import']),
    );
    expect(missing).toEqual([]);
  });

  it('directory init reads the sheet --sheet names, and warns about the other sheet holding a table', async () => {
    const file = write('two-sheets.xlsx', await twoSheets());
    const draft = (out: string): Directory => JSON.parse(readFileSync(out, 'utf8')) as Directory;
    const first = await runCli('directory', 'init', '--plan', file, '--out', path.join(dir, 'first.json'));
    expect(first.code).toBe(0);
    expect(first.err).toContain(
      `${file}: warning: sheet '补充任务' also holds a task table; only '2024年任务' is read (choose with --sheet)`,
    );
    expect(draft(path.join(dir, 'first.json')).units.map((u) => u.name)).toContain('市财政局');

    const out = path.join(dir, 'second.json');
    const second = await runCli('directory', 'init', '--plan', file, '--sheet', '补充任务', '--out', out);
    expect(second.code).toBe(0);
    const names = draft(out).units.map((u) => u.name);
    expect(names).toContain('市审计局');
    expect(names).not.toContain('市财政局');
    expect(second.err).not.toContain('also holds a task table');
  });

  it('refuses --sheet with a plan id, naming the flag', async () => {
    const { code, err } = await runCli('directory', 'init', '--plan', 'fj-2017-zwgk', '--sheet', 'x');
    expect(code).toBe(2);
    expect(err).toBe("duban directory init: --sheet: only for a plan file; 'fj-2017-zwgk' is not a file");
  });
});

describe("a plan file's import warnings", () => {
  let city: string;
  beforeAll(async () => {
    city = write('city.docx', await cityWordTable());
  });

  it('directory init prints each one with its line and cell, and their number', async () => {
    const { code, err } = await runCli('directory', 'init', '--plan', city);
    expect(code).toBe(0);
    const lines = err.split('\n');
    expect(lines).toContain(`duban: ${city}: 3 import warnings:`);
    expect(lines).toContain(
      `${city}:9: warning: task 13: '适时' in 完成时限 is not understood as a deadline (表2 第9行第5列)`,
    );
  });

  it('plan start, start and simulate print them before anything else; status counts them', async () => {
    const csv = write('bare-warnings.csv', BARE_CSV);
    const address = `127.0.0.1:${await freePort()}`;
    const bad = write('bad-scenario.json', '{"events": [{"at": "x"}]}');
    const [planStart, simulate, status] = await Promise.all([
      duban({ TEMPORAL_ADDRESS: address }, ['plan', 'start', '--plan', csv]),
      duban({}, ['simulate', '--plan', csv, '--scenario', bad]),
      duban({ TEMPORAL_ADDRESS: address }, ['status', '--plan', csv]),
    ]);
    const notUnderstood = `${csv}:5: warning: task 3: '在适当时候完成' in 完成时限 is not understood as a deadline (D5)`;
    for (const run of [planStart, simulate]) {
      const lines = run.err.split('\n');
      expect(lines[0]).toBe(`duban: ${csv}: 7 import warnings:`);
      expect(lines).toContain(notUnderstood);
    }
    expect(planStart.code).toBe(4); // no server: after the warnings
    expect(simulate.code).toBe(2); // a bad scenario: after the warnings
    expect(status.err.split('\n')[0]).toBe(`duban: ${csv}: 7 import warnings (duban plan import ${csv} lists them)`);
    expect(status.err).not.toContain(notUnderstood);
  });
});

describe('the unit directory of every command: --directory, else DUBAN_DIRECTORY, else the bundled one', () => {
  it('plan assignments reads DUBAN_DIRECTORY', async () => {
    const seed = path.join(ROOT, 'examples/fujian-2017/tasks.txt');
    const bundled = loadDirectory(BUNDLED_DIRECTORY_PATH);
    const fewer = write(
      'fewer.json',
      JSON.stringify({ ...bundled, units: bundled.units.filter((u) => u.code !== 'fj-czt') }, null, 2),
    );
    const withEnvDirectory = await withEnv({ DUBAN_DIRECTORY: fewer }, () =>
      runCli('plan', 'assignments', seed, '--json'),
    );
    expect(withEnvDirectory.code).toBe(2);
    expect(withEnvDirectory.err).toContain(`unknown unit '省财政厅' (lead; not a name or alias in ${fewer})`);
    const flagWins = await withEnv({ DUBAN_DIRECTORY: fewer }, () =>
      runCli('plan', 'assignments', seed, '--json', '--directory', BUNDLED_DIRECTORY_PATH),
    );
    expect(flagWins.code).toBe(0);
  });
});

describe('a bare table: a title row and the header, no covering notice', () => {
  it('imports, with the year and issuer from its title and a warning naming the flag for each guess', async () => {
    const file = write('bare.csv', BARE_CSV);
    const { code, out } = await runCli('plan', 'import', file, '--json');
    expect(code).toBe(0);
    const plan = JSON.parse(out) as Plan;
    expect(plan).toMatchObject({
      id: 'plan-2024-zwgk',
      title: '青云市2024年政务公开工作要点任务分解表',
      issuer: '青云市人民政府办公室',
      signedOn: '2024-01-01',
      publishedOn: '2024-01-01',
      year: 2024,
      milestones: [],
    });
    expect(plan.tasks.map((t) => t.responsibleUnits)).toEqual([['市财政局'], ['市统计局'], ['市政务服务中心']]);
    expect(plan.warnings.slice(0, 3)).toEqual([
      {
        line: 1,
        message:
          "no covering notice names the issuer: '青云市人民政府办公室' is taken from the title's '青云市' (--issuer sets it)",
      },
      {
        line: 1,
        message:
          'no 发布日期 or signing date above the table: the plan counts from 2024-01-01 (--published-on sets it)',
      },
      {
        line: 1,
        message:
          'no covering notice below the title: no implementation-plan or year-end-report dates found; the units owe their tasks’ duties only',
      },
    ]);
  });

  it('takes what it lacks from --issuer, --year and --published-on', async () => {
    const file = write('bare-flags.csv', BARE_CSV);
    const { code, out } = await runCli(
      'plan',
      'import',
      file,
      '--json',
      '--issuer',
      '青云市人民政府',
      '--published-on',
      '2024-03-08',
    );
    expect(code).toBe(0);
    const plan = JSON.parse(out) as Plan;
    expect(plan).toMatchObject({ issuer: '青云市人民政府', publishedOn: '2024-03-08', signedOn: '2024-03-08' });
    expect(plan.warnings.map((w) => w.message)).not.toContainEqual(expect.stringMatching(/issuer|发布日期/));
    // Published in March: the months before are not due.
    const bad = await runCli('plan', 'import', file, '--published-on', '2024-02-30');
    expect(bad).toMatchObject({
      code: 2,
      err: "duban plan import: --published-on: '2024-02-30' is not a date YYYY-MM-DD",
    });
  });

  it('a sheet with the header in its first row: the file name is the title; --year and --issuer fill in the rest', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Sheet1');
    sheet.getRow(1).values = ['序号', '工作任务', '责任单位', '完成时限'];
    sheet.getRow(2).values = [1, '公开财政预决算', '市财政局', '6月底前'];
    const file = write('附件2.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()));
    const noYear = await runCli('plan', 'import', file);
    expect(noYear).toMatchObject({ code: 2 });
    expect(noYear.err).toBe(
      `duban plan import: ${file}:2: no year in the title and no date above the table (--year sets it)`,
    );
    const { code, out } = await runCli('plan', 'import', file, '--json', '--year', '2024');
    expect(code).toBe(0);
    const plan = JSON.parse(out) as Plan;
    expect(plan).toMatchObject({ title: '附件2', issuer: '', year: 2024, publishedOn: '2024-01-01' });
    expect(plan.tasks[0]?.duties).toEqual([{ kind: 'task-deadline', due: '2024-06-30', source: '6月底前' }]);
    expect(plan.warnings.map((w) => w.message)).toEqual(
      expect.arrayContaining([
        "no title or covering notice above the table: the title is '附件2', the file's name",
        'no covering notice names the issuer and the title names no place: the issuer is unknown (--issuer sets it)',
      ]),
    );
    const named = await runCli('plan', 'import', file, '--json', '--year', '2024', '--issuer', '青云市人民政府办公室');
    expect((JSON.parse(named.out) as Plan).issuer).toBe('青云市人民政府办公室');
  });
});

describe('directory init and check on a plan of your own', () => {
  it('init writes the other name a table gives a unit as its alias: 规划信息处（爱卫办）', async () => {
    const ledger = write('ledger.xlsx', await healthLedgerWorkbook());
    const out = path.join(dir, 'ledger-directory.json');
    const { code } = await runCli('directory', 'init', '--plan', ledger, '--out', out);
    expect(code).toBe(0);
    const directory = JSON.parse(readFileSync(out, 'utf8')) as Directory;
    expect(directory.units.find((u) => u.name === '规划信息处')?.aliases).toEqual(['爱卫办']);
  });

  it('init drafts 市直各部门 of a city plan as a group, not as a unit', async () => {
    const city = write('city-groups.docx', await cityWordTable());
    const out = path.join(dir, 'city-directory.json');
    const { code, err } = await runCli('directory', 'init', '--plan', city, '--out', out);
    expect(code).toBe(0);
    const names = (JSON.parse(readFileSync(out, 'utf8')) as Directory).units.map((u) => u.name);
    expect(names).not.toContain('市直各部门');
    expect(names).not.toContain('市直有关部门');
    expect(err).toContain('  市直各部门 (tasks 4): every unit of kind provincial that is not vertical');
  });

  it('check names the line and cell of the plan where a unit the directory lacks is named', async () => {
    const city = write('city-check.docx', await cityWordTable());
    const out = path.join(dir, 'city-check.json');
    expect((await runCli('directory', 'init', '--plan', city, '--out', out)).code).toBe(0);
    const directory = JSON.parse(readFileSync(out, 'utf8')) as Directory;
    directory.units = directory.units.filter((u) => u.name !== '市财政局');
    writeFileSync(out, JSON.stringify(directory));
    const { code, out: printed } = await runCli('directory', 'check', out, '--plan', city);
    expect(code).toBe(2);
    expect(printed.split('\n')).toContain(
      `${city}:5: tasks 3-4, 6 (表1 第5行第4列): '市财政局' is not the name or alias of a unit in ${out}`,
    );
  });
});
