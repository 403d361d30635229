/**
 * The layout stage: from a read document (notice paragraphs and table grids, any format) to a plan. Finds the task
 * table by its header labels, maps columns by meaning, reads sections, groups (工作任务 over 细化分工 rows), units,
 * inheritance and deadlines row by row. Pure: no I/O.
 */
import type { Directory } from '../domain/directory';
import { type Duty, type ImportWarning, PLAN_TIMEZONE, type Plan, type Task } from '../domain/plan';
import { headerRoles, mergeHeaderRoles } from './columns';
import { DutyDateError, findDeadlineDuties, findRowDuties } from './duties';
import { ImportError } from './import-error';
import { CAPTION, type NoticeGiven, readNotice } from './notice';
import { PLAN_ID_SHAPE, derivePlanId, provinceOf } from './plan-id';
import { toSimplified } from './simplified';
import {
  type ColumnRole,
  type SourceCell,
  type SourceDocument,
  type SourceParagraph,
  type SourceRow,
  type SourceTable,
  type TableFormat,
  where,
} from './source';
import { UnitLexicon, type UnitRole } from './unit-names';

/** Options of the table importers. */
export interface TableImportOptions {
  /** File name used in errors and warnings. (Default: '<input>') */
  file?: string;
  /** Unit directory: its names and aliases are recognised exactly, others get a warning. (Default: none) */
  directory?: Directory;
  /** Plan id to use instead of the derived one, e.g. `fj-2017-zwgk`. (Default: derived) */
  id?: string;
  /**
   * Issuer, year and publish date instead of the covering notice's, for a table published without one.
   * (Default: the notice's; see {@link NoticeGiven})
   */
  given?: NoticeGiven;
}

/** A parsed table: the plan, plus where each task row is, for errors found later (assignments). */
export interface ImportedTable {
  plan: Plan;
  /** Task number → 1-based line of its row (the sheet's row, the Word table's row, the HTML or CSV line). */
  taskLines: Map<number, number>;
  /** The format the file was read as. (Default: 'text') */
  format?: TableFormat;
  /**
   * Other names written in brackets after a unit (`规划信息处（爱卫办）` → 规划信息处: [爱卫办]), for the directory.
   * (Default: empty)
   */
  unitAliases?: Map<string, string[]>;
  /** Task number → unit or group name → the cell naming it (`表1 第5行第4列`), for the task's own units. (Default: empty) */
  unitCells?: Map<number, Map<string, string>>;
}

const SECTION = /^[一二三四五六七八九十]+[、.．]/;
const SUBSECTION = /^[（(][一二三四五六七八九十]+[）)]/;
/** A section numeral alone in a 序号 cell: 一 / 一、 / （一）. */
const NUMERAL_CELL = /^(?:[一二三四五六七八九十]+[、.．]?|[（(][一二三四五六七八九十]+[）)])$/;
/** `12.` / `12、` / `12．` before a task's title. */
const NUMBER_PREFIX = /^(\d{1,4})\s*[.．、]\s*(?=\S)/;
/** 注：责任单位排在第一位的为牵头单位 — the convention that the first unit listed leads. */
const FIRST_LEADS =
  /(?:排(?:在)?(?:第一位|首位|第一)|第一(?:个|家)?(?:单位)?|列(?:第一|首位))的?(?:单位)?为牵头(?:单位|部门)?/;
const NOTE = /^(?:注|备注|说明)\s*[:：0-9１-９.、]/;
const SPACE = /[\s\u3000\u00a0]+/g;
/** What a header row must name, for messages. */
const HEADER_NEEDS = '工作任务 (or 细化分工) and 牵头单位/责任单位 or 完成时限';
const ROLE_LABEL: Record<ColumnRole, string> = {
  no: '序号',
  task: '工作任务',
  detail: '细化分工',
  lead: '牵头单位',
  responsible: '责任单位',
  deadline: '完成时限',
  requirements: '工作要求',
};

type Warn = (line: number, message: string) => void;
type Fail = (line: number, reason: string) => never;

/** A table chosen as the task table: its rows after the header, and what each column holds. */
interface TaskGrid {
  table: SourceTable;
  roles: (ColumnRole | undefined)[];
  /** Column indexes of each role. */
  cols: Record<ColumnRole, number[]>;
  labels: string[];
  /** Index of the first row after the header. */
  body: number;
  /** The header row (undefined when the columns are known, as in the text layout). */
  header?: SourceRow;
}

