/** Importing a task table from a file: read, decode, parse. The only I/O of the table importer. */
import { readFileSync } from 'node:fs';
import { decodeTableBytes } from './encoding';
import { ImportError } from './import-error';
import { type ImportedTable, type TableImportOptions, parseTaskTable } from './table';

/**
 * Reads and parses a task table file (UTF-8, LF or CRLF). Throws {@link ImportError} with file and line for
 * anything that cannot be imported; nothing is written.
 */
export function importTableFile(file: string, options: Omit<TableImportOptions, 'file'> = {}): ImportedTable {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ImportError(file, 0, `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  return parseTaskTable(decodeTableBytes(bytes, file), { ...options, file });
}
