/**
 * `duban request receive | reply | extend | pause | resume | correct | status`: information requests (依申请公开,
 * task 60) and their statutory reply limits.
 */
import os from 'node:os';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { DateTime } from 'luxon';
import { isIsoDate } from '../../domain/calendar';
import type { Directory, Unit } from '../../domain/directory';
import { PLAN_TIMEZONE, type IsoDate } from '../../domain/plan';
import { informationRequestDue, type InformationRequestDue, type Policy } from '../../domain/policy';
import type { informationRequestWorkflow } from '../../../workflows/information-request';
import {
  requestCorrectUpdate,
  requestExtendUpdate,
  requestPauseUpdate,
  requestReplyUpdate,
  requestResumeUpdate,
  requestStatusQuery,
  requestWorkflowId,
  type InformationRequestStatus,
} from '../../../workflows/messages';
import { type Command, UsageError } from '../command';
import {
  checkWindowId,
  directoryOf,
  isoInstant,
  parseInstantFlag,
  planIdOf,
  refusal,
  resolveUnit,
  withClient,
} from './emergency';

/** What {@link receiveRequest} needs. */
export interface RequestReceipt {
  planId: string;
  directory: Directory;
  /** Unit code, name or alias. */
  unit: string;
  requestId: string;
  receivedOn: string;
  taskQueue: string;
  policy?: Policy;
  /** See `ObligationInput.timeShiftMs`. (Default: 0) */
  timeShiftMs?: number;
  /** "Now" in plan time, epoch ms. (Default: Date.now() + timeShiftMs) */
  nowMs?: number;
  /** (Default: true) */
  searchAttributes?: boolean;
}

/**
 * Checks a received request and starts its reply-deadline workflow, once per request id. Refuses, before anything
 * starts: an unknown unit, a receipt date in the future or outside the holiday calendar, a non-ASCII id.
 */
export async function receiveRequest(
  client: Client,
  r: RequestReceipt,
): Promise<{ workflowId: string; unit: Unit; created: boolean; due: InformationRequestDue }> {
  const shift = r.timeShiftMs ?? 0;
  const now = r.nowMs ?? Date.now() + shift;
  const unit = resolveUnit(r.directory, r.unit);
  const requestId = checkWindowId(r.requestId, '--id');
  const receivedOn = dateFlag(r.receivedOn, '--received-on', now);
  let due: InformationRequestDue;
  try {
    due = informationRequestDue(receivedOn, { policy: r.policy });
  } catch (err) {
    throw new UsageError(`--received-on: ${(err as Error).message}`);
  }
  const workflowId = requestWorkflowId(r.planId, requestId);
  try {
    await client.workflow.start<typeof informationRequestWorkflow>('informationRequestWorkflow', {
      taskQueue: r.taskQueue,
      workflowId,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [
        {
          planId: r.planId,
          unitCode: unit.code,
          requestId,
          receivedOn,
          // Notices before the request reached duban would be news of the past: never sent.
          activeFrom: isoInstant(now),
          policy: r.policy,
          timeShiftMs: shift,
          searchAttributes: r.searchAttributes,
        },
      ],
    });
    return { workflowId, unit, created: true, due };
  } catch (err) {
    if (
      err instanceof WorkflowExecutionAlreadyStartedError ||
      (err as { name?: string }).name === 'WorkflowExecutionAlreadyStartedError'
    )
      return { workflowId, unit, created: false, due };
    throw err;
  }
}

/** A `YYYY-MM-DD` flag that is not after today (plan time). */
export function dateFlag(value: string, flag: string, nowMs: number): IsoDate {
  if (!isIsoDate(value)) throw new UsageError(`${flag}: '${value}' is not a date YYYY-MM-DD`);
  const today = DateTime.fromMillis(nowMs, { zone: PLAN_TIMEZONE }).toISODate() as string;
  if (value > today) throw new UsageError(`${flag}: ${value} is in the future (today is ${today})`);
  return value;
}

function printStatus(s: InformationRequestStatus): string {
  return [
    `request ${s.requestId} of ${s.unitCode}: received ${s.receivedOn}` +
      (s.receivedOn !== s.firstReceivedOn ? ` (corrected; first ${s.firstReceivedOn})` : '') +
      `, ${s.regulation} regulation, ${s.workingDays} working days`,
    `  due ${s.due ?? '(clock paused)'}  ${s.state}${s.closed ? ', closed' : ''}${s.repliedAt ? `, replied ${s.repliedAt}` : ''}`,
    ...(s.extension
      ? [
          `  extended by ${s.extension.workingDays} working days, approved by ${s.extension.approver}: ${s.extension.reason}`,
        ]
      : []),
    ...s.pauses.map(
      (p) => `  paused ${p.from} → ${p.to ?? '…'} (${p.workingDays} working days not counted): ${p.reason}`,
    ),
  ].join('\n');
}

