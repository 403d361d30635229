/**
 * `duban sign-for` against a real dev server: at plan time 2017-05-25 09:00, just after the implementation plan's
 * reminder-2 went out, the operator records that 福州市 signed for it (by telephone); a second time there is nothing
 * left to sign for and the command exits 3 (refused).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { openActivityRuntime, type ActivityRuntime } from '../../activities/runtime';
import { main } from '../../src/cli/main';
import { obligationWorkflowId } from '../../src/domain/ids';
import { loadDirectory } from '../../src/import/directory';
import { importTableFile } from '../../src/import/plan-file';
import { startPlan } from '../../src/service';
import { timelineQuery } from '../../workflows/messages';
import { writeSmallPlan } from '../fixtures/small-plan-file';
import { createDevServerEnv, workflowBundle } from '../helpers/temporal';

jest.setTimeout(120_000);

describe('duban sign-for', () => {
  let env: TestWorkflowEnvironment;
  let dir: string;
  let runtime: ActivityRuntime;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-sign-for-'));
    env = await createDevServerEnv();
    runtime = await openActivityRuntime({
      directory: loadDirectory(writeSmallPlan(dir).directory),
      env: { DUBAN_DATA_DIR: dir },
      logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    });
  });
  afterAll(async () => {
    process.env = saved;
    await runtime?.close();
    await env?.teardown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records who signed for the notices received, on the timeline; then refuses with exit 3', async () => {
    const files = writeSmallPlan(dir);
    const directory = loadDirectory(files.directory);
    const { plan } = importTableFile(files.plan, { directory });
    const taskQueue = 'sign-for-cli';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: runtime.activities,
    });
    await worker.runUntil(async () => {
      await startPlan(env.client, plan, directory, {
        taskQueue,
        activeFrom: '2017-05-25T08:59:00+08:00',
        timeShiftMs: Date.parse('2017-05-25T09:00:20+08:00') - Date.now(),
      });
      process.env.TEMPORAL_ADDRESS = env.address;
      process.env.TEMPORAL_TASK_QUEUE = taskQueue;
      process.env.DUBAN_DIRECTORY = files.directory;
      const handle = env.client.workflow.getHandle(obligationWorkflowId(plan.id, 'fj-fuzhou', 'implementation-plan'));
      // The reminder goes out as the workflow starts.
      for (let i = 0; i < 100; i++) {
        const timeline = await handle.query(timelineQuery).catch(() => []);
        if (timeline.some((e) => e.type === 'notice')) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      const command = ['sign-for', '--plan', files.plan, '--unit', '福州市', '--obligation', 'implementation-plan'];
      const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
      expect(await main([...command, '--by', '督查室（电话）'])).toBe(0);
      log.mockRestore();
      const signed = (await handle.query(timelineQuery)).filter((e) => e.type === 'sign-for');
      expect(signed.map((e) => [e.stage, e.detail])).toEqual([['reminder-2', '督查室（电话） (cli)']]);

      const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      const again = await main([...command, '--by', '督查室']);
      const said = errors.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('duban sign-for:'));
      errors.mockRestore();
      expect([again, said]).toEqual([3, [expect.stringMatching(/^duban sign-for: refused: .* \[NothingToSignFor\]$/)]]);
    });
  });
});
