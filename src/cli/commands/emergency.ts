/**
 * `duban emergency report | done | status`: an incident's response windows (task 55). Also the client-side
 * helpers the request commands, the simulator and the tests share: unit lookup, default plan id, refusals.
 */
import os from 'node:os';
import path from 'node:path';
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import { DateTime } from 'luxon';
import type { Directory, Unit } from '../../domain/directory';
import { PLAN_TIMEZONE } from '../../domain/plan';
import { emergencyAgenda, type EmergencyAgenda, type Policy } from '../../domain/policy';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../../import/directory';
import { importTableFile } from '../../import/plan-file';
import { loadTemporalConfig } from '../../temporal/config';
import { createClient } from '../../temporal/connection';
import type { emergencyWorkflow } from '../../../workflows/emergency';
import {
  emergencyDoneUpdate,
  emergencyStatusQuery,
  incidentWorkflowId,
  WINDOW_ID_PATTERN,
  type EmergencyStatus,
  type EmergencyStep,
  type IncidentLevel,
} from '../../../workflows/messages';
import { type Command, UsageError } from '../command';

/** The bundled example plan, whose id is the default `--plan`. */
export const BUNDLED_PLAN_PATH = path.resolve(__dirname, '../../../examples/fujian-2017/tasks.txt');

let bundledPlanId: string | undefined;
/** The plan id from `--plan`, or the bundled example plan's (imported once). (Default: e.g. `fj-2017-zwgk`) */
export function planIdOf(values: Record<string, unknown>): string {
  const given = values.plan as string | undefined;
  if (given !== undefined) {
    if (!WINDOW_ID_PATTERN.test(given))
      throw new UsageError(`--plan: '${given}' is not a plan id (ASCII letters, digits, . _ -)`);
    return given;
  }
  bundledPlanId ??= importTableFile(BUNDLED_PLAN_PATH).plan.id;
  return bundledPlanId;
}

