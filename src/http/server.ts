/**
 * The HTTP API and dashboard on plain node:http: JSON under `/api/…`, server-rendered pages elsewhere, every path
 * in one route table (routes.ts) dispatched here. Every change goes through {@link DubanHttp.change}, which runs
 * the route's who-check, performs the change and writes one audit entry, so the API and the forms cannot differ
 * in who may do what.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { oneLine, quoted } from '../service';
import type { AuditOutcome } from '../store/types';
import { type Logger, processLogger } from '../telemetry/logger';
import { httpRequestsCounter } from '../telemetry/metrics';
import type { Call, ChangeTarget, FormChange, HttpApp, HttpLimits, HttpServerDeps, Route } from './app';
import { type Authentication, Authenticator, mayAccessUnit, type Principal } from './auth';
import { HttpError, problemOf, toHttpError } from './errors';
import { errorPage, loginPage, type PageContext } from './pages';
import { BadPathError, RouteTable } from './router';
import { routeTable } from './routes';
import { DEFAULT_THROTTLE, TokenThrottle } from './throttle';
import { pathOf, readForm, readJson, redirect, safeNext, sendHtml, sendJson, sendProblem } from './transport';

export type { HttpServerDeps } from './app';

/** Limits of a server built without its own. */
export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 15_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxConnections: 256,
  throttle: DEFAULT_THROTTLE,
};

/** Drops what must never reach the audit log (the CSRF token) and overlong strings. */
function auditInput(body: unknown): unknown {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    if (k === '_csrf' || k === 'token') continue;
    out[k] = typeof v === 'string' && v.length > 2000 ? `${v.slice(0, 2000)}…` : auditInput(v);
  }
  return out;
}

const resultOf = (status: number): AuditOutcome['result'] =>
  status < 300
    ? 'ok'
    : status === 403
      ? 'forbidden'
      : status === 400 || status === 413
        ? 'invalid'
        : status >= 500
          ? 'error'
          : 'refused';

/** The server: a node:http server dispatching through the route table. */
export class DubanHttp implements HttpApp {
  readonly server: http.Server;
  readonly auth: Authenticator;
  readonly throttle: TokenThrottle;
  readonly unitNames: ReadonlyMap<string, string>;
  readonly logger: Logger;
  private readonly now: () => number;
  private readonly table: RouteTable<Route>;
  /** The route pattern each answer came from, for the request counter (paths hold ids; patterns do not). */
  private readonly routeOf = new WeakMap<ServerResponse, string>();

  constructor(readonly deps: HttpServerDeps) {
    this.auth = new Authenticator(deps.config);
    this.unitNames = new Map(
      deps.directory.units.filter((u) => u.code !== deps.directory.generalOffice).map((u) => [u.code, u.name]),
    );
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger ?? processLogger;
    this.table = new RouteTable(routeTable(this));
    const limits = { ...DEFAULT_HTTP_LIMITS, ...deps.limits };
    // Token guesses are counted on the host's clock: `now` may be a plan's shifted time.
    this.throttle = new TokenThrottle(limits.throttle);
    const options: http.ServerOptions = {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      // How often Node looks for requests past their timeouts (its default is 30 s).
      connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
    };
    this.server = http.createServer(options, (req, res) => {
      const started = Date.now();
      this.handle(req, res)
        .catch((err: unknown) => {
          this.logger.error(`http: ${req.method} ${pathOf(req)} failed: ${(err as Error).message}`);
          if (!res.headersSent) sendProblem(res, problemOf(500, 'InternalError', 'internal error'));
          else res.end();
        })
        .finally(() => {
          httpRequestsCounter.inc({
            route: this.routeOf.get(res) ?? 'unmatched',
            method: req.method ?? 'GET',
            status: String(res.statusCode),
          });
          if (deps.logRequests)
            this.logger.info(`http: ${req.method} ${pathOf(req)} ${res.statusCode} ${Date.now() - started} ms`, {
              method: req.method,
              path: pathOf(req),
              status: res.statusCode,
              ms: Date.now() - started,
            });
        });
    });
    this.server.maxConnections = limits.maxConnections;
  }

  clientAddress(req: IncomingMessage): string {
    return req.socket.remoteAddress ?? 'unknown';
  }

  /** Every route, in the order they are matched. */
  get routes(): readonly Route[] {
    return this.table.routes;
  }

  /** Listens; resolves with the bound port (0 picks a free one). */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting and closes idle connections. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  get planId(): string {
    return this.deps.plan.id;
  }

  // -------------------------------------------------------------------------------------------------------------
  // Dispatch
  // -------------------------------------------------------------------------------------------------------------

