import {
  PLAN_HELP,
  PLAN_OPTIONS,
  loadOperatorPlan,
  obligationRefFlags,
  requiredFlag,
  withOperatorService,
} from '../../operator/cli-support';
import type { Command } from '../command';
import { OBLIGATION_HELP, OBLIGATION_OPTIONS, printStatus } from './fulfil';

/** `duban waive`: waive an obligation (or one period); its notices stop and the outcome is `waived`. */
export const waiveCommand: Command = {
  path: ['waive'],
  summary: 'waive an obligation (or one period) of a unit, with reason and approver',
  usage: [
    'Usage: duban waive --plan P --unit U --obligation O [--task N] [--period P] --reason R --approver A [--json]',
    '',
    'Ends the item as waived: no more reminders or escalations, outcome `waived` in the store. An item already',
    'fulfilled or waived is refused and nothing changes (exit 2).',
    '',
    'Options:',
    ...OBLIGATION_HELP,
    '  --reason R         why (required)',
    '  --approver A       who approved it (required)',
    ...PLAN_HELP,
  ].join('\n'),
  options: { ...PLAN_OPTIONS, ...OBLIGATION_OPTIONS, reason: { type: 'string' }, approver: { type: 'string' } },
  async run({ values }) {
    const { plan, directory } = loadOperatorPlan(values);
    const { unit: _unit, ...ref } = obligationRefFlags(values, plan, directory);
    const reason = requiredFlag(values, 'reason', 'the reason');
    const approver = requiredFlag(values, 'approver', 'who approved it');
    const status = await withOperatorService(plan, directory, (s) => s.waive(ref, { reason, approver }));
    printStatus(status, values.json);
    return 0;
  },
};
