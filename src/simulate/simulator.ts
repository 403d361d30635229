/**
 * `duban simulate`: the real workflows of a whole plan on the time-skipping test server, from the publish date
 * until every notice has fired, with the real activities (store and .eml outbox in a simulation folder).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import {
  bundleWorkflowCode,
  DefaultLogger,
  type LogLevel,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { DateTime } from 'luxon';
import type { Directory } from '../domain/directory';
import type { Notice, Outcome, UpcomingNotice } from '../domain/notice';
import type { PlanSchedule } from '../domain/obligations';
import { PLAN_TIMEZONE, type Plan } from '../domain/plan';
import { DEFAULT_POLICY, obligationAgenda, type Policy } from '../domain/policy';
import { openActivityRuntime } from '../../activities/runtime';
import type { Store } from '../store/types';
import { createDubanClient, isRefusal, type DubanClient } from '../service';
import { ensureExecutables } from '../temporal/executables';
import { installRuntime } from '../temporal/runtime';
import { BUNDLER_OPTIONS, WORKFLOWS_PATH } from '../temporal/worker';
import {
  eventHandlers,
  type Scenario,
  type ScenarioContext,
  ScenarioEventError,
  type WatchedRef,
  type WindowRef,
} from './scenario';

/** One notification `duban simulate --json` prints (README, "A five-minute tour", shows one). */
export interface SimulatedNotification {
  at: string;
  stage: string;
  obligation: string;
  unit: string;
  taskNo: number | null;
  period: string | null;
  due: string;
  recipients: string[];
}

/** One outcome `duban simulate --json` prints. */
export interface SimulatedOutcome {
  obligation: string;
  unit: string;
  taskNo: number | null;
  period: string | null;
  due: string;
  status: string;
  fulfilledAt: string | null;
}

/** What `duban simulate --json` prints: `{plan, notifications[], outcomes[]}`, each list sorted as below. */
export interface SimulationOutput {
  plan: string;
  notifications: SimulatedNotification[];
  outcomes: SimulatedOutcome[];
}

/** Figures for benchmarks and progress. */
export interface SimulationStats {
  unitWorkflows: number;
  obligationWorkflows: number;
  notices: number;
  wallMs: number;
  outputDir: string;
}

export interface SimulationOptions {
  plan: Plan;
  directory: Directory;
  scenario?: Scenario;
  policy?: Policy;
  /** Where the simulation's store and .eml outbox go. (Default: `$DUBAN_DATA_DIR/simulations/<plan>-<time>`) */
  outputDir?: string;
  /** Progress lines (stderr in the CLI). (Default: none) */
  progress?: (line: string) => void;
  /** Pre-bundled workflow code, to bundle once across simulations. (Default: bundled here) */
  workflowBundle?: WorkflowBundleWithSourceMap;
  /** See `ObligationInput.historyLimit`; small values exercise continue-as-new. (Default: 2000) */
  historyLimit?: number;
  /** Called once every workflow has ended, before the test server goes away (e.g. to fetch histories). */
  afterRun?: (client: Client) => Promise<void>;
  /**
   * Looks at the running plan at plan instants (`at`, ISO 8601), or with no `at` once the year is over and before
   * the plan is closed; with the server's client, the simulation's store and the plan clock. (Default: none)
   */
  inspections?: { at?: string; run: (view: SimulationView) => Promise<void> }[];
}

/** What an inspection of {@link SimulationOptions.inspections} gets. */
export interface SimulationView {
  client: Client;
  store: Store;
  taskQueue: string;
  timeShiftMs: number;
  /** Plan time now, epoch ms. */
  now: () => Promise<number>;
}

const outcomeKey = (o: Outcome): string => [o.taskNo, o.unitCode, o.obligation, o.period].join('/');

/** Bounds the simulation's run past the plan's schedule, in case a workflow keeps scheduling notices. */
const MAX_RUN_ON_ROUNDS = 20;

const iso = (ms: number): string => DateTime.fromMillis(ms, { zone: PLAN_TIMEZONE }).toISO() as string;

const agendaOf = (duban: DubanClient, w: WatchedRef): Promise<UpcomingNotice[]> =>
  w.kind === 'obligations' ? duban.obligations.agenda(w.ref) : duban[w.kind].agenda(w.id);

/** The latest upcoming notice instant among the watched workflows (plan time), or undefined when none has one. */
async function lastUpcoming(duban: DubanClient, watched: Iterable<WatchedRef>): Promise<number | undefined> {
  let last: number | undefined;
  for (const w of watched) {
    let upcoming: UpcomingNotice[];
    try {
      upcoming = await agendaOf(duban, w);
    } catch (err) {
      // A window that never started (a refused event) has nothing ahead.
      if (isRefusal(err) && err.type === 'UnknownObligation') continue;
      throw err;
    }
    for (const u of upcoming) last = Math.max(last ?? 0, Date.parse(u.at));
  }
  return last;
}

