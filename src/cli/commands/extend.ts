import {
  PLAN_HELP,
  PLAN_OPTIONS,
  dateFlag,
  loadOperatorPlan,
  obligationRefFlags,
  requiredFlag,
  withOperatorService,
} from '../../operator/cli-support';
import type { Command } from '../command';
import { OBLIGATION_HELP, OBLIGATION_OPTIONS, printStatus } from './fulfil';

/** `duban extend`: grant an extension, which reschedules every remaining notice of the item. */
export const extendCommand: Command = {
  path: ['extend'],
  summary: 'grant an extension: a new due date for an obligation (or one period), with reason and approver',
  usage: [
    'Usage: duban extend --plan P --unit U --obligation O [--task N] [--period P] --new-due YYYY-MM-DD',
    '                    --reason R --approver A [--json]',
    '',
    'Moves the due date; every remaining reminder and escalation is rescheduled for it. A new due date in the',
    'past or not after the current one is refused and changes nothing (exit 2).',
    '',
    'Options:',
    ...OBLIGATION_HELP,
    '  --new-due DATE     the new due date (required)',
    '  --reason R         why (required)',
    '  --approver A       who approved it (required)',
    ...PLAN_HELP,
  ].join('\n'),
  options: {
    ...PLAN_OPTIONS,
    ...OBLIGATION_OPTIONS,
    'new-due': { type: 'string' },
    reason: { type: 'string' },
    approver: { type: 'string' },
  },
  async run({ values }) {
    const { plan, directory } = loadOperatorPlan(values);
    const { unit: _unit, ...ref } = obligationRefFlags(values, plan, directory);
    const newDue = dateFlag(values['new-due'], '--new-due');
    const reason = requiredFlag(values, 'reason', 'the reason');
    const approver = requiredFlag(values, 'approver', 'who approved it');
    const status = await withOperatorService(plan, directory, (s) => s.extend(ref, { newDue, reason, approver }));
    printStatus(status, values.json);
    return 0;
  },
};
