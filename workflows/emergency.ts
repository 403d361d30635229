/**
 * One incident's emergency response (task 55, 突发事件): authoritative information within 5 hours and a press
 * conference within 24 hours of the occurrence. Sends `opened` at the report, reminders and breaches at the
 * instants of the policy's emergency agenda, records each step's outcome and its margin.
 */
import {
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  log,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { DateTime } from 'luxon';
import { noticeKey, type Notice, type Outcome } from '../src/domain/notice';
import { PLAN_TIMEZONE } from '../src/domain/plan';
import { DEFAULT_POLICY, emergencyAgenda, type AgendaItem, type Policy } from '../src/domain/policy';
import {
  closeSignal,
  emergencyDoneUpdate,
  emergencyStatusQuery,
  windowAgendaQuery,
  windowTimelineQuery,
  type EmergencyStatus,
  type EmergencyStep,
  type EmergencyStepStatus,
  type IncidentLevel,
  type WindowTimelineEntry,
  type WindowUpcoming,
} from './messages';
import { urgentActivities } from './activity-proxies';
import { searchable } from './search-status';

const { sendNotice, recordOutcome, recordEvent } = urgentActivities;

/** Input of {@link emergencyWorkflow}. */
export interface EmergencyInput {
  planId: string;
  unitCode: string;
  incidentId: string;
  level: IncidentLevel;
  summary: string;
  /** t0: when the incident occurred, ISO 8601 with offset. Every window runs from here. */
  occurredAt: string;
  /** When it was reported to duban; `opened` goes out at this instant. */
  reportedAt: string;
  /** (Default: the design's default policy) */
  policy?: Policy;
  /** Task number the notices and outcomes are filed under. (Default: 55) */
  taskNo?: number | null;
  /** Task title for messages. (Default: 及时回应社会关切) */
  taskTitle?: string;
  /** Milliseconds added to workflow time to get plan time; see `ObligationInput.timeShiftMs`. (Default: 0) */
  timeShiftMs?: number;
  /** Upsert search attributes (the time-skipping test server has none registered). (Default: true) */
  searchAttributes?: boolean;
  /** Carried over continue-as-new. */
  state?: { steps: StepState[]; timeline: WindowTimelineEntry[]; closed: boolean };
}

interface StepState extends EmergencyStepStatus {
  sent: string[];
}

const OBLIGATION: Record<EmergencyStep, EmergencyStepStatus['obligation']> = {
  information: 'emergency-information',
  'press-conference': 'emergency-press-conference',
};
const STEP_NAMES: Record<EmergencyStep, string> = { information: '发布权威信息', 'press-conference': '举行新闻发布会' };
const DONE = new Set<EmergencyStepStatus['state']>(['on-time', 'late']);
const HISTORY_EVENTS_BEFORE_CONTINUE = 2000;
const MINUTE_MS = 60_000;

/** Runs an incident's two windows until both steps are done, or the incident is closed. */
export async function emergencyWorkflow(input: EmergencyInput): Promise<EmergencyStatus> {
  const { planId, unitCode, incidentId } = input;
  const policy = input.policy ?? DEFAULT_POLICY;
  const shift = input.timeShiftMs ?? 0;
  const taskNo = input.taskNo === undefined ? 55 : input.taskNo;
  const planNow = (): number => Date.now() + shift;
  const iso = (ms: number): string => DateTime.fromMillis(ms, { zone: PLAN_TIMEZONE }).toISO() as string;

  let agenda: ReturnType<typeof emergencyAgenda>;
  try {
    agenda = emergencyAgenda({ occurredAt: input.occurredAt, reportedAt: input.reportedAt, policy });
  } catch (err) {
    // Bad instants are the caller's error: fail once, do not retry the workflow task forever.
    throw ApplicationFailure.nonRetryable((err as Error).message, 'InvalidInstant');
  }
  const itemsOf: Record<EmergencyStep, AgendaItem[]> = {
    information: agenda.information.items,
    'press-conference': agenda.pressConference.items,
  };
  const occurredMs = Date.parse(agenda.occurredAt);
  const requirement =
    `${input.level}突发事件：${input.summary}。发生于 ${agenda.occurredAt}，报告于 ${agenda.reportedAt}。` +
    `须于 ${agenda.information.due} 前${STEP_NAMES.information}（${policy.emergency.information.withinHours}小时内），` +
    `于 ${agenda.pressConference.due} 前${STEP_NAMES['press-conference']}（${policy.emergency.pressConference.withinHours}小时内）。`;

  const steps: StepState[] = input.state?.steps ?? [
    {
      step: 'information',
      obligation: OBLIGATION.information,
      due: agenda.information.due,
      state: 'pending',
      doneAt: null,
      marginMinutes: null,
      sent: [],
    },
    {
      step: 'press-conference',
      obligation: OBLIGATION['press-conference'],
      due: agenda.pressConference.due,
      state: 'pending',
      doneAt: null,
      marginMinutes: null,
      sent: [],
    },
  ];
  const timeline: WindowTimelineEntry[] = input.state?.timeline ?? [];
  let closed = input.state?.closed ?? false;
  let version = 0;
  const note = (entry: WindowTimelineEntry): void => {
    timeline.push(entry);
    version++;
  };
  const stepOf = (step: EmergencyStep): StepState => steps.find((s) => s.step === step)!;
  const status = (): EmergencyStatus => ({
    incidentId,
    unitCode,
    level: input.level,
    occurredAt: agenda.occurredAt,
    reportedAt: agenda.reportedAt,
    steps: steps.map(({ sent: _sent, ...s }) => s),
    closed,
  });
  // A step done (early or late) has no notice left: done early cancels its remaining reminders and its breach.
  const upcoming = (): WindowUpcoming[] =>
    closed
      ? []
      : steps
          .filter((s) => !DONE.has(s.state))
          .flatMap((s) =>
            itemsOf[s.step]
              .filter((a) => !s.sent.includes(a.stage))
              .map((a) => ({ ...a, obligation: s.obligation, due: s.due })),
          )
          .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  const outcome = (s: StepState, evidence?: Outcome['evidence']) =>
    recordOutcome({
      planId,
      taskNo,
      unitCode,
      obligation: s.obligation,
      period: incidentId,
      due: s.due,
      status: s.state === 'pending' ? 'open' : (s.state as Outcome['status']),
      fulfilledAt: s.doneAt,
      ...(evidence ? { evidence } : {}),
      ...(s.marginMinutes !== null ? { marginMinutes: s.marginMinutes } : {}),
    });

  const refuse = (message: string, type: string): never => {
    throw ApplicationFailure.nonRetryable(message, type);
  };
  const doneInstant = (at: string | undefined): number => {
    if (at === undefined) return planNow();
    const ms = Date.parse(at);
    if (!/(?:[+-]\d\d:\d\d|Z)$/.test(at) || Number.isNaN(ms))
      refuse(`at: '${at}' is not an ISO 8601 instant with offset`, 'InvalidInstant');
    if (ms > planNow() + MINUTE_MS) refuse(`at: ${at} is in the future (now ${iso(planNow())})`, 'InvalidInstant');
    if (ms < occurredMs) refuse(`at: ${at} is before the incident occurred (${agenda.occurredAt})`, 'InvalidInstant');
    return ms;
  };

  setHandler(emergencyStatusQuery, status);
  setHandler(windowAgendaQuery, upcoming);
  setHandler(windowTimelineQuery, () => timeline);
  setHandler(closeSignal, ({ reason }) => {
    if (closed) return;
    closed = true;
    note({ at: iso(planNow()), type: 'closed', what: 'incident', detail: reason });
  });
  setHandler(
    emergencyDoneUpdate,
    async ({ step, at, evidence }) => {
      const s = stepOf(step);
      const ms = doneInstant(at);
      s.doneAt = iso(ms);
      const dueMs = Date.parse(s.due);
      s.state = ms <= dueMs ? 'on-time' : 'late';
      s.marginMinutes = Math.round((dueMs - ms) / MINUTE_MS);
      note({ at: s.doneAt, type: 'done', what: step, detail: evidence.url ?? evidence.document });
      await recordEvent({
        planId,
        taskNo,
        unitCode,
        obligation: s.obligation,
        period: incidentId,
        event: { type: 'fulfilment', at: s.doneAt, evidence },
      });
      await outcome(s, evidence);
      return status();
    },
    {
      validator: ({ step, at, evidence }) => {
        if (closed) refuse(`incident ${incidentId} is closed`, 'AlreadyClosed');
        if (step !== 'information' && step !== 'press-conference')
          refuse(`step: expected information | press-conference, got ${JSON.stringify(step)}`, 'InvalidStep');
        const s = stepOf(step);
        if (DONE.has(s.state))
          refuse(`${step} of incident ${incidentId} was already done at ${s.doneAt}`, 'AlreadyDone');
        doneInstant(at);
        if (!evidence || typeof evidence.recordedBy !== 'string' || evidence.recordedBy.trim() === '')
          refuse('evidence.recordedBy: who recorded it is required', 'InvalidEvidence');
        if (!evidence.url && !evidence.document)
          refuse('evidence: a publication URL or a document reference is required', 'InvalidEvidence');
      },
    },
  );

  const updateSearch = searchable(
    { planId, unitCode, obligation: 'emergency-response', taskNo },
    { enabled: input.searchAttributes !== false, shiftMs: shift },
  );
  const upsert = (): void => {
    const open = steps.find((s) => !DONE.has(s.state));
    updateSearch(closed ? 'closed' : (open?.state ?? 'on-time'), upcoming()[0]?.at);
  };

  for (;;) {
    upsert();
    if (closed || steps.every((s) => DONE.has(s.state))) break;
    const next = upcoming()[0];
    const seen = version;
    if (!next) {
      // Both windows breached: wait for a late record or a close.
      await condition(() => version !== seen || closed);
      continue;
    }
    const wait = Date.parse(next.at) - planNow();
    if (wait > 0) {
      await condition(() => version !== seen || closed, wait);
      continue;
    }
    const s = steps.find((x) => x.obligation === next.obligation)!;
    s.sent.push(next.stage);
    if (next.stage === 'breach' && s.state === 'pending') {
      s.state = 'missed';
      note({ at: next.at, type: 'breached', what: s.step });
      await outcome(s);
    }
    const n: Notice = {
      key: '',
      planId,
      taskNo,
      unitCode,
      obligation: s.obligation,
      period: incidentId,
      due: s.due,
      stage: next.stage,
      at: next.at,
      notify: next.notify,
      leadUnitCodes: [],
      taskTitle: input.taskTitle ?? '及时回应社会关切',
      requirement,
    };
    n.key = noticeKey(n);
    try {
      const { recipients } = await sendNotice(n);
      note({ at: next.at, type: 'notice', what: s.step, stage: next.stage, recipients });
    } catch (err) {
      // Refusals (unit not in the directory, no address) are on record, not fatal to the incident.
      log.warn('notice not sent', { key: n.key, error: (err as Error).message });
      note({ at: next.at, type: 'notice-failed', what: s.step, stage: next.stage, detail: (err as Error).message });
    }
    if (workflowInfo().historyLength > HISTORY_EVENTS_BEFORE_CONTINUE) {
      await condition(allHandlersFinished);
      await continueAsNew<typeof emergencyWorkflow>({ ...input, state: { steps, timeline, closed } });
    }
  }
  if (closed) {
    for (const s of steps) {
      if (s.state === 'pending') {
        s.state = planNow() >= Date.parse(s.due) ? 'missed' : 'open';
        await outcome(s);
      }
    }
  }
  await condition(allHandlersFinished);
  upsert();
  return status();
}
