/**
 * Full-year silent simulation of the seed (examples/fujian-2017 with the bundled directory) against bare workflows
 * that sleep through the same timers on the same kind of time-skipping test server. Prints wall times and the
 * ratio (aim ≤ 1.3). A script, not a timed test.
 *
 *   npx tsx bench/simulation.ts [RUNS]   (Default: 1; each run is one real year and one bare year, alternating order)
 *
 * Timer count: derived from the agenda, the same pure code the workflows run. An obligation workflow started at
 * the publish date wakes once per distinct notice instant still ahead of it (its `condition(…, wait)` starts one
 * timer per instant; several stages at one instant share the wake-up), and waits without a timer once its
 * agenda is spent; unit workflows start no timers. Each bare twin gets exactly those instants and returns how
 * many timers it slept, and the derived notice count is checked against the notices the real run recorded.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { planSchedule } from '../src/domain/obligations';
import { PLAN_TIMEZONE, type Plan } from '../src/domain/plan';
import { obligationAgenda } from '../src/domain/policy';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../src/import/directory';
import { importTableFile } from '../src/import/plan-file';
// The simulator's clock step and tail: both sides skip time the same way.
import { SLEEP_STEP_MS, simulate, TAIL_MS } from '../src/simulate/simulator';
import { ensureExecutables } from '../src/temporal/executables';
import { mapConcurrent } from '../src/service';
import { installRuntime } from '../src/temporal/runtime';
import { BUNDLER_OPTIONS, WORKFLOWS_PATH } from '../src/temporal/worker';
import { childrenCpuSeconds, type CpuSplit, nodeCpuSeconds, summary } from './measure';
import type { bareTimersWorkflow } from './workflows';

/** The bare workflows compared: timers only, or a timer and a no-op local activity per instant. */
type BareKind = 'bareTimersWorkflow' | 'bareNoticesWorkflow';

const SEED = path.resolve(__dirname, '../examples/fujian-2017/tasks.txt');
const BENCH_WORKFLOWS = path.resolve(__dirname, 'workflows/index.ts');

interface TimerPlan {
  /** Per obligation workflow: the distinct plan-time instants it wakes at, ascending. */
  lists: number[][];
  notices: number;
  timers: number;
  unitWorkflows: number;
  /** Last instant of the year plus the simulator's one-day tail, plan time. */
  endMs: number;
  publishMs: number;
}

function timerPlan(plan: Plan, directory: ReturnType<typeof loadDirectory>): TimerPlan {
  const publishMs = DateTime.fromISO(plan.publishedOn, { zone: PLAN_TIMEZONE }).toMillis();
  // The simulator's activeFrom: the publish date's midnight as an ISO instant.
  const activeFrom = DateTime.fromMillis(publishMs, { zone: PLAN_TIMEZONE }).toISO() as string;
  const schedule = planSchedule(plan, directory);
  const lists: number[][] = [];
  let notices = 0;
  let last = publishMs;
  for (const unit of schedule.units) {
    for (const spec of unit.obligations) {
      const instants = new Set<number>();
      for (const item of spec.items) {
        const agenda = obligationAgenda({ ...spec, due: item.due, activeFrom }).items;
        notices += agenda.length;
        for (const a of agenda) instants.add(Date.parse(a.at));
      }
      const sorted = [...instants].filter((ms) => ms > publishMs).sort((a, b) => a - b);
      last = Math.max(last, sorted[sorted.length - 1] ?? last);
      lists.push(sorted);
    }
  }
  const timers = lists.reduce((n, l) => n + l.length, 0);
  return { lists, notices, timers, unitWorkflows: schedule.units.length, endMs: last + TAIL_MS, publishMs };
}

