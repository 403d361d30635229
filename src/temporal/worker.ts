import { existsSync } from 'node:fs';
import path from 'node:path';
import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { dataConverter } from './codec';
import type { TemporalConfig } from './config';
import { PROJECT_ROOT } from './executables';

/** Pre-bundled workflow code for production (`duban bundle` writes it). (Default: `<project>/dist/workflow-bundle.js`) */
export function workflowBundlePath(): string {
  return process.env.DUBAN_WORKFLOW_BUNDLE ?? path.join(PROJECT_ROOT, 'dist', 'workflow-bundle.js');
}

/** Entry point of the workflow code, bundled by the worker in development. */
export const WORKFLOWS_PATH = path.join(PROJECT_ROOT, 'workflows', 'index.ts');

/**
 * Modules every workflow shares instead of loading its own copy: pure code with no per-workflow state (luxon,
 * the calendar and the policy). In the reusable V8 context each workflow otherwise evaluates every module it
 * imports once more (luxon alone is most of a workflow's heap), and the shared copies are frozen by the SDK.
 */
export const PRELOADED_MODULES = [
  'luxon',
  path.join(PROJECT_ROOT, 'workflows', 'index.ts'),
  path.join(PROJECT_ROOT, 'src', 'domain', 'holidays.ts'),
  path.join(PROJECT_ROOT, 'src', 'domain', 'calendar.ts'),
  path.join(PROJECT_ROOT, 'src', 'domain', 'plan.ts'),
  path.join(PROJECT_ROOT, 'src', 'domain', 'policy.ts'),
  path.join(PROJECT_ROOT, 'src', 'domain', 'notice.ts'),
  path.join(PROJECT_ROOT, 'src', 'domain', 'ids.ts'),
];

/** Bundler options of every workflow bundle duban builds (worker, `duban bundle`, simulations, tests). */
export const BUNDLER_OPTIONS = { preloadModules: PRELOADED_MODULES };

/**
 * Workflow code for the worker: the pre-bundled file in production (`NODE_ENV=production` or
 * `DUBAN_WORKFLOW_BUNDLE` set), otherwise `workflowsPath`, bundled at start-up.
 */
export function workflowSource(): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> {
  const production = process.env.NODE_ENV === 'production' || process.env.DUBAN_WORKFLOW_BUNDLE !== undefined;
  if (production) {
    const codePath = workflowBundlePath();
    if (!existsSync(codePath)) throw new Error(`workflow bundle ${codePath} not found: run 'duban bundle' first`);
    return { workflowBundle: { codePath } };
  }
  return { workflowsPath: WORKFLOWS_PATH, bundlerOptions: BUNDLER_OPTIONS };
}

/**
 * Creates the duban worker on the configured task queue with the given activities, encrypting payloads when
 * DUBAN_PAYLOAD_KEYS is set.
 */
export function createWorker(
  config: TemporalConfig,
  connection: NativeConnection,
  activities: object,
  overrides: Partial<WorkerOptions> = {},
): Promise<Worker> {
  return Worker.create({
    connection,
    namespace: config.namespace,
    taskQueue: config.taskQueue,
    activities,
    dataConverter: dataConverter(config.payloadKeys),
    ...workflowSource(),
    shutdownGraceTime: '10s',
    // What the environment sets (and duban's poller default): the SDK's defaults otherwise.
    ...Object.fromEntries(Object.entries(config.worker ?? {}).filter(([, v]) => v !== undefined)),
    ...overrides,
  });
}

/**
 * Watches the server while the worker runs: after `timeoutS` seconds without a successful health check the
 * worker is shut down and `onLost` is called, so a worker that lost its server exits instead of idling.
 */
export function watchServer(
  connection: NativeConnection,
  timeoutS: number,
  onLost: (downForS: number) => void,
  intervalMs = 2000,
): () => void {
  let lastOk = Date.now();
  let stopped = false;
  let reported = false;
  const check = async () => {
    try {
      await connection.withDeadline(Date.now() + Math.min(intervalMs, 5000), () =>
        connection.workflowService.getSystemInfo({}),
      );
      lastOk = Date.now();
    } catch {
      const downForS = (Date.now() - lastOk) / 1000;
      if (downForS >= timeoutS && !reported) {
        reported = true;
        onLost(downForS);
      }
    }
  };
  const timer = setInterval(() => {
    if (!stopped) void check();
  }, intervalMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