/** A row read as a task, before task numbers are decided for the whole table. */
interface Draft {
  row: SourceRow;
  index: number;
  grid: TaskGrid;
  section: string;
  subsection: string;
  group?: string;
  /** Title as written, before a `12.` prefix is taken off. */
  title: string;
  titleAt: string;
  /** 序号 as written, when the row has its own. */
  numberCell?: SourceCell;
  requirements: string;
  deadline?: { text: string; at: string };
}

/** Collapses runs of whitespace inside each line and drops empty lines. */
function cellLines(text: string): string[] {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => line.replace(SPACE, ' ').trim())
    .filter((line) => line !== '');
}

/** A cell's text on one line: lines joined with a space (a Word cell's paragraphs, an HTML `<br>`). */
function flat(text: string): string {
  return cellLines(text).join(' ');
}

/**
 * Turns a read document into a plan. Throws {@link ImportError} (file:line: reason) when it holds no task table,
 * the notice lacks an issuer or a date, a date is impossible or a task has no units to inherit; everything the
 * importer reads but cannot place becomes a warning naming its line and cell.
 */
export function layoutPlan(doc: SourceDocument, options: TableImportOptions = {}): ImportedTable {
  const file = options.file ?? '<input>';
  const fail: Fail = (line, reason) => {
    throw new ImportError(file, line, reason);
  };
  const warnings: ImportWarning[] = [...doc.warnings];
  const warn: Warn = (line, message) => warnings.push({ line, message });

  const grids = findTaskGrids(doc, warn, fail);
  const main = grids[0] as TaskGrid;
  const firstTable = doc.blocks.findIndex((b) => b.kind === 'table' && b.table === main.table);
  // The notice: paragraphs before the table, rows of tables before it (a 文头 laid out as a table), rows above its header.
  const paragraphs: SourceParagraph[] = doc.blocks.slice(0, firstTable).flatMap((b) =>
    b.kind === 'paragraph'
      ? [b.paragraph]
      : b.table.rows.map((row) => ({
          text: distinctTexts(row).join(' '),
          line: row.line,
          at: row.cells[0]?.at ?? '',
        })),
  );
  for (const row of main.table.rows.slice(0, main.header ? main.table.rows.indexOf(main.header) : 0)) {
    const text = distinctTexts(row).join(' ');
    if (text) paragraphs.push({ text, line: row.line, at: row.cells[0]?.at ?? '' });
  }
  const notice = readNotice(paragraphs, {
    caption: doc.caption,
    firstIsTitle: doc.format === 'text',
    tableLine: main.table.rows[main.body]?.line ?? 1,
    given: options.given,
    untitled: file.replace(/^.*[\\/]/, '').replace(/\.[^.]+$/, ''),
    warn,
    fail,
  });
  const { year } = notice;
  const lexicon = new UnitLexicon(options.directory, provinceOf(notice.issuer));
  const firstLeads = FIRST_LEADS.test(conventionText(doc, grids));

  for (const grid of grids) warnUnreadColumns(grid, warn);

  // Rows → drafts (sections, groups, titles), in table order.
  const drafts: Draft[] = [];
  const hasSections = grids.some((g) => g.table.rows.slice(g.body).some((r) => headingOf(r, g) !== undefined));
  let section = '';
  let subsection = '';
  for (const grid of grids) {
    const { cols } = grid;
    let previousGroup: string | undefined;
    for (let index = grid.body; index < grid.table.rows.length; index++) {
      const row = grid.table.rows[index] as SourceRow;
      if (!hasOwnContent(row, index)) continue;
      if (grid.header && headerRoles(row)) continue;
      const heading = headingOf(row, grid);
      if (heading) {
        if (heading.kind === 'section') {
          section = heading.text;
          subsection = '';
        } else subsection = heading.text;
        previousGroup = undefined;
        continue;
      }
      const only = distinctTexts(row);
      if (only.length === 1 && CAPTION.test(toSimplified(only[0] as string))) continue;
      if (only.length === 1 && NOTE.test(toSimplified(only[0] as string))) {
        if (!FIRST_LEADS.test(toSimplified(only[0] as string))) {
          warn(row.line, `note '${only[0]}' is not read${where(firstOwnAt(row, index))}`);
        }
        continue;
      }
      if (
        only.length === 1 &&
        row.cells.some((cell, c) => cell.from && cell.from.row === index && cell.from.col !== c)
      ) {
        const message = `row '${only[0]}' spans the table but is not a section (一、) or subsection (（一）); ignored`;
        warn(row.line, `${message}${where(firstOwnAt(row, index))}`);
        continue;
      }
      const text = (role: ColumnRole) => joined(row, cols[role], ' ');
      const taskCell = cols.task[0] === undefined ? undefined : row.cells[cols.task[0]];
      const detailCol = cols.detail[0];
      const detailCell = detailCol === undefined ? undefined : row.cells[detailCol];
      const detailFromTask =
        detailCell?.from !== undefined && detailCell.from.row === index && cols.task.includes(detailCell.from.col);
      const taskText = text('task');
      const detailText = detailFromTask ? '' : text('detail');
      let title = '';
      let titleAt = '';
      let group: string | undefined;
      if (detailText) {
        title = detailText;
        titleAt = detailCell?.at ?? '';
        // A CSV export keeps a merged 工作任务 only in its first row: an empty one continues the group above.
        group = taskText || previousGroup;
      } else if (taskText) {
        title = taskText;
        titleAt = taskCell?.at ?? '';
        const spansRows =
          taskCell !== undefined && (isDownCopy(taskCell, index) || originOfDownSpan(grid.table, index, cols.task[0]));
        if (spansRows) group = taskText;
      }
      if (!title) {
        const extra = cellLines(text('requirements')).join(' ');
        const last = drafts[drafts.length - 1];
        if (extra && last) {
          last.requirements = [last.requirements, extra].filter((s) => s !== '').join(' ');
          warn(
            row.line,
            `not a task row; appended to the requirements of the task above${where(firstOwnAt(row, index))}`,
          );
        } else {
          warn(
            row.line,
            `row without a task (工作任务) is ignored: '${distinctTexts(row).join(' ')}'${where(firstOwnAt(row, index))}`,
          );
        }
        continue;
      }
      previousGroup = group;
      const noCol = cols.no[0];
      const numberCell = noCol === undefined ? undefined : row.cells[noCol];
      const deadlineText = joined(row, cols.deadline, '，');
      const deadlineAt = cols.deadline[0] === undefined ? '' : (row.cells[cols.deadline[0]]?.at ?? '');
      drafts.push({
        row,
        index,
        grid,
        section,
        subsection,
        group,
        title,
        titleAt,
        numberCell: numberCell && !isDownCopy(numberCell, index) && numberCell.text.trim() ? numberCell : undefined,
        requirements: text('requirements'),
        deadline: deadlineText ? { text: deadlineText, at: deadlineAt } : undefined,
      });
    }
  }
  if (drafts.length === 0) {
    const at = main.header?.cells[0]?.at;
    fail(
      main.header?.line ?? main.table.rows[0]?.line ?? 1,
      `not a task table: no task rows under the header${where(at ?? '')}`,
    );
  }

  const numbers = numberTasks(drafts, doc.format, warn, fail);

  // Drafts → tasks: units, inheritance, duties.
  const tasks: Task[] = [];
  const taskLines = new Map<number, number>();
  const unitCells = new Map<number, Map<string, string>>();
  const unitAliases = new Map<string, string[]>();
  drafts.forEach((draft, i) => {
    const { row, index, grid } = draft;
    const { cols } = grid;
    const { no, title } = numbers[i] as { no: number; title: string };
    const lineNo = row.line;
    const previous = tasks[tasks.length - 1];
    if (numbers.numbered && previous && no !== previous.no + 1) warn(lineNo, `task ${no} follows task ${previous.no}`);
    if (hasSections && !draft.section) warn(lineNo, `task ${no} is outside any section (一、…)${where(draft.titleAt)}`);
    if (!title) fail(lineNo, `task ${no}: no title${where(draft.titleAt)}`);

    const unitCols = [...cols.lead, ...cols.responsible];
    const own = unitCols.filter((c) => {
      const cell = row.cells[c];
      return (
        cell !== undefined && !isDownCopy(cell, index) && (cell.units ? cell.units.length > 0 : cell.text.trim() !== '')
      );
    });
    let leadUnits: string[] = [];
    let responsibleUnits: string[] = [];
    let unitsInheritedFrom: number | null = null;
    const unitAt = new Map<string, string>();
    if (own.length === 0) {
      if (!previous) {
        const at = row.cells[unitCols[0] ?? 0]?.at ?? '';
        fail(lineNo, `task ${no}: no unit columns and no row above to inherit them from${where(at)}`);
      }
      const above = previous as Task;
      leadUnits = [...above.leadUnits];
      responsibleUnits = [...above.responsibleUnits];
      unitsInheritedFrom = above.unitsInheritedFrom ?? above.no;
    } else {
      for (const c of unitCols) {
        const cell = row.cells[c];
        if (!cell) continue;
        const role: UnitRole = grid.roles[c] === 'lead' ? 'lead' : 'responsible';
        if (cell.units) {
          (role === 'lead' ? leadUnits : responsibleUnits).push(...cell.units);
          continue;
        }
        if (cell.text.trim() === '' || isRightCopy(cell, c, index)) continue;
        const reading = lexicon.readUnitCell(toSimplified(cellLines(cell.text).join('\n')), role);
        leadUnits.push(...reading.lead);
        responsibleUnits.push(...reading.responsible);
        for (const name of [...reading.lead, ...reading.responsible]) if (!unitAt.has(name)) unitAt.set(name, cell.at);
        for (const [name, alias] of reading.aliases) {
          const known = unitAliases.get(name) ?? [];
          if (!known.includes(alias)) unitAliases.set(name, [...known, alias]);
        }
        for (const part of reading.unread) {
          warn(
            lineNo,
            `task ${no}: '${part}' in ${grid.labels[c] || ROLE_LABEL[role]} is not a unit name; ignored${where(cell.at)}`,
          );
        }
      }
      leadUnits = [...new Set(leadUnits)];
      responsibleUnits = [...new Set(responsibleUnits)].filter((n) => !leadUnits.includes(n));
      if (firstLeads && leadUnits.length === 0 && responsibleUnits.length > 1) {
        leadUnits = responsibleUnits.slice(0, 1);
        responsibleUnits = responsibleUnits.slice(1);
      }
    }

    const datesOf = <T>(at: string, read: () => T): T => {
      try {
        return read();
      } catch (err) {
        if (err instanceof DutyDateError) fail(lineNo, `task ${no}: ${err.message}${where(at)}`);
        throw err;
      }
    };
    const text = `${title} ${draft.requirements}`;
    const rowDuties = datesOf(draft.titleAt, () => findRowDuties(toSimplified(text), year, text));
    const duties: Duty[] = rowDuties.duties;
    const dutyAt = new Map<Duty, string>(duties.map((d) => [d, draft.titleAt]));
    const unreadDays = rowDuties.unreadDays.map((phrase) => ({ phrase, at: draft.titleAt }));
    const deadline = draft.deadline ?? inheritedDeadline(draft, drafts[i - 1]);
    if (deadline) {
      const cell = datesOf(deadline.at, () => findDeadlineDuties(toSimplified(deadline.text), year, deadline.text));
      for (const duty of cell.duties) {
        const same = (d: Duty) => d.kind === duty.kind && d.due === duty.due && d.every === duty.every;
        if (duties.some(same)) continue;
        duties.push(duty);
        dutyAt.set(duty, deadline.at);
      }
      for (const part of cell.unread) {
        warn(lineNo, `task ${no}: '${part}' in 完成时限 is not understood as a deadline${where(deadline.at)}`);
      }
      unreadDays.push(...(cell.unreadDays ?? []).map((phrase) => ({ phrase, at: deadline.at })));
    }
    for (const { phrase, at } of unreadDays) {
      warn(
        lineNo,
        `task ${no}: the day within the period in '${phrase}' is not understood: due on each period's last day${where(at)}`,
      );
    }
    for (const duty of duties) {
      if (!duty.due) continue;
      const at = where(dutyAt.get(duty) ?? '');
      if (!duty.due.startsWith(`${year}-`)) {
        warn(lineNo, `task ${no}: '${duty.source}' (${duty.due}) is outside the plan year ${year}${at}`);
      } else if (duty.due < notice.publishedOn) {
        const message = `task ${no}: '${duty.source}' (${duty.due}) is before the plan was published (${notice.publishedOn})`;
        warn(lineNo, `${message}: overdue from the start${at}`);
      }
    }

    if (taskLines.has(no)) fail(lineNo, `task ${no} appears twice (first on line ${taskLines.get(no)})`);
    const task: Task = {
      no,
      section: draft.section,
      subsection: draft.subsection,
      ...(draft.group !== undefined ? { group: draft.group } : {}),
      title,
      leadUnits,
      responsibleUnits,
      unitsInheritedFrom,
      requirements: draft.requirements,
      duties,
    };
    tasks.push(task);
    taskLines.set(no, lineNo);
    unitCells.set(no, unitAt);
  });

  if (options.directory) {
    const reported = new Set<string>();
    for (const task of tasks) {
      if (task.unitsInheritedFrom !== null) continue;
      for (const name of [...task.leadUnits, ...task.responsibleUnits]) {
        if (lexicon.isKnown(name) || lexicon.isGroup(name) || reported.has(name)) continue;
        reported.add(name);
        const at = unitCells.get(task.no)?.get(name) ?? '';
        warn(taskLines.get(task.no) ?? 0, `task ${task.no}: unit '${name}' is not in the directory${where(at)}`);
      }
    }
  }

  const id = options.id ?? derivePlanId(notice.issuer, year, toSimplified(notice.title));
  if (!PLAN_ID_SHAPE.test(id)) fail(0, `plan id '${id}' must be lower-case ASCII words joined by '-'`);
  const plan: Plan = {
    id,
    title: notice.title,
    issuer: notice.issuer,
    signedOn: notice.signedOn,
    publishedOn: notice.publishedOn,
    year,
    timezone: PLAN_TIMEZONE,
    milestones: notice.milestones,
    tasks,
    warnings: warnings.sort((a, b) => a.line - b.line),
  };
  return { plan, taskLines, format: doc.format, unitAliases, unitCells };
}

