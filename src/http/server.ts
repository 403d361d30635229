/**
 * The HTTP API and dashboard on plain node:http: JSON under `/api/…`, server-rendered pages elsewhere. Every
 * change goes through {@link DubanHttp.change}, which authorises, validates, calls the operator service and
 * writes one audit entry, so the API and the forms cannot differ in who may do what.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Directory } from '../domain/directory';
import type { Plan } from '../domain/plan';
import type { AuditResult, Store } from '../store/types';
import type { FulfilInput } from '../../workflows/messages';
import { APP_CSS, APP_JS } from './assets';
import { type Authentication, Authenticator, mayAccessUnit, type Principal } from './auth';
import type { HttpConfig } from './config';
import { HttpError, toHttpError } from './errors';
import {
  errorPage,
  type Flash,
  itemValue,
  loginPage,
  type PageContext,
  planPage,
  taskPage,
  timelinePage,
  unitPage,
} from './pages';
import type { DashboardExtras, DashboardService, ObligationRef, StatusRow } from './service-types';
import { designateBody, extendBody, fulfilBody, parseBody, waiveBody } from './validate';

/** What the server is built from. */
export interface HttpServerDeps {
  service: DashboardService;
  store: Store;
  plan: Plan;
  directory: Directory;
  config: Pick<HttpConfig, 'operatorToken' | 'unitTokens' | 'secureCookies'>;
  /** Base of absolute links (calendar feed URLs). (Default: the request's Host) */
  publicUrl?: string;
  extras?: DashboardExtras;
  /** One line per request (never a token or query string). (Default: none) */
  log?: (line: string) => void;
  /** Clock for audit entries, epoch ms. (Default: Date.now) */
  now?: () => number;
}

/** A change the API or a form asks for. */
type Action = 'fulfil' | 'extend' | 'waive' | 'designate';

const BODY_LIMIT = 64 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': type, 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

const sendJson = (res: ServerResponse, status: number, value: unknown, headers?: Record<string, string>) =>
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(value), headers);
const sendHtml = (res: ServerResponse, status: number, page: string, headers?: Record<string, string>) =>
  send(res, status, 'text/html; charset=utf-8', page, headers);
const redirect = (res: ServerResponse, location: string, headers: Record<string, string> = {}) => {
  res.writeHead(303, { ...SECURITY_HEADERS, Location: location, 'Cache-Control': 'no-store', ...headers });
  res.end();
};

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > BODY_LIMIT) throw new HttpError(413, `body: larger than ${BODY_LIMIT} bytes`, 'PayloadTooLarge');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body: not valid JSON', 'InvalidPayload');
  }
}

async function readForm(req: IncomingMessage): Promise<Record<string, string>> {
  const params = new URLSearchParams(await readBody(req));
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (!(k in out)) out[k] = v;
  return out;
}

