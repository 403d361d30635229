import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { DateTime } from 'luxon';
import { obligationWorkflowId } from '../../src/domain/ids';
import { planSchedule } from '../../src/domain/obligations';
import type { Directory } from '../../src/domain/directory';
import { PLAN_TIMEZONE, type Plan } from '../../src/domain/plan';
import { startPlan } from '../../src/service';
import { BUNDLER_OPTIONS, WORKFLOWS_PATH } from '../../src/temporal/worker';
import { searchAttributes } from '../../workflows/search-attributes';
import { ensureExecutables } from '../../src/temporal/executables';
import { installRuntime } from '../../src/temporal/runtime';

/** Keeps the SDK quiet in test output: errors only, on stderr. */
export function quietRuntime(): void {
  installRuntime('ERROR');
}

/** Time-skipping test server (Java), started from the pip-installed executable. */
export async function createTimeSkippingEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const { testServer } = ensureExecutables();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: testServer } },
  });
}

/** Temporal CLI dev server in real time, with duban's search attributes registered. */
export async function createDevServerEnv(options: { dbFilename?: string } = {}): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  const { cli } = ensureExecutables();
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: cli },
      dbFilename: options.dbFilename,
      searchAttributes: Object.values(searchAttributes),
      extraArgs: ['--log-level', 'error'],
    },
  });
}

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
/** Bundles workflow code once per test file (jest gives each file its own module registry). */
export function workflowBundle(workflowsPath = WORKFLOWS_PATH): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    // duban's own workflows with the production bundler options; other code (bench workflows) as it is.
    const options = workflowsPath === WORKFLOWS_PATH ? BUNDLER_OPTIONS : {};
    bundle = bundleWorkflowCode({ workflowsPath, ...options, logger: new DefaultLogger('WARN') });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

/** A worker running a plan on the time-skipping server from its publication day. */
export interface PlanFromPublication {
  worker: Worker;
  /** The worker's run; resolves once it shut down. */
  running: Promise<void>;
  /** Plan time − server time. */
  shift: number;
}

/**
 * Starts a worker on `taskQueue` with `activities`, then the plan, as if the server's now were the plan's publication
 * day (00:00 Asia/Shanghai); no search attributes, which the time-skipping server has none of.
 */
export async function runPlanFromPublication(
  env: TestWorkflowEnvironment,
  plan: Plan,
  directory: Directory,
  options: { taskQueue: string; activities: object },
): Promise<PlanFromPublication> {
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue: options.taskQueue,
    workflowBundle: await workflowBundle(),
    activities: options.activities,
  });
  const running = worker.run();
  const publishMs = DateTime.fromISO(plan.publishedOn, { zone: PLAN_TIMEZONE }).toMillis();
  const shift = publishMs - (await env.currentTimeMs());
  await startPlan(env.client, plan, directory, {
    taskQueue: options.taskQueue,
    activeFrom: DateTime.fromMillis(publishMs, { zone: PLAN_TIMEZONE }).toISO()!,
    timeShiftMs: shift,
    searchAttributes: false,
  });
  await waitForObligations(env.client, plan, directory);
  return { worker, running, shift };
}

/**
 * Resolves once every obligation workflow of the plan exists: a unit workflow starts its children in its first task,
 * and on a loaded machine a test that queries right after the start would otherwise find some not there yet.
 */
export async function waitForObligations(client: Client, plan: Plan, directory: Directory): Promise<void> {
  const ids = planSchedule(plan, directory).units.flatMap((u) =>
    u.obligations.map((o) => obligationWorkflowId(plan.id, u.unitCode, o.id)),
  );
  const deadline = Date.now() + 120_000;
  for (const id of ids) {
    for (;;) {
      try {
        await client.workflow.getHandle(id).describe();
        break;
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError) || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
}
