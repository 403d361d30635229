/**
 * One obligation of one unit (实施方案, 季度落实情况, 全年落实情况, a task deadline, a recurring publication):
 * sleeps until the next instant of its agenda or the next message, sends each notice once, records outcomes.
 */
import { allHandlersFinished, condition, log, setHandler, sleep } from '@temporalio/workflow';
import { isIsoDate } from '../src/domain/calendar';
import { deadlineEndMs, isOnTime } from '../src/domain/deadlines';
import { firstReminderStage } from '../src/domain/lights';
import type { Notice, ObligationEvent, Outcome, SignedNotice } from '../src/domain/notice';
import { itemViewOf, type ItemView, type ObligationOverview, type OverviewItem } from '../src/domain/overview';
import type { ObligationSpec } from '../src/domain/obligations';
import type { IsoDate } from '../src/domain/plan';
import { DEFAULT_POLICY, obligationAgenda, type AgendaItem } from '../src/domain/policy';
import { addWorkingHours, asksSignFor, unsignedStage } from '../src/domain/sign-for';
import {
  calendarSignal,
  closeSignal,
  extendUpdate,
  fulfilUpdate,
  overviewQuery,
  signForUpdate,
  statusQuery,
  waiveUpdate,
  type ItemStatus,
  type ObligationStatus,
  type TimelineEntry,
  type UpcomingNotice,
} from './messages';
import { deadlineActivities, deadlineLocalActivities } from './activity-proxies';
import {
  answerTimelineAndAgenda,
  checkEvidence,
  checkReasonAndApprover,
  continueAsNewPastLimit,
  pastHistoryLimit,
  instantArg,
  keyedNotice,
  noteDelivery,
  outcomeOf,
  planClock,
  recordedBeside,
  refuse,
  sendAndNote,
  patchedIn,
  startingHolidayYears,
  WORKFLOW_GENERATION,
  Timeline,
  WorkflowCalendar,
  type RunOptions,
} from './kit';
import { searchable } from './search-status';

const { sendNotice, recordOutcome, recordEvent } = deadlineActivities;
const { deliverDue, holidayYears, recordOverview } = deadlineLocalActivities;

/**
 * Workflows started before this patch send each notice and each missed outcome as its own activity after waking
 * on `condition(…, wait)`, and replay that way. Workflows started after it wake on a plain timer and hand every
 * notice and outcome of an instant to one local activity, `deliverDue`: half the workflow activations per notice
 * and no activity round trips through the server.
 */
const NOTICES_BATCHED_PATCH = 'obligation-notices-batched';
/** Workflows from this patch on tell the general office when holiday data given to them cannot be used. */
const CALENDAR_ERROR_NOTICE_PATCH = 'calendar-error-notice';
/**
 * Workflows whose policy escalates notices not signed for (`policy.signFor`) send `unsigned-<stage>` notices from
 * this patch on. Without that option nothing changes, and the patch is not even asked about.
 */
const UNSIGNED_ESCALATION_PATCH = 'sign-for-unsigned-escalation';
/**
 * Workflows from this patch on hand their overview to the activities with every notice, outcome and event (and on
 * its own when a signal or the clock changed it), so the store's read model holds what `overviewQuery` answers.
 */
const OVERVIEW_READ_MODEL_PATCH = 'obligation-overview-read-model';

/** Input of {@link obligationWorkflow}. */
export interface ObligationInput extends RunOptions {
  planId: string;
  unitCode: string;
  spec: ObligationSpec;
  /** When the obligation became active (import time or publish date); earlier notices are never sent. */
  activeFrom: string;
  /** Carried over continue-as-new. */
  state?: CarriedState;
}

interface ItemState extends ItemStatus {
  /** Stages already sent for the current due date. */
  sent: string[];
  extensions: number;
  /** Why this item's dates could not be computed (it is skipped until an extension or new calendar data). */
  calendarError?: string;
}

interface CarriedState {
  items: ItemState[];
  timeline: TimelineEntry[];
  closed: boolean;
  /** Why the holiday data last given could not be used. (Default: absent) */
  calendarError?: string;
  /** Keys of the notices signed for (签收). (Default: none) */
  signed?: string[];
}

