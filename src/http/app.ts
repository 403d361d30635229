/**
 * What route handlers see: the request as a {@link Call}, the route as a table entry, and the server as an
 * {@link HttpApp} (its dependencies, its checks and its one audited change path). Types only, so the handler
 * modules and the server depend on this file rather than on each other.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PayloadCodec } from '@temporalio/common';
import type { DubanClient } from '../service';
import type { Directory } from '../domain/directory';
import type { Plan } from '../domain/plan';
import type { SignForConfig } from '../mail/sign-for-token';
import type { Store } from '../store/types';
import type { Logger } from '../telemetry/logger';
import type { HealthChecks } from '../temporal/health';
import type { Authentication, Authenticator, Principal } from './auth';
import type { HttpConfig } from './config';
import type { Flash, PageContext } from './pages';
import type { Method } from './router';
import type { ThrottleLimits, TokenThrottle } from './throttle';
import type { DashboardExtras } from './service-types';

/** What the server is built from. */
export interface HttpServerDeps {
  /** The client layer for the plan: obligations, incidents, information requests. */
  duban: DubanClient;
  store: Store;
  plan: Plan;
  directory: Directory;
  config: Pick<HttpConfig, 'operatorToken' | 'unitTokens' | 'secureCookies'>;
  /** Base of absolute links (calendar feed URLs). (Default: the request's Host) */
  publicUrl?: string;
  /** Report downloads and calendar feeds. (Default: neither) */
  extras?: DashboardExtras;
  /** Failures, refused logins and, with `logRequests`, the requests (never a token or query string). (Default: the process's logger) */
  logger?: Logger;
  /** One line per request: method, path without query, status, time. (Default: false) */
  logRequests?: boolean;
  /** Clock for audit entries, epoch ms. (Default: Date.now) */
  now?: () => number;
  /** A line above every page, e.g. that the plan is a rehearsal. (Default: none) */
  banner?: string;
  /** Connection limits and token throttling. (Default: `DEFAULT_HTTP_LIMITS` in server.ts) */
  limits?: Partial<HttpLimits>;
  /** What `/readyz` checks. (Default: nothing: ready while the server answers) */
  readiness?: HealthChecks;
  /** The codec endpoint for the Temporal Web UI and CLI. (Default: none: the endpoint answers 404) */
  codec?: CodecEndpoint;
  /** The key sign-for (签收) links are signed with. (Default: none: links answer 404) */
  signFor?: Pick<SignForConfig, 'key'>;
}

/** What the codec endpoint needs: the codec, and the Web UI's origin for CORS. */
export interface CodecEndpoint {
  codec: PayloadCodec;
  /** Base URL of the Temporal Web UI (DUBAN_TEMPORAL_UI_URL, else the dev server's). (Default: none: no CORS) */
  uiUrl?: string;
}

/** What one client can hold of the server: time per request, connections, guesses of a token. */
export interface HttpLimits {
  /** Time to send the request headers, ms. (Default: 15 s) */
  headersTimeoutMs: number;
  /** Time to send the whole request, ms. (Default: 30 s) */
  requestTimeoutMs: number;
  /** An idle kept-alive connection is closed after this, ms. (Default: 5 s) */
  keepAliveTimeoutMs: number;
  /** Open connections at most; more are refused at once. (Default: 256) */
  maxConnections: number;
  /** Wrong tokens per address and window before 429. (Default: 10 per 10 minutes) */
  throttle: ThrottleLimits;
}

/**
 * Who may call a route: `public` anyone; `feed` anyone, the handler checks a token or a feed key itself; `user`
 * any signed-in caller, and where the path has `:unit`, an officer only for that unit; `operator` operators only.
 */
export type Who = 'public' | 'feed' | 'user' | 'operator';

/** The changes the API and the forms make, as the audit log names them. */
export type ChangeAction =
  | 'fulfil'
  | 'extend'
  | 'waive'
  | 'designate'
  | 'incident-report'
  | 'incident-done'
  | 'request-receive'
  | 'request-reply'
  | 'request-extend'
  | 'request-pause'
  | 'request-resume'
  | 'request-correct'
  | 'sign-for';

