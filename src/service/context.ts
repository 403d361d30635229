/**
 * What every part of the client layer shares: the Temporal client, the plan and its directory, the policy, plan
 * time, unit lookup and Web UI links.
 */
import type { Client } from '@temporalio/client';
import { BUILTIN_CALENDAR, createHolidayCalendar, type HolidayCalendar } from '../domain/calendar';
import { findUnit, nearUnitNames, type Directory, type Unit } from '../domain/directory';
import type { HolidayYear } from '../domain/holidays';
import type { Plan } from '../domain/plan';
import { DEFAULT_POLICY, type Policy } from '../domain/policy';
import type { Store } from '../store/types';
import type { DeliveryLog } from './deliveries';
import { quoted } from './inputs';
import { Refusal } from './refusals';

/** Options of a client for one plan. */
export interface ClientOptions {
  client: Client;
  plan: Plan;
  directory: Directory;
  /** Temporal namespace, for Web UI links. (Default: `default`) */
  namespace?: string;
  /** Task queue new workflows (incidents, requests) start on. (Default: `duban`) */
  taskQueue?: string;
  /** The policy the workflows run. (Default: the default policy (README, "Default policy")) */
  policy?: Policy;
  /** Plan time = server time + this, as the plan's workflows were started with (simulations, demos). (Default: 0) */
  timeShiftMs?: number;
  /**
   * Plan time now, epoch ms: the time-skipping server's clock is not the host's. (Default: `Date.now() +
   * timeShiftMs`)
   */
  now?: () => number | Promise<number>;
  /** Temporal Web UI base URL. (Default: `http://127.0.0.1:8233`, the embedded dev server's UI) */
  uiBaseUrl?: string;
  /** Upsert search attributes in new workflows (the time-skipping server has none registered). (Default: true) */
  searchAttributes?: boolean;
  /** Concurrent queries while collecting status. (Default: 16) */
  concurrency?: number;
  /**
   * Holiday years added to the installation (`duban holidays add`, kept in the store), for the dates the client
   * computes itself (a request's due date, lights, provisional warnings). (Default: none, the built-in calendar)
   */
  holidayYears?: HolidayYear[];
  /**
   * The store the worker's outbox dispatcher writes: timelines and histories then say, per recipient, whether each
   * notice was sent, is still queued, or failed and why. (Default: none: notices read as queued for their recipients)
   */
  outbox?: DeliveryLog;
  /**
   * The store's read model of obligation overviews (written by the worker's activities): status and the dashboard
   * then read one table instead of querying every obligation workflow. (Default: none, they query the workflows)
   */
  readModel?: ReadModel;
}

/** What status reads of the store's read model. */
export type ReadModel = Pick<Store, 'listOverviews' | 'countOverviews' | 'countOverviewLights'>;

/** The shared part of the client layer, built once from {@link ClientOptions}. */
export interface ClientContext {
  client: Client;
  plan: Plan;
  directory: Directory;
  namespace: string;
  taskQueue: string;
  policy: Policy;
  /** The built-in holiday years overridden by the added ones. */
  calendar: HolidayCalendar;
  timeShiftMs: number;
  searchAttributes: boolean;
  concurrency: number;
  /** Where notices' deliveries are read from; absent: not known. */
  outbox: DeliveryLog | undefined;
  /** Where obligation overviews are read from; absent: from the workflows. */
  readModel: ReadModel | undefined;
  /** Plan time now, epoch ms. */
  now(): Promise<number>;
  /** Refuses a plan id other than this client's plan. */
  checkPlan(planId: string): void;
  /** A unit by code, name or alias; refuses an unknown one, with names close to it. */
  unitOf(nameOrCode: string): Unit;
  /** A unit's name, or the code when the directory lacks it. */
  unitName(code: string): string;
  /** Temporal Web UI link of a workflow. */
  uiLink(workflowId: string): string;
}

/** Builds the context. */
export function clientContext(options: ClientOptions): ClientContext {
  const { plan, directory } = options;
  const shift = options.timeShiftMs ?? 0;
  const namespace = options.namespace ?? 'default';
  const uiBase = (options.uiBaseUrl ?? 'http://127.0.0.1:8233').replace(/\/+$/, '');
  const names = new Map(directory.units.map((u) => [u.code, u.name]));
  return {
    client: options.client,
    plan,
    directory,
    namespace,
    taskQueue: options.taskQueue ?? 'duban',
    policy: options.policy ?? DEFAULT_POLICY,
    calendar: options.holidayYears?.length ? createHolidayCalendar(options.holidayYears) : BUILTIN_CALENDAR,
    timeShiftMs: shift,
    searchAttributes: options.searchAttributes ?? true,
    concurrency: options.concurrency ?? 16,
    outbox: options.outbox,
    readModel: options.readModel,
    now: async () => (options.now ? await options.now() : Date.now() + shift),
    checkPlan(planId) {
      if (planId !== plan.id)
        throw new Refusal(`unknown plan ${quoted(planId)} (this client runs plan ${plan.id})`, 'UnknownObligation');
    },
    unitOf: (nameOrCode) => unitOrRefuse(directory, nameOrCode),
    unitName: (code) => names.get(code) ?? code,
    uiLink: (workflowId) =>
      `${uiBase}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`,
  };
}

/** A unit by code, name or alias; refuses an unknown one, with names close to it. */
export function unitOrRefuse(directory: Directory, nameOrCode: string): Unit {
  const unit = findUnit(directory, String(nameOrCode ?? ''));
  if (unit) return unit;
  const near = nearUnitNames(directory, String(nameOrCode ?? ''));
  throw new Refusal(
    `unknown unit ${quoted(nameOrCode)} (not a code, name or alias in the unit directory)` +
      (near.length ? `; did you mean ${near.join('、')}?` : ''),
    'UnknownObligation',
  );
}