const common = { plan: { type: 'string' }, json: { type: 'boolean' }, id: { type: 'string' } } as const;
const PLAN_HELP = '  --plan P          plan id (default: the bundled example plan, fj-2017-zwgk)';

type UpdateCall = (
  handle: ReturnType<Client['workflow']['getHandle']>,
  values: Record<string, unknown>,
) => Promise<InformationRequestStatus>;

/** A command that sends one update to a request's workflow and prints the new status. */
function requestUpdateCommand(spec: {
  verb: string;
  summary: string;
  usage: string[];
  options: Command['options'];
  required?: string[];
  call: UpdateCall;
}): Command {
  const usage = spec.usage.join('\n');
  return {
    path: ['request', spec.verb],
    summary: spec.summary,
    usage,
    options: { ...common, ...spec.options },
    async run({ values }) {
      for (const f of ['id', ...(spec.required ?? [])])
        if (typeof values[f] !== 'string') throw new UsageError(`--${f} is required\n\n${usage}`);
      const planId = planIdOf(values);
      const status = await withClient(async (client) => {
        const handle = client.workflow.getHandle(requestWorkflowId(planId, values.id as string));
        try {
          return await spec.call(handle, values);
        } catch (err) {
          return refusal(err, `request '${values.id as string}' of plan ${planId}`);
        }
      });
      console.log(values.json ? JSON.stringify(status, null, 2) : printStatus(status));
      return 0;
    },
  };
}

/** `duban request receive`. */
export const requestReceiveCommand: Command = {
  path: ['request', 'receive'],
  summary: 'register an information request (依申请公开) and run its statutory reply limit',
  usage: [
    'Usage: duban request receive --unit U --received-on DATE --id ID [--plan P] [--directory FILE] [--json]',
    '',
    'Starts the reply-deadline workflow of a request (task 60): due 15 working days after receipt for requests',
    'received before 2019-05-15 (2008 regulation, art. 24), 20 working days from then (2019 regulation, art. 33);',
    'the day of receipt is not counted. Reminders and escalations follow the deadline policy.',
    'Receiving the same id twice changes nothing.',
    '',
    'Options:',
    '  --unit U           unit code, name or alias (福州市, fj-fuzhou)',
    '  --received-on D    day of receipt, YYYY-MM-DD',
    '  --id ID            request id, ASCII, unique within the plan',
    PLAN_HELP,
    '  --directory FILE   unit directory (default: examples/fujian-2017/directory.json)',
  ].join('\n'),
  options: { ...common, unit: { type: 'string' }, 'received-on': { type: 'string' }, directory: { type: 'string' } },
  async run({ values }) {
    for (const f of ['unit', 'received-on', 'id'])
      if (typeof values[f] !== 'string') throw new UsageError(`--${f} is required\n\n${requestReceiveCommand.usage}`);
    const planId = planIdOf(values);
    const directory = directoryOf(values);
    resolveUnit(directory, values.unit as string);
    dateFlag(values['received-on'] as string, '--received-on', Date.now());
    const result = await withClient((client, taskQueue) =>
      receiveRequest(client, {
        planId,
        directory,
        unit: values.unit as string,
        requestId: values.id as string,
        receivedOn: values['received-on'] as string,
        taskQueue,
      }),
    );
    if (values.json) {
      console.log(JSON.stringify({ ...result, unit: result.unit.code }, null, 2));
      return 0;
    }
    console.log(
      `${result.created ? 'received' : 'already received, nothing changed:'} request ${values.id as string} of ${result.unit.name} ` +
        `(${result.workflowId}); due ${result.due.due} (${result.due.workingDays} working days, ${result.due.regulation} regulation)`,
    );
    return 0;
  },
};

