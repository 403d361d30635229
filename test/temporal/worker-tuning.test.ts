/** The worker capacity settings (README, "Several workers") reach the worker `duban start` creates. */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { loadTemporalConfig, WORKFLOW_POLLERS_DEFAULT } from '../../src/temporal/config';
import { createWorker } from '../../src/temporal/worker';
import { createDevServerEnv, quietRuntime } from '../helpers/temporal';

jest.setTimeout(120_000);

describe('worker capacity from the environment', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    quietRuntime();
    env = await createDevServerEnv();
  }, 120_000);
  afterAll(async () => {
    await env?.teardown();
  });

  it('sets the cache and the task slots named, and leaves the rest to the SDK', async () => {
    const config = loadTemporalConfig({
      TEMPORAL_ADDRESS: env.address,
      DUBAN_WORKER_CACHE_SIZE: '64',
      DUBAN_WORKFLOW_TASK_SLOTS: '8',
      DUBAN_LOCAL_ACTIVITY_SLOTS: '12',
      DUBAN_WORKFLOW_POLLERS: '6',
    });
    const worker = await createWorker(config, env.nativeConnection, {});
    const untuned = await createWorker(
      loadTemporalConfig({ TEMPORAL_ADDRESS: env.address, TEMPORAL_TASK_QUEUE: 'untuned' }),
      env.nativeConnection,
      {},
    ).catch(async (err: unknown) => {
      await worker.runUntil(Promise.resolve());
      throw err;
    });
    try {
      // The SDK compiles the slot counts into its tuner's fixed-size slot suppliers.
      const slots = (w: typeof worker) =>
        JSON.parse(JSON.stringify(w.options.tuner)) as Record<string, { numSlots?: number }>;
      expect(worker.options.maxCachedWorkflows).toBe(64);
      expect(slots(worker).workflowTaskSlotSupplier?.numSlots).toBe(8);
      expect(slots(worker).localActivityTaskSlotSupplier?.numSlots).toBe(12);
      expect(worker.options.workflowTaskPollerBehavior).toMatchObject({ type: 'autoscaling', maximum: 6 });
      expect(untuned.options.workflowTaskPollerBehavior).toMatchObject({
        type: 'autoscaling',
        maximum: WORKFLOW_POLLERS_DEFAULT,
      });
      // Unset: the SDK's defaults, as the untuned worker has them.
      expect(slots(worker).activityTaskSlotSupplier).toEqual(slots(untuned).activityTaskSlotSupplier);
      expect(slots(untuned).workflowTaskSlotSupplier?.numSlots).toBe(40);
      expect(untuned.options.maxCachedWorkflows).not.toBe(64);
    } finally {
      // A worker is released only by a shutdown, which needs it running.
      await Promise.all([worker.runUntil(Promise.resolve()), untuned.runUntil(Promise.resolve())]);
    }
  });
});
