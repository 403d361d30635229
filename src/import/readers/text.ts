/**
 * The text layout of a task table (the web text of the Fujian 2017 table): title line, 发布日期, notice paragraphs,
 * signature and date, then whitespace-separated rows `N.title [lead] [responsible] [requirements]`, sections 一、 and
 * subsections （一）, repeated header rows. Columns have no separators, so the unit lexicon tells unit cells from
 * requirement prose; the rows come out as a grid with the columns 工作任务, 牵头单位, 责任单位, 工作要求.
 */
import type { Directory } from '../../domain/directory';
import type { ImportWarning } from '../../domain/plan';
import { ImportError } from '../import-error';
import { CAPTION, guessIssuer } from '../notice';
import { provinceOf } from '../plan-id';
import { toSimplified } from '../simplified';
import type { SourceCell, SourceDocument, SourceParagraph, SourceRow } from '../source';
import { UnitLexicon } from '../unit-names';

const SECTION = /^[一二三四五六七八九十]+[、.．]/;
const SUBSECTION = /^[（(][一二三四五六七八九十]+[）)]/;
const TASK_ROW = /^(\d{1,4})\s*[.．、]\s*(\S.*)$/;
/** Every kind of whitespace, including the ideographic space (U+3000) used for indentation. */
const SPACE = /[\s\u3000]+/g;

/** The repeated header row `工作任务 牵头单位 责任单位 工作要求`, however it is spaced (the seed spaces it with U+3000). */
function isHeaderRow(line: string): boolean {
  const compact = line.replace(SPACE, '');
  return compact.includes('工作任务') && (compact.includes('牵头单位') || compact.includes('责任单位'));
}

/** Options of {@link readTextDocument}. */
export interface TextReadOptions {
  /** File name used in errors. (Default: '<input>') */
  file?: string;
  /** Unit directory whose names the lexicon recognises exactly. (Default: none) */
  directory?: Directory;
}

/**
 * Reads the text layout into paragraphs (title and notice) and one table. Throws {@link ImportError} when the text
 * holds no numbered task rows or a row's units cannot be read.
 */
export function readTextDocument(text: string, options: TextReadOptions = {}): SourceDocument {
  const file = options.file ?? '<input>';
  const fail = (line: number, reason: string): never => {
    throw new ImportError(file, line, reason);
  };
  const warnings: ImportWarning[] = [];
  const warn = (line: number, message: string) => warnings.push({ line, message });
  const written = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((raw) => raw.replace(SPACE, ' ').trim());
  const lines = written.map(toSimplified);

  const titleIndex = lines.findIndex((l) => l !== '');
  if (titleIndex < 0) fail(1, 'not a task table: the file is empty');
  const tableStart = lines.findIndex(
    (l, i) => i > titleIndex && (isHeaderRow(l) || SECTION.test(l) || TASK_ROW.test(l) || CAPTION.test(l)),
  );
  if (tableStart < 0 || !lines.slice(tableStart).some((l) => TASK_ROW.test(l))) {
    fail(titleIndex + 1, 'not a task table: no numbered task rows (1.任务 …) found');
  }
  const paragraphs: SourceParagraph[] = [];
  for (let i = titleIndex; i < tableStart; i++) {
    if (lines[i] !== '') paragraphs.push({ text: written[i] ?? '', line: i + 1, at: '' });
  }
  const caption = written.slice(tableStart).find((_, i) => CAPTION.test(lines[tableStart + i] ?? ''));
  const lexicon = new UnitLexicon(options.directory, provinceOf(guessIssuer(paragraphs) ?? ''));

  const cell = (value: string): SourceCell => ({ text: value, at: '' });
  const rows: SourceRow[] = [];
  let lastTask: SourceRow | undefined;
  for (let index = tableStart; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const shown = written[index] ?? '';
    const lineNo = index + 1;
    if (line === '' || isHeaderRow(line)) continue;
    if (SECTION.test(line) || SUBSECTION.test(line)) {
      rows.push({ line: lineNo, cells: [cell(shown), cell(''), cell(''), cell('')] });
      continue;
    }
    const row = TASK_ROW.exec(line);
    if (!row && CAPTION.test(line)) continue;
    if (!row) {
      const requirements = lastTask?.cells[3];
      if (requirements && lastTask) {
        requirements.text = [requirements.text, shown].filter((s) => s !== '').join(' ');
        warn(
          lineNo,
          `not a task row; appended to the requirements of task ${/^\d+/.exec(lastTask.cells[0]?.text ?? '')?.[0]}`,
        );
      } else {
        warn(lineNo, 'not a task row, section or header; ignored');
      }
      continue;
    }
    const no = Number(row[1]);
    const restStart = line.length - (row[2] ?? '').length;
    lastTask = { line: lineNo, cells: readRow(no, line, shown, restStart, lineNo, lexicon, warn, fail) };
    rows.push(lastTask);
  }
  return {
    format: 'text',
    blocks: [
      ...paragraphs.map((paragraph) => ({ kind: 'paragraph' as const, paragraph })),
      { kind: 'table', table: { name: file, rows, columns: ['task', 'lead', 'responsible', 'requirements'] } },
    ],
    caption,
    warnings,
  };
}