/** `duban request reply`. */
export const requestReplyCommand = requestUpdateCommand({
  verb: 'reply',
  summary: 'record the reply to an information request; closes it',
  usage: [
    'Usage: duban request reply --id ID --at INSTANT [--evidence URL] [--document REF] [--by NAME] [--plan P]',
    '',
    'Records the reply (on time if before the due date ends) and ends the request. Refused (exit 2): an instant',
    'before the request was received or in the future, a request already answered.',
    '',
    '  --at T            when the reply was sent, e.g. 2017-10-20T16:00+08:00',
    PLAN_HELP,
  ],
  options: {
    at: { type: 'string' },
    evidence: { type: 'string' },
    document: { type: 'string' },
    by: { type: 'string' },
  },
  required: ['at'],
  call: (handle, v) =>
    handle.executeUpdate(requestReplyUpdate, {
      args: [
        {
          at: isoInstant(parseInstantFlag(v.at as string, '--at')),
          ...(v.evidence || v.document
            ? {
                evidence: {
                  recordedBy: (v.by as string | undefined) ?? os.userInfo().username,
                  ...(v.evidence ? { url: v.evidence as string } : {}),
                  ...(v.document ? { document: v.document as string } : {}),
                },
              }
            : {}),
        },
      ],
    }),
});

/** `duban request extend`. */
export const requestExtendCommand = requestUpdateCommand({
  verb: 'extend',
  summary: 'extend a reply limit once (延长答复期限), approved by a named person',
  usage: [
    'Usage: duban request extend --id ID --approver NAME --reason TEXT [--working-days N] [--plan P]',
    '',
    'One extension per request, of at most the statutory limit (15 or 20 working days), approved within the limit.',
    'A second extension is refused (exit 2).',
    '',
    '  --working-days N  working days added (default: the statutory limit)',
    PLAN_HELP,
  ],
  options: { approver: { type: 'string' }, reason: { type: 'string' }, 'working-days': { type: 'string' } },
  required: ['approver', 'reason'],
  call: (handle, v) => {
    const raw = v['working-days'] as string | undefined;
    const workingDays = raw === undefined ? undefined : Number(raw);
    if (workingDays !== undefined && !Number.isInteger(workingDays))
      throw new UsageError(`--working-days: '${raw}' is not a whole number`);
    return handle.executeUpdate(requestExtendUpdate, {
      args: [{ workingDays, approver: v.approver as string, reason: v.reason as string }],
    });
  },
});

/** `duban request pause`. */
export const requestPauseCommand = requestUpdateCommand({
  verb: 'pause',
  summary: 'stop the reply clock while a third party is consulted (征求第三方意见)',
  usage: [
    'Usage: duban request pause --id ID --reason TEXT [--on DATE] [--plan P]',
    '',
    'Working days after the pause day up to the resume day are not counted; no reminders while paused.',
    '',
    '  --on D     the day the consultation began (default: today)',
    PLAN_HELP,
  ],
  options: { reason: { type: 'string' }, on: { type: 'string' } },
  required: ['reason'],
  call: (handle, v) =>
    handle.executeUpdate(requestPauseUpdate, {
      args: [{ on: v.on as string | undefined, reason: v.reason as string }],
    }),
});

/** `duban request resume`. */
export const requestResumeCommand = requestUpdateCommand({
  verb: 'resume',
  summary: "restart the reply clock when the third party's answer arrives",
  usage: [
    'Usage: duban request resume --id ID [--on DATE] [--reason TEXT] [--plan P]',
    '',
    '  --on D     the day the answer arrived (default: today)',
    PLAN_HELP,
  ],
  options: { reason: { type: 'string' }, on: { type: 'string' } },
  call: (handle, v) =>
    handle.executeUpdate(requestResumeUpdate, {
      args: [{ on: v.on as string | undefined, reason: (v.reason as string | undefined) ?? 'third party answered' }],
    }),
});

/** `duban request correct`. */
export const requestCorrectCommand = requestUpdateCommand({
  verb: 'correct',
  summary: 'the corrected request (补正) arrived: restart the count from that day',
  usage: [
    'Usage: duban request correct --id ID --received-on DATE [--note TEXT] [--plan P]',
    '',
    'The limit is counted afresh from the day the corrected request arrived; earlier consultations no longer count.',
    PLAN_HELP,
  ],
  options: { 'received-on': { type: 'string' }, note: { type: 'string' } },
  required: ['received-on'],
  call: (handle, v) =>
    handle.executeUpdate(requestCorrectUpdate, {
      args: [{ receivedOn: v['received-on'] as string, note: v.note as string | undefined }],
    }),
});

/** `duban request status`. */
export const requestStatusCommand = requestUpdateCommand({
  verb: 'status',
  summary: "show an information request's due date, extension and pauses",
  usage: ['Usage: duban request status --id ID [--plan P] [--json]'],
  options: {},
  call: (handle) => handle.query(requestStatusQuery),
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
