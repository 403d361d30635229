/**
 * The seed plan running on a real dev server "as if" at a chosen 2017 instant, with a worker, a SQLite store,
 * the client layer (src/service) and the HTTP server on a free loopback port: what the API and browser tests drive.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createActivities } from '../../activities';
import type { Directory } from '../../src/domain/directory';
import type { Plan } from '../../src/domain/plan';
import { operatorExtras } from '../../src/http/dashboard';
import { createHttpServer, type DubanHttp } from '../../src/http/server';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../../src/import/directory';
import { importTableFile } from '../../src/import/plan-file';
import type { SignForConfig } from '../../src/mail/sign-for-token';
import { simpleParser } from 'mailparser';
import { emlMailer } from '../../src/mail/transport';
import { createDubanClient, startPlan, type DubanClient, type ObligationsClient } from '../../src/service';
import { smallSeedPlan } from '../fixtures/small-seed';
import { memoryLogger } from '../mail/smtp';
import { type OpenedStore, openTestStore } from '../store/stores';
import { createDevServerEnv, workflowBundle } from '../helpers/temporal';

/** Tokens of the test configuration (never real ones). */
export const TOKENS = {
  operator: 'operator-token-0123456789',
  czt: 'czt-officer-token-0123456789',
  fuzhou: 'fuzhou-officer-token-0123456789',
} as const;

/** Plan time the seed runs at: inside the implementation plan's reminder window (due 2017-05-27). */
export const PLAN_NOW = '2017-05-23T10:00:00+08:00';

export interface DashboardFixture {
  env: TestWorkflowEnvironment;
  opened: OpenedStore;
  plan: Plan;
  directory: Directory;
  /** The client layer the server runs on (incidents and requests start on the fixture's task queue). */
  duban: DubanClient;
  service: ObligationsClient;
  http: DubanHttp;
  baseUrl: string;
  /** The folder the messages are written to, one `.eml` file each. */
  outbox: string;
  teardown(): Promise<void>;
}

/** What a call answered. */
export interface Answer {
  status: number;
  /** The body as JSON, when it is JSON. */
  json: Record<string, unknown> & { detail?: string; code?: string; refusal?: string };
  text: string;
  headers: Headers;
}

/** Calls the server as a client would: a bearer token, a JSON body (POST unless told), no redirects followed. */
export async function callApi(
  baseUrl: string,
  path: string,
  options: { token?: string; method?: string; body?: unknown; raw?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const hasBody = options.body !== undefined || options.raw !== undefined;
  if (hasBody) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? (hasBody ? 'POST' : 'GET'),
    headers,
    body: options.raw ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined),
    redirect: 'manual',
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json: json as Answer['json'], text, headers: res.headers };
}

/** What a fixture runs, when not the whole seed at {@link PLAN_NOW}. */
export interface FixtureOptions {
  plan?: Plan;
  directory?: Directory;
  /** (Default: {@link PLAN_NOW}) */
  planNow?: string;
  /** When the obligations became active; notices before it are never sent. (Default: `planNow`) */
  activeFrom?: string;
  /** Sign-for links in messages (base {@link MAIL_PUBLIC_URL}) and on the server. (Default: none) */
  signFor?: SignForConfig;
}

/** Base of the links in the fixture's messages. */
export const MAIL_PUBLIC_URL = 'https://duban.example.gov.cn';

