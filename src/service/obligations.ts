/**
 * Obligations of a running plan, as operators and officers act on them: status with traffic lights, fulfil,
 * extend, waive, designate, timeline, readable history. Finds an obligation's workflow from the plan's schedule and
 * turns Temporal's errors into {@link Refusal}s.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { provisionalYearsOf, taskObligations, type ObligationSpec, type PlanSchedule } from '../domain/obligations';
import type { Unit } from '../domain/directory';
import { obligationWorkflowId, unitWorkflowId } from '../domain/ids';
import { LIGHTS, countLights, deadlineWindowOpensMs, firstReminderStage, lightOf, type Light } from '../domain/lights';
import type { ObligationKind } from '../domain/plan';
import {
  agendaQuery,
  designateUpdate,
  extendUpdate,
  fulfilUpdate,
  obligationsQuery,
  overviewQuery,
  statusQuery,
  timelineQuery,
  waiveUpdate,
  signForUpdate,
  type ExtensionInput,
  type FulfilInput,
  type ItemStatus,
  type ObligationStatus,
  type UpcomingNotice,
  type WaiverInput,
  type SignForInput,
} from '../../workflows/messages';
import { itemViewOf, type ObligationOverview } from '../domain/overview';
import type { LastNoticeDelivery, OverviewCount, OverviewLightCount, OverviewRecord, Store } from '../store/types';
import type { ClientContext, ReadModel } from './context';
import { deliveriesByKey, storedNotices, type TimelineRow, withDeliveries } from './deliveries';
import { readableHistory, type HistoryEntry } from './history';
import { checkTexts, isoInstant } from './inputs';
import { mapConcurrent } from './plans';
import { asRefusal, isNotFound, Refusal } from './refusals';

export type { HistoryEntry } from './history';
export type { Light } from '../domain/lights';
export type { LastNoticeDelivery, OverviewCount, OverviewLightCount } from '../store/types';

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
  /** Years without a holiday notice yet that this item's remaining dates depend on. (Default: absent, none) */
  provisional?: number[];
  /**
   * Why the item's dates cannot be computed (its notices wait), or why the holiday data its workflow was last given
   * could not be used (it keeps the calendar it had): what the general office was told. (Default: absent)
   */
  calendarError?: string;
  /**
   * How the item's last notice fared in the outbox: its deliveries counted by state (`queued` still on their way,
   * `failed` and `undeliverable` for good). Null when the item has no notice yet; absent when status was read from
   * the workflows, which know only that they queued it. (Default: absent)
   */
  delivery?: LastNoticeDelivery | null;
}

/** Which rows {@link ObligationsClient.status} answers; all optional but the plan, combined with AND. */
export interface StatusFilter {
  planId: string;
  taskNo?: number;
  /** Unit code; a unit name or alias from the directory is accepted too. */
  unitCode?: string;
  /** Only items of this obligation kind. */
  obligation?: ObligationKind;
  /** Only items of this light now. */
  light?: Light;
  /**
   * At most this many rows after `offset`, in the order unit code, obligation id, period (the counts still
   * cover every row the filter selects). Needs the read model. (Default: every row, in the plan's unit order)
   */
  limit?: number;
  /** Rows skipped before the page. (Default: 0) */
  offset?: number;
}

/** Rows plus light counts. */
export interface StatusReport {
  rows: StatusRow[];
  /** With a `limit`: where the page is and how many rows the filter selects in all. (Default: absent) */
  page?: { offset: number; limit: number; total: number };
  /** Counts per task number (as a string); unit-wide milestones count under their kind (`implementation-plan`). */
  byTask: Record<string, Record<Light, number>>;
  /** Counts per unit code. */
  byUnit: Record<string, Record<Light, number>>;
}

/** One page of the dashboard's task × unit matrix: some of the plan's units, and the whole plan's totals. */
export interface MatrixPage {
  /** The page's unit codes, in the plan's order. */
  units: string[];
  /** Light counts of the page's units per unit, task (or milestone kind) and light, with provisional years and calendar errors. */
  cells: OverviewCount[];
  /** Light counts of every unit of the plan, with provisional years and calendar errors. */
  totals: OverviewLightCount[];
  /** Where the page is among the plan's units: `total` units in all. */
  page: { offset: number; limit: number; total: number };
}

