import {
  PLAN_HELP,
  PLAN_OPTIONS,
  loadOperatorPlan,
  taskFlag,
  unitFlag,
  whoFlag,
  withOperatorService,
} from '../../operator/cli-support';
import { type Command, UsageError } from '../command';

/** `duban designate`: add (or remove) a unit for a task whose units are 省直有关部门. */
export const designateCommand: Command = {
  path: ['designate'],
  summary: 'designate (or --remove) a unit for a task that names 省直有关部门; its task obligations start at once',
  usage: [
    'Usage: duban designate --task N --unit U [--remove] [--by WHO] [--plan ID|FILE] [--json]',
    '',
    "Starts the task's dated and recurring obligations for the unit (under its unit workflow), or with --remove",
    'closes them. Only tasks naming 省直有关部门 take designations; anything else is refused (exit 2).',
    '',
    'Options:',
    '  --task N           task number (required)',
    '  --unit U           unit name, alias or code (required)',
    '  --remove           remove the unit from the task instead',
    '  --by WHO           who designates (default: $DUBAN_OPERATOR or the OS user)',
    ...PLAN_HELP,
  ].join('\n'),
  options: {
    ...PLAN_OPTIONS,
    task: { type: 'string' },
    unit: { type: 'string' },
    remove: { type: 'boolean' },
    by: { type: 'string' },
  },
  async run({ values }) {
    const { plan, directory } = loadOperatorPlan(values);
    const taskNo = taskFlag(values.task, plan);
    if (taskNo === undefined) throw new UsageError('--task: a task number is required');
    const unit = unitFlag(directory, values.unit);
    const by = whoFlag(values);
    const remove = values.remove === true;
    const ids = await withOperatorService(plan, directory, (s) =>
      s.designate({ planId: plan.id, taskNo, unitCode: unit.code, remove, by }),
    );
    if (values.json) {
      console.log(
        JSON.stringify({ planId: plan.id, taskNo, unitCode: unit.code, removed: remove, obligations: ids }, null, 2),
      );
      return 0;
    }
    console.log(`${unit.name} (${unit.code}) ${remove ? 'removed from' : 'designated for'} task ${taskNo}`);
    console.log(`  obligations of the unit: ${ids.join(', ')}`);
    return 0;
  },
};
