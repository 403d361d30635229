/**
 * The OpenAPI 3.1 description of every route the server answers, generated from the route table (paths, methods,
 * who may call) and the zod schemas the server validates request bodies with, so it cannot drift from either.
 * Served at `GET /api/openapi.json`.
 */
import { z } from 'zod';
import pkg from '../../package.json';
import type { Call, ChangeAction, HttpApp, Route } from './app';
import type { Authentication } from './auth';
import { SESSION_COOKIE } from './auth';
import { sendJson } from './transport';
import {
  designateBody,
  extendBody,
  fulfilBody,
  incidentDoneBody,
  incidentReportBody,
  requestCorrectBody,
  requestExtendBody,
  requestPauseBody,
  requestReceiveBody,
  requestReplyBody,
  requestResumeBody,
  signForBody,
  waiveBody,
} from './validate';

/** The body each change of the JSON API validates, by its audit action (a form sends the same fields as a form). */
const CHANGE_BODIES: Record<ChangeAction, z.ZodType> = {
  fulfil: fulfilBody,
  extend: extendBody,
  waive: waiveBody,
  designate: designateBody,
  'incident-report': incidentReportBody,
  'incident-done': incidentDoneBody,
  'request-receive': requestReceiveBody,
  'request-reply': requestReplyBody,
  'request-extend': requestExtendBody,
  'request-pause': requestPauseBody,
  'request-resume': requestResumeBody,
  'request-correct': requestCorrectBody,
  'sign-for': signForBody,
};

const schemaName = (action: ChangeAction) =>
  `${action.replace(/(^|-)([a-z])/g, (_, __: string, c: string) => c.toUpperCase())}Body`;

type Json = Record<string, unknown>;

/** `/api/plans/:plan/x/:kind(a|b).:format(md)` → `/api/plans/{plan}/x/{kind}.{format}` and its path parameters. */
export function openApiPath(pattern: string): { path: string; parameters: Json[] } {
  const parameters: Json[] = [];
  const path = pattern.replace(/:([A-Za-z][A-Za-z0-9]*)(?:\(([^)]*)\))?/g, (_, name: string, choices?: string) => {
    parameters.push({
      name,
      in: 'path',
      required: true,
      schema: choices ? { type: 'string', enum: choices.split('|') } : { type: 'string' },
    });
    return `{${name}}`;
  });
  return { path, parameters };
}

const problem = { $ref: '#/components/responses/Problem' };
const html = (description: string) => ({ description, content: { 'text/html': { schema: { type: 'string' } } } });
const json = (description: string, schema: Json = { type: 'object' }) => ({
  description,
  content: { 'application/json': { schema } },
});

const WHO: Record<Route['who'], string> = {
  public: 'anyone',
  feed: "a token or the unit's feed key (`?key=`)",
  user: 'anyone signed in; an officer only for their own unit',
  operator: 'operators only',
};

