/**
 * The spreadsheet layout of a unit directory (CSV and XLSX alike): one header row, one row per unit. What
 * `duban directory init` writes and what the loaders read back, columns in any order, titled in Chinese, English or
 * both. Pure: rows of cell text in, a directory and its located problems out.
 */
import { type Contact, type Directory, UNIT_KINDS, type Unit, type UnitKind } from '../domain/directory';
import {
  checkDirectory,
  type DirectoryLocation,
  type DirectoryProblem,
  type Locate,
  problemAt,
  quote,
} from './directory-check';

/** The columns, in the order `init` writes them. */
export type ColumnKey =
  | 'code'
  | 'name'
  | 'kind'
  | 'aliases'
  | 'vertical'
  | 'generalOffice'
  | 'officerName'
  | 'officerEmail'
  | 'officerLocale'
  | 'headName'
  | 'headEmail'
  | 'headLocale'
  | 'source';

/** One column of the layout. */
export interface DirectoryColumn {
  key: ColumnKey;
  /** Chinese title, e.g. `联络员邮箱`. */
  zh: string;
  /** English title, e.g. `officer email`. */
  en: string;
  /** A file without this column is refused. */
  required: boolean;
  /** The unit field it fills, as a JSON field after `units[i].`; '' for a column that fills none. */
  field: string;
  /** What to enter, for the explanation sheet. */
  help: string;
}

/** The layout. `source` is written for the reader and ignored when read. */
export const DIRECTORY_COLUMNS: readonly DirectoryColumn[] = [
  {
    key: 'code',
    zh: '代码',
    en: 'code',
    required: true,
    field: 'code',
    help: '单位代码: lower-case ASCII words joined by "-", unique, e.g. fj-czt. Used in workflow ids: never change it once a plan runs.',
  },
  {
    key: 'name',
    zh: '单位名称',
    en: 'name',
    required: true,
    field: 'name',
    help: '单位名称 exactly as the task tables write it, e.g. 省财政厅.',
  },
  {
    key: 'kind',
    zh: '类型',
    en: 'kind',
    required: true,
    field: 'kind',
    help: 'provincial 省直部门 | city 设区市 | district 县(市、区) | office 办公厅/办公室 | division 处室 (a department’s own 台账).',
  },
  {
    key: 'aliases',
    zh: '别名',
    en: 'aliases',
    required: false,
    field: 'aliases',
    help: '其他名称 the tables may use, separated by 、 or ; (e.g. 福建省财政厅、省财政厅（省国资委）).',
  },
  {
    key: 'vertical',
    zh: '垂直管理',
    en: 'vertical',
    required: false,
    field: 'vertical',
    help: '是 for a 中央驻闽垂直管理单位 (人行, 证监局 …): named by tables one by one, never part of 省直各部门. Empty: no.',
  },
  {
    key: 'generalOffice',
    zh: '办公厅',
    en: 'general office',
    required: true,
    field: '',
    help: '是 in exactly one row: the general office (省政府办公厅), where every escalation ends. Empty: no.',
  },
  {
    key: 'officerName',
    zh: '联络员姓名',
    en: 'officer name',
    required: true,
    field: 'officer.name',
    help: '联络员 who receives the reminders. One name, no line break.',
  },
  {
    key: 'officerEmail',
    zh: '联络员邮箱',
    en: 'officer email',
    required: true,
    field: 'officer.email',
    help: 'The officer’s e-mail address, one plain address such as zhang.san@czt.fujian.gov.cn (ASCII @ and dots).',
  },
  {
    key: 'officerLocale',
    zh: '联络员语言',
    en: 'officer locale',
    required: false,
    field: 'officer.locale',
    help: 'zh (中文) or en (English): the language of the officer’s messages. Empty: zh.',
  },
  {
    key: 'headName',
    zh: '负责人姓名',
    en: 'head name',
    required: true,
    field: 'head.name',
    help: '单位负责人 who receives the first escalation and, for a lead unit, the second.',
  },
  {
    key: 'headEmail',
    zh: '负责人邮箱',
    en: 'head email',
    required: true,
    field: 'head.email',
    help: 'The head’s e-mail address, one plain address.',
  },
  {
    key: 'headLocale',
    zh: '负责人语言',
    en: 'head locale',
    required: false,
    field: 'head.locale',
    help: 'zh (中文) or en (English). Empty: zh.',
  },
  {
    key: 'source',
    zh: '来源',
    en: 'source',
    required: false,
    field: '',
    help: 'Why the row is there (the tasks naming the unit, the group it belongs to). Not read back: a note.',
  },
];

