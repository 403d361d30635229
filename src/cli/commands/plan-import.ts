import type { Directory } from '../../domain/directory';
import type { Duty } from '../../domain/plan';
import { loadDirectoryFile } from '../../import/directory';
import { importPlanFile } from '../../import/plan-file';
import type { ImportedTable } from '../../import/table';
import { type Command, UsageError } from '../command';
import { FLAGS, PLAN_FILE_FLAGS, directoryFileOf, flag, planFileOptions, printResult } from '../kit';
import { padEnd } from '../table';

/**
 * Imports the one table FILE of a command, in any format (Word, Excel, HTML, CSV, text; UTF-8, UTF-16, GB18030),
 * with the directory of `--directory`, else `$DUBAN_DIRECTORY`, else `defaultDirectory`; import errors are usage
 * errors (exit 2, nothing written). (Default defaultDirectory: none)
 */
export async function importForCommand(
  command: Command,
  positionals: string[],
  values: Record<string, unknown>,
  defaultDirectory?: string,
): Promise<{ imported: ImportedTable; directory?: Directory; directoryFile?: string; file: string }> {
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0)
    throw new UsageError(`expected one table FILE (duban ${command.path.join(' ')} --help)`);
  const fileOptions = planFileOptions(values);
  try {
    const directoryFile = directoryFileOf(values) ?? defaultDirectory;
    const directory = directoryFile ? await loadDirectoryFile(directoryFile) : undefined;
    const imported = await importPlanFile(file, { directory, id: values.id as string | undefined, ...fileOptions });
    return { imported, directory, directoryFile, file };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** One duty as a short phrase for the table view, e.g. `month (按月)`. */
export function describeDuty(duty: Duty): string {
  const day = duty.dueIn
    ? `, due day ${duty.dueIn.day}${duty.dueIn.month ? ` of its month ${duty.dueIn.month}` : ''}`
    : '';
  const what =
    (duty.every && `${duty.every}${day}`) ??
    duty.due ??
    duty.steps?.map((s) => `${s.kind.replace('emergency-', '')} ${s.within}`).join(', ');
  return `${duty.kind}${what ? ` ${what}` : ''} (${duty.source})`;
}

/** `duban plan import FILE [--json] [--directory FILE] [--id ID] [--sheet NAME]`. */
export const planImportCommand: Command = {
  path: ['plan', 'import'],
  summary: 'read a task breakdown table (任务分解表: Word, Excel, HTML, CSV or text) and print the plan',
  args: 'FILE',
  description: [
    'Reads a task table with its covering notice: Word .docx, Excel .xlsx, HTML saved from a government site, CSV,',
    'or the text layout of the bundled example (examples/fujian-2017/tasks.txt); UTF-8, UTF-16 or GB18030. The',
    'format comes from the file, not its name. Columns are found by their labels (工作任务, 细化分工, 牵头单位,',
    '责任单位, 完成时限 …). Prints the plan; --json prints it as JSON (the Plan type). What cannot be placed is a warning',
    'naming its line or cell; a file that is no task table exits 2 with one line; nothing is written.',
  ],
  flags: [
    flag(FLAGS.json, { help: 'print the plan as JSON (fields of the Plan type, in order)' }),
    flag(FLAGS.directory, {
      help: 'unit directory; names not in it get a warning',
      default: '$DUBAN_DIRECTORY, else none: name patterns only',
    }),
    {
      name: 'id',
      type: 'string',
      value: 'ID',
      help: 'plan id instead of the derived one',
      default: 'e.g. fj-2017-zwgk',
    },
    ...PLAN_FILE_FLAGS,
  ],
  async run({ values, positionals }) {
    const { imported, file } = await importForCommand(planImportCommand, positionals, values);
    const { plan } = imported;
    printResult(values, plan, () => {
      const out: string[] = [
        `${plan.id}  ${plan.title}`,
        `issuer ${plan.issuer}, signed ${plan.signedOn}, published ${plan.publishedOn}, year ${plan.year}`,
        '',
        'Milestones (every unit):',
        ...plan.milestones.map((m) => `  ${padEnd(m.kind, 20)} ${m.due ?? `every ${m.every}`}  (${m.source})`),
        '',
      ];
      let section = '';
      for (const task of plan.tasks) {
        if (task.section !== section) {
          section = task.section;
          out.push(section);
        }
        out.push(`  ${task.no}. ${task.title}`);
        if (task.group !== undefined) out.push(`      group:       ${task.group}`);
        const inherited = task.unitsInheritedFrom === null ? '' : `  (same units as task ${task.unitsInheritedFrom})`;
        out.push(`      lead:        ${task.leadUnits.join('、') || '—'}${inherited}`);
        out.push(`      responsible: ${task.responsibleUnits.join('、') || '—'}`);
        for (const duty of task.duties) out.push(`      duty:        ${describeDuty(duty)}`);
      }
      out.push('', `${plan.tasks.length} tasks, ${plan.warnings.length} warnings`);
      for (const w of plan.warnings) out.push(`${file}${w.line > 0 ? `:${w.line}` : ''}: warning: ${w.message}`);
      return out;
    });
    return 0;
  },
};