/**
 * The task table and its continuations: the first table with a header row (or known columns); later tables with
 * the same columns continue it (a Word table split over pages). Other tables of a Word file are warned about.
 */
function findTaskGrids(doc: SourceDocument, warn: Warn, fail: Fail): TaskGrid[] {
  const tables = doc.blocks.flatMap((b) => (b.kind === 'table' ? [b.table] : []));
  const grids: TaskGrid[] = [];
  for (const table of tables) {
    const grid = gridOf(table);
    const main = grids[0];
    if (!main) {
      if (grid) grids.push(grid);
      continue;
    }
    const sameColumns = grid && grid.roles.join() === main.roles.join();
    const continued = !grid && tables[tables.indexOf(table) - 1] === grids[grids.length - 1]?.table;
    if (sameColumns) grids.push(grid);
    else if (continued && table.rows[0]?.cells.length === main.table.rows[0]?.cells.length) {
      grids.push({ table, roles: main.roles, cols: main.cols, labels: main.labels, body: 0 });
    } else if (doc.format === 'docx' || doc.format === 'xlsx') {
      const what = grid ? 'a task table with other columns' : 'not a task table';
      warn(table.rows[0]?.line ?? 0, `${table.name} is ${what}; ignored`);
    }
  }
  const main = grids[0];
  if (!main) {
    if (tables.length === 0 && doc.format === 'html') {
      fail(1, `not a task table: no table in the page has a header row naming ${HEADER_NEEDS}`);
    }
    if (tables.length === 0) fail(1, 'not a task table: no table in the file');
    const names = tables.map((t) => t.name).join(', ');
    fail(1, `not a task table: no header row naming ${HEADER_NEEDS} in ${names}`);
  }
  const { cols } = main as TaskGrid;
  if (cols.lead.length === 0 && cols.responsible.length === 0) {
    const header = (main as TaskGrid).header;
    fail(header?.line ?? 1, `the table has no 牵头单位 or 责任单位 column${where(header?.cells[0]?.at ?? '')}`);
  }
  return grids;
}

