/**
 * Records workflow histories from real runs into test/histories/, for the replay test that keeps workflow code
 * deterministic. Run after a deliberate, versioned change of workflow code:
 *   npx tsx scripts/record-histories.ts
 * It overwrites the files named below (`--only a,b` only those whose names start with a or b). Histories of earlier
 * versions stay beside them under their own prefix (`v1-*.pb`: obligation workflows from before the
 * `obligation-notices-batched` patch) and must keep replaying. The `calendar-*` histories come from a run of their
 * own: workflows that read the installation's holiday years at their start (`calendar-from-store`) and then get a
 * `calendar` signal that moves their escalations, or one with data they cannot use (`calendar-error-notice`). The
 * `sign-for-*` history too: an implementation plan under a policy that escalates notices not signed for within 8
 * working hours (`sign-for-unsigned-escalation`), some of its notices signed for (the `sign-for` update). The
 * `read-model-*` histories were recorded after the `obligation-overview-read-model` patch (`--only read-model`); the
 * other obligation histories are from before it and must keep replaying without it. `close-at-once-*` (`--only
 * close-at-once`): a unit workflow after the `unit-close-at-once` patch; `unit-with-designation` is from before it.
 * `generation-*` (`--only generation`): runs started with a workflow generation, which ask no patch; the others are
 * from before generations and keep asking.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { openActivityRuntime } from '../activities/runtime';
import { parseHolidayNotice } from '../src/domain/holiday-notice';
import { parsePolicy } from '../src/domain/policy-file';
import { withHolidayNotice, type HolidayYear } from '../src/domain/holidays';
import type { ObligationSpec } from '../src/domain/obligations';
import { createDubanClient } from '../src/service';
import { simulate } from '../src/simulate/simulator';
import { incidentWorkflowId, obligationWorkflowId, requestWorkflowId, unitWorkflowId } from '../src/domain/ids';
import { BUNDLED_DIRECTORY_PATH, loadDirectory } from '../src/import/directory';
import { importTableFile } from '../src/import/plan-file';
import { calendarSignal, closeSignal, requestReplyUpdate } from '../workflows/messages';
import { MADE_UP_2027_NOTICE } from '../test/fixtures/made-up-2027';
import { smallSeedPlan, SMALL_SEED_SCENARIO, WINDOWS_SCENARIO } from '../test/fixtures/small-seed';
import { createTimeSkippingEnv, workflowBundle } from '../test/helpers/temporal';

const OUT = path.resolve(__dirname, '../test/histories');

/** Writes one workflow's history as binary protobuf: exact, and independent of the JSON converters' protobufjs copies. */
async function record(client: Client, name: string, workflowId: string): Promise<void> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  writeFileSync(path.join(OUT, `${name}.pb`), temporal.api.history.v1.History.encode(history).finish());
  console.error(`recorded ${name} (${history.events?.length} events)`);
}

/**
 * The calendar histories: at plan time 2026-12-01, before any 2027 notice, a unit (with one task deadline due
 * 2026-12-31) and an information request start and read the store's holiday years; on 2026-12-25 the 2027 notice
 * arrives by the `calendar` signal and moves their January escalations, which then fire; a second request gets data
 * it cannot use, tells the general office and is answered.
 */
