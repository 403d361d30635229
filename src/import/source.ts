/**
 * The intermediate model every table reader produces (text, CSV, HTML, Word, Excel): the covering notice's
 * paragraphs and the table(s) as grids of cells, merged cells expanded. The layout stage turns it into a plan.
 */
import type { ImportWarning } from '../domain/plan';

/** File formats the importer reads, detected from the bytes. */
export type TableFormat = 'text' | 'csv' | 'html' | 'docx' | 'xlsx';

/** What a table column holds, found from its header label (or known, in the text layout). */
export type ColumnRole =
  | 'no' // 序号
  | 'task' // 工作任务 / 重点任务 / 主要任务 / 任务内容 / 工作内容
  | 'detail' // 细化分工 / 具体要求 / 具体任务
  | 'lead' // 牵头单位 / 牵头部门
  | 'responsible' // 责任单位 / 责任部门 / 责任处室 / 配合单位 / 参与单位
  | 'deadline' // 完成时限 / 时限要求 / 时间要求 / 完成时间 / 时间节点
  | 'requirements'; // 工作要求 / 备注

/** One slot of a table grid. */
export interface SourceCell {
  /** The text as written; the lines of a cell (paragraphs, `<br>`, Alt+Enter) joined with `\n`. */
  text: string;
  /** Where the cell is, for messages: `Sheet1!C12`, `表1 第12行第3列`; '' in the text layout (its line says it). */
  at: string;
  /** Set on the slots a merged cell covers besides its own: the origin's row and column index in the table. */
  from?: { row: number; col: number };
  /** Units the reader has already read (the text layout splits its unit columns with the unit lexicon). */
  units?: string[];
}

/** One row of a table grid; every row of a table has the same number of cells. */
export interface SourceRow {
  /** 1-based line for warnings: the text or CSV line, the HTML source line, the sheet's row, the Word table's row. */
  line: number;
  cells: SourceCell[];
}

/** One table: a sheet, a Word or HTML table, the CSV records, the text layout's rows. */
export interface SourceTable {
  /** `Sheet1`, `表2`: names the table in messages. */
  name: string;
  rows: SourceRow[];
  /** Column roles known without a header row (the text layout's fixed columns). (Default: found from the header) */
  columns?: ColumnRole[];
}

/** A paragraph of text outside the tables: the notice's title, body, signature, dates. */
export interface SourceParagraph {
  text: string;
  line: number;
  /** `第3段` in Word, `Sheet1!A2` above a sheet's header; '' where the line number says it. */
  at: string;
}

export type SourceBlock = { kind: 'paragraph'; paragraph: SourceParagraph } | { kind: 'table'; table: SourceTable };

/** A whole file as read: its blocks in document order, plus what the reader already had to warn about. */
export interface SourceDocument {
  format: TableFormat;
  blocks: SourceBlock[];
  /** The table's caption when the reader knows it (text layout: the line before the header). (Default: found) */
  caption?: string;
  warnings: ImportWarning[];
}

/** ` (Sheet1!C12)` to append to a message, or '' when the line number is the whole location. */
export function where(at: string): string {
  return at ? ` (${at})` : '';
}
