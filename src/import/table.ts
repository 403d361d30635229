/**
 * Parser for the text layout of a yearly task breakdown table (任务分解表) with its covering notice: title line,
 * 发布日期, notice paragraphs, issuer signature and signing date, then the table (section 一、, subsection （一）,
 * numbered rows `N.title [lead] [responsible] [requirements]`, repeated header rows). Pure: takes the decoded text.
 */
import type { Directory } from '../domain/directory';
import {
  type ImportWarning,
  type IsoDate,
  type Milestone,
  type MilestoneKind,
  PLAN_TIMEZONE,
  type Plan,
  type Task,
} from '../domain/plan';
import { calendarDate } from './dates';
import { DutyDateError, findDuties } from './duties';
import { ImportError } from './import-error';
import { PLAN_ID_SHAPE, derivePlanId, provinceOf } from './plan-id';
import { UnitLexicon } from './unit-names';

/** Options of {@link parseTaskTable}. */
export interface TableImportOptions {
  /** File name used in errors and warnings. (Default: '<input>') */
  file?: string;
  /** Unit directory: its names and aliases are recognised exactly, others get a warning. (Default: none) */
  directory?: Directory;
  /** Plan id to use instead of the derived one, e.g. `fj-2017-zwgk`. (Default: derived) */
  id?: string;
}

/** A parsed table: the plan, plus where each task row is, for errors found later (assignments). */
export interface ImportedTable {
  plan: Plan;
  /** Task number → 1-based line of its row. */
  taskLines: Map<number, number>;
}

const SECTION = /^[一二三四五六七八九十]+[、.．]/;
const SUBSECTION = /^[（(][一二三四五六七八九十]+[）)]/;
const TASK_ROW = /^(\d{1,4})\s*[.．、]\s*(\S.*)$/;
const PUBLISHED = /发布日期\s*[:：]\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?/;
const DATE_LINE = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/;
const ISSUER_IN_TITLE = /^(.{2,40}?(?:办公厅|办公室|人民政府|委员会))关于/;
/** Table caption such as `2017年政务公开工作主要任务分解表`. */
const CAPTION = /^[^。，,：:]{2,60}(?:分解表|任务表|分工表)$/;
/** Every kind of whitespace, including the ideographic space (U+3000) used for indentation. */
const SPACE = /[\s\u3000]+/g;
const MILESTONE_ORDER: MilestoneKind[] = ['implementation-plan', 'quarterly-progress', 'year-end-report'];

/** The repeated header row `工作任务 牵头单位 责任单位 工作要求`, however it is spaced (the seed spaces it with U+3000). */
function isHeaderRow(line: string): boolean {
  const compact = line.replace(SPACE, '');
  return compact.includes('工作任务') && (compact.includes('牵头单位') || compact.includes('责任单位'));
}

/**
 * Parses one task table. Throws {@link ImportError} (file:line: reason) when the text is not a task table, a date
 * is impossible or a row's units cannot be read; readable oddities become `plan.warnings`.
 */
