/**
 * Worker memory per open workflow: every workflow of the seed plan open and cached (51 unit + 372 obligation
 * workflows asleep towards their first notices) against as many minimal sleeping workflows. Prints RSS and heap
 * per workflow and the ratio (aim ≤ 1.5×). A script, not a timed test.
 *
 *   npx tsx bench/memory.ts [RUNS]   (Default: 2)
 *
 * Each measurement runs in its own Node process with --expose-gc, so one side's garbage and fragmentation never
 * count against the other: the process starts its worker against a fresh dev server, garbage-collects and
 * samples, opens the workflows, waits until the worker holds every one in its sticky cache with nothing in
 * flight, garbage-collects and samples again. Two worker configurations:
 * - `threads` (production): workflows run in worker threads, whose heaps the main thread cannot collect or read,
 *   so only the process RSS delta is reported;
 * - `main` (`debugMode`): workflows run on the main isolate, so the heap delta after a full GC is exact.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { openActivityRuntime } from '../activities/runtime';
import { planSchedule } from '../src/domain/obligations';
import { PLAN_TIMEZONE } from '../src/domain/plan';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../src/import/directory';
import { importTableFile } from '../src/import/plan-file';
import { ensureExecutables } from '../src/temporal/executables';
import { mapConcurrent, startPlan } from '../src/service';
import { installRuntime } from '../src/temporal/runtime';
import { BUNDLER_OPTIONS, WORKFLOWS_PATH } from '../src/temporal/worker';
import { searchAttributes } from '../workflows/search-attributes';

const SEED = path.resolve(__dirname, '../examples/fujian-2017/tasks.txt');
const BENCH_WORKFLOWS = path.resolve(__dirname, 'workflows/index.ts');
/** Bounds the wait for every workflow to be cached, so a stuck plan cannot hang the bench. */
const OPEN_TIMEOUT_MS = 600_000;

type Side = 'plan' | 'sleeping';
type Placement = 'threads' | 'main';
interface Sample {
  side: Side;
  placement: Placement;
  workflows: number;
  rssDelta: number;
  heapDelta: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function settledMemory(): Promise<{ rss: number; heap: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (the parent process does this)');
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(200);
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

/** Resolves once the worker holds `count` workflows in its cache with no activation in flight, for 3 s. */
async function cached(worker: Worker, count: number): Promise<void> {
  const deadline = Date.now() + OPEN_TIMEOUT_MS;
  let quietSince = 0;
  for (;;) {
    const status = worker.getStatus();
    const quiet = status.numCachedWorkflows >= count && status.numInFlightWorkflowActivations === 0;
    if (!quiet) quietSince = 0;
    else if (quietSince === 0) quietSince = Date.now();
    else if (Date.now() - quietSince > 3000) return;
    if (Date.now() > deadline) throw new Error(`only ${status.numCachedWorkflows} of ${count} workflows cached`);
    await sleep(200);
  }
}

async function child(side: Side, placement: Placement): Promise<void> {
  installRuntime('ERROR');
  const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
  const { plan } = importTableFile(SEED, { directory });
  const schedule = planSchedule(plan, directory);
  const total = schedule.units.length + schedule.units.reduce((n, u) => n + u.obligations.length, 0);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'duban-bench-mem-'));
  const env = await TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: ensureExecutables().cli },
      searchAttributes: Object.values(searchAttributes),
      extraArgs: ['--log-level', 'error'],
    },
  });
  const services = await openActivityRuntime({
    directory,
    env: { ...process.env, DATABASE_URL: '', SMTP_URL: '', DUBAN_DATA_DIR: dir },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  try {
    const taskQueue = `bench-memory-${side}`;
    const logger = new DefaultLogger('ERROR');
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await bundleWorkflowCode({
        workflowsPath: side === 'plan' ? WORKFLOWS_PATH : BENCH_WORKFLOWS,
        ...(side === 'plan' ? BUNDLER_OPTIONS : {}),
        logger,
      }),
      activities: side === 'plan' ? services.activities : {},
      // Large enough that no workflow is evicted: the point is every one of them held at once.
      maxCachedWorkflows: total + 100,
      debugMode: placement === 'main',
    });
    await worker.runUntil(async () => {
      const publishMs = DateTime.fromISO(plan.publishedOn, { zone: PLAN_TIMEZONE }).toMillis();
      // Plan time is the publish date's midnight: every obligation sleeps towards its first 09:00 notice.
      const timeShiftMs = publishMs - Date.now();
      const activeFrom = DateTime.fromMillis(publishMs, { zone: PLAN_TIMEZONE }).toISO() as string;
      // One workflow of the side's own code first: evaluating the bundle and module state is not per-workflow cost.
      const unit = schedule.units[0]!;
      if (side === 'plan') {
        await env.client.workflow.start('obligationWorkflow', {
          taskQueue,
          workflowId: 'warm-up',
          args: [{ planId: 'warm-up', unitCode: unit.unitCode, spec: unit.obligations[0], activeFrom, timeShiftMs }],
        });
      } else {
        await env.client.workflow.start('sleepingWorkflow', { taskQueue, workflowId: 'warm-up' });
      }
      await cached(worker, 1);
      const before = await settledMemory();
      if (side === 'plan') {
        await startPlan(env.client, plan, directory, { taskQueue, timeShiftMs, activeFrom });
      } else {
        await mapConcurrent(
          Array.from({ length: total }, (_, i) => i),
          16,
          (i) => env.client.workflow.start('sleepingWorkflow', { taskQueue, workflowId: `sleeping-${i}` }),
        );
      }
      await cached(worker, total + 1);
      const after = await settledMemory();
      const sample: Sample = {
        side,
        placement,
        workflows: total,
        rssDelta: after.rss - before.rss,
        heapDelta: after.heap - before.heap,
      };
      console.log(JSON.stringify(sample));
    });
  } finally {
    await services.close();
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}

