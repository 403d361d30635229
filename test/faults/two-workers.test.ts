/**
 * Two workers (two `duban start` processes, worker only) on one task queue, one dev server and one PostgreSQL store,
 * each with its outbox dispatcher sending through an SMTP server on loopback. The plan runs shifted so a notice
 * instant comes seconds from now; both workers run some of its workflows. The moment the instant's first notice is
 * in the store, one worker is killed with -9: the other takes over its workflows (after the sticky queue's
 * timeout), and every notice reaches its recipients exactly once. A second worker is started again, obligations are
 * fulfilled and the plan closed: every outcome is recorded once and matches what the workflows report.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import pg from 'pg';
import { obligationWorkflowId, unitWorkflowId } from '../../src/domain/ids';
import { closePlan } from '../../src/service';
import { type StoreConfig, openStore } from '../../src/store';
import { loadTemporalConfig } from '../../src/temporal/config';
import { fulfilUpdate } from '../../workflows/messages';
import type { unitWorkflow } from '../../workflows/unit';
import {
  REMINDER_5,
  dueNotices,
  expectEachNoticeSentOnce,
  killAndWait,
  noticesIn,
  obligationIds,
  smallPlan,
  spawnWorker,
  startShiftedPlan,
} from '../helpers/fault';
import type { DubanProcess } from '../helpers/process';
import { createDevServerEnv } from '../helpers/temporal';
import { TestSmtpServer } from '../mail/smtp';

jest.setTimeout(240_000);

/** Plan time starts this long before the instant: room for the plan to start and every obligation to fall asleep. */
const LEAD_MS = 20_000;