export function parseTaskTable(text: string, options: TableImportOptions = {}): ImportedTable {
  const file = options.file ?? '<input>';
  const fail = (line: number, reason: string): never => {
    throw new ImportError(file, line, reason);
  };
  const warnings: ImportWarning[] = [];
  const warn = (line: number, message: string) => warnings.push({ line, message });
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .map((raw) => raw.replace(SPACE, ' ').trim());

  const titleIndex = lines.findIndex((l) => l !== '');
  if (titleIndex < 0) fail(1, 'not a task table: the file is empty');
  const title = lines[titleIndex] ?? '';

  const tableStart = lines.findIndex(
    (l, i) => i > titleIndex && (isHeaderRow(l) || SECTION.test(l) || TASK_ROW.test(l) || CAPTION.test(l)),
  );
  if (tableStart < 0 || !lines.slice(tableStart).some((l) => TASK_ROW.test(l))) {
    fail(titleIndex + 1, 'not a task table: no numbered task rows (1.任务 …) found');
  }
  const notice = lines.slice(titleIndex + 1, tableStart);
  const at = (noticeIndex: number) => titleIndex + 2 + noticeIndex;

  // Dates of the notice itself.
  let publishedOn: IsoDate | undefined;
  let signedOn: IsoDate | undefined;
  let signature: string | undefined;
  notice.forEach((line, i) => {
    const published = PUBLISHED.exec(line);
    if (published && !publishedOn) {
      publishedOn = validDate(Number(published[1]), Number(published[2]), Number(published[3]), at(i), fail);
    }
    const dated = DATE_LINE.exec(line.replace(SPACE, ''));
    if (dated) {
      signedOn = validDate(Number(dated[1]), Number(dated[2]), Number(dated[3]), at(i), fail);
      const previous = notice[i - 1]?.replace(SPACE, '');
      if (previous && !/[。，,；;]/.test(previous) && previous.length <= 40) signature = previous;
    }
  });

  const issuerFromTitle = ISSUER_IN_TITLE.exec(title)?.[1];
  const issuer = signature ?? issuerFromTitle;
  if (!issuer) fail(titleIndex + 1, "cannot find the issuer: no '…办公厅关于…' title and no signature line");
  if (signature && issuerFromTitle && signature !== issuerFromTitle) {
    warn(titleIndex + 1, `the title names '${issuerFromTitle}' but the notice is signed by '${signature}'`);
  }
  if (!publishedOn && !signedOn) fail(titleIndex + 2, "no 发布日期 line and no signing date ('YYYY年M月D日')");
  if (!publishedOn) warn(titleIndex + 2, 'no 发布日期 line: the signing date is used as the publish date');
  if (!signedOn) warn(titleIndex + 2, "no signing date line ('YYYY年M月D日'): the publish date is used");
  const published = (publishedOn ?? signedOn) as IsoDate;
  const signed = (signedOn ?? publishedOn) as IsoDate;

  const captionYear = lines.slice(tableStart).find((l) => CAPTION.test(l));
  const yearText = /(\d{4})年/.exec(title)?.[1] ?? /(\d{4})年/.exec(captionYear ?? '')?.[1];
  const year = yearText ? Number(yearText) : Number(signed.slice(0, 4));

  const milestones = findMilestones(notice, year, (i) => at(i), warn, fail);

  // The table.
  const lexicon = new UnitLexicon(options.directory, provinceOf(issuer as string));
  const tasks: Task[] = [];
  const taskLines = new Map<number, number>();
  let section = '';
  let subsection = '';
  for (let index = tableStart; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const lineNo = index + 1;
    if (line === '' || isHeaderRow(line)) continue;
    if (SECTION.test(line)) {
      section = line;
      subsection = '';
      continue;
    }
    if (SUBSECTION.test(line)) {
      subsection = line;
      continue;
    }
    const row = TASK_ROW.exec(line);
    if (!row && CAPTION.test(line)) continue;
    if (!row) {
      const last = tasks[tasks.length - 1];
      if (last) {
        last.requirements = [last.requirements, line].filter((s) => s !== '').join(' ');
        warn(lineNo, `not a task row; appended to the requirements of task ${last.no}`);
      } else {
        warn(lineNo, 'not a task row, section or header; ignored');
      }
      continue;
    }
    const no = Number(row[1]);
    if (taskLines.has(no)) fail(lineNo, `task ${no} appears twice (first on line ${taskLines.get(no)})`);
    const previous = tasks[tasks.length - 1];
    if (previous && no !== previous.no + 1) warn(lineNo, `task ${no} follows task ${previous.no}`);
    if (!section) warn(lineNo, `task ${no} is outside any section (一、…)`);
    const task = readRow(no, row[2] ?? '', lineNo, previous, lexicon, warn, fail);
    task.section = section;
    task.subsection = subsection;
    try {
      task.duties = findDuties(`${task.title} ${task.requirements}`, year);
    } catch (err) {
      if (err instanceof DutyDateError) fail(lineNo, `task ${no}: ${err.message}`);
      throw err;
    }
    tasks.push(task);
    taskLines.set(no, lineNo);
  }

  if (options.directory) {
    const reported = new Set<string>();
    for (const task of tasks) {
      if (task.unitsInheritedFrom !== null) continue;
      for (const name of [...task.leadUnits, ...task.responsibleUnits]) {
        if (lexicon.isKnown(name) || lexicon.isGroup(name) || reported.has(name)) continue;
        reported.add(name);
        warn(taskLines.get(task.no) ?? 0, `task ${task.no}: unit '${name}' is not in the directory`);
      }
    }
  }

  const id = options.id ?? derivePlanId(issuer as string, year, title);
  if (!PLAN_ID_SHAPE.test(id)) fail(0, `plan id '${id}' must be lower-case ASCII words joined by '-'`);
  const plan: Plan = {
    id,
    title,
    issuer: issuer as string,
    signedOn: signed,
    publishedOn: published,
    year,
    timezone: PLAN_TIMEZONE,
    milestones,
    tasks,
    warnings: warnings.sort((a, b) => a.line - b.line),
  };
  return { plan, taskLines };
}

type Warn = (line: number, message: string) => void;
type Fail = (line: number, reason: string) => never;

function validDate(year: number, month: number, day: number, line: number, fail: Fail): IsoDate {
  return calendarDate(year, month, day) ?? fail(line, `impossible date ${year}年${month}月${day}日`);
}

/**
 * Deadlines of the covering notice, sentence by sentence: a `M月D日前` date in a sentence about 实施方案/工作安排 is the
 * implementation plan, in a sentence about 全年/年度 落实情况 the year-end report; 按季度督查 is the quarterly check.
 */
