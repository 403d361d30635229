/**
 * Loading and validating a unit directory file: JSON (the `Directory` shape of src/domain/directory.ts), or the
 * CSV/XLSX layout `duban directory init` writes (src/import/directory-table.ts). Every problem is named by field
 * (JSON) or by row and column (CSV/XLSX), and a directory with any problem is refused: a contact that would make
 * an escalation fail is caught at load, not when the escalation is due.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { type Directory, type SecretRef, UNIT_KINDS, type Unit } from '../domain/directory';
import {
  checkDirectory,
  type DirectoryProblem,
  formatProblem,
  type Locate,
  locateJsonField,
  problemAt,
} from './directory-check';
import {
  CsvSyntaxError,
  decodeDirectoryText,
  directoryFormatOf,
  parseCsvRows,
  readXlsxRows,
  type DirectoryFormat,
} from './directory-files';
import { directoryFromRows } from './directory-table';
import { ImportError } from './import-error';

/** The directory of the bundled example plan (Fujian 2017). */
export const BUNDLED_DIRECTORY_PATH = path.resolve(__dirname, '../../examples/fujian-2017/directory.json');

/** A directory file with problems; `problems` lists every one, the message one per line (`file: where: what`). */
export class DirectoryError extends ImportError {
  constructor(
    file: string,
    readonly problems: DirectoryProblem[],
  ) {
    super(file, 0, problems.map((p) => (p.where ? `${p.where}: ${p.message}` : p.message)).join(`\n${file}: `));
  }
}

// Types only: the content of names and addresses is checked by checkDirectory, so every problem is reported once.
const contactSchema = z.strictObject({
  name: z.string(),
  email: z.string(),
  locale: z.enum(['zh', 'en']).optional(),
  mobile: z
    .string()
    .regex(/^\+?[0-9]{6,15}$/, { error: 'expected a mobile number: digits with an optional leading +' })
    .optional(),
});

const secretRef = z.string().regex(/^(?:env|file):[A-Za-z_][A-Za-z0-9_.-]*$/, {
  error: 'expected a secret reference env:NAME or file:NAME (a webhook URL or secret never goes in the directory)',
}) as unknown as z.ZodType<SecretRef>;

const robotSchema = z.strictObject({ url: secretRef, secret: secretRef.optional() });

const channelsSchema = z.strictObject({
  dingtalk: robotSchema.optional(),
  feishu: robotSchema.optional(),
  wecom: robotSchema.optional(),
  webhook: robotSchema.optional(),
});

const unitSchema = z.strictObject({
  code: z.string(),
  name: z.string(),
  kind: z.enum(UNIT_KINDS),
  aliases: z.array(z.string()).default([]),
  officer: contactSchema,
  head: contactSchema,
  vertical: z.boolean().optional(),
  channels: channelsSchema.optional(),
});

const directorySchema = z.strictObject({
  generalOffice: z.string(),
  units: z.array(z.unknown()).min(1),
});

