import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { type Worker } from '@temporalio/worker';
import { openActivityRuntime, type ActivityRuntime } from '../../activities/runtime';
import { runCliWithEnv } from '../import/run-cli';
import { EXIT_CODES } from '../../src/cli/command';
import {
  closePlan,
  createDubanClient,
  isRefusal,
  startPlan,
  type ObligationsClient,
  type StatusRow,
} from '../../src/service';
import { calendarSignal } from '../../workflows/messages';
import { unitCalendar } from '../../src/reports/ics';
import { simulate } from '../../src/simulate/simulator';
import { openStore, type OutcomeRecord } from '../../src/store';
import { SMALL_SEED_SCENARIO, smallSeedPlan } from '../fixtures/small-seed';
import { createTimeSkippingEnv, quietRuntime, runPlanFromPublication, workflowBundle } from '../helpers/temporal';

jest.setTimeout(180_000);

/** Runs the CLI in-process; returns exit code, stdout and stderr. */
const duban = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliWithEnv(args, env);

// ---------------------------------------------------------------------------------------------------------------
// Strict readers used as checks: a ZIP/XLSX reader and an iCalendar validator, both written against the specs.
// ---------------------------------------------------------------------------------------------------------------

function unzip(buf: Buffer): Map<string, Buffer> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(eocd).toBeGreaterThan(0);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50);
    const method = buf.readUInt16LE(p + 10);
    const size = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    expect(buf.readUInt32LE(local)).toBe(0x04034b50);
    const dataStart = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(dataStart, dataStart + size);
    files.set(name, method === 8 ? inflateRawSync(raw) : Buffer.from(raw));
    p += 46 + nameLen + extraLen + commentLen;
  }
  return files;
}

function decodeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** Rows of a worksheet as strings (inline strings and numbers). */
function sheetRows(xml: string): string[][] {
  return [...xml.matchAll(/<row r="\d+">(.*?)<\/row>/g)].map((m) =>
    [...m[1]!.matchAll(/<c r="[A-Z]+\d+"[^>]*?(?:\/>|>(.*?)<\/c>)/g)].map((c) => {
      const inner = c[1] ?? '';
      const t = /<t[^>]*>(.*?)<\/t>/.exec(inner);
      if (t) return decodeXml(t[1]!);
      return /<v>(.*?)<\/v>/.exec(inner)?.[1] ?? '';
    }),
  );
}

