/**
 * One information request (依申请公开, task 60): the statutory reply limit in working days after receipt, one
 * approved extension, clock stopped while a third party is consulted, count restarted by a corrected request
 * (补正). Reminders and escalations follow the deadline policy on the current due date.
 */
import { allHandlersFinished, condition, log, setHandler } from '@temporalio/workflow';
import { DateTime } from 'luxon';
import { addCalendarDays, isIsoDate, type HolidayCalendar } from '../src/domain/calendar';
import { deadlineEndMs, isOnTime } from '../src/domain/deadlines';
import type { Evidence, TimelineEntry, UpcomingNotice } from '../src/domain/notice';
import { PLAN_TIMEZONE, type IsoDate } from '../src/domain/plan';
import type { RefusalType } from '../src/domain/refusals';
import {
  deadlineAgenda,
  DEFAULT_POLICY,
  informationRequestDue,
  type AgendaItem,
  type LeadEscalationTarget,
} from '../src/domain/policy';
import {
  calendarSignal,
  closeSignal,
  requestCorrectUpdate,
  requestExtendUpdate,
  requestPauseUpdate,
  requestReplyUpdate,
  requestResumeUpdate,
  requestStatusQuery,
  type InformationRequestStatus,
} from './messages';
import { deadlineActivities, deadlineLocalActivities } from './activity-proxies';
import {
  answerTimelineAndAgenda,
  continueAsNewPastLimit,
  instantArg,
  keyedNotice,
  outcomeOf,
  planClock,
  recordedBeside,
  refuse,
  sendAndNote,
  patchedIn,
  startingHolidayYears,
  Timeline,
  WorkflowCalendar,
  type RunOptions,
} from './kit';
import { searchable } from './search-status';

const { sendNotice, recordOutcome, recordEvent } = deadlineActivities;
const { holidayYears } = deadlineLocalActivities;

/** Input of {@link informationRequestWorkflow}. */
export interface InformationRequestInput extends Omit<RunOptions, 'historyLimit'> {
  planId: string;
  unitCode: string;
  requestId: string;
  /** Day of receipt R, `YYYY-MM-DD` (Asia/Shanghai); not counted. */
  receivedOn: IsoDate;
  /** Notices before this instant are never sent. (Default: R 00:00) */
  activeFrom?: string;
  /** (Default: 60) */
  taskNo?: number | null;
  /** (Default: 加强和规范依申请公开工作) */
  taskTitle?: string;
  /** Lead units of the task; escalations to lead units go to the general office when empty. (Default: []) */
  leadUnitCodes?: string[];
  /** Carried over continue-as-new. */
  state?: RequestState;
}

interface RequestState {
  receivedOn: IsoDate;
  state: InformationRequestStatus['state'];
  extension: InformationRequestStatus['extension'];
  pauses: InformationRequestStatus['pauses'];
  repliedAt: string | null;
  closed: boolean;
  /** Notices of the current due date are scheduled from here: a due date that moved never fires past stages. */
  agendaFrom: string;
  /** Bumped each time the due date moves, so the same stage for a new due date gets a new key. */
  revision: number;
  sent: string[];
  timeline: TimelineEntry[];
  /** Why the dates cannot be computed, once recorded (the general office was told). */
  calendarError?: string;
  /** Why the holiday data last given could not be used (the calendar stays as it was). (Default: absent) */
  calendarDataError?: string;
  /** That same error, still to be told to the general office (the loop sends it). (Default: absent) */
  calendarDataUntold?: string;
}

/** Workflows from this patch on tell the general office when holiday data given to them cannot be used. */
const CALENDAR_ERROR_NOTICE_PATCH = 'calendar-error-notice';

const TERMINAL = new Set<InformationRequestStatus['state']>(['on-time', 'late']);

/** Working days in (from, to]: the day a consultation began still counts, the day its answer came does not. */
function workingDaysBetween(calendar: HolidayCalendar, from: IsoDate, to: IsoDate): number {
  let n = 0;
  for (let d = addCalendarDays(from, 1); d <= to; d = addCalendarDays(d, 1)) if (calendar.isWorkingDay(d)) n++;
  return n;
}

