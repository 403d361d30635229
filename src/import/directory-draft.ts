/**
 * Drafting an editable unit directory from a plan (`duban directory init`): one row per unit the plan names and
 * per member of 各设区市, the general office first, with proposed ASCII codes and guessed kinds; contacts left
 * empty for the office to fill in. Pure: a plan in, a draft out.
 */
import { pinyin } from 'pinyin-pro';
import { type Directory, type Unit, type UnitKind, unitGroupOf } from '../domain/directory';
import { type Province, provinceOfIssuer } from '../domain/divisions';
import type { Plan } from '../domain/plan';
import { UNIT_CODE_SHAPE, taskRanges } from './directory-check';

/** Options of {@link draftDirectory}. */
export interface DraftOptions {
  /** First word of every proposed code, e.g. `fj`. (Default: the first word of the plan id, e.g. `fj` of `fj-2017-zwgk`) */
  prefix?: string;
  /**
   * Other names the table writes for a unit (`规划信息处（爱卫办）` → 规划信息处: [爱卫办], `ImportedTable.unitAliases`),
   * drafted as its aliases so the directory resolves both. (Default: none)
   */
  aliases?: ReadonlyMap<string, readonly string[]>;
}

/** A group the plan names, and what the office should know about it. */
export interface GroupNote {
  group: string;
  tasks: number[];
  note: string;
}

/** An editable directory: contacts empty, codes and kinds proposed. */
export interface DirectoryDraft {
  directory: Directory;
  /** Why each row is there, by code: the tasks naming it, the group it belongs to. */
  notes: Map<string, string>;
  /** The groups the plan names, with how duban expands them. */
  groups: GroupNote[];
  /** What the draft could not do (an unknown province for 各设区市, a group duban does not expand). */
  warnings: string[];
}

/** 各X forms duban does not know as groups (各市直单位): still groups, never drafted as a unit. */
const OTHER_GROUP_NAME = /^各.+/;

// A government's general office (省政府办公厅, 市人民政府办公室) or a department's own 办公室; not 新闻办公室 and the like.
const OFFICE = /^(?:.*政府)?办公[厅室]$/;
const DISTRICT = /(?:区|县|旗)(?:人民政府|政府)?$/;
const CITY = /市(?:人民政府|政府)?$/;
const DIVISION = /(?:处|科|室)$/;

/**
 * The kind a unit's name suggests: 办公厅/办公室 of a government → office; a 设区市 of the province → city, another
 * name ending in 市 → district (a county-level city) when the province's cities are known, else city; 区/县/旗 →
 * district; 处/科/室 → division (a department's own 台账 names its 处室); anything else → provincial.
 */
export function guessUnitKind(name: string, province?: Province): UnitKind {
  if (OFFICE.test(name)) return 'office';
  // 新闻办公室, 金融工作办公室, 小组办公室: departments of the government, not its general office.
  if (/办公[厅室]$/.test(name)) return 'provincial';
  if (CITY.test(name)) {
    const city = name.replace(/(?:人民政府|政府)$/, '');
    return province && province.cities.length > 0 && !province.cities.includes(city) ? 'district' : 'city';
  }
  if (DISTRICT.test(name)) return 'district';
  if (DIVISION.test(name)) return 'division';
  return 'provincial';
}

/** Central units in a province (中央驻X垂直管理单位): the central bank, taxation, securities, banking, customs … */
const VERTICAL = [
  /^人行/,
  /^中国人民银行/,
  /国税局$/,
  /国家税务局$/,
  /^国家税务总局/,
  /(?:证监局|银监局|保监局|银保监局)$/,
  /^中国(?:证监会|银监会|保监会|银保监会)/,
  /^国家金融监督管理总局/,
  /海关$/,
  /出入境检验检疫局$/,
  /调查总队$/,
  /(?:通信管理局|邮政管理局)$/,
];

/** Whether a provincial unit's name is that of a central, vertically managed unit; a proposal to check. */
export function guessVertical(name: string): boolean {
  return VERTICAL.some((pattern) => pattern.test(name));
}

// pinyin-pro reads 人行 as rén xíng (it is 人民银行, rén háng) and 河长 as hé cháng (河长制, hé zhǎng).
const INITIAL_OVERRIDES: [string, string][] = [
  ['人行', 'rh'],
  ['河长', 'hz'],
];

/** Lower-case pinyin initials of a name (ASCII letters and digits kept): 省财政厅 → sczt. */
export function pinyinInitials(text: string): string {
  const chars = [...text];
  const initials = pinyin(text, { pattern: 'first', toneType: 'none', type: 'array' }).map((s) => s.toLowerCase());
  if (initials.length !== chars.length) return initials.join('').replace(/[^a-z0-9]/g, '');
  for (const [word, fixed] of INITIAL_OVERRIDES) {
    for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
      const index = [...text.slice(0, at)].length;
      [...fixed].forEach((letter, k) => (initials[index + k] = letter));
    }
  }
  return initials.join('').replace(/[^a-z0-9]/g, '');
}

