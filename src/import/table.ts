/**
 * Importing a task breakdown table (任务分解表) given as text: the text layout of the bundled example (title line,
 * 发布日期, notice paragraphs, signature and date, then numbered rows). Kept synchronous for callers that read the
 * text layout only; {@link importPlanFile} reads every format.
 */
import { layoutPlan, type ImportedTable, type TableImportOptions } from './layout';
import { readTextDocument } from './readers/text';

export type { ImportedTable, TableImportOptions } from './layout';

/**
 * Parses one task table in the text layout. Throws {@link ImportError} (file:line: reason) when the text is not a
 * task table, a date is impossible or a row's units cannot be read; readable oddities become `plan.warnings`.
 */
export function parseTaskTable(text: string, options: TableImportOptions = {}): ImportedTable {
  const document = readTextDocument(text, { file: options.file, directory: options.directory });
  return layoutPlan(document, options);
}
