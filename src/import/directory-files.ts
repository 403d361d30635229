/**
 * Directory files on disk: decoding CSV (UTF-8, GB18030, UTF-16), reading XLSX cells as text, and writing the
 * editable layout as XLSX, CSV (UTF-8 with BOM, so Excel opens the Chinese correctly) or JSON.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse';
import type * as Excel from 'exceljs';
import type { CellValue, Worksheet } from 'exceljs';
import iconv from 'iconv-lite';
import type { Directory, Unit } from '../domain/directory';
import { DIRECTORY_COLUMNS, columnOfTitle, columnTitle, directoryToRows, type SourceNotes } from './directory-table';

type ExcelModule = typeof Excel;

/**
 * exceljs, loaded on first use: it takes most of a second, every command loads a directory and few read a workbook.
 * Native import() of this CommonJS module gives its exports as `default` (tsx); transpiled require gives them as is.
 */
async function loadExcel(): Promise<ExcelModule> {
  const loaded = (await import('exceljs')) as ExcelModule & { default?: ExcelModule };
  return loaded.default ?? loaded;
}

/** The formats a directory file can have. */
export type DirectoryFormat = 'json' | 'csv' | 'xlsx';

/**
 * The format of a directory file from its extension (`.json`, `.csv`/`.tsv`/`.txt`, `.xlsx`), else from its first
 * bytes (`PK` is a ZIP, hence XLSX; `{` is JSON; anything else is read as CSV). `.xls` is undefined: not readable.
 *
 * @param head The file's first bytes, for a name without a known extension. (Default: none: CSV)
 */
export function directoryFormatOf(file: string, head: Buffer = Buffer.alloc(0)): DirectoryFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.xlsx' || ext === '.xlsm') return 'xlsx';
  if (ext === '.csv' || ext === '.tsv' || ext === '.txt') return 'csv';
  if (ext === '.xls' || ext === '.et') return undefined;
  if (head.subarray(0, 2).toString('latin1') === 'PK') return 'xlsx';
  return /^\s*[{[]/.test(
    head
      .subarray(0, 64)
      .toString('latin1')
      .replace(/^\uFEFF|^\xEF\xBB\xBF/, ''),
  )
    ? 'json'
    : 'csv';
}

/** How a text file was decoded. */
export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'gb18030';

/**
 * Decodes a CSV as Excel and WPS save it: a BOM decides (UTF-8, UTF-16 LE/BE); without one, UTF-16 is recognised by
 * its zero bytes, strict UTF-8 is tried, and anything else is GB18030 (a superset of GBK, what 另存为 CSV writes on a
 * Chinese Windows).
 */
export function decodeDirectoryText(bytes: Buffer): { text: string; encoding: TextEncoding } {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: bytes.subarray(3).toString('utf8'), encoding: 'utf-8' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: iconv.decode(bytes.subarray(2), 'utf-16le'), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: iconv.decode(bytes.subarray(2), 'utf-16be'), encoding: 'utf-16be' };
  const sample = bytes.subarray(0, 512);
  let evenZeros = 0;
  let oddZeros = 0;
  sample.forEach((b, i) => {
    if (b === 0) {
      if (i % 2 === 0) evenZeros++;
      else oddZeros++;
    }
  });
  // ASCII-heavy UTF-16 has a zero in every other byte; real CSV text has none.
  if (oddZeros > sample.length / 8 && evenZeros === 0)
    return { text: iconv.decode(bytes, 'utf-16le'), encoding: 'utf-16le' };
  if (evenZeros > sample.length / 8 && oddZeros === 0)
    return { text: iconv.decode(bytes, 'utf-16be'), encoding: 'utf-16be' };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    return { text: iconv.decode(bytes, 'gb18030'), encoding: 'gb18030' };
  }
}

/** The delimiter of a CSV: tab when the first line has more tabs than commas (Excel's "Unicode text"), else comma. */
function delimiterOf(text: string): string {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const tabs = first.split('\t').length;
  const commas = first.split(',').length;
  return tabs > commas ? '\t' : ',';
}

/** A CSV that cannot be parsed (an unclosed quote …), with the line csv-parse stopped at. */
export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

/** Parses CSV text into rows of cells, one record per spreadsheet row; ragged rows are allowed. */
export function parseCsvRows(text: string): Promise<string[][]> {
  return new Promise((resolve, reject) => {
    parse(text, { delimiter: delimiterOf(text), relax_column_count: true, skip_empty_lines: false }, (err, records) => {
      if (err) {
        const line = (err as { lines?: number }).lines ?? 0;
        reject(new CsvSyntaxError(err.message, line));
      } else resolve(records as string[][]);
    });
  });
}

/** The text a cell shows: rich text joined, a hyperlink's (mailto:) text, a formula's result, dates as ISO dates. */
export function cellText(value: CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if ('richText' in value) return value.richText.map((r) => r.text).join('');
  if ('hyperlink' in value) return cellText(value.text as CellValue);
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result as CellValue);
  if ('error' in value) return value.error;
  return '';
}

function sheetRows(sheet: Worksheet): string[][] {
  const rows: string[][] = [];
  for (let r = 1; r <= sheet.rowCount; r++) {
    const row = sheet.getRow(r);
    const cells: string[] = [];
    for (let c = 1; c <= sheet.columnCount; c++) cells.push(cellText(row.getCell(c).value));
    rows.push(cells);
  }
  return rows;
}

/**
 * Reads the directory sheet of a workbook as rows of cell text: the first sheet whose header (within its first ten
 * rows) names the code and name columns, so the explanation sheet and sheet order do not matter; else the first.
 */