/** Columns whose label names no role (考核指标, 进展情况) but that hold text: warned about once each, not dropped silently. */
function warnUnreadColumns(grid: TaskGrid, warn: Warn): void {
  if (!grid.header) return;
  const header = grid.header;
  grid.roles.forEach((role, c) => {
    if (role !== undefined) return;
    const headerCell = header.cells[c];
    if (headerCell?.from && headerCell.from.col < c) return;
    const filled = grid.table.rows.slice(grid.body).filter((row) => {
      const cell = row.cells[c];
      // One text across the row is a heading or a note, read elsewhere.
      return cell !== undefined && !cell.from && cell.text.trim() !== '' && distinctTexts(row).length > 1;
    }).length;
    if (filled === 0) return;
    const label = grid.labels[c] ? `'${grid.labels[c]}'` : `${c + 1} (no label)`;
    warn(header.line, `column ${label} is not read: ${filled} cell(s) ignored${where(headerCell?.at ?? '')}`);
  });
}

/** A table's header and column roles: given (text layout), or the first header row, merged with a second one. */
function gridOf(table: SourceTable): TaskGrid | undefined {
  if (table.columns) {
    return {
      table,
      roles: table.columns,
      cols: columnsByRole(table.columns),
      labels: table.columns.map(() => ''),
      body: 0,
    };
  }
  for (let i = 0; i < Math.min(table.rows.length, 40); i++) {
    const row = table.rows[i] as SourceRow;
    let roles = headerRoles(row);
    if (!roles) continue;
    let body = i + 1;
    const lower = table.rows[i + 1];
    const lowerRoles = lower ? headerRoles(lower) : undefined;
    if (lower && lowerRoles) {
      roles = mergeHeaderRoles(roles, lowerRoles);
      body = i + 2;
    }
    const labels = row.cells.map((cell, c) =>
      flat(lower && lowerRoles ? (lower.cells[c]?.text ?? cell.text) : cell.text),
    );
    return { table, roles, cols: columnsByRole(roles), labels, body, header: row };
  }
  return undefined;
}

