/** Names of cells as people see them in the program that shows the file: `C12`, `'My sheet'!C12`, `表1 第3行第2列`. */

/** Spreadsheet column letters: 1 → A, 27 → AA. */
export function columnName(col: number): string {
  let name = '';
  for (let n = col; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

/** `Sheet1!C12`, quoting a sheet name that is not a plain word as Excel does (`'任务 表'!C12`). */
export function sheetCell(sheet: string, row: number, col: number): string {
  const name = /^[\p{L}\p{N}_]+$/u.test(sheet) ? sheet : `'${sheet.replace(/'/g, "''")}'`;
  return `${name}!${columnName(col)}${row}`;
}

/** `表1 第12行第3列`: a Word or HTML table's cell, rows and columns counted from 1 in the expanded grid. */
export function tableCell(table: number, row: number, col: number): string {
  return `表${table} 第${row}行第${col}列`;
}
