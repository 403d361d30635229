/**
 * Records workflow histories from a real simulated run into test/histories/, for the replay test that keeps
 * workflow code deterministic. Run after a deliberate, versioned change of workflow code:
 *   npx tsx scripts/record-histories.ts
 * It overwrites the files named below. Histories of earlier versions stay beside them under their own prefix
 * (`v1-*.pb`: obligation workflows from before the `obligation-notices-batched` patch) and must keep replaying.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { obligationWorkflowId, unitWorkflowId } from '../src/domain/ids';
import { simulate } from '../src/simulate/simulator';
import { smallSeedPlan, SMALL_SEED_SCENARIO } from '../test/fixtures/small-seed';

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
  ] as const;
  await simulate({
    plan,
    directory,
    scenario: SMALL_SEED_SCENARIO,
    progress: (line) => console.error(line),
    afterRun: async (client) => {
      for (const [name, workflowId] of wanted) {
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
