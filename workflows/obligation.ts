/**
 * One obligation of one unit (实施方案, 季度落实情况, 全年落实情况, a task deadline, a recurring publication):
 * sleeps until the next instant of its agenda or the next message, sends each notice once, records outcomes.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  setHandler,
  workflowInfo,
  log,
  patched,
  sleep,
} from '@temporalio/workflow';
import { DateTime } from 'luxon';
import { noticeKey, type Notice, type ObligationEvent, type Outcome, type OutcomeStatus } from '../src/domain/notice';
import type { ObligationSpec } from '../src/domain/obligations';
import { PLAN_TIMEZONE, type IsoDate } from '../src/domain/plan';
import { DEFAULT_POLICY, obligationAgenda, type AgendaItem, type Policy } from '../src/domain/policy';
import {
  agendaQuery,
  closeSignal,
  extendUpdate,
  fulfilUpdate,
  overviewQuery,
  statusQuery,
  timelineQuery,
  waiveUpdate,
  type ItemStatus,
  type ObligationStatus,
  type TimelineEntry,
  type UpcomingNotice,
} from './messages';
import { deadlineActivities, deadlineLocalActivities } from './activity-proxies';
import { searchable } from './search-status';

const { sendNotice, recordOutcome, recordEvent } = deadlineActivities;
const { deliverDue } = deadlineLocalActivities;

/**
 * Workflows started before this patch send each notice and each missed outcome as its own activity after waking
 * on `condition(…, wait)`, and replay that way. Workflows started after it wake on a plain timer and hand every
 * notice and outcome of an instant to one local activity, `deliverDue`: half the workflow activations per notice
 * and no activity round trips through the server.
 */
const NOTICES_BATCHED_PATCH = 'obligation-notices-batched';

/** Input of {@link obligationWorkflow}. */
export interface ObligationInput {
  planId: string;
  unitCode: string;
  spec: ObligationSpec;
  /** When the obligation became active (import time or publish date); earlier notices are never sent. */
  activeFrom: string;
  /** (Default: the design's default policy) */
  policy?: Policy;
  /**
   * Milliseconds added to workflow time to get plan time. 0 in production; simulations of a past year run on a
   * test server whose clock starts today, so they shift the plan's calendar onto it. (Default: 0)
   */
  timeShiftMs?: number;
  /** Upsert search attributes (the time-skipping test server has none registered). (Default: true) */
  searchAttributes?: boolean;
  /** History length past which the workflow continues as new, carrying its state. (Default: 2000) */
  historyLimit?: number;
  /** Carried over continue-as-new. */
  state?: CarriedState;
}

interface ItemState extends ItemStatus {
  /** Stages already sent for the current due date. */
  sent: string[];
  extensions: number;
}

interface CarriedState {
  items: ItemState[];
  timeline: TimelineEntry[];
  closed: boolean;
}

/** Histories stay far below Temporal's limits: continue as new past this many events. */
const HISTORY_EVENTS_BEFORE_CONTINUE = 2000;
/** Timeline entries kept in memory (and carried over continue-as-new); older ones stay in the store. */
const TIMELINE_LIMIT = 500;

const TERMINAL = new Set<ItemStatus['state']>(['on-time', 'late', 'waived']);

/** An agenda entry with its instant in epoch milliseconds, computed once. */
interface TimedAgendaItem extends AgendaItem {
  ms: number;
}