/** Lower-case toneless pinyin, ü as v: 福州 → fuzhou. */
export function pinyinFull(text: string): string {
  return pinyin(text, { toneType: 'none', type: 'array', v: true })
    .join('')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

const DISTRICT_SUFFIX = /(?:综合实验区|新区|开发区|实验区|试验区|区|县|市|旗)(?:人民政府|政府)?$/;

/** Initials, then the first syllable in full for telling apart 省国税局 (guosj) from 省工商局 (gsj). */
function initialsCandidates(text: string): string[] {
  const [first = '', ...rest] = [...text];
  return [pinyinInitials(text), `${pinyinFull(first)}${pinyinInitials(rest.join(''))}`];
}

/**
 * The part of a code after the prefix, best first (the next one is for when the first is taken): full pinyin for
 * cities and districts (福州市 → fuzhou, 平潭综合实验区 → pingtan), initials otherwise with 省政府/省 dropped
 * (省财政厅 → czt, 省政府办公厅 → bgt), and a unit qualified by the province or one of its cities keeps the place
 * last (福建证监局 → zjj-fj, 厦门银监局 → yjj-xm).
 */
export function proposeCodeBodies(name: string, kind: UnitKind, province?: Province): string[] {
  const bare = name.replace(/[（(][^）)]*[）)]/g, '');
  if (kind === 'city') return [pinyinFull(bare.replace(/市(?:人民政府|政府)?$/, ''))];
  if (kind === 'district') {
    const stem = bare.replace(DISTRICT_SUFFIX, '');
    return [[...stem].length <= 4 ? pinyinFull(stem) : pinyinInitials(bare)];
  }
  const places = [province?.stem, ...(province?.cities ?? []).map((c) => c.replace(/市$/, ''))].filter(
    (p): p is string => !!p,
  );
  const place = places.find((p) => bare.startsWith(p) && bare.length > p.length + 1);
  if (place) {
    const rest = bare.slice(place.length).replace(/^省(?=..)/, '');
    return initialsCandidates(rest).map((body) => `${body}-${pinyinInitials(place)}`);
  }
  return initialsCandidates(bare.replace(/^省政府(?=..)/, '').replace(/^省(?=..)/, ''));
}

/**
 * The general office an issuer implies: 福建省人民政府办公厅 → 省政府办公厅 (aliases 福建省人民政府办公厅,
 * 省人民政府办公厅); an issuer that is not a government's office (a department issuing its own 台账) is used as it is,
 * without aliases (draftDirectory then prefers the 办公室 the table names).
 */
export function generalOfficeOf(issuer: string): { name: string; aliases: string[] } {
  const m = /^.+?(省|自治区|市)人民政府(办公厅|办公室)$/.exec(issuer);
  if (!m) return { name: issuer, aliases: [] };
  const [, level, office] = m;
  return { name: `${level}政府${office}`, aliases: [issuer, `${level}人民政府${office}`] };
}

const KIND_ORDER: UnitKind[] = ['office', 'provincial', 'division', 'city', 'district'];

interface DraftRow {
  unit: Unit;
  /** Tasks naming the unit itself, not through a group. */
  tasks: number[];
  groups: string[];
  order: number;
}

/**
 * Drafts the editable directory of a plan: the general office (from the issuer) first, then every unit the plan
 * names (provincial units before vertical ones, divisions, cities, districts, each in the order of first mention),
 * with the 设区市 of the issuer's province for 各设区市 (in division-code order). 省直各部门 and 省直有关部门 get no
 * rows of their own: they are notes, since their members are the provincial units the office lists.
 */
