import type { Command } from '../command';
import {
  APPROVAL_FLAGS,
  FLAGS,
  OBLIGATION_FLAGS,
  PLAN_FLAGS,
  approvalFlags,
  loadPlan,
  obligationRefFlags,
  printResult,
  withDuban,
} from '../kit';
import { statusLines } from './fulfil';

/** `duban waive`: waive an obligation (or one period); its notices stop and the outcome is `waived`. */
export const waiveCommand: Command = {
  path: ['waive'],
  summary: 'waive an obligation (or one period) of a unit, with reason and approver',
  description: [
    'Ends the item as waived: no more reminders or escalations, outcome `waived` in the store. An item already',
    'fulfilled or waived is refused and nothing changes (exit 2).',
  ],
  flags: [...OBLIGATION_FLAGS, ...APPROVAL_FLAGS, ...PLAN_FLAGS, FLAGS.json],
  async run({ values }) {
    const loaded = await loadPlan(values);
    const ref = obligationRefFlags(values, loaded);
    const approval = approvalFlags(values);
    const status = await withDuban(loaded, (d) => d.obligations.waive(ref, approval));
    printResult(values, status, () => statusLines(status));
    return 0;
  },
};
