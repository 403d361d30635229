/**
 * Excel `.xlsx` task tables (exceljs): title rows above the header, merged ranges expanded, the sheet holding the
 * table (or the one named), rich text, formula results and real date cells turned into text.
 */
import ExcelJS from 'exceljs';
import { headerRoles } from '../columns';
import { ImportError } from '../import-error';
import { toSimplified } from '../simplified';
import type { SourceCell, SourceDocument, SourceRow, SourceTable } from '../source';
import { sheetCell } from './cell-names';

/** How many rows of a sheet are looked at for a header row. */
const HEADER_SEARCH = 40;

/** A cell value as the sheet shows it; a date becomes `2021年6月30日`, which the deadline reader understands. */
export function cellValueText(value: ExcelJS.CellValue | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\r\n?/g, '\n');
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  // exceljs reads date cells as UTC midnight of the calendar date.
  if (value instanceof Date) return `${value.getUTCFullYear()}年${value.getUTCMonth() + 1}月${value.getUTCDate()}日`;
  if ('richText' in value)
    return value.richText
      .map((run) => run.text)
      .join('')
      .replace(/\r\n?/g, '\n');
  if ('formula' in value || 'sharedFormula' in value) return cellValueText(value.result as ExcelJS.CellValue);
  if ('error' in value) return String(value.error);
  if ('text' in value) return cellValueText(value.text as ExcelJS.CellValue);
  return '';
}

/** One sheet as a grid; merged ranges leave copies that name their top-left cell. */
function readSheet(sheet: ExcelJS.Worksheet): SourceTable {
  let lastRow = 0;
  let lastCol = 0;
  sheet.eachRow({ includeEmpty: false }, (row, r) => {
    lastRow = Math.max(lastRow, r);
    row.eachCell({ includeEmpty: false }, (_cell, c) => {
      lastCol = Math.max(lastCol, c);
    });
  });
  const rows: SourceRow[] = [];
  for (let r = 1; r <= lastRow; r++) {
    const row = sheet.getRow(r);
    const cells: SourceCell[] = [];
    for (let c = 1; c <= lastCol; c++) {
      const cell = row.getCell(c);
      const at = sheetCell(sheet.name, r, c);
      const master = cell.isMerged ? cell.master : cell;
      if (master.address !== cell.address) {
        cells.push({
          text: cellValueText(master.value),
          at,
          from: { row: Number(master.row) - 1, col: Number(master.col) - 1 },
        });
      } else {
        cells.push({ text: cellValueText(cell.value), at });
      }
    }
    rows.push({ line: r, cells });
  }
  return { name: sheet.name, rows };
}

function isEmpty(table: SourceTable): boolean {
  return table.rows.every((row) => row.cells.every((cell) => cell.text.trim() === ''));
}

function hasHeader(table: SourceTable): boolean {
  return table.rows.slice(0, HEADER_SEARCH).some((row) => headerRoles(row) !== undefined);
}

/**
 * Reads a workbook: the named sheet, else the first sheet whose rows hold a header row (others with one are
 * warned about), else every non-empty sheet (the layout then reports that none holds a task table). Throws
 * {@link ImportError} for a damaged file, an unknown sheet name (listing the sheets) and empty sheets.
 * @param sheetName The sheet to read, as its tab shows it. (Default: the sheet holding the table)
 */
export async function readXlsxDocument(bytes: Buffer, file: string, sheetName?: string): Promise<SourceDocument> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw new ImportError(file, 0, `damaged Excel file: ${(err as Error).message.split('\n')[0]}`);
  }
  const sheets = workbook.worksheets;
  const names = sheets.map((s) => `'${s.name}'`).join(', ');
  if (sheetName !== undefined) {
    const wanted = toSimplified(sheetName.trim());
    const sheet =
      sheets.find((s) => s.name === sheetName) ?? sheets.find((s) => toSimplified(s.name.trim()) === wanted);
    if (!sheet) throw new ImportError(file, 0, `no sheet named '${sheetName}'; the sheets are ${names}`);
    const table = readSheet(sheet);
    if (isEmpty(table)) throw new ImportError(file, 0, `sheet '${sheet.name}' is empty`);
    return { format: 'xlsx', blocks: [{ kind: 'table', table }], warnings: [] };
  }
  const tables = sheets
    .filter((s) => s.state !== 'veryHidden')
    .map(readSheet)
    .filter((t) => !isEmpty(t));
  if (tables.length === 0) {
    throw new ImportError(
      file,
      0,
      sheets.length === 1 ? `the workbook's only sheet ${names} is empty` : `every sheet is empty (${names || 'none'})`,
    );
  }
  const withHeader = tables.filter(hasHeader);
  const chosen = withHeader[0];
  if (!chosen) return { format: 'xlsx', blocks: tables.map((table) => ({ kind: 'table', table })), warnings: [] };
  const warnings = withHeader.slice(1).map((other) => ({
    line: 0,
    message: `sheet '${other.name}' also holds a task table; only '${chosen.name}' is read (choose with --sheet)`,
  }));
  return { format: 'xlsx', blocks: [{ kind: 'table', table: chosen }], warnings };
}