export async function readXlsxRows(file: string): Promise<string[][]> {
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  await workbook.xlsx.readFile(file);
  let first: string[][] | undefined;
  for (const sheet of workbook.worksheets) {
    const rows = sheetRows(sheet);
    first ??= rows;
    const header = rows.slice(0, 10);
    if (header.some((r) => r.some((c) => columnOfTitle(c) === 'code') && r.some((c) => columnOfTitle(c) === 'name'))) {
      return rows;
    }
  }
  return first ?? [];
}

/** A directory as the JSON the loaders read, fields in a fixed order; `vertical` always written, to be edited. */
export function directoryJson(directory: Directory): string {
  const unit = (u: Unit) => ({
    code: u.code,
    name: u.name,
    kind: u.kind,
    aliases: u.aliases,
    vertical: u.vertical ?? false,
    officer: u.officer,
    head: u.head,
  });
  return `${JSON.stringify({ generalOffice: directory.generalOffice, units: directory.units.map(unit) }, null, 2)}\n`;
}

function csvCell(value: string): string {
  return /[",\r\n\t]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The layout as CSV: UTF-8 with a BOM (Excel reads BOM-less CSV as the ANSI code page), CRLF line ends. */
export function directoryCsv(directory: Directory, notes?: SourceNotes): Buffer {
  const text = directoryToRows(directory, notes)
    .map((row) => row.map(csvCell).join(','))
    .join('\r\n');
  return Buffer.from(`\uFEFF${text}\r\n`, 'utf8');
}

/** Sheet names of the workbook `init` writes. */
export const SHEET_NAMES = { directory: '单位名录 directory', readme: '说明 README' } as const;

const LIST_VALIDATIONS: Partial<Record<string, string>> = {
  kind: '"provincial,city,district,office,division"',
  vertical: '"是,否"',
  generalOffice: '"是,否"',
  officerLocale: '"zh,en"',
  headLocale: '"zh,en"',
};

/**
 * The layout as an XLSX workbook: the directory sheet (bold frozen header, every cell text so Excel converts no code
 * or number, drop-down lists for kind and the yes/no and locale columns, the general office row shaded) and an
 * explanation sheet: one line per column, then `readme` lines (the groups of the plan, the sources).
 *
 * @param notes Text of the `来源 / source` column by unit code. (Default: none)
 * @param readme Extra lines for the explanation sheet. (Default: none)
 */
export async function directoryXlsx(
  directory: Directory,
  notes?: SourceNotes,
  readme: readonly string[] = [],
): Promise<Buffer> {
  const { Workbook } = await loadExcel();
  const workbook = new Workbook();
  workbook.creator = 'duban';
  const sheet = workbook.addWorksheet(SHEET_NAMES.directory, { views: [{ state: 'frozen', ySplit: 1 }] });
  const rows = directoryToRows(directory, notes);
  const widths: Record<string, number> = { code: 16, name: 22, kind: 12, aliases: 30, source: 40 };
  sheet.columns = DIRECTORY_COLUMNS.map((c) => ({
    key: c.key,
    width: widths[c.key] ?? Math.max(14, columnTitle(c).length + 4),
    style: { numFmt: '@' },
  }));
  rows.forEach((values, r) => {
    const row = sheet.getRow(r + 1);
    values.forEach((value, c) => {
      const cell = row.getCell(c + 1);
      cell.value = value === '' ? null : value;
      cell.numFmt = '@';
    });
  });
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
  const officeIndex = directory.units.findIndex((u) => u.code === directory.generalOffice);
  if (officeIndex >= 0) {
    sheet.getRow(officeIndex + 2).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
  }
  // Room for the rows an office adds below the drafted ones.
  const lastRow = rows.length + 200;
  DIRECTORY_COLUMNS.forEach((column, c) => {
    const list = LIST_VALIDATIONS[column.key];
    if (!list) return;
    for (let r = 2; r <= lastRow; r++) {
      sheet.getRow(r).getCell(c + 1).dataValidation = { type: 'list', allowBlank: true, formulae: [list] };
    }
  });

  const help = workbook.addWorksheet(SHEET_NAMES.readme);
  help.columns = [{ width: 30 }, { width: 10 }, { width: 110 }];
  help.addRow(['列 column', '必填 required', '填写说明 what to enter']).font = { bold: true };
  for (const column of DIRECTORY_COLUMNS) help.addRow([columnTitle(column), column.required ? '是' : '', column.help]);
  help.addRow([]);
  for (const line of readme) help.addRow([line]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Options of {@link writeDirectoryFile}. */
export interface WriteDirectoryOptions {
  /** Notes for the `来源 / source` column (CSV, XLSX), by unit code. (Default: none) */
  notes?: SourceNotes;
  /** Extra lines for the XLSX explanation sheet. (Default: none) */
  readme?: readonly string[];
}

const WRITTEN: Record<string, DirectoryFormat> = { '.xlsx': 'xlsx', '.csv': 'csv', '.json': 'json' };

/** Writes a directory as XLSX, CSV or JSON by the file's extension; any other extension is an error. */
export async function writeDirectoryFile(
  file: string,
  directory: Directory,
  options: WriteDirectoryOptions = {},
): Promise<DirectoryFormat> {
  const format = WRITTEN[path.extname(file).toLowerCase()];
  if (!format) throw new Error(`${file}: write a directory as .xlsx, .csv or .json`);
  const bytes =
    format === 'xlsx'
      ? await directoryXlsx(directory, options.notes, options.readme)
      : format === 'csv'
        ? directoryCsv(directory, options.notes)
        : directoryJson(directory);
  await writeFile(file, bytes);
  return format;
}
