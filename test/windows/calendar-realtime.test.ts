/**
 * Next year's calendar on the dev server: a request received on 2026-12-01, before any 2027 holiday notice, runs on
 * a provisional 2027 (weekends only) and says so; `duban holidays add` of a 2027 notice moves its escalations in the
 * running workflow, which never fails a workflow task.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { openActivityRuntime, type ActivityRuntime } from '../../activities/runtime';
import { createDubanClient, type DubanClient, type RequestOverview } from '../../src/service';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../../src/import/directory';
import { importTableFile } from '../../src/import/plan-file';
import { requestPage } from '../../src/http/pages/requests';
import { MADE_UP_2027_NOTICE } from '../fixtures/made-up-2027';
import { execDuban as duban } from '../helpers/process';
import { createDevServerEnv, workflowBundle } from '../helpers/temporal';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../..');

/** A request's dashboard page, as an operator sees it. */
function page(request: RequestOverview): string {
  const ctx = {
    principal: { kind: 'operator', id: 'operator' } as const,
    who: '',
    csrf: '',
    plan: importTableFile(path.join(ROOT, 'examples/fujian-2017/tasks.txt')).plan,
    unitNames: new Map<string, string>(),
  };
  return requestPage(ctx, { request, timeline: [], history: [], uiLink: null });
}

