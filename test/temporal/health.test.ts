import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openStore, type Store } from '../../src/store';
import { loadTemporalConfig } from '../../src/temporal/config';
import { type DevServer, startDevServer } from '../../src/temporal/dev-server';
import {
  HealthChecks,
  loadHealthConfig,
  outboxCheck,
  startHealthServer,
  storeCheck,
  type Readiness,
} from '../../src/temporal/health';
import { notice, officer } from '../mail/fixtures';
import { freePort, spawnDuban } from '../helpers/process';
import { silentLogger } from '../../src/telemetry/logger';

jest.setTimeout(240_000);

async function get(url: string): Promise<{ status: number; body: Readiness & { status: string } }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Readiness };
}

/** Polls until `want` holds, or fails with the last answer after `timeoutMs`. */
async function until<T>(probe: () => Promise<T>, want: (v: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    try {
      last = await probe();
      if (want(last)) return last;
    } catch (err) {
      last = err as T;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting; last: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('readiness checks', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-health-'));
    store = await openStore({ kind: 'sqlite', file: path.join(dir, 'duban.sqlite') });
  });
  afterEach(async () => {
    await store.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('the outbox is stuck once a queued delivery has been due longer than the limit while the dispatcher runs', async () => {
    const now = Date.parse('2026-12-03T02:00:00Z');
    const check = (running = true) =>
      outboxCheck(
        store,
        () => running,
        15,
        () => now,
      );
    await expect(check()()).resolves.toBe('nothing queued');
    const n = notice({});
    await store.enqueue(
      {
        key: n.key,
        payload: { kind: 'notice', notice: n },
        recipients: [officer],
        atMs: now,
        notBeforeMs: now - 60_000,
      },
      now - 60_000,
    );
    await expect(check()()).resolves.toBe('oldest due delivery waiting 60 s');
    const m = notice({ taskNo: 7 });
    await store.enqueue(
      {
        key: m.key,
        payload: { kind: 'notice', notice: m },
        recipients: [officer],
        atMs: now,
        notBeforeMs: now - 16 * 60_000,
      },
      now - 16 * 60_000,
    );
    await expect(check()()).rejects.toThrow(
      'stuck: a queued delivery has been due for 16 min (limit 15, DUBAN_OUTBOX_STUCK_MIN)',
    );
    await expect(check(false)()).rejects.toThrow('the outbox dispatcher is not running');
  });

  it('the store check passes on a migrated store and fails, naming it, once the store is gone', async () => {
    const checks = new HealthChecks().add('store', storeCheck(store));
    const server = await startHealthServer({ host: '127.0.0.1', port: 0 }, checks);
    try {
      const ok = await get(`${server.url}/readyz`);
      expect(ok.status).toBe(200);
      expect(ok.body.checks.store).toMatchObject({ ok: true, detail: expect.stringMatching(/^schema version \d+$/) });
      await store.close();
      const down = await get(`${server.url}/readyz`);
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ status: 'not ready', failing: ['store'] });
      expect((await get(`${server.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${server.url}/readyz`, { method: 'POST' })).status).toBe(405);
      expect((await fetch(`${server.url}/other`)).status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it('a check that does not answer in time fails with the timeout', async () => {
    const checks = new HealthChecks(200).add('slow', () => new Promise(() => undefined));
    expect(await checks.readiness()).toMatchObject({
      status: 'not ready',
      checks: { slow: { ok: false, detail: 'no answer within 200 ms' } },
    });
  });

  it('DUBAN_HEALTH_ADDRESS: on loopback 8081 without the dashboard, off with it, refused when malformed', () => {
    expect(loadHealthConfig(false, {})).toEqual({ address: { host: '127.0.0.1', port: 8081 }, outboxStuckMin: 15 });
    expect(loadHealthConfig(true, {}).address).toBeUndefined();
    expect(loadHealthConfig(false, { DUBAN_HEALTH_ADDRESS: 'off' }).address).toBeUndefined();
    expect(loadHealthConfig(true, { DUBAN_HEALTH_ADDRESS: '[::1]:9000' }).address).toEqual({ host: '::1', port: 9000 });
    expect(() => loadHealthConfig(false, { DUBAN_HEALTH_ADDRESS: '8081' })).toThrow(
      "invalid configuration: DUBAN_HEALTH_ADDRESS: '8081' is not host:port",
    );
    expect(() => loadHealthConfig(false, { DUBAN_OUTBOX_STUCK_MIN: '0' })).toThrow('DUBAN_OUTBOX_STUCK_MIN');
  });
});

describe('duban start without the dashboard serves /healthz and /readyz', () => {
  let dataDir: string;
  let server: DevServer | undefined;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'duban-ready-'));
  });
  afterEach(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('is ready under a running main job, names Temporal when its server stops, and is ready again after', async () => {
    // A dev server of its own, so the test can stop it under the worker (the main job would stop with its own).
    const serverConfig = loadTemporalConfig({
      DUBAN_DATA_DIR: path.join(dataDir, 'server'),
      DUBAN_DEV_SERVER_PORT: String(await freePort()),
      DUBAN_DEV_UI_PORT: String(await freePort()),
    });
    server = await startDevServer(serverConfig, { logger: silentLogger });
    const healthPort = await freePort();
    const job = spawnDuban(['start'], {
      TEMPORAL_ADDRESS: server.address,
      DUBAN_DATA_DIR: dataDir,
      DUBAN_DASHBOARD: '0',
      DUBAN_EXAMPLE_PLAN: '0',
      DUBAN_HEALTH_ADDRESS: `127.0.0.1:${healthPort}`,
      // The worker must outlive the server's absence for the test to see it come back.
      DUBAN_SERVER_LOSS_TIMEOUT_S: '600',
    });
    const url = `http://127.0.0.1:${healthPort}`;
    try {
      await job.waitFor(`health at ${url}/healthz`, 60_000);
      // Live from the start, before the worker is created.
      expect((await get(`${url}/healthz`)).body).toEqual({ status: 'ok' });
      await job.waitFor('worker polling', 90_000);
      const ready = await until(
        () => get(`${url}/readyz`),
        (r) => r.status === 200,
        20_000,
      );
      expect(ready.body).toMatchObject({ status: 'ready', failing: [] });
      expect(Object.keys(ready.body.checks).sort()).toEqual(['outbox', 'store', 'temporal', 'worker']);

      await server.stop();
      const down = await until(
        () => get(`${url}/readyz`),
        (r) => r.status === 503,
        30_000,
      );
      expect(down.body).toMatchObject({ status: 'not ready', failing: ['temporal'] });
      expect(down.body.checks.temporal!.ok).toBe(false);
      expect((await get(`${url}/healthz`)).status).toBe(200);

      server = await startDevServer(serverConfig, { logger: silentLogger });
      const back = await until(
        () => get(`${url}/readyz`),
        (r) => r.status === 200,
        60_000,
      );
      expect(back.body.failing).toEqual([]);
    } finally {
      job.child.kill('SIGTERM');
      expect(await job.exit).toBe(0);
    }
  });
});
