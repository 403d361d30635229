/**
 * Word `.docx` task tables (jszip + @xmldom/xmldom on `word/document.xml`): the notice's paragraphs before the
 * table, the table(s) with horizontal (`w:gridSpan`) and vertical (`w:vMerge` restart/continue) merges expanded,
 * a cell's paragraphs as lines (units one per line), a header row repeated on every page.
 */
import { DOMParser, type Element as XmlElement, MIME_TYPE, onErrorStopParsing } from '@xmldom/xmldom';
import type JSZip from 'jszip';
import { ImportError } from '../import-error';
import type { SourceBlock, SourceCell, SourceDocument, SourceRow } from '../source';
import { tableCell } from './cell-names';

const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';

function children(element: XmlElement, localName?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (let node = element.firstChild; node; node = node.nextSibling) {
    if (node.nodeType !== 1) continue;
    const child = node as XmlElement;
    if (localName === undefined || (child.namespaceURI === W && child.localName === localName)) out.push(child);
  }
  return out;
}

function child(element: XmlElement | undefined, localName: string): XmlElement | undefined {
  return element ? children(element, localName)[0] : undefined;
}

function attribute(element: XmlElement | undefined, localName: string): string | null {
  return element ? element.getAttributeNS(W, localName) : null;
}

/** A paragraph's text: runs' `w:t`, tabs and line breaks; deleted text (`w:delText`) and field codes are not text. */
function paragraphText(paragraph: XmlElement): string {
  let out = '';
  const walk = (element: XmlElement): void => {
    for (const node of children(element)) {
      if (node.namespaceURI === W) {
        if (node.localName === 't') out += node.textContent ?? '';
        else if (node.localName === 'tab') out += ' ';
        else if (node.localName === 'br' || node.localName === 'cr') out += '\n';
        else if (node.localName === 'noBreakHyphen') out += '-';
        else if (node.localName !== 'del' && node.localName !== 'instrText' && node.localName !== 'delText') walk(node);
      } else walk(node);
    }
  };
  walk(paragraph);
  return out;
}

/** A cell's text: its paragraphs (and those of tables nested in it) one per line. */
function cellText(cell: XmlElement): string {
  const lines: string[] = [];
  const walk = (element: XmlElement): void => {
    for (const node of children(element)) {
      if (node.namespaceURI === W && node.localName === 'p') lines.push(paragraphText(node));
      else if (node.namespaceURI === W && node.localName === 'tcPr') continue;
      else walk(node);
    }
  };
  walk(cell);
  return lines.join('\n');
}

/** The grid of a Word table; `w:vMerge` without `restart` continues the merged cell above in the same column. */
function readTable(table: XmlElement, tableNo: number): SourceRow[] {
  const rows: SourceRow[] = [];
  const trs = children(table, 'tr');
  trs.forEach((tr, r) => {
    const cells: SourceCell[] = [];
    const trPr = child(tr, 'trPr');
    let c = Number(attribute(child(trPr, 'gridBefore'), 'val') ?? 0) || 0;
    for (let k = 0; k < c; k++) cells.push({ text: '', at: tableCell(tableNo, r + 1, k + 1) });
    for (const tc of cellsOf(tr)) {
      const tcPr = child(tc, 'tcPr');
      const span = Math.max(1, Number(attribute(child(tcPr, 'gridSpan'), 'val') ?? 1) || 1);
      const vMerge = child(tcPr, 'vMerge');
      const continues = vMerge !== undefined && attribute(vMerge, 'val') !== 'restart';
      const above = rows[r - 1]?.cells[c];
      let origin: SourceCell | undefined;
      let from: { row: number; col: number } | undefined;
      if (continues && above) {
        from = above.from ?? { row: r - 1, col: c };
        origin = rows[from.row]?.cells[from.col];
      }
      const text = origin ? origin.text : cellText(tc);
      for (let k = 0; k < span; k++) {
        const at = tableCell(tableNo, r + 1, c + k + 1);
        if (from) cells.push({ text, at, from });
        else cells.push(k === 0 ? { text, at } : { text, at, from: { row: r, col: c } });
      }
      c += span;
    }
    rows.push({ line: r + 1, cells });
  });
  const width = Math.max(0, ...rows.map((row) => row.cells.length));
  rows.forEach((row, r) => {
    for (let c = row.cells.length; c < width; c++) row.cells.push({ text: '', at: tableCell(tableNo, r + 1, c + 1) });
  });
  return rows;
}

/** A row's cells, also those wrapped in content controls (`w:sdt`) or custom XML. */
function cellsOf(tr: XmlElement): XmlElement[] {
  const out: XmlElement[] = [];
  for (const node of children(tr)) {
    if (node.namespaceURI === W && node.localName === 'tc') out.push(node);
    else if (node.namespaceURI === W && (node.localName === 'sdt' || node.localName === 'customXml')) {
      const content = child(node, 'sdtContent') ?? node;
      out.push(...children(content, 'tc'));
    }
  }
  return out;
}

/**
 * Reads `word/document.xml` of an opened `.docx`. Throws {@link ImportError} for a damaged part and for a document
 * without a table (a scanned table is only images).
 */
export async function readDocxDocument(zip: JSZip, file: string): Promise<SourceDocument> {
  let xml: string;
  try {
    xml = await (zip.file('word/document.xml') as JSZip.JSZipObject).async('string');
  } catch (err) {
    throw new ImportError(
      file,
      0,
      `damaged Word file: word/document.xml cannot be unpacked (${(err as Error).message})`,
    );
  }
  let body: XmlElement | undefined;
  try {
    const doc = new DOMParser({ onError: onErrorStopParsing }).parseFromString(xml, MIME_TYPE.XML_TEXT);
    body = doc.getElementsByTagNameNS(W, 'body')[0] ?? undefined;
  } catch (err) {
    throw new ImportError(file, 0, `damaged Word file: word/document.xml is not XML (${(err as Error).message})`);
  }
  if (!body) throw new ImportError(file, 0, 'damaged Word file: word/document.xml has no w:body');

  const blocks: SourceBlock[] = [];
  let paragraphs = 0;
  let tables = 0;
  const walk = (element: XmlElement): void => {
    for (const node of children(element)) {
      if (node.namespaceURI !== W) continue;
      if (node.localName === 'p') {
        paragraphs++;
        for (const text of paragraphText(node).split('\n')) {
          blocks.push({ kind: 'paragraph', paragraph: { text, line: paragraphs, at: `第${paragraphs}段` } });
        }
      } else if (node.localName === 'tbl') {
        tables++;
        blocks.push({ kind: 'table', table: { name: `表${tables}`, rows: readTable(node, tables) } });
      } else if (node.localName === 'sdt' || node.localName === 'customXml' || node.localName === 'sdtContent') {
        walk(node);
      }
    }
  };
  walk(body);
  if (tables === 0) {
    const images = body.getElementsByTagNameNS(W, 'drawing').length + body.getElementsByTagNameNS(W, 'pict').length;
    const what = images > 0 ? `only ${images} image(s) and text: a scanned table cannot be read` : 'only text';
    throw new ImportError(file, 0, `not a task table: the Word document has no table (${what})`);
  }
  return { format: 'docx', blocks, warnings: [] };
}