describe('a 2027 calendar added while a request runs (dev server)', () => {
  let env: TestWorkflowEnvironment;
  let runtime: ActivityRuntime;
  let worker: Worker;
  let running: Promise<void>;
  let dir: string;
  let duban2026: DubanClient;

  beforeAll(async () => {
    env = await createDevServerEnv();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-calendar-'));
    const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
    runtime = await openActivityRuntime({
      directory,
      env: { DUBAN_DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '' },
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'calendar',
      workflowBundle: await workflowBundle(),
      activities: runtime.activities,
    });
    running = worker.run();
    const { plan } = importTableFile(path.join(ROOT, 'examples/fujian-2017/tasks.txt'), { directory });
    // Plan time is 2026-12-01 10:00 whatever day the test runs.
    const timeShiftMs = Date.parse('2026-12-01T10:00:00+08:00') - Date.now();
    duban2026 = createDubanClient({ client: env.client, plan, directory, taskQueue: 'calendar', timeShiftMs });
  });
  afterAll(async () => {
    worker?.shutdown();
    await running?.catch(() => undefined);
    await runtime?.close();
    await env?.teardown();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs provisionally, then moves its escalations when the 2027 notice is added, with no failed workflow task', async () => {
    const received = await duban2026.requests.receive({
      unit: '福州市',
      requestId: 'r-2026-12',
      receivedOn: '2026-12-01',
    });
    // 20 working days: due Tuesday 2026-12-29, a date the 2027 notice could still rearrange.
    expect(received.due).toMatchObject({ due: '2026-12-29', workingDays: 20, provisionalYears: [2027] });
    const stages = async () =>
      (await duban2026.requests.agenda('r-2026-12'))
        .filter((a) => a.stage.startsWith('escalation'))
        .map((a) => `${a.stage} ${a.at.slice(0, 10)} ${(a.provisional ?? []).join(',')}`);
    // The request says so on its page and in its overview (the CLI's and the dashboard's).
    const provisional = await duban2026.requests.overview('r-2026-12');
    expect(provisional.provisional).toEqual([2027]);
    expect(page(provisional)).toContain('2027年节假日安排尚未公布');
    // Weekends only for 2027: New Year's Day, a Friday, counts as a working day.
    expect(await stages()).toEqual([
      'escalation-1 2026-12-30 2027',
      'escalation-2 2027-01-01 2027',
      'escalation-3 2027-01-05 2027',
    ]);

    const file = path.join(dir, '2027.txt');
    fs.writeFileSync(file, MADE_UP_2027_NOTICE);
    const added = await duban(['holidays', 'add', file], {
      DUBAN_DATA_DIR: dir,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: env.address,
    });
    expect(added).toMatchObject({ code: 0 });
    expect(added.out).toContain('running workflows told: ');

    let moved: string[] = [];
    for (let i = 0; i < 40; i++) {
      moved = await stages();
      if (moved[1]?.includes('2027-01-04')) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(moved).toEqual(['escalation-1 2026-12-30 ', 'escalation-2 2027-01-04 ', 'escalation-3 2027-01-06 ']);
    // A client that knows the added year, as every CLI command and the dashboard read it from the store.
    const knowing = createDubanClient({
      client: env.client,
      plan: duban2026.context.plan,
      directory: duban2026.context.directory,
      taskQueue: 'calendar',
      timeShiftMs: duban2026.context.timeShiftMs,
      holidayYears: (await runtime.store.listHolidayYears()).map((r) => r.data),
    });
    expect((await knowing.requests.overview('r-2026-12')).provisional).toBeUndefined();
    const timeline = await duban2026.requests.timeline('r-2026-12');
    expect(timeline.find((e) => e.type === 'calendar')?.detail).toContain('escalation-2 2027-01-01 → 2027-01-04');

    const history = await env.client.workflow.getHandle(received.workflowId).fetchHistory();
    const failed = (history.events ?? []).filter(
      (e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
    );
    expect(failed).toEqual([]);
    expect((history.events ?? []).length).toBeGreaterThan(3);
  });

  it('keeps running on calendar data it cannot use: on record, in its status, the general office told, no failed workflow task', async () => {
    const received = await duban2026.requests.receive({
      unit: '厦门市',
      requestId: 'r-bad-data',
      receivedOn: '2026-12-01',
    });
    const handle = env.client.workflow.getHandle(received.workflowId);
    // Once it has read the installation's 2027 notice at its start.
    let agendaBefore = await duban2026.requests.agenda('r-bad-data');
    for (let i = 0; i < 40 && (agendaBefore.length === 0 || agendaBefore.some((a) => a.provisional)); i++) {
      await new Promise((r) => setTimeout(r, 250));
      agendaBefore = await duban2026.requests.agenda('r-bad-data');
    }
    const otherBefore = await duban2026.requests.agenda('r-2026-12');
    expect(agendaBefore.length).toBeGreaterThan(0);
    const { calendarSignal } = await import('../../workflows/messages');
    await handle.signal(calendarSignal, {
      years: [
        {
          year: 2027,
          notice: { title: 'x', number: null, date: null },
          daysOff: ['2027-02-30'],
          workdays: [],
          adjustments: [],
        },
      ],
    });
    let timeline = await duban2026.requests.timeline('r-bad-data');
    for (let i = 0; i < 40 && !timeline.some((e) => e.type === 'notice' && e.stage === 'calendar-error'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      timeline = await duban2026.requests.timeline('r-bad-data');
    }
    expect(timeline.find((e) => e.type === 'calendar-error')?.detail).toMatch(/holiday data could not be used/);
    expect((await duban2026.requests.status('r-bad-data')).due).toBe('2026-12-29');

    // Its status says so, in the client, the CLI and on its page.
    const status = await duban2026.requests.overview('r-bad-data');
    expect(status.calendarError).toMatch(/^holiday data could not be used, the built-in calendar stays: /);
    expect(page(status)).toContain('id="request-calendar-error"');
    const cli = await duban(['request', 'status', '--id', 'r-bad-data'], {
      DUBAN_DATA_DIR: dir,
      DATABASE_URL: '',
      TEMPORAL_ADDRESS: env.address,
    });
    expect(cli.code).toBe(0);
    expect(cli.out).toContain('  calendar error (the general office was told): holiday data could not be used');

    // The general office got a calendar-error notice.
    const notices = await runtime.store.listNotices({ planId: 'fj-2017-zwgk', period: 'r-bad-data' });
    const told = notices.filter((n) => n.stage === 'calendar-error');
    expect(told).toHaveLength(1);
    expect(new Set(told[0]!.recipients.map((r) => r.role))).toEqual(new Set(['general-office']));

    // It and the other request keep their notices, computed with the calendar they had.
    expect(await duban2026.requests.agenda('r-bad-data')).toEqual(agendaBefore);
    expect(await duban2026.requests.agenda('r-2026-12')).toEqual(otherBefore);
    expect((await duban2026.requests.overview('r-2026-12')).calendarError).toBeUndefined();

    // Holiday data it can use ends the error.
    const years = (await runtime.store.listHolidayYears()).map((r) => r.data);
    await handle.signal(calendarSignal, { years });
    let cleared = await duban2026.requests.overview('r-bad-data');
    for (let i = 0; i < 40 && cleared.calendarError; i++) {
      await new Promise((r) => setTimeout(r, 250));
      cleared = await duban2026.requests.overview('r-bad-data');
    }
    expect(cleared.calendarError).toBeUndefined();
    const history = await handle.fetchHistory();
    expect(
      (history.events ?? []).filter(
        (e) => e.eventType === temporal.api.enums.v1.EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED,
      ),
    ).toEqual([]);
  });
});
