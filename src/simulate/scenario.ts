/**
 * Scenario files for `duban simulate`: events applied at their instants through the same messages an operator
 * would send. `{"events": [{"at", "type": "fulfil", "unit", "obligation", "taskNo"?, "period"?}, …]}`.
 */
import { readFileSync } from 'node:fs';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import type { Directory } from '../domain/directory';
import { obligationWorkflowId, unitWorkflowId } from '../domain/ids';
import { taskObligations, type PlanSchedule } from '../domain/obligations';
import type { Plan } from '../domain/plan';
import { designateUpdate, extendUpdate, fulfilUpdate, waiveUpdate } from '../../workflows/messages';
import {
  requestCorrectUpdate,
  requestExtendUpdate,
  requestPauseUpdate,
  requestReplyUpdate,
  requestResumeUpdate,
  requestWorkflowId,
} from '../../workflows/messages';
import { recordIncidentStep, reportIncident } from '../cli/commands/emergency';
import { receiveRequest } from '../cli/commands/request';

const instant = z
  .string()
  .refine((v) => /([+-]\d\d:\d\d|Z)$/.test(v) && !Number.isNaN(Date.parse(v)), 'an ISO 8601 instant with offset');

const eventSchema = z
  .object({
    at: instant,
    type: z.string().min(1),
    unit: z.string().min(1).optional(),
  })
  .passthrough();

const scenarioSchema = z.object({ events: z.array(eventSchema) });

/** One scenario event; fields beyond `at`, `type` and `unit` depend on the type. */
export type ScenarioEvent = z.infer<typeof eventSchema> & Record<string, unknown>;
export interface Scenario {
  events: ScenarioEvent[];
}

/** What event handlers work with. */
export interface ScenarioContext {
  client: Client;
  plan: Plan;
  directory: Directory;
  schedule: PlanSchedule;
  taskQueue: string;
  /** Plan time = server time + timeShiftMs. */
  timeShiftMs: number;
  searchAttributes: boolean;
  /** Unit code for a unit name, alias or code; throws naming the event. */
  resolveUnit(nameOrCode: string, where: string): string;
  /** Workflows a handler started, so the simulator closes and awaits them at the end. */
  track(workflowId: string): void;
  /**
   * Workflows whose notices may fall after the plan's last scheduled instant (an extension, a designation, an
   * incident or a request): the simulator runs on until none of them has a notice ahead. `window` workflows answer
   * the window agenda query, `obligation` workflows the obligation one.
   */
  watch(workflowId: string, kind: 'obligation' | 'window'): void;
}

export type EventHandler = (event: ScenarioEvent, ctx: ScenarioContext, where: string) => Promise<void>;

/** Reads and validates a scenario file; errors name the file and the event's index and field. */
export function loadScenario(file: string): Scenario {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file}: not a readable JSON scenario: ${(err as Error).message}`);
  }
  const parsed = scenarioSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data as Scenario;
}

function str(event: ScenarioEvent, field: string, where: string): string {
  const value = event[field];
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${where}: '${field}' is required`);
  return value;
}

function optionalTaskNo(event: ScenarioEvent, where: string): number | null {
  const value = event.taskNo;
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`${where}: 'taskNo' must be an integer`);
  return value;
}

/** The obligation workflow an event means: unit + obligation kind (+ task number), by the plan's schedule. */
function obligationTarget(event: ScenarioEvent, ctx: ScenarioContext, where: string): string {
  const unitCode = ctx.resolveUnit(str(event, 'unit', where), where);
  const obligation = str(event, 'obligation', where);
  const taskNo = optionalTaskNo(event, where);
  const unit = ctx.schedule.units.find((u) => u.unitCode === unitCode);
  const designated =
    taskNo === null
      ? []
      : taskObligations(
          ctx.plan,
          ctx.plan.tasks.find((t) => t.no === taskNo)!,
          [],
        );
  const candidates = [...(unit?.obligations ?? []), ...designated].filter(
    (o) => o.obligation === obligation && o.taskNo === taskNo,
  );
  const spec = candidates[0];
  if (!spec) {
    throw new Error(
      `${where}: ${unitCode} has no obligation '${obligation}'${taskNo === null ? '' : ` of task ${taskNo}`}`,
    );
  }
  return obligationWorkflowId(ctx.plan.id, unitCode, spec.id);
}