/** One bare year: the same instants per workflow, started with startPlan's concurrency, clock skipped alike. */
async function bareYear(
  bundle: WorkflowBundleWithSourceMap,
  timers: TimerPlan,
  kind: BareKind,
): Promise<{ wallMs: number; slept: number; cpu: CpuSplit }> {
  const start = performance.now();
  const nodeStart = nodeCpuSeconds();
  const cpu: CpuSplit = { node: 0, server: 0 };
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: ensureExecutables().testServer } },
  });
  let slept = 0;
  try {
    const taskQueue = 'bench-bare-timers';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: bundle,
      activities: { bareNotice: async () => undefined },
      maxCachedWorkflows: 2000,
    });
    await worker.runUntil(async () => {
      const timeShiftMs = timers.publishMs - (await env.currentTimeMs());
      const indices = timers.lists.map((_, i) => i);
      const handles = await mapConcurrent(indices, 16, (i) =>
        env.client.workflow.start<typeof bareTimersWorkflow>(kind, {
          taskQueue,
          workflowId: `bare-${i}`,
          args: [{ instantsMs: timers.lists[i]!, timeShiftMs }],
        }),
      );
      for (;;) {
        const now = (await env.currentTimeMs()) + timeShiftMs;
        if (now >= timers.endMs) break;
        await env.sleep(Math.min(timers.endMs - now, SLEEP_STEP_MS));
      }
      for (const h of handles) slept += await h.result();
      cpu.server = childrenCpuSeconds();
    });
  } finally {
    await env.teardown();
  }
  cpu.node = nodeCpuSeconds() - nodeStart;
  return { wallMs: performance.now() - start, slept, cpu };
}

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 1);
  installRuntime('ERROR');
  const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
  const { plan } = importTableFile(SEED, { directory });
  const timers = timerPlan(plan, directory);
  console.log(
    `seed ${plan.id}: ${timers.unitWorkflows} unit + ${timers.lists.length} obligation workflows, ` +
      `${timers.notices} notices, ${timers.timers} timers (distinct notice instants per obligation workflow)`,
  );
  // Bundling is start-up cost, not simulation: once per side, outside the timings.
  const logger = new DefaultLogger('ERROR');
  const realBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...BUNDLER_OPTIONS, logger });
  const bareBundle = await bundleWorkflowCode({ workflowsPath: BENCH_WORKFLOWS, logger });

  const real: number[] = [];
  const bare: number[] = [];
  const floor: number[] = [];
  const ratios: number[] = [];
  const floorRatios: number[] = [];
  for (let r = 0; r < runs; r++) {
    const runReal = async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'duban-bench-sim-'));
      try {
        const t0 = performance.now();
        const nodeStart = nodeCpuSeconds();
        const cpu: CpuSplit = { node: 0, server: 0 };
        const { stats } = await simulate({
          plan,
          directory,
          outputDir: dir,
          workflowBundle: realBundle,
          afterRun: async () => {
            cpu.server = childrenCpuSeconds();
          },
        });
        const wallMs = performance.now() - t0;
        cpu.node = nodeCpuSeconds() - nodeStart;
        if (stats.notices !== timers.notices)
          throw new Error(`the real run recorded ${stats.notices} notices, the agenda derives ${timers.notices}`);
        return { wallMs, cpu };
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    const runBare = (kind: BareKind) => async () => {
      const { wallMs, slept, cpu } = await bareYear(bareBundle, timers, kind);
      if (slept !== timers.timers) throw new Error(`${kind} slept ${slept} timers, expected ${timers.timers}`);
      return { wallMs, cpu };
    };
    // Rotate which side goes first, so a neighbour's load drifting over time does not favour one side.
    const sides = [
      { name: 'real', run: runReal },
      { name: 'bare', run: runBare('bareTimersWorkflow') },
      { name: 'bare+activity', run: runBare('bareNoticesWorkflow') },
    ];
    const results: Record<string, { wallMs: number; cpu: CpuSplit }> = {};
    for (let i = 0; i < sides.length; i++) {
      const side = sides[(i + r) % sides.length]!;
      results[side.name] = await side.run();
    }
    const cpu = (c: CpuSplit) => `CPU node ${c.node.toFixed(1)} s + test server ${c.server.toFixed(1)} s`;
    const realMs = results.real!.wallMs;
    const bareMs = results.bare!.wallMs;
    const floorMs = results['bare+activity']!.wallMs;
    real.push(realMs);
    bare.push(bareMs);
    floor.push(floorMs);
    ratios.push(realMs / bareMs);
    floorRatios.push(realMs / floorMs);
    console.log(
      `run ${r + 1}/${runs}: real ${(realMs / 1000).toFixed(1)} s, bare ${(bareMs / 1000).toFixed(1)} s, ` +
        `bare+activity ${(floorMs / 1000).toFixed(1)} s; real/bare ${(realMs / bareMs).toFixed(2)}, ` +
        `real/(bare+activity) ${(realMs / floorMs).toFixed(2)}`,
    );
    for (const side of sides) console.log(`  ${side.name}: ${cpu(results[side.name]!.cpu)}`);
  }
  const seconds = (list: number[]) =>
    `${summary(
      list.map((ms) => ms / 1000),
      1,
    )} s`;
  console.log(`real year (simulate): ${seconds(real)}`);
  console.log(`bare year (${timers.timers} timers in ${timers.lists.length} workflows): ${seconds(bare)}`);
  console.log(`bare year with a no-op local activity after each timer: ${seconds(floor)}`);
  console.log(`ratio real/bare: ${summary(ratios, 2)} (aim ≤ 1.3)`);
  console.log(`ratio real/(bare+activity): ${summary(floorRatios, 2)} (what duban adds to "a timer and an activity")`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
