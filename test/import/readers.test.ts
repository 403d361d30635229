/** Each reader's grid on its own: merged cells expanded and marked, cell names, lines, encodings, format sniffing. */
import iconv from 'iconv-lite';
import JSZip from 'jszip';
import { Document, Packer, Paragraph, Table, TableCell, TableRow, VerticalMergeType } from 'docx';
import ExcelJS from 'exceljs';
import { decodeText } from '../../src/import/encoding';
import { readSource } from '../../src/import/readers';
import { readCsvDocument } from '../../src/import/readers/csv';
import { readHtmlDocument } from '../../src/import/readers/html';
import { cellValueText } from '../../src/import/readers/xlsx';
import type { SourceDocument, SourceTable } from '../../src/import/source';

function tableOf(doc: SourceDocument, n = 0): SourceTable {
  const table = doc.blocks.filter((b) => b.kind === 'table')[n];
  if (table?.kind !== 'table') throw new Error('no table');
  return table.table;
}

/** Each row as texts, a copy of a merged cell written `^text` (from above) or `<text` (from the left). */
function grid(table: SourceTable): string[][] {
  return table.rows.map((row, r) =>
    row.cells.map((cell) => (cell.from ? `${cell.from.row < r ? '^' : '<'}${cell.text}` : cell.text)),
  );
}

const HEADER = ['序号', '工作任务', '牵头单位', '责任单位'];

describe('the Word reader', () => {
  it('expands gridSpan and vMerge (restart, continue and Word’s bare <w:vMerge/>), cells’ paragraphs as lines', async () => {
    const cell = (text: string, options: Partial<ConstructorParameters<typeof TableCell>[0]> = {}) =>
      new TableCell({ children: text.split('\n').map((t) => new Paragraph(t)), ...options });
    const doc = new Document({
      sections: [
        {
          children: [
            new Paragraph('通知'),
            new Table({
              rows: [
                new TableRow({ children: HEADER.map((h) => cell(h)) }),
                new TableRow({ children: [cell('一、总体', { columnSpan: 4 })] }),
                new TableRow({
                  children: [
                    cell('1'),
                    cell('甲'),
                    cell('市财政局', { verticalMerge: VerticalMergeType.RESTART }),
                    cell('市税务局\n市审计局'),
                  ],
                }),
                new TableRow({
                  children: [
                    cell('2'),
                    cell('乙'),
                    cell('', { verticalMerge: VerticalMergeType.CONTINUE }),
                    cell('市统计局'),
                  ],
                }),
              ],
            }),
          ],
        },
      ],
    });
    const zip = await JSZip.loadAsync(await Packer.toBuffer(doc));
    const xml = await (zip.file('word/document.xml') as JSZip.JSZipObject).async('string');
    zip.file('word/document.xml', xml.replace('<w:vMerge w:val="continue"/>', '<w:vMerge/>'));
    const read = await readSource(await zip.generateAsync({ type: 'nodebuffer' }), { file: 'a.docx' });
    expect(read.format).toBe('docx');
    expect(read.blocks[0]).toEqual({ kind: 'paragraph', paragraph: { text: '通知', line: 1, at: '第1段' } });
    expect(grid(tableOf(read))).toEqual([
      HEADER,
      ['一、总体', '<一、总体', '<一、总体', '<一、总体'],
      ['1', '甲', '市财政局', '市税务局\n市审计局'],
      ['2', '乙', '^市财政局', '市统计局'],
    ]);
    expect(tableOf(read).rows[3]?.cells[2]).toMatchObject({ at: '表1 第4行第3列', from: { row: 2, col: 2 } });
  });
});

describe('the HTML reader', () => {
  it('expands rowspan and colspan, keeps <br> and <p> as lines, and reads a layout table as lines of text', () => {
    const doc = readHtmlDocument(`<html><head><title>不是正文</title></head><body>
      <table><tr><td>发布日期：</td><td>2021-03-18</td></tr></table>
      <p>通知&nbsp;正文</p>
      <table>
        <tr><th>序号</th><th>工作任务</th><th>牵头单位</th><th>责任单位</th></tr>
        <tr><td colspan="4">一、总体</td></tr>
        <tr><td>1</td><td>甲</td><td rowspan="2">市财政局</td><td>市税务局<br>市审计局</td></tr>
        <tr><td>2</td><td><p>乙</p><p>续</p></td><td>市统计局</td></tr>
      </table></body></html>`);
    expect(doc.blocks.slice(0, 2).map((b) => (b.kind === 'paragraph' ? b.paragraph.text : 'table'))).toEqual([
      '发布日期： 2021-03-18',
      '通知 正文',
    ]);
    const table = tableOf(doc);
    expect(grid(table)).toEqual([
      HEADER,
      ['一、总体', '<一、总体', '<一、总体', '<一、总体'],
      ['1', '甲', '市财政局', '市税务局\n市审计局'],
      ['2', '乙\n续', '^市财政局', '市统计局'],
    ]);
    expect(table.rows.map((r) => r.line)).toEqual([5, 6, 7, 8]);
    expect(table.rows[3]?.cells[3]?.at).toBe('表2 第4行第4列');
  });
});

