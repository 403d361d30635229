/**
 * The operator service: what the CLI and the HTTP API do to running obligations (status with traffic lights,
 * fulfil, extend, waive, designate, timeline, readable history, UI links). One place that finds an obligation's
 * workflow and turns Temporal's errors into stable, typed ones ({@link OperatorError}).
 */
import { type Client, type WorkflowHandle, WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DateTime } from 'luxon';
import type { Directory, Unit } from '../domain/directory';
import { obligationWorkflowId, unitWorkflowId } from '../domain/ids';
import { planSchedule, taskObligations, type ObligationSpec, type PlanSchedule } from '../domain/obligations';
import { PLAN_TIMEZONE, type ObligationKind, type Plan } from '../domain/plan';
import { DEFAULT_POLICY, obligationAgenda, policyRule, type Policy } from '../domain/policy';
import type { Store } from '../store';
import { mapConcurrent } from '../temporal/plan-runner';
import {
  designateUpdate,
  extendUpdate,
  fulfilUpdate,
  obligationsQuery,
  overviewQuery,
  statusQuery,
  timelineQuery,
  waiveUpdate,
  type ExtensionInput,
  type FulfilInput,
  type ItemStatus,
  type ObligationStatus,
  type TimelineEntry,
  type UpcomingNotice,
  type WaiverInput,
} from '../../workflows/messages';
import { readableHistory, type HistoryEntry } from './history';

export type { HistoryEntry } from './history';

/** Names one obligation (and optionally one period) of one unit under one plan. */
export interface ObligationRef {
  planId: string;
  /** Unit code; a unit name or alias from the directory is accepted too. */
  unitCode: string;
  obligation: ObligationKind;
  /** Task number for task obligations; null or absent for the unit-wide milestones. (Default: null) */
  taskNo?: number | null;
  /** Period label (`2017-Q3`, `2017-W40`); absent: the workflow picks the earliest open period. (Default: absent) */
  period?: string | null;
  /**
   * The obligation's id (`task-20-week`), when one task has two duties of the same kind and no period tells them
   * apart. (Default: absent)
   */
  obligationId?: string;
}

/** Traffic light of one item: green on track or done, yellow inside the reminder window, red overdue or missed. */
export type Light = 'green' | 'yellow' | 'red';

/** One item (period) of one obligation of one unit, as `duban status` and the dashboard show it. */
export interface StatusRow {
  planId: string;
  unitCode: string;
  unitName: string;
  taskNo: number | null;
  obligation: ObligationKind;
  /** Suffix of the workflow ID: `implementation-plan`, `task-20-week`. */
  obligationId: string;
  workflowId: string;
  period: string | null;
  /** The current due date (after extensions), `YYYY-MM-DD`. */
  due: string;
  state: ItemStatus['state'];
  light: Light;
  fulfilledAt: string | null;
  /** The next notice of this item still to go out, in plan time; null when none is scheduled. */
  nextNotice: { at: string; stage: string } | null;
}

/** Rows plus light counts. */
export interface StatusReport {
  rows: StatusRow[];
  /** Counts per task number (as a string); unit-wide milestones count under their kind (`implementation-plan`). */
  byTask: Record<string, Record<Light, number>>;
  /** Counts per unit code. */
  byUnit: Record<string, Record<Light, number>>;
}

/** What operators do; every method refuses with an {@link OperatorError} and then has changed nothing. */
export interface OperatorService {
  status(filter: { planId: string; taskNo?: number; unitCode?: string }): Promise<StatusReport>;
  fulfil(ref: ObligationRef, input: FulfilInput): Promise<ObligationStatus>;
  extend(ref: ObligationRef, input: ExtensionInput): Promise<ObligationStatus>;
  waive(ref: ObligationRef, input: WaiverInput): Promise<ObligationStatus>;
  /** Designates (or with `remove` removes) a unit for a 省直有关部门 task; answers with the unit's obligation ids. */
  designate(input: {
    planId: string;
    taskNo: number;
    unitCode: string;
    remove?: boolean;
    by: string;
  }): Promise<string[]>;
  timeline(ref: ObligationRef): Promise<TimelineEntry[]>;
  /**
   * The workflow's event history made readable: timers, messages received (updates, signals), activities (notices
   * sent, outcomes, events recorded), with times in Asia/Shanghai plan time. Only the latest run is read.
   */
  history(ref: ObligationRef): Promise<HistoryEntry[]>;
  /** Temporal Web UI link of the obligation's workflow. */
  uiLink(ref: ObligationRef): string;
  /** The workflow ID an obligation runs under (no server call). */
  workflowIdOf(ref: ObligationRef): string;
}