/** A local path to go back to after login; anything else goes home. */
function safeNext(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

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

const resultOf = (status: number): AuditResult =>
  status < 300
    ? 'ok'
    : status === 403
      ? 'forbidden'
      : status === 400 || status === 413
        ? 'invalid'
        : status >= 500
          ? 'error'
          : 'refused';

/** The server: a node:http server plus its routes. */
export class DubanHttp {
  readonly server: http.Server;
  readonly auth: Authenticator;
  private readonly unitNames: Map<string, string>;
  private readonly now: () => number;

  constructor(private readonly deps: HttpServerDeps) {
    this.auth = new Authenticator(deps.config);
    this.unitNames = new Map(
      deps.directory.units.filter((u) => u.code !== deps.directory.generalOffice).map((u) => [u.code, u.name]),
    );
    this.now = deps.now ?? Date.now;
    this.server = http.createServer((req, res) => {
      const started = Date.now();
      this.handle(req, res)
        .catch((err: unknown) => {
          const e = toHttpError(err);
          if (e.status >= 500) deps.log?.(`duban http: ${req.method} ${pathOf(req)} failed: ${(err as Error).message}`);
          if (!res.headersSent) this.fail(req, res, e, null);
          else res.end();
        })
        .finally(() =>
          deps.log?.(`duban http: ${req.method} ${pathOf(req)} ${res.statusCode} ${Date.now() - started} ms`),
        );
    });
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

  private get planId(): string {
    return this.deps.plan.id;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://duban.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    if (path === '/assets/app.css')
      return send(res, 200, 'text/css; charset=utf-8', APP_CSS, { 'Cache-Control': 'max-age=300' });
    if (path === '/assets/app.js')
      return send(res, 200, 'text/javascript; charset=utf-8', APP_JS, { 'Cache-Control': 'max-age=300' });
    if (path === '/healthz') return sendJson(res, 200, { ok: true });
    if (path === '/login' && method === 'GET')
      return sendHtml(res, 200, loginPage(safeNext(url.searchParams.get('next') ?? '/')));
    if (path === '/login' && method === 'POST') return this.login(req, res);

    const icsMatch = /^\/plans\/([^/]+)\/units\/([^/]+)\/calendar\.ics$/.exec(path);
    if (icsMatch && method === 'GET') return this.calendar(req, res, dec(icsMatch[1]!), dec(icsMatch[2]!), url);

    const auth = this.auth.authenticate(req);
    if (!auth) {
      if (path.startsWith('/api/'))
        return sendJson(
          res,
          401,
          { error: 'authentication required', type: 'Unauthenticated' },
          {
            'WWW-Authenticate': 'Bearer realm="duban"',
          },
        );
      return sendHtml(res, 401, loginPage(safeNext(path + url.search)), { 'WWW-Authenticate': 'Bearer realm="duban"' });
    }
    if (path === '/logout' && method === 'POST') {
      const form = await readForm(req);
      if (!this.auth.csrfOk(auth, form._csrf)) throw new HttpError(403, 'missing or wrong form token (_csrf)', 'Csrf');
      return redirect(res, '/login', { 'Set-Cookie': this.auth.logout(auth.sessionId) });
    }
    try {
      if (path.startsWith('/api/')) return await this.api(req, res, auth, method, path, url);
      return await this.pages(req, res, auth, method, path, url);
    } catch (err) {
      return this.fail(req, res, toHttpError(err), auth);
    }
  }

  private fail(req: IncomingMessage, res: ServerResponse, e: HttpError, auth: Authentication | null): void {
    if ((req.url ?? '').startsWith('/api/'))
      return sendJson(res, e.status, { error: e.message, type: e.type ?? 'Error' });
    sendHtml(res, e.status, errorPage(auth ? this.context(auth) : null, e.status, e.message));
  }

  private context(auth: Authentication): PageContext {
    const p = auth.principal;
    return {
      principal: p,
      who: p.kind === 'operator' ? '督查室（操作员）' : `${this.unitNames.get(p.unitCode) ?? p.unitCode}（联络员）`,
      csrf: auth.csrf ?? '',
      plan: this.deps.plan,
      unitNames: this.unitNames,
    };
  }

  private checkPlan(planId: string): void {
    if (planId !== this.planId)
      throw new HttpError(404, `no plan '${planId}' here (this server runs ${this.planId})`, 'NotFound');
  }

  /** 403 for another unit (checked before the unit's existence, so officers learn nothing about others). */
  private checkUnit(principal: Principal, unitCode: string): void {
    if (!mayAccessUnit(principal, unitCode))
      throw new HttpError(
        403,
        `an officer of ${principal.kind === 'officer' ? principal.unitCode : ''} may not act for unit ${unitCode}`,
        'Forbidden',
      );
    if (!this.unitNames.has(unitCode)) throw new HttpError(404, `no unit '${unitCode}' in the directory`, 'NotFound');
  }

  private operatorOnly(principal: Principal, what: string): void {
    if (principal.kind !== 'operator') throw new HttpError(403, `only operators may ${what}`, 'Forbidden');
  }

  // -------------------------------------------------------------------------------------------------------------
  // Changes: one path for API and forms, always audited
  // -------------------------------------------------------------------------------------------------------------

  /** Finds an obligation's rows in the unit's status; 404 when the unit has no such obligation. */
  private async obligationRows(unitCode: string, obligationId: string): Promise<StatusRow[]> {
    const report = await this.deps.service.status({ planId: this.planId, unitCode });
    const rows = report.rows.filter((r) => r.obligationId === obligationId);
    if (rows.length === 0)
      throw new HttpError(404, `unit ${unitCode} has no obligation '${obligationId}'`, 'UnknownObligation');
    return rows;
  }

  /**
   * Authorises, validates and performs one change, and audits it whatever the outcome (401s excepted: there is
   * nobody to name). Returns the service's answer.
   */
  async change(
    principal: Principal,
    action: Action,
    target: { unitCode: string; obligationId?: string; taskNo?: number },
    body: unknown,
  ): Promise<unknown> {
    const period =
      body && typeof body === 'object' && typeof (body as { period?: unknown }).period === 'string'
        ? (body as { period: string }).period || null
        : null;
    const audit = async (status: number, message: string | null) => {
      try {
        await this.deps.store.recordAudit(
          {
            actor: principal.id,
            role: principal.kind,
            action,
            planId: this.planId,
            unitCode: target.unitCode || null,
            target: { ...target, period },
            input: auditInput(body),
            result: resultOf(status),
            status,
            message,
          },
          this.now(),
        );
      } catch (err) {
        this.deps.log?.(`duban http: AUDIT WRITE FAILED for ${action} by ${principal.id}: ${(err as Error).message}`);
        throw new HttpError(500, 'the audit log could not be written', 'AuditFailed');
      }
    };
    let result: unknown;
    try {
      result = await this.perform(principal, action, target, body);
    } catch (err) {
      const e = toHttpError(err);
      await audit(e.status, e.message);
      throw e;
    }
    await audit(200, null);
    return result;
  }

  private async perform(
    principal: Principal,
    action: Action,
    target: { unitCode: string; obligationId?: string; taskNo?: number },
    body: unknown,
  ): Promise<unknown> {
    const { service } = this.deps;
    if (action === 'designate') {
      this.operatorOnly(principal, 'designate units');
      const input = parseBody(designateBody, body);
      const task = this.deps.plan.tasks.find((t) => t.no === target.taskNo);
      if (!task) throw new HttpError(404, `no task ${target.taskNo} in plan ${this.planId}`, 'NotFound');
      if (!this.unitNames.has(input.unitCode))
        throw new HttpError(400, `unitCode: no unit '${input.unitCode}' in the directory`, 'InvalidPayload');
      return service.designate({
        planId: this.planId,
        taskNo: task.no,
        unitCode: input.unitCode,
        remove: input.remove,
        by: principal.id,
      });
    }
    this.checkUnit(principal, target.unitCode);
    if (action !== 'fulfil')
      this.operatorOnly(principal, action === 'extend' ? 'grant extensions' : 'waive obligations');
    const parsed =
      action === 'fulfil'
        ? parseBody(fulfilBody, body)
        : action === 'extend'
          ? parseBody(extendBody, body)
          : parseBody(waiveBody, body);
    const rows = await this.obligationRows(target.unitCode, target.obligationId ?? '');
    const first = rows[0]!;
    const ref: ObligationRef = {
      planId: this.planId,
      unitCode: target.unitCode,
      obligation: first.obligation,
      taskNo: first.taskNo,
      period: parsed.period ?? null,
      obligationId: first.obligationId,
    };
    if (action === 'fulfil') {
      const p = parsed as ReturnType<typeof fulfilBody.parse>;
      const input: FulfilInput = {
        ...(p.period ? { period: p.period } : {}),
        ...(p.at ? { at: p.at } : {}),
        // Who recorded it is the authenticated caller, never a name the client chose.
        evidence: { ...p.evidence, recordedBy: principal.id },
      };
      return service.fulfil(ref, input);
    }
    if (action === 'extend') {
      const p = parsed as ReturnType<typeof extendBody.parse>;
      return service.extend(ref, {
        ...(p.period ? { period: p.period } : {}),
        newDue: p.newDue,
        reason: p.reason,
        approver: p.approver,
      });
    }
    const p = parsed as ReturnType<typeof waiveBody.parse>;
    return service.waive(ref, { ...(p.period ? { period: p.period } : {}), reason: p.reason, approver: p.approver });
  }

  // -------------------------------------------------------------------------------------------------------------
  // JSON API
  // -------------------------------------------------------------------------------------------------------------

  private async api(
    req: IncomingMessage,
    res: ServerResponse,
    auth: Authentication,
    method: string,
    path: string,
    url: URL,
  ): Promise<void> {
    const { principal } = auth;
    if (path === '/api/whoami' && method === 'GET') return sendJson(res, 200, principalJson(principal));
    let m = /^\/api\/plans\/([^/]+)\/status$/.exec(path);
    if (m && method === 'GET') {
      this.checkPlan(dec(m[1]!));
      const taskParam = url.searchParams.get('task');
      let unitCode = url.searchParams.get('unit') ?? undefined;
      if (principal.kind === 'officer') {
        if (unitCode !== undefined && unitCode !== principal.unitCode) this.checkUnit(principal, unitCode);
        unitCode = principal.unitCode;
      }
      let taskNo: number | undefined;
      if (taskParam !== null) {
        taskNo = Number(taskParam);
        if (!Number.isInteger(taskNo) || taskNo <= 0)
          throw new HttpError(400, 'task: must be a task number', 'InvalidPayload');
      }
      return sendJson(res, 200, await this.deps.service.status({ planId: this.planId, taskNo, unitCode }));
    }
    m = /^\/api\/plans\/([^/]+)\/audit$/.exec(path);
    if (m && method === 'GET') {
      this.checkPlan(dec(m[1]!));
      this.operatorOnly(principal, 'read the audit log');
      const limit = url.searchParams.get('limit');
      return sendJson(
        res,
        200,
        await this.deps.store.listAudit({
          planId: this.planId,
          unitCode: url.searchParams.get('unit') ?? undefined,
          limit: limit === null ? undefined : Math.min(1000, Math.max(1, Number(limit) || 100)),
        }),
      );
    }
    m = /^\/api\/plans\/([^/]+)\/units\/([^/]+)\/obligations\/([^/]+)\/(timeline|fulfil|extend|waive)$/.exec(path);
    if (m) {
      this.checkPlan(dec(m[1]!));
      const unitCode = dec(m[2]!);
      const obligationId = dec(m[3]!);
      const what = m[4]!;
      if (what === 'timeline' && method === 'GET') {
        this.checkUnit(principal, unitCode);
        const period = url.searchParams.get('period');
        const rows = await this.obligationRows(unitCode, obligationId);
        const ref = this.refOf(rows[0]!, period);
        const [timeline, history] = await Promise.all([
          this.deps.service.timeline(ref),
          this.deps.service.history(ref),
        ]);
        return sendJson(res, 200, { rows, timeline, history, uiLink: this.deps.service.uiLink(ref) });
      }
      if (what !== 'timeline' && method === 'POST') {
        // Read the body after the cheap checks would leak nothing either way; the change path orders them itself.
        const body = await readJson(req);
        const result = await this.change(principal, what as Action, { unitCode, obligationId }, body);
        return sendJson(res, 200, result);
      }
    }
    m = /^\/api\/plans\/([^/]+)\/tasks\/(\d+)\/designate$/.exec(path);
    if (m && method === 'POST') {
      this.checkPlan(dec(m[1]!));
      const body = await readJson(req);
      const unitCode =
        typeof (body as { unitCode?: unknown })?.unitCode === 'string' ? (body as { unitCode: string }).unitCode : '';
      const ids = await this.change(principal, 'designate', { unitCode, taskNo: Number(m[2]) }, body);
      return sendJson(res, 200, { obligations: ids });
    }
    throw new HttpError(404, `no route ${method} ${path}`, 'NotFound');
  }

  private refOf(row: StatusRow, period: string | null): ObligationRef {
    return {
      planId: this.planId,
      unitCode: row.unitCode,
      obligation: row.obligation,
      taskNo: row.taskNo,
      period,
      obligationId: row.obligationId,
    };
  }

  // -------------------------------------------------------------------------------------------------------------
  // Pages
  // -------------------------------------------------------------------------------------------------------------

  private async pages(
    req: IncomingMessage,
    res: ServerResponse,
    auth: Authentication,
    method: string,
    path: string,
    url: URL,
  ): Promise<void> {
    const { principal } = auth;
    const ctx = this.context(auth);
    const p = encodeURIComponent(this.planId);
    if (path === '/' && method === 'GET') {
      return redirect(
        res,
        principal.kind === 'operator' ? `/plans/${p}` : `/plans/${p}/units/${encodeURIComponent(principal.unitCode)}`,
      );
    }
    let m = /^\/plans\/([^/]+)$/.exec(path);
    if (m && method === 'GET') {
      this.checkPlan(dec(m[1]!));
      this.operatorOnly(principal, 'see the whole plan; your unit page is linked above');
      const report = await this.deps.service.status({ planId: this.planId });
      const reports = this.deps.extras?.report
        ? (['quarterly', 'year-end'] as const).flatMap((kind) =>
            (['md', 'csv', 'xlsx'] as const).map((format) => ({
              href: `/plans/${p}/reports/${kind}.${format}`,
              label: `${kind === 'quarterly' ? '季度督查报告' : '全年落实情况'}（${format}）`,
            })),
          )
        : [];
      return sendHtml(res, 200, planPage(ctx, report.rows, reports, flashOf(url)));
    }
    m = /^\/plans\/([^/]+)\/reports\/(quarterly|year-end)\.(md|csv|xlsx)$/.exec(path);
    if (m && method === 'GET' && this.deps.extras?.report) {
      this.checkPlan(dec(m[1]!));
      this.operatorOnly(principal, 'download reports');
      const r = await this.deps.extras.report(m[2] as 'quarterly' | 'year-end', m[3] as 'md' | 'csv' | 'xlsx');
      return send(res, 200, r.contentType, r.body, {
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(r.filename)}`,
      });
    }
    m = /^\/plans\/([^/]+)\/units\/([^/]+)$/.exec(path);
    if (m && method === 'GET') {
      this.checkPlan(dec(m[1]!));
      const unitCode = dec(m[2]!);
      this.checkUnit(principal, unitCode);
      return sendHtml(res, 200, await this.unitHtml(ctx, unitCode, { flash: flashOf(url) }, req));
    }
    m = /^\/plans\/([^/]+)\/units\/([^/]+)\/fulfil$/.exec(path);
    if (m && method === 'POST') {
      this.checkPlan(dec(m[1]!));
      const unitCode = dec(m[2]!);
      const form = await readForm(req);
      if (!this.auth.csrfOk(auth, form._csrf)) throw new HttpError(403, '表单已过期，请刷新页面后重试', 'Csrf');
      const [obligationId = '', period = ''] = (form.item ?? '').split('|');
      const body = {
        ...(period ? { period } : {}),
        evidence: {
          ...(form.document?.trim() ? { document: form.document } : {}),
          ...(form.url?.trim() ? { url: form.url } : {}),
          ...(form.note?.trim() ? { note: form.note } : {}),
        },
      };
      try {
        await this.change(principal, 'fulfil', { unitCode, obligationId }, body);
      } catch (err) {
        const e = toHttpError(err);
        if (e.status === 403 || e.status >= 500) throw e;
        const flash: Flash = { kind: 'error', text: `未能登记：${e.message}` };
        return sendHtml(res, e.status, await this.unitHtml(ctx, unitCode, { flash, form }, req));
      }
      return redirect(
        res,
        `/plans/${p}/units/${encodeURIComponent(unitCode)}?done=fulfil&item=${encodeURIComponent(itemValue({ obligationId, period: period || null }))}`,
      );
    }
    m = /^\/plans\/([^/]+)\/units\/([^/]+)\/obligations\/([^/]+)(?:\/(extend|waive))?$/.exec(path);
    if (m) {
      this.checkPlan(dec(m[1]!));
      const unitCode = dec(m[2]!);
      const obligationId = dec(m[3]!);
      this.checkUnit(principal, unitCode);
      const base = `/plans/${p}/units/${encodeURIComponent(unitCode)}/obligations/${encodeURIComponent(obligationId)}`;
      if (!m[4] && method === 'GET') {
        return sendHtml(
          res,
          200,
          await this.timelineHtml(ctx, unitCode, obligationId, url.searchParams.get('period'), flashOf(url)),
        );
      }
      if (m[4] && method === 'POST') {
        const form = await readForm(req);
        if (!this.auth.csrfOk(auth, form._csrf)) throw new HttpError(403, '表单已过期，请刷新页面后重试', 'Csrf');
        const action = m[4] as 'extend' | 'waive';
        const { _csrf: _ignored, ...fields } = form;
        const body = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== ''));
        try {
          await this.change(principal, action, { unitCode, obligationId }, body);
        } catch (err) {
          const e = toHttpError(err);
          if (e.status === 403 || e.status >= 500) throw e;
          const flash: Flash = { kind: 'error', text: `未能${action === 'extend' ? '延期' : '豁免'}：${e.message}` };
          return sendHtml(
            res,
            e.status,
            await this.timelineHtml(ctx, unitCode, obligationId, form.period || null, flash),
          );
        }
        return redirect(res, `${base}?done=${action}`);
      }
    }
    m = /^\/plans\/([^/]+)\/tasks\/(\d+)(?:\/(designate))?$/.exec(path);
    if (m) {
      this.checkPlan(dec(m[1]!));
      this.operatorOnly(principal, 'see task pages');
      const task = this.deps.plan.tasks.find((t) => t.no === Number(m![2]));
      if (!task) throw new HttpError(404, `no task ${m[2]} in plan ${this.planId}`, 'NotFound');
      const render = async (flash?: Flash) => {
        const report = await this.deps.service.status({ planId: this.planId, taskNo: task.no });
        const designatable = [...task.leadUnits, ...task.responsibleUnits].includes('省直有关部门');
        const provincial = this.deps.directory.units.filter(
          (u) => u.kind === 'provincial' && u.code !== this.deps.directory.generalOffice,
        );
        return taskPage(ctx, task, report.rows, {
          flash,
          designatable,
          units: provincial.map((u) => ({ code: u.code, name: u.name })),
        });
      };
      if (!m[3] && method === 'GET') return sendHtml(res, 200, await render(flashOf(url)));
      if (m[3] && method === 'POST') {
        const form = await readForm(req);
        if (!this.auth.csrfOk(auth, form._csrf)) throw new HttpError(403, '表单已过期，请刷新页面后重试', 'Csrf');
        const body = { unitCode: form.unitCode ?? '', ...(form.remove ? { remove: true } : {}) };
        try {
          await this.change(principal, 'designate', { unitCode: body.unitCode, taskNo: task.no }, body);
        } catch (err) {
          const e = toHttpError(err);
          if (e.status === 403 || e.status >= 500) throw e;
          return sendHtml(res, e.status, await render({ kind: 'error', text: `未能指定：${e.message}` }));
        }
        return redirect(res, `/plans/${p}/tasks/${task.no}?done=designate`);
      }
    }
    throw new HttpError(404, '页面不存在', 'NotFound');
  }

  private async unitHtml(
    ctx: PageContext,
    unitCode: string,
    options: { flash?: Flash; form?: Record<string, string> },
    req: IncomingMessage,
  ): Promise<string> {
    const report = await this.deps.service.status({ planId: this.planId, unitCode });
    let feedUrl: string | undefined;
    if (this.deps.extras?.calendar) {
      const base = this.deps.publicUrl ?? `http://${req.headers.host ?? 'localhost'}`;
      feedUrl = `${base}/plans/${encodeURIComponent(this.planId)}/units/${encodeURIComponent(unitCode)}/calendar.ics?key=${this.auth.feedKey(this.planId, unitCode)}`;
    }
    return unitPage(ctx, unitCode, report.rows, { ...options, feedUrl });
  }

  private async timelineHtml(
    ctx: PageContext,
    unitCode: string,
    obligationId: string,
    period: string | null,
    flash?: Flash,
  ): Promise<string> {
    const allRows = await this.obligationRows(unitCode, obligationId);
    const rows = period ? allRows.filter((r) => r.period === period) : allRows;
    const ref = this.refOf(allRows[0]!, period);
    const [timeline, history] = await Promise.all([
      this.deps.service.timeline(ref),
      this.deps.service.history(ref).catch(() => []),
    ]);
    let uiLink: string | null = null;
    try {
      uiLink = this.deps.service.uiLink(ref);
    } catch {
      uiLink = null;
    }
    return timelinePage(ctx, {
      unitCode,
      obligationId,
      period,
      rows: rows.length ? rows : allRows,
      timeline,
      history,
      uiLink,
      flash,
    });
  }

  private async calendar(req: IncomingMessage, res: ServerResponse, planId: string, unitCode: string, url: URL) {
    const ics = this.deps.extras?.calendar;
    if (!ics) throw new HttpError(404, 'calendar feeds are not available', 'NotFound');
    this.checkPlan(planId);
    const auth = this.auth.authenticate(req);
    if (auth) this.checkUnit(auth.principal, unitCode);
    else if (!this.auth.feedKeyOk(planId, unitCode, url.searchParams.get('key')))
      return sendJson(res, 401, { error: 'authentication required (token or feed key)', type: 'Unauthenticated' });
    if (!this.unitNames.has(unitCode)) throw new HttpError(404, `no unit '${unitCode}'`, 'NotFound');
    const body = await ics(unitCode);
    return send(res, 200, 'text/calendar; charset=utf-8', body, {
      'Content-Disposition': `inline; filename="${unitCode}.ics"`,
    });
  }

  private async login(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = await readForm(req);
    const next = safeNext(form.next);
    const session = this.auth.login(form.token ?? '');
    if (!session) {
      this.deps.log?.('duban http: a login with a wrong token was refused');
      return sendHtml(res, 401, loginPage(next, '令牌无效'));
    }
    return redirect(res, next === '/login' ? '/' : next, { 'Set-Cookie': session.cookie });
  }
}

function dec(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HttpError(400, 'path: bad percent-encoding', 'InvalidPayload');
  }
}

/** The path without the query, for logs: feed keys live in query strings. */
function pathOf(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0]!;
}

function principalJson(p: Principal) {
  return p.kind === 'operator' ? { role: 'operator', id: p.id } : { role: 'officer', id: p.id, unitCode: p.unitCode };
}

const DONE_TEXT: Record<string, string> = {
  fulfil: '已登记完成情况。',
  extend: '已批准延期。',
  waive: '已豁免。',
  designate: '已更新指定单位。',
};

function flashOf(url: URL): Flash | undefined {
  const done = url.searchParams.get('done');
  return done && DONE_TEXT[done] ? { kind: 'ok', text: DONE_TEXT[done] } : undefined;
}

/** Builds the HTTP server (not yet listening). */
export function createHttpServer(deps: HttpServerDeps): DubanHttp {
  return new DubanHttp(deps);
}
