/**
 * Handlers of what is not one subject's: assets, login and logout, the home redirect, the plan overview
 * and the unit page (obligations, incidents and requests together), reports, calendar feeds, whoami, the audit log.
 */
import type { Authentication, Principal } from '../auth';
import type { Call, HttpApp, QueryParameter } from '../app';
import { MATRIX_UNITS_DEFAULT, MATRIX_UNITS_MAX } from '../../service';
import { APP_CSS, APP_JS } from '../assets';
import { HttpError } from '../errors';
import { type Flash, type KeptForm, loginPage, planPage, scoresPage, unitPage } from '../pages';
import { quarterBounds } from '../../reports/report';
import type { ScorePeriod } from '../../reports/score';
import { redirect, readForm, safeNext, send, sendHtml, sendJson } from '../transport';
import { wholeParam } from '../validate';

/** What the plan page pages its matrix by: units, `per` at a time from the `units`-th. */
export const PLAN_PAGE_QUERY: readonly QueryParameter[] = [
  {
    name: 'units',
    description: 'units of the matrix to skip (its pager links set it)',
    schema: { type: 'integer', minimum: 0 },
  },
  {
    name: 'per',
    description: `units per matrix page (default ${MATRIX_UNITS_DEFAULT})`,
    schema: { type: 'integer', minimum: 1, maximum: MATRIX_UNITS_MAX },
  },
];

const DONE_TEXT: Record<string, string> = {
  fulfil: '已登记完成情况。',
  extend: '已批准延期。',
  waive: '已豁免。',
  designate: '已更新指定单位。',
  report: '已报告突发事件，时限自发生时间起算。',
  done: '已登记完成。',
  receive: '已登记收到申请。',
  reply: '已登记答复。',
  extension: '已登记延期。',
  pause: '已暂停计时。',
  resume: '已恢复计时。',
  correct: '已登记补正，答复期限重新计算。',
  'sign-for': '已签收。',
};

/** The success flash a page shows after a form redirected to it with `?done=`. */
export function flashOf(url: URL): Flash | undefined {
  const done = url.searchParams.get('done');
  return done && DONE_TEXT[done] ? { kind: 'ok', text: DONE_TEXT[done] } : undefined;
}

const DOCX_TYPE = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';

function principalJson(p: Principal) {
  return p.kind === 'operator' ? { role: 'operator', id: p.id } : { role: 'officer', id: p.id, unitCode: p.unitCode };
}

/** A unit's page: obligations, incidents and requests of the unit, with the feed URL when feeds are served. */
export async function renderUnitPage(
  app: HttpApp,
  call: Call,
  unitCode: string,
  options: { flash?: Flash; kept?: KeptForm } = {},
): Promise<string> {
  const { duban, extras, publicUrl } = app.deps;
  const [report, incidents, requests] = await Promise.all([
    duban.obligations.status({ planId: app.planId, unitCode }),
    duban.incidents.list({ unitCode }),
    duban.requests.list({ unitCode }),
  ]);
  let feedUrl: string | undefined;
  if (extras?.calendar) {
    const base = publicUrl ?? `http://${call.req.headers.host ?? 'localhost'}`;
    feedUrl = `${base}/plans/${encodeURIComponent(app.planId)}/units/${encodeURIComponent(unitCode)}/calendar.ics?key=${app.auth.feedKey(app.planId, unitCode)}`;
  }
  return unitPage(app.context(call.auth), unitCode, { rows: report.rows, incidents, requests, feedUrl, ...options });
}

/** `?period=2017-Q3` or `?period=year`; absent: the extras' default. A bad value is 400 naming `period`. */
function periodOf(url: URL): ScorePeriod | undefined {
  const value = url.searchParams.get('period');
  if (value === null) return undefined;
  if (value === 'year') return { year: true };
  try {
    quarterBounds(value);
  } catch {
    throw new HttpError(
      400,
      `period: '${value.slice(0, 60)}' is not a quarter such as 2017-Q3, or year`,
      'InvalidPayload',
    );
  }
  return { quarter: value };
}

