import { expandAssignments } from '../../domain/assignments';
import { BUNDLED_DIRECTORY_PATH } from '../../import/directory';
import { type Command, UsageError } from '../command';
import { FLAGS, PLAN_FILE_FLAGS, flag, printResult } from '../kit';
import { importForCommand } from './plan-import';
import { padEnd, padStart } from '../table';

/** `duban plan assignments FILE [--directory FILE] [--json]`. */
export const planAssignmentsCommand: Command = {
  path: ['plan', 'assignments'],
  summary: 'list the concrete (task, unit, role) assignments of a task table, groups expanded',
  args: 'FILE',
  description: [
    'Imports the table, expands 省直各部门 (provincial units) and 各设区市 (the cities) from the directory, and lists',
    'every (task, unit code, unit name, role). Tasks naming 省直有关部门 are listed as needing designation.',
    'A unit name that is not in the directory (by name or alias) is an error naming the task and line (exit code 2).',
  ],
  flags: [
    FLAGS.directory,
    flag(FLAGS.json, { help: 'print {plan, assignments[{taskNo, unitCode, unitName, role}], needsDesignation[]}' }),
    ...PLAN_FILE_FLAGS,
  ],
  async run({ values, positionals }) {
    const { imported, directory, directoryFile, file } = await importForCommand(
      planAssignmentsCommand,
      positionals,
      values,
      BUNDLED_DIRECTORY_PATH,
    );
    if (!directory) throw new UsageError('--directory: a unit directory is required');
    const { plan, taskLines } = imported;
    const result = expandAssignments(plan.tasks, directory);
    if (result.unknownUnits.length > 0) {
      throw new UsageError(
        result.unknownUnits
          .map(
            (u) =>
              `${file}:${taskLines.get(u.taskNo) ?? 0}: task ${u.taskNo}: unknown unit '${u.name}' ` +
              `(${u.role}; not a name or alias in ${directoryFile})`,
          )
          .join('\n'),
      );
    }
    const names = new Map(directory.units.map((u) => [u.code, u.name]));
    const rows = result.assignments.map((a) => ({ ...a, unitName: names.get(a.unitCode) ?? '' }));
    printResult(values, { plan: plan.id, assignments: rows, needsDesignation: result.needsDesignation }, () => [
      ...rows.map(
        (r) => `${padStart(String(r.taskNo), 3)}  ${padEnd(r.role, 11)}  ${padEnd(r.unitCode, 14)}  ${r.unitName}`,
      ),
      '',
      `${rows.length} assignments over ${plan.tasks.length} tasks`,
      ...(result.needsDesignation.length > 0
        ? [
            '',
            'Needing designation (省直有关部门: an operator names the units):',
            ...result.needsDesignation.map((need) => `  task ${need.taskNo} (${need.role}): ${need.group}`),
          ]
        : []),
    ]);
    return 0;
  },
};
