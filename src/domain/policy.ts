/**
 * The policy: turns an obligation into its agenda, the instants at which notices go out (README, "Default policy").
 *
 * Pure and deterministic (imported by workflow code): every instant is computed from the arguments, the holiday
 * calendar (an argument; the built-in one by default) and luxon in the explicit zone Asia/Shanghai; nothing reads the
 * host clock or time zone. Results that depend on working days name the provisional years (no holiday notice yet)
 * they depend on, so callers can label those dates as liable to move.
 *
 * Instants (`at`, `due` of emergency steps, `deadlineEnd`) are ISO 8601 strings in Asia/Shanghai with milliseconds
 * and the offset, exactly as luxon's `toISO()` writes them: `2017-05-22T09:00:00.000+08:00`. Calendar dates are
 * `YYYY-MM-DD`.
 */
import { DateTime } from 'luxon';
import { addCalendarDays, assertIsoDate, BUILTIN_CALENDAR, type HolidayCalendar } from './calendar';
import type { RecipientRole, Stage } from './notice';
import { PLAN_TIMEZONE, type Cadence, type IsoDate } from './plan';

// ---------------------------------------------------------------------------------------------------------------
// Policy shape and defaults
// ---------------------------------------------------------------------------------------------------------------

/** One escalation step of a deadline; its stage is `escalation-<position>` (1-based). */
export interface Escalation {
  /** Working days after the due date D: the step fires at the notice time on wd(D, workingDaysAfter). */
  readonly workingDaysAfter: number;
  /**
   * Who is notified. `lead-units` goes to the general office instead when the agenda is asked to
   * (`escalateTo: 'general-office'`).
   */
  readonly notify: readonly RecipientRole[];
}

/** Reminders and escalations around a date deadline. */
export interface DeadlineRule {
  /**
   * Working days before the anchor A (D, or the last working day before D) for each reminder; stage `reminder-N`.
   * 0 means on A itself.
   */
  readonly remindWorkingDaysBefore: readonly number[];
  /** Who reminders go to. (Default: `['officer']`) */
  readonly remindNotify: readonly RecipientRole[];
  /** Escalations while the obligation is still open, in increasing `workingDaysAfter`. */
  readonly escalations: readonly Escalation[];
}

/** One emergency window (task 55), counted in hours from the incident's occurrence t0. */
export interface EmergencyStepRule {
  /** Hours after t0 when the step is due and, if not done, breached. */
  readonly withinHours: number;
  /** Hours before the due instant for each reminder; stage `reminder-<N>h`. */
  readonly remindHoursBefore: readonly number[];
}

/** Emergency windows: information and press conference. */
export interface EmergencyRule {
  /** Authoritative information (权威信息). (Default: within 5 hours, reminders 2 h and 1 h before) */
  readonly information: EmergencyStepRule;
  /** Press conference (新闻发布会). (Default: within 24 hours, reminders 12 h and 4 h before) */
  readonly pressConference: EmergencyStepRule;
  /** Who reminders go to. (Default: `['officer']`) */
  readonly remindNotify: readonly RecipientRole[];
  /** Who the `opened` notice goes to when the incident is reported. (Default: `['officer', 'head']`) */
  readonly openedNotify: readonly RecipientRole[];
  /** Who a breach goes to (通报批评和约谈). (Default: `['head', 'general-office']`) */
  readonly breachNotify: readonly RecipientRole[];
}

/** Statutory reply limits for information requests (依申请公开, task 60). */
export interface InformationRequestRule {
  /** Working days to reply to requests received before 2019-05-15 (2008 regulation, art. 24). (Default: 15) */
  readonly replyWorkingDays2008: number;
  /** Working days to reply to requests received from 2019-05-15 (2019 regulation, art. 33). (Default: 20) */
  readonly replyWorkingDays2019: number;
}

