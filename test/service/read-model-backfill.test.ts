/**
 * The read model's backfill against real workflows (time-skipping server) and the real SQLite store the worker
 * writes: obligations whose overview rows are deleted (as if started before the read model) come back from their
 * workflows' queries, status from the store then equals status from the workflows, a second run writes nothing, a
 * live write replaces a backfilled row, and `duban read-model rebuild` does the same with its counts and exit code.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { openActivityRuntime, type ActivityRuntime } from '../../activities/runtime';
import { runCliWithEnv } from '../import/run-cli';
import { EXIT_CODES } from '../../src/cli/command';
import { planSchedule } from '../../src/domain/obligations';
import { createDubanClient, type BackfillReport, type StatusReport } from '../../src/service';
import type { ObligationOverview } from '../../src/domain/overview';
import { smallSeedPlan } from '../fixtures/small-seed';
import { createTimeSkippingEnv, runPlanFromPublication } from '../helpers/temporal';

jest.setTimeout(300_000);

/** Runs the CLI in-process; returns exit code, stdout and stderr. */
const duban = (args: string[], env: NodeJS.ProcessEnv = {}) => runCliWithEnv(args, env);

/** Status rows without what only the store knows (how the last notice's deliveries fared). */
const workflowView = (report: StatusReport) => ({
  ...report,
  rows: report.rows.map(({ delivery: _delivery, ...row }) => row),
});