/** Runs an information request until it is answered (or closed), reminding and escalating on its due date. */
export async function informationRequestWorkflow(input: InformationRequestInput): Promise<InformationRequestStatus> {
  const { planId, unitCode, requestId } = input;
  const policy = input.policy ?? DEFAULT_POLICY;
  const shift = input.timeShiftMs ?? 0;
  const taskNo = input.taskNo === undefined ? 60 : input.taskNo;
  const leadUnitCodes = input.leadUnitCodes ?? [];
  const escalateTo: LeadEscalationTarget = leadUnitCodes.length > 0 ? 'lead-units' : 'general-office';
  const clock = planClock(shift);
  const iso = clock.iso;
  const today = clock.today;
  if (!isIsoDate(input.receivedOn))
    refuse(`receivedOn: '${input.receivedOn}' is not a date YYYY-MM-DD`, 'InvalidInstant');

  const s: RequestState = input.state ?? {
    receivedOn: input.receivedOn,
    state: 'pending',
    extension: null,
    pauses: [],
    repliedAt: null,
    closed: false,
    agendaFrom: input.activeFrom ?? input.receivedOn,
    revision: 0,
    sent: [],
    timeline: [],
  };
  const timeline = new Timeline(s.timeline);
  const note = (entry: Omit<TimelineEntry, 'period' | 'what'>): void =>
    timeline.note({ ...entry, period: requestId, what: 'information-request' });

  const cal = new WorkflowCalendar(input.holidayYears);
  const statutory = () => informationRequestDue(s.receivedOn, { policy, calendar: cal.calendar });
  const paused = (): boolean => s.pauses.some((p) => p.to === null);
  const workingDays = (): number =>
    statutory().workingDays + (s.extension?.workingDays ?? 0) + s.pauses.reduce((n, p) => n + p.workingDays, 0);
  const due = (): IsoDate | null => (paused() ? null : cal.calendar.addWorkingDays(s.receivedOn, workingDays()));
  const status = (): InformationRequestStatus => ({
    requestId,
    unitCode,
    receivedOn: s.receivedOn,
    firstReceivedOn: input.receivedOn,
    regulation: statutory().regulation,
    due: due(),
    workingDays: workingDays(),
    state: s.state,
    extension: s.extension,
    pauses: s.pauses,
    repliedAt: s.repliedAt,
    closed: s.closed,
    ...(s.calendarError || s.calendarDataError ? { calendarError: s.calendarError ?? s.calendarDataError } : {}),
  });
  const agenda = (): (AgendaItem & { provisional?: number[] })[] => {
    const d = due();
    if (d === null || s.closed || TERMINAL.has(s.state)) return [];
    const computed = deadlineAgenda({ due: d, activeFrom: s.agendaFrom, policy, escalateTo, calendar: cal.calendar });
    // The due date itself may rest on a provisional year too (a receipt in late December).
    const years = [...new Set([...(statutory().provisionalYears ?? []), ...computed.provisionalYears])].sort();
    return computed.items.map((a) => (years.length > 0 ? { ...a, provisional: years } : a));
  };
  /** Notices still to come; none while the dates cannot be computed (a query never fails on a date). */
  const upcoming = (): UpcomingNotice[] => {
    try {
      return agenda()
        .filter((a) => !s.sent.includes(a.stage))
        .map((a) => ({ ...a, obligation: 'information-request' as const, period: requestId, due: due() ?? '' }));
    } catch {
      return [];
    }
  };
  /** Why the dates cannot be computed, or undefined when they can. */
  const calendarProblem = (): string | undefined => {
    try {
      agenda();
      return undefined;
    } catch (err) {
      return `the reply limit of request ${requestId} cannot be computed: ${(err as Error).message}`;
    }
  };
  /** The due date moved: stages fire afresh for it, but none for instants already past. */
  const rescheduled = (): void => {
    s.sent = [];
    s.revision++;
    s.agendaFrom = iso(clock.now());
    if (s.state === 'overdue' || s.state === 'missed') s.state = 'pending';
  };
  const outcome = (evidence?: Evidence) =>
    recordOutcome(
      outcomeOf(
        { planId, taskNo, unitCode, obligation: 'information-request', period: requestId, due: due() ?? s.receivedOn },
        s.state,
        s.repliedAt,
        { evidence },
      ),
    );
  const event = (e: Parameters<typeof recordEvent>[0]['event']) =>
    recordEvent({ planId, taskNo, unitCode, obligation: 'information-request', period: requestId, event: e });

  const open = (what: string): void => {
    if (s.closed) refuse(`request ${requestId} is closed`, 'AlreadyClosed');
    if (TERMINAL.has(s.state))
      refuse(`request ${requestId} was already answered at ${s.repliedAt}; cannot ${what}`, 'AlreadyClosed');
  };
  const day = (value: IsoDate | undefined, field: string, type: RefusalType): IsoDate => {
    const d = value ?? today();
    if (!isIsoDate(d)) refuse(`${field}: '${d}' is not a date YYYY-MM-DD`, type);
    if (d > today()) refuse(`${field}: ${d} is in the future (today is ${today()})`, type);
    return d;
  };
  const checkCalendar = (f: () => unknown, field: string, type: RefusalType): void => {
    try {
      f();
    } catch (err) {
      refuse(`${field}: ${(err as Error).message}`, type);
    }
  };

  const calendarDataError = (at: string, error: string): void => {
    s.calendarDataError = error;
    s.calendarDataUntold = error;
    note({ at, type: 'calendar-error', detail: error });
  };
  /** Tells the general office what is wrong with the dates: a `calendar-error` notice carrying `detail`. */
  const tellGeneralOffice = (detail: string, dueOn: IsoDate, keyPeriod: string = requestId): Promise<void> =>
    sendAndNote(
      sendNotice,
      keyedNotice(
        {
          planId,
          taskNo,
          unitCode,
          obligation: 'information-request',
          period: requestId,
          due: dueOn,
          stage: 'calendar-error',
          at: iso(clock.now()),
          notify: ['general-office'],
          leadUnitCodes,
          taskTitle: input.taskTitle ?? '加强和规范依申请公开工作',
          requirement: detail,
        },
        keyPeriod,
      ),
      timeline,
      { period: requestId, what: 'information-request' },
    );
  /** The general office is told about the given holiday data that could not be used (new workflows only). */
  const tellCalendarDataError = async (): Promise<void> => {
    const detail = s.calendarDataUntold;
    if (detail === undefined) return;
    s.calendarDataUntold = undefined;
    if (!patchedIn(input, CALENDAR_ERROR_NOTICE_PATCH)) return;
    // Keyed by the instant: data that cannot be used may come again, and each time the office is told.
    await tellGeneralOffice(detail, due() ?? s.receivedOn, `${requestId}@calendar-${iso(clock.now())}`);
  };

  setHandler(requestStatusQuery, status);
  answerTimelineAndAgenda(timeline, upcoming);
  setHandler(calendarSignal, ({ years }) => {
    const at = iso(clock.now());
    const before = upcoming();
    const error = cal.replace(years);
    if (error) return calendarDataError(at, error);
    s.calendarDataError = undefined;
    const moved = upcoming().flatMap((a) => {
      const old = before.find((b) => b.stage === a.stage);
      return old && old.at !== a.at ? [`${a.stage} ${old.at.slice(0, 10)} → ${a.at.slice(0, 10)}`] : [];
    });
    const dueBefore = before[0]?.due;
    const dueNow = due();
    if (moved.length > 0 || (dueBefore && dueNow && dueBefore !== dueNow))
      note({
        at,
        type: 'calendar',
        detail: `holiday notices of ${years.map((y) => y.year).join(', ')}: due ${dueNow ?? '(paused)'}${moved.length ? `; ${moved.join('; ')}` : ''}`,
      });
  });
  setHandler(closeSignal, ({ reason }) => {
    if (s.closed) return;
    s.closed = true;
    note({ at: iso(clock.now()), type: 'closed', detail: reason });
  });

  setHandler(
    requestExtendUpdate,
    async ({ workingDays: days, approver, reason }) => {
      const added = days ?? statutory().workingDays;
      const at = iso(clock.now());
      s.extension = { workingDays: added, approver: approver.trim(), reason, at };
      rescheduled();
      const newDue = due();
      note({
        at,
        type: 'extension',
        detail: `+${added} working days → ${newDue ?? 'paused'}: ${reason} (${approver})`,
      });
      await event({ type: 'extension', at, newDue: newDue ?? s.receivedOn, reason, approver });
      return status();
    },
    {
      validator: ({ workingDays: days, approver, reason }) => {
        open('extend');
        if (s.extension)
          refuse(
            `request ${requestId} was already extended once (by ${s.extension.workingDays} working days, approved by ${s.extension.approver} at ${s.extension.at}); the regulation allows one extension`,
            'SecondExtension',
          );
        const limit = statutory().workingDays;
        if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > limit))
          refuse(`workingDays: expected 1 to ${limit} (at most the statutory limit), got ${days}`, 'InvalidExtension');
        if (!approver?.trim())
          refuse('approver: the person who approved the extension is required', 'InvalidExtension');
        if (!reason?.trim()) refuse('reason: required', 'InvalidExtension');
        const d = due();
        if (d !== null && today() > d)
          refuse(`the reply limit ended on ${d}; an extension must be approved within it`, 'InvalidExtension');
        checkCalendar(
          () => cal.calendar.addWorkingDays(s.receivedOn, workingDays() + (days ?? limit)),
          'workingDays',
          'InvalidExtension',
        );
      },
    },
  );

  setHandler(
    requestPauseUpdate,
    ({ on, reason }) => {
      const from = day(on, 'on', 'InvalidPause');
      s.pauses.push({ from, to: null, workingDays: 0, reason });
      s.state = 'paused';
      note({ at: iso(clock.now()), type: 'pause', detail: `${from}: ${reason}` });
      return status();
    },
    {
      validator: ({ on, reason }) => {
        open('pause');
        if (paused()) refuse(`request ${requestId} is already paused since ${s.pauses.at(-1)?.from}`, 'InvalidPause');
        const from = day(on, 'on', 'InvalidPause');
        if (from < s.receivedOn)
          refuse(`on: ${from} is before the request was received (${s.receivedOn})`, 'InvalidPause');
        const last = s.pauses.at(-1);
        if (last?.to && from < last.to)
          refuse(`on: ${from} is before the last consultation ended (${last.to})`, 'InvalidPause');
        const d = due();
        if (d !== null && from > d) refuse(`on: ${from} is after the reply limit ended (${d})`, 'InvalidPause');
        if (!reason?.trim()) refuse('reason: who is consulted is required', 'InvalidPause');
      },
    },
  );

  setHandler(
    requestResumeUpdate,
    ({ on, reason }) => {
      const to = day(on, 'on', 'InvalidPause');
      const p = s.pauses.at(-1)!;
      p.to = to;
      p.workingDays = workingDaysBetween(cal.calendar, p.from, to);
      s.state = 'pending';
      rescheduled();
      note({
        at: iso(clock.now()),
        type: 'resume',
        detail: `${p.from} → ${to} (${p.workingDays} working days not counted): ${reason}`,
      });
      return status();
    },
    {
      validator: ({ on }) => {
        open('resume');
        const p = s.pauses.at(-1);
        if (!p || p.to !== null) refuse(`request ${requestId} is not paused`, 'InvalidPause');
        const to = day(on, 'on', 'InvalidPause');
        if (to < p!.from) refuse(`on: ${to} is before the consultation began (${p!.from})`, 'InvalidPause');
        checkCalendar(
          () =>
            cal.calendar.addWorkingDays(s.receivedOn, workingDays() + workingDaysBetween(cal.calendar, p!.from, to)),
          'on',
          'InvalidPause',
        );
      },
    },
  );

  setHandler(
    requestCorrectUpdate,
    ({ receivedOn, note: text }) => {
      const r = day(receivedOn, 'receivedOn', 'InvalidCorrection');
      const before = s.receivedOn;
      s.receivedOn = r;
      // The count restarts with the corrected request: consultations before it no longer matter.
      s.pauses = [];
      s.state = 'pending';
      rescheduled();
      note({
        at: iso(clock.now()),
        type: 'correction',
        detail: `${before} → ${r}${text ? `: ${text}` : ''}`,
      });
      return status();
    },
    {
      validator: ({ receivedOn }) => {
        open('restart the count');
        const r = day(receivedOn, 'receivedOn', 'InvalidCorrection');
        if (r < s.receivedOn)
          refuse(
            `receivedOn: ${r} is before the request it corrects was received (${s.receivedOn})`,
            'InvalidCorrection',
          );
        checkCalendar(
          () => informationRequestDue(r, { policy, calendar: cal.calendar }),
          'receivedOn',
          'InvalidCorrection',
        );
      },
    },
  );

  const receivedMs = DateTime.fromISO(input.receivedOn, { zone: PLAN_TIMEZONE }).toMillis();
  const replyInstant = (at: string | undefined): number =>
    instantArg(clock, at, 'at', {
      ms: receivedMs,
      what: `the request was received (${input.receivedOn})`,
      type: 'ReplyBeforeReceipt',
    });
  setHandler(
    requestReplyUpdate,
    async ({ at, evidence }) => {
      const ms = replyInstant(at);
      // A reply ends any consultation still open: the clock stops for good.
      const p = s.pauses.at(-1);
      const repliedOn = iso(ms).slice(0, 10);
      if (p && p.to === null) {
        p.to = repliedOn < p.from ? p.from : repliedOn;
        p.workingDays = workingDaysBetween(cal.calendar, p.from, p.to);
      }
      s.repliedAt = iso(ms);
      s.state = isOnTime(ms, due()!) ? 'on-time' : 'late';
      // A reply stated as sent earlier keeps when it was recorded beside it.
      const recorded = recordedBeside(clock, ms);
      const proof = evidence?.url ?? evidence?.document;
      note({
        at: s.repliedAt,
        type: 'reply',
        ...(proof || recorded ? { detail: `${proof ?? ''}${recorded}`.trim() } : {}),
      });
      if (evidence) await event({ type: 'fulfilment', at: s.repliedAt, evidence });
      await outcome(evidence);
      return status();
    },
    {
      validator: ({ at }) => {
        open('reply');
        replyInstant(at);
      },
    },
  );

  const updateSearch = searchable(
    { planId, unitCode, obligation: 'information-request', taskNo },
    { enabled: input.searchAttributes !== false, shiftMs: shift },
  );
  const upsert = (): void => updateSearch(s.closed ? 'closed' : s.state, upcoming()[0]?.at);

  if (!input.holidayYears) {
    // The installation's added years, read once; later ones arrive by the calendar signal.
    const error = cal.replace(await startingHolidayYears(undefined, holidayYears, input));
    if (error) calendarDataError(iso(clock.now()), error);
  } else if (cal.error) {
    calendarDataError(iso(clock.now()), cal.error);
  }

  for (;;) {
    upsert();
    if (s.closed || TERMINAL.has(s.state)) break;
    await tellCalendarDataError();
    const problem = calendarProblem();
    if (problem) {
      // A date computation never fails the workflow task: on record, to the general office, then wait for a change.
      if (s.calendarError !== problem) {
        s.calendarError = problem;
        log.error('request dates cannot be computed', { requestId, error: problem });
        note({ at: iso(clock.now()), type: 'calendar-error', detail: problem });
        await tellGeneralOffice(problem, s.receivedOn);
      }
      const waiting = timeline.version;
      await condition(() => timeline.version !== waiting || s.closed);
      continue;
    }
    s.calendarError = undefined;
    const d = due();
    if (d !== null && (s.state === 'pending' || s.state === 'overdue') && clock.now() >= deadlineEndMs(d)) {
      const next: InformationRequestStatus['state'] = upcoming().length === 0 ? 'missed' : 'overdue';
      if (next !== s.state) {
        s.state = next;
        if (next === 'missed') {
          note({ at: iso(clock.now()), type: 'missed' });
          await outcome();
        }
      }
    }
    const next = upcoming()[0];
    const seen = timeline.version;
    if (!next) {
      await condition(() => timeline.version !== seen || s.closed);
      continue;
    }
    const wait = Date.parse(next.at) - clock.now();
    if (wait > 0) {
      await condition(() => timeline.version !== seen || s.closed, wait);
      continue;
    }
    s.sent.push(next.stage);
    const notice = keyedNotice(
      {
        planId,
        taskNo,
        unitCode,
        obligation: 'information-request',
        period: requestId,
        due: next.due,
        stage: next.stage,
        at: next.at,
        notify: next.notify,
        ...(next.provisional ? { provisional: next.provisional } : {}),
        leadUnitCodes,
        taskTitle: input.taskTitle ?? '加强和规范依申请公开工作',
        requirement: `依申请公开答复（申请 ${requestId}，${s.receivedOn} 收到，${statutory().regulation}年条例，共 ${workingDays()} 个工作日）`,
      },
      // A due date that moved fires the same stage again: a new key, not a duplicate.
      s.revision > 0 ? `${requestId}@${next.due}` : requestId,
    );
    await sendAndNote(sendNotice, notice, timeline, { period: requestId, what: 'information-request' });
    await continueAsNewPastLimit<typeof informationRequestWorkflow>(undefined, () => ({
      ...input,
      holidayYears: cal.added,
      state: s,
    }));
  }
  if (s.closed && !TERMINAL.has(s.state) && s.state !== 'missed') {
    const d = due();
    s.state = d !== null && clock.now() >= deadlineEndMs(d) ? 'missed' : 'open';
    await outcome();
  }
  await condition(allHandlersFinished);
  upsert();
  return status();
}