function columnsByRole(roles: (ColumnRole | undefined)[]): Record<ColumnRole, number[]> {
  const cols: Record<ColumnRole, number[]> = {
    no: [],
    task: [],
    detail: [],
    lead: [],
    responsible: [],
    deadline: [],
    requirements: [],
  };
  roles.forEach((role, i) => role && cols[role].push(i));
  return cols;
}

/** A copy left by a merged cell above (rowspan, vMerge, a merged range of a sheet). */
function isDownCopy(cell: SourceCell, index: number): boolean {
  return cell.from !== undefined && cell.from.row < index;
}

function isRightCopy(cell: SourceCell, col: number, index: number): boolean {
  return cell.from !== undefined && cell.from.row === index && cell.from.col < col;
}

/** Whether the cell at (index, col) is merged down over the rows below it. */
function originOfDownSpan(table: SourceTable, index: number, col: number | undefined): boolean {
  if (col === undefined) return false;
  const below = table.rows[index + 1]?.cells[col]?.from;
  return below !== undefined && below.row === index && below.col === col;
}

function hasOwnContent(row: SourceRow, index: number): boolean {
  return row.cells.some(
    (cell) => !isDownCopy(cell, index) && (cell.text.trim() !== '' || (cell.units?.length ?? 0) > 0),
  );
}

