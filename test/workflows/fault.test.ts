import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { DateTime } from 'luxon';
import type { Directory } from '../../src/domain/directory';
import { obligationWorkflowId, unitWorkflowId } from '../../src/domain/ids';
import { planSchedule, type PlanSchedule } from '../../src/domain/obligations';
import { PLAN_TIMEZONE, type Plan } from '../../src/domain/plan';
import { obligationAgenda } from '../../src/domain/policy';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../../src/import/directory';
import { importTableFile } from '../../src/import/plan-file';
import { openStore } from '../../src/store';
import { readableHistory } from '../../src/service/history';
import type { NoticeRecord } from '../../src/store/types';
import { loadTemporalConfig } from '../../src/temporal/config';
import { startPlan } from '../../src/service';
import { agendaQuery, obligationsQuery, timelineQuery } from '../../workflows/messages';
import { alive, type DubanProcess, spawnDuban } from '../helpers/process';
import { createDevServerEnv } from '../helpers/temporal';

jest.setTimeout(420_000);

const SEED = path.resolve(__dirname, '../../examples/fujian-2017/tasks.txt');
/** reminder-5 of the implementation plan due Saturday 2017-05-27. */
const REMINDER_5 = Date.parse('2017-05-22T09:00:00+08:00');
/** Plan time starts this long before the instant: room for the plan to start and every workflow to fall asleep. */
const LEAD_MS = 45_000;
const WORKER_READY_MS = 120_000;
const RECORDED_MS = 120_000;

/** The seed cut down to five units and tasks 16, 20 and 49 (deadline, weekly and deadline duties). */
function smallPlan(): { plan: Plan; directory: Directory } {
  const full = loadDirectory(BUNDLED_DIRECTORY_PATH);
  const keep = new Set(['fj-bgt', 'fj-sgb', 'fj-nyt', 'fj-czt', 'fj-fuzhou', 'fj-xiamen']);
  const directory: Directory = { ...full, units: full.units.filter((u) => keep.has(u.code)) };
  const { plan } = importTableFile(SEED, { directory: full });
  return { plan: { ...plan, tasks: plan.tasks.filter((t) => [16, 20, 49].includes(t.no)) }, directory };
}

/** A notice the policy schedules, as the store describes it, and the workflow that owes it. */
interface DueNotice {
  notice: string;
  workflowId: string;
}

/** Every notice the policy schedules in [activeFrom, untilMs], sorted by its description. */
function dueNotices(plan: Plan, schedule: PlanSchedule, activeFrom: string, untilMs: number): DueNotice[] {
  const due: DueNotice[] = [];
  for (const unit of schedule.units) {
    for (const spec of unit.obligations) {
      for (const item of spec.items) {
        const agenda = obligationAgenda({ ...spec, due: item.due, activeFrom });
        for (const a of agenda.items) {
          if (Date.parse(a.at) > untilMs) continue;
          due.push({
            notice: `${unit.unitCode}/${spec.obligation}/${item.period}/${a.stage}@${a.at}`,
            workflowId: obligationWorkflowId(plan.id, unit.unitCode, spec.id),
          });
        }
      }
    }
  }
  return due.sort((a, b) => a.notice.localeCompare(b.notice));
}

const describeNotice = (n: NoticeRecord) => `${n.unitCode}/${n.obligation}/${n.period}/${n.stage}@${n.at}`;

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('a worker killed with -9 while obligations sleep across a notice (dev server, persistent database)', () => {
  let dir: string;
  let env: TestWorkflowEnvironment;
  const workers: DubanProcess[] = [];
  const { plan, directory } = smallPlan();
  const schedule = planSchedule(plan, directory);

  const spawnWorker = async (): Promise<DubanProcess> => {
    const worker = spawnDuban(['start'], {
      TEMPORAL_ADDRESS: env.address,
      DUBAN_DATA_DIR: dir,
      DUBAN_EXAMPLE_PLAN: '0',
      // The SQLite store and the .eml outbox under the data directory, whatever the surrounding shell sets.
      DATABASE_URL: '',
      SMTP_URL: '',
    });
    workers.push(worker);
    await worker.waitFor('worker polling', WORKER_READY_MS);
    return worker;
  };
  const kill9 = async (worker: DubanProcess): Promise<void> => {
    worker.child.kill('SIGKILL');
    await worker.exit;
    expect(alive(worker.child.pid!)).toBe(false);
  };
  const noticesOfPlan = async (): Promise<NoticeRecord[]> => {
    // Opened per look: the worker owns the file; a reader never holds it across the worker's restarts.
    const s = await openStore({ kind: 'sqlite', file: path.join(dir, 'duban.sqlite') });
    try {
      return (await s.listNotices({ planId: plan.id, kind: 'notice' })).sort((a, b) =>
        describeNotice(a).localeCompare(describeNotice(b)),
      );
    } finally {
      await s.close();
    }
  };
  const obligationIds = () =>
    schedule.units.flatMap((u) => u.obligations.map((o) => obligationWorkflowId(plan.id, u.unitCode, o.id)));

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-fault-'));
    env = await createDevServerEnv({ dbFilename: path.join(dir, 'temporal.sqlite') });
  });

  afterAll(async () => {
    for (const w of workers) {
      if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([w.exit, new Promise((r) => (timer = setTimeout(r, 10_000)))]);
      clearTimeout(timer);
    }
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records every notice due while the worker was dead exactly once after restarts, and none early', async () => {
    const { taskQueue } = loadTemporalConfig({ TEMPORAL_ADDRESS: env.address, DUBAN_DATA_DIR: dir });
    const first = await spawnWorker();

    // Plan time: LEAD_MS before 2017-05-22 09:00 +08:00, from now on.
    const timeShiftMs = REMINDER_5 - LEAD_MS - Date.now();
    const planNow = () => Date.now() + timeShiftMs;
    const activeFrom = DateTime.fromMillis(planNow(), { zone: PLAN_TIMEZONE }).toISO() as string;
    const result = await startPlan(env.client, plan, directory, { taskQueue, timeShiftMs, activeFrom });
    expect(result.started).toHaveLength(schedule.units.length);

    // Every obligation has run its first task and sleeps towards its next instant.
    for (const unit of schedule.units) {
      const handle = env.client.workflow.getHandle(unitWorkflowId(plan.id, unit.unitCode));
      await until(`${unit.unitCode}'s children`, 60_000, async () => {
        const children = await handle.query(obligationsQuery);
        return children.length === unit.obligations.length && children.every((c) => c.running) ? true : undefined;
      });
    }
    for (const id of obligationIds()) {
      const agenda = await env.client.workflow.getHandle(id).query(agendaQuery);
      expect(Date.parse(agenda[0]!.at)).toBeGreaterThanOrEqual(REMINDER_5);
    }
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

    const second = await spawnWorker();
    await until('the due notices in the store', RECORDED_MS, async () =>
      (await noticesOfPlan()).length >= expected.length ? true : undefined,
    );
    // A second crash after the notices went out: the next worker replays them from history and must not resend.
    await kill9(second);
    await spawnWorker();
    for (const id of obligationIds()) {
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
    for (const id of obligationIds()) {
      const history = await env.client.workflow.getHandle(id).fetchHistory();
      const sends = readableHistory(history).filter((h) => h.kind === 'notice' && h.noticeKey !== undefined).length;
      if (sends > 0) scheduled[id] = sends;
    }
    expect(scheduled).toEqual(owed);
  });
});
