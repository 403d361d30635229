import type { Command } from '../command';
import { FLAGS, PLAN_FLAGS, flag, loadPlan, printResult, progressBar, withDuban } from '../kit';

/** `duban plan close`: every unit workflow records its open items as they stand and ends. */
export const planCloseCommand: Command = {
  path: ['plan', 'close'],
  summary: 'close a plan: every unit workflow records its open items as they stand (missed if past due) and ends',
  description: [
    'Signals every unit workflow of the plan to close. Open items past their due date are recorded as missed,',
    'items not yet due as open; fulfilled and waived items keep their outcome. Units already closed are skipped.',
  ],
  flags: [flag(FLAGS.reason, { help: 'why the plan is closed', required: true }), ...PLAN_FLAGS, FLAGS.json],
  async run({ values }) {
    const reason = String(values.reason).trim();
    const loaded = await loadPlan(values);
    const { plan } = loaded;
    const result = await withDuban(loaded, (d) =>
      d.closePlan({ reason, onProgress: progressBar(`duban: closing plan ${plan.id}`) }),
    );
    printResult(
      values,
      { planId: plan.id, closed: result.closed.length, alreadyEnded: result.ended.length },
      () =>
        `duban: plan ${plan.id}: ${result.closed.length} unit workflows closed, ${result.ended.length} already ended`,
    );
    return 0;
  },
};