function operation(route: Route, parameters: Json[]): Json {
  const api = route.path.startsWith('/api/');
  const health = route.path === '/healthz' || route.path === '/readyz';
  const signedIn = route.who === 'user' || route.who === 'operator';
  const summary = route.change
    ? `${route.change}${api ? '' : ' (form)'}`
    : route.does
      ? route.does
      : `${route.method} ${route.path}`;
  const op: Json = {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/\(([^)]*)\)/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_, c?: string) => (c ?? '').toUpperCase())}`,
    summary,
    description: `Who: ${WHO[route.who]}.${route.change ? ` Audited as \`${route.change}\`.` : ''}`,
    tags: [health ? 'health' : route.path.startsWith('/api/codec') ? 'codec' : api ? 'api' : 'pages'],
    ...(parameters.length ? { parameters } : {}),
    security: signedIn ? [{ bearer: [] }, { session: [] }] : [],
  };
  if (route.change && api) {
    op.requestBody = {
      required: true,
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName(route.change)}` } } },
    };
    op.responses = {
      '200': json('the result of the change'),
      ...(route.change === 'incident-report' || route.change === 'request-receive' ? { '201': json('created') } : {}),
      '400': problem,
      '401': problem,
      '403': problem,
      '404': problem,
      '409': problem,
      '415': problem,
      '422': problem,
      '500': problem,
    };
  } else if (route.change) {
    const form = {
      type: 'object',
      description: `The form's fields, read into ${schemaName(route.change)} and checked as the API checks it`,
      properties: { _csrf: { type: 'string' } },
      required: ['_csrf'],
      additionalProperties: { type: 'string' },
    };
    op.requestBody = { required: true, content: { 'application/x-www-form-urlencoded': { schema: form } } };
    op.responses = {
      '303': { description: 'done: to the page, with a flash' },
      '4XX': html('the form again, with the error'),
    };
  } else if (route.path.includes('/sign-for/')) {
    // The mailed sign-for link: the token in the path is the permission.
    const refusals = {
      '400': 'not a sign-for link (altered, or signed with another key)',
      '404': 'sign-for links are not configured on this server',
      '409': 'already signed for (the link was used), or the obligation is closed',
      '410': 'the link has expired',
    };
    op.description = `${op.description as string} The signed token in the path is the permission; it names one notice and expires.`;
    op.responses = api
      ? {
          '200': json("the obligation's status after signing for"),
          ...Object.fromEntries(Object.keys(refusals).map((k) => [k, problem])),
        }
      : {
          '200': html(route.method === 'GET' ? 'what the link signs for, and its button' : 'signed for'),
          ...Object.fromEntries(Object.entries(refusals).map(([k, d]) => [k, html(d)])),
        };
  } else if (route.path.startsWith('/api/codec')) {
    if (route.method === 'OPTIONS')
      op.responses = { '204': { description: 'CORS preflight answered' }, '403': problem };
    else {
      const payloads = { $ref: '#/components/schemas/Payloads' };
      op.requestBody = { required: true, content: { 'application/json': { schema: payloads } } };
      op.responses = {
        '200': json('the payloads, encoded or decoded', payloads),
        '400': problem,
        '401': problem,
        '403': problem,
        '404': problem,
        '413': problem,
      };
    }
  } else if (health) {
    op.responses = {
      '200': json(route.path === '/healthz' ? 'the process runs' : 'every check passes'),
      ...(route.path === '/readyz' ? { '503': json('a check fails: which, and why') } : {}),
    };
  } else if (api) {
    op.responses = { '200': json('the resource'), '401': problem, '403': problem, '404': problem };
  } else if (route.path.endsWith('.ics')) {
    op.responses = {
      '200': { description: 'RFC 5545 calendar', content: { 'text/calendar': { schema: { type: 'string' } } } },
      '403': html('no valid token or feed key'),
    };
  } else if (route.path.includes('/reports/')) {
    op.responses = {
      '200': {
        description: 'the report',
        content: {
          'text/markdown': { schema: { type: 'string' } },
          'text/csv': { schema: { type: 'string' } },
          'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': {
            schema: { type: 'string', contentEncoding: 'binary' },
          },
        },
      },
      '403': html('not an operator'),
    };
  } else if (route.path.startsWith('/assets/')) {
    op.responses = { '200': { description: 'a stylesheet or script of the pages' } };
  } else if (route.method === 'POST') {
    op.responses = { '303': { description: 'to the next page' }, '401': html('the login form again') };
  } else {
    op.responses = { '200': html('the page'), ...(signedIn ? { '401': html('the login form') } : {}) };
  }
  return op;
}

/** `GET /api/openapi.json`: the document of the server's own routes, built once. */
export function openApiHandlers(app: HttpApp) {
  let document: Json | undefined;
  return {
    document: (call: Call<Authentication | null>) =>
      sendJson(call.res, 200, (document ??= openApiDocument(app.routes, pkg.version)), {
        'Cache-Control': 'public, max-age=300',
      }),
  };
}

/** The OpenAPI 3.1 document of `routes`. */
export function openApiDocument(routes: readonly Route[], version: string): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) {
    const { path, parameters } = openApiPath(route.path);
    for (const q of route.query ?? [])
      parameters.push({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema });
    const item = (paths[path] ??= {});
    item[route.method.toLowerCase()] = operation(route, parameters);
  }
  const schemas: Json = Object.fromEntries(
    (Object.entries(CHANGE_BODIES) as [ChangeAction, z.ZodType][]).map(([action, schema]) => {
      const { $schema: _, ...body } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
      return [schemaName(action), body];
    }),
  );
  schemas.Problem = {
    type: 'object',
    description: 'An error (RFC 9457)',
    properties: {
      type: { type: 'string', format: 'uri', description: 'urn:duban:problem:<code>' },
      title: { type: 'string' },
      status: { type: 'integer' },
      detail: { type: 'string', description: 'one line' },
      code: { type: 'string', description: 'stable: InvalidPayload, Forbidden, NotFound, AlreadyClosed, …' },
      refusal: { type: 'string', description: "the workflow's refusal type (docs/cli.md lists them)" },
    },
    required: ['type', 'title', 'status', 'detail', 'code'],
  };
  schemas.Payloads = {
    type: 'object',
    properties: {
      payloads: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            metadata: { type: 'object', additionalProperties: { type: 'string', contentEncoding: 'base64' } },
            data: { type: 'string', contentEncoding: 'base64' },
          },
        },
      },
    },
    required: ['payloads'],
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'duban (督办) dashboard and JSON API',
      version,
      description:
        'Deadline reminders and escalations for government task tables. JSON under /api/, pages elsewhere; ' +
        'errors of /api/ are application/problem+json.',
    },
    tags: [
      { name: 'api', description: 'JSON API' },
      { name: 'pages', description: 'the dashboard (Chinese HTML pages and their forms)' },
      { name: 'health', description: 'liveness and readiness' },
      { name: 'codec', description: "Temporal's codec endpoint for the Web UI and CLI" },
    ],
    paths,
    components: {
      schemas,
      responses: {
        Problem: {
          description: 'an error (RFC 9457)',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: "an operator's or a unit officer's token" },
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'set by POST /login' },
      },
    },
  };
}
