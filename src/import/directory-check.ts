/**
 * Problems of a unit directory, each with its place (a JSON field, or a CSV/XLSX row and column), and the rules
 * that find them: contacts, duplicate codes and names, the general office, and (with a plan) the units and groups
 * the plan names. Pure: the loaders and `duban directory check` share it.
 */
import { expandAssignments, unitIndex } from '../domain/assignments';
import { addressProblem, nameProblem, type TextProblem } from '../domain/contact';
import { type Directory, UNIT_GROUPS, type Unit, unitGroupOf } from '../domain/directory';
import { provinceOfIssuer } from '../domain/divisions';
import type { Plan } from '../domain/plan';

/** What is wrong; stable, for callers and `duban directory check --json`. */
export type DirectoryProblemType =
  /** The file cannot be read, decoded or parsed. */
  | 'unreadable'
  /** A CSV/XLSX header lacks a required column, or has one twice; or there is no header at all. */
  | 'missing-column'
  /** A value of the wrong type or outside its values: kind, locale, vertical, a JSON field. */
  | 'invalid-value'
  /** A code that is empty or not lower-case ASCII words joined by `-`. */
  | 'invalid-code'
  | 'duplicate-code'
  /** A unit name or alias that another unit also has. */
  | 'duplicate-name'
  | 'missing-name'
  /** A name with a line break, a control or an invisible character. */
  | 'unsafe-name'
  /** A name with a leading or trailing space. */
  | 'untrimmed-name'
  | 'missing-address'
  | 'invalid-address'
  /** No general office, several, or one that is not a unit. */
  | 'general-office'
  /** With a plan: a unit or group member the plan names that the directory lacks. */
  | 'missing-unit';

/** Where a value sits in a directory file. */
export interface DirectoryLocation {
  /** The field in JSON terms, e.g. `units[3].officer.email` or `generalOffice`; '' for the whole file. */
  field: string;
  /** CSV/XLSX: the row number a spreadsheet shows (the header is row 1). */
  row?: number;
  /** CSV/XLSX: the column letter, e.g. `H`. */
  column?: string;
  /** CSV/XLSX: the column's title as the file has it, e.g. `联络员邮箱 / officer email`. */
  columnTitle?: string;
}

/** One problem of a directory file. */
export interface DirectoryProblem extends DirectoryLocation {
  type: DirectoryProblemType;
  /** The file it is in: the directory, or the plan for `missing-unit` names. */
  file: string;
  /** The place for people: `row 5, column H (联络员邮箱 / officer email)`, `units[3].officer.email`, `tasks 7, 9`. */
  where: string;
  message: string;
  /** `missing-unit`: the tasks that name the unit or group. */
  tasks?: number[];
  /** `missing-unit`: the plan file's line where the first of those tasks names it. (Default: absent, unknown) */
  line?: number;
  /** `missing-unit`: the cell there, as `plan import` names cells (`表1 第5行第4列`, `Sheet1!D5`). (Default: absent) */
  cell?: string;
}

/** Maps a JSON-style field (`units[3].officer.email`) to its place in the file. */
export type Locate = (field: string) => DirectoryLocation;

/** The identity locator of a JSON directory: the field is the place. */
export const locateJsonField: Locate = (field) => ({ field });

/** `row 5, column H (联络员邮箱 / officer email)`, `column F (…)`, `row 5`, the JSON field, or '' (the whole file). */
export function describeLocation(at: DirectoryLocation): string {
  const column = at.column ? `column ${at.column}${at.columnTitle ? ` (${at.columnTitle})` : ''}` : '';
  if (at.row !== undefined) return column ? `row ${at.row}, ${column}` : `row ${at.row}`;
  return column || at.field;
}

/** Builds a problem at a place. */
export function problemAt(
  file: string,
  at: DirectoryLocation,
  type: DirectoryProblemType,
  message: string,
): DirectoryProblem {
  return { type, file, ...at, where: describeLocation(at), message };
}

/**
 * `file: where: message` (`file:line: where: message` for a place in a plan file), one line per problem, the way
 * ImportError and `duban directory check` print them.
 */
export function formatProblem(problem: DirectoryProblem): string {
  const file = problem.line ? `${problem.file}:${problem.line}` : problem.file;
  return `${file}: ${problem.where ? `${problem.where}: ` : ''}${problem.message}`;
}

