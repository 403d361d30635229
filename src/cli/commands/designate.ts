import { type Command, UsageError } from '../command';
import {
  FLAGS,
  PLAN_FLAGS,
  flag,
  loadPlan,
  printResult,
  provisionalWarning,
  taskFlag,
  unitFlag,
  whoFlag,
  withDuban,
} from '../kit';

/** `duban designate`: add (or remove) a unit for a task whose units are 省直有关部门. */
export const designateCommand: Command = {
  path: ['designate'],
  summary: 'designate (or --remove) a unit for a task that names 省直有关部门; its task obligations start at once',
  description: [
    "Starts the task's dated and recurring obligations for the unit (under its unit workflow), or with --remove",
    'closes them. Only tasks naming 省直有关部门 take designations; anything else is refused (exit 2).',
  ],
  flags: [
    flag(FLAGS.task, { required: true }),
    flag(FLAGS.unit, { required: true }),
    { name: 'remove', type: 'boolean', help: 'remove the unit from the task instead' },
    FLAGS.by,
    ...PLAN_FLAGS,
    FLAGS.json,
  ],
  async run({ values }) {
    const loaded = await loadPlan(values);
    const { plan } = loaded;
    const taskNo = taskFlag(values, plan);
    if (taskNo === undefined) throw new UsageError('--task: a task number is required');
    const unit = unitFlag(loaded.directory, values.unit);
    const by = whoFlag(values);
    const remove = values.remove === true;
    const ids = await withDuban(loaded, async (d) => {
      // Checked before the designation starts anything, so the warning comes first.
      const provisional = remove ? [] : await d.obligations.provisionalYears(d.obligations.designationSpecs(taskNo));
      const warning = provisionalWarning(provisional);
      if (warning) console.error(warning);
      return d.obligations.designate({ planId: plan.id, taskNo, unitCode: unit.code, remove, by });
    });
    printResult(values, { planId: plan.id, taskNo, unitCode: unit.code, removed: remove, obligations: ids }, () => [
      `${unit.name} (${unit.code}) ${remove ? 'removed from' : 'designated for'} task ${taskNo}`,
      `  obligations of the unit: ${ids.join(', ')}`,
    ]);
    return 0;
  },
};