/** Starts everything; `teardown` stops it in reverse order. */
export async function startDashboardFixture(options: FixtureOptions = {}): Promise<DashboardFixture> {
  const env = await createDevServerEnv();
  const opened = await openTestStore('sqlite');
  const outbox = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-http-eml-'));
  const directory = options.directory ?? loadDirectory(BUNDLED_DIRECTORY_PATH);
  const plan =
    options.plan ??
    importTableFile(path.resolve(__dirname, '../../examples/fujian-2017/tasks.txt'), { directory }).plan;
  const planNow = options.planNow ?? PLAN_NOW;
  const { logger } = memoryLogger();
  const activities = createActivities({
    store: opened.store,
    directory,
    mailer: emlMailer(outbox, 'duban 督办 <duban@duban.test>'),
    logger,
    ...(options.signFor
      ? { dispatcherOptions: { publicUrl: MAIL_PUBLIC_URL, graceMs: 200, signFor: options.signFor } }
      : {}),
  });
  const taskQueue = 'http-test';
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities,
    // Every obligation stays cached, so the dashboard's queries never replay a history.
    maxCachedWorkflows: 2000,
  });
  const running = worker.run();
  const timeShiftMs = Date.parse(planNow) - Date.now();
  const started = await startPlan(env.client, plan, directory, {
    taskQueue,
    timeShiftMs,
    activeFrom: options.activeFrom ?? planNow,
    concurrency: 32,
  });
  const duban = createDubanClient({
    client: env.client,
    directory,
    plan,
    namespace: 'default',
    taskQueue,
    timeShiftMs,
  });
  const service = duban.obligations;
  // Unit workflows start their obligations as children; wait until every item answers, so no test sees a partial plan.
  const expected = started.schedule.units.reduce(
    (n, u) => n + u.obligations.reduce((m, o) => m + o.items.length, 0),
    0,
  );
  const workflows = started.schedule.units.reduce((n, u) => n + 1 + u.obligations.length, 0);
  const deadline = Date.now() + 180_000;
  // First every workflow runs (visibility, no worker needed), then every item answers a query.
  for (;;) {
    const { count } = await env.client.workflow.count(`WorkflowId STARTS_WITH "duban/${plan.id}/"`);
    if (count >= workflows) break;
    if (Date.now() > deadline) throw new Error(`only ${count} of ${workflows} workflows started in time`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  for (;;) {
    const rows = await service.status({ planId: plan.id }).then(
      (r) => r.rows.length,
      () => 0,
    );
    if (rows >= expected) break;
    if (Date.now() > deadline) throw new Error(`only ${rows} of ${expected} obligation items answered in time`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const http = createHttpServer({
    duban,
    store: opened.store,
    plan,
    directory,
    config: {
      operatorToken: TOKENS.operator,
      unitTokens: new Map([
        [TOKENS.czt, 'fj-czt'],
        [TOKENS.fuzhou, 'fj-fuzhou'],
      ]),
      secureCookies: false,
    },
    extras: operatorExtras({ plan, directory, store: opened.store, signForLinks: options.signFor !== undefined }),
    signFor: options.signFor,
  });
  const port = await http.listen(0);
  return {
    env,
    opened,
    plan,
    directory,
    duban,
    service,
    http,
    baseUrl: `http://127.0.0.1:${port}`,
    outbox,
    async teardown() {
      await http.close();
      worker.shutdown();
      await running.catch(() => undefined);
      await env.teardown();
      await opened.dispose();
      fs.rmSync(outbox, { recursive: true, force: true });
    },
  };
}

/**
 * The token of the sign-for link in the message the outbox wrote to `address` (waiting for it), after checking the
 * message's text and HTML both carry the link.
 */
export async function signForTokenIn(outbox: string, address: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const file of fs.readdirSync(outbox).filter((n) => n.endsWith('.eml'))) {
      const mail = await simpleParser(fs.readFileSync(path.join(outbox, file)));
      const to = Array.isArray(mail.to) ? mail.to : mail.to ? [mail.to] : [];
      if (!to.some((t) => t.value.some((v) => v.address === address))) continue;
      const m = new RegExp(`一键签收：${MAIL_PUBLIC_URL}/sign-for/([A-Za-z0-9_.-]+)`).exec(mail.text ?? '');
      if (!m) throw new Error(`the message to ${address} has no sign-for link:\n${mail.text}`);
      if (!(mail.html || '').includes(`/sign-for/${m[1]}`))
        throw new Error(`the HTML part to ${address} lacks the link`);
      return m[1]!;
    }
    if (Date.now() > deadline) throw new Error(`no message to ${address} in time`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * The seed's implementation plan (six units) at plan time 2017-05-25 09:00:20, just after its reminder-2 went out
 * (the obligations active from 08:59, so nothing earlier was sent), with sign-for links signed with `key`.
 */
export function signForFixture(key: string): Promise<DashboardFixture> {
  const { plan, directory } = smallSeedPlan([49]);
  return startDashboardFixture({
    plan,
    directory,
    planNow: '2017-05-25T09:00:20+08:00',
    activeFrom: '2017-05-25T08:59:00+08:00',
    signFor: { key: Buffer.from(key), ttlMs: 72 * 3_600_000 },
  });
}
