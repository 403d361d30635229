/**
 * One incident's emergency response (task 55, 突发事件): authoritative information within 5 hours and a press
 * conference within 24 hours of the occurrence. Sends `opened` at the report, reminders and breaches at the
 * instants of the policy's emergency agenda, records each step's outcome and its margin.
 */
import { allHandlersFinished, condition, setHandler } from '@temporalio/workflow';
import { isOnTime, marginMinutes } from '../src/domain/deadlines';
import type { Evidence, TimelineEntry, UpcomingNotice } from '../src/domain/notice';
import { DEFAULT_POLICY, emergencyAgenda, type AgendaItem } from '../src/domain/policy';
import {
  closeSignal,
  emergencyDoneUpdate,
  emergencyStatusQuery,
  type EmergencyStatus,
  type EmergencyStep,
  type EmergencyStepStatus,
  type IncidentLevel,
} from './messages';
import { urgentActivities } from './activity-proxies';
import {
  answerTimelineAndAgenda,
  checkEvidence,
  continueAsNewPastLimit,
  instantArg,
  keyedNotice,
  outcomeOf,
  planClock,
  recordedBeside,
  refuse,
  sendAndNote,
  Timeline,
  type RunOptions,
} from './kit';
import { searchable } from './search-status';

const { sendNotice, recordOutcome, recordEvent } = urgentActivities;

/** Input of {@link emergencyWorkflow}. */
export interface EmergencyInput extends Omit<RunOptions, 'holidayYears' | 'historyLimit'> {
  planId: string;
  unitCode: string;
  incidentId: string;
  level: IncidentLevel;
  summary: string;
  /** t0: when the incident occurred, ISO 8601 with offset. Every window runs from here. */
  occurredAt: string;
  /** When it was reported to duban; `opened` goes out at this instant. */
  reportedAt: string;
  /** Task number the notices and outcomes are filed under. (Default: 55) */
  taskNo?: number | null;
  /** Task title for messages. (Default: 及时回应社会关切) */
  taskTitle?: string;
  /** Carried over continue-as-new. */
  state?: { steps: StepState[]; timeline: TimelineEntry[]; closed: boolean };
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

/** Runs an incident's two windows until both steps are done, or the incident is closed. */
export async function emergencyWorkflow(input: EmergencyInput): Promise<EmergencyStatus> {
  const { planId, unitCode, incidentId } = input;
  const policy = input.policy ?? DEFAULT_POLICY;
  const shift = input.timeShiftMs ?? 0;
  const taskNo = input.taskNo === undefined ? 55 : input.taskNo;
  const clock = planClock(shift);

  let agenda: ReturnType<typeof emergencyAgenda>;
  try {
    agenda = emergencyAgenda({ occurredAt: input.occurredAt, reportedAt: input.reportedAt, policy });
  } catch (err) {
    // Bad instants are the caller's error: fail once, do not retry the workflow task forever.
    return refuse((err as Error).message, 'InvalidInstant');
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
  const timeline = new Timeline(input.state?.timeline);
  let closed = input.state?.closed ?? false;
  const note = (entry: Omit<TimelineEntry, 'period'>): void => timeline.note({ ...entry, period: incidentId });
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
  const upcoming = (): UpcomingNotice[] =>
    closed
      ? []
      : steps
          .filter((s) => !DONE.has(s.state))
          .flatMap((s) =>
            itemsOf[s.step]
              .filter((a) => !s.sent.includes(a.stage))
              .map((a) => ({ ...a, obligation: s.obligation, period: incidentId, due: s.due })),
          )
          .sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  /** What every notice and outcome of a step is about. */
  const refOf = (s: StepState) => ({
    planId,
    taskNo,
    unitCode,
    obligation: s.obligation,
    period: incidentId,
    due: s.due,
  });
  const outcome = (s: StepState, evidence?: Evidence) =>
    recordOutcome(outcomeOf(refOf(s), s.state, s.doneAt, { evidence, marginMinutes: s.marginMinutes }));

  const doneInstant = (at: string | undefined): number =>
    instantArg(clock, at, 'at', { ms: occurredMs, what: `the incident occurred (${agenda.occurredAt})` });

  setHandler(emergencyStatusQuery, status);
  answerTimelineAndAgenda(timeline, upcoming);
  setHandler(closeSignal, ({ reason }) => {
    if (closed) return;
    closed = true;
    note({ at: clock.iso(clock.now()), type: 'closed', what: 'incident', detail: reason });
  });
  setHandler(
    emergencyDoneUpdate,
    async ({ step, at, evidence }) => {
      const s = stepOf(step);
      const ms = doneInstant(at);
      s.doneAt = clock.iso(ms);
      s.state = isOnTime(ms, s.due) ? 'on-time' : 'late';
      s.marginMinutes = marginMinutes(ms, s.due);
      // A step stated as done earlier keeps when it was recorded beside it.
      note({
        at: s.doneAt,
        type: 'done',
        what: step,
        detail: `${evidence.url ?? evidence.document ?? ''}${recordedBeside(clock, ms)}`,
      });
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
        checkEvidence(evidence);
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
    const seen = timeline.version;
    if (!next) {
      // Both windows breached: wait for a late record or a close.
      await condition(() => timeline.version !== seen || closed);
      continue;
    }
    const wait = Date.parse(next.at) - clock.now();
    if (wait > 0) {
      await condition(() => timeline.version !== seen || closed, wait);
      continue;
    }
    const s = steps.find((x) => x.obligation === next.obligation)!;
    s.sent.push(next.stage);
    if (next.stage === 'breach' && s.state === 'pending') {
      s.state = 'missed';
      note({ at: next.at, type: 'breached', what: s.step });
      await outcome(s);
    }
    const notice = keyedNotice({
      ...refOf(s),
      stage: next.stage,
      at: next.at,
      notify: next.notify,
      leadUnitCodes: [],
      taskTitle: input.taskTitle ?? '及时回应社会关切',
      requirement,
    });
    await sendAndNote(sendNotice, notice, timeline, { period: incidentId, what: s.step });
    await continueAsNewPastLimit<typeof emergencyWorkflow>(undefined, () => ({
      ...input,
      state: { steps, timeline: timeline.entries, closed },
    }));
  }
  if (closed) {
    for (const s of steps) {
      if (s.state === 'pending') {
        s.state = clock.now() >= Date.parse(s.due) ? 'missed' : 'open';
        await outcome(s);
      }
    }
  }
  await condition(allHandlersFinished);
  upsert();
  return status();
}
