/**
 * The client layer: everything that acts on duban's workflows from outside — plans (start, close), obligations,
 * incidents and information requests — with one mapping of Temporal's errors to typed {@link Refusal}s. The CLI,
 * the HTTP API, the simulator and the tests all go through it.
 */
import { planSchedule, type PlanSchedule } from '../domain/obligations';
import { clientContext, type ClientContext, type ClientOptions } from './context';
import { createIncidentsClient, type IncidentsClient } from './incidents';
import { createObligationsClient, type ObligationsClient } from './obligations';
import {
  closePlan,
  startPlan,
  type ClosePlanOptions,
  type ClosePlanResult,
  type StartPlanOptions,
  type StartPlanResult,
} from './plans';
import { createRequestsClient, type RequestsClient } from './requests';

export type { ClientOptions } from './context';
export type { DeliveryLog, NoticeDelivery, RecipientDelivery, TimelineRow } from './deliveries';
export * from './refusals';
export type * from './incidents';
export type * from './obligations';
export type * from './requests';
export type { ClosePlanOptions, ClosePlanResult, StartPlanOptions, StartPlanResult } from './plans';
export { INCIDENT_LEVELS, EMERGENCY_STEPS, checkIncidentReport } from './incidents';
export { isoInstant, instantInput, dateInput, windowIdInput, textInput, quoted, oneLine, checkTexts } from './inputs';
export { mapConcurrent, startPlan, closePlan, countObligationWorkflows } from './plans';
export { MATRIX_UNITS_DEFAULT, MATRIX_UNITS_MAX } from './obligations';
export { sendCalendar, type CalendarSent } from './calendar';

/** duban's client for one plan. */
export interface DubanClient {
  readonly context: ClientContext;
  /** Who owes what under the plan, from the plan and the directory. */
  readonly schedule: PlanSchedule;
  readonly obligations: ObligationsClient;
  readonly incidents: IncidentsClient;
  readonly requests: RequestsClient;
  /** Starts every unit workflow of the plan, idempotently. */
  startPlan(
    options?: Omit<StartPlanOptions, 'taskQueue' | 'policy' | 'timeShiftMs' | 'searchAttributes'>,
  ): Promise<StartPlanResult>;
  /** Closes every unit workflow of the plan. */
  closePlan(options: ClosePlanOptions): Promise<ClosePlanResult>;
}

/** Creates the client for one plan. */
export function createDubanClient(options: ClientOptions): DubanClient {
  const context = clientContext(options);
  const schedule = planSchedule(context.plan, context.directory);
  return {
    context,
    schedule,
    obligations: createObligationsClient(context, schedule),
    incidents: createIncidentsClient(context),
    requests: createRequestsClient(context),
    startPlan: (start = {}) =>
      startPlan(context.client, context.plan, context.directory, {
        schedule,
        ...start,
        taskQueue: context.taskQueue,
        policy: options.policy,
        timeShiftMs: context.timeShiftMs,
        searchAttributes: context.searchAttributes,
        calendar: context.calendar,
      }),
    closePlan: (close) =>
      closePlan(context.client, schedule, context.plan.id, { ...close, concurrency: context.concurrency }),
  };
}