function period(event: ScenarioEvent): string | null | undefined {
  return typeof event.period === 'string' ? event.period : undefined;
}

/** Handlers of `fulfil` events by obligation kind; deadline obligations share one. */
export const fulfilHandlers: Record<string, EventHandler> = {};

const fulfilDeadline: EventHandler = async (event, ctx, where) => {
  const workflowId = obligationTarget(event, ctx, where);
  const evidence = (event.evidence as Record<string, string> | undefined) ?? {};
  await ctx.client.workflow.getHandle(workflowId).executeUpdate(fulfilUpdate, {
    args: [
      {
        period: period(event),
        at: event.at,
        evidence: {
          document: evidence.document ?? (evidence.url ? undefined : 'scenario'),
          url: evidence.url,
          recordedBy: evidence.recordedBy ?? 'simulate',
        },
      },
    ],
  });
};

/** Handlers by event type. Event-driven windows (incidents, requests) add theirs here. */
export const eventHandlers: Record<string, EventHandler> = {
  async fulfil(event, ctx, where) {
    const handler = fulfilHandlers[str(event, 'obligation', where)] ?? fulfilDeadline;
    await handler(event, ctx, where);
  },
  async extend(event, ctx, where) {
    const workflowId = obligationTarget(event, ctx, where);
    ctx.watch(workflowId, 'obligation');
    await ctx.client.workflow.getHandle(workflowId).executeUpdate(extendUpdate, {
      args: [
        {
          period: period(event),
          newDue: str(event, 'newDue', where),
          reason: str(event, 'reason', where),
          approver: str(event, 'approver', where),
        },
      ],
    });
  },
  async waive(event, ctx, where) {
    await ctx.client.workflow.getHandle(obligationTarget(event, ctx, where)).executeUpdate(waiveUpdate, {
      args: [{ period: period(event), reason: str(event, 'reason', where), approver: str(event, 'approver', where) }],
    });
  },
  async designate(event, ctx, where) {
    const unitCode = ctx.resolveUnit(str(event, 'unit', where), where);
    const taskNo = optionalTaskNo(event, where);
    const task = ctx.plan.tasks.find((t) => t.no === taskNo);
    if (!task) throw new Error(`${where}: 'taskNo' names no task of the plan`);
    const leads = ctx.schedule.units.flatMap((u) => u.obligations).find((o) => o.taskNo === taskNo)?.leadUnitCodes;
    const obligations = taskObligations(ctx.plan, task, leads ?? []);
    if (event.remove !== true) {
      for (const spec of obligations) ctx.watch(obligationWorkflowId(ctx.plan.id, unitCode, spec.id), 'obligation');
    }
    await ctx.client.workflow.getHandle(unitWorkflowId(ctx.plan.id, unitCode)).executeUpdate(designateUpdate, {
      args: [
        {
          taskNo: task.no,
          obligations,
          remove: event.remove === true,
          by: typeof event.by === 'string' ? event.by : 'simulate',
        },
      ],
    });
  },
};