describe('the Excel reader', () => {
  it('turns rich text, formula results, dates, numbers and errors into text', () => {
    expect(cellValueText({ richText: [{ text: '工作' }, { text: '任务' }] })).toBe('工作任务');
    expect(cellValueText({ formula: 'A1+1', result: 2 } as ExcelJS.CellFormulaValue)).toBe('2');
    expect(cellValueText(new Date(Date.UTC(2021, 5, 30)))).toBe('2021年6月30日');
    expect(cellValueText('市财政局\r\n市税务局')).toBe('市财政局\n市税务局');
    expect(cellValueText({ error: '#REF!' } as ExcelJS.CellErrorValue)).toBe('#REF!');
    expect(cellValueText(null)).toBe('');
  });

  it('marks the cells a merged range covers with its top-left cell, and names cells like Excel', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('任务 表');
    sheet.getRow(1).values = ['标题'];
    sheet.mergeCells('A1:D1');
    sheet.getRow(2).values = HEADER;
    sheet.getRow(3).values = [1, '甲', '市财政局', '市税务局'];
    sheet.getRow(4).values = [2, '乙', null, '市统计局'];
    sheet.mergeCells('C3:C4');
    const read = await readSource(Buffer.from(await workbook.xlsx.writeBuffer()), { file: 'a.xlsx' });
    expect(grid(tableOf(read))).toEqual([
      ['标题', '<标题', '<标题', '<标题'],
      HEADER,
      ['1', '甲', '市财政局', '市税务局'],
      ['2', '乙', '^市财政局', '市统计局'],
    ]);
    expect(tableOf(read).rows[3]?.cells[2]?.at).toBe("'任务 表'!C4");
  });
});

describe('the CSV reader', () => {
  it('numbers rows by their first line, also after a field spanning lines, and finds a tab delimiter', async () => {
    const doc = await readCsvDocument('序号\t工作任务\t责任单位\n1\t"甲\n续"\t市财政局\n2\t乙\t市统计局\n');
    expect(grid(tableOf(doc))).toEqual([
      ['序号', '工作任务', '责任单位'],
      ['1', '甲\n续', '市财政局'],
      ['2', '乙', '市统计局'],
    ]);
    expect(tableOf(doc).rows.map((r) => r.line)).toEqual([1, 2, 4]);
    expect(tableOf(doc).rows[2]?.cells[2]?.at).toBe('C3');
  });
});

describe('decoding', () => {
  const text = '一、总体要求\n1.公开预算 省财政厅 年底前完成\n';
  it.each([
    ['UTF-8', Buffer.from(text, 'utf8'), 'utf-8'],
    ['UTF-8 with BOM', Buffer.from(`\uFEFF${text}`, 'utf8'), 'utf-8'],
    ['GB18030', iconv.encode(text, 'gb18030'), 'gb18030'],
    ['UTF-16LE with BOM', iconv.encode(text, 'utf16-le', { addBOM: true }), 'utf-16le'],
    ['UTF-16LE', iconv.encode(text, 'utf16-le'), 'utf-16le'],
    ['UTF-16BE with BOM', iconv.encode(text, 'utf16-be', { addBOM: true }), 'utf-16be'],
    ['UTF-16BE', iconv.encode(text, 'utf16-be'), 'utf-16be'],
  ])('tells %s from the bytes', (_what, bytes, encoding) => {
    expect(decodeText(bytes, 't.txt')).toEqual({ text, encoding });
  });

  it('refuses bytes that no encoding reads, naming the line', () => {
    const bytes = Buffer.concat([Buffer.from('第一行\n第二行\n', 'utf8'), Buffer.from([0xb8, 0xff])]);
    expect(() => decodeText(bytes, 't.txt')).toThrow(
      't.txt:3: not a table file: the bytes are not UTF-8, UTF-16 or GB18030 text',
    );
  });
});

describe('format sniffing', () => {
  it('refuses ZIP archives that are neither .docx nor .xlsx, naming OpenDocument', async () => {
    const odf = new JSZip();
    odf.file('mimetype', 'application/vnd.oasis.opendocument.spreadsheet');
    await expect(readSource(await odf.generateAsync({ type: 'nodebuffer' }), { file: 'a.ods' })).rejects.toThrow(
      'a.ods: not a table file: an OpenDocument (.odt/.ods) file: save it as .docx or .xlsx first',
    );
    const other = new JSZip();
    other.file('readme.txt', 'hello');
    await expect(readSource(await other.generateAsync({ type: 'nodebuffer' }), { file: 'a.zip' })).rejects.toThrow(
      'a.zip: not a table file: a ZIP archive that is neither a Word .docx nor an Excel .xlsx',
    );
  });

  it('reads text with commas as the text layout unless a line is a header of labels', async () => {
    const text = (await readSource(Buffer.from('标题\n1.公开 省财政厅,省审计局 定期公开\n'), { file: 'a.txt' })).format;
    const csv = (await readSource(Buffer.from('标题,,\n序号,工作任务,责任单位\n1,公开,省财政厅\n'), { file: 'a.txt' }))
      .format;
    expect([text, csv]).toEqual(['text', 'csv']);
  });
});
