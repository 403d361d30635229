/**
 * What duban's workflows share: the plan clock, refusals, instants and evidence of messages, the timeline, notices
 * sent with their timeline entry, and continue-as-new past the history limit. Deterministic: no I/O, no host clock
 * or time zone (the workflow's `Date.now()` is Temporal's replayed time).
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  patched,
  setHandler,
  workflowInfo,
  type Workflow,
} from '@temporalio/workflow';
import { DateTime } from 'luxon';
import { BUILTIN_CALENDAR, createHolidayCalendar, type HolidayCalendar } from '../src/domain/calendar';
import type { HolidayYear } from '../src/domain/holidays';
import type { Evidence, ItemState, Notice, Outcome, TimelineEntry, UpcomingNotice } from '../src/domain/notice';
import { noticeKey } from '../src/domain/notice';
import { PLAN_TIMEZONE, type IsoDate } from '../src/domain/plan';
import type { Policy } from '../src/domain/policy';
import type { RefusalType } from '../src/domain/refusals';
import type { DueReport } from '../activities';
import { agendaQuery, timelineQuery, windowAgendaQuery, windowTimelineQuery } from './messages';

/** What the input of every duban workflow may carry besides its own fields. */
export interface RunOptions {
  /** (Default: the default policy, README) */
  policy?: Policy;
  /**
   * Milliseconds added to workflow time to get plan time. 0 in production; simulations and rehearsals of a past
   * year shift the plan's calendar onto the server's clock. (Default: 0)
   */
  timeShiftMs?: number;
  /** Upsert search attributes (the time-skipping test server has none registered). (Default: true) */
  searchAttributes?: boolean;
  /**
   * Holiday years added to the installation, overriding the built-in ones (a unit hands its own to its obligations).
   * (Default: read from the store at the start)
   */
  holidayYears?: HolidayYear[];
  /** History length past which the workflow continues as new, carrying its state. (Default: 2000) */
  historyLimit?: number;
  /**
   * The workflow code generation that started this run ({@link WORKFLOW_GENERATION} when duban starts it): the run
   * takes every patch of that generation or older without asking `patched`. (Default: absent, a run started before
   * generations existed, which asks as it always did)
   */
  generation?: number;
}

export { WORKFLOW_GENERATION } from './generation';

/** Each patch, by the generation from which runs take it without asking. */
const PATCH_GENERATIONS: Readonly<Record<string, number>> = {
  'calendar-from-store': 1,
  'calendar-error-notice': 1,
  'obligation-notices-batched': 1,
  'sign-for-unsigned-escalation': 1,
  'obligation-overview-read-model': 1,
  'unit-close-at-once': 1,
};

/** `patched(patchId)`, answered from the run's generation when that is new enough to have the patch. */
export function patchedIn(run: Pick<RunOptions, 'generation'>, patchId: string): boolean {
  const since = PATCH_GENERATIONS[patchId];
  if (since !== undefined && (run.generation ?? 0) >= since) return true;
  return patched(patchId);
}

/** Histories stay far below Temporal's limits: workflows continue as new past this many events. */
export const HISTORY_LIMIT = 2000;
/** Timeline entries kept in memory (and carried over continue-as-new); older ones stay in the store. */
export const TIMELINE_LIMIT = 500;
/** Slack for clocks that disagree a little: an instant up to this far ahead is not "in the future". */
const CLOCK_SLACK_MS = 60_000;

/** Refuses a message for good: the caller sees `type`, nothing changed. */
export function refuse(message: string, type: RefusalType): never {
  throw ApplicationFailure.nonRetryable(message, type);
}

/** Plan time: workflow time plus the plan's shift (0 in production; simulations of a past year shift it). */
export interface PlanClock {
  /** Plan time now, epoch ms. */
  now(): number;
  /** An instant as ISO 8601 in Asia/Shanghai with milliseconds and offset, as the policy writes instants. */
  iso(ms: number): string;
  /** Today's date in Asia/Shanghai, plan time. */
  today(): IsoDate;
}

/** The clock of a workflow whose plan time is workflow time + `shiftMs`. (Default: 0) */
export function planClock(shiftMs = 0): PlanClock {
  const iso = (ms: number): string => DateTime.fromMillis(ms, { zone: PLAN_TIMEZONE }).toISO() as string;
  return { now: () => Date.now() + shiftMs, iso, today: () => iso(Date.now() + shiftMs).slice(0, 10) };
}

const WITH_OFFSET = /(?:[+-]\d\d:\d\d|Z)$/;

/**
 * The instant a message states (`at`), epoch ms: ISO 8601 with an offset, not in the future, and not before
 * `notBefore` when given; absent means now. Refuses with `InvalidInstant` (or `notBefore.type`).
 */