/** The header cell `init` writes: `联络员邮箱 / officer email`. */
export function columnTitle(column: DirectoryColumn): string {
  return `${column.zh} / ${column.en}`;
}

/** `A`, …, `Z`, `AA`, … for a 0-based column index. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

function normaliseTitle(title: string): string {
  return title
    .normalize('NFKC')
    .toLowerCase()
    .replace(/e-mail/g, 'email')
    .replace(/[\s*_]/g, '');
}

const TITLES = new Map<string, ColumnKey>();
for (const c of DIRECTORY_COLUMNS) {
  for (const title of [c.zh, c.en, `${c.zh}/${c.en}`, `${c.en}/${c.zh}`, `${c.zh}${c.en}`, `${c.zh}(${c.en})`]) {
    TITLES.set(normaliseTitle(title), c.key);
  }
}

/** The column a header cell names (Chinese, English, or both as `init` writes them), if any. */
export function columnOfTitle(title: string): ColumnKey | undefined {
  return TITLES.get(normaliseTitle(title));
}

const KIND_WORDS: Record<string, UnitKind> = {
  省直部门: 'provincial',
  省直单位: 'provincial',
  省级部门: 'provincial',
  设区市: 'city',
  地级市: 'city',
  市: 'city',
  县区: 'district',
  区县: 'district',
  '县（市、区）': 'district',
  县: 'district',
  区: 'district',
  办公厅: 'office',
  办公室: 'office',
  处室: 'division',
};

/** A kind cell: the English value, or its Chinese word (省直部门, 设区市, 县区, 办公厅, 处室). */
export function parseKind(value: string): UnitKind | undefined {
  const v = value.trim();
  const english = v.toLowerCase();
  return (UNIT_KINDS as readonly string[]).includes(english) ? (english as UnitKind) : KIND_WORDS[v];
}

const YES = new Set(['是', 'y', 'yes', 'true', '1', '√', '✓', 'x']);
const NO = new Set(['', '否', 'n', 'no', 'false', '0']);

/** A yes/no cell: 是/否, yes/no, true/false, 1/0, √; empty is no; anything else undefined. */
export function parseFlag(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (YES.has(v)) return true;
  if (NO.has(v)) return false;
  return undefined;
}

/** A locale cell: zh/en or 中文/英文/English; empty is the default (undefined). */
function parseLocale(value: string): Contact['locale'] | null | undefined {
  const v = value.trim().toLowerCase();
  if (v === '') return undefined;
  if (['zh', 'zh-cn', '中文', '汉语', 'chinese'].includes(v)) return 'zh';
  if (['en', '英文', '英语', 'english'].includes(v)) return 'en';
  return null;
}

/** Aliases in one cell, separated by 、 , ， ; ； or line breaks (Alt+Enter in Excel); pieces trimmed. */
export function splitAliases(value: string): string[] {
  return value
    .split(/[、,，;；\r\n]+/)
    .map((a) => a.trim())
    .filter((a) => a !== '');
}

/** What {@link directoryFromRows} read. */
export interface DirectoryRows {
  /** The directory, when the header had every required column (it may still have problems). */
  directory?: Directory;
  problems: DirectoryProblem[];
  /** Places of the directory's fields in the file. */
  locate: Locate;
}

/** Options of {@link directoryFromRows}. */
export interface DirectoryRowsOptions {
  /** The file, named in problems. */
  file: string;
}

const isBlank = (row: readonly string[]) => row.every((cell) => cell.trim() === '');

