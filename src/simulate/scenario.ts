/**
 * Scenario files for `duban simulate`: events applied at their instants through the same client calls an operator
 * or officer would make. `{"events": [{"at", "type": "fulfil", "unit", "obligation", "taskNo"?, "period"?}, …]}`.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { DubanClient, ObligationRef } from '../service';
import { type Directory, findUnit, nearUnitNames } from '../domain/directory';
import { OBLIGATION_NAMES } from '../domain/names';
import type { Evidence } from '../domain/notice';
import type { ObligationKind, Plan } from '../domain/plan';

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

/** An incident or an information request, as the client addresses it. */
export interface WindowRef {
  kind: 'incidents' | 'requests';
  id: string;
}

/** A workflow the simulator reads the agenda of: a window, or an obligation of a unit. */
export type WatchedRef = WindowRef | { kind: 'obligations'; ref: ObligationRef };

/** What event handlers work with. */
export interface ScenarioContext {
  duban: DubanClient;
  /** Windows a handler started, so the simulator closes them and waits for their end with the plan's. */
  track(window: WindowRef): void;
  /**
   * Workflows whose notices may fall after the plan's last scheduled instant (an extension, a designation, an
   * incident or a request): the simulator runs on until none of them has a notice ahead.
   */
  watch(workflow: WatchedRef): void;
}

/** Applies one event; errors need not name the event (the simulator prefixes where it came from). */
export type EventHandler = (event: ScenarioEvent, ctx: ScenarioContext) => Promise<void>;

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

/** A scenario event that was refused or failed while the year ran; the message names the event. */
export class ScenarioEventError extends Error {
  override name = 'ScenarioEventError';
}

/** The fields each event type needs; what else a `fulfil` needs depends on its obligation kind. */
const REQUIRED: Record<string, string[]> = {
  fulfil: ['obligation'],
  extend: ['unit', 'obligation', 'newDue', 'reason', 'approver'],
  waive: ['unit', 'obligation', 'reason', 'approver'],
  'sign-for': ['unit', 'obligation'],
  designate: ['unit', 'taskNo'],
  incident: ['unit', 'incident', 'level', 'occurredAt'],
  'information-request': ['unit', 'request', 'receivedOn'],
  'request-extend': ['request', 'approver', 'reason'],
  'request-pause': ['request', 'reason'],
  'request-resume': ['request'],
  'request-correct': ['request', 'receivedOn'],
};
/** An incident step or a request reply names its window (whose unit is known); any other fulfilment its unit. */
const FULFIL_NEEDS: Partial<Record<ObligationKind, string[]>> = {
  'emergency-information': ['incident'],
  'emergency-press-conference': ['incident'],
  'information-request': ['request'],
};

/**
 * Every problem of a scenario against its plan, before anything runs: unknown event types, missing fields,
 * unknown units, obligation kinds and task numbers. Each line names the event by its index (0-based, as in the
 * file) and the field. Empty when the scenario can run.
 */
export function checkScenario(scenario: Scenario, plan: Plan, directory: Directory): string[] {
  const problems: string[] = [];
  const tasks = new Set(plan.tasks.map((t) => t.no));
  scenario.events.forEach((event, index) => {
    const where = `events.${index} (${event.type} at ${event.at})`;
    const fail = (field: string, message: string) => problems.push(`${where}: ${field}: ${message}`);
    const required = REQUIRED[event.type];
    if (!required) {
      fail('type', `unknown event type '${event.type}' (one of ${Object.keys(REQUIRED).join(', ')})`);
      return;
    }
    const obligation = typeof event.obligation === 'string' ? event.obligation : undefined;
    const needs =
      event.type === 'fulfil' ? [...required, ...(FULFIL_NEEDS[obligation as ObligationKind] ?? ['unit'])] : required;
    for (const field of needs) {
      const value = event[field];
      if (field === 'taskNo') continue;
      if (typeof value !== 'string' || value.trim() === '') fail(field, 'required, a non-empty string');
    }
    if (typeof event.unit === 'string' && event.unit.trim() !== '' && !findUnit(directory, event.unit)) {
      const near = nearUnitNames(directory, event.unit);
      fail(
        'unit',
        `no unit '${event.unit}' in the directory${near.length ? ` (did you mean ${near.join('、')}?)` : ''}`,
      );
    }
    if (obligation !== undefined && !(obligation in OBLIGATION_NAMES))
      fail(
        'obligation',
        `unknown obligation kind '${obligation}' (one of ${Object.keys(OBLIGATION_NAMES).join(', ')})`,
      );
    const taskNo = event.taskNo;
    if (taskNo !== undefined && taskNo !== null) {
      if (typeof taskNo !== 'number' || !Number.isInteger(taskNo))
        fail('taskNo', `'${String(taskNo)}' is not a task number`);
      else if (!tasks.has(taskNo)) fail('taskNo', `plan ${plan.id} has no task ${taskNo}`);
    } else if (required.includes('taskNo')) fail('taskNo', 'required, a task number');
    if (event.period !== undefined && typeof event.period !== 'string')
      fail('period', 'must be a string such as 2017-Q3');
  });
  return problems;
}

function str(event: ScenarioEvent, field: string): string {
  const value = event[field];
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`'${field}' is required`);
  return value;
}

const optionalStr = (event: ScenarioEvent, field: string): string | undefined =>
  typeof event[field] === 'string' ? (event[field] as string) : undefined;

