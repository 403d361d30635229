/**
 * `duban request receive | reply | extend | pause | resume | correct | status`: information requests (依申请公开,
 * task 60) and their statutory reply limits.
 */
import { type DubanClient, type RequestOverview, quoted } from '../../service';
import type { InformationRequestStatus } from '../../../workflows/messages';
import { type Command, type Flag, UsageError } from '../command';
import {
  APPROVAL_FLAGS,
  approvalFlags,
  EVIDENCE_FLAGS,
  FLAGS,
  PLAN_FLAGS,
  dateFlag,
  evidenceFlags,
  flag,
  instantFlag,
  loadPlan,
  printResult,
  provisionalWarning,
  unitFlag,
  windowChangeCommand,
  windowStatusCommand,
  withDuban,
} from '../kit';
import { LIGHT_STYLES, padEnd, paint } from '../table';

const ID_FLAG: Flag = { name: 'id', type: 'string', value: 'ID', help: 'request id, ASCII, unique within the plan' };

/** A request's state, due date, extension and pauses. */
export function requestLines(s: RequestOverview): string[] {
  return [
    `request ${s.requestId} of ${s.unitName}: received ${s.receivedOn}` +
      (s.receivedOn !== s.firstReceivedOn ? ` (corrected; first ${s.firstReceivedOn})` : '') +
      `, ${s.regulation} regulation, ${s.workingDays} working days`,
    `  ${paint(padEnd(s.light, 6), LIGHT_STYLES[s.light])} due ${s.due ?? '(clock paused)'}  ${s.state}${s.closed ? ', closed' : ''}${s.repliedAt ? `, replied ${s.repliedAt}` : ''}` +
      (s.provisional ? `  (provisional ${s.provisional.join(', ')})` : ''),
    ...(s.calendarError ? [`  calendar error (the general office was told): ${s.calendarError}`] : []),
    ...(s.extension
      ? [
          `  extended by ${s.extension.workingDays} working days, approved by ${s.extension.approver}: ${s.extension.reason}`,
        ]
      : []),
    ...s.pauses.map(
      (p) => `  paused ${p.from} → ${p.to ?? '…'} (${p.workingDays} working days not counted): ${p.reason}`,
    ),
  ];
}

/** A command that changes one request and prints its new state; `input` reads its flags before any connection. */
function requestCommand<I>(spec: {
  verb: string;
  summary: string;
  description: string[];
  flags: Flag[];
  input: (values: Record<string, unknown>) => I;
  change: (d: DubanClient, requestId: string, input: I) => Promise<InformationRequestStatus>;
}): Command {
  return windowChangeCommand({
    ...spec,
    path: ['request', spec.verb],
    idFlag: ID_FLAG,
    windows: (d) => d.requests,
    lines: requestLines,
  });
}

/** `duban request receive`. */
export const requestReceiveCommand: Command = {
  path: ['request', 'receive'],
  summary: 'register an information request (依申请公开) and run its statutory reply limit',
  description: [
    'Starts the reply-deadline workflow of a request (task 60): due 15 working days after receipt for requests',
    'received before 2019-05-15 (2008 regulation, art. 24), 20 working days from then (2019 regulation, art. 33);',
    'the day of receipt is not counted. Reminders and escalations follow the deadline policy.',
    "Receiving the same id twice changes nothing; an id another unit's request has is refused.",
  ],
  flags: [
    flag(FLAGS.unit, { required: true }),
    { name: 'received-on', type: 'string', value: 'YYYY-MM-DD', help: 'day of receipt', required: true },
    flag(ID_FLAG, { required: true }),
    ...PLAN_FLAGS,
    FLAGS.json,
  ],
  async run({ values }) {
    const loaded = await loadPlan(values);
    const unit = unitFlag(loaded.directory, values.unit);
    const receivedOn = dateFlag(values['received-on'], '--received-on')!;
    const requestId = String(values.id);
    const result = await withDuban(loaded, (d) => d.requests.receive({ unit: unit.code, requestId, receivedOn }));
    const provisional = provisionalWarning(result.due.provisionalYears);
    if (provisional) console.error(provisional);
    printResult(
      values,
      { ...result, unit: result.unit.code },
      () =>
        `${result.created ? 'received' : 'already received, nothing changed:'} request ${requestId} of ${result.unit.name} ` +
        `(${result.workflowId}); due ${result.due.due} (${result.due.workingDays} working days, ${result.due.regulation} regulation)`,
    );
    return 0;
  },
};