/** `1-3, 7, 9-12`: task numbers, consecutive runs joined. */
export function taskRanges(nos: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < nos.length;) {
    let j = i;
    while (j + 1 < nos.length && nos[j + 1] === (nos[j] ?? 0) + 1) j++;
    parts.push(i === j ? String(nos[i]) : `${nos[i]}-${nos[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** Unit codes: stable ASCII, used in workflow ids. */
export const UNIT_CODE_SHAPE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** A value quoted so that line breaks and control characters show (`"张三\n"`). */
export function quote(value: string): string {
  return JSON.stringify(value);
}

const NAME_TYPES: Record<TextProblem['type'], DirectoryProblemType> = {
  missing: 'missing-name',
  'control-character': 'unsafe-name',
  untrimmed: 'untrimmed-name',
  'invalid-address': 'invalid-address',
};

/** Brackets either width are the same name (unitIndex does the same when it resolves a table's names). */
function nameKey(name: string): string {
  return name.replace(/\(/g, '（').replace(/\)/g, '）');
}

/** Options of {@link checkDirectory}. */
export interface CheckDirectoryOptions {
  /**
   * Whether to check that `generalOffice` is a unit code; a CSV/XLSX reader checks its marked row itself.
   * (Default: true)
   */
  generalOffice?: boolean;
}

/**
 * Every problem of a directory whose shape is right: codes, names and aliases, contact names and addresses,
 * duplicate codes, duplicate names or aliases (brackets of either width alike), a general office that is not a unit.
 * Two units may share a contact (one officer for two units is common).
 *
 * @param locate Places of the fields in the file. (Default: the JSON fields, `units[3].officer.email`)
 * @param options See {@link CheckDirectoryOptions}. (Default: every check)
 */
export function checkDirectory(
  directory: Directory,
  file: string,
  locate: Locate = locateJsonField,
  options: CheckDirectoryOptions = {},
): DirectoryProblem[] {
  const problems: DirectoryProblem[] = [];
  const at = (field: string, type: DirectoryProblemType, message: string) =>
    problems.push(problemAt(file, locate(field), type, message));
  const codes = new Map<string, number>();
  const names = new Map<string, { unit: number; field: string }>();
  directory.units.forEach((unit, i) => {
    const base = `units[${i}]`;
    if (unit.code === '') at(`${base}.code`, 'invalid-code', 'missing code');
    else if (!UNIT_CODE_SHAPE.test(unit.code)) {
      at(`${base}.code`, 'invalid-code', `${quote(unit.code)} must be lower-case ASCII words joined by "-"`);
    }
    const other = codes.get(unit.code);
    if (unit.code !== '' && other !== undefined) {
      const place = locate(`units[${other}].code`);
      const where = place.row !== undefined ? `the code of row ${place.row}` : place.field;
      at(`${base}.code`, 'duplicate-code', `'${unit.code}' is also ${where}`);
    } else if (unit.code !== '') codes.set(unit.code, i);

    const named: [string, string][] = [
      [`${base}.name`, unit.name],
      ...unit.aliases.map((alias, j): [string, string] => [`${base}.aliases[${j}]`, alias]),
    ];
    for (const [field, name] of named) {
      const problem = nameProblem(name);
      const what = field.endsWith('.name') ? 'unit name' : 'alias';
      if (problem) {
        at(
          field,
          NAME_TYPES[problem.type],
          problem.type === 'missing' ? `missing ${what}` : `${what} ${problem.reason}: ${quote(name)}`,
        );
      }
      if (problem?.type === 'missing') continue;
      const owner = names.get(nameKey(name));
      if (owner && owner.unit !== i) {
        const place = locate(owner.field);
        const role = owner.field.endsWith('.name') ? 'name' : 'alias';
        const whose = place.row !== undefined ? `the ${role} of row ${place.row}` : owner.field;
        at(field, 'duplicate-name', `'${name}' is also ${whose} (${directory.units[owner.unit]?.name ?? ''})`);
      } else if (!owner) names.set(nameKey(name), { unit: i, field });
    }

    for (const role of ['officer', 'head'] as const) {
      const contact = unit[role];
      const who = role === 'officer' ? 'officer (联络员)' : 'head (单位负责人)';
      const nameIssue = nameProblem(contact.name);
      if (nameIssue) {
        const message =
          nameIssue.type === 'missing'
            ? `missing name of the ${who}`
            : `name of the ${who} ${nameIssue.reason}: ${quote(contact.name)}`;
        at(`${base}.${role}.name`, NAME_TYPES[nameIssue.type], message);
      }
      const addressIssue = addressProblem(contact.email);
      if (addressIssue) {
        if (addressIssue.type === 'missing') {
          at(`${base}.${role}.email`, 'missing-address', `missing e-mail address of the ${who}`);
        } else {
          at(
            `${base}.${role}.email`,
            'invalid-address',
            `Invalid email address of the ${who}, ${quote(contact.email)}: ${addressIssue.reason}`,
          );
        }
      }
    }
  });
  if (options.generalOffice !== false) {
    if (directory.generalOffice === '') at('generalOffice', 'general-office', 'missing general office code');
    else if (!codes.has(directory.generalOffice)) {
      at('generalOffice', 'general-office', `'${directory.generalOffice}' is not the code of a unit`);
    }
  }
  return problems;
}

/** Where the plan is, for problems about the names it uses. */
export interface PlanCoverageOptions {
  /** The plan file, named in `missing-unit` problems. */
  planFile: string;
  /** The directory file, named in `invalid-value` problems about a unit's kind. */
  directoryFile: string;
  /** Places of the directory's fields. (Default: the JSON fields) */
  locate?: Locate;
  /**
   * Where in the plan file a task names a unit or group: its line, and the cell when known. (Default: unknown, the
   * problem names the tasks only)
   */
  locateName?: (taskNo: number, name: string) => { line: number; cell?: string } | undefined;
}

/**
 * The units and groups a plan names that the directory lacks: names that are neither a unit's name nor an alias;
 * 省直各部门 or 省直有关部门 without a provincial unit; each 设区市 of the issuer's province (src/domain/divisions.ts)
 * that is missing, or present under another kind; a `city` unit that is not one of them (各设区市 would include it).
 */
export function checkPlanCoverage(directory: Directory, plan: Plan, options: PlanCoverageOptions): DirectoryProblem[] {
  const locate = options.locate ?? locateJsonField;
  const problems: DirectoryProblem[] = [];
  const missing = (tasks: number[], name: string, message: string) => {
    const place = tasks.map((no) => options.locateName?.(no, name)).find((p) => p !== undefined);
    problems.push({
      type: 'missing-unit',
      file: options.planFile,
      field: '',
      where: `${tasks.length === 1 ? 'task' : 'tasks'} ${taskRanges(tasks)}${place?.cell ? ` (${place.cell})` : ''}`,
      message,
      tasks,
      ...(place ? { line: place.line } : {}),
      ...(place?.cell ? { cell: place.cell } : {}),
    });
  };
  const namedBy = new Map<string, number[]>();
  for (const task of plan.tasks) {
    for (const name of [...task.leadUnits, ...task.responsibleUnits]) {
      const tasks = namedBy.get(name) ?? [];
      if (tasks[tasks.length - 1] !== task.no) tasks.push(task.no);
      namedBy.set(name, tasks);
    }
  }
  const unknown = new Set(expandAssignments(plan.tasks, directory).unknownUnits.map((u) => u.name));
  for (const [name, tasks] of namedBy) {
    if (!unknown.has(name)) continue;
    if (unitGroupOf(name) === 'other') {
      missing(tasks, name, `the group '${name}' is not one duban expands: list its members as units and name them`);
    } else missing(tasks, name, `'${name}' is not the name or alias of a unit in ${options.directoryFile}`);
  }
  const provincial = directory.units.filter((u) => u.kind === 'provincial');
  for (const [group, tasks] of namedBy) {
    const kind = unitGroupOf(group);
    if (kind !== 'all-departments' && kind !== 'relevant-departments') continue;
    const members = kind === 'all-departments' ? provincial.filter((u) => !u.vertical) : provincial;
    if (members.length === 0) {
      missing(
        tasks,
        group,
        `the group ${group} has no member: no unit of kind provincial${kind === 'all-departments' ? ' that is not vertical' : ''}`,
      );
    }
  }
  const cityTasks = namedBy.get(UNIT_GROUPS.allCities);
  if (cityTasks) {
    const province = provinceOfIssuer(plan.issuer);
    const index = unitIndex(directory);
    const field = (unit: Unit, name: string) => `units[${directory.units.indexOf(unit)}].${name}`;
    if (province && province.cities.length > 0) {
      for (const city of province.cities) {
        const unit = index.get(city);
        if (!unit)
          missing(
            cityTasks,
            UNIT_GROUPS.allCities,
            `${UNIT_GROUPS.allCities}: ${city} (a 设区市 of ${province.name}) is not in the directory`,
          );
        else if (unit.kind !== 'city') {
          problems.push(
            problemAt(
              options.directoryFile,
              locate(field(unit, 'kind')),
              'invalid-value',
              `${unit.name} is a 设区市 of ${province.name} but its kind is ${unit.kind}: ${UNIT_GROUPS.allCities} would leave it out`,
            ),
          );
        }
      }
      for (const unit of directory.units.filter((u) => u.kind === 'city')) {
        if (![unit.name, ...unit.aliases].some((n) => province.cities.includes(n))) {
          problems.push(
            problemAt(
              options.directoryFile,
              locate(field(unit, 'kind')),
              'invalid-value',
              `kind city, but ${unit.name} is not a 设区市 of ${province.name}: ${UNIT_GROUPS.allCities} would include it (a county-level unit is a district)`,
            ),
          );
        }
      }
    } else if (!directory.units.some((u) => u.kind === 'city')) {
      missing(
        cityTasks,
        UNIT_GROUPS.allCities,
        `the group ${UNIT_GROUPS.allCities} has no member: no unit of kind city`,
      );
    }
  }
  return problems;
}
