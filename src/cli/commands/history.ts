import { taskObligations } from '../../domain/obligations';
import type { ObligationKind } from '../../domain/plan';
import {
  PLAN_HELP,
  PLAN_OPTIONS,
  loadOperatorPlan,
  obligationRefFlags,
  shortTime,
  taskFlag,
  unitFlag,
  withOperatorService,
} from '../../operator/cli-support';
import type { HistoryEntry, ObligationRef } from '../../operator/service';
import { type Command, UsageError } from '../command';

/** `duban history`: an obligation's workflow history made readable, with the Temporal UI link. */
export const historyCommand: Command = {
  path: ['history'],
  summary: "an obligation's workflow history made readable (timers, messages, notices, outcomes) and its UI link",
  usage: [
    'Usage: duban history --unit U (--task N [--obligation O] | --obligation O) [--period P] [--plan ID|FILE] [--json]',
    '',
    'Reads the event history of the obligation workflow(s) from Temporal: timers set and fired, updates and',
    'signals received, notices sent (with recipients), outcomes and events recorded, times in Asia/Shanghai.',
    'With --task and no --obligation: every obligation of that task the unit carries. Prints the Temporal Web UI',
    "link of each workflow ($DUBAN_TEMPORAL_UI_URL, default the dev server's UI).",
    '',
    'Options:',
    '  --unit U           unit name, alias or code (required)',
    '  --task N           task number',
    '  --obligation O     implementation-plan | quarterly-progress | year-end-report | task-deadline |',
    '                     recurring-publication, or an id such as task-20-week',
    "  --period P         only this period's timeline entries (the history is the whole workflow's)",
    ...PLAN_HELP,
  ].join('\n'),
  options: {
    ...PLAN_OPTIONS,
    unit: { type: 'string' },
    task: { type: 'string' },
    obligation: { type: 'string' },
    period: { type: 'string' },
  },
  async run({ values }) {
    const { plan, directory } = loadOperatorPlan(values);
    let refs: ObligationRef[];
    if (values.obligation !== undefined) {
      const { unit: _unit, ...ref } = obligationRefFlags(values, plan, directory);
      refs = [ref];
    } else {
      const taskNo = taskFlag(values.task, plan);
      if (taskNo === undefined) throw new UsageError('--task or --obligation: say which obligation to show');
      const unit = unitFlag(directory, values.unit);
      const task = plan.tasks.find((t) => t.no === taskNo)!;
      const specs = taskObligations(plan, task, []);
      if (specs.length === 0) throw new UsageError(`--task: task ${taskNo} has no dated or recurring obligation`);
      refs = specs.map((s) => ({
        planId: plan.id,
        unitCode: unit.code,
        obligation: s.obligation as ObligationKind,
        obligationId: s.id,
        taskNo,
      }));
    }
    const results = await withOperatorService(plan, directory, async (s) => {
      const out: { workflowId: string; uiLink: string; entries: HistoryEntry[] }[] = [];
      for (const ref of refs) {
        out.push({ workflowId: s.workflowIdOf(ref), uiLink: s.uiLink(ref), entries: await s.history(ref) });
      }
      return out;
    });
    if (values.json) {
      console.log(JSON.stringify(results.length === 1 ? results[0] : results, null, 2));
      return 0;
    }
    for (const r of results) {
      console.log(`${r.workflowId}`);
      console.log(`  Temporal UI: ${r.uiLink}`);
      for (const e of r.entries) console.log(`  ${shortTime(e.at)}  ${e.kind.padEnd(8)} ${e.summary}`);
      console.log('');
    }
    return 0;
  },
};