/** `duban request reply`. */
export const requestReplyCommand = requestCommand({
  verb: 'reply',
  summary: 'record the reply to an information request; closes it',
  description: [
    'Records the reply (on time if before the due date ends) and ends the request. Refused (exit 2): an instant',
    'before the request was received or in the future, a request already answered.',
  ],
  flags: [flag(FLAGS.at, { help: 'when the reply was sent, e.g. 2017-10-20T16:00+08:00' }), ...EVIDENCE_FLAGS],
  input: (v) => {
    const at = instantFlag(v.at, '--at');
    const evidence = evidenceFlags(v, { required: false });
    return { ...(at ? { at } : {}), ...(evidence ? { evidence } : {}) };
  },
  change: (d, requestId, input) => d.requests.reply({ requestId, ...input }),
});

/** `duban request extend`. */
export const requestExtendCommand = requestCommand({
  verb: 'extend',
  summary: 'extend a reply limit once (延长答复期限), approved by a named person',
  description: [
    'One extension per request, of at most the statutory limit (15 or 20 working days), approved within the limit.',
    'A second extension is refused (exit 2).',
  ],
  flags: [
    ...APPROVAL_FLAGS,
    { name: 'working-days', type: 'string', value: 'N', help: 'working days added', default: 'the statutory limit' },
  ],
  input: (v) => {
    const raw = v['working-days'] as string | undefined;
    if (raw !== undefined && !/^\d+$/.test(raw))
      throw new UsageError(`--working-days: ${quoted(raw)} is not a whole number`);
    return { workingDays: raw === undefined ? undefined : Number(raw), ...approvalFlags(v) };
  },
  change: (d, requestId, input) => d.requests.extend({ requestId, ...input }),
});

const ON_FLAG: Flag = {
  name: 'on',
  type: 'string',
  value: 'YYYY-MM-DD',
  help: 'the day it happened',
  default: 'today',
};

/** `duban request pause`. */
export const requestPauseCommand = requestCommand({
  verb: 'pause',
  summary: 'stop the reply clock while a third party is consulted (征求第三方意见)',
  description: ['Working days after the pause day up to the resume day are not counted; no reminders while paused.'],
  flags: [
    flag(FLAGS.reason, { help: 'who is consulted', required: true }),
    flag(ON_FLAG, { help: 'the day the consultation began' }),
  ],
  input: (v) => ({ on: dateFlag(v.on, '--on'), reason: String(v.reason) }),
  change: (d, requestId, input) => d.requests.pause({ requestId, ...input }),
});

/** `duban request resume`. */
export const requestResumeCommand = requestCommand({
  verb: 'resume',
  summary: "restart the reply clock when the third party's answer arrives",
  description: [],
  flags: [
    flag(FLAGS.reason, { help: 'what came back', default: 'third party answered' }),
    flag(ON_FLAG, { help: 'the day the answer arrived' }),
  ],
  input: (v) => ({ on: dateFlag(v.on, '--on'), reason: v.reason as string | undefined }),
  change: (d, requestId, input) => d.requests.resume({ requestId, ...input }),
});

/** `duban request correct`. */
export const requestCorrectCommand = requestCommand({
  verb: 'correct',
  summary: 'the corrected request (补正) arrived: restart the count from that day',
  description: [
    'The limit is counted afresh from the day the corrected request arrived; earlier consultations no longer count.',
  ],
  flags: [
    {
      name: 'received-on',
      type: 'string',
      value: 'YYYY-MM-DD',
      help: 'the day the corrected request arrived',
      required: true,
    },
    FLAGS.note,
  ],
  input: (v) => ({ receivedOn: dateFlag(v['received-on'], '--received-on')!, note: v.note as string | undefined }),
  change: (d, requestId, input) => d.requests.correct({ requestId, ...input }),
});

/** `duban request status`. */
export const requestStatusCommand = windowStatusCommand({
  path: ['request', 'status'],
  summary: "show an information request's due date, light, extension and pauses (or, without --id, every request)",
  description: ['With --id: one request. Without: every request of the plan (or of --unit), latest receipt first.'],
  idFlag: ID_FLAG,
  plural: 'information requests',
  windows: (d) => d.requests,
  lines: requestLines,
});

/** The `duban request …` commands, in help order. */
export const requestCommands: Command[] = [
  requestReceiveCommand,
  requestReplyCommand,
  requestExtendCommand,
  requestPauseCommand,
  requestResumeCommand,
  requestCorrectCommand,
  requestStatusCommand,
];
