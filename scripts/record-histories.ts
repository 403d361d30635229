/**
 * Records workflow histories from a real simulated run into test/histories/, for the replay test that keeps
 * workflow code deterministic. Run after a deliberate, versioned change of workflow code:
 *   npx tsx scripts/record-histories.ts
 * It overwrites the files named below (`--only a,b` only those whose names start with a or b). Histories of earlier versions stay beside them under their own prefix
 * (`v1-*.pb`: obligation workflows from before the `obligation-notices-batched` patch) and must keep replaying.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { simulate } from '../src/simulate/simulator';
import { incidentWorkflowId, obligationWorkflowId, requestWorkflowId, unitWorkflowId } from '../src/domain/ids';
import { smallSeedPlan, SMALL_SEED_SCENARIO, WINDOWS_SCENARIO } from '../test/fixtures/small-seed';

const OUT = path.resolve(__dirname, '../test/histories');

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
    ['emergency-information-done-press-breached', incidentWorkflowId(plan.id, 'flood-0710')],
    ['emergency-both-done-one-late', incidentWorkflowId(plan.id, 'typhoon-0912')],
    ['information-request-on-time', requestWorkflowId(plan.id, 'req-0929')],
    ['information-request-paused-extended-late', requestWorkflowId(plan.id, 'req-0801')],
    ['information-request-corrected-missed', requestWorkflowId(plan.id, 'req-0601')],
  ] as const;
  const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]!.split(',') : null;
  const recorded = wanted.filter(([name]) => !only || only.some((prefix) => name.startsWith(prefix)));
  await simulate({
    plan,
    directory,
    scenario: { events: [...SMALL_SEED_SCENARIO.events, ...WINDOWS_SCENARIO.events] },
    progress: (line) => console.error(line),
    afterRun: async (client) => {
      for (const [name, workflowId] of recorded) {
        const history = await client.workflow.getHandle(workflowId).fetchHistory();
        // Binary protobuf: exact, and independent of the JSON converters' protobufjs copies.
        writeFileSync(path.join(OUT, `${name}.pb`), temporal.api.history.v1.History.encode(history).finish());
        console.error(`recorded ${name} (${history.events?.length} events)`);
      }
    },
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
