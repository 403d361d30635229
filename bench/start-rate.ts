/**
 * Start rate of the whole seed plan (what `duban plan start` does: startPlan, client concurrency 16) against
 * starting the same number of trivial workflows with the same concurrency on the same dev server. Prints rates
 * and the ratio (aim ≥ 0.9). A script, not a timed test.
 *
 *   npx tsx bench/start-rate.ts [RUNS]   (Default: 5; sides alternate which goes first)
 *
 * What is counted: startPlan makes one start call per unit (51 for the seed), each carrying that unit's
 * obligation specs; the unit workflow then starts its obligation children server-side (372 more executions).
 * The ratio compares start calls: 51 unit starts against 51 trivial starts. Workers poll both task queues, as
 * under `duban start`, so the children really start while later start calls are in flight. For context the
 * script also prints how long until every obligation workflow of the plan has run its first task (visible by
 * its search attributes), against starting all 423 executions as trivial workflows from the client, and the CPU
 * this process and the dev server used meanwhile. Each run has its own fresh dev server, warmed up by a few
 * unmeasured trivial starts, and the sides are measured a few seconds apart so neither runs in the other's wake.
 *
 * Two plan sides: as `duban start` opens a plan since 2026-12-04 (the added holiday years read once by the client
 * and given to every unit workflow in its input), and as before (each unit workflow reads them with a local
 * activity, here a no-op, before it starts its obligations). The open ratio is the whole plan's open time against
 * as many trivial start calls. After each run, the history of one unit and one obligation workflow is counted by
 * event type: the server's work per workflow (workflow tasks are round trips to a worker).
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { obligationWorkflowId, unitWorkflowId } from '../src/domain/ids';
import { planSchedule } from '../src/domain/obligations';
import { PLAN_TIMEZONE } from '../src/domain/plan';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../src/import/directory';
import { importTableFile } from '../src/import/plan-file';
import { ensureExecutables } from '../src/temporal/executables';
import { mapConcurrent, startPlan } from '../src/service';
import { installRuntime } from '../src/temporal/runtime';
import { BUNDLER_OPTIONS, WORKFLOWS_PATH } from '../src/temporal/worker';
import { searchAttributes } from '../workflows/search-attributes';
import { childrenCpuSeconds, type CpuSplit, nodeCpuSeconds, summary } from './measure';

const SEED = path.resolve(__dirname, '../examples/fujian-2017/tasks.txt');
const BENCH_WORKFLOWS = path.resolve(__dirname, 'workflows/index.ts');
const CONCURRENCY = 16;
/** Bounds the wait for children to show up, so a broken plan cannot hang the bench. */
const OPEN_TIMEOUT_MS = 300_000;
/**
 * Pause between sides, so the one measured second does not start while the server still digests the first (the
 * plan's children report back to their parents after they open; trivial workflows complete).
 */
