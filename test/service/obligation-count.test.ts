/**
 * What `plan start` reports of the obligation workflows its units open as children: the server's own count (a dev
 * server's visibility), which is the plan's obligations once a worker ran the units, and counts no other plan's.
 * And what those workflows cost the server at their start: runs of the current generation carry their identity
 * attributes from the start and ask no patch, so a first task upserts only the status.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { openActivityRuntime, type ActivityRuntime } from '../../activities/runtime';
import { obligationWorkflowId, unitWorkflowId } from '../../src/domain/ids';
import { planSchedule } from '../../src/domain/obligations';
import { countObligationWorkflows, startPlan } from '../../src/service';
import { smallSeedPlan } from '../fixtures/small-seed';
import { until } from '../helpers/fault';
import { createDevServerEnv, createTimeSkippingEnv, waitForObligations, workflowBundle } from '../helpers/temporal';
import { WORKFLOW_GENERATION } from '../../workflows/generation';

const { EventType } = temporal.api.enums.v1;

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

  it('opens units and obligations with their identity at the start and no patch asked: one upsert, the status', async () => {
    const { plan: seed, directory } = smallSeedPlan();
    const plan = { ...seed, id: `${seed.id}-gen` };
    const taskQueue = 'generation-test';
    await startPlan(env.client, plan, directory, { taskQueue });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: runtime.activities,
    });
    const unit = planSchedule(plan, directory).units.find((u) => u.obligations.some((o) => o.taskNo !== null))!;
    const spec = unit.obligations.find((o) => o.taskNo !== null)!;
    const workflowId = obligationWorkflowId(plan.id, unit.unitCode, spec.id);
    await worker.runUntil(async () => {
      await waitForObligations(env.client, plan, directory);
      // Open = its first task upserted the status (what bench/scale.ts counts).
      await until('the obligations open', 60_000, async () => {
        const { count } = await env.client.workflow.count(
          `DubanPlan = "${plan.id}" AND DubanUnit = "${unit.unitCode}" AND WorkflowType = "obligationWorkflow" ` +
            'AND DubanStatus IS NOT NULL',
        );
        return count === unit.obligations.length ? true : undefined;
      });
    });
    const events = async (id: string) => (await env.client.workflow.getHandle(id).fetchHistory()).events ?? [];
    const decode = (p: temporal.api.common.v1.IPayload | undefined) => JSON.parse(Buffer.from(p!.data!).toString());
    const startedWith = (e: temporal.api.history.v1.IHistoryEvent[]) => {
      const started = e[0]!.workflowExecutionStartedEventAttributes!;
      const fields = started.searchAttributes?.indexedFields ?? {};
      return {
        generation: decode(started.input!.payloads![0]).generation as number | undefined,
        attributes: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, decode(v)])),
      };
    };
    const upserted = (e: temporal.api.history.v1.IHistoryEvent[]) =>
      e
        .filter((x) => x.eventType === EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES)
        .map((x) => Object.keys(x.upsertWorkflowSearchAttributesEventAttributes!.searchAttributes!.indexedFields!));
    const markers = (e: temporal.api.history.v1.IHistoryEvent[]) =>
      e.flatMap((x) => (x.markerRecordedEventAttributes ? [x.markerRecordedEventAttributes.markerName] : []));

    const obligation = await events(workflowId);
    expect(startedWith(obligation)).toEqual({
      generation: WORKFLOW_GENERATION,
      attributes: {
        DubanPlan: plan.id,
        DubanUnit: unit.unitCode,
        DubanObligation: spec.obligation,
        DubanTaskNo: spec.taskNo,
      },
    });
    expect(markers(obligation)).not.toContain('core_patch');
    // Status, and the next due when a notice is ahead (the small seed's may all be past).
    const [first, ...more] = upserted(obligation);
    expect(more).toEqual([]);
    expect(first).toContain('DubanStatus');
    expect(first!.filter((k) => k !== 'DubanStatus' && k !== 'DubanNextDue')).toEqual([]);

    const unitEvents = await events(unitWorkflowId(plan.id, unit.unitCode));
    expect(startedWith(unitEvents)).toEqual({
      generation: WORKFLOW_GENERATION,
      attributes: { DubanPlan: plan.id, DubanUnit: unit.unitCode, DubanObligation: 'unit' },
    });
    expect(markers(unitEvents)).not.toContain('core_patch');
    expect(upserted(unitEvents)).toEqual([]);
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