const TERMINAL = new Set<ItemStatus['state']>(['on-time', 'late', 'waived']);

/** An agenda entry with its instant in epoch milliseconds, computed once. */
interface TimedAgendaItem extends AgendaItem {
  ms: number;
  /** Provisional years (no holiday notice yet) the item's dates depend on; absent when none. */
  provisional?: number[];
}

/** Runs one obligation of one unit until every item is fulfilled or waived, or the plan is closed. */
export async function obligationWorkflow(input: ObligationInput): Promise<ObligationStatus> {
  const { spec, planId, unitCode } = input;
  const policy = input.policy ?? DEFAULT_POLICY;
  const shift = input.timeShiftMs ?? 0;
  const clock = planClock(shift);

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
  const timeline = new Timeline(input.state?.timeline);
  let closed = input.state?.closed ?? false;
  /** Keys of the notices signed for. */
  const signed = new Set<string>(input.state?.signed);
  const calendar = new WorkflowCalendar(input.holidayYears);
  /** Why the holiday data last given could not be used; shown by the status until usable data arrives. */
  let calendarError = input.state?.calendarError;
  /** The same, still to be told to the general office (the loop sends it). */
  let calendarErrorUntold: string | undefined;
  const calendarDataError = (at: string, error: string): void => {
    calendarError = error;
    calendarErrorUntold = error;
    note({ at, type: 'calendar-error', period: null, detail: error });
  };
  /** Ends the batched loop's current wait (set while it waits; see `sleepUntil`). */
  let wake: (() => void) | undefined;
  let pendingTimer: { at: number; fired: Promise<void> } | undefined;
  const wakeLoop = (): void => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  // The batched loop's wait ends on any change (see sleepUntil below).
  timeline.onEntry = wakeLoop;
  const note = (entry: TimelineEntry): void => timeline.note(entry);
  const status = (): ObligationStatus => ({
    obligation: spec.obligation,
    taskNo: spec.taskNo,
    unitCode,
    closed,
    ...(calendarError ? { calendarError } : {}),
    items: items.map(({ period, due, state, fulfilledAt, extended, calendarError }) => ({
      period,
      due,
      state,
      fulfilledAt,
      extended,
      ...(calendarError ? { calendarError } : {}),
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
      const computed = obligationAgenda({
        ...spec,
        due: item.due,
        activeFrom: input.activeFrom,
        policy,
        calendar: calendar.calendar,
      });
      const provisional = computed.provisionalYears.length > 0 ? { provisional: computed.provisionalYears } : {};
      agenda = computed.items.map((a) => ({ ...a, ms: Date.parse(a.at), ...provisional }));
      if (cache) agendas.set(key, agenda);
    }
    return agenda;
  };
  /** {@link agendaOf}, or why the item's dates cannot be computed: a date computation never fails the workflow task. */
  const tryAgendaOf = (item: Pick<ItemState, 'period' | 'due'>, cache = true): TimedAgendaItem[] | string => {
    try {
      return agendaOf(item, cache);
    } catch (err) {
      return `the dates of ${item.period ?? spec.id} (due ${item.due}) cannot be computed: ${(err as Error).message}`;
    }
  };
  const upcoming = (cache = true): UpcomingNotice[] => {
    const list: (UpcomingNotice & { ms: number })[] = [];
    for (const item of items) {
      if (TERMINAL.has(item.state) || closed || item.calendarError) continue;
      const agenda = tryAgendaOf(item, cache);
      if (typeof agenda === 'string') continue;
      for (const { ms, ...a } of agenda) {
        if (!item.sent.includes(a.stage))
          list.push({ ...a, obligation: spec.obligation, period: item.period, due: item.due, ms });
      }
    }
    return list.sort((a, b) => a.ms - b.ms).map(({ ms: _ms, ...a }) => a);
  };
  /** Whether the read model is kept (see {@link OVERVIEW_READ_MODEL_PATCH}); asked where it would write. */
  let readModel = false;
  const readModelOn = (): boolean => (readModel ||= patchedIn(input, OVERVIEW_READ_MODEL_PATCH));
  /** The overview changed since it was last handed to an activity (a new run starts unwritten). */
  let overviewDirty = true;
  let overviewSeq = 0;
  const firstStage = firstReminderStage(spec.rule, policy);
  /**
   * Each item's next notice and light inputs, kept while the item's due date, stages sent, state and calendar stay
   * the same: an overview recomputes only the items that changed (a weekly duty's 52 agendas are not walked at every
   * notice), and keeps four fields an item rather than its agenda.
   */
  const itemViews = new Map<string, { key: string; view: ItemView }>();
  const itemView = (item: ItemState): ItemView => {
    const key = `${item.due}|${item.sent.length}|${item.state}|${closed}|${item.calendarError ?? ''}`;
    const id = item.period ?? '-';
    const kept = itemViews.get(id);
    if (kept?.key === key) return kept.view;
    // What `upcoming()` lists for the item: its unsent stages, unless it is done, closed or without dates.
    const agenda = TERMINAL.has(item.state) || closed || item.calendarError ? [] : tryAgendaOf(item, false);
    const unsent = typeof agenda === 'string' ? [] : agenda.filter((a) => !item.sent.includes(a.stage));
    const view = itemViewOf(unsent, firstStage);
    itemViews.set(id, { key, view });
    return view;
  };
  /**
   * Per item (by position), what the read model last confirmed holding: a key of everything its row is written
   * from. The local activities of the loop get only the items whose key changed (a weekly duty's 52 rows are not
   * rewritten at every notice); a new run, a new calendar or a failed write starts from nothing, i.e. every item.
   */
  const written = new Map<number, string>();
  const rowKey = (item: ItemState): string =>
    `${item.period}|${item.due}|${item.sent.join()}|${item.state}|${item.fulfilledAt}|${item.extended}|` +
    `${item.calendarError ?? ''}|${closed}|${calendarError ?? ''}`;
  /**
   * The overview now, as `overviewQuery` would answer it, marked as handed over. With `changed`, only the items whose
   * row differs from what the store was last confirmed to hold, with their positions (`indexes`), and the keys to
   * {@link confirmWritten} once the write is done.
   */
  const takeOverview = (changed?: Map<number, string>): ObligationOverview => {
    overviewDirty = false;
    const row = (item: ItemState): OverviewItem => ({
      period: item.period,
      due: item.due,
      state: item.state,
      fulfilledAt: item.fulfilledAt,
      extended: item.extended,
      ...(item.calendarError ? { calendarError: item.calendarError } : {}),
      ...itemView(item),
    });
    let rows: { items: OverviewItem[]; indexes?: number[] };
    if (changed) {
      const delta = { items: [] as OverviewItem[], indexes: [] as number[] };
      items.forEach((item, index) => {
        const key = rowKey(item);
        if (written.get(index) === key) return;
        changed.set(index, key);
        delta.items.push(row(item));
        delta.indexes.push(index);
      });
      rows = delta;
    } else {
      rows = { items: items.map(row) };
    }
    return {
      planId,
      unitCode,
      taskNo: spec.taskNo,
      obligation: spec.obligation,
      obligationId: spec.id,
      closed,
      ...(calendarError ? { calendarError } : {}),
      asOfMs: clock.now(),
      seq: ++overviewSeq,
      ...rows,
    };
  };
  /** Marks the rows of a finished write as held by the store. */
  const confirmWritten = (changed: Map<number, string>): void => {
    for (const [index, key] of changed) written.set(index, key);
  };
  /** The overview to hand with an activity call: none in histories from before the read model. */
  const withOverview = (): { overview?: ObligationOverview } => (readModelOn() ? { overview: takeOverview() } : {});
  /**
   * For a local activity of the loop: the overview's changed items (none in histories from before the read model),
   * their keys put in `changed` for {@link confirmWritten} once the activity has returned.
   */
  const withChangedOverview = (changed: Map<number, string>): { overview?: ObligationOverview } =>
    readModelOn() ? { overview: takeOverview(changed) } : {};
  /** Something changed that no activity recorded: the loop writes the overview at its next wait. */
  const overviewChanged = (): void => {
    overviewDirty = true;
    if (readModel) wakeLoop();
  };
  /** What every notice, outcome and event of this workflow is about. */
  const ref = { planId, taskNo: spec.taskNo, unitCode, obligation: spec.obligation };
  const event = (period: string | null, e: ObligationEvent) =>
    recordEvent({ ...ref, period, event: e, ...withOverview() });
  const itemOutcome = (item: ItemState, evidence?: ObligationEvent): Outcome =>
    outcomeOf({ ...ref, period: item.period, due: item.due }, item.state, item.fulfilledAt, {
      evidence: evidence?.type === 'fulfilment' ? evidence.evidence : undefined,
    });
  const noticeOf = (item: ItemState, a: AgendaItem & { provisional?: number[] }): Notice =>
    keyedNotice(
      {
        ...ref,
        period: item.period,
        due: item.due,
        stage: a.stage,
        at: a.at,
        notify: a.notify,
        ...(a.provisional ? { provisional: a.provisional } : {}),
        leadUnitCodes: spec.leadUnitCodes,
        taskTitle: spec.title,
        requirement: spec.requirement,
      },
      // After an extension the same stage fires again for the new due date: a new key, not a duplicate.
      item.extensions > 0 ? `${item.period ?? '-'}@${item.due}` : item.period,
    );
  const outcome = (item: ItemState, evidence?: ObligationEvent) =>
    recordOutcome(itemOutcome(item, evidence), withOverview().overview);

  /** The item a message means: the named period, or the only/earliest open one that has begun. */
  const pick = (period: string | null | undefined, what: string): ItemState => {
    if (closed) refuse(`${spec.id} of ${unitCode} is closed`, 'AlreadyClosed');
    if (period !== undefined && period !== null) {
      const item = items.find((i) => i.period === period);
      if (!item) {
        const known = items.map((i) => i.period).join(', ');
        return refuse(`${spec.id} of ${unitCode} has no period '${period}' (periods: ${known})`, 'UnknownPeriod');
      }
      if (TERMINAL.has(item.state))
        refuse(`${spec.id} ${period} of ${unitCode} is already ${item.state}; cannot ${what}`, 'AlreadyClosed');
      return item;
    }
    const open = items.filter((i) => !TERMINAL.has(i.state));
    if (open.length === 0)
      refuse(`${spec.id} of ${unitCode} is already ${items[0]?.state}; cannot ${what}`, 'AlreadyClosed');
    if (items.length === 1) return open[0]!;
    // Recurring duties: the earliest open period that has begun (its predecessor's due date has passed).
    const today = clock.today();
    return open.find((i) => periodStarted(i, today)) ?? open[0]!;
  };
  const periodStarted = (item: ItemState, today: IsoDate): boolean => {
    const index = spec.items.findIndex((i) => i.period === item.period);
    const previous = spec.items[index - 1];
    return !previous || previous.due < today;
  };
  setHandler(statusQuery, status);
  // A query computes what it needs without keeping it: agendas are cached only for the loop's own items.
  answerTimelineAndAgenda(timeline, () => upcoming(false));
  setHandler(overviewQuery, () => ({ status: status(), upcoming: upcoming(false) }));
  setHandler(closeSignal, ({ reason }) => {
    if (closed) return;
    closed = true;
    overviewChanged();
    note({ at: clock.iso(clock.now()), type: 'closed', period: null, detail: reason });
  });

  setHandler(calendarSignal, ({ years }) => {
    overviewChanged();
    const at = clock.iso(clock.now());
    const open = items.filter((i) => i.state === 'pending' || i.state === 'overdue');
    const before = new Map(open.map((i) => [agendaKey(i), tryAgendaOf(i, false)]));
    const error = calendar.replace(years);
    if (error) return calendarDataError(at, error);
    calendarError = undefined;
    agendas.clear();
    itemViews.clear();
    written.clear();
    const moved: string[] = [];
    for (const item of open) {
      const was = before.get(agendaKey(item));
      item.calendarError = undefined;
      const now = tryAgendaOf(item);
      if (typeof now === 'string' || typeof was === 'string' || !was) continue;
      for (const a of now) {
        const old = was.find((w) => w.stage === a.stage);
        if (!item.sent.includes(a.stage) && old && old.at !== a.at)
          moved.push(`${item.period ? `${item.period} ` : ''}${a.stage} ${old.at.slice(0, 10)} → ${a.at.slice(0, 10)}`);
      }
    }
    if (moved.length > 0) {
      const list = moved.slice(0, 8).join('; ') + (moved.length > 8 ? `; … (${moved.length} in all)` : '');
      note({
        at,
        type: 'calendar',
        period: null,
        detail: `holiday notices of ${years.map((y) => y.year).join(', ')}: ${list}`,
      });
    }
  });

  setHandler(
    fulfilUpdate,
    async ({ period, at, evidence }) => {
      const item = pick(period, 'fulfil');
      const ms = instantArg(clock, at, 'at');
      item.fulfilledAt = clock.iso(ms);
      item.state = isOnTime(ms, item.due) ? 'on-time' : 'late';
      const e: ObligationEvent = { type: 'fulfilment', at: item.fulfilledAt, evidence };
      note({
        at: item.fulfilledAt,
        type: 'fulfilment',
        period: item.period,
        detail: `${evidence.url ?? evidence.document}${recordedBeside(clock, ms)}`,
      });
      await event(item.period, e);
      await outcome(item, e);
      return status();
    },
    {
      validator: ({ period, at, evidence }) => {
        const item = pick(period, 'fulfil');
        const ms = instantArg(clock, at, 'at');
        // December's publication cannot be done in May: a period is fulfilled once it has begun.
        if (!periodStarted(item, clock.iso(ms).slice(0, 10)))
          refuse(
            `${spec.id} ${item.period} of ${unitCode} has not begun yet; it cannot be fulfilled`,
            'PeriodNotBegun',
          );
        if (Date.parse(input.activeFrom) > ms + 366 * 24 * 3600 * 1000)
          refuse(`at: ${at} is long before the obligation began`, 'InvalidInstant');
        checkEvidence(evidence);
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
      item.calendarError = undefined;
      if (item.state === 'overdue' || item.state === 'missed') item.state = 'pending';
      const at = clock.iso(clock.now());
      note({ at, type: 'extension', period: item.period, detail: `${old} → ${newDue}: ${reason} (${approver})` });
      await event(item.period, { type: 'extension', at, newDue, reason, approver });
      return status();
    },
    {
      validator: ({ period, newDue, reason, approver }) => {
        const item = pick(period, 'extend');
        if (!isIsoDate(newDue)) refuse(`newDue: '${newDue}' is not a date (YYYY-MM-DD)`, 'InvalidExtension');
        const today = clock.today();
        if (newDue < today) refuse(`newDue: ${newDue} is in the past (today is ${today})`, 'InvalidExtension');
        if (newDue <= item.due)
          refuse(`newDue: ${newDue} is not after the current due date ${item.due}`, 'InvalidExtension');
        checkReasonAndApprover({ reason, approver }, 'InvalidExtension');
        // The calendar must know the new due date's year, or the agenda cannot be computed.
        try {
          agendaOf({ ...item, due: newDue });
        } catch (err) {
          refuse(`newDue: ${(err as Error).message}`, 'InvalidExtension');
        }
      },
    },
  );

  setHandler(
    waiveUpdate,
    async ({ period, reason, approver }) => {
      const item = pick(period, 'waive');
      item.state = 'waived';
      const at = clock.iso(clock.now());
      note({ at, type: 'waiver', period: item.period, detail: `${reason} (${approver})` });
      await event(item.period, { type: 'waiver', at, reason, approver });
      await outcome(item);
      return status();
    },
    {
      validator: ({ period, reason, approver }) => {
        pick(period, 'waive');
        checkReasonAndApprover({ reason, approver }, 'InvalidWaiver');
      },
    },
  );

  /** The reminders and escalations of an item sent for its current due date, with their keys and instants. */
  const sentForSignFor = (item: ItemState, cache = false): (SignedNotice & { ms: number })[] => {
    if (!item.sent.some(asksSignFor)) return [];
    const agenda = tryAgendaOf(item, cache);
    if (typeof agenda === 'string') return [];
    return agenda
      .filter((a) => asksSignFor(a.stage) && item.sent.includes(a.stage))
      .map((a) => ({ key: noticeOf(item, a).key, stage: a.stage, sentAt: a.at, ms: a.ms }));
  };
  /** What a sign-for means: the named notice, or every one sent and not signed for; refused as the validator says. */
  const signForTargets = (noticeKey: string | undefined): { item: ItemState; notices: SignedNotice[] }[] => {
    if (closed) refuse(`${spec.id} of ${unitCode} is closed; there is nothing to sign for`, 'AlreadyClosed');
    if (noticeKey !== undefined) {
      for (const item of items) {
        const n = sentForSignFor(item).find((x) => x.key === noticeKey);
        if (!n) continue;
        if (signed.has(n.key)) refuse(`notice ${n.key} was already signed for`, 'AlreadySignedFor');
        if (TERMINAL.has(item.state))
          refuse(
            `${spec.id} ${item.period ?? ''} of ${unitCode} is already ${item.state}; cannot sign for`,
            'AlreadyClosed',
          );
        return [{ item, notices: [{ key: n.key, stage: n.stage, sentAt: n.sentAt }] }];
      }
      return refuse(`${spec.id} of ${unitCode} sent no notice ${noticeKey} to sign for`, 'NothingToSignFor');
    }
    const targets = items
      .filter((i) => !TERMINAL.has(i.state))
      .map((item) => ({
        item,
        notices: sentForSignFor(item)
          .filter((n) => !signed.has(n.key))
          .map(({ key, stage, sentAt }) => ({ key, stage, sentAt })),
      }))
      .filter((t) => t.notices.length > 0);
    if (targets.length === 0)
      refuse(`${spec.id} of ${unitCode} has no reminder or escalation waiting to be signed for`, 'NothingToSignFor');
    return targets;
  };
  setHandler(
    signForUpdate,
    async ({ noticeKey, by, via }) => {
      const targets = signForTargets(noticeKey);
      const at = clock.iso(clock.now());
      for (const { item, notices } of targets) {
        for (const n of notices) {
          signed.add(n.key);
          note({ at, type: 'sign-for', period: item.period, stage: n.stage, detail: `${by} (${via})` });
        }
      }
      for (const { item, notices } of targets) await event(item.period, { type: 'sign-for', at, notices, by, via });
      return status();
    },
    {
      validator: ({ noticeKey, by, via }) => {
        if (typeof by !== 'string' || by.trim() === '') refuse('by: who signs for is required', 'InvalidInput');
        if (via !== 'link' && via !== 'dashboard' && via !== 'cli')
          refuse(`via: '${String(via)}' is not link, dashboard or cli`, 'InvalidInput');
        if (noticeKey !== undefined && typeof noticeKey !== 'string')
          refuse('noticeKey: must be a notice key', 'InvalidInput');
        signForTargets(noticeKey);
      },
    },
  );

  const updateSearch = searchable(
    { planId, unitCode, obligation: spec.obligation, taskNo: spec.taskNo },
    { enabled: input.searchAttributes !== false, shiftMs: shift, givenAtStart: input.generation !== undefined },
  );
  const upsert = (nextAt: string | number | undefined): void => {
    const open = items.find((i) => !TERMINAL.has(i.state));
    updateSearch(closed ? 'closed' : (open?.state ?? items[0]?.state ?? 'pending'), nextAt);
  };

  const carried = (): ObligationInput => ({
    ...input,
    // The next run starts under this code: it takes this generation's patches without asking.
    generation: WORKFLOW_GENERATION,
    holidayYears: calendar.added,
    state: {
      items,
      timeline: timeline.entries,
      closed,
      ...(calendarError ? { calendarError } : {}),
      ...(signed.size > 0 ? { signed: [...signed] } : {}),
    },
  });

  /** The loop of workflows started before {@link NOTICES_BATCHED_PATCH}, kept as it was for their replay. */
  const legacyLoop = async (): Promise<void> => {
    for (;;) {
      if (closed) break;
      // Items past every escalation are missed (recorded once); they stay open for a late fulfilment.
      for (const item of items) {
        if ((item.state === 'pending' || item.state === 'overdue') && clock.now() >= deadlineEndMs(item.due)) {
          const remaining = agendaOf(item).filter((a) => !item.sent.includes(a.stage));
          const next: ItemStatus['state'] = remaining.length === 0 ? 'missed' : 'overdue';
          if (next !== item.state) {
            item.state = next;
            if (next === 'missed') {
              note({ at: clock.iso(clock.now()), type: 'missed', period: item.period });
              await outcome(item);
            }
          }
        }
      }
      if (items.every((i) => TERMINAL.has(i.state))) break;
      const next = upcoming()[0];
      upsert(next?.at);
      const seen = timeline.version;
      if (next) {
        const wait = Date.parse(next.at) - clock.now();
        if (wait > 0) {
          await condition(() => timeline.version !== seen || closed, wait);
          continue;
        }
        const item = items.find((i) => i.period === next.period)!;
        const n = noticeOf(item, next);
        item.sent.push(next.stage);
        await sendAndNote(sendNotice, n, timeline, { period: item.period });
      } else {
        // Nothing scheduled: wait for a message (late fulfilment, extension, waiver, close).
        await condition(() => timeline.version !== seen || closed);
        continue;
      }
      await continueAsNewPastLimit<typeof obligationWorkflow>(input.historyLimit, carried);
    }
  };

  // The batched loop's wait: a timer set for an instant no later than the next one is waited on again rather than
  // setting another, and any message ends the wait early.
  const sleepUntil = (at: number): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      wake = resolve;
      if (!pendingTimer || pendingTimer.at > at) pendingTimer = { at, fired: sleep(Math.max(1, at - clock.now())) };
      const timer = pendingTimer;
      // Every wait on a timer forgets it once it has fired (one handler, not a second chain: each promise made in
      // workflow code records a stack trace). A cancelled workflow rejects its timer, and the loop with it.
      timer.fired.then(
        () => {
          if (pendingTimer === timer) pendingTimer = undefined;
          resolve();
        },
        (err: unknown) => {
          if (pendingTimer === timer) pendingTimer = undefined;
          reject(err);
        },
      );
    });
  /** Open items whose notices may still fire (pending or overdue), earliest due date first. */
  const openByDue = (): ItemState[] =>
    items
      .filter((i) => (i.state === 'pending' || i.state === 'overdue') && !i.calendarError)
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
      const now = clock.now();
      const open = openByDue();
      const due: { item: ItemState; a: TimedAgendaItem }[] = [];
      let next: number | undefined;
      const failed: ItemState[] = [];
      for (const item of open) {
        const agenda = tryAgendaOf(item);
        if (typeof agenda === 'string') {
          // On record and to the general office; the other items go on.
          item.calendarError = agenda;
          failed.push(item);
          continue;
        }
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
      const unsigned = policy.signFor;
      if (unsigned && patchedIn(input, UNSIGNED_ESCALATION_PATCH)) {
        // Reminders and escalations not signed for within the working hours: one `unsigned-<stage>` notice each.
        for (const item of open) {
          for (const n of sentForSignFor(item, true)) {
            const stage = unsignedStage(n.stage);
            if (signed.has(n.key) || item.sent.includes(stage)) continue;
            let atMs: number;
            try {
              atMs = addWorkingHours(n.ms, unsigned.escalateAfterWorkingHours, calendar.calendar);
            } catch {
              continue;
            }
            if (atMs > now) {
              if (next === undefined || atMs < next) next = atMs;
              continue;
            }
            item.sent.push(stage);
            notices.push(noticeOf(item, { at: clock.iso(atMs), stage, notify: [...unsigned.notify] }));
          }
        }
      }
      if (calendarErrorUntold !== undefined) {
        const detail = calendarErrorUntold;
        calendarErrorUntold = undefined;
        // Histories from before the patch sent nothing here.
        const item = open[0] ?? items[0];
        if (item && patchedIn(input, CALENDAR_ERROR_NOTICE_PATCH)) {
          const at = clock.iso(now);
          const { key: _key, ...about } = noticeOf(item, { at, stage: 'calendar-error', notify: ['general-office'] });
          // Keyed by the instant: data that cannot be used may come again, and each time the office is told.
          notices.push(keyedNotice({ ...about, requirement: detail }, `calendar@${at}`));
        }
      }
      for (const item of failed) {
        log.error('obligation dates cannot be computed', { workflow: spec.id, error: item.calendarError });
        note({ at: clock.iso(now), type: 'calendar-error', period: item.period, detail: item.calendarError });
        notices.push(noticeOf(item, { at: clock.iso(now), stage: 'calendar-error', notify: ['general-office'] }));
      }
      // Items past their due date: overdue while escalations remain, missed (and recorded) once none do.
      const outcomes: Outcome[] = [];
      for (const item of open) {
        if (item.calendarError) continue;
        if (now < deadlineEndMs(item.due)) break;
        const remaining = agendaOf(item).some((a) => !item.sent.includes(a.stage));
        const state: ItemStatus['state'] = remaining ? 'overdue' : 'missed';
        if (state === item.state) continue;
        item.state = state;
        overviewDirty = true;
        if (state === 'missed') {
          note({ at: clock.iso(now), type: 'missed', period: item.period });
          outcomes.push(itemOutcome(item));
          // Its view for the overview from the agenda at hand, before the agenda leaves the cache.
          itemView(item);
          agendas.delete(agendaKey(item));
        }
      }
      if (notices.length > 0 || outcomes.length > 0) {
        const changed = new Map<number, string>();
        noteDelivery(await deliverDue({ notices, outcomes, ...withChangedOverview(changed) }), timeline);
        confirmWritten(changed);
        if (pastHistoryLimit(input.historyLimit))
          await continueAsNewPastLimit<typeof obligationWorkflow>(input.historyLimit, carried);
        continue;
      }
      if (items.every((i) => TERMINAL.has(i.state))) return;
      if (overviewDirty && readModelOn()) {
        const changed = new Map<number, string>();
        await recordOverview(takeOverview(changed));
        confirmWritten(changed);
        continue;
      }
      upsert(next);
      if (next === undefined) {
        // Nothing scheduled: wait for a message (late fulfilment, extension, waiver, close).
        const seen = timeline.version;
        await condition(() => timeline.version !== seen || closed || (readModel && overviewDirty));
      } else {
        await sleepUntil(next);
      }
    }
  };

  if (!input.holidayYears) {
    // The installation's added years, read once; later ones arrive by the calendar signal.
    const error = calendar.replace(await startingHolidayYears(undefined, holidayYears, input));
    if (error) calendarDataError(clock.iso(clock.now()), error);
    agendas.clear();
    itemViews.clear();
    written.clear();
  } else if (calendar.error) {
    calendarDataError(clock.iso(clock.now()), calendar.error);
  }
  const batched = patchedIn(input, NOTICES_BATCHED_PATCH);
  if (batched) await batchedLoop();
  else await legacyLoop();
  if (closed) {
    // Items neither done nor missed are recorded as they stand: missed if past due, otherwise left open.
    const outcomes: Outcome[] = [];
    for (const item of items) {
      if (!TERMINAL.has(item.state) && item.state !== 'missed') {
        item.state = clock.now() >= deadlineEndMs(item.due) ? 'missed' : 'open';
        if (batched) outcomes.push(itemOutcome(item));
        else await outcome(item);
      }
    }
    if (outcomes.length > 0) await deliverDue({ notices: [], outcomes, ...withOverview() });
  }
  if (batched && overviewDirty && readModelOn()) await recordOverview(takeOverview());
  upsert(undefined);
  // Updates still recording their outcome finish before the workflow completes.
  await condition(allHandlersFinished);
  return status();
}