/** The directory from `--directory`, or the bundled example's; unreadable or invalid files are usage errors. */
export function directoryOf(values: Record<string, unknown>): Directory {
  try {
    return loadDirectory((values.directory as string | undefined) ?? BUNDLED_DIRECTORY_PATH);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** A unit by code, official name or alias (福州市, 福州市人民政府, fj-fuzhou); unknown units are refused. */
export function resolveUnit(directory: Directory, nameOrCode: string): Unit {
  const wanted = nameOrCode.trim();
  const unit = directory.units.find((u) => u.code === wanted || u.name === wanted || u.aliases.includes(wanted));
  if (!unit) {
    const near = directory.units.filter((u) => u.name.includes(wanted) || wanted.includes(u.name)).map((u) => u.name);
    throw new UsageError(
      `unknown unit '${nameOrCode}': not a code, name or alias in the unit directory${near.length ? ` (did you mean ${near.slice(0, 3).join('、')}?)` : ''}`,
    );
  }
  return unit;
}

/** An id for a workflow (incident, request): ASCII, because it becomes part of workflow IDs and notice keys. */
export function checkWindowId(id: string, flag: string): string {
  if (!WINDOW_ID_PATTERN.test(id))
    throw new UsageError(
      `${flag}: '${id}' must be 1–64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  return id;
}

/**
 * Reads an instant flag: ISO 8601 with an offset, or a date-time without one read as Asia/Shanghai wall time.
 * Returns epoch ms.
 */
export function parseInstantFlag(value: string, flag: string): number {
  const dt = DateTime.fromISO(value, { zone: PLAN_TIMEZONE });
  if (!/T\d\d:\d\d/.test(value) || !dt.isValid)
    throw new UsageError(`${flag}: '${value}' is not an instant such as 2017-07-10T08:00+08:00`);
  return dt.toMillis();
}

/** ISO 8601 in Asia/Shanghai with milliseconds and offset, as the policy writes instants. */
export function isoInstant(ms: number): string {
  return DateTime.fromMillis(ms, { zone: PLAN_TIMEZONE }).toISO() as string;
}

/** Turns a refused update (validator failure) or a missing workflow into a usage error; rethrows the rest. */
export function refusal(err: unknown, what: string): never {
  if (err instanceof WorkflowNotFoundError || (err as { name?: string }).name === 'WorkflowNotFoundError')
    throw new UsageError(`${what} not found`);
  if (err instanceof WorkflowUpdateFailedError || (err as { name?: string }).name === 'WorkflowUpdateFailedError') {
    const cause = (err as { cause?: { message?: string; type?: string } }).cause;
    throw new UsageError(
      `refused: ${cause?.message ?? (err as Error).message}${cause?.type ? ` [${cause.type}]` : ''}`,
    );
  }
  throw err;
}

/** Runs `fn` with a client for the configured server and closes it after. */
export async function withClient<T>(fn: (client: Client, taskQueue: string) => Promise<T>): Promise<T> {
  const config = loadTemporalConfig();
  const client = await createClient(config);
  try {
    return await fn(client, config.taskQueue);
  } finally {
    await client.connection.close();
  }
}

const LEVELS: readonly IncidentLevel[] = ['特别重大', '重大'];

/** What {@link reportIncident} needs. */
export interface IncidentReport {
  planId: string;
  directory: Directory;
  /** Unit code, name or alias. */
  unit: string;
  /** (Default: derived from the unit and the occurrence minute, so the same report twice is one incident) */
  incidentId?: string;
  level: string;
  summary: string;
  occurredAt: string;
  /** (Default: now) */
  reportedAt?: string;
  taskQueue: string;
  policy?: Policy;
  /** Plan time = real (or server) time + this; see `ObligationInput.timeShiftMs`. (Default: 0) */
  timeShiftMs?: number;
  /** "Now" in plan time, epoch ms. (Default: Date.now() + timeShiftMs) */
  nowMs?: number;
  /** (Default: true) */
  searchAttributes?: boolean;
}

/** What {@link reportIncident} did. */
export interface IncidentReported {
  workflowId: string;
  incidentId: string;
  unit: Unit;
  /** False when the incident was already reported: nothing was started or changed. */
  created: boolean;
  agenda: EmergencyAgenda;
}

/** The checks of {@link reportIncident}, without a server: throws a {@link UsageError} naming the flag. */
export function checkIncidentReport(r: Omit<IncidentReport, 'taskQueue'>): {
  unit: Unit;
  incidentId: string;
  occurredAt: string;
  reportedAt: string;
  agenda: EmergencyAgenda;
} {
  const now = r.nowMs ?? Date.now() + (r.timeShiftMs ?? 0);
  const unit = resolveUnit(r.directory, r.unit);
  if (!LEVELS.includes(r.level as IncidentLevel))
    throw new UsageError(`--level: expected ${LEVELS.join(' | ')} (task 55 covers these two), got '${r.level}'`);
  if (!r.summary.trim()) throw new UsageError('--summary: a short description of the incident is required');
  const occurredMs = parseInstantFlag(r.occurredAt, '--occurred-at');
  const reportedMs = r.reportedAt === undefined ? now : parseInstantFlag(r.reportedAt, '--reported-at');
  // A minute of slack for clocks that disagree a little; anything later is a typo or a wrong zone.
  if (occurredMs > now + 60_000)
    throw new UsageError(`--occurred-at: ${isoInstant(occurredMs)} is in the future (now ${isoInstant(now)})`);
  if (reportedMs > now + 60_000)
    throw new UsageError(`--reported-at: ${isoInstant(reportedMs)} is in the future (now ${isoInstant(now)})`);
  if (reportedMs < occurredMs)
    throw new UsageError(
      `--reported-at: ${isoInstant(reportedMs)} is before the incident occurred (${isoInstant(occurredMs)})`,
    );
  const incidentId = checkWindowId(
    r.incidentId ?? `${unit.code}-${DateTime.fromMillis(occurredMs, { zone: PLAN_TIMEZONE }).toFormat('yyyyMMddHHmm')}`,
    '--id',
  );
  const occurredAt = isoInstant(occurredMs);
  const reportedAt = isoInstant(reportedMs);
  return {
    unit,
    incidentId,
    occurredAt,
    reportedAt,
    agenda: emergencyAgenda({ occurredAt, reportedAt, policy: r.policy }),
  };
}

/**
 * Checks an incident report and starts its response workflow, once per incident id (a second report of the same
 * id changes nothing). Refuses, before anything starts: an unknown unit, an occurrence or report in the future, a
 * report before the occurrence, an unknown level, an empty summary, a non-ASCII id.
 */
export async function reportIncident(client: Client, r: IncidentReport): Promise<IncidentReported> {
  const shift = r.timeShiftMs ?? 0;
  const { unit, incidentId, occurredAt, reportedAt, agenda } = checkIncidentReport(r);
  const workflowId = incidentWorkflowId(r.planId, incidentId);
  try {
    await client.workflow.start<typeof emergencyWorkflow>('emergencyWorkflow', {
      taskQueue: r.taskQueue,
      workflowId,
      // Idempotent by incident id, even after the response ended.
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [
        {
          planId: r.planId,
          unitCode: unit.code,
          incidentId,
          level: r.level as IncidentLevel,
          summary: r.summary.trim(),
          occurredAt,
          reportedAt,
          policy: r.policy,
          timeShiftMs: shift,
          searchAttributes: r.searchAttributes,
        },
      ],
    });
    return { workflowId, incidentId, unit, created: true, agenda };
  } catch (err) {
    if (
      err instanceof WorkflowExecutionAlreadyStartedError ||
      (err as { name?: string }).name === 'WorkflowExecutionAlreadyStartedError'
    )
      return { workflowId, incidentId, unit, created: false, agenda };
    throw err;
  }
}

/** Records a step of an incident (`done`); refusals come back as usage errors naming the reason. */
export async function recordIncidentStep(
  client: Client,
  args: {
    planId: string;
    incidentId: string;
    step: EmergencyStep;
    at?: string;
    url?: string;
    document?: string;
    by: string;
  },
): Promise<EmergencyStatus> {
  const handle = client.workflow.getHandle(incidentWorkflowId(args.planId, args.incidentId));
  try {
    return await handle.executeUpdate(emergencyDoneUpdate, {
      args: [
        {
          step: args.step,
          at: args.at,
          evidence: {
            recordedBy: args.by,
            ...(args.url ? { url: args.url } : {}),
            ...(args.document ? { document: args.document } : {}),
          },
        },
      ],
    });
  } catch (err) {
    refusal(err, `incident '${args.incidentId}' of plan ${args.planId}`);
  }
}

function printStatus(s: EmergencyStatus): string {
  return [
    `incident ${s.incidentId} (${s.level}) of ${s.unitCode}: occurred ${s.occurredAt}, reported ${s.reportedAt}${s.closed ? ', closed' : ''}`,
    ...s.steps.map(
      (x) =>
        `  ${x.step.padEnd(17)} due ${x.due}  ${x.state}` +
        (x.doneAt
          ? ` at ${x.doneAt} (${x.marginMinutes! >= 0 ? `${x.marginMinutes} min early` : `${-x.marginMinutes!} min late`})`
          : ''),
    ),
  ].join('\n');
}

const common = {
  plan: { type: 'string' },
  directory: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** `duban emergency report`. */
export const emergencyReportCommand: Command = {
  path: ['emergency', 'report'],
  summary: 'report an incident (突发事件): 5-hour information and 24-hour press-conference windows',
  usage: [
    'Usage: duban emergency report --unit U --occurred-at INSTANT [--reported-at INSTANT] --level 特别重大|重大',
    '                              --summary TEXT [--id ID] [--plan P] [--directory FILE] [--json]',
    '',
    'Starts the response workflow of an incident (task 55). Windows run from the occurrence, not the report:',
    "authoritative information within 5 hours, a press conference within 24 hours. The unit's officer and head",
    'get an `opened` notice at once stating both deadlines; a window already past breaches at once.',
    'Reporting the same incident id twice changes nothing.',
    '',
    'Options:',
    '  --unit U             unit code, name or alias (福州市, fj-fuzhou)',
    '  --occurred-at T      when it happened, e.g. 2017-07-10T08:00+08:00 (no offset: Asia/Shanghai)',
    '  --reported-at T      when it was reported (default: now)',
    '  --level L            特别重大 or 重大',
    '  --summary TEXT       what happened',
    '  --id ID              incident id, ASCII (default: <unit code>-<occurrence yyyyMMddHHmm>)',
    '  --plan P             plan id (default: the bundled example plan, fj-2017-zwgk)',
    '  --directory FILE     unit directory (default: examples/fujian-2017/directory.json)',
    '  --json               print the result as JSON',
    '',
    'Exit code 2, with the reason, for an unknown unit, an instant in the future, a report before the occurrence.',
  ].join('\n'),
  options: {
    ...common,
    unit: { type: 'string' },
    'occurred-at': { type: 'string' },
    'reported-at': { type: 'string' },
    level: { type: 'string' },
    summary: { type: 'string' },
    id: { type: 'string' },
  },
  async run({ values }) {
    for (const f of ['unit', 'occurred-at', 'level', 'summary'])
      if (typeof values[f] !== 'string') throw new UsageError(`--${f} is required\n\n${emergencyReportCommand.usage}`);
    const planId = planIdOf(values);
    const directory = directoryOf(values);
    const report = {
      planId,
      directory,
      unit: values.unit as string,
      incidentId: values.id as string | undefined,
      level: values.level as string,
      summary: values.summary as string,
      occurredAt: values['occurred-at'] as string,
      reportedAt: values['reported-at'] as string | undefined,
    };
    // Bad input is refused before any connection: it never waits on (or needs) a server.
    checkIncidentReport(report);
    const result = await withClient((client, taskQueue) => reportIncident(client, { ...report, taskQueue }));
    if (values.json) {
      console.log(JSON.stringify({ ...result, unit: result.unit.code }, null, 2));
      return 0;
    }
    const a = result.agenda;
    console.log(
      [
        `${result.created ? 'reported' : 'already reported, nothing changed:'} incident ${result.incidentId} of ${result.unit.name} (${result.workflowId})`,
        `  information due       ${a.information.due}`,
        `  press conference due  ${a.pressConference.due}`,
      ].join('\n'),
    );
    return 0;
  },
};

/** `duban emergency done`. */
export const emergencyDoneCommand: Command = {
  path: ['emergency', 'done'],
  summary: 'record that an incident step was done (information published, press conference held)',
  usage: [
    'Usage: duban emergency done --id ID --step information|press-conference --at INSTANT --evidence URL',
    '                            [--document REF] [--by NAME] [--plan P] [--json]',
    '',
    'Records the step with when it was done and by how much it beat or missed its window; a step done early',
    'cancels its remaining reminders and its breach. Refused (exit 2, nothing recorded): an unknown incident, a',
    'step already done, an instant in the future or before the occurrence, no evidence.',
    '',
    'Options:',
    '  --id ID          incident id',
    '  --step S         information | press-conference',
    '  --at T           when it was done (default: now)',
    '  --evidence URL   where the information or the press conference was published',
    '  --document REF   a document reference instead of (or besides) the URL',
    `  --by NAME        who records it (default: the login name, ${os.userInfo().username})`,
    '  --plan P         plan id (default: the bundled example plan)',
  ].join('\n'),
  options: {
    ...common,
    id: { type: 'string' },
    step: { type: 'string' },
    at: { type: 'string' },
    evidence: { type: 'string' },
    document: { type: 'string' },
    by: { type: 'string' },
  },
  async run({ values }) {
    if (typeof values.id !== 'string') throw new UsageError(`--id is required\n\n${emergencyDoneCommand.usage}`);
    const step = values.step as string | undefined;
    if (step !== 'information' && step !== 'press-conference')
      throw new UsageError(`--step: expected information | press-conference, got '${step ?? ''}'`);
    if (!values.evidence && !values.document) throw new UsageError('--evidence URL (or --document REF) is required');
    const at = values.at === undefined ? undefined : isoInstant(parseInstantFlag(values.at as string, '--at'));
    const planId = planIdOf(values);
    const status = await withClient((client) =>
      recordIncidentStep(client, {
        planId,
        incidentId: values.id as string,
        step,
        at,
        url: values.evidence as string | undefined,
        document: values.document as string | undefined,
        by: (values.by as string | undefined) ?? os.userInfo().username,
      }),
    );
    console.log(values.json ? JSON.stringify(status, null, 2) : printStatus(status));
    return 0;
  },
};

/** `duban emergency status`. */
export const emergencyStatusCommand: Command = {
  path: ['emergency', 'status'],
  summary: "show an incident's windows and what was done",
  usage: 'Usage: duban emergency status --id ID [--plan P] [--json]',
  options: { ...common, id: { type: 'string' } },
  async run({ values }) {
    if (typeof values.id !== 'string') throw new UsageError(`--id is required\n\n${emergencyStatusCommand.usage}`);
    const planId = planIdOf(values);
    const status = await withClient(async (client) => {
      try {
        return await client.workflow
          .getHandle(incidentWorkflowId(planId, values.id as string))
          .query(emergencyStatusQuery);
      } catch (err) {
        return refusal(err, `incident '${values.id as string}' of plan ${planId}`);
      }
    });
    console.log(values.json ? JSON.stringify(status, null, 2) : printStatus(status));
    return 0;
  },
};

/** The `duban emergency …` commands, in help order. */
export const emergencyCommands: Command[] = [emergencyReportCommand, emergencyDoneCommand, emergencyStatusCommand];
