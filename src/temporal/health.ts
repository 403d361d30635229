/**
 * Liveness and readiness. `/healthz` answers while the process runs; `/readyz` runs every check of the process
 * (Temporal reachable, store reachable and migrated, worker polling, outbox moving) and answers 200 only when all
 * pass, naming each check's result. The dashboard serves both; a worker without the dashboard serves them on a
 * small server of its own (DUBAN_HEALTH_ADDRESS).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { latestVersion } from '../store';
import type { Store } from '../store/types';
import { parseListenAddress } from '../telemetry/address';
import type { Logger } from '../telemetry/logger';
import { ConfigError } from './config';

/** One check: resolves with an optional detail when it passes, throws (its message is the reason) when not. */
export type Check = () => Promise<string | void>;

/** A check's result as `/readyz` reports it. */
export interface CheckResult {
  ok: boolean;
  /** Why it failed, or what it saw. */
  detail?: string;
  ms: number;
}

/** What `/readyz` answers. */
export interface Readiness {
  status: 'ready' | 'not ready';
  /** Names of the failing checks. */
  failing: string[];
  checks: Record<string, CheckResult>;
}

/** The checks of one process, by name; a check may be added once what it looks at exists. */
export class HealthChecks {
  private readonly checks = new Map<string, Check>();

  constructor(private readonly timeoutMs = 3000) {}

  /** Adds (or replaces) a check. */
  add(name: string, check: Check): this {
    this.checks.set(name, check);
    return this;
  }

  /** Runs every check at once, each bounded by the timeout. (Default timeout: 3 s) */
  async readiness(): Promise<Readiness> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]): Promise<[string, CheckResult]> => {
        const began = Date.now();
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
        });
        try {
          const detail = await Promise.race([check(), timeout]);
          return [name, { ok: true, ...(detail ? { detail } : {}), ms: Date.now() - began }];
        } catch (err) {
          const detail = ((err as Error).message ?? String(err)).split('\n')[0]!.slice(0, 300);
          return [name, { ok: false, detail, ms: Date.now() - began }];
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    const failing = entries.filter(([, r]) => !r.ok).map(([name]) => name);
    return { status: failing.length === 0 ? 'ready' : 'not ready', failing, checks: Object.fromEntries(entries) };
  }
}

/** What `/healthz` answers: the process runs. */
export const LIVE = { status: 'ok' } as const;

/** HTTP status of a readiness answer: 200 ready, 503 not. */
export const readinessStatus = (r: Readiness): number => (r.status === 'ready' ? 200 : 503);

/** The part of a client or worker connection the Temporal check uses. */
export interface TemporalConnectionLike {
  withDeadline<R>(deadline: number | Date, fn: () => Promise<R>): Promise<R>;
  workflowService: { describeNamespace(request: { namespace: string }): Promise<unknown> };
}

/** Temporal reachable: the namespace answers on this connection (none yet: the worker is still connecting). */
export function temporalCheck(connection: () => TemporalConnectionLike | undefined, namespace: string): Check {
  return async () => {
    const c = connection();
    if (!c) throw new Error('not connected yet');
    await c.withDeadline(Date.now() + 2000, () => c.workflowService.describeNamespace({ namespace }));
  };
}

/** Store reachable and migrated to the schema this code needs. */
export function storeCheck(store: Pick<Store, 'schemaVersion'>): Check {
  return async () => {
    const version = await store.schemaVersion();
    if (version < latestVersion) throw new Error(`schema version ${version}, this code needs ${latestVersion}`);
    return `schema version ${version}`;
  };
}

/** Worker polling: created and running (not starting, draining or failed). */
export function workerCheck(worker: () => { getState(): string } | undefined): Check {
  return async () => {
    const state = worker()?.getState();
    if (state !== 'RUNNING') throw new Error(state ? `worker ${state.toLowerCase()}` : 'worker not started yet');
  };
}

/** How long a queued delivery may stay due before the outbox counts as stuck. (Default: 15 minutes) */
export const DEFAULT_OUTBOX_STUCK_MIN = 15;

/**
 * Outbox not stuck: while the dispatcher runs, no queued delivery has been due (past its grace and any retry
 * backoff) for longer than `stuckMin` minutes. A delivery waiting out a backoff (at most 10 minutes) is not due, so
 * a mail server that refuses for a while does not count; a dispatcher that stopped taking rows does.
 */
export function outboxCheck(
  store: Pick<Store, 'nextDueMs'>,
  dispatcherRunning: () => boolean,
  stuckMin: number,
  now: () => number = Date.now,
): Check {
  return async () => {
    if (!dispatcherRunning()) throw new Error('the outbox dispatcher is not running');
    const next = await store.nextDueMs();
    if (next === null) return 'nothing queued';
    const dueForMin = (now() - next) / 60_000;
    if (dueForMin > stuckMin)
      throw new Error(
        `stuck: a queued delivery has been due for ${Math.floor(dueForMin)} min (limit ${stuckMin}, DUBAN_OUTBOX_STUCK_MIN)`,
      );
    return dueForMin > 0 ? `oldest due delivery waiting ${Math.round(dueForMin * 60)} s` : 'nothing due';
  };
}

