/** Importing a task table from a file: read, detect the format, decode, lay out. The only I/O of the importer. */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Directory } from '../domain/directory';
import { decodeTableBytes } from './encoding';
import { ImportError } from './import-error';
import { type ImportedTable, layoutPlan } from './layout';
import type { NoticeGiven } from './notice';
import { readSource } from './readers';
import { type TableImportOptions, parseTaskTable } from './table';

/** Options of {@link importPlanFile}. */
export interface PlanFileOptions {
  /** Unit directory: its names and aliases are recognised exactly, others get a warning. (Default: none) */
  directory?: Directory;
  /** Plan id to use instead of the derived one, e.g. `fj-2017-zwgk`. (Default: derived) */
  id?: string;
  /** Sheet of an Excel workbook to read; an unknown name is an error listing the sheets. (Default: the sheet holding the table) */
  sheet?: string;
  /** Issuer, year and publish date for a table without a covering notice. (Default: the notice's) */
  given?: NoticeGiven;
}

function cannotRead(file: string, err: unknown): ImportError {
  return new ImportError(file, 0, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
}

/**
 * Reads and imports a task table in any supported format: Word `.docx`, Excel `.xlsx`, HTML saved from a site,
 * CSV, or the text layout; UTF-8, UTF-16 or GB18030. The format comes from the bytes, not the name. Throws
 * {@link ImportError} (one line naming the file, and the line or cell) for anything that cannot be imported;
 * nothing is written.
 */
export async function importPlanFile(file: string, options: PlanFileOptions = {}): Promise<ImportedTable> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw cannotRead(file, err);
  }
  const document = await readSource(bytes, { file, directory: options.directory, sheet: options.sheet });
  return layoutPlan(document, { file, directory: options.directory, id: options.id, given: options.given });
}

/**
 * Reads and parses a task table file in the text layout (UTF-8, UTF-16 or GB18030; LF or CRLF), synchronously.
 * Throws {@link ImportError} with file and line for anything that cannot be imported; nothing is written. Other
 * formats need {@link importPlanFile}.
 */
export function importTableFile(file: string, options: Omit<TableImportOptions, 'file'> = {}): ImportedTable {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw cannotRead(file, err);
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) {
    throw new ImportError(
      file,
      0,
      'a Word or Excel file (ZIP): read it with importPlanFile, as `duban plan import` does',
    );
  }
  return parseTaskTable(decodeTableBytes(bytes, file), { ...options, file });
}
