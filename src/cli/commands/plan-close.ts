import { WorkflowNotFoundError } from '@temporalio/client';
import { unitWorkflowId } from '../../domain/ids';
import { planSchedule } from '../../domain/obligations';
import { loadTemporalConfig } from '../../temporal/config';
import { createClient } from '../../temporal/connection';
import { mapConcurrent, progressBar } from '../../temporal/plan-runner';
import { closeSignal } from '../../../workflows/messages';
import { type Command, UsageError } from '../command';
import { loadPlanForCommand } from '../plan-loader';

export const planCloseCommand: Command = {
  path: ['plan', 'close'],
  summary: 'close a plan: every unit workflow records its open items as they stand (missed if past due) and ends',
  usage: [
    'Usage: duban plan close --reason TEXT [--plan FILE] [--directory FILE]',
    '',
    'Signals every unit workflow of the plan to close. Open items past their due date are recorded as missed,',
    'items not yet due as open; fulfilled and waived items keep their outcome. Units already closed are skipped.',
  ].join('\n'),
  options: { reason: { type: 'string' }, plan: { type: 'string' }, directory: { type: 'string' } },
  async run({ values }) {
    const reason = typeof values.reason === 'string' ? values.reason.trim() : '';
    if (!reason) throw new UsageError('--reason is required: say why the plan is closed');
    const { plan, directory } = loadPlanForCommand(values);
    const config = loadTemporalConfig();
    const client = await createClient(config);
    try {
      const units = planSchedule(plan, directory).units;
      let closed = 0;
      const progress = progressBar(`duban: closing plan ${plan.id}`);
      let done = 0;
      await mapConcurrent(units, 16, async (unit) => {
        try {
          await client.workflow.getHandle(unitWorkflowId(plan.id, unit.unitCode)).signal(closeSignal, { reason });
          closed++;
        } catch (err) {
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
        progress(++done, units.length);
      });
      console.error(`duban: plan ${plan.id}: ${closed} unit workflows closed, ${units.length - closed} already ended`);
      return 0;
    } finally {
      await client.connection.close();
    }
  },
};