describe('two workers on one task queue and one PostgreSQL store, one killed with -9 at a notice instant', () => {
  let dir: string;
  let env: TestWorkflowEnvironment;
  let smtp: TestSmtpServer;
  const workers: DubanProcess[] = [];
  const schema = `two_workers_${process.pid}`;
  const store = (): StoreConfig => ({ kind: 'postgres', url: process.env.TEST_DATABASE_URL!, schema });

  /** A worker process of its own data folder, on the shared store, queue and mail server. */
  const worker = async (name: string): Promise<DubanProcess> => {
    const w = await spawnWorker(env.address, path.join(dir, name), {
      DATABASE_URL: process.env.TEST_DATABASE_URL,
      DUBAN_DB_SCHEMA: schema,
      SMTP_URL: smtp.url,
      SMTP_TLS_INSECURE: '1',
      // The instant's digests wait this long: the kill lands while they are queued, before any hand-over.
      DUBAN_DIGEST_GRACE_MS: '5000',
    });
    workers.push(w);
    return w;
  };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-two-workers-'));
    smtp = new TestSmtpServer(() => false);
    await smtp.start();
    env = await createDevServerEnv();
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) await killAndWait(w);
    await env?.teardown();
    await smtp?.stop();
    const db = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await db.connect();
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.end();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends every notice once and records every outcome once', async () => {
    const [a, b] = await Promise.all([worker('a'), worker('b')]);
    const { taskQueue } = loadTemporalConfig({ TEMPORAL_ADDRESS: env.address });
    const { timeShiftMs, activeFrom, planNow, small } = await startShiftedPlan(
      env.client,
      taskQueue,
      (attempt) => smallPlan(attempt === 0 ? 'two-workers' : `two-workers-${attempt}`),
      REMINDER_5,
      LEAD_MS,
    );
    const { plan, schedule } = small;
    expect(await noticesIn(store(), plan.id)).toEqual([]);
    const expected = dueNotices(plan, schedule, activeFrom, REMINDER_5 + 4_000).map((d) => d.notice);
    expect(expected.length).toBeGreaterThanOrEqual(schedule.units.length);

    // Kill -9 the first worker the moment the instant's first notice is on record: the others are being written.
    expect(REMINDER_5 - planNow()).toBeGreaterThan(2_000);
    let atKill = 0;
    for (;;) {
      atKill = (await noticesIn(store(), plan.id)).length;
      if (atKill > 0) break;
      if (planNow() > REMINDER_5 + 30_000) throw new Error('no notice 30 s after the instant');
      await new Promise((r) => setTimeout(r, 20));
    }
    a.child.kill('SIGKILL');
    await a.exit;
    const killedAt = Date.now();

    const { notices, digests } = await expectEachNoticeSentOnce(store(), plan.id, expected, {
      timeShiftMs,
      sent: () => smtp.received.map((m) => m.parsed.messageId ?? ''),
      timeoutMs: 90_000,
    });
    const recoveredMs = Date.now() - killedAt;
    // One SMTP message per digest, none twice, nothing else.
    expect(smtp.received).toHaveLength(digests.size);
    expect(b.child.exitCode).toBeNull();
    expect(b.output()).not.toContain('possible duplicate');

    // Both workers ran the plan: the killed one's workflows went on on the other.
    const identity = (w: DubanProcess) => `${w.child.pid}@`;
    const ranBy = new Map<string, string[]>();
    for (const id of obligationIds(plan, schedule)) {
      const history = await env.client.workflow.getHandle(id).fetchHistory();
      ranBy.set(
        id,
        (history.events ?? []).flatMap((e) => {
          const who = e.workflowTaskStartedEventAttributes?.identity;
          return who ? [who] : [];
        }),
      );
    }
    const onA = [...ranBy].filter(([, who]) => who.some((w) => w.startsWith(identity(a))));
    const movedToB = onA.filter(([, who]) => who.some((w) => w.startsWith(identity(b))));
    expect(onA.length).toBeGreaterThan(0);
    expect([...ranBy].filter(([, who]) => who.some((w) => w.startsWith(identity(b)))).length).toBeGreaterThan(0);
    expect(movedToB.length).toBeGreaterThan(0);

    // A second worker again, then the rest of the year shortened: fulfilments, then the close.
    const c = await worker('c');
    const deadlines = schedule.units.flatMap((u) =>
      u.obligations.filter((o) => o.obligation === 'task-deadline').map((o) => ({ unit: u.unitCode, o })),
    );
    expect(deadlines.length).toBeGreaterThan(1);
    for (const { unit, o } of deadlines)
      await env.client.workflow.getHandle(obligationWorkflowId(plan.id, unit, o.id)).executeUpdate(fulfilUpdate, {
        args: [{ evidence: { url: `https://example.gov.cn/${unit}`, recordedBy: 'two' } }],
      });
    await closePlan(env.client, schedule, plan.id, { reason: 'two workers', untilEnded: true });

    // What the workflows report, item by item, against what the store holds: each once.
    const key = (o: { unitCode: string; obligation: string; taskNo: number | null; period: string | null }) =>
      `${o.unitCode}/${o.obligation}/${o.taskNo}/${o.period}`;
    const reported: string[] = [];
    for (const unit of schedule.units) {
      const statuses = await env.client.workflow
        .getHandle<typeof unitWorkflow>(unitWorkflowId(plan.id, unit.unitCode))
        .result();
      for (const s of statuses) for (const item of s.items) reported.push(`${key({ ...s, period: item.period })}`);
    }
    const opened = await openStore(store());
    try {
      const outcomes = await opened.listOutcomes({ planId: plan.id });
      const recorded = outcomes.map(key).sort();
      expect(new Set(recorded).size).toBe(recorded.length);
      expect(recorded).toEqual(reported.sort());
      const fulfilled = outcomes.filter((o) => o.obligation === 'task-deadline');
      expect(fulfilled.map((o) => o.status)).toEqual(deadlines.map(() => 'on-time'));
      const events = await opened.listEvents({ planId: plan.id, type: 'fulfilment' });
      expect(events).toHaveLength(deadlines.length);
    } finally {
      await opened.close();
    }
    expect(b.child.exitCode).toBeNull();
    expect(c.child.exitCode).toBeNull();
    console.log(
      `two workers: ${onA.length} obligation workflows ran on the killed worker, ${movedToB.length} of them went ` +
        `on on the other; ${atKill} of ${notices.length} notices on record at the kill; all ${digests.size} ` +
        `digests sent once, ${recoveredMs} ms after it; ${reported.length} outcomes recorded once`,
    );
  });
});