/** Every number of the default policy (README), configurable. Validate untrusted input with `parsePolicy` (policy-file.ts). */
export interface Policy {
  /** Hour of day (Asia/Shanghai) at which date-based notices go out. (Default: 9) */
  readonly noticeHour: number;
  /** Minute of that hour. (Default: 0) */
  readonly noticeMinute: number;
  /**
   * Deadline obligations (implementation plan, quarterly progress, year-end report, task deadlines, information
   * requests). (Default: reminders 5, 2, 1, 0 working days before A to the officer; escalations 1, 3, 5 working days
   * after D to the head, the lead units, the general office)
   */
  readonly deadline: DeadlineRule;
  /** Recurring publication periods. (Default: reminder on A to the officer; escalation 1 working day after D to the head) */
  readonly recurring: DeadlineRule;
  /** Emergency windows. (Default: see {@link EmergencyRule}) */
  readonly emergency: EmergencyRule;
  /** Information requests. (Default: 15 / 20 working days) */
  readonly informationRequest: InformationRequestRule;
  /**
   * Sign-for (签收): a reminder or escalation of an obligation not signed for within this many working hours
   * (09:00–17:00 on working days) sends an `unsigned-<stage>` notice to `notify`. (Default: absent, off)
   */
  readonly signFor?: SignForRule;
}