export function instantArg(
  clock: PlanClock,
  value: string | undefined,
  field: string,
  notBefore?: { ms: number; what: string; type?: RefusalType },
): number {
  if (value === undefined) return clock.now();
  const ms = Date.parse(value);
  if (!WITH_OFFSET.test(value) || Number.isNaN(ms))
    refuse(`${field}: '${value}' is not an ISO 8601 instant with offset`, 'InvalidInstant');
  if (ms > clock.now() + CLOCK_SLACK_MS)
    refuse(`${field}: ${value} is in the future (now ${clock.iso(clock.now())})`, 'InvalidInstant');
  if (notBefore && ms < notBefore.ms)
    refuse(`${field}: ${value} is before ${notBefore.what}`, notBefore.type ?? 'InvalidInstant');
  return ms;
}

/**
 * What a timeline entry says beside an instant stated for the past (more than a minute ago): ` (recorded <now>)`, so
 * a record made later keeps when it was made; nothing for an instant of now.
 */
export function recordedBeside(clock: PlanClock, statedMs: number): string {
  return clock.now() - statedMs > 60_000 ? ` (recorded ${clock.iso(clock.now())})` : '';
}

/** Refuses evidence without who recorded it, or without a document reference or a URL. */
export function checkEvidence(evidence: Evidence | undefined): void {
  if (!evidence || typeof evidence.recordedBy !== 'string' || evidence.recordedBy.trim() === '')
    refuse('evidence.recordedBy: who recorded it is required', 'InvalidEvidence');
  if (!evidence.document && !evidence.url)
    refuse('evidence: a document reference or a publication URL is required', 'InvalidEvidence');
}

/** Refuses a blank reason or approver of an extension or a waiver. */
export function checkReasonAndApprover(input: { reason?: string; approver?: string }, type: RefusalType): void {
  if (!input.reason?.trim()) refuse('reason: required', type);
  if (!input.approver?.trim()) refuse('approver: required', type);
}

/** A workflow's timeline: what happened so far, bounded, with a version that changes on every entry. */
export class Timeline {
  /** Bumped on every entry, so a loop waiting on `condition` sees that something happened. */
  version = 0;
  /** Called after every entry. (Default: nothing) */
  onEntry: (() => void) | undefined;

  constructor(
    readonly entries: TimelineEntry[] = [],
    private readonly limit = TIMELINE_LIMIT,
  ) {}

  /** Adds an entry, dropping the oldest past the limit. */
  note(entry: TimelineEntry): void {
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    this.version++;
    this.onEntry?.();
  }
}

/**
 * Answers the timeline and agenda queries under both names they have on the wire (`timeline`/`window-timeline`,
 * `agenda`/`window-agenda`), so clients use one query for every kind of workflow.
 */
export function answerTimelineAndAgenda(timeline: Timeline, upcoming: () => UpcomingNotice[]): void {
  const entries = () => timeline.entries;
  setHandler(timelineQuery, entries);
  setHandler(windowTimelineQuery, entries);
  setHandler(agendaQuery, upcoming);
  setHandler(windowAgendaQuery, upcoming);
}

/**
 * A notice with its idempotency key. `keyPeriod` replaces the period in the key only: after a due date moves, the
 * same stage fires again for the new date under a new key, not as a duplicate. (Default: the notice's period)
 */
export function keyedNotice(notice: Omit<Notice, 'key'>, keyPeriod: string | null = notice.period): Notice {
  return { key: noticeKey({ ...notice, period: keyPeriod }), ...notice };
}

/**
 * Sends one notice through the `sendNotice` activity and records it on the timeline; a refusal for good (unit not
 * in the directory, no address) is recorded as `notice-failed` instead of failing the workflow.
 */
export async function sendAndNote(
  send: (notice: Notice) => Promise<{ recipients: string[] }>,
  notice: Notice,
  timeline: Timeline,
  entry: Pick<TimelineEntry, 'period' | 'what'>,
): Promise<void> {
  try {
    const { recipients } = await send(notice);
    timeline.note({ at: notice.at, type: 'notice', ...entry, stage: notice.stage, recipients });
  } catch (err) {
    log.warn('notice not sent', { key: notice.key, error: (err as Error).message });
    timeline.note({
      at: notice.at,
      type: 'notice-failed',
      ...entry,
      stage: notice.stage,
      detail: (err as Error).message,
    });
  }
}

/** What an outcome is about: the obligation, its period (or incident or request id) and the due value. */
export type OutcomeRef = Pick<Outcome, 'planId' | 'taskNo' | 'unitCode' | 'obligation' | 'period' | 'due'>;