const SETTLE_MS = 3000;
/** Unmeasured trivial starts on each fresh server first: connections and namespace caches warm for both sides. */
const WARM_UP_STARTS = 20;

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  installRuntime('ERROR');
  const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
  const { plan } = importTableFile(SEED, { directory });
  const schedule = planSchedule(plan, directory);
  const units = schedule.units.length;
  const obligations = schedule.units.reduce((n, u) => n + u.obligations.length, 0);
  console.log(`seed ${plan.id}: ${units} unit start calls, ${obligations} obligation children started server-side`);

  const logger = new DefaultLogger('ERROR');
  const realBundle = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, ...BUNDLER_OPTIONS, logger });
  const trivialBundle = await bundleWorkflowCode({ workflowsPath: BENCH_WORKFLOWS, logger });

  const publishMs = DateTime.fromISO(plan.publishedOn, { zone: PLAN_TIMEZONE }).toMillis();
  const realStart: number[] = [];
  const trivialStart: number[] = [];
  const ratios: number[] = [];
  const realOpen: number[] = [];
  const beforeOpen: number[] = [];
  const trivialAll: number[] = [];
  const openRatios: number[] = [];
  const beforeRatios: number[] = [];
  // Each run gets a fresh dev server and workers: the plan's 423 workflows stay open (asleep), and a second run on
  // the same server and worker cache would start its plan among the first run's.
  for (let r = 0; r < runs; r++) {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: ensureExecutables().cli },
        searchAttributes: Object.values(searchAttributes),
        extraArgs: ['--log-level', 'error'],
      },
    });
    const realWorker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'bench-start-real',
      workflowBundle: realBundle,
      // No notice is due: plan time is the publish date's midnight, hours before the first 09:00 notice. The one
      // activity is the added holiday years, read by a unit workflow not given them, here none.
      activities: { holidayYears: async () => [] },
      maxCachedWorkflows: 1000,
    });
    const trivialWorker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'bench-start-trivial',
      workflowBundle: trivialBundle,
      maxCachedWorkflows: 1000,
    });
    try {
      await trivialWorker.runUntil(
        realWorker.runUntil(async () => {
          const planId = `${plan.id}-bench${Date.now()}-${r}`;
          /** CPU used by this process and the dev server while `fn` ran. */
          const measured = async <T>(fn: () => Promise<T>): Promise<[T, CpuSplit]> => {
            const node0 = nodeCpuSeconds();
            const server0 = childrenCpuSeconds();
            const value = await fn();
            return [value, { node: nodeCpuSeconds() - node0, server: childrenCpuSeconds() - server0 }];
          };
          const runReal = async (id: string, given: boolean) => {
            const t0 = performance.now();
            const result = await startPlan(env.client, { ...plan, id }, directory, {
              taskQueue: 'bench-start-real',
              concurrency: CONCURRENCY,
              ...(given ? { holidayYears: [] } : {}),
              // Workflows sleep towards the plan year's first notices, as they did in 2017.
              timeShiftMs: publishMs - Date.now(),
              activeFrom: DateTime.fromMillis(publishMs, { zone: PLAN_TIMEZONE }).toISO() as string,
            });
            const startMs = performance.now() - t0;
            if (result.started.length !== units) throw new Error(`started ${result.started.length} of ${units}`);
            // Status is upserted by an obligation's first task (its identity may come with its start).
            const query = `DubanPlan = "${id}" AND WorkflowType = "obligationWorkflow" AND DubanStatus IS NOT NULL`;
            for (;;) {
              const { count } = await env.client.workflow.count(query);
              if (count >= obligations) break;
              if (performance.now() - t0 > OPEN_TIMEOUT_MS) throw new Error(`only ${count} of ${obligations} open`);
              await new Promise((res) => setTimeout(res, 50));
            }
            return { startMs, openMs: performance.now() - t0 };
          };
          const runTrivial = async (n: number, tag: string) => {
            const t0 = performance.now();
            await mapConcurrent(
              Array.from({ length: n }, (_, i) => i),
              CONCURRENCY,
              (i) =>
                env.client.workflow.start('trivialWorkflow', {
                  taskQueue: 'bench-start-trivial',
                  workflowId: `${planId}-${tag}-${i}`,
                }),
            );
            return performance.now() - t0;
          };
          const settle = () => new Promise((res) => setTimeout(res, SETTLE_MS));
          await runTrivial(WARM_UP_STARTS, 'warm-up');
          await settle();
          let real: { startMs: number; openMs: number };
          let realCpu: CpuSplit;
          let before: { startMs: number; openMs: number };
          let beforeCpu: CpuSplit;
          let trivial: number;
          const realId = `${planId}-given`;
          const beforeId = `${planId}-read`;
          if (r % 2 === 0) {
            [real, realCpu] = await measured(() => runReal(realId, true));
            await settle();
            [before, beforeCpu] = await measured(() => runReal(beforeId, false));
            await settle();
            trivial = await runTrivial(units, 'trivial');
          } else {
            trivial = await runTrivial(units, 'trivial');
            await settle();
            [before, beforeCpu] = await measured(() => runReal(beforeId, false));
            await settle();
            [real, realCpu] = await measured(() => runReal(realId, true));
          }
          await settle();
          const [all, allCpu] = await measured(() => runTrivial(units + obligations, 'all'));
          const realRate = units / (real.startMs / 1000);
          const trivialRate = units / (trivial / 1000);
          realStart.push(realRate);
          trivialStart.push(trivialRate);
          ratios.push(realRate / trivialRate);
          realOpen.push(real.openMs);
          beforeOpen.push(before.openMs);
          trivialAll.push(all);
          openRatios.push(real.openMs / all);
          beforeRatios.push(before.openMs / all);
          console.log(
            `run ${r + 1}/${runs}: plan ${units} starts in ${real.startMs.toFixed(0)} ms (${realRate.toFixed(0)}/s), ` +
              `trivial ${units} in ${trivial.toFixed(0)} ms (${trivialRate.toFixed(0)}/s), ratio ` +
              `${(realRate / trivialRate).toFixed(2)}; all ${obligations} children open after ` +
              `${real.openMs.toFixed(0)} ms (units reading the calendar: ${before.openMs.toFixed(0)} ms), ` +
              `${units + obligations} trivial starts ${all.toFixed(0)} ms; open ratio ` +
              `${(real.openMs / all).toFixed(2)} (before ${(before.openMs / all).toFixed(2)})`,
          );
          const cpu = (c: CpuSplit) => `node ${c.node.toFixed(1)} s + dev server ${c.server.toFixed(1)} s`;
          console.log(
            `  CPU: whole plan open ${cpu(realCpu)} (units reading the calendar ${cpu(beforeCpu)}); ` +
              `${units + obligations} trivial ${cpu(allCpu)}`,
          );
          if (r === 0) {
            const unit = schedule.units.find((u) => u.obligations.length > 1)!;
            for (const [what, id] of [
              [
                `unit workflow (${unit.obligations.length} children), calendar given`,
                unitWorkflowId(realId, unit.unitCode),
              ],
              ['unit workflow, calendar read', unitWorkflowId(beforeId, unit.unitCode)],
              ['obligation workflow', obligationWorkflowId(realId, unit.unitCode, unit.obligations[0]!.id)],
              ['trivial workflow', `${planId}-all-0`],
            ] as const)
              console.log(`  events of a ${what}: ${await eventCounts(env.client, id)}`);
          }
        }),
      );
    } finally {
      await env.teardown();
    }
  }
  console.log(`plan start calls/s: ${summary(realStart, 0)}`);
  console.log(`trivial start calls/s: ${summary(trivialStart, 0)}`);
  console.log(`start-rate ratio plan/trivial: ${summary(ratios, 2)} (aim ≥ 0.9)`);
  console.log(
    `whole plan open (${units + obligations} executions): ${summary(realOpen, 0)} ms; ` +
      `${units + obligations} trivial start calls: ${summary(trivialAll, 0)} ms`,
  );
  console.log(`whole plan open, units reading the calendar (before): ${summary(beforeOpen, 0)} ms`);
  console.log(`open ratio plan/trivial: ${summary(openRatios, 2)} (aim ≤ 1.5); before: ${summary(beforeRatios, 2)}`);
}

/** `WorkflowTaskScheduled ×3, …`: a workflow's history by event type, in order of first appearance. */
async function eventCounts(client: Client, workflowId: string): Promise<string> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const counts = new Map<string, number>();
  for (const e of history.events ?? []) {
    const type = String(temporal.api.enums.v1.EventType[e.eventType ?? 0]).replace(/^EVENT_TYPE_/, '');
    counts.set(type, (counts.get(type) ?? 0) + 1);
  }
  return [...counts].map(([t, n]) => `${t.toLowerCase()} ×${n}`).join(', ');
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
