import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { addressProblem, nameProblem } from '../../src/domain/contact';
import type { Directory } from '../../src/domain/directory';
import {
  BUNDLED_DIRECTORY_PATH,
  type DirectoryError,
  loadDirectory,
  loadDirectoryFile,
  readDirectoryFile,
  validateDirectory,
} from '../../src/import/directory';
import { directoryCsv, directoryJson, directoryXlsx, writeDirectoryFile } from '../../src/import/directory-files';
import { columnLetter, directoryFromRows } from '../../src/import/directory-table';
import { type MailInputError, assertAddress } from '../../src/mail/errors';

const fixtures = path.resolve(__dirname, '../fixtures/directories');
const dir = mkdtempSync(path.join(tmpdir(), 'duban-directory-'));
const bundled = (): Directory => JSON.parse(readFileSync(BUNDLED_DIRECTORY_PATH, 'utf8'));

function write(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** The problems of a reading as `[type, where]` pairs, compact for exact assertions. */
function placesOf(problems: { type: string; where: string }[]): [string, string][] {
  return problems.map((p) => [p.type, p.where]);
}

describe('contact rules (src/domain/contact.ts)', () => {
  it.each([
    ['张三', undefined],
    ['省政府办公厅联络员', undefined],
    ['', 'missing'],
    ['  ', 'missing'],
    ['张三\n', 'control-character'],
    ['张\r三', 'control-character'],
    ['张\t三', 'control-character'],
    ['张\u2028三', 'control-character'],
    ['\ufeff张三', 'control-character'],
    ['张三 ', 'untrimmed'],
    ['\u3000张三', 'untrimmed'],
  ])('name %j → %s', (name, type) => {
    expect(nameProblem(name)?.type).toBe(type);
  });

  it.each([
    ['zhang.san@czt.fujian.gov.cn', undefined],
    ["o'brien+duban@mail-1.example.org", undefined],
    ['czt.officer@duban.example', undefined],
    ['', 'missing'],
    ['a@b.cn\n', 'control-character'],
    [' a@b.cn', 'untrimmed'],
    ['zhang＠fj.gov.cn', 'invalid-address'],
    ['zhang@fj。gov.cn', 'invalid-address'],
    ['张三@fj.gov.cn', 'invalid-address'],
    ['张三 <zhang@fj.gov.cn>', 'invalid-address'],
    ['a@fj.gov.cn;b@fj.gov.cn', 'invalid-address'],
    ['zhang.fj.gov.cn', 'invalid-address'],
    ['a@@fj.gov.cn', 'invalid-address'],
    ['a..b@fj.gov.cn', 'invalid-address'],
    ['a@localhost', 'invalid-address'],
    ['a@fj.c', 'invalid-address'],
    ['a@-fj.gov.cn', 'invalid-address'],
  ])('address %j → %s', (address, type) => {
    expect(addressProblem(address)?.type).toBe(type);
  });

  it('names the full-width character a Chinese input method typed', () => {
    expect(addressProblem('zhang＠fj.gov.cn')?.reason).toBe(
      "contains the non-ASCII character '＠' U+FF20 (typed with a Chinese input method?)",
    );
  });

  it('is the rule the mailer applies: the same addresses are refused when a notice is sent', () => {
    expect(() => assertAddress('zhang＠fj.gov.cn', 'recipient address')).toThrow(
      expect.objectContaining({ type: 'InvalidAddress' }) as MailInputError,
    );
    expect(() => assertAddress('a@b.cn\r\nBcc: x@evil.test', 'recipient address')).toThrow(
      expect.objectContaining({ type: 'HeaderInjection' }) as MailInputError,
    );
    expect(() => assertAddress('zhang.san@czt.fujian.gov.cn', 'recipient address')).not.toThrow();
  });
});

describe('JSON directories', () => {
  it('still loads the bundled directory, synchronously', () => {
    const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
    expect(directory.units).toHaveLength(52);
    expect(directory.generalOffice).toBe('fj-bgt');
  });

  it('reports every problem by field, not only the first', () => {
    const data = bundled();
    data.units[3]!.officer.email = '';
    data.units[5]!.head.name = '张三\n';
    data.units[7]!.code = data.units[6]!.code;
    data.units[9]!.aliases = ['省财政厅'];
    data.units[10]!.name = ' 省环保厅';
    data.units[11]!.head.email = 'zjt.head＠duban.example';
    data.generalOffice = 'fj-nowhere';
    let error: DirectoryError | undefined;
    try {
      validateDirectory(data, 'd.json');
    } catch (err) {
      error = err as DirectoryError;
    }
    expect(error?.name).toBe('ImportError');
    expect(placesOf(error?.problems ?? [])).toEqual([
      ['missing-address', 'units[3].officer.email'],
      ['unsafe-name', 'units[5].head.name'],
      ['duplicate-code', 'units[7].code'],
      ['duplicate-name', 'units[9].aliases[0]'],
      ['untrimmed-name', 'units[10].name'],
      ['invalid-address', 'units[11].head.email'],
      ['general-office', 'generalOffice'],
    ]);
    expect(error?.message.split('\n')).toEqual([
      'd.json: units[3].officer.email: missing e-mail address of the officer (联络员)',
      'd.json: units[5].head.name: name of the head (单位负责人) contains a line break (LF): "张三\\n"',
      "d.json: units[7].code: 'fj-mzt' is also units[6].code",
      "d.json: units[9].aliases[0]: '省财政厅' is also units[7].name (省财政厅)",
      'd.json: units[10].name: unit name has a leading or trailing space: " 省环保厅"',
      'd.json: units[11].head.email: Invalid email address of the head (单位负责人), "zjt.head＠duban.example": ' +
        "contains the non-ASCII character '＠' U+FF20 (typed with a Chinese input method?)",
      "d.json: generalOffice: 'fj-nowhere' is not the code of a unit",
    ]);
  });

  it('reports wrong types and unknown fields with their path', () => {
    const data = bundled() as unknown as { units: Record<string, unknown>[] };
    data.units[2]!.kind = 'county';
    data.units[4]!.phone = '0591';
    delete (data.units[6]!.head as Record<string, unknown>).email;
    const reading = readDirectoryFile(write('types.json', JSON.stringify(data)));
    return expect(reading.then((r) => placesOf(r.problems))).resolves.toEqual([
      ['invalid-value', 'units[2].kind'],
      ['invalid-value', 'units[4]'],
      ['invalid-value', 'units[6].head.email'],
    ]);
  });

  it('refuses a CSV or XLSX file in the synchronous loader with a hint, and an .xls file with another', () => {
    const csv = write('d.csv', directoryCsv(bundled()));
    expect(() => loadDirectory(csv)).toThrow(
      /d\.csv: a CSV unit directory is read by loadDirectoryFile; this command reads JSON only for now\. Convert it: duban directory convert .*d\.csv --out directory\.json/,
    );
    const noExtension = write('directory', readFileSync(path.join(fixtures, 'small-zh.csv')));
    expect(() => loadDirectory(noExtension)).toThrow(/a CSV unit directory is read by loadDirectoryFile/);
    expect(() => loadDirectory(write('d.xlsx', 'PK'))).toThrow(
      /d\.xlsx: an XLSX unit directory is read by loadDirectoryFile/,
    );
    expect(() => loadDirectory(write('d.xls', 'x'))).toThrow(
      /d\.xls: an Excel 97-2003 \(\.xls\).*save it as \.xlsx or CSV UTF-8/,
    );
  });
});

describe('CSV and XLSX directories', () => {
  it('reports every problem of a CSV with its row and column title', async () => {
    const reading = await readDirectoryFile(path.join(fixtures, 'problems.csv'));
    expect(reading.format).toBe('csv');
    expect(reading.problems.map((p) => [p.type, p.row, p.column, p.columnTitle?.split(' / ')[1]])).toEqual([
      ['missing-address', 3, 'H', 'officer email'],
      ['duplicate-code', 4, 'A', 'code'],
      ['unsafe-name', 4, 'G', 'officer name'],
      ['invalid-address', 4, 'K', 'head email'],
      ['duplicate-name', 5, 'D', 'aliases'],
      ['untrimmed-name', 5, 'G', 'officer name'],
      ['invalid-address', 5, 'K', 'head email'],
      ['invalid-value', 6, 'C', 'kind'],
      ['invalid-value', 6, 'E', 'vertical'],
      ['general-office', 6, 'F', 'general office'],
      ['invalid-value', 6, 'I', 'officer locale'],
      ['missing-address', 6, 'K', 'head email'],
      ['invalid-code', 8, 'A', 'code'],
      ['invalid-address', 8, 'H', 'officer email'],
      ['missing-name', 8, 'J', 'head name'],
    ]);
    expect(reading.problems[2]?.where).toBe('row 4, column G (联络员姓名 / officer name)');
    expect(reading.problems[4]?.message).toBe("'省财政厅' is also the name of row 3 (省财政厅)");
    await expect(loadDirectoryFile(path.join(fixtures, 'problems.csv'))).rejects.toThrow(
      /problems\.csv: row 3, column H \(联络员邮箱 \/ officer email\): missing e-mail address/,
    );
  });

  it('reads Chinese-only titles in any order, below a title line, ignoring blank rows and unknown columns', async () => {
    const directory = await loadDirectoryFile(path.join(fixtures, 'small-zh.csv'));
    expect(directory).toEqual({
      generalOffice: 'fj-bgt',
      units: [
        {
          code: 'fj-bgt',
          name: '省政府办公厅',
          kind: 'office',
          aliases: [],
          officer: { name: '王五', email: 'bgt.officer@fj.example.cn' },
          head: { name: '赵六', email: 'bgt.head@fj.example.cn' },
        },
        {
          code: 'fj-czt',
          name: '省财政厅',
          kind: 'provincial',
          aliases: [],
          officer: { name: '张三', email: 'czt.officer@fj.example.cn' },
          head: { name: '李四', email: 'czt.head@fj.example.cn' },
        },
        {
          code: 'fj-fuzhou',
          name: '福州市',
          kind: 'city',
          aliases: [],
          officer: { name: '陈七', email: 'fz.officer@fj.example.cn' },
          head: { name: '周八', email: 'fz.head@fj.example.cn' },
        },
      ],
    });
  });

  it('reads English-only titles too', async () => {
    const text = readFileSync(path.join(fixtures, 'small-zh.csv'), 'utf8')
      .replace(
        '单位名称,代码,联络员姓名,联络员邮箱,负责人姓名,负责人邮箱,类型,办公厅',
        'name,code,Officer Name,officer e-mail,head name,head email,kind,general office',
      )
      .replace('办公厅,是', 'office,yes')
      .replace('省直部门', 'provincial')
      .replace('设区市,否', 'city,no');
    expect(await loadDirectoryFile(write('en.csv', text))).toEqual(
      await loadDirectoryFile(path.join(fixtures, 'small-zh.csv')),
    );
  });

  it('decodes GB18030, UTF-16 with BOM (tab-separated, as Excel saves Unicode text) and BOM-less UTF-8 alike', async () => {
    const expected = await loadDirectoryFile(path.join(fixtures, 'small-zh.csv'));
    const text = readFileSync(path.join(fixtures, 'small-zh.csv'), 'utf8');
    const gb = write('gb.csv', iconv.encode(text, 'gb18030'));
    expect(readFileSync(gb).includes(Buffer.from('省财政厅', 'utf8'))).toBe(false);
    expect(await loadDirectoryFile(gb)).toEqual(expected);
    const utf16 = write('utf16.csv', iconv.encode(text.replace(/,/g, '\t'), 'utf-16le', { addBOM: true }));
    expect(await loadDirectoryFile(utf16)).toEqual(expected);
    expect(await loadDirectoryFile(write('plain.csv', text))).toEqual(expected);
  });

  it('refuses a file without the required columns, naming each', async () => {
    const reading = await readDirectoryFile(write('cols.csv', '代码,单位名称,类型\nfj-bgt,省政府办公厅,office\n'));
    expect(reading.problems.map((p) => [p.type, p.where, p.message])).toEqual([
      ['missing-column', 'row 1', 'no column 办公厅 / general office'],
      ['missing-column', 'row 1', 'no column 联络员姓名 / officer name'],
      ['missing-column', 'row 1', 'no column 联络员邮箱 / officer email'],
      ['missing-column', 'row 1', 'no column 负责人姓名 / head name'],
      ['missing-column', 'row 1', 'no column 负责人邮箱 / head email'],
    ]);
  });

  it('refuses a directory with no general office marked', () => {
    const rows = [
      ['代码', '单位名称', '类型', '办公厅', '联络员姓名', '联络员邮箱', '负责人姓名', '负责人邮箱'],
      ['fj-czt', '省财政厅', 'provincial', '', '张三', 'a@fj.example.cn', '李四', 'b@fj.example.cn'],
    ];
    const { problems } = directoryFromRows(rows, { file: 'x.csv' });
    expect(placesOf(problems)).toEqual([['general-office', 'column D (办公厅)']]);
    expect(problems[0]?.message).toBe('no row is marked 是 as the general office (省政府办公厅)');
  });

  it('reads XLSX cells as text: mailto hyperlinks, rich text, booleans', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(write('bundled.xlsx', await directoryXlsx(loadDirectory(BUNDLED_DIRECTORY_PATH))));
    const sheet = workbook.worksheets[0]!;
    sheet.getCell('H2').value = { text: 'bgt.officer@duban.example', hyperlink: 'mailto:bgt.officer@duban.example' };
    sheet.getCell('J2').value = { richText: [{ text: '省政府办公厅' }, { text: '负责人', font: { bold: true } }] };
    sheet.getCell('E37').value = true;
    const file = path.join(dir, 'cells.xlsx');
    await workbook.xlsx.writeFile(file);
    const directory = await loadDirectoryFile(file);
    expect(directory).toEqual(loadDirectory(BUNDLED_DIRECTORY_PATH));
  });

  it('gives back the same directory from XLSX, CSV and JSON as it was written', async () => {
    const directory = loadDirectory(BUNDLED_DIRECTORY_PATH);
    directory.units[1]!.officer.locale = 'en';
    directory.units[2]!.aliases.push('省经济和信息化委员会（省信息化局）');
    for (const ext of ['xlsx', 'csv', 'json']) {
      const file = path.join(dir, `same.${ext}`);
      expect(await writeDirectoryFile(file, directory)).toBe(ext);
      expect(await loadDirectoryFile(file)).toEqual(directory);
    }
    expect(JSON.parse(directoryJson(directory)).units[0].vertical).toBe(false);
  });

  it('names columns past Z as a spreadsheet does', () => {
    expect([0, 7, 25, 26, 27, 701, 702].map(columnLetter)).toEqual(['A', 'H', 'Z', 'AA', 'AB', 'ZZ', 'AAA']);
  });
});
