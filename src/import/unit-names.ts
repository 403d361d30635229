/**
 * Unit names as task tables write them (牵头单位 / 责任单位 cells): recognising a cell as a list of units,
 * splitting concatenations, expanding abbreviated enumerations. Pure: no I/O.
 */
import { type Directory, type UnitKind, unitGroupOf } from '../domain/directory';

/** Separators between names in a unit cell, full-width and ASCII alike. */
const ITEM_SEPARATOR = /[，,、；;]/;
/** Endings of organisation names (厅 局 委 办 行 …); what lets an unknown name still parse as a unit. */
const UNIT_SUFFIX = /(?:部门|管委会|中心|[厅局委办行市区县])$/;
/** Characters a unit name may hold: CJK, ASCII letters (PPP-style abbreviations) and brackets. */
const UNIT_CHARS = /^[\u4e00-\u9fff A-Za-z（）]{2,24}$/;
/** Endings of unit names in a column known to hold units: departments and also divisions (处室, 科), courts, firms. */
const WIDE_UNIT_SUFFIX =
  /(?:部门|管委会|委员会|中心|公司|集团|街道|[厅局委办行市区县处科室股队站所院馆部会社组府署台团镇乡])$/;
/** Role markers at the end of a clause of a unit cell: 市发展改革委牵头 / 市住建局等配合 / …负责落实. */
const LEAD_MARK = /(?:牵头(?:负责|落实|实施)?|负总责|为牵头单位)$/;
const HELP_MARK = /(?:等(?:单位|部门)?)?(?:配合|协助|协办|参与|协同)(?:落实|实施|推进|完成)?$/;
const OWN_MARK =
  /(?:等(?:单位|部门)?)?(?:按职责分工|按职责|分别|共同|具体)?(?:负责)?(?:落实|实施|推进|办理|完成|负责)$/;