describe('backfilling the read model from the workflows', () => {
  const { plan, directory } = smallSeedPlan();
  const schedule = planSchedule(plan, directory);
  const obligationCount = schedule.units.reduce((n, u) => n + u.obligations.length, 0);
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;
  let runtime: ActivityRuntime;
  let dir: string;
  let shift: number;
  let sqlite: Database.Database;
  const planNow = async () => (await env.currentTimeMs()) + shift;
  const clients = (at: number) => {
    const base = { client: env.client, plan, directory, timeShiftMs: shift, now: () => at, searchAttributes: false };
    return {
      store: createDubanClient({ ...base, readModel: runtime.store, outbox: runtime.store }).obligations,
      workflows: createDubanClient(base).obligations,
    };
  };
  /** Deletes every overview row of these obligations, as if their workflows had started before the read model. */
  const forget = (which: { unitCode: string; obligationId?: string }[]): number => {
    let rows = 0;
    for (const w of which)
      rows += sqlite
        .prepare('DELETE FROM overviews WHERE plan_id = ? AND unit_code = ? AND (? IS NULL OR obligation_id = ?)')
        .run(plan.id, w.unitCode, w.obligationId ?? null, w.obligationId ?? null).changes;
    return rows;
  };
  const obligationsHeld = async () => (await runtime.store.listOverviewObligations(plan.id)).length;
  /** The store with its writes counted: the real one underneath. */
  let writes: ObligationOverview[] = [];
  const counted = () => ({
    listOverviewObligations: (planId: string) => runtime.store.listOverviewObligations(planId),
    putOverview: (overview: ObligationOverview, nowMs: number) => {
      writes.push(overview);
      return runtime.store.putOverview(overview, nowMs);
    },
  });

  beforeAll(async () => {
    env = await createTimeSkippingEnv();
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-backfill-'));
    runtime = await openActivityRuntime({
      directory,
      env: { DUBAN_DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '' },
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
    ({ worker, running, shift } = await runPlanFromPublication(env, plan, directory, {
      taskQueue: 'backfill-test',
      activities: runtime.activities,
    }));
    // Each workflow writes its first overview in its first steps.
    for (let i = 0; i < 600 && (await obligationsHeld()) < obligationCount; i++)
      await new Promise((r) => setTimeout(r, 100));
    sqlite = new Database(path.join(dir, 'duban.sqlite'));
    sqlite.pragma('busy_timeout = 5000');
  });
  afterAll(async () => {
    sqlite?.close();
    worker?.shutdown();
    await running;
    await runtime?.close();
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  let first: BackfillReport;
  it('writes the overviews of the workflows that have none, and status equals what the workflows answer', async () => {
    expect(await obligationsHeld()).toBe(obligationCount);
    const deleted = forget([
      { unitCode: 'fj-fuzhou' },
      { unitCode: 'fj-czt' },
      { unitCode: 'fj-xiamen', obligationId: 'implementation-plan' },
    ]);
    expect(deleted).toBeGreaterThan(3);
    const gone =
      schedule.units.find((u) => u.unitCode === 'fj-fuzhou')!.obligations.length +
      schedule.units.find((u) => u.unitCode === 'fj-czt')!.obligations.length +
      1;
    expect(await obligationsHeld()).toBe(obligationCount - gone);

    const at = await planNow();
    const before = clients(at);
    const missingRows = (await before.workflows.status({ planId: plan.id })).rows.length;
    expect((await before.store.status({ planId: plan.id })).rows.length).toBe(missingRows - deleted);

    const progress: [number, number][] = [];
    writes = [];
    first = await before.workflows.backfillReadModel(counted(), {
      concurrency: 4,
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(first).toEqual({
      planId: plan.id,
      units: schedule.units.length,
      workflows: obligationCount,
      missing: gone,
      backfilled: gone,
      gone: 0,
      notDone: 0,
      failed: [],
    });
    expect(progress.at(-1)).toEqual([gone, gone]);
    expect(progress).toHaveLength(gone);
    expect(new Set(writes.map((w) => `${w.unitCode}/${w.obligationId}`)).size).toBe(gone);
    expect(await obligationsHeld()).toBe(obligationCount);

    const after = clients(at);
    const fromStore = await after.store.status({ planId: plan.id });
    const fromWorkflows = await after.workflows.status({ planId: plan.id });
    expect(fromStore.rows).toHaveLength(missingRows);
    expect(workflowView(fromStore)).toEqual(fromWorkflows);
    // Pages and counts of the store agree with the workflows for the backfilled unit too.
    const fuzhou = await after.store.status({ planId: plan.id, unitCode: 'fj-fuzhou', limit: 1000 });
    expect(fuzhou.page?.total).toBe(fromWorkflows.rows.filter((r) => r.unitCode === 'fj-fuzhou').length);
    expect(fuzhou.byUnit).toEqual({ 'fj-fuzhou': fromWorkflows.byUnit['fj-fuzhou'] });
  });

  it('queries and writes nothing the second time', async () => {
    const stamp = () =>
      sqlite.prepare('SELECT COUNT(*) AS n, SUM(updated_ms) AS u, SUM(seq) AS s FROM overviews').get() as object;
    const was = stamp();
    writes = [];
    const again = await clients(await planNow()).workflows.backfillReadModel(counted());
    expect(again).toMatchObject({ workflows: obligationCount, missing: 0, backfilled: 0, failed: [] });
    expect(writes).toEqual([]);
    expect(stamp()).toEqual(was);
  });

  it("leaves a backfilled row to its workflow's next write", async () => {
    const asOf = () =>
      (
        sqlite
          .prepare(
            "SELECT MIN(as_of_ms) AS a FROM overviews WHERE unit_code = 'fj-fuzhou' AND obligation_id = 'implementation-plan'",
          )
          .get() as { a: number }
      ).a;
    // Backfilled: dated before anything the workflow writes.
    expect(Number(asOf())).toBe(0);
    // The first reminder of the implementation plans goes out: each workflow writes its overview with the notice.
    const wait = Date.parse('2017-05-22T10:00:00+08:00') - (await planNow());
    await env.sleep(wait);
    for (let i = 0; i < 100 && Number(asOf()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(Number(asOf())).toBeGreaterThan(0);
    const { store, workflows } = clients(await planNow());
    expect(workflowView(await store.status({ planId: plan.id }))).toEqual(await workflows.status({ planId: plan.id }));
  });

  it('duban read-model rebuild: backfilled N of M, exit 0; then nothing to backfill', async () => {
    const deleted = forget([{ unitCode: 'fj-xiamen' }]);
    expect(deleted).toBeGreaterThan(0);
    const cliEnv = {
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: 'default',
      DUBAN_DATA_DIR: dir,
      DATABASE_URL: '',
    };
    const xiamen = schedule.units.find((u) => u.unitCode === 'fj-xiamen')!.obligations.length;
    const run = await duban(['read-model', 'rebuild'], cliEnv);
    expect(run.code).toBe(EXIT_CODES.ok);
    expect(run.out).toMatch(new RegExp(`backfilled ${xiamen} of ${xiamen} obligation workflows without an overview`));
    expect(run.err).toMatch(/querying the overviews of plan fj-2017-zwgk/);
    expect(await obligationsHeld()).toBe(obligationCount);
    // A backfilled row knows no notice of its own: its delivery is the item's latest notice in the outbox.
    const { store } = clients(await planNow());
    const [plan5] = (await store.status({ planId: plan.id, unitCode: 'fj-xiamen', obligation: 'implementation-plan' }))
      .rows;
    const [sent] = (
      await runtime.store.listNotices({ planId: plan.id, unitCode: 'fj-xiamen', obligation: 'implementation-plan' })
    ).slice(-1);
    expect(sent).toMatchObject({ stage: 'reminder-5' });
    expect(plan5!.delivery).toMatchObject({ key: sent!.key, stage: 'reminder-5', status: sent!.status });
    expect(plan5!.delivery!.queued + plan5!.delivery!.sent).toBe(sent!.deliveries.length);
    // duban status shows it, and its JSON carries it beside the fields it had.
    const status = await duban(['status', '--unit', '厦门市'], cliEnv);
    expect(status.code).toBe(0);
    expect(status.out).toMatch(/implementation-plan .*last reminder-5: (queued|sent) \d/);
    const statusJson = await duban(['status', '--unit', '厦门市', '--json'], cliEnv);
    const row = (JSON.parse(statusJson.out) as StatusReport).rows.find(
      (r) => r.obligationId === 'implementation-plan',
    )!;
    expect(row).toMatchObject({ unitCode: 'fj-xiamen', light: expect.any(String), nextNotice: expect.anything() });
    expect(row.delivery).toEqual(plan5!.delivery);
    const json = await duban(['read-model', 'rebuild', '--json'], cliEnv);
    expect(json.code).toBe(EXIT_CODES.ok);
    expect(JSON.parse(json.out)).toMatchObject({ missing: 0, backfilled: 0, failed: [] });
    const text = await duban(['read-model', 'rebuild'], cliEnv);
    expect(text.out).toMatch(/has its overview: nothing to backfill/);
  });

  it('duban read-model rebuild exits 1 naming the store when it cannot be opened', async () => {
    const bad = await duban(['read-model', 'rebuild'], {
      TEMPORAL_ADDRESS: env.address,
      DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none',
    });
    expect(bad.code).toBe(EXIT_CODES.failure);
    expect(bad.err).toMatch(
      /cannot open the store \(postgres:\/\/nobody:\*+@127\.0\.0\.1:1\/none\)|cannot open the store/,
    );
    expect(bad.err).not.toContain('secret');
  });
});