/** Units on a matrix page unless asked otherwise: the seed's 51 fit on one. */
export const MATRIX_UNITS_DEFAULT = 60;
/** The most units a matrix page shows. */
export const MATRIX_UNITS_MAX = 200;

/** Where {@link ObligationsClient.backfillReadModel} finds which overviews exist and writes the missing ones. */
export type ReadModelWriter = Pick<Store, 'listOverviewObligations' | 'putOverview'>;

/** Options of {@link ObligationsClient.backfillReadModel}. */
export interface BackfillOptions {
  /** Concurrent workflow queries. (Default: the client's concurrency, 16) */
  concurrency?: number;
  /** Called after each workflow without an overview was queried (and written): `done` of `total` missing. */
  onProgress?: (done: number, total: number) => void;
  /** Asked before each query: once true, the workflows not yet queried are left for the next run. (Default: never) */
  stopping?: () => boolean;
  /**
   * Only these units' workflows, by unit code: e.g. the units a start found open already, since the ones it opened
   * now write their own overviews. (Default: every unit of the plan's schedule)
   */
  unitCodes?: string[];
}

/** What {@link ObligationsClient.backfillReadModel} found and did. */
export interface BackfillReport {
  planId: string;
  /** Unit workflows that answered with their obligations (units the plan was not started for are not counted). */
  units: number;
  /** Obligation workflows those units run or ran. */
  workflows: number;
  /** Of those, the ones with no item in the read model: what the backfill queried. */
  missing: number;
  /** Of the missing, the ones whose overview was written now. */
  backfilled: number;
  /** Missing ones the server no longer knows (ended past retention): nothing to write. */
  gone: number;
  /** Missing ones left unqueried because `stopping` turned true. */
  notDone: number;
  /** Workflows (unit or obligation) whose query failed, with why; the next run tries them again. */
  failed: { workflowId: string; error: string }[];
}

/** What operators and officers do to obligations; every method refuses with a {@link Refusal} and changes nothing. */
export interface ObligationsClient {
  /**
   * Rows and light counts: from the store's read model when the client has one (one query, filtered and paginated),
   * else by querying each obligation workflow.
   */
  status(filter: StatusFilter): Promise<StatusReport>;
  /**
   * A page of the dashboard's matrix: `limit` units (default {@link MATRIX_UNITS_DEFAULT}) from `offset` in the
   * plan's order, their light counts per task, and the plan's totals. With the read model two indexed queries
   * whatever the plan's size; else from {@link status}.
   */
  matrix(input: { planId: string; offset?: number; limit?: number }): Promise<MatrixPage>;
  /**
   * Fills the read model for the plan's obligation workflows that have no overview in it: those started before the
   * read model existed write theirs only at their next activation. Lists each unit workflow's obligations (one query
   * per unit), compares them with the obligations the store holds (one query), then queries each missing workflow's
   * overview (bounded concurrency) and writes it with `putOverview`, dated before anything its workflow writes
   * (workflow time 0): a live write, earlier or later, always wins. Nothing is queried when every overview exists.
   */
  backfillReadModel(target: ReadModelWriter, options?: BackfillOptions): Promise<BackfillReport>;
  fulfil(ref: ObligationRef, input: FulfilInput): Promise<ObligationStatus>;
  extend(ref: ObligationRef, input: ExtensionInput): Promise<ObligationStatus>;
  waive(ref: ObligationRef, input: WaiverInput): Promise<ObligationStatus>;
  /** Signs for (签收) a notice of the obligation, or every one sent and not yet signed for. */
  signFor(ref: ObligationRef, input: SignForInput): Promise<ObligationStatus>;
  /** Designates (or with `remove` removes) a unit for a 省直有关部门 task; answers with the unit's obligation ids. */
  designate(input: {
    planId: string;
    taskNo: number;
    unitCode: string;
    remove?: boolean;
    by: string;
  }): Promise<string[]>;
  /** What happened so far; each notice with how its deliveries fared when the client has the outbox's store. */
  timeline(ref: ObligationRef): Promise<TimelineRow[]>;
  /** The notices still to come of the obligation's workflow (none once it has ended). */
  agenda(ref: ObligationRef): Promise<UpcomingNotice[]>;
  /**
   * The workflow's event history made readable: timers, messages received (updates, signals), activities (notices
   * queued, with their deliveries as for {@link ObligationsClient.timeline}; outcomes, events recorded), with times
   * in Asia/Shanghai plan time. Only the latest run is read.
   */
  history(ref: ObligationRef): Promise<HistoryEntry[]>;
  /** Temporal Web UI link of the obligation's workflow. */
  uiLink(ref: ObligationRef): string;
  /** The workflow ID an obligation runs under (no server call). */
  workflowIdOf(ref: ObligationRef): string;
  /** The obligations a task's designated unit would carry (empty for tasks without dated or recurring duties). */
  designationSpecs(taskNo: number): ObligationSpec[];
  /** Years without a holiday notice yet that the dates of these obligations depend on (provisional), ascending. */
  provisionalYears(specs: ObligationSpec[]): Promise<number[]>;
}