/** The row's texts once each: a merged cell counts in its own slot only, not in the slots it covers. */
function distinctTexts(row: SourceRow): string[] {
  const out: string[] = [];
  for (const cell of row.cells) {
    if (cell.from) continue;
    const text = flat(cell.text);
    if (text && !out.includes(text)) out.push(text);
  }
  return out;
}

function firstOwnAt(row: SourceRow, index: number): string {
  return row.cells.find((cell) => !isDownCopy(cell, index) && cell.text.trim() !== '')?.at ?? '';
}

/** Texts of the given columns of a row, each flattened, once each (several 责任单位 or 备注 columns). */
function joined(row: SourceRow, cols: number[], separator: string): string {
  const parts: string[] = [];
  for (const c of cols) {
    const text = flat(row.cells[c]?.text ?? '');
    if (text && !parts.includes(text)) parts.push(text);
  }
  return parts.join(separator);
}

/**
 * A section (一、) or subsection (（一）) row: one text across the row, or a numeral in 序号 and the heading in
 * 工作任务, with nothing in the unit, deadline and requirement columns.
 */
function headingOf(row: SourceRow, grid: TaskGrid): { kind: 'section' | 'subsection'; text: string } | undefined {
  const { cols } = grid;
  const busy = [...cols.detail, ...cols.lead, ...cols.responsible, ...cols.deadline, ...cols.requirements].some((c) => {
    const cell = row.cells[c];
    return cell !== undefined && ((cell.units?.length ?? 0) > 0 || (!cell.from && cell.text.trim() !== ''));
  });
  if (busy) return undefined;
  const texts = distinctTexts(row);
  let text: string | undefined;
  if (texts.length === 1) text = texts[0];
  else if (texts.length === 2 && cols.no[0] !== undefined) {
    const numeral = flat(row.cells[cols.no[0]]?.text ?? '');
    const rest = texts.find((t) => t !== numeral);
    if (NUMERAL_CELL.test(toSimplified(numeral)) && rest)
      text = /[、.．）)]$/.test(numeral) ? `${numeral}${rest}` : `${numeral}、${rest}`;
  }
  if (!text) return undefined;
  const simple = toSimplified(text);
  if (SECTION.test(simple)) return { kind: 'section', text };
  if (SUBSECTION.test(simple)) return { kind: 'subsection', text };
  return undefined;
}