function parent(runs: number): void {
  const samples: Sample[] = [];
  for (let r = 0; r < runs; r++) {
    for (const placement of ['threads', 'main'] as const) {
      // Alternate which side goes first within a run.
      const sides: Side[] = r % 2 === 0 ? ['plan', 'sleeping'] : ['sleeping', 'plan'];
      for (const side of sides) {
        const result = spawnSync(
          process.execPath,
          ['--expose-gc', '--require', 'tsx/cjs', __filename, 'child', side, placement],
          { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: OPEN_TIMEOUT_MS + 120_000 },
        );
        const line = result.stdout.split('\n').find((l) => l.startsWith('{"side"'));
        if (!line) throw new Error(`${side}/${placement} measurement failed:\n${result.stdout}`);
        const sample = JSON.parse(line) as Sample;
        samples.push(sample);
        console.log(
          `run ${r + 1}/${runs} ${placement} ${side}: ${sample.workflows} workflows, ` +
            `RSS +${(sample.rssDelta / 2 ** 20).toFixed(1)} MiB, heap +${(sample.heapDelta / 2 ** 20).toFixed(1)} MiB`,
        );
      }
    }
  }
  const kib = (bytes: number) => bytes / 1024;
  const per = (s: Sample, field: 'rssDelta' | 'heapDelta') => kib(s[field]) / s.workflows;
  const range = (values: number[], digits: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    const f = (v: number) => v.toFixed(digits);
    return sorted.length === 1 ? f(sorted[0]!) : `${f(sorted[0]!)}–${f(sorted[sorted.length - 1]!)}`;
  };
  const report = (placement: Placement, field: 'rssDelta' | 'heapDelta', label: string) => {
    const plan = samples.filter((s) => s.side === 'plan' && s.placement === placement).map((s) => per(s, field));
    const bare = samples.filter((s) => s.side === 'sleeping' && s.placement === placement).map((s) => per(s, field));
    const ratios = plan.map((p, i) => p / bare[i]!);
    console.log(
      `${label}: plan ${range(plan, 1)} KiB/workflow, sleeping ${range(bare, 1)} KiB/workflow, ` +
        `ratio ${range(ratios, 2)} (aim ≤ 1.5)`,
    );
  };
  report('threads', 'rssDelta', 'RSS, workflows in worker threads');
  report('main', 'heapDelta', 'heap after GC, workflows on the main isolate');
  report('main', 'rssDelta', 'RSS, workflows on the main isolate');
}

if (process.argv[2] === 'child') {
  child(process.argv[3] as Side, process.argv[4] as Placement).then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
} else {
  parent(Number(process.argv[2] ?? 2));
}
