/**
 * The route table: every path duban answers, its method, who may call it and, for changes, the audit action.
 * `who` (see {@link Who}): `public` anyone; `feed` a token or the unit's feed key; `user` any signed-in caller, an
 * officer only for the `:unit` in the path (and, by id, only their unit's incidents and requests); `operator`
 * operators only. The server compiles it once and dispatches every request through it.
 */
import type { HttpApp, Route } from './app';
import { codecHandlers } from './codec';
import { incidentHandlers } from './handlers/incidents';
import { STATUS_QUERY, obligationHandlers } from './handlers/obligations';
import { PLAN_PAGE_QUERY, overviewHandlers } from './handlers/overview';
import { requestHandlers } from './handlers/requests';
import { signForHandlers } from './handlers/sign-for';
import { healthHandlers } from './health';
import { openApiHandlers } from './openapi';

/** The routes of a server, in the order they are matched. */

export function routeTable(app: HttpApp): Route[] {
  const o = overviewHandlers(app);
  const ob = obligationHandlers(app);
  const inc = incidentHandlers(app);
  const req = requestHandlers(app);
  const sign = signForHandlers(app);
  const health = healthHandlers(app);
  const codec = codecHandlers(app);
  const openapi = openApiHandlers(app);
  const plan = '/api/plans/:plan';
  const obligation = `${plan}/units/:unit/obligations/:obligation`;
  const page = '/plans/:plan';
  const reports: Route[] = app.deps.extras?.report
    ? [
        {
          method: 'GET',
          path: `${page}/reports/:kind(quarterly|year-end).:format(md|csv|xlsx)`,
          who: 'operator',
          does: 'download reports',
          handle: o.report,
        },
      ]
    : [];
  if (app.deps.extras?.scores)
    reports.push({ method: 'GET', path: `${page}/scores`, who: 'operator', does: 'see the scores', handle: o.scores });
  if (app.deps.extras?.bulletin)
    reports.push({
      method: 'GET',
      path: `${page}/reports/bulletin.docx`,
      who: 'operator',
      does: 'download the bulletin',
      handle: o.bulletin,
    });
  return [
    { method: 'GET', path: '/assets/app.css', who: 'public', handle: o.css },
    { method: 'GET', path: '/assets/app.js', who: 'public', handle: o.js },
    { method: 'GET', path: '/healthz', who: 'public', handle: health.live },
    { method: 'GET', path: '/readyz', who: 'public', handle: health.ready },
    { method: 'GET', path: '/login', who: 'public', handle: o.loginForm },
    { method: 'POST', path: '/login', who: 'public', handle: o.login },
    { method: 'POST', path: '/logout', who: 'user', handle: o.logout },
    // Sign-for links: the signed token is the permission (no login).
    { method: 'GET', path: '/sign-for/:token', who: 'public', handle: sign.linkPage },
    { method: 'POST', path: '/sign-for/:token', who: 'public', handle: sign.linkSign },
    { method: 'POST', path: '/api/sign-for/:token', who: 'public', handle: sign.apiLinkSign },

    // JSON API
    { method: 'GET', path: '/api/openapi.json', who: 'public', handle: openapi.document },
    // The codec endpoint checks the operator itself, so every answer (a 401 too) carries the Web UI's CORS headers.
    { method: 'OPTIONS', path: '/api/codec/:op(encode|decode)', who: 'public', handle: codec.preflight },
    { method: 'POST', path: '/api/codec/decode', who: 'public', handle: codec.decode },
    { method: 'POST', path: '/api/codec/encode', who: 'public', handle: codec.encode },
    { method: 'GET', path: '/api/whoami', who: 'user', handle: o.whoami },
    { method: 'GET', path: `${plan}/status`, who: 'user', query: STATUS_QUERY, handle: ob.status },
    { method: 'GET', path: `${plan}/audit`, who: 'operator', does: 'read the audit log', handle: o.audit },
    { method: 'GET', path: `${obligation}/timeline`, who: 'user', handle: ob.timeline },
    { method: 'POST', path: `${obligation}/fulfil`, who: 'user', change: 'fulfil', handle: ob.apiFulfil },
    {
      method: 'POST',
      path: `${obligation}/extend`,
      who: 'operator',
      does: 'grant extensions',
      change: 'extend',
      handle: ob.apiExtend,
    },
    {
      method: 'POST',
      path: `${obligation}/waive`,
      who: 'operator',
      does: 'waive obligations',
      change: 'waive',
      handle: ob.apiWaive,
    },
    { method: 'POST', path: `${obligation}/sign-for`, who: 'user', change: 'sign-for', handle: ob.apiSignFor },
    {
      method: 'POST',
      path: `${plan}/tasks/:task/designate`,
      who: 'operator',
      does: 'designate units',
      change: 'designate',
      handle: ob.apiDesignate,
    },
    { method: 'GET', path: `${plan}/incidents`, who: 'user', handle: inc.list },
    { method: 'GET', path: `${plan}/units/:unit/incidents`, who: 'user', handle: inc.list },
    {
      method: 'POST',
      path: `${plan}/units/:unit/incidents`,
      who: 'user',
      change: 'incident-report',
      handle: inc.apiReport,
    },
    { method: 'GET', path: `${plan}/incidents/:incident`, who: 'user', handle: inc.get },
    {
      method: 'POST',
      path: `${plan}/incidents/:incident/done`,
      who: 'user',
      change: 'incident-done',
      handle: inc.apiDone,
    },
    { method: 'GET', path: `${plan}/requests`, who: 'user', handle: req.list },
    { method: 'GET', path: `${plan}/units/:unit/requests`, who: 'user', handle: req.list },
    {
      method: 'POST',
      path: `${plan}/units/:unit/requests`,
      who: 'user',
      change: 'request-receive',
      handle: req.apiReceive,
    },
    { method: 'GET', path: `${plan}/requests/:request`, who: 'user', handle: req.get },
    {
      method: 'POST',
      path: `${plan}/requests/:request/reply`,
      who: 'user',
      change: 'request-reply',
      handle: req.apiReply,
    },
    {
      method: 'POST',
      path: `${plan}/requests/:request/extend`,
      who: 'user',
      change: 'request-extend',
      handle: req.apiExtend,
    },
    {
      method: 'POST',
      path: `${plan}/requests/:request/pause`,
      who: 'user',
      change: 'request-pause',
      handle: req.apiPause,
    },
    {
      method: 'POST',
      path: `${plan}/requests/:request/resume`,
      who: 'user',
      change: 'request-resume',
      handle: req.apiResume,
    },
    {
      method: 'POST',
      path: `${plan}/requests/:request/correct`,
      who: 'user',
      change: 'request-correct',
      handle: req.apiCorrect,
    },

    // Pages and their forms
    { method: 'GET', path: '/', who: 'user', handle: o.home },
    {
      method: 'GET',
      path: page,
      who: 'operator',
      does: 'see the whole plan; your unit page is linked above',
      query: PLAN_PAGE_QUERY,
      handle: o.planPage,
    },
    ...reports,
    { method: 'GET', path: `${page}/units/:unit/calendar.ics`, who: 'feed', handle: o.calendar },
    { method: 'GET', path: `${page}/units/:unit`, who: 'user', handle: o.unitPage },
    { method: 'POST', path: `${page}/units/:unit/fulfil`, who: 'user', change: 'fulfil', handle: ob.formFulfil },
    { method: 'GET', path: `${page}/units/:unit/obligations/:obligation`, who: 'user', handle: ob.obligationPage },
    {
      method: 'POST',
      path: `${page}/units/:unit/obligations/:obligation/extend`,
      who: 'operator',
      does: 'grant extensions',
      change: 'extend',
      handle: ob.formExtend,
    },
    {
      method: 'POST',
      path: `${page}/units/:unit/obligations/:obligation/waive`,
      who: 'operator',
      does: 'waive obligations',
      change: 'waive',
      handle: ob.formWaive,
    },
    {
      method: 'POST',
      path: `${page}/units/:unit/obligations/:obligation/sign-for`,
      who: 'user',
      change: 'sign-for',
      handle: ob.formSignFor,
    },
    { method: 'GET', path: `${page}/tasks/:task`, who: 'operator', does: 'see task pages', handle: ob.taskPage },
    {
      method: 'POST',
      path: `${page}/tasks/:task/designate`,
      who: 'operator',
      does: 'designate units',
      change: 'designate',
      handle: ob.formDesignate,
    },
    {
      method: 'POST',
      path: `${page}/units/:unit/incidents`,
      who: 'user',
      change: 'incident-report',
      handle: inc.formReport,
    },
    { method: 'GET', path: `${page}/incidents/:incident`, who: 'user', handle: inc.page },
    {
      method: 'POST',
      path: `${page}/incidents/:incident/done`,
      who: 'user',
      change: 'incident-done',
      handle: inc.formDone,
    },
    {
      method: 'POST',
      path: `${page}/units/:unit/requests`,
      who: 'user',
      change: 'request-receive',
      handle: req.formReceive,
    },
    { method: 'GET', path: `${page}/requests/:request`, who: 'user', handle: req.page },
    {
      method: 'POST',
      path: `${page}/requests/:request/reply`,
      who: 'user',
      change: 'request-reply',
      handle: req.formReply,
    },
    {
      method: 'POST',
      path: `${page}/requests/:request/extend`,
      who: 'user',
      change: 'request-extend',
      handle: req.formExtend,
    },
    {
      method: 'POST',
      path: `${page}/requests/:request/pause`,
      who: 'user',
      change: 'request-pause',
      handle: req.formPause,
    },
    {
      method: 'POST',
      path: `${page}/requests/:request/resume`,
      who: 'user',
      change: 'request-resume',
      handle: req.formResume,
    },
    {
      method: 'POST',
      path: `${page}/requests/:request/correct`,
      who: 'user',
      change: 'request-correct',
      handle: req.formCorrect,
    },
  ];
}
