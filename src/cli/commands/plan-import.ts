import type { Directory } from '../../domain/directory';
import type { Duty } from '../../domain/plan';
import { loadDirectory } from '../../import/directory';
import { ImportError } from '../../import/import-error';
import { importPlanFile, importTableFile } from '../../import/plan-file';
import type { ImportedTable } from '../../import/table';
import { type Command, UsageError } from '../command';

/** Imports a table for a command, turning import errors into usage errors (exit code 2, nothing written). */
export function importForCommand(
  command: string,
  positionals: string[],
  values: Record<string, unknown>,
  defaultDirectory?: string,
): { imported: ImportedTable; directory?: Directory; file: string } {
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError(`expected one table FILE\n\nUsage: duban ${command} FILE …`);
  try {
    const directoryFile = (values.directory as string | undefined) ?? defaultDirectory;
    const directory = directoryFile ? loadDirectory(directoryFile) : undefined;
    const imported = importTableFile(file, { directory, id: values.id as string | undefined });
    return { imported, directory, file };
  } catch (err) {
    if (err instanceof ImportError || (err as { name?: string }).name === 'ImportError') {
      throw new UsageError((err as Error).message);
    }
    throw err;
  }
}

/**
 * Imports a table file of any format for a command (Word, Excel, HTML, CSV, text), turning import errors into usage
 * errors (exit code 2, nothing written). `values.sheet` picks a workbook's sheet.
 */
export async function importPlanForCommand(
  command: string,
  positionals: string[],
  values: Record<string, unknown>,
  defaultDirectory?: string,
): Promise<{ imported: ImportedTable; directory?: Directory; file: string }> {
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError(`expected one table FILE\n\nUsage: duban ${command} FILE …`);
  try {
    const directoryFile = (values.directory as string | undefined) ?? defaultDirectory;
    const directory = directoryFile ? loadDirectory(directoryFile) : undefined;
    const imported = await importPlanFile(file, {
      directory,
      id: values.id as string | undefined,
      sheet: values.sheet as string | undefined,
    });
    return { imported, directory, file };
  } catch (err) {
    if (err instanceof ImportError || (err as { name?: string }).name === 'ImportError') {
      throw new UsageError((err as Error).message);
    }
    throw err;
  }
}

/** One duty as a short phrase for the table view, e.g. `month (按月)`. */
export function describeDuty(duty: Duty): string {
  const what =
    duty.every ?? duty.due ?? duty.steps?.map((s) => `${s.kind.replace('emergency-', '')} ${s.within}`).join(', ');
  return `${duty.kind}${what ? ` ${what}` : ''} (${duty.source})`;
}

/** `duban plan import FILE [--json] [--directory FILE] [--id ID] [--sheet NAME]`. */
export const planImportCommand: Command = {
  path: ['plan', 'import'],
  summary: 'read a task breakdown table (任务分解表) and print the plan',
  usage: [
    'Usage: duban plan import FILE [--json] [--directory FILE] [--id ID] [--sheet NAME]',
    '',
    'Reads a task table with its covering notice: Word .docx, Excel .xlsx, HTML saved from a government site, CSV,',
    'or the text layout of the bundled example (examples/fujian-2017/tasks.txt); UTF-8, UTF-16 or GB18030. The',
    'format comes from the file, not its name. Prints the plan; --json prints the normative JSON.',
    'Exit code 2 with file:line (and the cell) for input that cannot be imported; nothing is written.',
    '',
    'Options:',
    '  --json             print the plan as JSON (fields of the Plan type, in order)',
    '  --directory FILE   unit directory (JSON); names not in it get a warning (default: none, name patterns only)',
    '  --id ID            plan id instead of the derived one (default: e.g. fj-2017-zwgk)',
    '  --sheet NAME       the sheet of an .xlsx workbook to read (default: the sheet holding the table)',
  ].join('\n'),
  options: {
    json: { type: 'boolean' },
    directory: { type: 'string' },
    id: { type: 'string' },
    sheet: { type: 'string' },
  },
  async run({ values, positionals }) {
    const { imported, file } = await importPlanForCommand('plan import', positionals, values);
    const { plan } = imported;
    if (values.json) {
      console.log(JSON.stringify(plan, null, 2));
      return 0;
    }
    const out: string[] = [
      `${plan.id}  ${plan.title}`,
      `issuer ${plan.issuer}, signed ${plan.signedOn}, published ${plan.publishedOn}, year ${plan.year}`,
      '',
      'Milestones (every unit):',
      ...plan.milestones.map((m) => `  ${m.kind.padEnd(20)} ${m.due ?? `every ${m.every}`}  (${m.source})`),
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
    console.log(out.join('\n'));
    return 0;
  },
};