/** Rows with their light counts per task and per unit. */
/** Refuses a `limit` that is not a positive whole number or an `offset` that is not a non-negative one. */
function checkPage(filter: { limit?: number; offset?: number }): void {
  for (const [name, value] of [
    ['limit', filter.limit],
    ['offset', filter.offset],
  ] as const)
    if (value !== undefined && (!Number.isInteger(value) || value < 0 || (name === 'limit' && value === 0)))
      throw new Refusal(
        `${name}: '${String(value)}' is not a ${name === 'limit' ? 'positive' : 'non-negative'} whole number`,
        'InvalidInput',
      );
}

function withCounts(rows: StatusRow[]): StatusReport {
  const byTask: StatusReport['byTask'] = {};
  const byUnit: StatusReport['byUnit'] = {};
  for (const r of rows) {
    const t = r.taskNo === null ? r.obligation : String(r.taskNo);
    (byTask[t] ??= countLights([]))[r.light]++;
    (byUnit[r.unitCode] ??= countLights([]))[r.light]++;
  }
  return { rows, byTask, byUnit };
}

/** Creates the obligations client over the shared client context. */
export function createObligationsClient(ctx: ClientContext, schedule: PlanSchedule): ObligationsClient {
  const { client, plan, policy } = ctx;
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

  const checkTask = (taskNo: number): void => {
    if (!plan.tasks.some((t) => t.no === taskNo))
      throw new Refusal(`unknown task ${taskNo} (plan ${plan.id} has no such task)`, 'UnknownObligation');
  };

  const describeRef = (unit: Unit, ref: ObligationRef): string =>
    `${ref.obligation}${ref.taskNo != null ? ` of task ${ref.taskNo}` : ''}${ref.period ? ` (${ref.period})` : ''} ` +
    `of ${unit.name} (${unit.code})`;

  const resolve = (ref: ObligationRef): { unit: Unit; spec: ObligationSpec; workflowId: string } => {
    ctx.checkPlan(ref.planId);
    const unit = ctx.unitOf(ref.unitCode);
    const taskNo = ref.taskNo ?? null;
    if (taskNo !== null) checkTask(taskNo);
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
      throw new Refusal(
        `${describeRef(unit, ref)} is ambiguous: ${candidates.map((c) => c.id).join(', ')}; give the period or the obligation id`,
        'UnknownObligation',
      );
    const spec = candidates[0];
    if (!spec) {
      const known = specs
        .filter((s) => !designationSpecs.includes(s))
        .map((s) => (s.taskNo === null ? s.obligation : `${s.obligation} --task ${s.taskNo}`));
      throw new Refusal(
        `${unit.name} (${unit.code}) has no ${ref.obligation}${taskNo !== null ? ` of task ${taskNo}` : ''} ` +
          `under plan ${plan.id} (it has: ${[...new Set(known)].join(', ') || 'nothing'})`,
        'UnknownObligation',
      );
    }
    return { unit, spec, workflowId: obligationWorkflowId(plan.id, unit.code, spec.id) };
  };

  /** Calls an obligation's workflow; Temporal's errors come back as {@link Refusal}s. */
  const call = async <T>(
    ref: ObligationRef,
    action: string,
    send: (handle: WorkflowHandle) => Promise<T>,
  ): Promise<T> => {
    const { unit, workflowId } = resolve(ref);
    const handle = client.workflow.getHandle(workflowId);
    try {
      return await send(handle);
    } catch (err) {
      return asRefusal(err, {
        what: describeRef(unit, ref),
        action,
        workflowId,
        // A workflow whose every item ended has completed: it answers queries but no more updates.
        endedAs: async () => {
          const status = await handle.query(statusQuery);
          return [...new Set(status.items.map((i) => i.state))].join(', ');
        },
      });
    }
  };

  /** The stored notices of an obligation's workflow, every period, with their deliveries. */
  const noticesOf = (ref: ObligationRef) => {
    const { unit, spec } = resolve(ref);
    return storedNotices(ctx.outbox, {
      planId: plan.id,
      unitCode: unit.code,
      taskNo: spec.taskNo,
      obligation: spec.obligation,
    });
  };

  const withPeriod = <T extends { period?: string | null }>(ref: ObligationRef, input: T): T =>
    input.period === undefined && ref.period !== undefined ? { ...input, period: ref.period } : input;

  const firstStage = new Map<string, string | null>();
  const lightOfItem = (spec: ObligationSpec, item: ItemStatus, upcoming: UpcomingNotice[], now: number): Light => {
    if (!firstStage.has(spec.rule)) firstStage.set(spec.rule, firstReminderStage(spec.rule, policy));
    const first = firstStage.get(spec.rule) ?? null;
    return lightOf({
      state: item.state,
      due: item.due,
      nowMs: now,
      windowOpensMs: () => deadlineWindowOpensMs({ rule: spec.rule, due: item.due, policy, calendar: ctx.calendar }),
      firstReminderAhead:
        first === null ? undefined : upcoming.some((u) => u.period === item.period && u.stage === first),
    });
  };

  const rowsOfUnit = async (code: string, taskNo: number | undefined, now: number): Promise<StatusRow[]> => {
    const specs = specsOf(code);
    let ids: string[];
    try {
      ids = (await client.workflow.getHandle(unitWorkflowId(plan.id, code)).query(obligationsQuery)).map((o) => o.id);
    } catch (err) {
      if (!isNotFound(err)) throw err;
      // No unit workflow (plan not started there): nothing runs for this unit.
      ids = [];
    }
    const chosen = ids
      .map((id) => specs.find((s) => s.id === id))
      .filter((s): s is ObligationSpec => s !== undefined && (taskNo === undefined || s.taskNo === taskNo));
    const rows: StatusRow[] = [];
    for (const spec of chosen) {
      const workflowId = obligationWorkflowId(plan.id, code, spec.id);
      let overview: { status: ObligationStatus; upcoming: UpcomingNotice[] };
      try {
        overview = await client.workflow.getHandle(workflowId).query(overviewQuery);
      } catch (err) {
        if (isNotFound(err)) continue;
        throw err;
      }
      const { status, upcoming } = overview;
      for (const item of status.items) {
        const next = upcoming.find((u) => u.period === item.period);
        rows.push({
          planId: plan.id,
          unitCode: code,
          unitName: ctx.unitName(code),
          taskNo: spec.taskNo,
          obligation: spec.obligation,
          obligationId: spec.id,
          workflowId,
          period: item.period,
          due: item.due,
          state: item.state,
          light: lightOfItem(spec, item, upcoming, now),
          fulfilledAt: item.fulfilledAt,
          nextNotice: next ? { at: next.at, stage: next.stage } : null,
          ...(next?.provisional ? { provisional: next.provisional } : {}),
          ...(item.calendarError || status.calendarError
            ? { calendarError: item.calendarError ?? status.calendarError }
            : {}),
        });
      }
    }
    return rows;
  };

  /**
   * An overview query's answer as the read model stores it: the fields the workflow's own overview carries, from
   * its status and upcoming notices, dated workflow time 0 so that any overview the workflow writes replaces it.
   */
  const overviewOfQuery = (
    code: string,
    spec: ObligationSpec,
    { status, upcoming }: { status: ObligationStatus; upcoming: UpcomingNotice[] },
  ): ObligationOverview => {
    if (!firstStage.has(spec.rule)) firstStage.set(spec.rule, firstReminderStage(spec.rule, policy));
    const first = firstStage.get(spec.rule) ?? null;
    return {
      planId: plan.id,
      unitCode: code,
      taskNo: spec.taskNo,
      obligation: spec.obligation,
      obligationId: spec.id,
      closed: status.closed,
      ...(status.calendarError ? { calendarError: status.calendarError } : {}),
      asOfMs: 0,
      seq: 0,
      items: status.items.map((item) => {
        const mine = upcoming.filter((u) => u.period === item.period).map((u) => ({ ...u, ms: Date.parse(u.at) }));
        return {
          period: item.period,
          due: item.due,
          state: item.state,
          fulfilledAt: item.fulfilledAt,
          extended: item.extended,
          ...(item.calendarError ? { calendarError: item.calendarError } : {}),
          ...itemViewOf(mine, first),
        };
      }),
    };
  };

  const scheduled = new Map(schedule.units.map((u, index) => [u.unitCode, index]));
  /** A read-model item as a status row; its light computed now by the domain rule. */
  const rowOfRecord = (r: OverviewRecord, now: number): StatusRow => ({
    planId: r.planId,
    unitCode: r.unitCode,
    unitName: ctx.unitName(r.unitCode),
    taskNo: r.taskNo,
    obligation: r.obligation,
    obligationId: r.obligationId,
    workflowId: obligationWorkflowId(r.planId, r.unitCode, r.obligationId),
    period: r.period,
    due: r.due,
    state: r.state,
    light: lightOf({
      state: r.state,
      due: r.due,
      nowMs: now,
      windowOpensMs: r.windowOpensMs,
      firstReminderAhead: r.firstReminderAhead ?? undefined,
    }),
    fulfilledAt: r.fulfilledAt,
    nextNotice: r.next ? { at: r.next.at, stage: r.next.stage } : null,
    ...(r.next?.provisional ? { provisional: r.next.provisional } : {}),
    ...(r.calendarError ? { calendarError: r.calendarError } : {}),
    delivery: r.delivery,
  });

  /** Rows in the order the workflow queries give them: the plan's units, each unit's obligations, their items. */
  const inPlanOrder = (records: OverviewRecord[]): OverviewRecord[] => {
    const specRank = new Map<string, number>();
    const rankOf = (r: OverviewRecord): number => {
      const key = `${r.unitCode}/${r.obligationId}`;
      let rank = specRank.get(key);
      if (rank === undefined) {
        rank = specsOf(r.unitCode).findIndex((s) => s.id === r.obligationId);
        specRank.set(key, rank);
      }
      return rank;
    };
    return records.sort(
      (a, b) =>
        scheduled.get(a.unitCode)! - scheduled.get(b.unitCode)! || rankOf(a) - rankOf(b) || a.itemIndex - b.itemIndex,
    );
  };

  const statusFromStore = async (readModel: ReadModel, filter: StatusFilter, now: number): Promise<StatusReport> => {
    const query = {
      planId: plan.id,
      unitCode: filter.unitCode,
      taskNo: filter.taskNo,
      obligation: filter.obligation,
      light: filter.light,
      nowMs: now,
    };
    if (filter.limit === undefined) {
      // Units the plan's schedule does not run are not shown, as the workflow queries would not find them.
      const records = (await readModel.listOverviews(query)).filter((r) => scheduled.has(r.unitCode));
      return withCounts(inPlanOrder(records).map((r) => rowOfRecord(r, now)));
    }
    const offset = filter.offset ?? 0;
    const [records, counts] = await Promise.all([
      readModel.listOverviews({ ...query, limit: filter.limit, offset }),
      readModel.countOverviews(query),
    ]);
    const byTask: StatusReport['byTask'] = {};
    const byUnit: StatusReport['byUnit'] = {};
    let total = 0;
    for (const c of counts) {
      const t = c.taskNo === null ? c.obligation : String(c.taskNo);
      (byTask[t] ??= countLights([]))[c.light] += c.count;
      (byUnit[c.unitCode] ??= countLights([]))[c.light] += c.count;
      total += c.count;
    }
    return {
      rows: records.map((r) => rowOfRecord(r, now)),
      byTask,
      byUnit,
      page: { offset, limit: filter.limit, total },
    };
  };

  return {
    async status(filter) {
      const { planId, taskNo, light, obligation } = filter;
      ctx.checkPlan(planId);
      if (taskNo !== undefined) checkTask(taskNo);
      const unitCode = filter.unitCode !== undefined ? ctx.unitOf(filter.unitCode).code : undefined;
      if (light !== undefined && !LIGHTS.includes(light))
        throw new Refusal(`light: '${String(light)}' is not green, yellow or red`, 'InvalidInput');
      checkPage(filter);
      const now = await ctx.now();
      if (ctx.readModel) return statusFromStore(ctx.readModel, { ...filter, unitCode }, now);
      if (filter.limit !== undefined)
        throw new Refusal('limit: pages need the store (this client reads the workflows)', 'InvalidInput');
      const wanted = unitCode !== undefined ? [unitCode] : schedule.units.map((u) => u.unitCode);
      const rows = (await mapConcurrent(wanted, ctx.concurrency, (code) => rowsOfUnit(code, taskNo, now)))
        .flat()
        .filter(
          (r) =>
            (light === undefined || r.light === light) && (obligation === undefined || r.obligation === obligation),
        );
      return withCounts(rows);
    },

    async matrix(input) {
      ctx.checkPlan(input.planId);
      checkPage(input);
      const offset = input.offset ?? 0;
      const limit = Math.min(input.limit ?? MATRIX_UNITS_DEFAULT, MATRIX_UNITS_MAX);
      const all = schedule.units.map((u) => u.unitCode);
      const units = all.slice(offset, offset + limit);
      const page = { offset, limit, total: all.length };
      if (!ctx.readModel) {
        const counted = (await this.status({ planId: plan.id })).rows.map((r) => ({
          unitCode: r.unitCode,
          taskNo: r.taskNo,
          obligation: r.obligation,
          light: r.light,
          ...(r.provisional ? { provisional: r.provisional } : {}),
          ...(r.calendarError ? { calendarError: r.calendarError } : {}),
          count: 1,
        }));
        const onPage = new Set(units);
        return { units, cells: counted.filter((c) => onPage.has(c.unitCode)), totals: counted, page };
      }
      const nowMs = await ctx.now();
      const [cells, totals] = await Promise.all([
        ctx.readModel.countOverviews({ planId: plan.id, units, nowMs }),
        ctx.readModel.countOverviewLights({ planId: plan.id, units: all, nowMs }),
      ]);
      return { units, cells, totals, page };
    },

    async backfillReadModel(target, options = {}) {
      const concurrency = options.concurrency ?? ctx.concurrency;
      const failed: BackfillReport['failed'] = [];
      const failure = (workflowId: string, err: unknown) =>
        failed.push({ workflowId, error: (err as Error).message ?? String(err) });
      // Every obligation workflow the units list, designated ones included: what status found before the read model.
      const only = options.unitCodes && new Set(options.unitCodes);
      const wanted = schedule.units.filter((u) => !only || only.has(u.unitCode));
      const listed = await mapConcurrent(wanted, concurrency, async ({ unitCode: code }) => {
        const workflowId = unitWorkflowId(plan.id, code);
        try {
          const children = await client.workflow.getHandle(workflowId).query(obligationsQuery);
          return { code, ids: children.map((c) => c.id) };
        } catch (err) {
          if (!isNotFound(err)) failure(workflowId, err);
          return undefined;
        }
      });
      const units = listed.filter((u): u is { code: string; ids: string[] } => u !== undefined);
      const held = new Set(
        (await target.listOverviewObligations(plan.id)).map((o) => `${o.unitCode}/${o.obligationId}`),
      );
      const all = units.flatMap(({ code, ids }) =>
        ids.flatMap((id) => {
          const spec = specsOf(code).find((s) => s.id === id);
          return spec ? [{ code, spec }] : [];
        }),
      );
      const missing = all.filter(({ code, spec }) => !held.has(`${code}/${spec.id}`));
      let done = 0;
      let backfilled = 0;
      let gone = 0;
      let notDone = 0;
      await mapConcurrent(missing, concurrency, async ({ code, spec }) => {
        if (options.stopping?.()) {
          notDone++;
          return;
        }
        const workflowId = obligationWorkflowId(plan.id, code, spec.id);
        try {
          const answer = await client.workflow.getHandle(workflowId).query(overviewQuery);
          await target.putOverview(overviewOfQuery(code, spec, answer), Date.now());
          backfilled++;
        } catch (err) {
          if (isNotFound(err)) gone++;
          else failure(workflowId, err);
        }
        options.onProgress?.(++done, missing.length);
      });
      return {
        planId: plan.id,
        units: units.length,
        workflows: all.length,
        missing: missing.length,
        backfilled,
        gone,
        notDone,
        failed,
      };
    },

    // Async, so a refused input rejects like every other refusal instead of throwing at the call.
    async fulfil(ref, input) {
      checkTexts(input);
      return call(ref, 'fulfil', (h) => h.executeUpdate(fulfilUpdate, { args: [withPeriod(ref, input)] }));
    },
    async extend(ref, input) {
      checkTexts(input);
      return call(ref, 'extend', (h) => h.executeUpdate(extendUpdate, { args: [withPeriod(ref, input)] }));
    },
    async waive(ref, input) {
      checkTexts(input);
      return call(ref, 'waive', (h) => h.executeUpdate(waiveUpdate, { args: [withPeriod(ref, input)] }));
    },
    async signFor(ref, input) {
      checkTexts(input);
      return call(ref, 'sign for', (h) => h.executeUpdate(signForUpdate, { args: [input] }));
    },

    async designate({ planId, taskNo, unitCode, remove, by }) {
      ctx.checkPlan(planId);
      const unit = ctx.unitOf(unitCode);
      checkTask(taskNo);
      if (!designationTasks.has(taskNo))
        throw new Refusal(
          `task ${taskNo} names no 省直有关部门 (市直有关部门 …): its units come from the table, not from designation`,
          'InvalidDesignation',
        );
      if (typeof by !== 'string' || by.trim() === '')
        throw new Refusal('by: who designates is required', 'InvalidInput');
      const task = plan.tasks.find((t) => t.no === taskNo)!;
      const obligations = remove ? [] : taskObligations(plan, task, leadsOf(taskNo));
      if (!remove && obligations.length === 0)
        throw new Refusal(
          `task ${taskNo} has no dated or recurring duty: designating a unit would start nothing`,
          'InvalidDesignation',
        );
      const workflowId = unitWorkflowId(plan.id, unit.code);
      try {
        return await client.workflow
          .getHandle(workflowId)
          .executeUpdate(designateUpdate, { args: [{ taskNo, obligations, remove, by }] });
      } catch (err) {
        return asRefusal(err, { what: `${unit.name} (${unit.code})`, action: 'designate', workflowId });
      }
    },

    async timeline(ref) {
      const [all, notices] = await Promise.all([
        call(ref, 'read its timeline', (h) => h.query(timelineQuery)),
        noticesOf(ref),
      ]);
      const entries = ref.period ? all.filter((e) => e.period === ref.period || e.period === null) : all;
      return withDeliveries(entries, notices);
    },

    agenda(ref) {
      return call(ref, 'read its agenda', (h) => h.query(agendaQuery));
    },

    async history(ref) {
      const { unit, workflowId } = resolve(ref);
      try {
        const [history, notices] = await Promise.all([
          client.workflow.getHandle(workflowId).fetchHistory(),
          noticesOf(ref),
        ]);
        return readableHistory(history, { timeShiftMs: ctx.timeShiftMs, deliveries: deliveriesByKey(notices) });
      } catch (err) {
        return asRefusal(err, { what: describeRef(unit, ref), action: 'read its history', workflowId });
      }
    },

    uiLink(ref) {
      return ctx.uiLink(resolve(ref).workflowId);
    },

    workflowIdOf(ref) {
      return resolve(ref).workflowId;
    },

    designationSpecs(taskNo) {
      return designationSpecs.filter((s) => s.taskNo === taskNo);
    },

    async provisionalYears(specs) {
      return provisionalYearsOf(specs, { activeFrom: isoInstant(await ctx.now()), policy, calendar: ctx.calendar });
    },
  };
}