/** One request as a handler sees it. */
export interface Call<A extends Authentication | null = Authentication> {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The path's named parameters, percent-decoded. */
  params: Record<string, string>;
  auth: A;
  /** The route's audit action when it changes something. */
  action?: ChangeAction;
  /**
   * The route's who-check (and its unit check for `:unit`): throws a 403. Read routes have passed it before
   * their handler runs; change routes run it inside their audited change, so a forbidden attempt is recorded.
   */
  authorize(): void;
}

interface RouteBase {
  method: Method;
  /** Pattern with named parameters, e.g. `/api/plans/:plan/incidents/:incident/done`. */
  path: string;
  /** For `operator` routes: what the 403 says others may not do, e.g. `read the audit log`. */
  does?: string;
  /** The audit action: the route changes something, and its checks run inside the audited change. */
  change?: ChangeAction;
  /** Optional query parameters the handler reads, for the API description. */
  query?: readonly QueryParameter[];
}

/** A query parameter of a route: its name, what it does, and its JSON Schema. */
export interface QueryParameter {
  name: string;
  description: string;
  schema: Record<string, unknown>;
}

/** An entry of the route table. */
export type Route =
  | (RouteBase & { who: 'public' | 'feed'; handle(call: Call<Authentication | null>): Promise<void> | void })
  | (RouteBase & { who: 'user' | 'operator'; handle(call: Call): Promise<void> | void });

/** What an audit entry names as the thing acted on; handlers fill in the unit once they know it. */
export interface ChangeTarget {
  unitCode: string | null;
  obligationId?: string;
  period?: string | null;
  taskNo?: number;
  incidentId?: string;
  requestId?: string;
  step?: string;
}

/** A form that changes something: how to read it, what to do, where to go after, how to show a refusal. */
export interface FormChange<T> {
  target: ChangeTarget;
  /** The change's body from the form's fields (the CSRF token already removed). */
  body(form: Record<string, string>): unknown;
  /** Performs the change; runs inside the audited change after the route's who-check. */
  perform(body: unknown): Promise<T>;
  /** Words before the refusal's message in the error flash, e.g. `未能登记`. */
  failure: string;
  /** The page again, with the error flash and the form's values kept (status: the refusal's 4xx). */
  rerender(flash: Flash, form: Record<string, string>): Promise<string>;
  /** Where to go after success (a page that shows a flash from `?done=`). */
  success(result: T): string;
}

/** The server as handlers use it. */
export interface HttpApp {
  readonly deps: HttpServerDeps;
  readonly planId: string;
  /** Unit code → name, every unit of the directory but the general office. */
  readonly unitNames: ReadonlyMap<string, string>;
  readonly auth: Authenticator;
  /** Wrong tokens by client address (login form and bearer header). */
  readonly throttle: TokenThrottle;
  /** Where failures and refused logins are told. */
  readonly logger: Logger;
  /** Every route, in the order they are matched. */
  readonly routes: readonly Route[];
  /** The address a request came from, as throttling counts it. */
  clientAddress(req: IncomingMessage): string;
  /** What every page knows about the caller. */
  context(auth: Authentication): PageContext;
  /**
   * 403 for another unit's officer (before the unit's existence, so officers learn nothing of others), 404 for an
   * unknown unit.
   */
  checkUnit(principal: Principal, unitCode: string): void;
  /** 403 unless the caller is an operator. */
  operatorOnly(principal: Principal, what: string): void;
  /**
   * The one path of every change: runs `perform` after the route's who-check, and writes one audit entry whatever
   * the outcome, with the status `okStatus` gives a success. Returns what `perform` returned; rethrows refusals as
   * {@link HttpError}s. (Default `okStatus`: 200)
   */
  change<T>(
    call: Call,
    target: ChangeTarget,
    body: unknown,
    perform: () => Promise<T>,
    okStatus?: (result: T) => number,
  ): Promise<T>;
  /** A JSON change: reads the body, runs {@link HttpApp.change}, answers the result as JSON. (Default status: 200) */
  apiChange<T>(
    call: Call,
    target: ChangeTarget,
    perform: (body: unknown) => Promise<T>,
    answer?: (result: T) => { status: number; body: unknown },
  ): Promise<void>;
  /** A form change: CSRF check → change → redirect with a flash, or on refusal the page again with its values. */
  formChange<T>(call: Call, spec: FormChange<T>): Promise<void>;
}
