import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readableHistory } from '../../src/service/history';
import type { StoreConfig } from '../../src/store';
import { loadTemporalConfig } from '../../src/temporal/config';
import { timelineQuery } from '../../workflows/messages';
import {
  REMINDER_5,
  describeNotice,
  dueNotices,
  killAndWait,
  noticesIn,
  obligationIds,
  smallPlan,
  spawnWorker,
  startShiftedPlan,
  until,
} from '../helpers/fault';
import { alive, type DubanProcess } from '../helpers/process';
import { createDevServerEnv } from '../helpers/temporal';

jest.setTimeout(420_000);

/** Plan time starts this long before the instant: room for the plan to start and every workflow to fall asleep. */
const LEAD_MS = 45_000;
const RECORDED_MS = 120_000;

describe('a worker killed with -9 while obligations sleep across a notice (dev server, persistent database)', () => {
  let dir: string;
  let env: TestWorkflowEnvironment;
  const workers: DubanProcess[] = [];
  // The plan actually started (startShiftedPlan starts another when a loaded machine made the first start too slow).
  let { plan, schedule } = smallPlan();

  const startWorker = async (): Promise<DubanProcess> => {
    const worker = await spawnWorker(env.address, dir);
    workers.push(worker);
    return worker;
  };
  const kill9 = async (worker: DubanProcess): Promise<void> => {
    worker.child.kill('SIGKILL');
    await worker.exit;
    expect(alive(worker.child.pid!)).toBe(false);
  };
  // Opened per look: the worker owns the file; a reader never holds it across the worker's restarts.
  const store = (): StoreConfig => ({ kind: 'sqlite', file: path.join(dir, 'duban.sqlite') });
  const noticesOfPlan = () => noticesIn(store(), plan.id);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-fault-'));
    env = await createDevServerEnv({ dbFilename: path.join(dir, 'temporal.sqlite') });
  });

  afterAll(async () => {
    for (const w of workers) await killAndWait(w);
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records every notice due while the worker was dead exactly once after restarts, and none early', async () => {
    const { taskQueue } = loadTemporalConfig({ TEMPORAL_ADDRESS: env.address, DUBAN_DATA_DIR: dir });
    const first = await startWorker();

    // Plan time: LEAD_MS before 2017-05-22 09:00 +08:00, from now on; every obligation sleeps towards it.
    const { timeShiftMs, activeFrom, planNow, small } = await startShiftedPlan(
      env.client,
      taskQueue,
      (attempt) => smallPlan(attempt === 0 ? undefined : `${plan.id}-${attempt}`),
      REMINDER_5,
      LEAD_MS,
    );
    ({ plan, schedule } = small);
    expect(await noticesOfPlan()).toEqual([]);

    // The kill must land before the instant, or this run did not test sleeping across it.
    expect(REMINDER_5 - planNow()).toBeGreaterThan(2_000);
    await kill9(first);

    // The instant passes with no worker: its timers fire on the server and wait there.
    await new Promise((r) => setTimeout(r, Math.max(0, REMINDER_5 + 3_000 - planNow())));
    expect(await noticesOfPlan()).toEqual([]);

    const due = dueNotices(plan, schedule, activeFrom, REMINDER_5 + 3_000);
    const expected = due.map((d) => d.notice);
    // Every unit's implementation-plan reminder-5 is among them (and week 20's escalation-1 of the weekly duty).
    expect(expected).toEqual(
      expect.arrayContaining(
        schedule.units.map((u) => `${u.unitCode}/implementation-plan/null/reminder-5@2017-05-22T09:00:00.000+08:00`),
      ),
    );
    expect(due.every((d) => d.notice.endsWith('@2017-05-22T09:00:00.000+08:00'))).toBe(true);

    const second = await startWorker();
    await until('the due notices in the store', RECORDED_MS, async () =>
      (await noticesOfPlan()).length >= expected.length ? true : undefined,
    );
    // A second crash after the notices went out: the next worker replays them from history and must not resend.
    await kill9(second);
    await startWorker();
    for (const id of obligationIds(plan, schedule)) {
      // A query on an uncached run replays its whole history on the new worker.
      const timeline = await env.client.workflow.getHandle(id).query(timelineQuery);
      const stages = timeline.filter((e) => e.type === 'notice').map((e) => e.stage);
      expect(new Set(stages).size).toBe(stages.length);
    }

    const notices = await noticesOfPlan();
    expect(notices.map(describeNotice)).toEqual(expected);
    for (const n of notices) {
      const addresses = n.deliveries.map((d) => d.address);
      expect(addresses.length).toBeGreaterThan(0);
      expect(new Set(addresses).size).toBe(addresses.length);
      expect(addresses.sort()).toEqual(n.recipients.map((r) => r.address).sort());
      // Not before its instant: queued after plan time reached it.
      expect(Date.parse(n.createdAt) + timeShiftMs).toBeGreaterThanOrEqual(Date.parse(n.at));
    }

    // Each due notice is on record exactly once in its workflow's history: the local activity that sent it left one
    // marker, however often a dead worker made it run again (retries and re-runs leave none of their own).
    const scheduled: Record<string, number> = {};
    const owed: Record<string, number> = {};
    for (const d of due) owed[d.workflowId] = (owed[d.workflowId] ?? 0) + 1;
    for (const id of obligationIds(plan, schedule)) {
      const history = await env.client.workflow.getHandle(id).fetchHistory();
      const sends = readableHistory(history).filter((h) => h.kind === 'notice' && h.noticeKey !== undefined).length;
      if (sends > 0) scheduled[id] = sends;
    }
    expect(scheduled).toEqual(owed);
  });
});