  /**
   * Looks the request up in the table: a known path with another method is 405 with `Allow`; an unknown path is
   * 401 to a caller without a valid token and 404 to one with; a route runs after its checks.
   */
  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://duban.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    let auth: Authentication | null = null;
    try {
      const found = this.table.match(method, path);
      const address = this.clientAddress(req);
      const bearer = req.headers.authorization !== undefined;
      if (bearer) {
        const wait = this.throttle.retryAfterS(address);
        if (wait > 0) return this.tooManyGuesses(req, res, wait);
      }
      auth = this.auth.authenticate(req);
      if (bearer && !auth) this.throttle.fail(address);
      if (found.kind === 'wrong-method') {
        const allow = found.allow.join(', ');
        const e = new HttpError(405, `${method} is not allowed here; allowed: ${allow}`, 'MethodNotAllowed');
        return this.fail(req, res, e, auth, { Allow: allow });
      }
      if (found.kind === 'none') {
        if (!auth) return this.unauthenticated(res, path, url);
        throw new HttpError(404, path.startsWith('/api/') ? `no route ${method} ${path}` : '页面不存在', 'NotFound');
      }
      const { route, params } = found;
      this.routeOf.set(res, route.path);
      if (route.who === 'public' || route.who === 'feed')
        return await route.handle(this.call(req, res, url, params, auth, route));
      if (!auth) return this.unauthenticated(res, path, url);
      if (params.plan !== undefined) this.checkPlan(params.plan);
      const call = this.call(req, res, url, params, auth, route);
      // A change runs its checks inside the audited change path, so a forbidden attempt is recorded too.
      if (!route.change) call.authorize();
      return await route.handle(call);
    } catch (err) {
      const e = err instanceof BadPathError ? new HttpError(400, err.message, 'InvalidPayload') : toHttpError(err);
      if (e.status >= 500) this.logger.error(`http: ${method} ${pathOf(req)} failed: ${(err as Error).message}`);
      if (res.headersSent) return void res.end();
      return this.fail(req, res, e, auth);
    }
  }

  private call<A extends Authentication | null>(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    params: Record<string, string>,
    auth: A,
    route: Route,
  ): Call<A> {
    return {
      req,
      res,
      url,
      params,
      auth,
      action: route.change,
      authorize: () => {
        if (!auth) return;
        if (route.who === 'operator') this.operatorOnly(auth.principal, route.does ?? 'do this');
        if (params.unit !== undefined) this.checkUnit(auth.principal, params.unit);
      },
    };
  }

  private unauthenticated(res: ServerResponse, path: string, url: URL): void {
    const challenge = { 'WWW-Authenticate': 'Bearer realm="duban"' };
    if (path.startsWith('/api/'))
      return sendProblem(res, problemOf(401, 'Unauthenticated', 'authentication required'), challenge);
    return sendHtml(res, 401, loginPage(safeNext(path + url.search), undefined, this.deps.banner), challenge);
  }

  /** 429 for an address that guessed too many tokens; says when it may try again. */
  tooManyGuesses(req: IncomingMessage, res: ServerResponse, retryAfterS: number): void {
    const message = `too many wrong tokens from this address; try again in ${retryAfterS} s`;
    this.logger.warn(`http: too many wrong tokens from one address; refused for ${retryAfterS} s`);
    return this.fail(req, res, new HttpError(429, message, 'TooManyAttempts'), null, {
      'Retry-After': String(retryAfterS),
    });
  }

  private fail(
    req: IncomingMessage,
    res: ServerResponse,
    e: HttpError,
    auth: Authentication | null,
    headers?: Record<string, string>,
  ): void {
    // Messages may quote what the caller sent (a unit in the path): one line, whatever was sent.
    const message = oneLine(e.message);
    if (pathOf(req).startsWith('/api/'))
      return sendProblem(res, problemOf(e.status, e.type ?? 'Error', message), headers);
    sendHtml(res, e.status, errorPage(auth ? this.context(auth) : null, e.status, message, this.deps.banner), headers);
  }

  // -------------------------------------------------------------------------------------------------------------
  // Checks
  // -------------------------------------------------------------------------------------------------------------

  context(auth: Authentication): PageContext {
    const p = auth.principal;
    return {
      principal: p,
      who: p.kind === 'operator' ? '督查室（操作员）' : `${this.unitNames.get(p.unitCode) ?? p.unitCode}（联络员）`,
      csrf: auth.csrf ?? '',
      plan: this.deps.plan,
      unitNames: this.unitNames,
      banner: this.deps.banner,
    };
  }

  private checkPlan(planId: string): void {
    if (planId !== this.planId)
      throw new HttpError(404, `no plan ${quoted(planId)} here (this server runs ${this.planId})`, 'NotFound');
  }

  checkUnit(principal: Principal, unitCode: string): void {
    if (!mayAccessUnit(principal, unitCode))
      throw new HttpError(
        403,
        `an officer of ${principal.kind === 'officer' ? principal.unitCode : ''} may not act for unit ${unitCode}`,
        'Forbidden',
      );
    if (!this.unitNames.has(unitCode))
      throw new HttpError(404, `no unit ${quoted(unitCode)} in the directory`, 'NotFound');
  }

  operatorOnly(principal: Principal, what: string): void {
    if (principal.kind !== 'operator') throw new HttpError(403, `only operators may ${what}`, 'Forbidden');
  }

  // -------------------------------------------------------------------------------------------------------------
  // Changes: one path for API and forms, always audited
  // -------------------------------------------------------------------------------------------------------------

  async change<T>(
    call: Call,
    target: ChangeTarget,
    body: unknown,
    perform: () => Promise<T>,
    okStatus: (result: T) => number = () => 200,
  ): Promise<T> {
    const action = call.action;
    if (!action)
      throw new Error(`route ${call.req.method} ${pathOf(call.req)} changes something but names no audit action`);
    const { principal } = call.auth;
    // The intent is written first: a change whose audit entry cannot be written is not made, and a process that
    // stops mid-change leaves the attempt on record as `pending`.
    let id: number;
    try {
      id = await this.deps.store.recordAudit(
        {
          actor: principal.id,
          role: principal.kind,
          action,
          planId: this.planId,
          unitCode: target.unitCode || null,
          target: { ...target },
          input: auditInput(body),
          result: 'pending',
          status: 0,
          message: null,
        },
        this.now(),
      );
    } catch (err) {
      this.logger.error(`http: AUDIT WRITE FAILED for ${action} by ${principal.id}: ${(err as Error).message}`);
      throw new HttpError(500, 'the audit log could not be written; nothing was changed', 'AuditFailed');
    }
    const complete = async (status: number, message: string | null) => {
      try {
        await this.deps.store.completeAudit(id, {
          result: resultOf(status),
          status,
          message,
          unitCode: target.unitCode || null,
          target: { ...target },
        });
      } catch (err) {
        // The change (or refusal) stands and the intent is on record as pending; the caller gets the true answer.
        this.logger.error(
          `http: AUDIT OUTCOME NOT WRITTEN for ${action} by ${principal.id} (entry ${id} stays pending): ${(err as Error).message}`,
        );
      }
    };
    let result: T;
    try {
      call.authorize();
      result = await perform();
    } catch (err) {
      const e = toHttpError(err);
      await complete(e.status, e.message);
      throw e;
    }
    await complete(okStatus(result), null);
    return result;
  }

  async apiChange<T>(
    call: Call,
    target: ChangeTarget,
    perform: (body: unknown) => Promise<T>,
    answer: (result: T) => { status: number; body: unknown } = (result) => ({ status: 200, body: result }),
  ): Promise<void> {
    // A page of another site (or another port of this one) can post a form with the session cookie, never a JSON
    // body with a custom header: a cookie caller shows both; a bearer token cannot be sent by another page at all.
    const type = (call.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' && (call.req.headers['content-length'] ?? '0') !== '0')
      throw new HttpError(415, 'body: send JSON (Content-Type: application/json)', 'UnsupportedMediaType');
    if (call.auth.via === 'cookie') {
      const presented = call.req.headers['x-csrf-token'];
      if (
        type !== 'application/json' ||
        !this.auth.csrfOk(call.auth, typeof presented === 'string' ? presented : undefined)
      )
        throw new HttpError(
          403,
          'a change through the API with the session cookie needs Content-Type: application/json and the X-CSRF-Token header (or use Authorization: Bearer)',
          'Csrf',
        );
    }
    const body = await readJson(call.req);
    const result = await this.change(
      call,
      target,
      body,
      () => perform(body),
      (r) => answer(r).status,
    );
    const { status, body: out } = answer(result);
    return sendJson(call.res, status, out);
  }

  async formChange<T>(call: Call, spec: FormChange<T>): Promise<void> {
    const { _csrf: presented, ...fields } = await readForm(call.req);
    if (!this.auth.csrfOk(call.auth, presented)) throw new HttpError(403, '表单已过期，请刷新页面后重试', 'Csrf');
    const body = spec.body(fields);
    let result: T;
    try {
      result = await this.change(call, spec.target, body, () => spec.perform(body));
    } catch (err) {
      const e = toHttpError(err);
      // Forbidden and server errors get the error page; a refusal shows the form again with what was typed.
      if (e.status === 403 || e.status >= 500) throw e;
      const page = await spec.rerender({ kind: 'error', text: `${spec.failure}：${e.message}` }, fields);
      return sendHtml(call.res, e.status, page);
    }
    return redirect(call.res, spec.success(result));
  }
}

/** Builds the HTTP server (not yet listening). */
export function createHttpServer(deps: HttpServerDeps): DubanHttp {
  return new DubanHttp(deps);
}