/** Text where a table may state that the first unit listed leads (notice, header labels, notes under the table). */
function conventionText(doc: SourceDocument, grids: TaskGrid[]): string {
  const parts: string[] = [];
  for (const block of doc.blocks) if (block.kind === 'paragraph') parts.push(block.paragraph.text);
  for (const grid of grids) {
    parts.push(...grid.labels);
    for (const row of grid.table.rows) {
      const only = distinctTexts(row);
      if (only.length === 1 && NOTE.test(toSimplified(only[0] as string))) parts.push(only[0] as string);
    }
  }
  return toSimplified(parts.join('\n'));
}

/** A 细化分工 row continuing a group whose 完成时限 was written once (a CSV export of a merged cell): that deadline. */
function inheritedDeadline(draft: Draft, above: Draft | undefined): Draft['deadline'] {
  if (!above || draft.group === undefined || draft.group !== above.group) return undefined;
  const col = draft.grid.cols.deadline[0];
  if (col === undefined) return undefined;
  const cell = draft.row.cells[col];
  return cell && cell.text.trim() === '' && cell.from === undefined ? above.deadline : undefined;
}

/**
 * Task numbers for the whole table: the 序号 column when every row has its own whole number, else a `12.` prefix
 * of every title (taken off the title), else rows numbered in order. Repeated numbers are an error in the text
 * layout, where the number is the only way to tell rows apart; in a grid they make rows numbered in order.
 */
function numberTasks(
  drafts: Draft[],
  format: TableFormat,
  warn: Warn,
  fail: Fail,
): { no: number; title: string }[] & { numbered: boolean } {
  const fromColumn = drafts.map((d) =>
    d.numberCell ? /^(\d{1,4})[.．、]?$/.exec(flat(d.numberCell.text))?.[1] : undefined,
  );
  const fromPrefix = drafts.map((d) => NUMBER_PREFIX.exec(d.title)?.[1]);
  const unique = (list: (string | undefined)[]) => new Set(list.map(Number)).size === list.length;
  let out: { no: number; title: string }[] | undefined;
  if (fromColumn.every((n) => n !== undefined) && (unique(fromColumn) || format === 'text')) {
    out = drafts.map((d, i) => ({ no: Number(fromColumn[i]), title: d.title }));
  } else if (fromPrefix.every((n) => n !== undefined) && (unique(fromPrefix) || format === 'text')) {
    out = drafts.map((d, i) => ({ no: Number(fromPrefix[i]), title: d.title.replace(NUMBER_PREFIX, '') }));
  }
  if (out) return Object.assign(out, { numbered: true });
  if (format === 'text') {
    const bad = drafts.find((d, i) => fromPrefix[i] === undefined) as Draft;
    fail(bad.row.line, `not a task row: '${bad.title}'`);
  }
  const odd = drafts.find((d, i) => d.numberCell && fromColumn[i] === undefined);
  const repeated =
    !odd && fromColumn.some((n) => n !== undefined) && !unique(fromColumn.filter((n) => n !== undefined));
  if (odd?.numberCell) {
    warn(
      odd.row.line,
      `序号 '${flat(odd.numberCell.text)}' is not a whole number: tasks are numbered 1…${drafts.length} in table order${where(odd.numberCell.at)}`,
    );
  } else if (repeated) {
    warn(drafts[0]?.row.line ?? 0, `序号 repeats: tasks are numbered 1…${drafts.length} in table order`);
  }
  return Object.assign(
    drafts.map((d, i) => ({ no: i + 1, title: d.title })),
    { numbered: false },
  );
}
