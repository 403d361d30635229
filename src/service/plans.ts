/** Plans: starting every workflow of a plan, idempotently, and closing them. */
import type { Client } from '@temporalio/client';
import type { Directory } from '../domain/directory';
import type { HolidayCalendar } from '../domain/calendar';
import type { HolidayYear } from '../domain/holidays';
import { planSchedule, provisionalYearsOf, type PlanSchedule } from '../domain/obligations';
import type { Plan } from '../domain/plan';
import type { Policy } from '../domain/policy';
import { unitWorkflowId } from '../domain/ids';
import { WORKFLOW_GENERATION } from '../../workflows/generation';
import { closeSignal } from '../../workflows/messages';
import { identityAttributes } from '../../workflows/search-attributes';
import type { unitWorkflow } from '../../workflows/unit';
import { isAlreadyStarted, isNotFound } from './refusals';

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
  /**
   * Called after each unit workflow was started or found already open, in unit workflows: `done` of `total`, what a
   * start call can know (its obligations are opened by the unit as children, once a worker runs it). `progress`
   * splits the workflows requested into opened now and already open.
   */
  onProgress?: (done: number, total: number, progress: StartProgress) => void;
  /**
   * Asked before each unit's start: once true, the units not yet started are left for the next start (which starts
   * them, idempotently), e.g. on Ctrl-C. (Default: never)
   */
  stopping?: () => boolean;
  /**
   * Called once, before any workflow is started, with the provisional years the whole schedule's dates rest on
   * (empty when none): what to warn about up front. (Default: nothing)
   */
  onProvisional?: (years: number[]) => void;
  /** The plan's schedule, when the caller has it already. (Default: computed from the plan and directory) */
  schedule?: PlanSchedule;
  /** The calendar the client computes provisional years with. (Default: the built-in one) */
  calendar?: HolidayCalendar;
  /**
   * The holiday years added to the installation (`duban holidays add`), when the caller has read them from the store:
   * each unit workflow gets them in its input and hands them to its obligations, instead of reading them with a
   * local activity before it opens them. (Default: each unit reads them)
   */
  holidayYears?: HolidayYear[];
}

/**
 * Workflows of a plan's start so far: a unit counts with its obligations, requested with it. The unit workflow opens
 * its obligations as children when a worker first runs it; until then they do not exist
 * ({@link countObligationWorkflows} counts those that do).
 */
export interface StartProgress {
  /** Workflows of the units this start opened: each unit's own and its obligations (requested). */
  opened: number;
  /** Workflows of the units found open already (an earlier, perhaps interrupted, start opened them). */
  alreadyOpen: number;
}

/** Workflows a unit of the schedule opens: its own and one per obligation. */
export const unitWorkflowCount = (unit: { obligations: unknown[] }): number => 1 + unit.obligations.length;

/** What {@link startPlan} did. */
export interface StartPlanResult extends StartProgress {
  schedule: PlanSchedule;
  started: string[];
  /** Workflow IDs that already existed: starting a plan twice creates nothing twice. */
  existing: string[];
  /** Units left unstarted because {@link StartPlanOptions.stopping} turned true. */
  notStarted: number;
  /** Workflows of the units left unstarted. */
  notOpened: number;
  /**
   * Years without a State Council holiday notice yet that the plan's dates depend on: counted with weekends only
   * until `duban holidays add`; the workflows move their notices when it is added.
   */
  provisionalYears: number[];
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
  const schedule = options.schedule ?? planSchedule(plan, directory);
  const activeFrom = options.activeFrom ?? new Date().toISOString();
  // The whole schedule is checked before anything starts, so the warning comes first.
  const provisionalYears = provisionalYearsOf(
    schedule.units.flatMap((u) => u.obligations),
    { activeFrom, policy: options.policy, calendar: options.calendar },
  );
  options.onProvisional?.(provisionalYears);
  const started: string[] = [];
  const existing: string[] = [];
  const progress: StartProgress = { opened: 0, alreadyOpen: 0 };
  let units = 0;
  let notStarted = 0;
  let notOpened = 0;
  await mapConcurrent(schedule.units, options.concurrency ?? 16, async (unit) => {
    if (options.stopping?.()) {
      notStarted++;
      notOpened += unitWorkflowCount(unit);
      return;
    }
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
            holidayYears: options.holidayYears,
            generation: WORKFLOW_GENERATION,
          },
        ],
        // Given at the start, the identity costs the first task no upsert (and the server no visibility write).
        ...(options.searchAttributes !== false
          ? {
              typedSearchAttributes: identityAttributes({
                planId: plan.id,
                unitCode: unit.unitCode,
                obligation: 'unit',
                taskNo: null,
              }),
            }
          : {}),
      });
      started.push(workflowId);
      progress.opened += unitWorkflowCount(unit);
    } catch (err) {
      // WorkflowExecutionAlreadyStarted: this unit (and so its obligations) is open from an earlier start.
      if (!isAlreadyStarted(err)) throw err;
      existing.push(workflowId);
      progress.alreadyOpen += unitWorkflowCount(unit);
    }
    options.onProgress?.(++units, schedule.units.length, { ...progress });
  });
  return { schedule, started, existing, notStarted, notOpened, provisionalYears, ...progress };
}

/**
 * The obligation workflows of a plan the server lists now, running or ended (visibility, which lags its writes by a
 * moment), or undefined where the server cannot count (the time-skipping test server lists nothing).
 */
export async function countObligationWorkflows(client: Client, planId: string): Promise<number | undefined> {
  const prefix = unitWorkflowId(planId, '').replace(/\\/g, '\\\\').replace(/'/g, "\\'");
  try {
    const { count } = await client.workflow.count(
      `WorkflowType = 'obligationWorkflow' AND WorkflowId STARTS_WITH '${prefix}'`,
    );
    return count;
  } catch {
    return undefined;
  }
}

/** What {@link closePlan} did. */
export interface ClosePlanResult {
  /** Unit workflows that were running and got the close. */
  closed: string[];
  /** Unit workflows that had already ended (or never started). */
  ended: string[];
}

/** Options of {@link closePlan}. */
export interface ClosePlanOptions {
  reason: string;
  /** Return once every unit workflow that got the close has ended, its outcomes recorded. (Default: false) */
  untilEnded?: boolean;
  /** Called after each unit workflow got the close or was found ended. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Closes a plan: every unit workflow records its open items as they stand (missed if past due, else open) and ends.
 * Units already ended are counted, not an error.
 */
export async function closePlan(
  client: Client,
  schedule: PlanSchedule,
  planId: string,
  options: ClosePlanOptions & { concurrency?: number },
): Promise<ClosePlanResult> {
  const closed: string[] = [];
  const ended: string[] = [];
  let done = 0;
  await mapConcurrent(schedule.units, options.concurrency ?? 16, async (unit) => {
    const workflowId = unitWorkflowId(planId, unit.unitCode);
    try {
      await client.workflow.getHandle(workflowId).signal(closeSignal, { reason: options.reason });
      closed.push(workflowId);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      ended.push(workflowId);
    }
    options.onProgress?.(++done, schedule.units.length);
  });
  // One at a time: on the time-skipping server each wait for a result lets its clock run.
  if (options.untilEnded) for (const workflowId of closed) await client.workflow.getHandle(workflowId).result();
  return { closed, ended };
}