/** Validates iCalendar text structurally (RFC 5545); returns the VEVENTs' properties. Throws on any violation. */
function validateIcs(text: string): Map<string, string>[] {
  if (!text.endsWith('\r\n')) throw new Error('must end with CRLF');
  const physical = text.slice(0, -2).split('\r\n');
  physical.forEach((l, i) => {
    if (/[\r\n]/.test(l)) throw new Error(`line ${i + 1}: bare CR or LF`);
    if (Buffer.byteLength(l, 'utf8') > 75) throw new Error(`line ${i + 1}: longer than 75 octets`);
    if (l === '') throw new Error(`line ${i + 1}: empty line`);
  });
  const lines: string[] = [];
  for (const l of physical) {
    if (l.startsWith(' ') || l.startsWith('\t')) {
      if (lines.length === 0) throw new Error('continuation before any line');
      lines[lines.length - 1] += l.slice(1);
    } else lines.push(l);
  }
  const stack: string[] = [];
  const events: Map<string, string>[] = [];
  let props = new Map<string, string>();
  const counts: Record<string, number> = {};
  const calProps = new Set<string>();
  const uids = new Set<string>();
  for (const [i, line] of lines.entries()) {
    const m = /^([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^;:,"]*)(?:,(?:"[^"]*"|[^;:,"]*))*)*):(.*)$/.exec(line);
    if (!m) throw new Error(`logical line ${i + 1}: not NAME[;PARAM=V]:VALUE: ${line}`);
    const name = m[1]!.toUpperCase();
    const value = m[3]!;
    if (name === 'BEGIN') {
      if (stack.length === 0 && value !== 'VCALENDAR') throw new Error('must start with BEGIN:VCALENDAR');
      stack.push(value);
      counts[value] = (counts[value] ?? 0) + 1;
      if (value === 'VEVENT') props = new Map();
      continue;
    }
    if (name === 'END') {
      const open = stack.pop();
      if (open !== value) throw new Error(`END:${value} closes ${open ?? 'nothing'}`);
      if (value === 'VEVENT') {
        for (const req of ['UID', 'DTSTAMP', 'DTSTART']) if (!props.has(req)) throw new Error(`VEVENT without ${req}`);
        if (uids.has(props.get('UID')!)) throw new Error(`duplicate UID ${props.get('UID')}`);
        uids.add(props.get('UID')!);
        events.push(props);
      }
      continue;
    }
    if (stack.length === 0) throw new Error(`${name} outside VCALENDAR`);
    const where = stack[stack.length - 1];
    if (where === 'VCALENDAR') calProps.add(name);
    if (where === 'VEVENT') {
      if (props.has(name) && ['UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SUMMARY'].includes(name))
        throw new Error(`${name} twice in a VEVENT`);
      props.set(name, `${m[2]}:${value}`);
      if (name === 'DTSTAMP' && !/^:\d{8}T\d{6}Z$/.test(`${m[2]}:${value}`)) throw new Error(`bad DTSTAMP ${value}`);
      if (name === 'DTSTART' || name === 'DTEND') {
        const tz = /^;TZID=([^;:]+)$/.exec(m[2]!);
        if (!tz || !/^\d{8}T\d{6}$/.test(value)) throw new Error(`${name} must be TZID-local: ${line}`);
      }
      if (name === 'SUMMARY' || name === 'DESCRIPTION') {
        // TEXT: every backslash escapes one of \ ; , n N; unescaped ; or , is an error.
        if (/\\[^\\;,nN]|\\$/.test(value.replace(/\\\\/g, ''))) throw new Error(`bad escape in ${name}: ${value}`);
        if (/(^|[^\\])(\\\\)*[;,]/.test(value)) throw new Error(`unescaped ; or , in ${name}: ${value}`);
      }
    }
  }
  if (stack.length !== 0) throw new Error(`unclosed ${stack.join(' > ')}`);
  if (counts.VCALENDAR !== 1) throw new Error('exactly one VCALENDAR');
  for (const req of ['VERSION', 'PRODID']) if (!calProps.has(req)) throw new Error(`VCALENDAR without ${req}`);
  // Every TZID used is defined by a VTIMEZONE.
  const tzids = new Set(lines.filter((l) => l.startsWith('TZID:')).map((l) => l.slice(5)));
  for (const e of events)
    for (const k of ['DTSTART', 'DTEND']) {
      const tz = /TZID=([^;:]+)/.exec(e.get(k) ?? '')?.[1];
      if (tz && !tzids.has(tz)) throw new Error(`TZID ${tz} has no VTIMEZONE`);
    }
  return events;
}

// ---------------------------------------------------------------------------------------------------------------

describe('duban report on a simulated year (time-skipping server, SQLite store)', () => {
  let dir: string;
  let outcomes: OutcomeRecord[];

  beforeAll(async () => {
    quietRuntime();
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-report-'));
    // Without the weekly task 20: its ~35 periods per unit would triple the simulation's time for no new kind.
    const { plan, directory } = smallSeedPlan([16, 49]);
    await simulate({
      plan,
      directory,
      outputDir: dir,
      workflowBundle: await workflowBundle(),
      scenario: {
        events: [
          // The shared scenario's implementation-plan events (early, late, extended, waived), plus a year-end report.
          ...SMALL_SEED_SCENARIO.events.filter((e) => e.obligation === 'implementation-plan'),
          { at: '2017-12-05T10:00:00+08:00', type: 'fulfil', unit: '福州市', obligation: 'year-end-report' },
        ],
      },
    });
    const store = await openStore({ kind: 'sqlite', file: path.join(dir, 'duban.sqlite') });
    outcomes = await store.listOutcomes({ planId: plan.id });
    await store.close();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Per unit code: [total, on-time, late, missed, waived, open] from the store. */
  const expected = () => {
    const by = new Map<string, number[]>();
    const order = ['on-time', 'late', 'missed', 'waived', 'open'];
    for (const o of outcomes) {
      const row = by.get(o.unitCode) ?? [0, 0, 0, 0, 0, 0];
      row[0]!++;
      row[1 + order.indexOf(o.status)]!++;
      by.set(o.unitCode, row);
    }
    return by;
  };

  it('has outcomes of every kind to count', () => {
    const statuses = new Set(outcomes.map((o) => o.status));
    expect([...statuses].sort()).toEqual(expect.arrayContaining(['late', 'missed', 'on-time', 'waived']));
  });

  it('writes the year-end report whose per-unit counts match the store, in md, csv and xlsx', async () => {
    const env = { DUBAN_DATA_DIR: dir, DATABASE_URL: '' };
    const want = expected();
    const files = { md: path.join(dir, 'ye.md'), csv: path.join(dir, 'ye.csv'), xlsx: path.join(dir, 'ye.xlsx') };
    for (const [format, out] of Object.entries(files)) {
      const r = await duban(['report', 'year-end', '--format', format, '--out', out], env);
      expect(r.code).toBe(0);
    }

    // Markdown: the 按单位 table's rows, code in column 2, counts in columns 3–8.
    const md = readFileSync(files.md, 'utf8');
    const unitSection = md.split('## 按单位')[1]!.split('## ')[0]!;
    const mdRows = unitSection
      .split('\n')
      .filter((l) => l.startsWith('| ') && !l.startsWith('| 单位') && !l.startsWith('| ---'))
      .map((l) => l.slice(2, -2).split(' | '));
    const mdUnits = new Map(mdRows.filter((r) => r[0] !== '合计').map((r) => [r[1]!, r.slice(2, 8).map(Number)]));
    expect(mdUnits).toEqual(want);
    expect(mdRows.find((r) => r[0] === '合计')?.[2]).toBe(String(outcomes.length));

    // CSV: BOM, CRLF, the first table after its title line.
    const csv = readFileSync(files.csv, 'utf8');
    expect(csv.startsWith('\ufeff按单位\r\n')).toBe(true);
    const tables = csv.slice(1).split('\r\n\r\n');
    const csvRows = tables[0]!
      .split('\r\n')
      .slice(2)
      .map((l) => l.split(','));
    const csvUnits = new Map(csvRows.filter((r) => r[0] !== '合计').map((r) => [r[1]!, r.slice(2, 8).map(Number)]));
    expect(csvUnits).toEqual(want);

    // XLSX: unzip with inflateRawSync, check the package parts, parse the first sheet.
    const zip = unzip(readFileSync(files.xlsx));
    expect([...zip.keys()]).toEqual(
      expect.arrayContaining(['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/worksheets/sheet1.xml']),
    );
    expect(zip.get('xl/workbook.xml')!.toString()).toContain('name="按单位"');
    const rows = sheetRows(zip.get('xl/worksheets/sheet1.xml')!.toString('utf8'));
    expect(rows[0]!.slice(0, 8)).toEqual(['单位', '代码', '事项', '按时完成', '逾期完成', '未完成', '免除', '未到期']);
    const xlsxUnits = new Map(
      rows
        .slice(1)
        .filter((r) => r[0] !== '合计')
        .map((r) => [r[1]!, r.slice(2, 8).map(Number)]),
    );
    expect(xlsxUnits).toEqual(want);

    // Per task: the milestone and task rows add up to the same total.
    const taskRows = sheetRows(zip.get('xl/worksheets/sheet2.xml')!.toString('utf8')).slice(1);
    const sum = taskRows.filter((r) => r[0] !== '合计').reduce((n, r) => n + Number(r[2]), 0);
    expect(sum).toBe(outcomes.length);
    const task49 = taskRows.find((r) => r[0] === '任务49')!;
    expect(Number(task49[2])).toBe(outcomes.filter((o) => o.taskNo === 49).length);
  });

  it('writes the Q2 inspection report: items due in the quarter only', async () => {
    const r = await duban(['report', 'quarterly', '--quarter', '2017-Q2', '--format', 'csv'], {
      DUBAN_DATA_DIR: dir,
      DATABASE_URL: '',
    });
    expect(r.code).toBe(0);
    const total = r.out
      .split('\r\n')
      .find((l) => l.startsWith('合计'))!
      .split(',');
    const due = outcomes.filter((o) => o.due >= '2017-04-01' && o.due <= '2017-06-30').length;
    expect(Number(total[2])).toBe(due);
  });

  it('refuses a bad format or quarter naming the flag (exit 2)', async () => {
    const bad = await duban(['report', 'year-end', '--format', 'pdf'], { DUBAN_DATA_DIR: dir });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--format');
    const q = await duban(['report', 'quarterly', '--quarter', '2017-Q5'], { DUBAN_DATA_DIR: dir });
    expect(q.code).toBe(2);
    expect(q.err).toContain('--quarter');
  });
});

describe('duban calendar', () => {
  it('writes valid iCalendar with every due date and reminder of the unit', async () => {
    const r = await duban(['calendar', '--unit', '福州市']);
    expect(r.code).toBe(0);
    const events = validateIcs(r.out);
    const { plan, directory } = smallSeedPlan();
    // The implementation plan: due 2017-05-27 (make-up Saturday) and its four reminders.
    const impl = events.filter((e) => e.get('UID')!.includes('/fj-fuzhou/implementation-plan/'));
    expect(impl.map((e) => e.get('DTSTART')).sort()).toEqual([
      ';TZID=Asia/Shanghai:20170522T090000',
      ';TZID=Asia/Shanghai:20170525T090000',
      ';TZID=Asia/Shanghai:20170526T090000',
      ';TZID=Asia/Shanghai:20170527T000000',
      ';TZID=Asia/Shanghai:20170527T090000',
    ]);
    expect(events.length).toBeGreaterThan(100); // weekly task 20 alone has ~35 periods × 2
    // Stable UIDs: the same calendar twice has the same events.
    const again = validateIcs(unitCalendar({ plan, directory, unitCode: 'fj-fuzhou', nowMs: 0 }));
    expect(new Set(again.map((e) => e.get('UID')))).toEqual(
      new Set(validateIcs(unitCalendar({ plan, directory, unitCode: 'fj-fuzhou', nowMs: 1 })).map((e) => e.get('UID'))),
    );
  });

  it('folds long lines at 75 octets without splitting a character, and escapes text', () => {
    const { plan, directory } = smallSeedPlan();
    const task = { ...plan.tasks[0]!, title: '标题;含,分号\\和换行\n'.repeat(8) };
    const ics = unitCalendar({
      plan: { ...plan, tasks: [task, ...plan.tasks.slice(1)] },
      directory,
      unitCode: 'fj-czt',
    });
    expect(() => validateIcs(ics)).not.toThrow();
    expect(ics).not.toContain('\uFFFD');
  });

  it('refuses an unknown unit (exit 2)', async () => {
    const r = await duban(['calendar', '--unit', '火星市']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--unit');
  });
});

describe('the obligations client against real workflows (time-skipping server)', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let runtime: ActivityRuntime;
  let service: ObligationsClient;
  let shift: number;
  let dir: string;
  const { plan, directory } = smallSeedPlan();
  const planNow = async () => (await env.currentTimeMs()) + shift;
  const sleepUntil = async (iso: string) => {
    const wait = Date.parse(iso) - (await planNow());
    if (wait > 0) await env.sleep(wait);
  };
  const yearEnd = { planId: 'fj-2017-zwgk', obligation: 'year-end-report' as const };
  const row = async (unitCode: string, obligation: string, taskNo?: number): Promise<StatusRow> => {
    const report = await service.status({ planId: plan.id, unitCode, taskNo });
    return report.rows.find((r) => r.obligation === obligation && (taskNo === undefined || r.taskNo === taskNo))!;
  };
  const refusal = async (p: Promise<unknown>): Promise<{ type: string; message: string }> => {
    try {
      await p;
    } catch (err) {
      if (isRefusal(err)) return { type: err.type, message: err.message };
      throw err;
    }
    throw new Error('expected a refusal');
  };

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-operator-'));
    runtime = await openActivityRuntime({
      directory,
      env: { DUBAN_DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '' },
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    ({ worker, running, shift } = await runPlanFromPublication(env, plan, directory, {
      taskQueue: 'operator-test',
      activities: runtime.activities,
    }));
    service = createDubanClient({
      client: env.client,
      directory,
      plan,
      namespace: 'default',
      timeShiftMs: shift,
      now: planNow,
      uiBaseUrl: 'http://ui.example:8233/',
    }).obligations;
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await runtime?.close();
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows green before the reminder window and yellow once the first reminder went out', async () => {
    const before = await row('fj-fuzhou', 'implementation-plan');
    expect(before).toMatchObject({ due: '2017-05-27', state: 'pending', light: 'green', unitName: '福州市' });
    expect(before.nextNotice).toEqual({ at: '2017-05-22T09:00:00.000+08:00', stage: 'reminder-5' });
    await sleepUntil('2017-05-23T10:00:00+08:00');
    expect((await row('fj-fuzhou', 'implementation-plan')).light).toBe('yellow');
    const report = await service.status({ planId: plan.id });
    expect(report.byUnit['fj-fuzhou']!.yellow).toBeGreaterThan(0);
    expect(report.byTask['implementation-plan']!.yellow).toBe(
      report.rows.filter((r) => r.obligation === 'implementation-plan' && r.light === 'yellow').length,
    );
  });

  it('reads the whole plan with one query per workflow: each unit, then each of its obligations', async () => {
    let queries = 0;
    const workflow = new Proxy(env.client.workflow, {
      get(target, prop, receiver) {
        if (prop !== 'getHandle') return Reflect.get(target, prop, receiver);
        return (...args: Parameters<typeof target.getHandle>) => {
          const handle = target.getHandle(...args);
          const query: typeof handle.query = (...q) => {
            queries++;
            return handle.query(...q);
          };
          return { ...handle, query };
        };
      },
    });
    const counted = createDubanClient({
      client: new Proxy(env.client, {
        get: (target, prop, receiver) => (prop === 'workflow' ? workflow : Reflect.get(target, prop, receiver)),
      }),
      directory,
      plan,
      namespace: 'default',
      timeShiftMs: shift,
      now: planNow,
    }).obligations;
    const report = await counted.status({ planId: plan.id });
    const obligations = new Set(report.rows.map((r) => r.workflowId)).size;
    const units = new Set(report.rows.map((r) => r.unitCode)).size;
    expect(obligations).toBeGreaterThan(units);
    expect(queries).toBe(units + obligations);
  });

  it('turns green after fulfil; a second fulfil is refused AlreadyClosed and changes nothing', async () => {
    const ref = { planId: plan.id, unitCode: '福州市', obligation: 'implementation-plan' as const };
    const status = await service.fulfil(ref, { evidence: { document: '榕政办〔2017〕88号', recordedBy: 'test' } });
    expect(status.items[0]!.state).toBe('on-time');
    const after = await row('fj-fuzhou', 'implementation-plan');
    expect(after).toMatchObject({ light: 'green', state: 'on-time', nextNotice: null });
    const again = await refusal(service.fulfil(ref, { evidence: { url: 'https://x.example/', recordedBy: 'test' } }));
    expect(again.type).toBe('AlreadyClosed');
    expect(await row('fj-fuzhou', 'implementation-plan')).toEqual(after);
  });

  it('refuses an extension into the past (InvalidExtension) and grants a later one', async () => {
    const ref = { planId: plan.id, unitCode: 'fj-xiamen', obligation: 'implementation-plan' as const };
    const before = await row('fj-xiamen', 'implementation-plan');
    const past = await refusal(service.extend(ref, { newDue: '2017-05-01', reason: 'x', approver: '督查室' }));
    expect(past).toMatchObject({ type: 'InvalidExtension', message: expect.stringContaining('newDue') });
    expect(await row('fj-xiamen', 'implementation-plan')).toEqual(before);
    const extended = await service.extend(ref, { newDue: '2017-06-09', reason: '机构调整', approver: '督查室' });
    expect(extended.items[0]).toMatchObject({ due: '2017-06-09', extended: true });
    // The first reminder for 06-09 is 06-02: back to green.
    expect(await row('fj-xiamen', 'implementation-plan')).toMatchObject({ due: '2017-06-09', light: 'green' });
  });

  it('waives once; refuses unknown units, tasks and obligations with UnknownObligation', async () => {
    const ref = { planId: plan.id, unitCode: '省审改办', obligation: 'implementation-plan' as const };
    expect((await service.waive(ref, { reason: '另行报送', approver: '督查室' })).items[0]!.state).toBe('waived');
    expect((await refusal(service.waive(ref, { reason: 'again', approver: '督查室' }))).type).toBe('AlreadyClosed');
    expect((await row('fj-sgb', 'implementation-plan')).light).toBe('green');
    const unknownUnit = await refusal(
      service.fulfil({ ...ref, unitCode: '火星' }, { evidence: { url: 'u', recordedBy: 't' } }),
    );
    expect(unknownUnit).toMatchObject({ type: 'UnknownObligation', message: expect.stringContaining('火星') });
    expect((await refusal(service.status({ planId: plan.id, taskNo: 999 }))).type).toBe('UnknownObligation');
    const noTask = await refusal(
      service.fulfil(
        { planId: plan.id, unitCode: 'fj-czt', obligation: 'task-deadline', taskNo: 20 },
        { evidence: { url: 'u', recordedBy: 't' } },
      ),
    );
    expect(noTask.type).toBe('UnknownObligation');
  });

  it('designates a unit for a 省直有关部门 task and refuses a task that names its units', async () => {
    const ids = await service.designate({ planId: plan.id, taskNo: 16, unitCode: '省财政厅', by: 'test' });
    expect(ids).toContain('task-16-deadline');
    const rows = (await service.status({ planId: plan.id, taskNo: 16 })).rows;
    expect(rows.map((r) => r.unitCode)).toContain('fj-czt');
    const wrong = await refusal(service.designate({ planId: plan.id, taskNo: 20, unitCode: 'fj-czt', by: 'test' }));
    expect(wrong.type).toBe('InvalidDesignation');
    const twice = await refusal(service.designate({ planId: plan.id, taskNo: 16, unitCode: 'fj-czt', by: 'test' }));
    expect(twice.type).toBe('AlreadyClosed');
  });

  it('designates a unit again after removing it: the obligation runs anew', async () => {
    const czt16 = async () =>
      (await service.status({ planId: plan.id, taskNo: 16 })).rows.filter((r) => r.unitCode === 'fj-czt');
    expect((await czt16()).length).toBeGreaterThan(0);
    await service.designate({ planId: plan.id, taskNo: 16, unitCode: 'fj-czt', remove: true, by: 'test' });
    // The removal signals the obligation to close; it ends moments later.
    let again: string[] | undefined;
    for (let i = 0; i < 50 && !again; i++) {
      again = await service
        .designate({ planId: plan.id, taskNo: 16, unitCode: 'fj-czt', by: 'test' })
        .catch((err: unknown) => {
          if (isRefusal(err) && err.type === 'AlreadyClosed') return undefined;
          throw err;
        });
      if (!again) await new Promise((r) => setTimeout(r, 200));
    }
    expect(again).toContain('task-16-deadline');
    const rows = await czt16();
    expect(rows.map((r) => [r.obligationId ?? r.obligation, r.state, r.light])).toEqual([
      ['task-16-deadline', 'pending', 'green'],
    ]);
  });

  it('reads the history: the reminder queued, the fulfil update, timers; and links the Temporal UI', async () => {
    const ref = { planId: plan.id, unitCode: 'fj-fuzhou', obligation: 'implementation-plan' as const };
    const history = await service.history(ref);
    const text = history.map((h) => `${h.at} ${h.kind} ${h.summary}`).join('\n');
    // Without the outbox's store, a notice is only known to be queued.
    expect(text).toMatch(/notice reminder-5 .*: queued for fuzhou?\.officer@/);
    expect(text).toMatch(/update fulfil accepted: .*榕政办/);
    expect(history.some((h) => h.kind === 'timer')).toBe(true);
    expect(history.some((h) => h.kind === 'outcome' && h.summary.includes('on-time'))).toBe(true);
    expect(history.find((h) => h.summary.startsWith('notice reminder-5'))!.at).toMatch(
      // Event times are the server's, shifted to plan time: the activity ran moments after its 09:00 timer.
      /^2017-05-22T09:00:\d\d\.\d{3}\+08:00$/,
    );
    expect(service.uiLink(ref)).toBe(
      'http://ui.example:8233/namespaces/default/workflows/duban%2Ffj-2017-zwgk%2Ffj-fuzhou%2Fimplementation-plan',
    );
    expect((await service.timeline(ref)).map((t) => t.type)).toEqual(['notice', 'fulfilment']);
  });

  it('turns red once overdue', async () => {
    await sleepUntil('2017-06-01T10:00:00+08:00');
    expect((await row('fj-czt', 'implementation-plan')).light).toBe('red');
  });

  it('drives the same through the CLI: status --json, a refused fulfil exits 3 (refused) with its type', async () => {
    // The store the worker writes: status reads the read model there.
    const cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      DUBAN_DATA_DIR: dir,
      DATABASE_URL: '',
    };
    const status = await duban(['status', '--unit', '福州市', '--json'], cliEnv);
    expect(status.code).toBe(0);
    const parsed = JSON.parse(status.out) as { rows: StatusRow[] };
    expect(parsed.rows.find((r) => r.obligation === 'implementation-plan')?.light).toBe('green');
    const args = [
      'fulfil',
      '--unit',
      '福州市',
      '--obligation',
      'implementation-plan',
      '--document',
      '文号',
      '--by',
      't',
    ];
    const refused = await duban(args, cliEnv);
    expect(refused.code).toBe(EXIT_CODES.refused);
    expect(refused.err).toContain('[AlreadyClosed]');
    const missing = await duban(['extend', '--unit', '厦门市', '--obligation', 'implementation-plan'], cliEnv);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('--new-due');
    const history = await duban(['history', '--unit', '福州市', '--obligation', 'implementation-plan'], cliEnv);
    expect(history.code).toBe(0);
    expect(history.out).toContain('Temporal UI: http://127.0.0.1:');
    expect(history.out).toContain('reminder-5');
  });

  it('tells the general office about holiday data an obligation cannot use, shows it in status, keeps its notices', async () => {
    const before = await row('fj-fuzhou', 'year-end-report');
    expect(before.calendarError).toBeUndefined();
    const handle = env.client.workflow.getHandle(service.workflowIdOf({ ...yearEnd, unitCode: 'fj-fuzhou' }));
    const bad = { year: 2027, notice: { title: 'x', number: null, date: null }, daysOff: ['2027-02-30'] };
    await handle.signal(calendarSignal, { years: [{ ...bad, workdays: [], adjustments: [] }] });
    let after = await row('fj-fuzhou', 'year-end-report');
    for (let i = 0; i < 40 && !after.calendarError; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await row('fj-fuzhou', 'year-end-report');
    }
    expect(after.calendarError).toMatch(/^holiday data could not be used, the built-in calendar stays: /);
    // Still served with the calendar it had; other units' items untouched.
    expect(after.nextNotice).toEqual(before.nextNotice);
    expect((await row('fj-xiamen', 'year-end-report')).calendarError).toBeUndefined();

    let told: string[] = [];
    for (let i = 0; i < 40 && told.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      told = (
        await runtime.store.listNotices({ planId: plan.id, unitCode: 'fj-fuzhou', obligation: 'year-end-report' })
      )
        .filter((n) => n.stage === 'calendar-error')
        .flatMap((n) => n.recipients.map((r) => r.role));
    }
    expect(told.length).toBeGreaterThan(0);
    expect(new Set(told)).toEqual(new Set(['general-office']));

    const cli = await duban(['status', '--unit', '福州市'], { TEMPORAL_ADDRESS: env.address, DUBAN_DATA_DIR: dir });
    expect(cli.code).toBe(0);
    expect(cli.out).toContain('calendar errors (the general office was told):');
    expect(cli.out).toMatch(/year-end-report .*\(calendar error, see above\)/);

    await handle.signal(calendarSignal, { years: [] });
    for (let i = 0; i < 40 && after.calendarError; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await row('fj-fuzhou', 'year-end-report');
    }
    expect(after.calendarError).toBeUndefined();
  });

  it('labels the status of a rehearsal, with plan time beside real time', async () => {
    const rehearsalDir = mkdtempSync(path.join(os.tmpdir(), 'duban-rehearsal-'));
    mkdirSync(path.join(rehearsalDir, 'rehearsals'));
    const rehearsal = { planId: plan.id, timeShiftMs: shift, startedAt: new Date().toISOString() };
    writeFileSync(path.join(rehearsalDir, 'rehearsals', `${plan.id}.json`), JSON.stringify(rehearsal));
    const cliEnv = { TEMPORAL_ADDRESS: env.address, DUBAN_DATA_DIR: rehearsalDir, DATABASE_URL: '' };
    const status = await duban(['status', '--unit', '福州市'], cliEnv);
    expect(status.code).toBe(0);
    expect(status.out.split('\n')[0]).toMatch(
      /^【演练 rehearsal】 plan fj-2017-zwgk: \d+ items, plan time 2017-\d\d-\d\d \d\d:\d\d \(real time 20\d\d-\d\d-\d\d \d\d:\d\d\)$/,
    );
    const json = JSON.parse((await duban(['status', '--unit', '福州市', '--json'], cliEnv)).out) as {
      rehearsal: { planTime: string; realTime: string };
    };
    expect(json.rehearsal.planTime.startsWith('2017-')).toBe(true);
    const report = await duban(['report', 'quarterly'], cliEnv);
    expect(report.out.split('\n')[0]).toMatch(/^# 【演练】/);
    expect(report.out).toMatch(/- 生成时间: 演练计划时间 2017-.*（实际时间 20\d\d-/);
    const real = await duban(['status', '--unit', '福州市'], { ...cliEnv, DUBAN_DATA_DIR: dir });
    expect(real.out.split('\n')[0]).toMatch(/^plan fj-2017-zwgk: \d+ items$/);
    rmSync(rehearsalDir, { recursive: true, force: true });
  });

  it('names the provisional years of a whole plan before starting any of its workflows', async () => {
    const later = {
      ...plan,
      id: 'fj-2027-zwgk',
      year: 2027,
      signedOn: '2027-04-28',
      publishedOn: '2027-05-05',
      milestones: plan.milestones.map((m) => (m.due ? { ...m, due: m.due.replace('2017', '2027') } : m)),
      tasks: plan.tasks.slice(0, 1).map((t) => ({ ...t, duties: [] })),
    };
    const events: string[] = [];
    const result = await startPlan(env.client, later, directory, {
      taskQueue: 'no-worker-here',
      activeFrom: '2027-05-05T00:00:00+08:00',
      searchAttributes: false,
      onProvisional: (years) => events.push(`provisional ${years.join(',')}`),
      onProgress: (done) => events.push(`started ${done}`),
    });
    expect(events[0]).toBe('provisional 2027');
    expect(events.slice(1).every((e) => e.startsWith('started '))).toBe(true);
    expect(result.provisionalYears).toEqual([2027]);
    await closePlan(env.client, result.schedule, later.id, { reason: 'test' });
  });
});