/** Runs one obligation of one unit until every item is fulfilled or waived, or the plan is closed. */
export async function obligationWorkflow(input: ObligationInput): Promise<ObligationStatus> {
  const { spec, planId, unitCode } = input;
  const policy = input.policy ?? DEFAULT_POLICY;
  const shift = input.timeShiftMs ?? 0;
  const planNow = (): number => Date.now() + shift;
  const iso = (ms: number): string => DateTime.fromMillis(ms, { zone: PLAN_TIMEZONE }).toISO() as string;

  const items: ItemState[] =
    input.state?.items ??
    spec.items.map((i) => ({
      period: i.period,
      due: i.due,
      state: 'pending',
      fulfilledAt: null,
      extended: false,
      sent: [],
      extensions: 0,
    }));
  const timeline: TimelineEntry[] = input.state?.timeline ?? [];
  let closed = input.state?.closed ?? false;
  let version = 0;
  /** Ends the batched loop's current wait (set while it waits; see `sleepUntil`). */
  let wake: (() => void) | undefined;
  let pendingTimer: { at: number; fired: Promise<void> } | undefined;

  const note = (entry: TimelineEntry): void => {
    timeline.push(entry);
    if (timeline.length > TIMELINE_LIMIT) timeline.splice(0, timeline.length - TIMELINE_LIMIT);
    version++;
    // The batched loop's wait ends on any change (see sleepUntil below).
    const w = wake;
    wake = undefined;
    w?.();
  };
  const status = (): ObligationStatus => ({
    obligation: spec.obligation,
    taskNo: spec.taskNo,
    unitCode,
    closed,
    items: items.map(({ period, due, state, fulfilledAt, extended }) => ({
      period,
      due,
      state,
      fulfilledAt,
      extended,
    })),
  });
  // An item's agenda depends only on its due date: computed once per (period, due), not on every wake-up, and
  // only for the items the loop is looking at (a weekly duty holds 52 items, most of them months away or done).
  const agendas = new Map<string, TimedAgendaItem[]>();
  const agendaKey = (item: Pick<ItemState, 'period' | 'due'>): string => `${item.period}|${item.due}`;
  const agendaOf = (item: Pick<ItemState, 'period' | 'due'>, cache = true): TimedAgendaItem[] => {
    const key = agendaKey(item);
    let agenda = agendas.get(key);
    if (!agenda) {
      agenda = obligationAgenda({ ...spec, due: item.due, activeFrom: input.activeFrom, policy }).items.map((a) => ({
        ...a,
        ms: Date.parse(a.at),
      }));
      if (cache) agendas.set(key, agenda);
    }
    return agenda;
  };
  const deadlineEnds = new Map<IsoDate, number>();
  const deadlineEndMs = (item: ItemState): number => {
    let end = deadlineEnds.get(item.due);
    if (end === undefined) {
      end = DateTime.fromISO(item.due, { zone: PLAN_TIMEZONE }).plus({ days: 1 }).toMillis();
      deadlineEnds.set(item.due, end);
    }
    return end;
  };
  const upcoming = (cache = true): UpcomingNotice[] => {
    const list: (UpcomingNotice & { ms: number })[] = [];
    for (const item of items) {
      if (TERMINAL.has(item.state) || closed) continue;
      for (const { ms, ...a } of agendaOf(item, cache)) {
        if (!item.sent.includes(a.stage)) list.push({ ...a, period: item.period, due: item.due, ms });
      }
    }
    return list.sort((a, b) => a.ms - b.ms).map(({ ms: _ms, ...a }) => a);
  };
  /** What every notice, outcome and event of this workflow is about. */
  const ref = { planId, taskNo: spec.taskNo, unitCode, obligation: spec.obligation };
  const event = (period: string | null, e: ObligationEvent) => recordEvent({ ...ref, period, event: e });
  const outcomeOf = (item: ItemState, evidence?: ObligationEvent): Outcome => ({
    ...ref,
    period: item.period,
    due: item.due,
    status: item.state as OutcomeStatus,
    fulfilledAt: item.fulfilledAt,
    evidence: evidence?.type === 'fulfilment' ? evidence.evidence : undefined,
  });
  const noticeOf = (item: ItemState, a: AgendaItem): Notice => {
    const n: Notice = {
      key: '',
      ...ref,
      period: item.period,
      due: item.due,
      stage: a.stage,
      at: a.at,
      notify: a.notify,
      leadUnitCodes: spec.leadUnitCodes,
      taskTitle: spec.title,
      requirement: spec.requirement,
    };
    // After an extension the same stage fires again for the new due date: a new key, not a duplicate.
    n.key = noticeKey({ ...n, period: item.extensions > 0 ? `${item.period ?? '-'}@${item.due}` : item.period });
    return n;
  };
  const outcome = (item: ItemState, evidence?: ObligationEvent) => recordOutcome(outcomeOf(item, evidence));

  /** The item a message means: the named period, or the only/earliest open one that has begun. */
  const pick = (period: string | null | undefined, what: string): ItemState => {
    if (closed) throw ApplicationFailure.nonRetryable(`${spec.id} of ${unitCode} is closed`, 'AlreadyClosed');
    if (period !== undefined && period !== null) {
      const item = items.find((i) => i.period === period);
      if (!item) {
        const known = items.map((i) => i.period).join(', ');
        throw ApplicationFailure.nonRetryable(
          `${spec.id} of ${unitCode} has no period '${period}' (periods: ${known})`,
          'UnknownPeriod',
        );
      }
      if (TERMINAL.has(item.state))
        throw ApplicationFailure.nonRetryable(
          `${spec.id} ${period} of ${unitCode} is already ${item.state}; cannot ${what}`,
          'AlreadyClosed',
        );
      return item;
    }
    const open = items.filter((i) => !TERMINAL.has(i.state));
    if (open.length === 0)
      throw ApplicationFailure.nonRetryable(
        `${spec.id} of ${unitCode} is already ${items[0]?.state}; cannot ${what}`,
        'AlreadyClosed',
      );
    if (items.length === 1) return open[0]!;
    // Recurring duties: the earliest open period that has begun (its predecessor's due date has passed).
    const today = iso(planNow()).slice(0, 10);
    return open.find((i) => periodStarted(i, today)) ?? open[0]!;
  };
  const periodStarted = (item: ItemState, today: IsoDate): boolean => {
    const index = spec.items.findIndex((i) => i.period === item.period);
    const previous = spec.items[index - 1];
    return !previous || previous.due < today;
  };
  const instant = (value: string | undefined, field: string): number => {
    if (value === undefined) return planNow();
    const ms = Date.parse(value);
    if (!/[+-]\d\d:\d\d$|Z$/.test(value) || Number.isNaN(ms))
      throw ApplicationFailure.nonRetryable(
        `${field}: '${value}' is not an ISO 8601 instant with offset`,
        'InvalidInstant',
      );
    if (ms > planNow() + 60_000)
      throw ApplicationFailure.nonRetryable(`${field}: ${value} is in the future`, 'InvalidInstant');
    return ms;
  };

  setHandler(statusQuery, status);
  // A query computes what it needs without keeping it: agendas are cached only for the loop's own items.
  setHandler(agendaQuery, () => upcoming(false));
  setHandler(overviewQuery, () => ({ status: status(), upcoming: upcoming(false) }));
  setHandler(timelineQuery, () => timeline);
  setHandler(closeSignal, ({ reason }) => {
    if (closed) return;
    closed = true;
    note({ at: iso(planNow()), type: 'closed', period: null, detail: reason });
  });

  setHandler(
    fulfilUpdate,
    async ({ period, at, evidence }) => {
      const item = pick(period, 'fulfil');
      const ms = instant(at, 'at');
      item.fulfilledAt = iso(ms);
      item.state = ms < deadlineEndMs(item) ? 'on-time' : 'late';
      const e: ObligationEvent = { type: 'fulfilment', at: item.fulfilledAt, evidence };
      note({
        at: item.fulfilledAt,
        type: 'fulfilment',
        period: item.period,
        detail: evidence.url ?? evidence.document,
      });
      await event(item.period, e);
      await outcome(item, e);
      return status();
    },
    {
      validator: ({ period, at, evidence }) => {
        pick(period, 'fulfil');
        const ms = instant(at, 'at');
        if (Date.parse(input.activeFrom) > ms + 366 * 24 * 3600 * 1000)
          throw ApplicationFailure.nonRetryable(`at: ${at} is long before the obligation began`, 'InvalidInstant');
        if (!evidence || typeof evidence.recordedBy !== 'string' || evidence.recordedBy.trim() === '')
          throw ApplicationFailure.nonRetryable('evidence.recordedBy: who recorded it is required', 'InvalidEvidence');
        if (!evidence.document && !evidence.url)
          throw ApplicationFailure.nonRetryable(
            'evidence: a document reference or a publication URL is required',
            'InvalidEvidence',
          );
      },
    },
  );

  setHandler(
    extendUpdate,
    async ({ period, newDue, reason, approver }) => {
      const item = pick(period, 'extend');
      const old = item.due;
      item.due = newDue;
      item.extended = true;
      item.extensions++;
      item.sent = [];
      if (item.state === 'overdue' || item.state === 'missed') item.state = 'pending';
      const at = iso(planNow());
      note({ at, type: 'extension', period: item.period, detail: `${old} → ${newDue}: ${reason} (${approver})` });
      await event(item.period, { type: 'extension', at, newDue, reason, approver });
      return status();
    },
    {
      validator: ({ period, newDue, reason, approver }) => {
        const item = pick(period, 'extend');
        if (!/^\d{4}-\d{2}-\d{2}$/.test(newDue) || !DateTime.fromISO(newDue, { zone: PLAN_TIMEZONE }).isValid)
          throw ApplicationFailure.nonRetryable(`newDue: '${newDue}' is not a date (YYYY-MM-DD)`, 'InvalidExtension');
        const today = iso(planNow()).slice(0, 10);
        if (newDue < today)
          throw ApplicationFailure.nonRetryable(
            `newDue: ${newDue} is in the past (today is ${today})`,
            'InvalidExtension',
          );
        if (newDue <= item.due)
          throw ApplicationFailure.nonRetryable(
            `newDue: ${newDue} is not after the current due date ${item.due}`,
            'InvalidExtension',
          );
        if (!reason?.trim()) throw ApplicationFailure.nonRetryable('reason: required', 'InvalidExtension');
        if (!approver?.trim()) throw ApplicationFailure.nonRetryable('approver: required', 'InvalidExtension');
        // The calendar must know the new due date's year, or the agenda cannot be computed.
        try {
          agendaOf({ ...item, due: newDue });
        } catch (err) {
          throw ApplicationFailure.nonRetryable(`newDue: ${(err as Error).message}`, 'InvalidExtension');
        }
      },
    },
  );

  setHandler(
    waiveUpdate,
    async ({ period, reason, approver }) => {
      const item = pick(period, 'waive');
      item.state = 'waived';
      const at = iso(planNow());
      note({ at, type: 'waiver', period: item.period, detail: `${reason} (${approver})` });
      await event(item.period, { type: 'waiver', at, reason, approver });
      await outcome(item);
      return status();
    },
    {
      validator: ({ period, reason, approver }) => {
        pick(period, 'waive');
        if (!reason?.trim()) throw ApplicationFailure.nonRetryable('reason: required', 'InvalidExtension');
        if (!approver?.trim()) throw ApplicationFailure.nonRetryable('approver: required', 'InvalidExtension');
      },
    },
  );

  const updateSearch = searchable(
    { planId, unitCode, obligation: spec.obligation, taskNo: spec.taskNo },
    { enabled: input.searchAttributes !== false, shiftMs: shift },
  );
  const upsert = (nextAt: string | number | undefined): void => {
    const open = items.find((i) => !TERMINAL.has(i.state));
    updateSearch(closed ? 'closed' : (open?.state ?? items[0]?.state ?? 'pending'), nextAt);
  };

  /** The loop of workflows started before {@link NOTICES_BATCHED_PATCH}, kept as it was for their replay. */
  const legacyLoop = async (): Promise<void> => {
    for (;;) {
      if (closed) break;
      // Items past every escalation are missed (recorded once); they stay open for a late fulfilment.
      for (const item of items) {
        if ((item.state === 'pending' || item.state === 'overdue') && planNow() >= deadlineEndMs(item)) {
          const remaining = agendaOf(item).filter((a) => !item.sent.includes(a.stage));
          const next: ItemStatus['state'] = remaining.length === 0 ? 'missed' : 'overdue';
          if (next !== item.state) {
            item.state = next;
            if (next === 'missed') {
              note({ at: iso(planNow()), type: 'missed', period: item.period });
              await outcome(item);
            }
          }
        }
      }
      if (items.every((i) => TERMINAL.has(i.state))) break;
      const next = upcoming()[0];
      upsert(next?.at);
      const seen = version;
      if (next) {
        const wait = Date.parse(next.at) - planNow();
        if (wait > 0) {
          await condition(() => version !== seen || closed, wait);
          continue;
        }
        const item = items.find((i) => i.period === next.period)!;
        const n = noticeOf(item, next);
        item.sent.push(next.stage);
        try {
          const { recipients } = await sendNotice(n);
          note({ at: next.at, type: 'notice', period: item.period, stage: next.stage, recipients });
        } catch (err) {
          // Non-retryable refusals (no such unit in the directory, undeliverable) are on record, not fatal.
          log.warn('notice not sent', { key: n.key, error: (err as Error).message });
          note({
            at: next.at,
            type: 'notice-failed',
            period: item.period,
            stage: next.stage,
            detail: (err as Error).message,
          });
        }
      } else {
        // Nothing scheduled: wait for a message (late fulfilment, extension, waiver, close).
        await condition(() => version !== seen || closed);
        continue;
      }
      if (workflowInfo().historyLength > (input.historyLimit ?? HISTORY_EVENTS_BEFORE_CONTINUE)) {
        await condition(allHandlersFinished);
        await continueAsNew<typeof obligationWorkflow>({ ...input, state: { items, timeline, closed } });
      }
    }
  };

  // The batched loop's wait: a timer set for an instant no later than the next one is waited on again rather than
  // setting another, and any message ends the wait early.
  const sleepUntil = (at: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      wake = resolve;
      if (!pendingTimer || pendingTimer.at > at) {
        const timer = { at, fired: sleep(Math.max(1, at - planNow())) };
        const clear = (): void => {
          if (pendingTimer === timer) pendingTimer = undefined;
        };
        timer.fired.then(clear, clear);
        pendingTimer = timer;
      }
      // A cancelled workflow rejects its timer, and the loop with it.
      pendingTimer.fired.then(resolve, reject);
    });
  /** Open items whose notices may still fire (pending or overdue), earliest due date first. */
  const openByDue = (): ItemState[] =>
    items
      .filter((i) => i.state === 'pending' || i.state === 'overdue')
      .sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : 0));

  /**
   * The loop of workflows started after {@link NOTICES_BATCHED_PATCH}: at each instant, every notice due and every
   * item that has just run out of escalations go to one `deliverDue` local activity, then one timer to the next
   * instant. An item's agenda starts no earlier than that of an item due before it, so the scan stops at the first
   * item that starts after the earliest instant found.
   */
  const batchedLoop = async (): Promise<void> => {
    for (;;) {
      if (closed) return;
      const now = planNow();
      const open = openByDue();
      const due: { item: ItemState; a: TimedAgendaItem }[] = [];
      let next: number | undefined;
      for (const item of open) {
        const agenda = agendaOf(item);
        const first = agenda[0];
        if (first && first.ms > now && next !== undefined && first.ms >= next) break;
        for (const a of agenda) {
          if (item.sent.includes(a.stage)) continue;
          if (a.ms <= now) {
            due.push({ item, a });
          } else {
            if (next === undefined || a.ms < next) next = a.ms;
            break;
          }
        }
      }
      due.sort((x, y) => x.a.ms - y.a.ms);
      const notices = due.map(({ item, a }) => {
        item.sent.push(a.stage);
        return noticeOf(item, a);
      });
      // Items past their due date: overdue while escalations remain, missed (and recorded) once none do.
      const outcomes: Outcome[] = [];
      for (const item of open) {
        if (now < deadlineEndMs(item)) break;
        const remaining = agendaOf(item).some((a) => !item.sent.includes(a.stage));
        const state: ItemStatus['state'] = remaining ? 'overdue' : 'missed';
        if (state === item.state) continue;
        item.state = state;
        if (state === 'missed') {
          note({ at: iso(now), type: 'missed', period: item.period });
          outcomes.push(outcomeOf(item));
          agendas.delete(agendaKey(item));
        }
      }
      if (notices.length > 0 || outcomes.length > 0) {
        const report = await deliverDue({ notices, outcomes });
        for (const r of report.notices) {
          if (r.refused) {
            // Refused for good (no such unit in the directory, undeliverable): on record, not fatal.
            log.warn('notice not sent', { key: r.key, error: r.refused.message });
            note({ at: r.at, type: 'notice-failed', period: r.period, stage: r.stage, detail: r.refused.message });
          } else {
            note({ at: r.at, type: 'notice', period: r.period, stage: r.stage, recipients: r.recipients });
          }
        }
        if (workflowInfo().historyLength > (input.historyLimit ?? HISTORY_EVENTS_BEFORE_CONTINUE)) {
          await condition(allHandlersFinished);
          await continueAsNew<typeof obligationWorkflow>({ ...input, state: { items, timeline, closed } });
        }
        continue;
      }
      if (items.every((i) => TERMINAL.has(i.state))) return;
      upsert(next);
      if (next === undefined) {
        // Nothing scheduled: wait for a message (late fulfilment, extension, waiver, close).
        const seen = version;
        await condition(() => version !== seen || closed);
      } else {
        await sleepUntil(next);
      }
    }
  };

  const batched = patched(NOTICES_BATCHED_PATCH);
  if (batched) await batchedLoop();
  else await legacyLoop();
  if (closed) {
    // Items neither done nor missed are recorded as they stand: missed if past due, otherwise left open.
    const outcomes: Outcome[] = [];
    for (const item of items) {
      if (!TERMINAL.has(item.state) && item.state !== 'missed') {
        item.state = planNow() >= deadlineEndMs(item) ? 'missed' : 'open';
        if (batched) outcomes.push(outcomeOf(item));
        else await outcome(item);
      }
    }
    if (outcomes.length > 0) await deliverDue({ notices: [], outcomes });
  }
  upsert(undefined);
  // Updates still recording their outcome finish before the workflow completes.
  await condition(allHandlersFinished);
  return status();
}
