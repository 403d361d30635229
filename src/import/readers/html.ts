/**
 * HTML pages as saved from a government site: the notice as the page's text before the table, the task table a
 * `<table>` with `rowspan`/`colspan`, `<p>` and `<br>` inside cells as line breaks. Pages laid out with tables keep
 * the text of those tables as paragraphs; only a table with a header row (工作任务 … 责任单位) is read as a grid.
 */
import { DomUtils, parseDocument } from 'htmlparser2';
import { headerRoles } from '../columns';
import type { SourceBlock, SourceCell, SourceDocument, SourceRow } from '../source';
import { tableCell } from './cell-names';

type DomNode = ReturnType<typeof parseDocument>['children'][number];
type DomElement = Parameters<typeof DomUtils.getAttributeValue>[0];

/** Elements whose text is not page text. */
const SKIPPED = new Set(['head', 'script', 'style', 'noscript', 'template', 'iframe', 'object', 'select', 'button']);
/** Elements that end a line of text. */
const BLOCKS = new Set([
  'p',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'li',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'section',
  'article',
  'header',
  'footer',
  'nav',
  'aside',
  'main',
  'blockquote',
  'pre',
  'center',
  'form',
  'caption',
  'hr',
  'address',
  'figure',
  'figcaption',
  'table',
  'tr',
]);
/** How many rows of a table are looked at for a header row. */
const HEADER_SEARCH = 40;

/** The meta charset an HTML file declares in its first bytes (`<meta charset="gb2312">` or http-equiv). */
export function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096)).toString('latin1');
  return /<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)/i.exec(head)?.[1];
}

/** Whether decoded text is an HTML page (markup first, or a table's cells anywhere). */
export function looksLikeHtml(text: string): boolean {
  return (
    /^\s*(?:<\?xml[^>]*>\s*)?<(?:!doctype\s+html|html|head|body|meta|title|table|div|p|!--)\b/i.test(text) ||
    (/<table\b/i.test(text) && /<\/t[dh]>/i.test(text))
  );
}

/** Reads an HTML page into paragraphs and task tables. Never throws: a page without a task table has none. */
export function readHtmlDocument(html: string): SourceDocument {
  const dom = parseDocument(html, { withStartIndices: true, decodeEntities: true, lowerCaseTags: true });
  const newlines: number[] = [];
  for (let i = html.indexOf('\n'); i >= 0; i = html.indexOf('\n', i + 1)) newlines.push(i);
  const lineOf = (offset: number | null): number => {
    let lo = 0;
    let hi = newlines.length;
    const at = offset ?? 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((newlines[mid] as number) < at) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  };

  const allTables = DomUtils.getElementsByTagName('table', dom.children, true);
  const blocks: SourceBlock[] = [];
  let buffer = '';
  let bufferStart: number | null = null;
  const flush = () => {
    const text = buffer.replace(/[ \t\u00a0\u3000]+/g, ' ').trim();
    if (text) blocks.push({ kind: 'paragraph', paragraph: { text, line: lineOf(bufferStart), at: '' } });
    buffer = '';
    bufferStart = null;
  };

  const walk = (node: DomNode): void => {
    if (DomUtils.isText(node)) {
      if (bufferStart === null && node.data.trim()) bufferStart = node.startIndex;
      buffer += node.data.replace(/\s+/g, ' ');
      return;
    }
    if (!DomUtils.isTag(node)) return;
    const name = node.name;
    if (SKIPPED.has(name)) return;
    if (name === 'br') return flush();
    if (name === 'table') {
      flush();
      const rows = tableRows(node);
      const grid = expandTable(rows, allTables.indexOf(node) + 1, lineOf);
      if (grid.slice(0, HEADER_SEARCH).some((row) => headerRoles(row) !== undefined)) {
        blocks.push({ kind: 'table', table: { name: `表${allTables.indexOf(node) + 1}`, rows: grid } });
        return;
      }
      // A layout table: a row of plain cells is one line (发布日期： | 2021-03-18); cells holding tables are walked.
      for (const row of rows) {
        const cells = row.children.filter(isCell);
        if (cells.some((cell) => DomUtils.getElementsByTagName('table', cell.children, true).length > 0)) {
          for (const cell of cells) {
            cell.children.forEach(walk);
            flush();
          }
        } else {
          bufferStart = row.startIndex;
          buffer = cells.map((cell) => cellText(cell).replace(/\n/g, ' ')).join(' ');
          flush();
        }
      }
      return;
    }
    const block = BLOCKS.has(name);
    if (block) flush();
    node.children.forEach(walk);
    if (block) flush();
  };
  dom.children.forEach(walk);
  flush();
  return { format: 'html', blocks, warnings: [] };
}

