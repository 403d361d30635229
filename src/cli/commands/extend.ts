import { type Command, UsageError } from '../command';
import {
  APPROVAL_FLAGS,
  FLAGS,
  OBLIGATION_FLAGS,
  PLAN_FLAGS,
  approvalFlags,
  dateFlag,
  loadPlan,
  obligationRefFlags,
  printResult,
  withDuban,
} from '../kit';
import { statusLines } from './fulfil';

/** `duban extend`: grant an extension, which reschedules every remaining notice of the item. */
export const extendCommand: Command = {
  path: ['extend'],
  summary: 'grant an extension: a new due date for an obligation (or one period), with reason and approver',
  description: [
    'Moves the due date; every remaining reminder and escalation is rescheduled for it. A new due date in the',
    'past or not after the current one is refused and changes nothing (exit 2).',
  ],
  flags: [
    ...OBLIGATION_FLAGS,
    { name: 'new-due', type: 'string', value: 'YYYY-MM-DD', help: 'the new due date', required: true },
    ...APPROVAL_FLAGS,
    ...PLAN_FLAGS,
    FLAGS.json,
  ],
  async run({ values }) {
    const loaded = await loadPlan(values);
    const ref = obligationRefFlags(values, loaded);
    const newDue = dateFlag(values['new-due'], '--new-due');
    if (!newDue) throw new UsageError('--new-due: the new due date is required');
    const approval = approvalFlags(values);
    const status = await withDuban(loaded, (d) => d.obligations.extend(ref, { newDue, ...approval }));
    printResult(values, status, () => statusLines(status));
    return 0;
  },
};
