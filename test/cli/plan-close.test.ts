import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { DateTime } from 'luxon';
import { openActivityRuntime, type ActivityRuntime } from '../../activities/runtime';
import { main } from '../../src/cli/main';
import { unitWorkflowId } from '../../src/domain/ids';
import { loadDirectory } from '../../src/import/directory';
import { importTableFile } from '../../src/import/plan-file';
import { startPlan } from '../../src/service';
import type { unitWorkflow } from '../../workflows/unit';
import { writeSmallPlan } from '../fixtures/small-plan-file';
import { createDevServerEnv, workflowBundle } from '../helpers/temporal';

jest.setTimeout(120_000);

describe('duban plan close', () => {
  let env: TestWorkflowEnvironment;
  let dir: string;
  let runtime: ActivityRuntime;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'duban-close-'));
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

  it('ends every unit workflow, recording open items past due as missed; a second close changes nothing', async () => {
    const files = writeSmallPlan(dir);
    const directory = loadDirectory(files.directory);
    const { plan } = importTableFile(files.plan, { directory });
    const taskQueue = 'plan-close';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: runtime.activities,
    });
    await worker.runUntil(async () => {
      // Plan time 2017-06-10: the implementation plan (due 05-27) is past due, the year-end report is not.
      const shift = DateTime.fromISO('2017-06-10T12:00:00+08:00').toMillis() - Date.now();
      const { schedule } = await startPlan(env.client, plan, directory, {
        taskQueue,
        activeFrom: '2017-06-10T12:00:00+08:00',
        timeShiftMs: shift,
      });
      process.env.TEMPORAL_ADDRESS = env.address;
      process.env.TEMPORAL_TASK_QUEUE = taskQueue;
      process.env.DUBAN_DIRECTORY = files.directory;
      // A change the workflow refuses exits 3, apart from bad input (2): the period is well-formed, not the plan's.
      const errors = jest.spyOn(console, 'error').mockImplementation(() => undefined);
      const refused = await main([
        ...['fulfil', '--plan', files.plan, '--unit', '福州市', '--obligation', 'quarterly-progress'],
        ...['--period', '2016-Q1', '--document', '榕政办〔2017〕88号', '--by', '督查室'],
      ]);
      const said = errors.mock.calls.map((c) => String(c[0])).filter((l) => l.startsWith('duban fulfil:'));
      errors.mockRestore();
      expect([refused, said]).toEqual([
        3,
        [expect.stringMatching(/^duban fulfil: refused: .* \[UnknownObligation\]$/)],
      ]);
      expect(await main(['plan', 'close', '--plan', files.plan, '--reason', '年度督查结束'])).toBe(0);
      const unit = schedule.units.find((u) => u.unitCode === 'fj-fuzhou')!;
      const statuses = await env.client.workflow
        .getHandle<typeof unitWorkflow>(unitWorkflowId(plan.id, unit.unitCode))
        .result();
      const byId = new Map(statuses.map((s) => [s.obligation, s.items[0]?.state]));
      expect(byId.get('implementation-plan')).toBe('missed');
      expect(byId.get('year-end-report')).toBe('open');
      expect(await main(['plan', 'close', '--plan', files.plan, '--reason', 'again'])).toBe(0);
    });
  });
});