/**
 * Reads rows of cell text (row 0 is spreadsheet row 1) as a directory: the header is the first row, within the
 * first ten, that names the code and name columns (a title line above it is allowed); blank rows are skipped;
 * unknown columns are ignored. Every problem is located by row and column and the content rules of
 * {@link checkDirectory} run too, so one pass reports everything.
 */
export function directoryFromRows(rows: readonly (readonly string[])[], options: DirectoryRowsOptions): DirectoryRows {
  const { file } = options;
  const problems: DirectoryProblem[] = [];
  const headerIndex = rows
    .slice(0, 10)
    .findIndex((row) => row.some((c) => columnOfTitle(c) === 'code') && row.some((c) => columnOfTitle(c) === 'name'));
  const noLocation: Locate = (field) => ({ field });
  if (headerIndex < 0) {
    const what = rows.some((r) => !isBlank(r))
      ? 'no header row naming the columns 代码 / code and 单位名称 / name'
      : 'the file is empty';
    problems.push(
      problemAt(file, { field: '', row: 1 }, 'missing-column', `${what} (write one with duban directory init)`),
    );
    return { problems, locate: noLocation };
  }
  const header = rows[headerIndex] ?? [];
  const headerRow = headerIndex + 1;
  const indexOf = new Map<ColumnKey, number>();
  header.forEach((title, i) => {
    const key = columnOfTitle(title);
    if (!key) return;
    const first = indexOf.get(key);
    if (first !== undefined) {
      problems.push(
        problemAt(
          file,
          { field: '', row: headerRow, column: columnLetter(i), columnTitle: title.trim() },
          'missing-column',
          `column ${columnLetter(first)} has the same title; keep one`,
        ),
      );
    } else indexOf.set(key, i);
  });
  for (const column of DIRECTORY_COLUMNS) {
    if (column.required && !indexOf.has(column.key)) {
      problems.push(
        problemAt(file, { field: '', row: headerRow }, 'missing-column', `no column ${columnTitle(column)}`),
      );
    }
  }
  if (problems.length > 0) return { problems, locate: noLocation };

  const columnOf = new Map<string, ColumnKey>(DIRECTORY_COLUMNS.filter((c) => c.field).map((c) => [c.field, c.key]));
  const unitRows: number[] = [];
  const place = (rowIndex: number | undefined, key: ColumnKey, field: string): DirectoryLocation => {
    const i = indexOf.get(key);
    return {
      field,
      ...(rowIndex === undefined ? {} : { row: rowIndex + 1 }),
      ...(i === undefined ? {} : { column: columnLetter(i), columnTitle: (header[i] ?? '').trim() }),
    };
  };
  const locate: Locate = (field) => {
    const m = /^units\[(\d+)\](?:\.(.+))?$/.exec(field);
    if (!m) return field === 'generalOffice' ? place(undefined, 'generalOffice', field) : { field };
    const rowIndex = unitRows[Number(m[1])];
    const sub = (m[2] ?? '').replace(/\[\d+\]$/, '');
    const key = columnOf.get(sub);
    return key ? place(rowIndex, key, field) : { field, ...(rowIndex === undefined ? {} : { row: rowIndex + 1 }) };
  };

  const units: Unit[] = [];
  const marked: number[] = [];
  for (let r = headerIndex + 1; r < rows.length; r++) {
    const row = rows[r] ?? [];
    if (isBlank(row)) continue;
    const cell = (key: ColumnKey) => {
      const i = indexOf.get(key);
      return i === undefined ? '' : (row[i] ?? '');
    };
    const bad = (key: ColumnKey, message: string) => {
      const field = DIRECTORY_COLUMNS.find((c) => c.key === key)?.field;
      const at = place(r, key, field ? `units[${units.length}].${field}` : 'generalOffice');
      problems.push(problemAt(file, at, 'invalid-value', message));
    };
    const kindCell = cell('kind');
    const kind = parseKind(kindCell);
    if (!kind) {
      bad(
        'kind',
        `${kindCell.trim() === '' ? 'missing kind' : `unknown kind ${quote(kindCell)}`}: one of ${UNIT_KINDS.join(', ')}`,
      );
    }
    const vertical = parseFlag(cell('vertical'));
    if (vertical === undefined) bad('vertical', `${quote(cell('vertical'))} is not 是 or 否 (yes or no)`);
    const office = parseFlag(cell('generalOffice'));
    if (office === undefined) bad('generalOffice', `${quote(cell('generalOffice'))} is not 是 or 否 (yes or no)`);
    const contact = (name: ColumnKey, email: ColumnKey, locale: ColumnKey): Contact => {
      const parsed = parseLocale(cell(locale));
      if (parsed === null) bad(locale, `unknown locale ${quote(cell(locale))}: zh or en`);
      return { name: cell(name), email: cell(email), ...(parsed ? { locale: parsed } : {}) };
    };
    if (office) marked.push(units.length);
    unitRows.push(r);
    units.push({
      code: cell('code'),
      name: cell('name'),
      kind: kind ?? 'provincial',
      aliases: splitAliases(cell('aliases')),
      officer: contact('officerName', 'officerEmail', 'officerLocale'),
      head: contact('headName', 'headEmail', 'headLocale'),
      ...(vertical ? { vertical: true } : {}),
    });
  }
  if (units.length === 0) {
    problems.push(
      problemAt(file, { field: 'units', row: headerRow + 1 }, 'invalid-value', 'no unit rows below the header'),
    );
  }
  const office = marked[0];
  if (office === undefined) {
    if (units.length > 0) {
      problems.push(
        problemAt(
          file,
          place(undefined, 'generalOffice', 'generalOffice'),
          'general-office',
          'no row is marked 是 as the general office (省政府办公厅)',
        ),
      );
    }
  } else {
    for (const extra of marked.slice(1)) {
      problems.push(
        problemAt(
          file,
          place(unitRows[extra], 'generalOffice', 'generalOffice'),
          'general-office',
          `a second general office: row ${(unitRows[office] ?? 0) + 1} is marked too; mark one`,
        ),
      );
    }
  }
  const directory: Directory = { generalOffice: office === undefined ? '' : (units[office]?.code ?? ''), units };
  problems.push(...checkDirectory(directory, file, locate, { generalOffice: false }));
  // Spreadsheet order: by row, then by column (Z before AA).
  const columnOrder = (p: DirectoryProblem) => (p.column ?? '').padStart(3, ' ');
  problems.sort(
    (a, b) =>
      (a.row ?? 0) - (b.row ?? 0) || (columnOrder(a) < columnOrder(b) ? -1 : columnOrder(a) > columnOrder(b) ? 1 : 0),
  );
  return { directory, problems, locate };
}

/** Notes for the `source` column, by unit code. */
export type SourceNotes = ReadonlyMap<string, string>;

/**
 * The header and one row per unit, general office marked 是, in the column order of {@link DIRECTORY_COLUMNS}.
 *
 * @param notes Text of the `来源 / source` column by unit code. (Default: none)
 */
export function directoryToRows(directory: Directory, notes: SourceNotes = new Map()): string[][] {
  const values = (unit: Unit): Record<ColumnKey, string> => ({
    code: unit.code,
    name: unit.name,
    kind: unit.kind,
    aliases: unit.aliases.join('、'),
    vertical: unit.vertical ? '是' : '',
    generalOffice: unit.code === directory.generalOffice ? '是' : '',
    officerName: unit.officer.name,
    officerEmail: unit.officer.email,
    officerLocale: unit.officer.locale ?? '',
    headName: unit.head.name,
    headEmail: unit.head.email,
    headLocale: unit.head.locale ?? '',
    source: notes.get(unit.code) ?? '',
  });
  return [
    DIRECTORY_COLUMNS.map(columnTitle),
    ...directory.units.map((unit) => {
      const v = values(unit);
      return DIRECTORY_COLUMNS.map((c) => v[c.key]);
    }),
  ];
}
