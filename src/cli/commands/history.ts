import type { HistoryEntry, ObligationRef } from '../../service';
import { type Command, UsageError } from '../command';
import {
  FLAGS,
  PLAN_FLAGS,
  flag,
  loadPlan,
  obligationRefFlags,
  printResult,
  shortTime,
  taskFlag,
  unitFlag,
  withDuban,
} from '../kit';
import { padEnd } from '../table';

/** `duban history`: an obligation's workflow history made readable, with the Temporal UI link. */
export const historyCommand: Command = {
  path: ['history'],
  summary: "an obligation's workflow history made readable (timers, messages, notices, outcomes) and its UI link",
  description: [
    'Reads the event history of the obligation workflow(s) from Temporal: timers set and fired, updates and',
    'signals received, notices sent (with recipients), outcomes and events recorded, times in Asia/Shanghai.',
    'Give --task (every obligation of that task the unit carries) or --obligation. Prints the Temporal Web UI',
    "link of each workflow ($DUBAN_TEMPORAL_UI_URL, default the dev server's UI). Incidents and information",
    'requests: `duban emergency status` and `duban request status` show theirs.',
  ],
  flags: [
    flag(FLAGS.unit, { required: true }),
    FLAGS.task,
    FLAGS.obligation,
    flag(FLAGS.period, { help: "only this period's timeline entries (the history is the whole workflow's)" }),
    ...PLAN_FLAGS,
    FLAGS.json,
  ],
  async run({ values }) {
    const loaded = await loadPlan(values);
    const { plan } = loaded;
    const results = await withDuban(loaded, async (d) => {
      let refs: ObligationRef[];
      if (values.obligation !== undefined) {
        refs = [obligationRefFlags(values, loaded)];
      } else {
        const taskNo = taskFlag(values, plan);
        if (taskNo === undefined) throw new UsageError('--task or --obligation: say which obligation to show');
        const unit = unitFlag(loaded.directory, values.unit);
        const specs = d.schedule.units
          .find((u) => u.unitCode === unit.code)
          ?.obligations.filter((s) => s.taskNo === taskNo);
        const all = specs?.length ? specs : d.obligations.designationSpecs(taskNo);
        if (all.length === 0) throw new UsageError(`--task: task ${taskNo} has no dated or recurring obligation`);
        refs = all.map((s) => ({
          planId: plan.id,
          unitCode: unit.code,
          obligation: s.obligation,
          obligationId: s.id,
          taskNo,
        }));
      }
      const out: { workflowId: string; uiLink: string; entries: HistoryEntry[] }[] = [];
      for (const ref of refs)
        out.push({
          workflowId: d.obligations.workflowIdOf(ref),
          uiLink: d.obligations.uiLink(ref),
          entries: await d.obligations.history(ref),
        });
      return out;
    });
    printResult(values, results.length === 1 ? results[0] : results, () =>
      results.flatMap((r) => [
        r.workflowId,
        `  Temporal UI: ${r.uiLink}`,
        ...r.entries.map((e) => `  ${shortTime(e.at)}  ${padEnd(e.kind, 8)} ${e.summary}`),
        '',
      ]),
    );
    return 0;
  },
};