function fieldOf(segments: readonly PropertyKey[]): string {
  return segments.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** A unit as the loaders return it: `vertical` only when true, `locale` only when given. */
function tidyUnit(unit: z.infer<typeof unitSchema>): Unit {
  const { vertical, ...rest } = unit;
  return { ...rest, ...(vertical ? { vertical: true } : {}) };
}

/** What reading a directory file found: the directory (when its shape was right) and every problem. */
export interface DirectoryReading {
  file: string;
  format?: DirectoryFormat;
  /** Present when the file could be read into the `Directory` shape, problems or not. */
  directory?: Directory;
  problems: DirectoryProblem[];
  /** Places of the directory's fields in the file. */
  locate: Locate;
}

/**
 * Reads parsed JSON as a directory, collecting every problem: wrong types and unknown fields per unit (zod), then
 * the content rules of checkDirectory (names, addresses, duplicates, the general office).
 */
export function directoryFromJson(data: unknown, file: string): DirectoryReading {
  const problems: DirectoryProblem[] = [];
  const bad = (segments: readonly PropertyKey[], message: string) =>
    problems.push(problemAt(file, { field: fieldOf(segments) }, 'invalid-value', message));
  const top = directorySchema.safeParse(data);
  if (!top.success) {
    for (const issue of top.error.issues) bad(issue.path, issue.message);
    return { file, format: 'json', problems, locate: locateJsonField };
  }
  const units: Unit[] = [];
  top.data.units.forEach((raw, i) => {
    const unit = unitSchema.safeParse(raw);
    if (unit.success) units.push(tidyUnit(unit.data));
    else for (const issue of unit.error.issues) bad(['units', i, ...issue.path], issue.message);
  });
  if (problems.length > 0) return { file, format: 'json', problems, locate: locateJsonField };
  const directory: Directory = { generalOffice: top.data.generalOffice, units };
  return { file, format: 'json', directory, problems: checkDirectory(directory, file), locate: locateJsonField };
}

/**
 * Validates parsed JSON as a unit directory. Throws {@link DirectoryError} (an {@link ImportError}) naming the file
 * and, one line each, every problem by field (`units[3].officer.email`).
 */
export function validateDirectory(data: unknown, file: string): Directory {
  const reading = directoryFromJson(data, file);
  if (reading.problems.length > 0 || !reading.directory) throw new DirectoryError(file, reading.problems);
  return reading.directory;
}

function unreadable(file: string, message: string, row?: number): DirectoryReading {
  return {
    file,
    problems: [problemAt(file, { field: '', ...(row ? { row } : {}) }, 'unreadable', message)],
    locate: locateJsonField,
  };
}

function cannotRead(err: unknown): string {
  return `cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`;
}

function parseJsonReading(text: string, file: string): DirectoryReading {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    return unreadable(file, `not JSON: ${(err as Error).message}`);
  }
  return directoryFromJson(data, file);
}

const XLS_HINT = 'an Excel 97-2003 (.xls) or WPS (.et) workbook cannot be read: save it as .xlsx or CSV UTF-8';

/**
 * Reads a directory file of any format (JSON, CSV, XLSX) and reports every problem, each with its place; never
 * throws for the file's content. What `duban directory check` prints.
 */
export async function readDirectoryFile(file: string): Promise<DirectoryReading> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    return unreadable(file, cannotRead(err));
  }
  const format = directoryFormatOf(file, bytes);
  if (!format) return unreadable(file, XLS_HINT);
  if (format === 'json') return parseJsonReading(decodeDirectoryText(bytes).text, file);
  let rows: string[][];
  try {
    rows = format === 'xlsx' ? await readXlsxRows(file) : await parseCsvRows(decodeDirectoryText(bytes).text);
  } catch (err) {
    if (err instanceof CsvSyntaxError) return { ...unreadable(file, `not CSV: ${err.message}`, err.line), format };
    return { ...unreadable(file, `not an XLSX workbook: ${(err as Error).message}`), format };
  }
  return { file, format, ...directoryFromRows(rows, { file }) };
}

/**
 * Reads and validates a directory file: JSON, CSV (UTF-8 with or without BOM, GB18030, UTF-16) or XLSX, in the
 * layout `duban directory init` writes. Throws {@link DirectoryError} (an {@link ImportError}) listing every
 * problem by field or by row and column; nothing is returned from a file with any problem.
 */
export async function loadDirectoryFile(file: string): Promise<Directory> {
  const reading = await readDirectoryFile(file);
  if (reading.problems.length > 0 || !reading.directory) throw new DirectoryError(file, reading.problems);
  return reading.directory;
}

/**
 * Reads and validates a JSON directory file, synchronously. A CSV or XLSX file is refused with a hint: those need
 * {@link loadDirectoryFile}. Throws {@link ImportError} for unreadable files and bad JSON, {@link DirectoryError}
 * for bad fields.
 */
export function loadDirectory(file: string): Directory {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ImportError(file, 0, cannotRead(err));
  }
  const format = directoryFormatOf(file, bytes);
  if (format !== 'json') {
    throw new ImportError(
      file,
      0,
      format
        ? `${format === 'xlsx' ? 'an XLSX' : 'a CSV'} unit directory is read by loadDirectoryFile; this command reads JSON only for now. ` +
            `Convert it: duban directory convert ${file} --out directory.json`
        : XLS_HINT,
    );
  }
  const reading = parseJsonReading(decodeDirectoryText(bytes).text, file);
  if (reading.problems.length > 0 || !reading.directory) throw new DirectoryError(file, reading.problems);
  return reading.directory;
}

/** Every problem of a reading as lines `file: where: what`. */
export function formatProblems(problems: readonly DirectoryProblem[]): string {
  return problems.map(formatProblem).join('\n');
}
