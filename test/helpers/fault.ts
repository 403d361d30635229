/**
 * What the fault tests share: a small plan run shifted so a notice falls due seconds from now, the notices the policy
 * owes by an instant, the notices a store holds, the `duban start` worker they run against, and a poll with a bound.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { Directory } from '../../src/domain/directory';
import { obligationWorkflowId, unitWorkflowId } from '../../src/domain/ids';
import { planSchedule, type PlanSchedule } from '../../src/domain/obligations';
import { PLAN_TIMEZONE, type Plan } from '../../src/domain/plan';
import { obligationAgenda } from '../../src/domain/policy';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../../src/import/directory';
import { importTableFile } from '../../src/import/plan-file';
import { startPlan } from '../../src/service';
import { type StoreConfig, openStore } from '../../src/store';
import type { NoticeRecord } from '../../src/store/types';
import { agendaQuery } from '../../workflows/messages';
import { type DubanProcess, spawnDuban } from './process';
import { waitForObligations } from './temporal';

const SEED = path.resolve(__dirname, '../../examples/fujian-2017/tasks.txt');
/** reminder-5 of the implementation plan due Saturday 2017-05-27. */
export const REMINDER_5 = Date.parse('2017-05-22T09:00:00+08:00');

/** The seed cut down to five units and tasks 16, 20 and 49 (deadline, weekly and deadline duties), under `id`. */
export function smallPlan(id?: string): { plan: Plan; directory: Directory; schedule: PlanSchedule } {
  const full = loadDirectory(BUNDLED_DIRECTORY_PATH);
  const keep = new Set(['fj-bgt', 'fj-sgb', 'fj-nyt', 'fj-czt', 'fj-fuzhou', 'fj-xiamen']);
  const directory: Directory = { ...full, units: full.units.filter((u) => keep.has(u.code)) };
  const { plan: seed } = importTableFile(SEED, { directory: full });
  const plan = { ...seed, id: id ?? seed.id, tasks: seed.tasks.filter((t) => [16, 20, 49].includes(t.no)) };
  return { plan, directory, schedule: planSchedule(plan, directory) };
}

/** A notice the policy schedules, as {@link describeNotice} writes it, and the workflow that owes it. */
export interface DueNotice {
  notice: string;
  workflowId: string;
}