/** See {@link Policy.signFor}. */
export interface SignForRule {
  readonly escalateAfterWorkingHours: number;
  /** (Default in policy files: the unit's head) */
  readonly notify: readonly RecipientRole[];
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * The policy README's "Default policy" describes: notices at 09:00; reminders 5, 2, 1 and 0 working days before a
 * deadline, escalations 1, 3 and 5 after it; incidents' 5- and 24-hour windows; 15 or 20 working days for a request.
 * Frozen: workflows share it within a worker.
 */
export const DEFAULT_POLICY: Policy = deepFreeze({
  noticeHour: 9,
  noticeMinute: 0,
  deadline: {
    remindWorkingDaysBefore: [5, 2, 1, 0],
    remindNotify: ['officer'],
    escalations: [
      { workingDaysAfter: 1, notify: ['head'] },
      { workingDaysAfter: 3, notify: ['lead-units'] },
      { workingDaysAfter: 5, notify: ['general-office'] },
    ],
  },
  recurring: {
    remindWorkingDaysBefore: [0],
    remindNotify: ['officer'],
    escalations: [{ workingDaysAfter: 1, notify: ['head'] }],
  },
  emergency: {
    information: { withinHours: 5, remindHoursBefore: [2, 1] },
    pressConference: { withinHours: 24, remindHoursBefore: [12, 4] },
    remindNotify: ['officer'],
    openedNotify: ['officer', 'head'],
    breachNotify: ['head', 'general-office'],
  },
  informationRequest: { replyWorkingDays2008: 15, replyWorkingDays2019: 20 },
} satisfies Policy);

// ---------------------------------------------------------------------------------------------------------------
// Instants
// ---------------------------------------------------------------------------------------------------------------

/** One scheduled notice of an agenda. */
export interface AgendaItem {
  /** The instant, ISO 8601 in Asia/Shanghai with milliseconds and offset: `2017-05-22T09:00:00.000+08:00`. */
  at: string;
  stage: Stage;
  notify: RecipientRole[];
}

const ISO_DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Reads an instant argument: an ISO 8601 date-time with an offset (`Z` or `+08:00`), a date-time without offset
 * (read as Asia/Shanghai wall time), or a bare `YYYY-MM-DD` (00:00 Asia/Shanghai that day, e.g. a publish date).
 */
function parseInstant(value: unknown, field: string): DateTime {
  if (typeof value === 'string') {
    if (ISO_DATE_ONLY.test(value)) assertIsoDate(value, field);
    const dt = DateTime.fromISO(value, { zone: PLAN_TIMEZONE });
    if (dt.isValid) return dt;
  }
  throw new RangeError(
    `${field}: expected an ISO 8601 instant such as 2017-05-05T00:00:00+08:00, got ${JSON.stringify(value)}`,
  );
}

function iso(dt: DateTime): string {
  // toISO() is null only for invalid DateTimes; every DateTime here comes from validated input.
  return dt.setZone(PLAN_TIMEZONE).toISO() as string;
}

function atNoticeTime(date: IsoDate, policy: Policy): DateTime {
  return DateTime.fromISO(date, { zone: PLAN_TIMEZONE }).set({ hour: policy.noticeHour, minute: policy.noticeMinute });
}

function byInstant(items: { item: AgendaItem; ms: number }[]): AgendaItem[] {
  // Array.prototype.sort is stable, so items at the same instant keep their creation order.
  return items.sort((a, b) => a.ms - b.ms).map((x) => x.item);
}

function unique<T>(list: readonly T[]): T[] {
  return list.filter((v, i) => list.indexOf(v) === i);
}

// ---------------------------------------------------------------------------------------------------------------
// Date deadlines
// ---------------------------------------------------------------------------------------------------------------

/** The agenda of one date deadline. */
export interface DeadlineAgenda {
  /** The due date D. */
  due: IsoDate;
  /** A: D if it is a working day, else the last working day before D. */
  anchor: IsoDate;
  /** D+1 00:00 Asia/Shanghai: fulfilled on time when recorded before this instant. */
  deadlineEnd: string;
  /** Reminders and escalations at or after `activeFrom`, sorted by `at`. */
  items: AgendaItem[];
  /**
   * Years without a holiday notice that the anchor, the reminders or the escalations were counted through (weekends
   * off, no holidays): these dates may move when the notice is added. Empty when every year has its notice.
   */
  provisionalYears: number[];
}

/** Where escalations addressed to `lead-units` go. */
export type LeadEscalationTarget = 'lead-units' | 'general-office';

/** wd(anchor, -n), or null when the count passes below `floor` (every such item precedes activeFrom anyway). */
function workingDaysBeforeNotBelow(
  calendar: HolidayCalendar,
  anchor: IsoDate,
  n: number,
  floor: IsoDate,
): IsoDate | null {
  let current = anchor;
  for (let remaining = n; remaining > 0;) {
    current = addCalendarDays(current, -1);
    // Stopping here also keeps years before the plan (e.g. provisional 2016) out of the agenda's provisional years.
    if (current < floor) return null;
    if (calendar.isWorkingDay(current)) remaining -= 1;
  }
  return current;
}

function dateDeadlineAgenda(
  due: IsoDate,
  activeFrom: DateTime,
  rule: DeadlineRule,
  policy: Policy,
  escalateTo: LeadEscalationTarget,
  calendar: HolidayCalendar,
): DeadlineAgenda {
  const { value, provisionalYears } = calendar.trace((c) =>
    dateDeadlineItems(due, activeFrom, rule, policy, escalateTo, c),
  );
  return { ...value, provisionalYears };
}

function dateDeadlineItems(
  due: IsoDate,
  activeFrom: DateTime,
  rule: DeadlineRule,
  policy: Policy,
  escalateTo: LeadEscalationTarget,
  calendar: HolidayCalendar,
): Omit<DeadlineAgenda, 'provisionalYears'> {
  const anchor = calendar.lastWorkingDayOnOrBefore(due);
  const floor = activeFrom.toISODate() as IsoDate;
  const activeMs = activeFrom.toMillis();
  const items: { item: AgendaItem; ms: number }[] = [];
  const push = (date: IsoDate, stage: Stage, notify: readonly RecipientRole[]): void => {
    const at = atNoticeTime(date, policy);
    // Notices never go out for instants before the obligation became active.
    if (at.toMillis() >= activeMs) items.push({ item: { at: iso(at), stage, notify: [...notify] }, ms: at.toMillis() });
  };
  for (const n of rule.remindWorkingDaysBefore) {
    const date = workingDaysBeforeNotBelow(calendar, anchor, n, floor);
    if (date !== null) push(date, `reminder-${n}`, rule.remindNotify);
  }
  rule.escalations.forEach((step, i) => {
    const notify = unique(step.notify.map((r) => (r === 'lead-units' ? escalateTo : r)));
    push(calendar.addWorkingDays(due, step.workingDaysAfter), `escalation-${i + 1}`, notify);
  });
  const deadlineEnd = iso(DateTime.fromISO(addCalendarDays(due, 1), { zone: PLAN_TIMEZONE }));
  return { due, anchor, deadlineEnd, items: byInstant(items) };
}

/**
 * Agenda of a deadline obligation (implementation plan, quarterly progress, year-end report, task deadline,
 * information request): reminders at wd(A,-5), wd(A,-2), wd(A,-1) and A, escalations at wd(D,+1), wd(D,+3),
 * wd(D,+5), all at 09:00 Asia/Shanghai, dropping instants before `activeFrom`.
 *
 * `activeFrom` is when the obligation became active: an ISO instant (import time) or a `YYYY-MM-DD` date (publish
 * date, meaning 00:00 that day). `escalateTo: 'general-office'` sends escalations addressed to the lead units to the
 * general office instead, for unit-wide obligations and tasks without lead units. (Default: `'lead-units'`)
 * Working days come from `calendar`; a year without a notice counts weekends only and is listed in
 * `provisionalYears`. (Default calendar: {@link BUILTIN_CALENDAR})
 */
export function deadlineAgenda(args: {
  due: IsoDate;
  activeFrom: string;
  policy?: Policy;
  escalateTo?: LeadEscalationTarget;
  calendar?: HolidayCalendar;
}): DeadlineAgenda {
  assertIsoDate(args.due, 'due');
  const policy = args.policy ?? DEFAULT_POLICY;
  const activeFrom = parseInstant(args.activeFrom, 'activeFrom');
  return dateDeadlineAgenda(
    args.due,
    activeFrom,
    policy.deadline,
    policy,
    args.escalateTo ?? 'lead-units',
    args.calendar ?? BUILTIN_CALENDAR,
  );
}

/** The rule of an obligation's policy that sets its agenda: `deadline`, or `recurring` for publication duties. */
export type AgendaRule = 'deadline' | 'recurring';

/** The policy's reminders and escalations for obligations under `rule`. */
export function policyRule(policy: Policy, rule: AgendaRule): DeadlineRule {
  return rule === 'recurring' ? policy.recurring : policy.deadline;
}

/**
 * Agenda of one due date of an obligation: {@link deadlineAgenda} under the policy's rule for the obligation
 * (`recurring` duties have their own reminders and escalations) and with its escalation target. What obligation
 * workflows send, and what simulations, benches and operator views derive from a schedule.
 * (Default calendar: {@link BUILTIN_CALENDAR})
 */
export function obligationAgenda(args: {
  rule: AgendaRule;
  escalateTo?: LeadEscalationTarget;
  due: IsoDate;
  activeFrom: string;
  policy?: Policy;
  calendar?: HolidayCalendar;
}): DeadlineAgenda {
  const policy = args.policy ?? DEFAULT_POLICY;
  return deadlineAgenda({
    due: args.due,
    activeFrom: args.activeFrom,
    policy: { ...policy, deadline: policyRule(policy, args.rule) },
    escalateTo: args.escalateTo,
    calendar: args.calendar,
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Recurring publication
// ---------------------------------------------------------------------------------------------------------------

/** One period of a recurring duty. */
export interface Period {
  /** `2017-W40` (ISO week), `2017-05`, `2017-Q2`, `2017`. */
  label: string;
  start: IsoDate;
  /** Last day of the period. */
  end: IsoDate;
  /** The due date D: the same as `end`. */
  due: IsoDate;
}

function period(label: string, start: DateTime, end: DateTime): Period {
  const last = end.toISODate() as IsoDate;
  return { label, start: start.toISODate() as IsoDate, end: last, due: last };
}

/**
 * The periods of a cadence in the plan year that end on or after `publishedOn`, in order.
 *
 * Weeks are the ISO weeks (Monday–Sunday) of ISO week-year `year`, labelled `YYYY-Www`: every week belongs to exactly
 * one plan year and its label always carries that year, but the first week may start in December of the year before
 * (2019-W01 starts 2018-12-31) and the last may end in January of the year after (2020-W53 ends 2021-01-03).
 */
export function periodsOf(cadence: Cadence, year: number, publishedOn: IsoDate): Period[] {
  if (!Number.isInteger(year) || year < 1000 || year > 9999)
    throw new RangeError(`year: expected a 4-digit year, got ${year}`);
  assertIsoDate(publishedOn, 'publishedOn');
  const zone = PLAN_TIMEZONE;
  const all: Period[] = [];
  switch (cadence) {
    case 'week': {
      const weeks = DateTime.fromObject({ year, month: 12, day: 28 }, { zone }).weeksInWeekYear;
      for (let w = 1; w <= weeks; w++) {
        const monday = DateTime.fromObject({ weekYear: year, weekNumber: w, weekday: 1 }, { zone });
        all.push(period(`${year}-W${String(w).padStart(2, '0')}`, monday, monday.plus({ days: 6 })));
      }
      break;
    }
    case 'month':
      for (let m = 1; m <= 12; m++) {
        const first = DateTime.fromObject({ year, month: m, day: 1 }, { zone });
        all.push(period(`${year}-${String(m).padStart(2, '0')}`, first, first.endOf('month')));
      }
      break;
    case 'quarter':
      for (let q = 1; q <= 4; q++) {
        const first = DateTime.fromObject({ year, month: 3 * q - 2, day: 1 }, { zone });
        all.push(period(`${year}-Q${q}`, first, first.endOf('quarter')));
      }
      break;
    case 'year': {
      const first = DateTime.fromObject({ year, month: 1, day: 1 }, { zone });
      all.push(period(String(year), first, first.endOf('year')));
      break;
    }
    default: {
      const never: never = cadence;
      throw new RangeError(`cadence: expected week | month | quarter | year, got ${JSON.stringify(never)}`);
    }
  }
  return all.filter((p) => p.end >= publishedOn);
}

/** The agenda of one period of a recurring duty. */
export interface RecurringPeriodAgenda extends DeadlineAgenda {
  period: Period;
}

/**
 * Agenda of one period of a recurring publication: `reminder-0` at 09:00 on A and `escalation-1` at 09:00 on
 * wd(D,+1) to the unit's head, D being the period's last day; instants before `activeFrom` are dropped.
 * (Default escalateTo: `'lead-units'`, which only matters for a policy that escalates recurring duties to leads;
 * default calendar: {@link BUILTIN_CALENDAR})
 */
export function recurringPeriodAgenda(args: {
  period: Period;
  activeFrom: string;
  policy?: Policy;
  escalateTo?: LeadEscalationTarget;
  calendar?: HolidayCalendar;
}): RecurringPeriodAgenda {
  assertIsoDate(args.period.end, 'period.end');
  const policy = args.policy ?? DEFAULT_POLICY;
  const activeFrom = parseInstant(args.activeFrom, 'activeFrom');
  const agenda = dateDeadlineAgenda(
    args.period.end,
    activeFrom,
    policy.recurring,
    policy,
    args.escalateTo ?? 'lead-units',
    args.calendar ?? BUILTIN_CALENDAR,
  );
  return { period: args.period, ...agenda };
}

/**
 * Agendas of every period of a recurring publication in the plan year ending on or after `publishedOn` (see
 * {@link periodsOf}), each as {@link recurringPeriodAgenda}. `activeFrom` defaults to `publishedOn`.
 * (Default calendar: {@link BUILTIN_CALENDAR})
 */
export function recurringAgenda(args: {
  cadence: Cadence;
  year: number;
  publishedOn: IsoDate;
  activeFrom?: string;
  policy?: Policy;
  escalateTo?: LeadEscalationTarget;
  calendar?: HolidayCalendar;
}): RecurringPeriodAgenda[] {
  const activeFrom = args.activeFrom ?? args.publishedOn;
  return periodsOf(args.cadence, args.year, args.publishedOn).map((p) =>
    recurringPeriodAgenda({
      period: p,
      activeFrom,
      policy: args.policy,
      escalateTo: args.escalateTo,
      calendar: args.calendar,
    }),
  );
}

/**
 * Due dates of the quarterly progress inspection (按季度督查): the last day of each quarter of `year` that ends after
 * `publishedOn` and before the quarter of the year-end report. 2017 (published 2017-05-05, report 2017-12-08):
 * 2017-06-30 and 2017-09-30.
 */
export function quarterlyProgressDues(year: number, publishedOn: IsoDate, yearEndDue: IsoDate): IsoDate[] {
  assertIsoDate(yearEndDue, 'yearEndDue');
  const reportQuarterStart = DateTime.fromISO(yearEndDue, { zone: PLAN_TIMEZONE })
    .startOf('quarter')
    .toISODate() as IsoDate;
  return periodsOf('quarter', year, publishedOn)
    .filter((p) => p.end > publishedOn && p.end < reportQuarterStart)
    .map((p) => p.end);
}

// ---------------------------------------------------------------------------------------------------------------
// Emergency windows
// ---------------------------------------------------------------------------------------------------------------

/** One emergency step's agenda. */
export interface EmergencyStepAgenda {
  kind: 'emergency-information' | 'emergency-press-conference';
  /** t0 + the window, ISO 8601 with `+08:00`. */
  due: string;
  /** Sorted by `at`; ends with the `breach` item, which fires if the step is not done before it. */
  items: AgendaItem[];
}

/** Both emergency steps of an incident. */
export interface EmergencyAgenda {
  /** t0, normalised to ISO 8601 with `+08:00`. */
  occurredAt: string;
  reportedAt: string;
  information: EmergencyStepAgenda;
  pressConference: EmergencyStepAgenda;
}

/** A stage for an hour-based reminder, e.g. `reminder-2h`. */
function hourReminderStage(hours: number): Stage {
  // The default hours (2, 1, 12, 4) are members of Stage; other configured hours produce the same pattern, which
  // notice.ts's union does not spell out (`reminder-${number}h`), hence the cast.
  return `reminder-${hours}h` as Stage;
}

function emergencyStep(
  kind: EmergencyStepAgenda['kind'],
  rule: EmergencyStepRule,
  occurred: DateTime,
  reported: DateTime,
  policy: Policy,
  opened: boolean,
): EmergencyStepAgenda {
  const due = occurred.plus({ hours: rule.withinHours });
  const reportedMs = reported.toMillis();
  const items: { item: AgendaItem; ms: number }[] = [];
  if (opened) {
    items.push({
      item: { at: iso(reported), stage: 'opened', notify: [...policy.emergency.openedNotify] },
      ms: reportedMs,
    });
  }
  for (const h of rule.remindHoursBefore) {
    const at = due.minus({ hours: h });
    // Reminders for instants before the report are pointless once the report is in: dropped.
    if (at.toMillis() >= reportedMs) {
      items.push({
        item: { at: iso(at), stage: hourReminderStage(h), notify: [...policy.emergency.remindNotify] },
        ms: at.toMillis(),
      });
    }
  }
  // A report after the window has passed breaches the step at once.
  const breachAt = due.toMillis() >= reportedMs ? due : reported;
  items.push({
    item: { at: iso(breachAt), stage: 'breach', notify: [...policy.emergency.breachNotify] },
    ms: breachAt.toMillis(),
  });
  return { kind, due: iso(due), items: byInstant(items) };
}

/**
 * Agenda of an incident's emergency windows (task 55), counted from its occurrence t0, not its report, with no
 * working-day rules: information due t0+5h (reminders t0+3h `reminder-2h`, t0+4h `reminder-1h`), press conference
 * due t0+24h (reminders t0+12h `reminder-12h`, t0+20h `reminder-4h`), `breach` at each due instant to the head and
 * the general office, and `opened` at `reportedAt` (on the information step) to the officer and the head. Reminders
 * before `reportedAt` are dropped; a breach instant before `reportedAt` fires at `reportedAt`.
 */
export function emergencyAgenda(args: { occurredAt: string; reportedAt: string; policy?: Policy }): EmergencyAgenda {
  const policy = args.policy ?? DEFAULT_POLICY;
  const occurred = parseInstant(args.occurredAt, 'occurredAt');
  const reported = parseInstant(args.reportedAt, 'reportedAt');
  if (reported.toMillis() < occurred.toMillis()) {
    throw new RangeError(`reportedAt: ${iso(reported)} is before the incident occurred (${iso(occurred)})`);
  }
  const e = policy.emergency;
  return {
    occurredAt: iso(occurred),
    reportedAt: iso(reported),
    information: emergencyStep('emergency-information', e.information, occurred, reported, policy, true),
    pressConference: emergencyStep('emergency-press-conference', e.pressConference, occurred, reported, policy, false),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Information requests
// ---------------------------------------------------------------------------------------------------------------

/** The day the revised Regulation on the Disclosure of Government Information (2019) took effect. */
export const REVISED_REGULATION_EFFECTIVE: IsoDate = '2019-05-15';

/** The statutory reply due date of an information request. */
export interface InformationRequestDue {
  receivedOn: IsoDate;
  /** The due date D, to be run through {@link deadlineAgenda}. */
  due: IsoDate;
  /** Working days counted after the receipt date. */
  workingDays: number;
  /** Which regulation applies: `2008` (art. 24) or `2019` (art. 33). */
  regulation: '2008' | '2019';
  /**
   * Years without a holiday notice the count ran through: the due date may move when their notice is added. Present
   * only when there are some, so that a due date within the notices reads (and compares) as it always did.
   */
  provisionalYears?: number[];
}

/**
 * Reply due date of an information request (依申请公开) received on `receivedOn`: wd(R, +15) for requests received
 * before 2019-05-15 (《政府信息公开条例》2008, 第二十四条), wd(R, +20) from that day (2019 revision, 第三十三条). The day
 * of receipt is not counted. An approved extension (`extended`) adds the same length once, as both regulations cap
 * it. `pausedWorkingDays` adds working days the limit does not run, e.g. while third parties are consulted (both
 * articles exclude that time). Which day counts as receipt (in person, by post, online) is the caller's to decide.
 * (Default: not extended, 0 paused days, the {@link BUILTIN_CALENDAR})
 */
export function informationRequestDue(
  receivedOn: IsoDate,
  options: { extended?: boolean; pausedWorkingDays?: number; policy?: Policy; calendar?: HolidayCalendar } = {},
): InformationRequestDue {
  assertIsoDate(receivedOn, 'receivedOn');
  const paused = options.pausedWorkingDays ?? 0;
  if (!Number.isInteger(paused) || paused < 0) {
    throw new RangeError(`pausedWorkingDays: expected a non-negative integer, got ${paused}`);
  }
  const rule = (options.policy ?? DEFAULT_POLICY).informationRequest;
  const regulation = receivedOn < REVISED_REGULATION_EFFECTIVE ? '2008' : '2019';
  const limit = regulation === '2008' ? rule.replyWorkingDays2008 : rule.replyWorkingDays2019;
  const workingDays = limit * (options.extended ? 2 : 1) + paused;
  const { value: due, provisionalYears } = (options.calendar ?? BUILTIN_CALENDAR).trace((c) =>
    c.addWorkingDays(receivedOn, workingDays),
  );
  return { receivedOn, due, workingDays, regulation, ...(provisionalYears.length > 0 ? { provisionalYears } : {}) };
}