export function draftDirectory(plan: Plan, options: DraftOptions = {}): DirectoryDraft {
  const prefix = options.prefix ?? plan.id.split('-')[0] ?? 'unit';
  if (!UNIT_CODE_SHAPE.test(prefix))
    throw new Error(`code prefix '${prefix}' must be lower-case ASCII words joined by "-"`);
  const province = provinceOfIssuer(plan.issuer);
  const warnings: string[] = [];
  const groups: GroupNote[] = [];
  const rows: DraftRow[] = [];
  const byName = new Map<string, DraftRow>();
  const empty = () => ({ name: '', email: '' });
  const add = (name: string, kind: UnitKind, tasks: readonly number[], group?: string, aliases: string[] = []) => {
    let row = byName.get(name);
    if (!row) {
      row = {
        unit: {
          code: '',
          name,
          kind,
          aliases: [...aliases],
          officer: empty(),
          head: empty(),
          ...(kind === 'provincial' && guessVertical(name) ? { vertical: true } : {}),
        },
        tasks: [],
        groups: [],
        order: rows.length,
      };
      rows.push(row);
      for (const n of [name, ...aliases]) byName.set(n, row);
    }
    for (const alias of aliases) {
      if (alias !== row.unit.name && !row.unit.aliases.includes(alias) && !byName.has(alias)) {
        row.unit.aliases.push(alias);
        byName.set(alias, row);
      }
    }
    for (const no of tasks) if (!row.tasks.includes(no)) row.tasks.push(no);
    if (group && !row.groups.includes(group)) row.groups.push(group);
    return row;
  };

  const namedBy = new Map<string, number[]>();
  for (const task of plan.tasks) {
    for (const name of [...task.leadUnits, ...task.responsibleUnits]) {
      const tasks = namedBy.get(name) ?? [];
      if (!tasks.includes(task.no)) tasks.push(task.no);
      namedBy.set(name, tasks);
    }
  }
  const office = generalOfficeOf(plan.issuer);
  // A department's own 台账 is kept by its 办公室 when the table names one; a government's by its general office.
  const ownOffice = office.aliases.length === 0 && namedBy.has('办公室') ? '办公室' : undefined;
  const officeRow = add(ownOffice ?? office.name, 'office', [], undefined, ownOffice ? [] : office.aliases);
  for (const [name, tasks] of namedBy) {
    const group = unitGroupOf(name) ?? (OTHER_GROUP_NAME.test(name) ? 'other' : undefined);
    if (group === 'all-cities') {
      if (province && province.cities.length > 0) {
        for (const city of province.cities) add(city, 'city', [], name, [`${city}人民政府`]);
        groups.push({
          group: name,
          tasks,
          note: `one row per 设区市 of ${province.name} (${province.cities.length}), from the Ministry of Civil Affairs' list of administrative divisions`,
        });
      } else {
        const why = province ? `${province.name} has no 设区市` : `the issuer '${plan.issuer}' names no province`;
        warnings.push(`${name} (tasks ${taskRanges(tasks)}): ${why}; add its members as units of kind city by hand`);
        groups.push({ group: name, tasks, note: `${why}: add the cities by hand, kind city` });
      }
    } else if (group === 'all-departments') {
      groups.push({
        group: name,
        tasks,
        note: `every unit of kind provincial that is not vertical: add the departments of ${plan.issuer || 'the issuer'} the plan does not name one by one`,
      });
    } else if (group === 'relevant-departments') {
      groups.push({
        group: name,
        tasks,
        note: 'an operator designates the units of each task (duban designate) among the provincial units',
      });
    } else if (group === 'other') {
      warnings.push(
        `${name} (tasks ${taskRanges(tasks)}): duban does not expand this group; list its members as units and name them in the table`,
      );
      groups.push({ group: name, tasks, note: 'not expanded by duban: list its members as units' });
    } else {
      add(name, guessUnitKind(name, province), tasks, undefined, [...(options.aliases?.get(name) ?? [])]);
    }
  }

  const cityRank = (row: DraftRow) => province?.cities.indexOf(row.unit.name) ?? -1;
  const rank = (row: DraftRow) =>
    row === officeRow ? -1 : KIND_ORDER.indexOf(row.unit.kind) * 2 + (row.unit.vertical ? 1 : 0);
  const ordered = [...rows].sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.unit.kind === 'city' && b.unit.kind === 'city' ? cityRank(a) - cityRank(b) : 0) ||
      a.order - b.order,
  );
  const taken = new Set<string>();
  const notes = new Map<string, string>();
  for (const row of ordered) {
    const bodies = proposeCodeBodies(row.unit.name, row.unit.kind, province).filter((b) => b !== '');
    const [body = 'unit'] = bodies;
    let code = bodies.map((b) => `${prefix}-${b}`).find((c) => !taken.has(c)) ?? `${prefix}-${body}`;
    for (let n = 2; taken.has(code); n++) code = `${prefix}-${body}-${n}`;
    taken.add(code);
    row.unit.code = code;
    const why = [
      ...(row === officeRow ? [`办公厅: general office of ${plan.issuer}; every escalation ends here`] : []),
      ...row.groups.map((g) => `${g} (tasks ${taskRanges(namedBy.get(g) ?? [])})`),
      ...(row.tasks.length > 0 ? [`tasks ${taskRanges(row.tasks)}`] : []),
    ];
    notes.set(code, why.join('; '));
  }
  return {
    directory: { generalOffice: officeRow.unit.code, units: ordered.map((r) => r.unit) },
    notes,
    groups,
    warnings,
  };
}