/** States an item can be left in before its end (closed then): recorded as `open`. */
const UNSETTLED = new Set<ItemState>(['pending', 'overdue', 'paused']);

/**
 * The outcome an obligation item, an incident step or a request records in its `state`; `evidence` and
 * `marginMinutes` only when given.
 */
export function outcomeOf(
  ref: OutcomeRef,
  state: ItemState,
  fulfilledAt: string | null,
  extra: { evidence?: Evidence; marginMinutes?: number | null } = {},
): Outcome {
  return {
    planId: ref.planId,
    taskNo: ref.taskNo,
    unitCode: ref.unitCode,
    obligation: ref.obligation,
    period: ref.period,
    due: ref.due,
    status: UNSETTLED.has(state) ? 'open' : (state as Outcome['status']),
    fulfilledAt,
    ...(extra.evidence ? { evidence: extra.evidence } : {}),
    ...(extra.marginMinutes !== undefined && extra.marginMinutes !== null
      ? { marginMinutes: extra.marginMinutes }
      : {}),
  };
}

/** Records on the timeline what one `deliverDue` call did, notice by notice. */
export function noteDelivery(report: DueReport, timeline: Timeline): void {
  for (const r of report.notices) {
    if (r.refused) {
      // Refused for good (no such unit in the directory, undeliverable): on record, not fatal.
      log.warn('notice not sent', { key: r.key, error: r.refused.message });
      timeline.note({ at: r.at, type: 'notice-failed', period: r.period, stage: r.stage, detail: r.refused.message });
    } else {
      timeline.note({ at: r.at, type: 'notice', period: r.period, stage: r.stage, recipients: r.recipients });
    }
  }
}

/**
 * Whether the history is longer than `limit` events (Default: {@link HISTORY_LIMIT}): a loop that runs at every
 * instant asks this before calling {@link continueAsNewPastLimit}, which would cost it an async call and its promises
 * each time (every promise in workflow code records a stack trace).
 */
export function pastHistoryLimit(limit: number | undefined): boolean {
  return workflowInfo().historyLength > (limit ?? HISTORY_LIMIT);
}

/**
 * Continues as new with `next()` once the history is longer than `limit` events, after every update handler has
 * finished. (Default limit: {@link HISTORY_LIMIT})
 */
export async function continueAsNewPastLimit<W extends Workflow>(
  limit: number | undefined,
  next: () => Parameters<W>[0],
): Promise<void> {
  if (!pastHistoryLimit(limit)) return;
  await condition(allHandlersFinished);
  await continueAsNew<W>(...([next()] as Parameters<W>));
}

/** A workflow's working-day calendar: the built-in years overridden by the added ones it was given. */
export class WorkflowCalendar {
  calendar: HolidayCalendar;

  /**
   * @param years Added years from the workflow's input or the `holidayYears` activity. Bad data never fails the
   *   workflow task: the built-in calendar is used and `error` says why. (Default: none, the built-in calendar)
   */
  constructor(private years: HolidayYear[] = []) {
    const built = WorkflowCalendar.build(years);
    this.calendar = built.calendar ?? BUILTIN_CALENDAR;
    this.error = built.error;
  }

  /** Why the given years could not be used, if they could not. */
  error: string | undefined;

  /** The added years in force, to hand on (to children, over continue-as-new). */
  get added(): HolidayYear[] {
    return this.error ? [] : this.years;
  }

  /** Replaces the added years; returns an error message (and keeps the calendar) when they cannot be used. */
  replace(years: HolidayYear[]): string | undefined {
    const built = WorkflowCalendar.build(years);
    if (!built.calendar) return built.error;
    this.years = years;
    this.calendar = built.calendar;
    this.error = undefined;
    return undefined;
  }

  private static build(years: HolidayYear[]): { calendar?: HolidayCalendar; error?: string } {
    if (years.length === 0) return { calendar: BUILTIN_CALENDAR };
    try {
      return { calendar: createHolidayCalendar(years) };
    } catch (err) {
      return { error: `holiday data could not be used, the built-in calendar stays: ${(err as Error).message}` };
    }
  }
}

/**
 * The added holiday years a workflow starts from: its input's when given (children get their unit's), else the
 * installation's, read once at the start by a local activity. Workflows started before this existed replay without
 * it and keep the built-in calendar.
 */
export async function startingHolidayYears(
  given: HolidayYear[] | undefined,
  fetch: () => Promise<HolidayYear[]>,
  run: Pick<RunOptions, 'generation'>,
): Promise<HolidayYear[]> {
  if (given) return given;
  if (!patchedIn(run, CALENDAR_PATCH)) return [];
  return fetch();
}

/** Workflows started after this patch read the added holiday years at their start. */
const CALENDAR_PATCH = 'calendar-from-store';
