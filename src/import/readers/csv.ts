/**
 * CSV (and tab-separated) task tables, as exported from a spreadsheet: one record per row, title rows above the
 * header as records with one field. A merged cell survives only in its first row; the layout reads the empty
 * cells below it as the row above's, as the text layout does.
 */
import { parse } from 'csv-parse';
import { labelRole } from '../columns';
import { ImportError } from '../import-error';
import type { SourceDocument, SourceRow } from '../source';
import { columnName } from './cell-names';

const DELIMITERS = [',', '\t', ';'] as const;

/** Splits a line on a delimiter, ignoring quotes: enough to recognise a header line. */
function naiveFields(line: string, delimiter: string): string[] {
  return line.split(delimiter).map((f) => f.trim().replace(/^"|"$/g, ''));
}

/**
 * The delimiter of a CSV table whose header line names at least two columns (工作任务, 责任单位 …), or undefined
 * when no line of the first 60 is such a header: then the text is not a CSV task table.
 */
export function csvDelimiter(text: string): string | undefined {
  const lines = text.split(/\r\n|\r|\n/, 60);
  for (const delimiter of DELIMITERS) {
    const header = lines.some((line) => {
      const fields = naiveFields(line, delimiter);
      return fields.length >= 3 && fields.filter((f) => labelRole(f) !== undefined).length >= 2;
    });
    if (header) return delimiter;
  }
  return undefined;
}

/** Options of {@link readCsvDocument}. */
export interface CsvReadOptions {
  /** File name used in errors. (Default: '<input>') */
  file?: string;
  /** Field delimiter. (Default: the one {@link csvDelimiter} finds, else ',') */
  delimiter?: string;
}

/** Reads CSV text into one table; a malformed file (an unclosed quote) is an {@link ImportError} with its line. */
export async function readCsvDocument(text: string, options: CsvReadOptions = {}): Promise<SourceDocument> {
  const file = options.file ?? '<input>';
  const delimiter = options.delimiter ?? csvDelimiter(text) ?? ',';
  const records = await new Promise<{ record: string[]; raw: string }[]>((resolve, reject) => {
    parse(
      text.replace(/^\uFEFF/, ''),
      { delimiter, relax_column_count: true, relax_quotes: true, raw: true, skip_empty_lines: false },
      // With `raw`, csv-parse hands each record as { record, raw }; its callback type does not say so.
      (err, out) => (err ? reject(err) : resolve((out ?? []) as unknown as { record: string[]; raw: string }[])),
    );
  }).catch((err: Error & { lines?: number }) => {
    throw new ImportError(file, err.lines ?? 0, `not a readable CSV file: ${err.message}`);
  });
  const width = Math.max(0, ...records.map((r) => r.record.length));
  const rows: SourceRow[] = [];
  let line = 1;
  records.forEach(({ record, raw }, index) => {
    rows.push({
      line,
      cells: Array.from({ length: width }, (_, c) => ({
        text: record[c] ?? '',
        at: `${columnName(c + 1)}${index + 1}`,
      })),
    });
    line += (raw.match(/\r\n|\r|\n/g) ?? []).length;
  });
  if (rows.length === 0) throw new ImportError(file, 1, 'not a task table: the file is empty');
  return { format: 'csv', blocks: [{ kind: 'table', table: { name: 'CSV', rows } }], warnings: [] };
}
