/**
 * Prometheus metrics: duban's own series (prom-client, `duban_…`) and, in a worker, the Temporal SDK's runtime
 * telemetry (`temporal_…`, exported by the SDK's core on a loopback port of its own), served together at one address
 * (DUBAN_METRICS_ADDRESS) as `/metrics`. Labels hold kinds, stages, statuses and route patterns only: never a unit,
 * an address or an id, so the number of series stays small and no personal data leaves.
 */
import http from 'node:http';
import net from 'node:net';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { z } from 'zod';
import { type ListenAddress, parseListenAddress, urlOf } from './address';

/** duban's registry: every `duban_…` series of the process. */
export const registry = new Registry();

/** Deliveries (one per recipient of a notice) by channel, stage and what became of them. */
export const noticesCounter = new Counter({
  name: 'duban_notices_total',
  help: 'Deliveries of notices by channel (mail, dingtalk, feishu, wecom, webhook, sms), stage and result (queued, sent, retried, deferred by a rate limit, failed, undeliverable)',
  labelNames: ['channel', 'stage', 'result'] as const,
  registers: [registry],
});

/** Outcomes recorded by status (on-time, late, missed, waived, …) and obligation kind. */
export const outcomesCounter = new Counter({
  name: 'duban_outcomes_total',
  help: 'Outcomes recorded by status and obligation kind',
  labelNames: ['status', 'obligation'] as const,
  registers: [registry],
});

/** Notices whose dates rest on a year without a State Council holiday notice. */
export const provisionalCounter = new Counter({
  name: 'duban_calendar_provisional_uses_total',
  help: 'Notices queued whose dates rest on a provisional year (no holiday notice yet), by year',
  labelNames: ['year', 'what'] as const,
  registers: [registry],
});

/** HTTP requests by route pattern (not the path: ids stay out), method and status. */
export const httpRequestsCounter = new Counter({
  name: 'duban_http_requests_total',
  help: 'HTTP requests by route pattern, method and status',
  labelNames: ['route', 'method', 'status'] as const,
  registers: [registry],
});

/** What the outbox gauges read at each scrape. */
export interface OutboxSource {
  countDeliveries(): Promise<Record<string, number>>;
  nextDueMs(): Promise<number | null>;
}

let outbox: OutboxSource | undefined;

const outboxDepth = new Gauge({
  name: 'duban_outbox_depth',
  help: 'Deliveries in the outbox not yet sent, by status (queued, sending)',
  labelNames: ['status'] as const,
  registers: [registry],
  async collect() {
    if (!outbox) return;
    const counts = await outbox.countDeliveries().catch(() => undefined);
    if (!counts) return;
    for (const status of ['queued', 'sending']) this.set({ status }, counts[status] ?? 0);
  },
});

const outboxOldestAge = new Gauge({
  name: 'duban_outbox_oldest_age_seconds',
  help: 'How long the longest-waiting queued delivery has been due (0: none due)',
  registers: [registry],
  async collect() {
    if (!outbox) return;
    const next = await outbox.nextDueMs().catch(() => undefined);
    if (next === undefined) return;
    this.set(next === null ? 0 : Math.max(0, (Date.now() - next) / 1000));
  },
});

/** The store the outbox gauges read at each scrape (the worker's, or the dashboard's). */
export function watchOutbox(source: OutboxSource): void {
  outbox = source;
  outboxDepth.reset();
  outboxOldestAge.reset();
}

/** The metrics address from DUBAN_METRICS_ADDRESS (`host:port` or `off`). (Default: off) */
export function loadMetricsAddress(env: NodeJS.ProcessEnv = process.env): ListenAddress | undefined {
  const text = z.string().trim().optional().parse(env.DUBAN_METRICS_ADDRESS) || 'off';
  return parseListenAddress(text, 'DUBAN_METRICS_ADDRESS', '127.0.0.1:9464');
}

/** A free port on loopback for the SDK's own exporter, which `/metrics` reads and passes on. */
export function freeLoopbackAddress(): Promise<string> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(`127.0.0.1:${port}`));
    });
  });
}

/** A running metrics server. */
export interface MetricsServer {
  /** `http://host:port/metrics`. */
  url: string;
  /** Where the SDK's exporter listens, once a worker's runtime was installed with it. */
  sdkAddress?: string;
  close(): Promise<void>;
}

let defaultsCollected = false;

/**
 * Serves `GET /metrics`: duban's series, process metrics (`duban_process_…`, `duban_nodejs_…`) and, when
 * `sdkAddress` is set, the SDK's exporter's text after them. An exporter not (yet) listening is left out.
 */
export function startMetricsServer(
  address: ListenAddress,
  options: { sdkAddress?: string } = {},
): Promise<MetricsServer> {
  if (!defaultsCollected) {
    collectDefaultMetrics({ register: registry, prefix: 'duban_' });
    defaultsCollected = true;
  }
  const running: MetricsServer = { url: '', sdkAddress: options.sdkAddress, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(path === '/metrics' ? 405 : 404, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end(path === '/metrics' ? 'GET only\n' : 'only /metrics here\n');
    }
    void exposition(running.sdkAddress).then(
      (text) => {
        res.writeHead(200, { 'Content-Type': registry.contentType, 'Cache-Control': 'no-store' });
        res.end(text);
      },
      (err: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(`${(err as Error).message}\n`);
      },
    );
  });
  server.requestTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host, () => {
      server.off('error', reject);
      const { port } = server.address() as net.AddressInfo;
      running.url = `${urlOf({ host: address.host, port })}/metrics`;
      running.close = () =>
        new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
      resolve(running);
    });
  });
}

async function exposition(sdkAddress: string | undefined): Promise<string> {
  const own = await registry.metrics();
  if (!sdkAddress) return own;
  try {
    const answer = await fetch(`http://${sdkAddress}/metrics`, { signal: AbortSignal.timeout(3000) });
    return answer.ok ? `${own}\n${await answer.text()}` : own;
  } catch {
    // The worker's runtime is not installed yet (the dev server is starting) or already shut down.
    return own;
  }
}