/** The handlers. */
export function overviewHandlers(app: HttpApp) {
  const { duban } = app.deps;
  const p = () => encodeURIComponent(app.planId);
  return {
    css: (call: Call<Authentication | null>) =>
      send(call.res, 200, 'text/css; charset=utf-8', APP_CSS, { 'Cache-Control': 'max-age=300' }),
    js: (call: Call<Authentication | null>) =>
      send(call.res, 200, 'text/javascript; charset=utf-8', APP_JS, { 'Cache-Control': 'max-age=300' }),

    loginForm: (call: Call<Authentication | null>) =>
      sendHtml(
        call.res,
        200,
        loginPage(safeNext(call.url.searchParams.get('next') ?? '/'), undefined, app.deps.banner),
      ),

    async login(call: Call<Authentication | null>) {
      const form = await readForm(call.req);
      const next = safeNext(form.next);
      const address = app.clientAddress(call.req);
      const wait = app.throttle.retryAfterS(address);
      if (wait > 0)
        return sendHtml(
          call.res,
          429,
          loginPage(next, `尝试次数过多，请 ${Math.ceil(wait / 60)} 分钟后再试`, app.deps.banner),
          {
            'Retry-After': String(wait),
          },
        );
      const session = app.auth.login(form.token ?? '');
      if (!session) {
        app.throttle.fail(address);
        app.logger.warn('http: a login with a wrong token was refused');
        return sendHtml(call.res, 401, loginPage(next, '令牌无效', app.deps.banner));
      }
      return redirect(call.res, next === '/login' ? '/' : next, { 'Set-Cookie': session.cookie });
    },

    async logout(call: Call) {
      const form = await readForm(call.req);
      if (!app.auth.csrfOk(call.auth, form._csrf))
        throw new HttpError(403, 'missing or wrong form token (_csrf)', 'Csrf');
      return redirect(call.res, '/login', { 'Set-Cookie': app.auth.logout(call.auth.sessionId) });
    },

    home(call: Call) {
      const who = call.auth.principal;
      return redirect(
        call.res,
        who.kind === 'operator' ? `/plans/${p()}` : `/plans/${p()}/units/${encodeURIComponent(who.unitCode)}`,
      );
    },

    async planPage(call: Call) {
      const q = call.url.searchParams;
      const offset = wholeParam(q, 'units', 0, Number.MAX_SAFE_INTEGER);
      const limit = wholeParam(q, 'per', 1, MATRIX_UNITS_MAX);
      const [matrix, incidents, requests] = await Promise.all([
        duban.obligations.matrix({ planId: app.planId, offset, limit }),
        duban.incidents.list(),
        duban.requests.list(),
      ]);
      const reports = app.deps.extras?.report
        ? (['quarterly', 'year-end'] as const).flatMap((kind) =>
            (['md', 'csv', 'xlsx'] as const).map((format) => ({
              href: `/plans/${p()}/reports/${kind}.${format}`,
              label: `${kind === 'quarterly' ? '季度督查报告' : '全年落实情况'}（${format}）`,
            })),
          )
        : [];
      if (app.deps.extras?.scores) reports.push({ href: `/plans/${p()}/scores`, label: '考核得分与排名、通报' });
      const page = planPage(app.context(call.auth), {
        matrix,
        incidents,
        requests,
        reports,
        flash: flashOf(call.url),
      });
      return sendHtml(call.res, 200, page);
    },

    async unitPage(call: Call) {
      return sendHtml(call.res, 200, await renderUnitPage(app, call, call.params.unit!, { flash: flashOf(call.url) }));
    },

    async report(call: Call) {
      const make = app.deps.extras?.report;
      if (!make) throw new HttpError(404, 'reports are not available', 'NotFound');
      const r = await make(call.params.kind as 'quarterly' | 'year-end', call.params.format as 'md' | 'csv' | 'xlsx');
      return send(call.res, 200, r.contentType, r.body, {
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(r.filename)}`,
      });
    },

    async scores(call: Call) {
      const make = app.deps.extras?.scores;
      if (!make) throw new HttpError(404, 'scores are not available', 'NotFound');
      const { report, charts } = await make(periodOf(call.url));
      const year = app.deps.plan.year;
      const periods = [
        ...[1, 2, 3, 4].map((q) => ({ label: `第${'一二三四'[q - 1]}季度`, value: `${year}-Q${q}` })),
        { label: '全年', value: 'year' },
      ];
      return sendHtml(call.res, 200, scoresPage(app.context(call.auth), { report, charts, periods }));
    },

    async bulletin(call: Call) {
      const make = app.deps.extras?.bulletin;
      if (!make) throw new HttpError(404, 'bulletins are not available', 'NotFound');
      const r = await make(periodOf(call.url));
      return send(call.res, 200, DOCX_TYPE, r.body, {
        'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(r.filename)}`,
      });
    },

    /** A unit's iCalendar feed, by a token of that unit (or the operator's) or by the unit's feed key. */
    async calendar(call: Call<Authentication | null>) {
      const ics = app.deps.extras?.calendar;
      if (!ics) throw new HttpError(404, 'calendar feeds are not available', 'NotFound');
      const { plan: planId, unit: unitCode } = call.params as { plan: string; unit: string };
      // Who asks is settled first: a caller with neither token nor a valid key learns nothing, not even the plan id
      // this server runs (a key is only valid for this plan and unit).
      if (!call.auth && !app.auth.feedKeyOk(planId, unitCode, call.url.searchParams.get('key')))
        return sendJson(call.res, 401, {
          error: 'authentication required (token or feed key)',
          type: 'Unauthenticated',
        });
      if (planId !== app.planId)
        throw new HttpError(404, `no plan '${planId}' here (this server runs ${app.planId})`, 'NotFound');
      if (call.auth) app.checkUnit(call.auth.principal, unitCode);
      if (!app.unitNames.has(unitCode)) throw new HttpError(404, `no unit '${unitCode}'`, 'NotFound');
      return send(call.res, 200, 'text/calendar; charset=utf-8', await ics(unitCode), {
        'Content-Disposition': `inline; filename="${unitCode}.ics"`,
      });
    },

    whoami: (call: Call) => sendJson(call.res, 200, principalJson(call.auth.principal)),

    async audit(call: Call) {
      const limit = call.url.searchParams.get('limit');
      const entries = await app.deps.store.listAudit({
        planId: app.planId,
        unitCode: call.url.searchParams.get('unit') ?? undefined,
        limit: limit === null ? undefined : Math.min(1000, Math.max(1, Number(limit) || 100)),
      });
      return sendJson(call.res, 200, entries);
    },
  };
}

/**
 * The unit a list is for: `?unit=` for operators (none: every unit); an officer's own unit, and 403 for another.
 */
export function listedUnit(app: HttpApp, call: Call): string | undefined {
  const principal = call.auth.principal;
  const asked = call.params.unit ?? call.url.searchParams.get('unit') ?? undefined;
  if (asked !== undefined) app.checkUnit(principal, asked);
  return principal.kind === 'officer' ? principal.unitCode : asked;
}