/**
 * Stable error types beyond the workflows' refusals (`AlreadyClosed`, `InvalidExtension`, `InvalidEvidence`,
 * `InvalidInstant`, `UnknownPeriod`, `AmbiguousPeriod`, which pass through unchanged).
 */
export type OperatorErrorType =
  | 'UnknownObligation' // no such plan, unit, task or obligation, or its workflow does not exist
  | 'InvalidDesignation' // the task has no 省直有关部门 or nothing to designate
  | 'InvalidInput'; // a field failed validation before anything was sent

/** A refusal: `type` is an {@link OperatorErrorType} or the workflow's `ApplicationFailure.type`, unchanged. */
export class OperatorError extends Error {
  override readonly name = 'OperatorError';
  constructor(
    message: string,
    /** Stable type; callers check it rather than the message. */
    readonly type: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for an {@link OperatorError} from any realm (jest modules, bundles). */
export function isOperatorError(err: unknown): err is OperatorError {
  return (err as { name?: string } | null)?.name === 'OperatorError' && typeof (err as OperatorError).type === 'string';
}

/** Dependencies of {@link createOperatorService}. */
export interface OperatorServiceDeps {
  client: Client;
  directory: Directory;
  plan: Plan;
  namespace: string;
  /** Temporal Web UI base URL. (Default: `http://127.0.0.1:8233`, the embedded dev server's UI) */
  uiBaseUrl?: string;
  /** The store, for callers that also read records (reports); the service itself needs none. (Default: none) */
  store?: Store;
  /** Plan time = server time + this, as the workflows were started with (simulations, demos). (Default: 0) */
  timeShiftMs?: number;
  /** The policy the workflows run, for the reminder window of the lights. (Default: the design's default policy) */
  policy?: Policy;
  /**
   * Plan time now, epoch ms: the time-skipping server's clock is not the host's. (Default: `Date.now() +
   * timeShiftMs`)
   */
  now?: () => number | Promise<number>;
  /** Concurrent queries while collecting status. (Default: 16) */
  concurrency?: number;
}

const TERMINAL = new Set<ItemStatus['state']>(['on-time', 'late', 'waived']);

function lightCounts(): Record<Light, number> {
  return { green: 0, yellow: 0, red: 0 };
}

function notFound(err: unknown): boolean {
  return err instanceof WorkflowNotFoundError || (err as { name?: string } | null)?.name === 'WorkflowNotFoundError';
}

/** Creates the operator service over a client, the plan and its directory. */
export function createOperatorService(deps: OperatorServiceDeps): OperatorService {
  const { client, directory, plan } = deps;
  const policy = deps.policy ?? DEFAULT_POLICY;
  const shift = deps.timeShiftMs ?? 0;
  const uiBase = (deps.uiBaseUrl ?? 'http://127.0.0.1:8233').replace(/\/+$/, '');
  const nowMs = async (): Promise<number> => (deps.now ? await deps.now() : Date.now() + shift);
  const schedule: PlanSchedule = planSchedule(plan, directory);
  const units = new Map(directory.units.map((u) => [u.code, u]));
  const leadsOf = (taskNo: number): string[] => [
    ...new Set(
      schedule.assignments.assignments.filter((a) => a.taskNo === taskNo && a.role === 'lead').map((a) => a.unitCode),
    ),
  ];
  const designationTasks = new Set(schedule.assignments.needsDesignation.map((d) => d.taskNo));
  // What a designation would add, per task: every unit may carry these once designated.
  const designationSpecs: ObligationSpec[] = plan.tasks
    .filter((t) => designationTasks.has(t.no))
    .flatMap((t) => taskObligations(plan, t, leadsOf(t.no)));

  const specsOf = (unitCode: string): ObligationSpec[] => {
    const own = schedule.units.find((u) => u.unitCode === unitCode)?.obligations ?? [];
    return [...own, ...designationSpecs.filter((d) => !own.some((o) => o.id === d.id))];
  };

  const checkPlan = (planId: string): void => {
    if (planId !== plan.id)
      throw new OperatorError(`unknown plan '${planId}' (this service runs plan ${plan.id})`, 'UnknownObligation');
  };

  const unitOf = (nameOrCode: string): Unit => {
    const wanted = (nameOrCode ?? '').trim();
    const unit = units.get(wanted) ?? directory.units.find((u) => u.name === wanted || u.aliases.includes(wanted));
    if (!unit) throw new OperatorError(`unknown unit '${nameOrCode}' (not in the unit directory)`, 'UnknownObligation');
    return unit;
  };

  const describeRef = (unit: Unit, ref: ObligationRef): string =>
    `${ref.obligation}${ref.taskNo != null ? ` of task ${ref.taskNo}` : ''}${ref.period ? ` (${ref.period})` : ''} ` +
    `of ${unit.name} (${unit.code})`;

  const resolve = (ref: ObligationRef): { unit: Unit; spec: ObligationSpec; workflowId: string } => {
    checkPlan(ref.planId);
    const unit = unitOf(ref.unitCode);
    const taskNo = ref.taskNo ?? null;
    if (taskNo !== null && !plan.tasks.some((t) => t.no === taskNo))
      throw new OperatorError(
        `unknown task ${taskNo} (plan ${plan.id} has tasks 1–${plan.tasks.length})`,
        'UnknownObligation',
      );
    const specs = specsOf(unit.code);
    let candidates = specs.filter(
      (s) =>
        (s.obligation === ref.obligation || s.id === ref.obligation) &&
        s.taskNo === taskNo &&
        (ref.obligationId === undefined || s.id === ref.obligationId),
    );
    if (candidates.length > 1 && ref.period) {
      const withPeriod = candidates.filter((s) => s.items.some((i) => i.period === ref.period));
      if (withPeriod.length > 0) candidates = withPeriod;
    }
    if (candidates.length > 1)
      throw new OperatorError(
        `${describeRef(unit, ref)} is ambiguous: ${candidates.map((c) => c.id).join(', ')}; give the period or the obligation id`,
        'UnknownObligation',
      );
    const spec = candidates[0];
    if (!spec) {
      const known = specs
        .filter((s) => !designationSpecs.includes(s))
        .map((s) => (s.taskNo === null ? s.obligation : `${s.obligation} --task ${s.taskNo}`));
      throw new OperatorError(
        `${unit.name} (${unit.code}) has no ${describeRef(unit, ref).split(' of ')[0]}` +
          `${taskNo !== null ? ` of task ${taskNo}` : ''} under plan ${plan.id} (it has: ${[...new Set(known)].join(', ') || 'nothing'})`,
        'UnknownObligation',
      );
    }
    return { unit, spec, workflowId: obligationWorkflowId(plan.id, unit.code, spec.id) };
  };

  /** Maps Temporal errors of a message to an obligation into stable refusals. */
  const refused = async (err: unknown, workflowId: string, what: string, action: string): Promise<never> => {
    if (err instanceof WorkflowUpdateFailedError || (err as { name?: string }).name === 'WorkflowUpdateFailedError') {
      const cause = (err as WorkflowUpdateFailedError).cause as { message?: string; type?: string } | undefined;
      if (cause?.type) throw new OperatorError(cause.message ?? (err as Error).message, cause.type, { cause: err });
    }
    if (notFound(err)) {
      // A workflow whose every item ended has completed: it answers queries but no more updates.
      let status: ObligationStatus | undefined;
      try {
        status = await client.workflow.getHandle(workflowId).query(statusQuery);
      } catch {
        status = undefined;
      }
      if (status) {
        const states = [...new Set(status.items.map((i) => i.state))].join(', ');
        throw new OperatorError(`${what} has ended (${states}); cannot ${action}`, 'AlreadyClosed', { cause: err });
      }
      throw new OperatorError(
        `${what}: no workflow ${workflowId} (plan not started, or unit not designated)`,
        'UnknownObligation',
        {
          cause: err,
        },
      );
    }
    throw err;
  };

  /** Sends one update to an obligation's workflow; refusals come back as {@link OperatorError}s. */
  const update = async (
    ref: ObligationRef,
    action: string,
    send: (handle: WorkflowHandle) => Promise<ObligationStatus>,
  ): Promise<ObligationStatus> => {
    const { unit, workflowId } = resolve(ref);
    try {
      return await send(client.workflow.getHandle(workflowId));
    } catch (err) {
      return refused(err, workflowId, describeRef(unit, ref), action);
    }
  };

  const withPeriod = <T extends { period?: string | null }>(ref: ObligationRef, input: T): T =>
    input.period === undefined && ref.period !== undefined ? { ...input, period: ref.period } : input;

  const firstReminderMs = (spec: ObligationSpec, due: string): number | null => {
    try {
      const reminders = obligationAgenda({
        ...spec,
        due,
        // Early enough that no reminder is dropped; the walk back stops at this floor.
        activeFrom: `${due.slice(0, 4)}-01-01`,
        policy,
      }).items.filter((a) => a.stage.startsWith('reminder-'));
      return reminders[0] ? Date.parse(reminders[0].at) : null;
    } catch {
      return null;
    }
  };

  const lightOf = (spec: ObligationSpec, item: ItemStatus, upcoming: UpcomingNotice[], now: number): Light => {
    if (TERMINAL.has(item.state)) return 'green';
    if (item.state === 'overdue' || item.state === 'missed') return 'red';
    const deadlineEnd = DateTime.fromISO(item.due, { zone: PLAN_TIMEZONE }).plus({ days: 1 }).toMillis();
    if (now >= deadlineEnd) return 'red';
    if (item.state === 'open') return 'green';
    const rule = policyRule(policy, spec.rule);
    const first = Math.max(...rule.remindWorkingDaysBefore);
    const mine = upcoming.filter((u) => u.period === item.period);
    // The workflow's own record beats the clock: once its first reminder is sent (or passed) the window is open.
    if (rule.remindWorkingDaysBefore.length > 0 && !mine.some((u) => u.stage === `reminder-${first}`)) return 'yellow';
    const firstAt = firstReminderMs(spec, item.due);
    return firstAt !== null && now >= firstAt ? 'yellow' : 'green';
  };

  const service: OperatorService = {
    async status({ planId, taskNo, unitCode }) {
      checkPlan(planId);
      if (taskNo !== undefined && !plan.tasks.some((t) => t.no === taskNo))
        throw new OperatorError(`unknown task ${taskNo} (plan ${plan.id} has no such task)`, 'UnknownObligation');
      const wanted = unitCode !== undefined ? [unitOf(unitCode).code] : schedule.units.map((u) => u.unitCode);
      const now = await nowMs();
      const perUnit = await mapConcurrent(wanted, deps.concurrency ?? 16, async (code) => {
        const specs = specsOf(code);
        let ids: string[];
        try {
          const list = await client.workflow.getHandle(unitWorkflowId(plan.id, code)).query(obligationsQuery);
          ids = list.map((o) => o.id);
        } catch (err) {
          if (!notFound(err)) throw err;
          // No unit workflow (plan not started there): nothing runs for this unit.
          ids = [];
        }
        const chosen = ids
          .map((id) => specs.find((s) => s.id === id))
          .filter((s): s is ObligationSpec => s !== undefined && (taskNo === undefined || s.taskNo === taskNo));
        const rows: StatusRow[] = [];
        for (const spec of chosen) {
          const workflowId = obligationWorkflowId(plan.id, code, spec.id);
          const handle = client.workflow.getHandle(workflowId);
          let status: ObligationStatus;
          let upcoming: UpcomingNotice[];
          try {
            ({ status, upcoming } = await handle.query(overviewQuery));
          } catch (err) {
            if (notFound(err)) continue;
            throw err;
          }
          for (const item of status.items) {
            const next = upcoming.find((u) => u.period === item.period);
            rows.push({
              planId: plan.id,
              unitCode: code,
              unitName: units.get(code)?.name ?? code,
              taskNo: spec.taskNo,
              obligation: spec.obligation,
              obligationId: spec.id,
              workflowId,
              period: item.period,
              due: item.due,
              state: item.state,
              light: lightOf(spec, item, upcoming, now),
              fulfilledAt: item.fulfilledAt,
              nextNotice: next ? { at: next.at, stage: next.stage } : null,
            });
          }
        }
        return rows;
      });
      const rows = perUnit.flat();
      const byTask: StatusReport['byTask'] = {};
      const byUnit: StatusReport['byUnit'] = {};
      for (const r of rows) {
        const t = r.taskNo === null ? r.obligation : String(r.taskNo);
        (byTask[t] ??= lightCounts())[r.light]++;
        (byUnit[r.unitCode] ??= lightCounts())[r.light]++;
      }
      return { rows, byTask, byUnit };
    },

    fulfil(ref, input) {
      return update(ref, 'fulfil', (h) => h.executeUpdate(fulfilUpdate, { args: [withPeriod(ref, input)] }));
    },
    extend(ref, input) {
      return update(ref, 'extend', (h) => h.executeUpdate(extendUpdate, { args: [withPeriod(ref, input)] }));
    },
    waive(ref, input) {
      return update(ref, 'waive', (h) => h.executeUpdate(waiveUpdate, { args: [withPeriod(ref, input)] }));
    },

    async designate({ planId, taskNo, unitCode, remove, by }) {
      checkPlan(planId);
      const unit = unitOf(unitCode);
      const task = plan.tasks.find((t) => t.no === taskNo);
      if (!task)
        throw new OperatorError(`unknown task ${taskNo} (plan ${plan.id} has no such task)`, 'UnknownObligation');
      if (!designationTasks.has(taskNo))
        throw new OperatorError(
          `task ${taskNo} names no 省直有关部门: its units come from the table, not from designation`,
          'InvalidDesignation',
        );
      if (typeof by !== 'string' || by.trim() === '')
        throw new OperatorError('by: who designates is required', 'InvalidInput');
      const obligations = remove ? [] : taskObligations(plan, task, leadsOf(taskNo));
      if (!remove && obligations.length === 0)
        throw new OperatorError(
          `task ${taskNo} has no dated or recurring duty: designating a unit would start nothing`,
          'InvalidDesignation',
        );
      const workflowId = unitWorkflowId(plan.id, unit.code);
      try {
        return await client.workflow
          .getHandle(workflowId)
          .executeUpdate(designateUpdate, { args: [{ taskNo, obligations, remove, by }] });
      } catch (err) {
        if (notFound(err))
          throw new OperatorError(
            `${unit.name} (${unit.code}) has no running unit workflow under plan ${plan.id}`,
            'UnknownObligation',
            { cause: err },
          );
        return refused(err, workflowId, `${unit.name} (${unit.code})`, 'designate');
      }
    },

    async timeline(ref) {
      const { unit, workflowId } = resolve(ref);
      try {
        const entries = await client.workflow.getHandle(workflowId).query(timelineQuery);
        return ref.period ? entries.filter((e) => e.period === ref.period || e.period === null) : entries;
      } catch (err) {
        return refused(err, workflowId, describeRef(unit, ref), 'read its timeline');
      }
    },

    async history(ref) {
      const { unit, workflowId } = resolve(ref);
      let history;
      try {
        history = await client.workflow.getHandle(workflowId).fetchHistory();
      } catch (err) {
        if (notFound(err))
          throw new OperatorError(`${describeRef(unit, ref)}: no workflow ${workflowId}`, 'UnknownObligation', {
            cause: err,
          });
        throw err;
      }
      return readableHistory(history, { timeShiftMs: shift });
    },

    uiLink(ref) {
      const { workflowId } = resolve(ref);
      return `${uiBase}/namespaces/${encodeURIComponent(deps.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
    },

    workflowIdOf(ref) {
      return resolve(ref).workflowId;
    },
  };
  return service;
}