/** A role written in brackets after a name: 市财政局（牵头）. */
const BRACKET_ROLE = /^(.+?)（(牵头|配合|协办|参与|负责)）$/;
/** Sentence punctuation never found in a unit cell; its presence means requirement prose. */
const PROSE_MARK = /[。：:“”"《》！？!?]/;
/** Unit-name endings after which a concatenated name may start (省财政厅|省国税局). */
const CONCAT_BOUNDARY_BEFORE = /[厅局委办行]$/;

/** Role of the units a column holds; markers in a cell (牵头, 配合, 会) override it. */
export type UnitRole = 'lead' | 'responsible';

/** A grid's unit cell, read: lead and responsible names, aliases written in brackets, and what is not a unit. */
export interface UnitCellReading {
  lead: string[];
  responsible: string[];
  /** `[name, alias]` for `规划信息处（爱卫办）`: one unit, written with its other name. */
  aliases: [string, string][];
  /** Parts of the cell that are not unit names (prose, a person), for a warning. */
  unread: string[];
}

/** What a table's unit cell was read as. */
export type UnitCell =
  | { kind: 'units'; names: string[] }
  /** The cell starts like a unit list but an item is not a unit name. */
  | { kind: 'broken'; item: string }
  /** Requirement prose or anything else that is not a unit list. */
  | { kind: 'prose' };

/** Known names of one directory plus the place prefixes of one table, for reading unit cells. */
export class UnitLexicon {
  private readonly byName = new Map<string, { canonical: string; kind: UnitKind }>();
  /** Prefixes that mark a name as already qualified (省, 福建, 厦门 …), so 省 is not carried onto it. */
  private readonly placePrefixes: string[];

  /**
   * @param directory Units whose names and aliases are recognised exactly. (Default: none, suffix patterns only)
   * @param provinceStem The issuer's province without 省, e.g. `福建`; names may start with it. (Default: '')
   */
  constructor(
    readonly directory?: Directory,
    readonly provinceStem = '',
  ) {
    for (const unit of directory?.units ?? []) {
      for (const name of [unit.name, ...unit.aliases]) {
        this.byName.set(normaliseBrackets(name), { canonical: unit.name, kind: unit.kind });
      }
    }
    const cityStems = (directory?.units ?? [])
      .filter((u) => u.kind === 'city')
      .map((u) => u.name.replace(/市$/, ''))
      .filter((stem) => stem.length >= 2);
    this.placePrefixes = [
      '省',
      '市',
      '各',
      '人行',
      '中国',
      '国家',
      ...(provinceStem ? [provinceStem] : []),
      ...cityStems,
    ];
  }

  /** True when the name (or an alias of it) is in the directory. */
  isKnown(name: string): boolean {
    return this.byName.has(name);
  }

  /** True for a group the table names instead of units (省直各部门, 各设区市 …). */
  isGroup(name: string): boolean {
    return unitGroupOf(name) !== undefined;
  }

  /** True when the name looks like a unit: known, a group, or an organisation-shaped name. */
  isUnitShaped(name: string): boolean {
    return this.isKnown(name) || this.isGroup(name) || (UNIT_CHARS.test(name) && UNIT_SUFFIX.test(name));
  }

  /**
   * True for a single provincial-level unit (a department, a regulator), false for groups, cities and districts:
   * the distinction the lead/responsible rule rests on. Unknown names are judged by their ending.
   */
  isSpecificProvincial(name: string): boolean {
    if (this.isGroup(name)) return false;
    const known = this.byName.get(name);
    if (known) return known.kind === 'provincial' || known.kind === 'office' || known.kind === 'division';
    return !/[市区县]$/.test(name);
  }

  /**
   * Reads one whitespace-separated cell of a task row. Concatenations are split (省财政厅省国税局 → two names),
   * abbreviated enumerations get the 省 prefix of the item before (省发改委、人社厅 → 省发改委, 省人社厅),
   * ASCII brackets become full-width. Names stay as written otherwise; aliases are resolved only in assignments.
   */
  readCell(cell: string): UnitCell {
    if (PROSE_MARK.test(cell)) return { kind: 'prose' };
    const items = cell
      .split(ITEM_SEPARATOR)
      .map((item) => normaliseBrackets(item.trim()))
      .filter((item) => item !== '');
    if (items.length === 0) return { kind: 'prose' };
    const names: string[] = [];
    for (const item of items) {
      for (const piece of this.splitConcatenation(item)) {
        const previous = names[names.length - 1];
        names.push(previous?.startsWith('省') ? this.carryProvincePrefix(piece) : piece);
      }
    }
    const bad = names.find((name) => !this.isUnitShaped(name));
    if (bad === undefined) return { kind: 'units', names: unique(names) };
    // A first item that is certainly a unit means the author meant a unit list and mistyped a name.
    const first = names[0] ?? '';
    return this.isKnown(first) || this.isGroup(first) || (first.startsWith('省') && this.isUnitShaped(first))
      ? { kind: 'broken', item: bad }
      : { kind: 'prose' };
  }

  /**
   * Reads a unit cell of a grid, whose column says what it holds (`role`). Markers decide roles inside it:
   * `市发展改革委牵头，市住建局等配合` (lead, responsible), `宣传处会办公室` (宣传处 leads with 办公室),
   * `应急处、监督处等按职责分工落实` (the column's role); `规划信息处（爱卫办）` is one unit with an alias. Names are
   * split and qualified as in {@link readCell}, and also on line breaks and spaces (one unit per line in Word).
   * @param text Simplified text of the cell.
   */
  readUnitCell(text: string, role: UnitRole): UnitCellReading {
    const reading: UnitCellReading = { lead: [], responsible: [], aliases: [], unread: [] };
    const context: { last?: string } = {};
    const add = (names: string[], as: UnitRole) => (as === 'lead' ? reading.lead : reading.responsible).push(...names);
    for (const raw of splitOutsideBrackets(normaliseBrackets(text), /[，,；;。\n]/)) {
      let clause = raw.trim().replace(/^由/, '');
      let clauseRole: UnitRole = role;
      if (LEAD_MARK.test(clause)) {
        clause = clause.replace(LEAD_MARK, '');
        clauseRole = 'lead';
      } else if (HELP_MARK.test(clause)) {
        clause = clause.replace(HELP_MARK, '');
        clauseRole = 'responsible';
      } else if (OWN_MARK.test(clause) && clause.replace(OWN_MARK, '') !== '') {
        clause = clause.replace(OWN_MARK, '');
      }
      if (clause === '') continue;
      const jointly = this.splitJointly(clause);
      if (jointly) {
        add(this.readNames(jointly[0], reading, context), 'lead');
        add(this.readNames(jointly[1], reading, context), 'responsible');
      } else {
        for (const item of splitOutsideBrackets(clause, /[、\s]/)) {
          const marked = BRACKET_ROLE.exec(item.trim());
          if (marked)
            add(this.readNames(marked[1] ?? '', reading, context), marked[2] === '牵头' ? 'lead' : 'responsible');
          else add(this.readNames(item, reading, context), clauseRole);
        }
      }
    }
    reading.lead = unique(reading.lead);
    reading.responsible = unique(reading.responsible).filter((name) => !reading.lead.includes(name));
    return reading;
  }

  /** `X会同Y` / `X会Y` (X handles it together with Y) when both sides are unit names. */
  private splitJointly(clause: string): [string, string] | undefined {
    if (this.isKnown(clause) || this.isGroup(clause)) return undefined;
    for (const m of clause.matchAll(/会同|会/g)) {
      const left = clause.slice(0, m.index);
      const right = clause.slice(m.index + m[0].length);
      const first =
        splitOutsideBrackets(left, /[、\s]/)
          .pop()
          ?.trim() ?? '';
      const second = splitOutsideBrackets(right, /[、\s]/)[0]?.trim() ?? '';
      if (this.isWideUnit(first) && this.isWideUnit(second.replace(/等$/, ''))) return [left, right];
    }
    return undefined;
  }

  /** Names of one list item (`省财政厅省国税局`, `住建局` after `市发改委`, `规划信息处（爱卫办）`), into `reading`. */
  private readNames(item: string, reading: UnitCellReading, context: { last?: string }): string[] {
    const names: string[] = [];
    const text = item.trim().replace(/等$/, '');
    if (text === '') return names;
    const aliased = /^(.+?)（([^（）、，,]+)）$/.exec(text);
    if (aliased && this.isWideUnit(aliased[1] ?? '') && this.isWideUnit(aliased[2] ?? '')) {
      const name = aliased[1] as string;
      reading.aliases.push([name, aliased[2] as string]);
      context.last = name;
      return [name];
    }
    for (const piece of this.splitConcatenation(text)) {
      const name = this.qualify(context.last, piece);
      if (!this.isWideUnit(name)) {
        reading.unread.push(piece);
        continue;
      }
      names.push(name);
      context.last = name;
    }
    return names;
  }

  /** 人社厅 after 省发改委 → 省人社厅, 住建局 after 市发展改革委 → 市住建局; other names as written. */
  private qualify(previous: string | undefined, name: string): string {
    if (!previous) return name;
    if (previous.startsWith('省')) return this.carryProvincePrefix(name);
    const level = /^([市区县])/.exec(previous)?.[1];
    if (!level || previous.startsWith('市场') || this.isKnown(name) || this.isGroup(name)) return name;
    if (this.placePrefixes.some((p) => name.startsWith(p)) || /^[区县]/.test(name)) return name;
    return /[厅局委办]$/.test(name) ? `${level}${name}` : name;
  }

  /** A unit name in a column known to hold units: known, a group, or organisation-shaped with any unit ending. */
  private isWideUnit(name: string): boolean {
    if (this.isKnown(name) || this.isGroup(name)) return true;
    const bare = name.replace(/（[^（）]*）/g, '');
    return /^[\u4e00-\u9fff A-Za-z0-9]{2,30}$/.test(bare) && WIDE_UNIT_SUFFIX.test(bare);
  }

  /** 省财政厅省国税局省地税局 → 省财政厅, 省国税局, 省地税局; a known name is never split. */
  private splitConcatenation(item: string): string[] {
    if (this.isKnown(item) || this.isGroup(item)) return [item];
    const starts = ['省', ...(this.provinceStem ? [this.provinceStem] : [])];
    const pieces: string[] = [];
    let begin = 0;
    for (let i = 2; i < item.length - 1; i++) {
      const head = item.slice(begin, i);
      if (
        CONCAT_BOUNDARY_BEFORE.test(head) &&
        starts.some((s) => item.startsWith(s, i)) &&
        !this.isKnownPrefixSpan(item, begin, i)
      ) {
        pieces.push(head);
        begin = i;
      }
    }
    pieces.push(item.slice(begin));
    return pieces;
  }

  /** Whether a known name starting at `begin` runs past `i`, so `i` is inside it (e.g. a 省X行省Y办 full name). */
  private isKnownPrefixSpan(item: string, begin: number, i: number): boolean {
    for (const name of this.byName.keys()) {
      if (name.length > i - begin && item.startsWith(name, begin)) return true;
    }
    return false;
  }

  /** 人社厅 after 省发改委 → 省人社厅; qualified names, groups, cities and districts are left alone. */
  private carryProvincePrefix(name: string): string {
    if (this.isKnown(name) || this.isGroup(name)) return name;
    if (this.isKnown(`省${name}`)) return `省${name}`;
    if (this.placePrefixes.some((p) => name.startsWith(p))) return name;
    return /[厅局委办]$/.test(name) ? `省${name}` : name;
  }
}

/** Full-width brackets, as the official tables print them. */
export function normaliseBrackets(text: string): string {
  return text.replace(/\(/g, '（').replace(/\)/g, '）');
}

/** Splits on separators that are not inside full-width brackets (各县（市、区） stays one item). */
function splitOutsideBrackets(text: string, separator: RegExp): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === '（') depth++;
    else if (ch === '）') depth = Math.max(0, depth - 1);
    else if (depth === 0 && separator.test(ch)) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out.filter((part) => part.trim() !== '');
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