async function recordCalendarHistories(names: string[]): Promise<void> {
  const env = await createTimeSkippingEnv();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'duban-record-calendar-'));
  const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
  const runtime = await openActivityRuntime({
    directory,
    env: { DUBAN_DATA_DIR: dir, DATABASE_URL: '', SMTP_URL: '' },
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  try {
    const taskQueue = 'record-calendar';
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await workflowBundle(),
      activities: runtime.activities,
    });
    const shift = Date.parse('2026-12-01T10:00:00+08:00') - (await env.currentTimeMs());
    const sleepUntil = async (iso: string) => {
      const wait = Date.parse(iso) - ((await env.currentTimeMs()) + shift);
      if (wait > 0) await env.sleep(wait);
    };
    const { plan } = importTableFile(path.resolve(__dirname, '../examples/fujian-2017/tasks.txt'), { directory });
    const duban = createDubanClient({
      client: env.client,
      plan,
      directory,
      taskQueue,
      timeShiftMs: shift,
      // The test server has no search attributes registered.
      searchAttributes: false,
    });
    const spec: ObligationSpec = {
      id: 'task-9-deadline',
      obligation: 'task-deadline',
      taskNo: 9,
      rule: 'deadline',
      items: [{ period: null, due: '2026-12-31' }],
      escalateTo: 'general-office',
      leadUnitCodes: [],
      title: '年底前完成政务公开专栏改版',
      requirement: '',
      source: '2026年底前',
    };
    const unitId = unitWorkflowId(plan.id, 'fj-fuzhou');
    const childId = obligationWorkflowId(plan.id, 'fj-fuzhou', spec.id);
    await worker.runUntil(async () => {
      await env.client.workflow.start('unitWorkflow', {
        taskQueue,
        workflowId: unitId,
        args: [
          {
            planId: plan.id,
            unitCode: 'fj-fuzhou',
            obligations: [spec],
            activeFrom: '2026-12-01T10:00:00+08:00',
            timeShiftMs: shift,
            searchAttributes: false,
          },
        ],
      });
      const moved = await duban.requests.receive({ unit: '厦门市', requestId: 'r-2026-12', receivedOn: '2026-12-01' });
      const bad = await duban.requests.receive({ unit: '泉州市', requestId: 'r-bad-data', receivedOn: '2026-12-01' });
      await sleepUntil('2026-12-25T10:00:00+08:00');

      const year: HolidayYear = withHolidayNotice(undefined, parseHolidayNotice(MADE_UP_2027_NOTICE));
      await runtime.store.putHolidayYear(year, Date.now());
      for (const id of [unitId, childId, moved.workflowId]) {
        await env.client.workflow.getHandle(id).signal(calendarSignal, { years: [year] });
      }
      const unusable = { ...year, daysOff: ['2027-02-30'] };
      await env.client.workflow.getHandle(bad.workflowId).signal(calendarSignal, { years: [unusable] });
      await sleepUntil('2026-12-28T10:00:00+08:00');
      await env.client.workflow.getHandle(bad.workflowId).executeUpdate(requestReplyUpdate, {
        args: [{ evidence: { document: '厦政信复〔2026〕1号', recordedBy: 'record' } }],
      });

      // Past every escalation of both: they fired on their moved dates.
      await sleepUntil('2027-01-12T10:00:00+08:00');
      await env.client.workflow.getHandle(unitId).signal(closeSignal, { reason: 'recorded' });
      await env.client.workflow.getHandle(moved.workflowId).signal(closeSignal, { reason: 'recorded' });
      await env.client.workflow.getHandle(unitId).result();
      await env.client.workflow.getHandle(moved.workflowId).result();
      await env.client.workflow.getHandle(bad.workflowId).result();
      const wanted: [string, string][] = [
        ['calendar-unit-from-store', unitId],
        ['calendar-obligation-moved', childId],
        ['calendar-request-moved', moved.workflowId],
        ['calendar-request-unusable-data', bad.workflowId],
      ];
      for (const [name, id] of wanted) if (names.some((n) => name.startsWith(n))) await record(env.client, name, id);
    });
  } finally {
    await runtime.close();
    await env.teardown();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The sign-for history: 省财政厅 signs for its first reminder in time, two later ones late, the rest never. */
async function recordSignForHistories(): Promise<void> {
  const { plan, directory } = smallSeedPlan([49]);
  const obligation = 'implementation-plan';
  await simulate({
    plan,
    directory,
    policy: parsePolicy({ signFor: { escalateAfterWorkingHours: 8 } }),
    scenario: {
      events: [
        { at: '2017-05-22T11:00:00+08:00', type: 'sign-for', unit: '省财政厅', obligation },
        { at: '2017-05-26T16:30:00+08:00', type: 'sign-for', unit: '省财政厅', obligation },
      ],
    },
    progress: (line) => console.error(line),
    afterRun: (client) =>
      record(client, 'sign-for-unsigned-escalation', obligationWorkflowId(plan.id, 'fj-czt', obligation)),
  });
}

async function main(): Promise<void> {
  const { plan, directory } = smallSeedPlan();
  const wanted = [
    ['unit-with-designation', unitWorkflowId(plan.id, 'fj-czt')],
    ['implementation-plan-missed', obligationWorkflowId(plan.id, 'fj-czt', 'implementation-plan')],
    ['implementation-plan-on-time', obligationWorkflowId(plan.id, 'fj-fuzhou', 'implementation-plan')],
    ['implementation-plan-late', obligationWorkflowId(plan.id, 'fj-xiamen', 'implementation-plan')],
    ['implementation-plan-extended', obligationWorkflowId(plan.id, 'fj-nyt', 'implementation-plan')],
    ['implementation-plan-waived', obligationWorkflowId(plan.id, 'fj-sgb', 'implementation-plan')],
    ['quarterly-progress', obligationWorkflowId(plan.id, 'fj-czt', 'quarterly-progress')],
    ['weekly-publication', obligationWorkflowId(plan.id, 'fj-xiamen', 'task-20-week')],
    ['designated-task-deadline', obligationWorkflowId(plan.id, 'fj-czt', 'task-16-deadline')],
    // Recorded after the `obligation-overview-read-model` patch; the same workflows' histories above are from before.
    ['read-model-implementation-plan-late', obligationWorkflowId(plan.id, 'fj-xiamen', 'implementation-plan')],
    ['read-model-quarterly-progress', obligationWorkflowId(plan.id, 'fj-czt', 'quarterly-progress')],
    // Recorded after the `unit-close-at-once` patch: the plan's close reaches every running obligation in one task.
    ['close-at-once-unit-with-designation', unitWorkflowId(plan.id, 'fj-czt')],
    // Started with a workflow generation (workflows/generation.ts): no patch asked, identity attributes at the start.
    ['generation-unit-with-designation', unitWorkflowId(plan.id, 'fj-czt')],
    ['generation-implementation-plan-late', obligationWorkflowId(plan.id, 'fj-xiamen', 'implementation-plan')],
    ['generation-quarterly-progress', obligationWorkflowId(plan.id, 'fj-czt', 'quarterly-progress')],
    ['generation-information-request-paused-extended-late', requestWorkflowId(plan.id, 'req-0801')],
    ['emergency-information-done-press-breached', incidentWorkflowId(plan.id, 'flood-0710')],
    ['emergency-both-done-one-late', incidentWorkflowId(plan.id, 'typhoon-0912')],
    ['information-request-on-time', requestWorkflowId(plan.id, 'req-0929')],
    ['information-request-paused-extended-late', requestWorkflowId(plan.id, 'req-0801')],
    ['information-request-corrected-missed', requestWorkflowId(plan.id, 'req-0601')],
  ] as const;
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]!.split(',') : null;
  const recorded = wanted.filter(([name]) => !only || only.some((prefix) => name.startsWith(prefix)));
  if (!only || only.some((prefix) => prefix.startsWith('calendar'))) {
    await recordCalendarHistories(only ?? ['calendar']);
  }
  if (!only || only.some((prefix) => prefix.startsWith('sign-for'))) await recordSignForHistories();
  if (only && recorded.length === 0) return;
  await simulate({
    plan,
    directory,
    scenario: { events: [...SMALL_SEED_SCENARIO.events, ...WINDOWS_SCENARIO.events] },
    progress: (line) => console.error(line),
    afterRun: async (client) => {
      for (const [name, workflowId] of recorded) await record(client, name, workflowId);
    },
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