/** Builds the context's unit resolver: name, alias or code through the directory. */
export function unitResolver(directory: Directory): ScenarioContext['resolveUnit'] {
  return (nameOrCode, where) => {
    const unit = directory.units.find(
      (u) => u.code === nameOrCode || u.name === nameOrCode || u.aliases.includes(nameOrCode),
    );
    if (!unit) throw new Error(`${where}: unknown unit '${nameOrCode}' (not in the unit directory)`);
    return unit.code;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Event-driven windows (issue 5): incidents (task 55) and information requests (task 60)
// ---------------------------------------------------------------------------------------------------------------

function evidenceOf(event: ScenarioEvent): { url?: string; document?: string; recordedBy: string } {
  const e = (event.evidence as Record<string, string> | undefined) ?? {};
  return {
    url: e.url,
    document: e.document ?? (e.url ? undefined : 'scenario'),
    recordedBy: e.recordedBy ?? 'simulate',
  };
}

eventHandlers.incident = async (event, ctx, where) => {
  const r = await reportIncident(ctx.client, {
    planId: ctx.plan.id,
    directory: ctx.directory,
    unit: str(event, 'unit', where),
    incidentId: str(event, 'incident', where),
    level: str(event, 'level', where),
    summary: typeof event.summary === 'string' ? event.summary : 'scenario',
    occurredAt: str(event, 'occurredAt', where),
    reportedAt: event.at,
    taskQueue: ctx.taskQueue,
    timeShiftMs: ctx.timeShiftMs,
    nowMs: Date.parse(event.at),
    searchAttributes: ctx.searchAttributes,
  }).catch((err: Error) => {
    throw new Error(`${where}: ${err.message}`);
  });
  if (r.created) ctx.track(r.workflowId);
  ctx.watch(r.workflowId, 'window');
};

eventHandlers['information-request'] = async (event, ctx, where) => {
  const r = await receiveRequest(ctx.client, {
    planId: ctx.plan.id,
    directory: ctx.directory,
    unit: str(event, 'unit', where),
    requestId: str(event, 'request', where),
    receivedOn: str(event, 'receivedOn', where),
    taskQueue: ctx.taskQueue,
    timeShiftMs: ctx.timeShiftMs,
    nowMs: Date.parse(event.at),
    searchAttributes: ctx.searchAttributes,
  }).catch((err: Error) => {
    throw new Error(`${where}: ${err.message}`);
  });
  if (r.created) ctx.track(r.workflowId);
  ctx.watch(r.workflowId, 'window');
};

const fulfilIncidentStep =
  (step: 'information' | 'press-conference'): EventHandler =>
  async (event, ctx, where) => {
    const e = evidenceOf(event);
    await recordIncidentStep(ctx.client, {
      planId: ctx.plan.id,
      incidentId: str(event, 'incident', where),
      step,
      at: event.at,
      url: e.url,
      document: e.document,
      by: e.recordedBy,
    }).catch((err: Error) => {
      throw new Error(`${where}: ${err.message}`);
    });
  };
fulfilHandlers['emergency-information'] = fulfilIncidentStep('information');
fulfilHandlers['emergency-press-conference'] = fulfilIncidentStep('press-conference');
fulfilHandlers['information-request'] = async (event, ctx, where) => {
  const handle = ctx.client.workflow.getHandle(requestWorkflowId(ctx.plan.id, str(event, 'request', where)));
  await handle
    .executeUpdate(requestReplyUpdate, { args: [{ at: event.at, evidence: evidenceOf(event) }] })
    .catch((err: Error) => {
      const cause = (err as { cause?: Error }).cause;
      throw new Error(`${where}: ${cause?.message ?? err.message}`);
    });
};

/** The request of a `request-*` event, by its `request` id. */
const requestHandle = (event: ScenarioEvent, ctx: ScenarioContext, where: string) =>
  ctx.client.workflow.getHandle(requestWorkflowId(ctx.plan.id, str(event, 'request', where)));

const failWith = (where: string) => (err: Error) => {
  const cause = (err as { cause?: Error }).cause;
  throw new Error(`${where}: ${cause?.message ?? err.message}`);
};

eventHandlers['request-extend'] = async (event, ctx, where) => {
  const workingDays = typeof event.workingDays === 'number' ? event.workingDays : undefined;
  await requestHandle(event, ctx, where)
    .executeUpdate(requestExtendUpdate, {
      args: [{ workingDays, approver: str(event, 'approver', where), reason: str(event, 'reason', where) }],
    })
    .catch(failWith(where));
};
eventHandlers['request-pause'] = async (event, ctx, where) => {
  await requestHandle(event, ctx, where)
    .executeUpdate(requestPauseUpdate, {
      args: [{ on: typeof event.on === 'string' ? event.on : undefined, reason: str(event, 'reason', where) }],
    })
    .catch(failWith(where));
};
eventHandlers['request-resume'] = async (event, ctx, where) => {
  await requestHandle(event, ctx, where)
    .executeUpdate(requestResumeUpdate, {
      args: [
        {
          on: typeof event.on === 'string' ? event.on : undefined,
          reason: typeof event.reason === 'string' ? event.reason : 'third party answered',
        },
      ],
    })
    .catch(failWith(where));
};
eventHandlers['request-correct'] = async (event, ctx, where) => {
  await requestHandle(event, ctx, where)
    .executeUpdate(requestCorrectUpdate, {
      args: [
        { receivedOn: str(event, 'receivedOn', where), note: typeof event.note === 'string' ? event.note : undefined },
      ],
    })
    .catch(failWith(where));
};
