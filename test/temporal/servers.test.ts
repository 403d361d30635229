import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createDevServerEnv, createTimeSkippingEnv, workflowBundle } from '../helpers/temporal';
import type { sleepDaysWorkflow } from '../workflows/timer';

const timerWorkflows = path.resolve(__dirname, '../workflows/timer.ts');
const DAY_MS = 24 * 3600 * 1000;

describe('time-skipping test server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTimeSkippingEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('finishes a 30-day timer in seconds of wall time', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'timer',
      workflowBundle: await workflowBundle(timerWorkflows),
    });
    const wallStart = Date.now();
    const result = await worker.runUntil(
      env.client.workflow.execute<typeof sleepDaysWorkflow>('sleepDaysWorkflow', {
        args: [30],
        taskQueue: 'timer',
        workflowId: 'timer-30-days',
      }),
    );
    expect(result.wokeAt - result.startedAt).toBeGreaterThanOrEqual(30 * DAY_MS);
    expect(Date.now() - wallStart).toBeLessThan(30_000);
  });
});

describe('dev server', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createDevServerEnv();
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('runs a workflow in real time and registers duban search attributes', async () => {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'timer-dev',
      workflowBundle: await workflowBundle(timerWorkflows),
    });
    const result = await worker.runUntil(
      env.client.workflow.execute<typeof sleepDaysWorkflow>('sleepDaysWorkflow', {
        args: [0.00001], // about a second
        taskQueue: 'timer-dev',
        workflowId: 'timer-dev-short',
      }),
    );
    expect(result.wokeAt - result.startedAt).toBeGreaterThanOrEqual(800);
    const attrs = await env.connection.operatorService.listSearchAttributes({ namespace: env.namespace ?? 'default' });
    expect(Object.keys(attrs.customAttributes)).toEqual(
      expect.arrayContaining(['DubanPlan', 'DubanUnit', 'DubanNextDue']),
    );
  });
});
