/**
 * `duban start` fills the read model once its worker polls: a plan's obligations whose overview rows are gone (as
 * if started by a duban from before the read model) are back in the store after a restart, with the log line that
 * says how many; real dev server, real SQLite store, `duban start` as a process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { DateTime } from 'luxon';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { PLAN_TIMEZONE } from '../../src/domain/plan';
import { startPlan } from '../../src/service';
import { smallPlan, spawnWorker, until } from '../helpers/fault';
import type { DubanProcess } from '../helpers/process';
import { createDevServerEnv, waitForObligations } from '../helpers/temporal';

jest.setTimeout(300_000);

describe('duban start backfills the read model', () => {
  let env: TestWorkflowEnvironment;
  let dir: string;
  let worker: DubanProcess | undefined;
  const stop = async () => {
    if (!worker) return;
    worker.child.kill('SIGTERM');
    await worker.exit;
    worker = undefined;
  };

  beforeAll(async () => {
    env = await createDevServerEnv();
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-start-backfill-'));
  });
  afterAll(async () => {
    await stop();
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the overviews missing from the store, and says so', async () => {
    const { plan, directory, schedule } = smallPlan();
    const obligations = schedule.units.reduce((n, u) => n + u.obligations.length, 0);
    const fuzhou = schedule.units.find((u) => u.unitCode === 'fj-fuzhou')!.obligations.length;
    worker = await spawnWorker(env.address, dir);
    // Plan time: the plan's publication day, its first reminders more than two weeks ahead.
    const publishMs = DateTime.fromISO(plan.publishedOn, { zone: PLAN_TIMEZONE }).toMillis();
    const timeShiftMs = publishMs - Date.now();
    await startPlan(env.client, plan, directory, {
      taskQueue: 'duban',
      timeShiftMs,
      activeFrom: DateTime.fromMillis(publishMs, { zone: PLAN_TIMEZONE }).toISO()!,
    });
    await waitForObligations(env.client, plan, directory);
    const db = new Database(path.join(dir, 'duban.sqlite'));
    db.pragma('busy_timeout = 5000');
    const held = () =>
      (
        db
          .prepare('SELECT COUNT(DISTINCT unit_code || obligation_id) AS n FROM overviews WHERE plan_id = ?')
          .get(plan.id) as {
          n: number;
        }
      ).n;
    try {
      await until('every overview written', 60_000, async () => (held() === obligations ? true : undefined));
      await stop();
      // As after an upgrade: 福州市's workflows run, and the store has nothing of them.
      db.prepare("DELETE FROM overviews WHERE plan_id = ? AND unit_code = 'fj-fuzhou'").run(plan.id);
      expect(held()).toBe(obligations - fuzhou);

      worker = await spawnWorker(env.address, dir);
      await worker.waitFor('read model: plan fj-2017-zwgk: ', 90_000);
      expect(worker.output()).toContain(
        `read model: plan ${plan.id}: backfilled ${fuzhou} of ${fuzhou} obligation workflows without an overview ` +
          `(${obligations} in all, ${obligations - fuzhou} had one; ${schedule.units.length} units)`,
      );
      expect(held()).toBe(obligations);
      const rows = db
        .prepare("SELECT as_of_ms, state FROM overviews WHERE plan_id = ? AND unit_code = 'fj-fuzhou'")
        .all(plan.id) as { as_of_ms: number; state: string }[];
      expect(rows.length).toBeGreaterThanOrEqual(fuzhou);
      // Backfilled: dated before anything the workflows write themselves.
      expect(rows.every((r) => Number(r.as_of_ms) === 0 && r.state === 'pending')).toBe(true);
    } finally {
      db.close();
    }
  });
});
