/**
 * What `plan start` reports of the obligation workflows its units open as children: the server's own count (a dev
 * server's visibility), which is the plan's obligations once a worker ran the units, and counts no other plan's.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { openActivityRuntime, type ActivityRuntime } from '../../activities/runtime';
import { planSchedule } from '../../src/domain/obligations';
import { countObligationWorkflows, startPlan } from '../../src/service';
import { smallSeedPlan } from '../fixtures/small-seed';
import { until } from '../helpers/fault';
import { createDevServerEnv, createTimeSkippingEnv, waitForObligations, workflowBundle } from '../helpers/temporal';

jest.setTimeout(180_000);

describe('counting the obligation workflows a plan start has opened', () => {
  let env: TestWorkflowEnvironment;
  let runtime: ActivityRuntime;
  let dir: string;

  beforeAll(async () => {
    env = await createDevServerEnv();
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-count-'));
    runtime = await openActivityRuntime({
      directory: smallSeedPlan().directory,
      env: { DUBAN_DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '' },
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  });
  afterAll(async () => {
    await runtime?.close();
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is none while no worker ran the units, then every obligation of the plan, and only of that plan', async () => {
    const { plan, directory } = smallSeedPlan();
    const other = { ...plan, id: `${plan.id}-other`, tasks: plan.tasks.slice(0, 1) };
    const obligations = planSchedule(plan, directory).units.reduce((n, u) => n + u.obligations.length, 0);
    const taskQueue = 'count-test';
    for (const p of [plan, other]) await startPlan(env.client, p, directory, { taskQueue });
    // The start calls returned: the unit workflows exist, their obligations not yet.
    expect(await countObligationWorkflows(env.client, plan.id)).toBe(0);

    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: runtime.activities,
    });
    await worker.runUntil(async () => {
      await waitForObligations(env.client, plan, directory);
      // Visibility follows the starts by a moment.
      const counted = await until('the count to catch up', 30_000, async () => {
        const n = await countObligationWorkflows(env.client, plan.id);
        return n === obligations ? n : undefined;
      });
      expect(counted).toBe(obligations);
      const others = planSchedule(other, directory).units.reduce((n, u) => n + u.obligations.length, 0);
      await waitForObligations(env.client, other, directory);
      await until('the other plan counted', 30_000, async () =>
        (await countObligationWorkflows(env.client, other.id)) === others ? true : undefined,
      );
      // `fj-2017-zwgk-other/…` does not start with `fj-2017-zwgk/`.
      expect(await countObligationWorkflows(env.client, plan.id)).toBe(obligations);
    });
  });

  it('is unknown where the server cannot count (the time-skipping test server)', async () => {
    const skipping = await createTimeSkippingEnv();
    try {
      expect(await countObligationWorkflows(skipping.client, 'fj-2017-zwgk')).toBeUndefined();
    } finally {
      await skipping.teardown();
    }
  });
});
