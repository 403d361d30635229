/**
 * The Temporal dev server stops (SIGTERM, then in a second case kill -9) while obligations sleep across a notice,
 * stays down past the notice's instant, and comes back on the same SQLite file and port. The worker (`duban start`
 * against TEMPORAL_ADDRESS) is never restarted: it must reconnect by itself within DUBAN_SERVER_LOSS_TIMEOUT_S.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { StoreConfig } from '../../src/store';
import { loadTemporalConfig, type TemporalConfig } from '../../src/temporal/config';
import { type DevServer, startDevServer } from '../../src/temporal/dev-server';
import {
  REMINDER_5,
  dueNotices,
  expectEachNoticeSentOnce,
  killAndWait,
  noticesIn,
  smallPlan,
  spawnWorker,
  startShiftedPlan,
  until,
} from '../helpers/fault';
import { alive, type DubanProcess, freePort } from '../helpers/process';
import { silentLogger } from '../../src/telemetry/logger';

jest.setTimeout(90_000);

/** Plan time starts this long before the instant: room for the plan to start and every obligation to fall asleep. */
const LEAD_MS = 15_000;
/** The server stays down until this long after the instant (plan time). */
const DOWN_PAST_INSTANT_MS = 4_000;
/** Longer than any outage here: the worker must ride it out, not exit. */
const LOSS_TIMEOUT_S = 90;

describe('the Temporal dev server restarted on its database while notices fall due (worker kept running)', () => {
  let dir: string;
  let config: TemporalConfig;
  let server: DevServer;
  let worker: DubanProcess;
  let client: Client;
  const store = (): StoreConfig => ({ kind: 'sqlite', file: path.join(dir, 'duban.sqlite') });

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-server-restart-'));
    config = loadTemporalConfig({
      DUBAN_DATA_DIR: path.join(dir, 'temporal'),
      DUBAN_DEV_SERVER_PORT: String(await freePort()),
      DUBAN_DEV_UI_PORT: String(await freePort()),
    });
    server = await startDevServer(config, { logger: silentLogger });
    worker = await spawnWorker(server.address, dir, { DUBAN_SERVER_LOSS_TIMEOUT_S: String(LOSS_TIMEOUT_S) });
    client = new Client({ connection: await Connection.connect({ address: server.address }) });
  }, 180_000);

  afterAll(async () => {
    await client?.connection.close().catch(() => undefined);
    if (worker) await killAndWait(worker);
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs one outage across REMINDER_5 of a fresh plan, stopping the server with `stop`. */
  async function outageAcrossNotice(planId: string, stop: (s: DevServer) => Promise<void>): Promise<void> {
    const { taskQueue } = loadTemporalConfig({ TEMPORAL_ADDRESS: server.address });
    const { timeShiftMs, activeFrom, planNow, small } = await startShiftedPlan(
      client,
      taskQueue,
      (attempt) => smallPlan(attempt === 0 ? planId : `${planId}-${attempt}`),
      REMINDER_5,
      LEAD_MS,
    );
    const { plan, schedule } = small;
    expect(await noticesIn(store(), plan.id)).toEqual([]);

    // The stop must land before the instant, or this run did not test sleeping across it.
    expect(REMINDER_5 - planNow()).toBeGreaterThan(2_000);
    const stoppedAt = Date.now();
    await stop(server);
    expect(alive(server.pid)).toBe(false);

    // The instant passes with no server: nothing may go out, and the worker must not give up.
    await new Promise((r) => setTimeout(r, Math.max(0, REMINDER_5 + DOWN_PAST_INSTANT_MS - planNow())));
    expect(await noticesIn(store(), plan.id)).toEqual([]);
    expect(worker.child.exitCode).toBeNull();

    server = await startDevServer(config, { logger: silentLogger });
    const downMs = Date.now() - stoppedAt;
    const due = dueNotices(plan, schedule, activeFrom, REMINDER_5 + DOWN_PAST_INSTANT_MS);
    const expected = due.map((d) => d.notice);
    expect(expected).toEqual(
      expect.arrayContaining(
        schedule.units.map((u) => `${u.unitCode}/implementation-plan/null/reminder-5@2017-05-22T09:00:00.000+08:00`),
      ),
    );
    await until('the due notices in the store', 60_000, async () =>
      (await noticesIn(store(), plan.id)).length >= expected.length ? true : undefined,
    );
    const recoveredMs = Date.now() - stoppedAt - downMs;
    const { notices, digests } = await expectEachNoticeSentOnce(store(), plan.id, expected, {
      timeShiftMs,
      outbox: path.join(dir, 'outbox'),
    });

    // The same worker process throughout, still running, and it never counted the server lost.
    expect(worker.child.exitCode).toBeNull();
    expect(worker.output()).not.toContain('lost the Temporal server');
    console.log(
      `${planId}: server down ${downMs} ms; ${notices.length} notices, ${digests.size} digests, recorded ${recoveredMs} ms after the restart`,
    );
  }

  it('sends every notice due while it was stopped with SIGTERM once after it returns, none early', async () => {
    await outageAcrossNotice('fault-sigterm', (s) => s.stop());
  });

  it('sends every notice due while it was killed with -9 once after it returns, none early', async () => {
    await outageAcrossNotice('fault-sigkill', async (s) => {
      process.kill(s.pid, 'SIGKILL');
      await s.exited;
    });
  });
});