/** Longest single skip of the test server's clock (benches mirror it). */
export const SLEEP_STEP_MS = 24 * 3600 * 1000;
/** How far past the last scheduled instant the simulation runs, so every timer of the year has fired. */
export const TAIL_MS = 24 * 3600 * 1000;

/** The instant after which no notice of the plan's schedule can fire (last escalation), in plan time. */
function lastScheduledInstant(plan: Plan, schedule: PlanSchedule, policy: Policy): number {
  let last = DateTime.fromISO(plan.publishedOn, { zone: PLAN_TIMEZONE }).toMillis();
  for (const unit of schedule.units) {
    for (const spec of unit.obligations) {
      for (const item of spec.items) {
        const items = obligationAgenda({ ...spec, due: item.due, activeFrom: plan.publishedOn, policy }).items;
        const at = items[items.length - 1]?.at;
        if (at) last = Math.max(last, Date.parse(at));
      }
    }
  }
  return last;
}

/** Runs the simulation and returns what `duban simulate --json` prints, plus figures. */
export async function simulate(
  options: SimulationOptions,
): Promise<{ output: SimulationOutput; stats: SimulationStats }> {
  const wallStart = Date.now();
  const { plan, directory } = options;
  const policy = options.policy ?? DEFAULT_POLICY;
  const progress = options.progress ?? (() => undefined);
  const outputDir =
    options.outputDir ??
    path.join(
      process.env.DUBAN_DATA_DIR || './data',
      'simulations',
      `${plan.id}-${DateTime.utc().toFormat("yyyyLLdd'T'HHmmss")}`,
    );
  mkdirSync(outputDir, { recursive: true });
  installRuntime((process.env.DUBAN_LOG_LEVEL as LogLevel | undefined) ?? 'ERROR');

  const { testServer } = ensureExecutables();
  progress(`simulate: starting the time-skipping test server`);
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServer } },
  });
  const names = new Map(directory.units.map((u) => [u.code, u.name]));
  const notices = new Map<string, { notice: Notice; recipients: string[] }>();
  const outcomes = new Map<string, Outcome>();
  // The simulation's store and outbox are its own: a simulated 2017 never mixes with the operators' records, and
  // never reaches a person (no SMTP relay, no IM or SMS channel).
  const services = await openActivityRuntime({
    directory,
    env: { ...process.env, DATABASE_URL: '', SMTP_URL: '', DUBAN_CHANNELS_FILE: '', DUBAN_DATA_DIR: outputDir },
    logger: {
      info: () => undefined,
      warn: (m, f) => progress(`simulate: ${m} ${JSON.stringify(f ?? {})}`),
      error: (m, f) => progress(`simulate: ${m} ${JSON.stringify(f ?? {})}`),
    },
    // The output is what the activities did, whichever activity did it.
    observer: {
      notice: (notice, recipients) => notices.set(notice.key, { notice, recipients }),
      outcome: (outcome) => outcomes.set(outcomeKey(outcome), outcome),
    },
  });
  const taskQueue = 'duban-simulate';
  let unitWorkflows = 0;
  let obligationWorkflows = 0;
  try {
    const bundle =
      options.workflowBundle ??
      (await bundleWorkflowCode({
        workflowsPath: WORKFLOWS_PATH,
        ...BUNDLER_OPTIONS,
        logger: new DefaultLogger('ERROR'),
      }));
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: services.activities,
      maxCachedWorkflows: 2000,
    });
    await worker.runUntil(async () => {
      const publishMs = DateTime.fromISO(plan.publishedOn, { zone: PLAN_TIMEZONE }).toMillis();
      const timeShiftMs = publishMs - (await env.currentTimeMs());
      const planNow = async () => (await env.currentTimeMs()) + timeShiftMs;
      let lastMonth = '';
      // Small steps: one long unlock-and-sleep call stalls on the test server, and steps give progress lines.
      const sleepUntil = async (planMs: number) => {
        for (;;) {
          const now = await planNow();
          if (now >= planMs) return;
          await env.sleep(Math.min(planMs - now, SLEEP_STEP_MS));
          const month = DateTime.fromMillis(now, { zone: PLAN_TIMEZONE }).toFormat('yyyy-LL');
          if (month !== lastMonth) {
            lastMonth = month;
            progress(`simulate: ${month}, ${notices.size} notices so far`);
          }
        }
      };
      const duban = createDubanClient({
        client: env.client,
        plan,
        directory,
        taskQueue,
        policy: options.policy,
        timeShiftMs,
        now: planNow,
        searchAttributes: false,
      });
      const result = await duban.startPlan({
        activeFrom: DateTime.fromMillis(publishMs, { zone: PLAN_TIMEZONE }).toISO() as string,
        historyLimit: options.historyLimit,
      });
      unitWorkflows = result.schedule.units.length;
      obligationWorkflows = result.schedule.units.reduce((n, u) => n + u.obligations.length, 0);
      progress(`simulate: started ${unitWorkflows} unit workflows with ${obligationWorkflows} obligations`);
      const tracked: WindowRef[] = [];
      // By workflow ID: each workflow is read once however many events touched it.
      const watched = new Map<string, WatchedRef>();
      const ctx: ScenarioContext = {
        duban,
        track: (w) => tracked.push(w),
        watch: (w) =>
          watched.set(
            w.kind === 'obligations' ? duban.obligations.workflowIdOf(w.ref) : duban[w.kind].workflowIdOf(w.id),
            w,
          ),
      };
      const view: SimulationView = { client: env.client, store: services.store, taskQueue, timeShiftMs, now: planNow };
      const inspections = options.inspections ?? [];
      const timed = inspections.filter((i) => i.at !== undefined).sort((a, b) => Date.parse(a.at!) - Date.parse(b.at!));
      const events = [...(options.scenario?.events ?? [])]
        .map((e, index) => ({ e, index }))
        .sort((a, b) => Date.parse(a.e.at) - Date.parse(b.e.at) || a.index - b.index);
      const inspectUntil = async (ms: number) => {
        while (timed[0] && Date.parse(timed[0].at!) <= ms) {
          const inspection = timed.shift()!;
          await sleepUntil(Date.parse(inspection.at!));
          await inspection.run(view);
        }
      };
      for (const { e, index } of events) {
        await inspectUntil(Date.parse(e.at) - 1);
        const where = `scenario event ${index} (${e.type} at ${e.at})`;
        const handler = eventHandlers[e.type];
        if (!handler) throw new ScenarioEventError(`${where}: unknown event type '${e.type}'`);
        await sleepUntil(Date.parse(e.at));
        progress(`simulate: ${where}`);
        await handler(e, ctx).catch((err: Error) => {
          throw new ScenarioEventError(`${where}: ${err.message}`, { cause: err });
        });
      }
      const end = Math.max(
        lastScheduledInstant(plan, result.schedule, policy),
        ...events.map(({ e }) => Date.parse(e.at)),
      );
      // A day past the last escalation: every timer of the year has fired by then.
      await sleepUntil(end + TAIL_MS);
      // Extensions, designations and windows can schedule notices past the plan's last instant: run on until
      // none of the workflows they touched has a notice ahead.
      for (let round = 1; ; round++) {
        const ahead = await lastUpcoming(duban, watched.values());
        if (ahead === undefined) break;
        if (round > MAX_RUN_ON_ROUNDS)
          throw new Error(`simulate: notices still ahead at ${iso(ahead)} after ${MAX_RUN_ON_ROUNDS} rounds`);
        progress(`simulate: notices scheduled until ${iso(ahead)}; running on`);
        await sleepUntil(Math.max(ahead, await planNow()) + TAIL_MS);
      }
      await inspectUntil(Infinity);
      progress(`simulate: year complete at ${iso(await planNow())}`);
      for (const inspection of inspections) if (inspection.at === undefined) await inspection.run(view);
      // Everything is told to close before anything is waited for: a wait lets the time-skipping server's clock run,
      // and a window still open would idle into the server's default execution timeout. Windows are not children.
      const reason = 'simulation ended';
      for (const w of tracked) await duban[w.kind].close(w.id, { reason });
      await duban.closePlan({ reason, untilEnded: true });
      for (const w of tracked) await duban[w.kind].ended(w.id);
      await options.afterRun?.(env.client);
    });
  } finally {
    await services.close();
    await env.teardown();
  }

  const notifications: SimulatedNotification[] = [...notices.values()]
    .map(({ notice: n, recipients }) => ({
      at: n.at,
      stage: n.stage,
      obligation: n.obligation,
      unit: names.get(n.unitCode) ?? n.unitCode,
      taskNo: n.taskNo,
      period: n.period,
      due: n.due,
      recipients,
    }))
    .sort(
      (a, b) =>
        Date.parse(a.at) - Date.parse(b.at) ||
        a.unit.localeCompare(b.unit) ||
        a.obligation.localeCompare(b.obligation) ||
        (a.taskNo ?? 0) - (b.taskNo ?? 0) ||
        (a.period ?? '').localeCompare(b.period ?? '') ||
        a.stage.localeCompare(b.stage),
    );
  const outcomeList: SimulatedOutcome[] = [...outcomes.values()]
    .map((o) => ({
      obligation: o.obligation,
      unit: names.get(o.unitCode) ?? o.unitCode,
      taskNo: o.taskNo,
      period: o.period,
      due: o.due,
      status: o.status,
      fulfilledAt: o.fulfilledAt,
    }))
    .sort(
      (a, b) =>
        a.unit.localeCompare(b.unit) ||
        a.obligation.localeCompare(b.obligation) ||
        (a.taskNo ?? 0) - (b.taskNo ?? 0) ||
        (a.period ?? '').localeCompare(b.period ?? ''),
    );
  return {
    output: { plan: plan.id, notifications, outcomes: outcomeList },
    stats: { unitWorkflows, obligationWorkflows, notices: notices.size, wallMs: Date.now() - wallStart, outputDir },
  };
}