function findMilestones(
  notice: string[],
  year: number,
  lineOf: (noticeIndex: number) => number,
  warn: Warn,
  fail: Fail,
): Milestone[] {
  const found = new Map<MilestoneKind, Milestone>();
  const add = (line: number, milestone: Milestone) => {
    if (found.has(milestone.kind)) warn(line, `a second ${milestone.kind} deadline '${milestone.source}' is ignored`);
    else found.set(milestone.kind, milestone);
  };
  notice.forEach((line, i) => {
    // ASCII '.' ends a sentence too (tables typed with ASCII punctuation), but not inside a number.
    for (const sentence of line.split(/[。；;]|\.(?!\d)/)) {
      for (const m of sentence.matchAll(/(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日前/g)) {
        const due =
          calendarDate(m[1] ? Number(m[1]) : year, Number(m[2]), Number(m[3])) ??
          fail(lineOf(i), `impossible date '${m[0]}'`);
        // The clause around the date decides first (two deadlines may share a sentence), then the sentence.
        const clause = clauseAround(sentence, m.index);
        const isPlan = (t: string) => /实施方案|工作方案|工作安排|工作计划/.test(t);
        const isReport = (t: string) => /全年|年度|总结/.test(t);
        if (isPlan(clause) || (!isReport(clause) && isPlan(sentence))) {
          add(lineOf(i), { kind: 'implementation-plan', due, source: m[0] });
        } else if (isReport(clause) || isReport(sentence)) {
          add(lineOf(i), { kind: 'year-end-report', due, source: m[0] });
        } else {
          warn(lineOf(i), `deadline '${m[0]}' in the notice is not an implementation plan or a year-end report`);
        }
      }
      const quarterly = /按季度?(?:督查|检查|调度|通报)/.exec(sentence);
      if (quarterly) add(lineOf(i), { kind: 'quarterly-progress', every: 'quarter', source: quarterly[0] });
    }
  });
  return MILESTONE_ORDER.flatMap((kind) => found.get(kind) ?? []);
}

/** The comma-delimited clause of a sentence that contains the character at `index`. */
function clauseAround(sentence: string, index: number): string {
  const start = Math.max(sentence.lastIndexOf('，', index), sentence.lastIndexOf(',', index)) + 1;
  const ends = [sentence.indexOf('，', index), sentence.indexOf(',', index)].filter((e) => e >= 0);
  return sentence.slice(start, ends.length > 0 ? Math.min(...ends) : sentence.length);
}

/**
 * Splits a task row after its number into title, unit columns and requirements.
 *
 * Lead vs responsible (the design leaves a missing 牵头单位 column to the importer):
 * - two unit columns: the first is 牵头单位, the second 责任单位 (the table's column order);
 * - one unit column: its leading run of single provincial units (departments, regulators) is 牵头单位 and the rest
 *   (groups 省直各部门 / 省直有关部门 / 各设区市, cities, 平潭综合实验区) is 责任单位, so rows 40 and 45 of the 2017
 *   table lead with 省金融办 … and 省国土厅; a column of groups and cities only has no lead units (the general office
 *   takes the lead escalation, as the design says for tasks without lead units); a column of provincial units only
 *   is read as the lead column, with a warning;
 * - no unit column (the second column is requirement prose): the units of the row above (a merged cell), and
 *   `unitsInheritedFrom` names the row that actually lists them.
 */
function readRow(
  no: number,
  rest: string,
  lineNo: number,
  previous: Task | undefined,
  lexicon: UnitLexicon,
  warn: Warn,
  fail: Fail,
): Task {
  const tokens = [...rest.matchAll(/\S+/g)];
  const title = tokens[0]?.[0] ?? '';
  const columns: string[][] = [];
  let next = 1;
  while (columns.length < 2 && next < tokens.length) {
    const cell = lexicon.readCell(tokens[next]?.[0] ?? '');
    if (cell.kind === 'broken')
      fail(lineNo, `task ${no}: cannot read the units '${tokens[next]?.[0]}': '${cell.item}' is not a unit name`);
    if (cell.kind !== 'units') break;
    columns.push(cell.names);
    next++;
  }
  const after = tokens[next];
  const requirements = after ? rest.slice(after.index).trim() : '';

  let leadUnits: string[] = [];
  let responsibleUnits: string[] = [];
  let unitsInheritedFrom: number | null = null;
  const [first, second] = columns;
  if (first && second) {
    leadUnits = first;
    responsibleUnits = second;
  } else if (first) {
    const split = first.findIndex((name) => !lexicon.isSpecificProvincial(name));
    if (split < 0) {
      leadUnits = first;
      warn(lineNo, `task ${no}: one unit column of provincial units only; read as 牵头单位`);
    } else {
      leadUnits = first.slice(0, split);
      responsibleUnits = first.slice(split);
    }
  } else if (previous) {
    leadUnits = [...previous.leadUnits];
    responsibleUnits = [...previous.responsibleUnits];
    unitsInheritedFrom = previous.unitsInheritedFrom ?? previous.no;
  } else {
    fail(lineNo, `task ${no}: no unit columns and no row above to inherit them from`);
  }
  if (!title) fail(lineNo, `task ${no}: no title`);
  return {
    no,
    section: '',
    subsection: '',
    title,
    leadUnits,
    responsibleUnits,
    unitsInheritedFrom,
    requirements,
    duties: [],
  };
}