/**
 * Splits a task row into 工作任务, 牵头单位, 责任单位 and 工作要求 cells.
 *
 * Lead vs responsible (tables often have no separate 牵头单位 column):
 * - two unit columns: the first is 牵头单位, the second 责任单位 (the table's column order);
 * - one unit column: its leading run of single provincial units (departments, regulators) is 牵头单位 and the rest
 *   (groups 省直各部门 / 省直有关部门 / 各设区市, cities, 平潭综合实验区) is 责任单位, so rows 40 and 45 of the 2017
 *   table lead with 省金融办 … and 省国土厅; a column of groups and cities only has no lead units (the general office
 *   takes the lead escalation, as the default policy has it for tasks without lead units); a column of provincial units only
 *   is read as the lead column, with a warning;
 * - no unit column (the second column is requirement prose): empty unit cells, which the layout fills from the row
 *   above (a merged cell in the original).
 */
function readRow(
  no: number,
  line: string,
  shown: string,
  restStart: number,
  lineNo: number,
  lexicon: UnitLexicon,
  warn: (line: number, message: string) => void,
  fail: (line: number, reason: string) => never,
): SourceCell[] {
  const rest = line.slice(restStart);
  const tokens = [...rest.matchAll(/\S+/g)];
  const titleToken = tokens[0];
  const title = titleToken ? shown.slice(restStart, restStart + titleToken[0].length) : '';
  const columns: { names: string[]; text: string }[] = [];
  let next = 1;
  while (columns.length < 2 && next < tokens.length) {
    const token = tokens[next] as RegExpMatchArray;
    const read = lexicon.readCell(token[0]);
    const text = shown.slice(restStart + (token.index ?? 0), restStart + (token.index ?? 0) + token[0].length);
    if (read.kind === 'broken')
      fail(lineNo, `task ${no}: cannot read the units '${text}': '${read.item}' is not a unit name`);
    if (read.kind !== 'units') break;
    columns.push({ names: read.names, text });
    next++;
  }
  const after = tokens[next];
  const requirements = after ? shown.slice(restStart + (after.index ?? 0)).trim() : '';

  let lead: string[] = [];
  let responsible: string[] = [];
  const [first, second] = columns;
  if (first && second) {
    lead = first.names;
    responsible = second.names;
  } else if (first) {
    const split = first.names.findIndex((name) => !lexicon.isSpecificProvincial(name));
    if (split < 0) {
      lead = first.names;
      warn(lineNo, `task ${no}: one unit column of provincial units only; read as 牵头单位`);
    } else {
      lead = first.names.slice(0, split);
      responsible = first.names.slice(split);
    }
  }
  return [
    { text: `${no}.${title}`, at: '' },
    { text: first && second ? first.text : '', at: '', units: lead },
    { text: second ? second.text : (first?.text ?? ''), at: '', units: responsible },
    { text: requirements, at: '' },
  ];
}