function isCell(node: DomNode): node is DomElement {
  return DomUtils.isTag(node) && (node.name === 'td' || node.name === 'th');
}

/** A table's own rows: in thead/tbody/tfoot or directly in it, not those of tables nested in its cells. */
function tableRows(table: DomElement): DomElement[] {
  const rows: DomElement[] = [];
  for (const child of table.children) {
    if (!DomUtils.isTag(child)) continue;
    if (child.name === 'tr') rows.push(child);
    else if (child.name === 'thead' || child.name === 'tbody' || child.name === 'tfoot') {
      for (const row of child.children) if (DomUtils.isTag(row) && row.name === 'tr') rows.push(row);
    }
  }
  return rows;
}

/** A cell's text: `<br>`, `<p>`, `<div>` and list items break lines; source line breaks are only spaces. */
function cellText(cell: DomElement): string {
  let out = '';
  const walk = (node: DomNode): void => {
    if (DomUtils.isText(node)) {
      out += node.data.replace(/\s+/g, ' ');
      return;
    }
    if (!DomUtils.isTag(node) || SKIPPED.has(node.name)) return;
    if (node.name === 'br') {
      out += '\n';
      return;
    }
    const block = BLOCKS.has(node.name) || node.name === 'td' || node.name === 'th';
    if (block) out += '\n';
    node.children.forEach(walk);
    if (block) out += '\n';
  };
  cell.children.forEach(walk);
  return out
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0\u3000]+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

/** The grid of a table: `rowspan`/`colspan` expanded, each covered slot a copy that names its origin. */
function expandTable(rows: DomElement[], tableNo: number, lineOf: (offset: number | null) => number): SourceRow[] {
  const grid: (SourceCell | undefined)[][] = rows.map(() => []);
  rows.forEach((row, r) => {
    let c = 0;
    for (const cell of row.children.filter(isCell)) {
      while (grid[r]?.[c] !== undefined) c++;
      const rowSpan = spanOf(cell, 'rowspan', rows.length - r);
      const colSpan = spanOf(cell, 'colspan', 1000);
      const text = cellText(cell);
      for (let dr = 0; dr < rowSpan; dr++) {
        for (let dc = 0; dc < colSpan; dc++) {
          const target = grid[r + dr] as (SourceCell | undefined)[];
          const at = tableCell(tableNo, r + dr + 1, c + dc + 1);
          target[c + dc] = dr === 0 && dc === 0 ? { text, at } : { text, at, from: { row: r, col: c } };
        }
      }
      c += colSpan;
    }
  });
  const width = Math.max(0, ...grid.map((cells) => cells.length));
  return rows.map((row, r) => ({
    line: lineOf(row.startIndex),
    cells: Array.from({ length: width }, (_, c) => grid[r]?.[c] ?? { text: '', at: tableCell(tableNo, r + 1, c + 1) }),
  }));
}

function spanOf(cell: DomElement, attribute: string, max: number): number {
  const value = Number.parseInt(DomUtils.getAttributeValue(cell, attribute) ?? '1', 10);
  return Number.isFinite(value) && value >= 1 ? Math.min(value, max) : 1;
}