function optionalTaskNo(event: ScenarioEvent): number | null {
  const value = event.taskNo;
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`'taskNo' must be an integer`);
  return value;
}

/** The obligation an event means: unit + obligation kind (+ task number, period). */
function obligationRef(event: ScenarioEvent, ctx: ScenarioContext): ObligationRef {
  return {
    planId: ctx.duban.context.plan.id,
    unitCode: str(event, 'unit'),
    obligation: str(event, 'obligation') as ObligationKind,
    taskNo: optionalTaskNo(event),
    ...(typeof event.period === 'string' ? { period: event.period } : {}),
  };
}

/** The evidence of a fulfilment event: its own, else a document reference `scenario`. */
function evidenceOf(event: ScenarioEvent): Evidence {
  const e = (event.evidence as Record<string, string> | undefined) ?? {};
  return {
    document: e.document ?? (e.url ? undefined : 'scenario'),
    url: e.url,
    recordedBy: e.recordedBy ?? 'simulate',
  };
}

/** Handlers of `fulfil` events by obligation kind; deadline obligations share the default. */
const stepDone =
  (step: 'information' | 'press-conference'): EventHandler =>
  async (event, { duban }) => {
    await duban.incidents.done({ incidentId: str(event, 'incident'), step, at: event.at, evidence: evidenceOf(event) });
  };

const fulfilHandlers: Partial<Record<ObligationKind, EventHandler>> = {
  'emergency-information': stepDone('information'),
  'emergency-press-conference': stepDone('press-conference'),
  'information-request': async (event, { duban }) => {
    await duban.requests.reply({ requestId: str(event, 'request'), at: event.at, evidence: evidenceOf(event) });
  },
};

/** Handlers by event type. */
export const eventHandlers: Record<string, EventHandler> = {
  async fulfil(event, ctx) {
    const custom = fulfilHandlers[str(event, 'obligation') as ObligationKind];
    if (custom) return custom(event, ctx);
    await ctx.duban.obligations.fulfil(obligationRef(event, ctx), { at: event.at, evidence: evidenceOf(event) });
  },
  async extend(event, ctx) {
    const ref = obligationRef(event, ctx);
    ctx.watch({ kind: 'obligations', ref });
    await ctx.duban.obligations.extend(ref, {
      newDue: str(event, 'newDue'),
      reason: str(event, 'reason'),
      approver: str(event, 'approver'),
    });
  },
  async waive(event, ctx) {
    await ctx.duban.obligations.waive(obligationRef(event, ctx), {
      reason: str(event, 'reason'),
      approver: str(event, 'approver'),
    });
  },
  /** The unit signs for every reminder and escalation of the obligation it has received (the dashboard's button). */
  async 'sign-for'(event, ctx) {
    await ctx.duban.obligations.signFor(obligationRef(event, ctx), {
      by: optionalStr(event, 'by') ?? 'simulate',
      via: 'dashboard',
    });
  },
  async designate(event, ctx) {
    const { obligations, context } = ctx.duban;
    const taskNo = optionalTaskNo(event);
    if (taskNo === null) throw new Error(`'taskNo' is required`);
    const unitCode = context.unitOf(str(event, 'unit')).code;
    const remove = event.remove === true;
    if (!remove) {
      for (const spec of obligations.designationSpecs(taskNo))
        ctx.watch({
          kind: 'obligations',
          ref: { planId: context.plan.id, unitCode, obligation: spec.obligation, taskNo, obligationId: spec.id },
        });
    }
    await obligations.designate({
      planId: context.plan.id,
      taskNo,
      unitCode,
      remove,
      by: optionalStr(event, 'by') ?? 'simulate',
    });
  },
  async incident(event, ctx) {
    const r = await ctx.duban.incidents.report(
      {
        unit: str(event, 'unit'),
        incidentId: str(event, 'incident'),
        level: str(event, 'level'),
        summary: optionalStr(event, 'summary') ?? 'scenario',
        occurredAt: str(event, 'occurredAt'),
        reportedAt: event.at,
      },
      { nowMs: Date.parse(event.at) },
    );
    const window = { kind: 'incidents', id: r.incidentId } as const;
    if (r.created) ctx.track(window);
    ctx.watch(window);
  },
  async 'information-request'(event, ctx) {
    const r = await ctx.duban.requests.receive(
      { unit: str(event, 'unit'), requestId: str(event, 'request'), receivedOn: str(event, 'receivedOn') },
      { nowMs: Date.parse(event.at) },
    );
    const window = { kind: 'requests', id: r.requestId } as const;
    if (r.created) ctx.track(window);
    ctx.watch(window);
  },
  async 'request-extend'(event, { duban }) {
    await duban.requests.extend({
      requestId: str(event, 'request'),
      workingDays: typeof event.workingDays === 'number' ? event.workingDays : undefined,
      approver: str(event, 'approver'),
      reason: str(event, 'reason'),
    });
  },
  async 'request-pause'(event, { duban }) {
    await duban.requests.pause({
      requestId: str(event, 'request'),
      on: optionalStr(event, 'on'),
      reason: str(event, 'reason'),
    });
  },
  async 'request-resume'(event, { duban }) {
    await duban.requests.resume({
      requestId: str(event, 'request'),
      on: optionalStr(event, 'on'),
      reason: optionalStr(event, 'reason'),
    });
  },
  async 'request-correct'(event, { duban }) {
    await duban.requests.correct({
      requestId: str(event, 'request'),
      receivedOn: str(event, 'receivedOn'),
      note: optionalStr(event, 'note'),
    });
  },
};