/** Health settings, validated at start-up. */
export interface HealthConfig {
  /** Where the separate health server listens (`host` and `port`), or undefined when it is off. */
  address: { host: string; port: number } | undefined;
  /** See {@link outboxCheck}. (Default: {@link DEFAULT_OUTBOX_STUCK_MIN}) */
  outboxStuckMin: number;
}

/** The separate health server's address when the dashboard is off. (Default: `127.0.0.1:8081`) */
export const DEFAULT_HEALTH_ADDRESS = '127.0.0.1:8081';

const healthSchema = z.object({
  DUBAN_HEALTH_ADDRESS: z.string().trim().optional(),
  DUBAN_OUTBOX_STUCK_MIN: z.coerce.number().positive().default(DEFAULT_OUTBOX_STUCK_MIN),
});

/**
 * Reads DUBAN_HEALTH_ADDRESS (`host:port`, `[v6]:port`, or `off`) and DUBAN_OUTBOX_STUCK_MIN. Unset, the health
 * server listens on {@link DEFAULT_HEALTH_ADDRESS} when the dashboard (which serves the same paths) is off, and is
 * off otherwise.
 */
export function loadHealthConfig(dashboardOn: boolean, env: NodeJS.ProcessEnv = process.env): HealthConfig {
  const parsed = healthSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const given = parsed.data.DUBAN_HEALTH_ADDRESS || undefined;
  const text = given ?? (dashboardOn ? 'off' : DEFAULT_HEALTH_ADDRESS);
  let address: HealthConfig['address'];
  try {
    address = parseListenAddress(text, 'DUBAN_HEALTH_ADDRESS', DEFAULT_HEALTH_ADDRESS);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return { address, outboxStuckMin: parsed.data.DUBAN_OUTBOX_STUCK_MIN };
}

/** A running health server. */
export interface HealthServer {
  /** `http://host:port`. */
  url: string;
  close(): Promise<void>;
}

/** Serves `GET /healthz` and `GET /readyz` (JSON) and nothing else. */
export function startHealthServer(
  address: { host: string; port: number },
  checks: HealthChecks,
): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/healthz' && path !== '/readyz') return reply(404, { error: `no route ${path}`, type: 'NotFound' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return reply(405, { error: `${req.method} is not allowed here; allowed: GET, HEAD`, type: 'MethodNotAllowed' });
    }
    if (path === '/healthz') return reply(200, LIVE);
    checks.readiness().then(
      (r) => reply(readinessStatus(r), r),
      (err: unknown) => reply(500, { error: (err as Error).message, type: 'InternalError' }),
    );
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const host = address.host.includes(':') ? `[${address.host}]` : address.host;
      resolve({
        url: `http://${host}:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** What the main job learns once its worker polls. */
export interface MainJobRunning {
  worker: { getState(): string };
  connection: TemporalConnectionLike;
}

/**
 * The checks of `duban start` (Temporal, store, worker, outbox) and, when DUBAN_HEALTH_ADDRESS says so, the health
 * server serving them from before the worker starts. A health server that cannot listen is reported and left out:
 * the worker and its reminders matter more. `attach` hands over the worker once it polls.
 */
export async function mainJobHealth(options: {
  config: HealthConfig;
  namespace: string;
  store: Pick<Store, 'schemaVersion' | 'nextDueMs'>;
  dispatcherRunning: () => boolean;
  logger: Logger;
}): Promise<{ checks: HealthChecks; attach(running: MainJobRunning): void; close(): Promise<void> }> {
  let running: MainJobRunning | undefined;
  const checks = new HealthChecks()
    .add(
      'temporal',
      temporalCheck(() => running?.connection, options.namespace),
    )
    .add('store', storeCheck(options.store))
    .add(
      'worker',
      workerCheck(() => running?.worker),
    )
    .add('outbox', outboxCheck(options.store, options.dispatcherRunning, options.config.outboxStuckMin));
  let server: HealthServer | undefined;
  if (options.config.address) {
    try {
      server = await startHealthServer(options.config.address, checks);
      options.logger.info(`health at ${server.url}/healthz and ${server.url}/readyz`);
    } catch (err) {
      options.logger.error(`the health server did not start (DUBAN_HEALTH_ADDRESS): ${(err as Error).message}`);
    }
  }
  return {
    checks,
    attach: (r) => (running = r),
    close: async () => server?.close(),
  };
}