/** Every notice the policy schedules in [activeFrom, untilMs], sorted by its description. */
export function dueNotices(plan: Plan, schedule: PlanSchedule, activeFrom: string, untilMs: number): DueNotice[] {
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

/** `unit/obligation/period/stage@instant`, comparable with {@link DueNotice.notice}. */
export const describeNotice = (n: NoticeRecord) => `${n.unitCode}/${n.obligation}/${n.period}/${n.stage}@${n.at}`;

/** Polls `probe` every 250 ms until it returns a value; fails after `timeoutMs` with the last error. */
export async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T> {
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

/** The plan's notices in a store, sorted by description; the store is opened per look, never held across faults. */
export async function noticesIn(config: StoreConfig, planId: string): Promise<NoticeRecord[]> {
  const s = await openStore(config);
  try {
    return (await s.listNotices({ planId, kind: 'notice' })).sort((a, b) =>
      describeNotice(a).localeCompare(describeNotice(b)),
    );
  } finally {
    await s.close();
  }
}

/** Every obligation workflow id of a plan. */
export function obligationIds(plan: Plan, schedule: PlanSchedule): string[] {
  return schedule.units.flatMap((u) => u.obligations.map((o) => obligationWorkflowId(plan.id, u.unitCode, o.id)));
}

/** A plan started shifted so `instantMs` (plan time) comes `leadMs` from now, every obligation asleep towards it. */
export interface ShiftedPlan {
  timeShiftMs: number;
  activeFrom: string;
  /** Plan time now. */
  planNow: () => number;
  /** The plan that was started (a later attempt's when the first start was too slow). */
  small: ReturnType<typeof smallPlan>;
}

/**
 * Starts the plan with plan time `leadMs` before `instantMs`, then waits until every obligation has run its first
 * task and sleeps towards an instant no earlier than `instantMs`. A start so slow (a loaded machine) that less than
 * half the lead is left cannot stop anything across the instant: that plan is terminated and the next one from
 * `planFor` started with twice the lead, up to three attempts.
 */
export async function startShiftedPlan(
  client: Client,
  taskQueue: string,
  planFor: (attempt: number) => ReturnType<typeof smallPlan>,
  instantMs: number,
  leadMs: number,
): Promise<ShiftedPlan> {
  for (let attempt = 0, lead = leadMs; ; attempt++, lead *= 2) {
    const small = planFor(attempt);
    const { plan, directory, schedule } = small;
    const timeShiftMs = instantMs - lead - Date.now();
    const planNow = () => Date.now() + timeShiftMs;
    const activeFrom = DateTime.fromMillis(planNow(), { zone: PLAN_TIMEZONE }).toISO() as string;
    const result = await startPlan(client, plan, directory, { taskQueue, timeShiftMs, activeFrom });
    expect(result.started).toHaveLength(schedule.units.length);
    await waitForObligations(client, plan, directory);
    for (const id of obligationIds(plan, schedule)) {
      // Existing is not yet answering: a query before the first workflow task may fail; it is asked again.
      const agenda = await until(`${id}'s agenda`, 60_000, () => client.workflow.getHandle(id).query(agendaQuery));
      expect(Date.parse(agenda[0]!.at)).toBeGreaterThanOrEqual(instantMs);
    }
    const left = instantMs - planNow();
    if (left >= lead / 2 || attempt === 2) return { timeShiftMs, activeFrom, planNow, small };
    console.log(`${plan.id}: the start took ${lead - left} ms of a ${lead} ms lead; again with ${lead * 2} ms`);
    const ids = [...obligationIds(plan, schedule), ...schedule.units.map((u) => unitWorkflowId(plan.id, u.unitCode))];
    for (const id of ids) {
      // A unit whose children were all terminated has ended by itself.
      await client.workflow
        .getHandle(id)
        .terminate('start too slow for the test')
        .catch((err: unknown) => {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        });
    }
  }
}

/**
 * `duban start` as the worker alone, on a server the test runs (`TEMPORAL_ADDRESS`), with its store and outbox in
 * `dataDir` unless `env` says otherwise; no example plan, no dashboard (no fixed port). Resolves once it polls.
 */
export async function spawnWorker(
  address: string,
  dataDir: string,
  env: NodeJS.ProcessEnv = {},
  readyMs = 120_000,
): Promise<DubanProcess> {
  const worker = spawnDuban(['start'], {
    TEMPORAL_ADDRESS: address,
    DUBAN_DATA_DIR: dataDir,
    DUBAN_EXAMPLE_PLAN: '0',
    DUBAN_DASHBOARD: '0',
    // The SQLite store and the .eml outbox under the data directory, whatever the surrounding shell sets.
    DATABASE_URL: '',
    SMTP_URL: '',
    ...env,
  });
  await worker.waitFor('worker polling', readyMs);
  return worker;
}

/** Kills a process hard (if still running) and waits for it, at most `graceMs`. */
export async function killAndWait(worker: DubanProcess, graceMs = 10_000): Promise<void> {
  if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([worker.exit, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
}

/** The Message-ID header of every `.eml` file in `dir` (none when it does not exist). */
export function outboxMessageIds(dir: string): string[] {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.eml'));
  } catch {
    return [];
  }
  return files.map((f) => /^Message-ID: *(<[^>]+>)/im.exec(readFileSync(path.join(dir, f), 'utf8'))?.[1] ?? f);
}

/**
 * Waits until every delivery of the plan's notices is sent, then a few seconds more for anything sent twice, and
 * checks what the fault tests promise: exactly the `expected` notices, each recipient once and each on its first
 * attempt, none queued before its instant (plan time), and one message per digest: one `.eml` file in `outbox`, or
 * (with `sent`) one Message-ID among what `sent` returns, e.g. what an SMTP server on loopback received. Returns
 * the notices and the digests' Message-IDs.
 */
export async function expectEachNoticeSentOnce(
  config: StoreConfig,
  planId: string,
  expected: string[],
  {
    timeShiftMs,
    outbox,
    sent = () => outboxMessageIds(outbox ?? ''),
    timeoutMs = 60_000,
  }: { timeShiftMs: number; outbox?: string; sent?: () => string[]; timeoutMs?: number },
): Promise<{ notices: NoticeRecord[]; digests: Set<string> }> {
  const notices = await until('every delivery sent', timeoutMs, async () => {
    const ns = await noticesIn(config, planId);
    return ns.length >= expected.length && ns.every((n) => n.deliveries.every((d) => d.status === 'sent'))
      ? ns
      : undefined;
  });
  await new Promise((r) => setTimeout(r, 3_000));
  expect((await noticesIn(config, planId)).map(describeNotice)).toEqual(expected);
  expect(notices.map(describeNotice)).toEqual(expected);
  for (const n of notices) {
    const addresses = n.deliveries.map((d) => d.address);
    expect(addresses.length).toBeGreaterThan(0);
    expect(new Set(addresses).size).toBe(addresses.length);
    expect([...addresses].sort()).toEqual(n.recipients.map((r) => r.address).sort());
    expect(n.deliveries.map((d) => d.attempts)).toEqual(n.deliveries.map(() => 1));
    // Not before its instant: queued after plan time reached it.
    expect(Date.parse(n.createdAt) + timeShiftMs).toBeGreaterThanOrEqual(Date.parse(n.at));
  }
  const digests = new Set(notices.flatMap((n) => n.deliveries.map((d) => d.messageId!)));
  expect(
    sent()
      .filter((id) => digests.has(id))
      .sort(),
  ).toEqual([...digests].sort());
  expect(sent().filter((id) => digests.has(id))).toHaveLength(digests.size);
  return { notices, digests };
}
