import type { Command } from '../command';
import {
  FLAGS,
  OBLIGATION_FLAGS,
  PLAN_FLAGS,
  flag,
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
  flags: [
    ...OBLIGATION_FLAGS,
    flag(FLAGS.reason, { required: true }),
    flag(FLAGS.approver, { required: true }),
    ...PLAN_FLAGS,
    FLAGS.json,
  ],
  async run({ values }) {
    const loaded = await loadPlan(values);
    const ref = obligationRefFlags(values, loaded);
    const input = { reason: String(values.reason).trim(), approver: String(values.approver).trim() };
    const status = await withDuban(loaded, (d) => d.obligations.waive(ref, input));
    printResult(values, status, () => statusLines(status));
    return 0;
  },
};
