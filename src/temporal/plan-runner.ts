import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Directory } from '../domain/directory';
import { planSchedule, type PlanSchedule } from '../domain/obligations';
import type { Plan } from '../domain/plan';
import type { Policy } from '../domain/policy';
import { unitWorkflowId } from '../domain/ids';
import type { unitWorkflow } from '../../workflows/unit';

/** Options of {@link startPlan}. */
export interface StartPlanOptions {
  taskQueue: string;
  /** When the obligations became active; earlier notices are never sent. (Default: now) */
  activeFrom?: string;
  policy?: Policy;
  /** Concurrent start calls. (Default: 16) */
  concurrency?: number;
  /** See `ObligationInput.timeShiftMs`. (Default: 0) */
  timeShiftMs?: number;
  /** (Default: true) */
  searchAttributes?: boolean;
  /** See `ObligationInput.historyLimit`. (Default: 2000) */
  historyLimit?: number;
  /** Called after each unit workflow was started or found running. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link startPlan} did. */
export interface StartPlanResult {
  schedule: PlanSchedule;
  started: string[];
  /** Workflow IDs that already existed: starting a plan twice creates nothing twice. */
  existing: string[];
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function mapConcurrent<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(lanes);
  return results;
}

/**
 * Starts one unit workflow per unit of the plan (each starting its obligations as children), idempotently:
 * IDs derive from plan and unit codes, and an ID that exists or existed is left alone.
 */
export async function startPlan(
  client: Client,
  plan: Plan,
  directory: Directory,
  options: StartPlanOptions,
): Promise<StartPlanResult> {
  const schedule = planSchedule(plan, directory);
  const activeFrom = options.activeFrom ?? new Date().toISOString();
  const started: string[] = [];
  const existing: string[] = [];
  let done = 0;
  await mapConcurrent(schedule.units, options.concurrency ?? 16, async (unit) => {
    const workflowId = unitWorkflowId(plan.id, unit.unitCode);
    try {
      await client.workflow.start<typeof unitWorkflow>('unitWorkflow', {
        taskQueue: options.taskQueue,
        workflowId,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [
          {
            planId: plan.id,
            unitCode: unit.unitCode,
            obligations: unit.obligations,
            activeFrom,
            policy: options.policy,
            timeShiftMs: options.timeShiftMs,
            searchAttributes: options.searchAttributes,
            historyLimit: options.historyLimit,
          },
        ],
      });
      started.push(workflowId);
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      existing.push(workflowId);
    }
    options.onProgress?.(++done, schedule.units.length);
  });
  return { schedule, started, existing };
}

/** A progress bar on stderr (only on a terminal; otherwise a line every 10 %). */
export function progressBar(label: string): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    const ratio = total === 0 ? 1 : done / total;
    if (process.stderr.isTTY) {
      const width = 30;
      const filled = Math.round(ratio * width);
      process.stderr.write(`\r${label} [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`);
      if (done === total) process.stderr.write('\n');
    } else {
      const tenth = Math.floor(ratio * 10);
      if (tenth !== lastTenth) {
        lastTenth = tenth;
        process.stderr.write(`${label}: ${done}/${total}\n`);
      }
    }
  };
}
