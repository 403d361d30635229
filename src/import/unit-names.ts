/**
 * Unit names as task tables write them (牵头单位 / 责任单位 cells): recognising a cell as a list of units,
 * splitting concatenations, expanding abbreviated enumerations. Pure: no I/O.
 */
import { type Directory, UNIT_GROUPS, type UnitKind } from '../domain/directory';

/** Separators between names in a unit cell, full-width and ASCII alike. */
const ITEM_SEPARATOR = /[，,、；;]/;
/** Endings of organisation names (厅 局 委 办 行 …); what lets an unknown name still parse as a unit. */
const UNIT_SUFFIX = /(?:部门|管委会|中心|[厅局委办行市区县])$/;
/** Characters a unit name may hold: CJK, ASCII letters (PPP-style abbreviations) and brackets. */
const UNIT_CHARS = /^[\u4e00-\u9fff A-Za-z（）]{2,24}$/;
/** Groups always spelled out in full: 省直各部门, 省直有关部门, 各设区市 and similar 各X forms. */
const GROUP_SHAPE = /^(?:省直(?:各|有关)(?:部门|单位)|各(?:设区市|市|县|区|县（市、区）|地|部门|有关部门))$/;
/** Sentence punctuation never found in a unit cell; its presence means requirement prose. */
const PROSE_MARK = /[。：:“”"《》！？!?]/;
/** Unit-name endings after which a concatenated name may start (省财政厅|省国税局). */
const CONCAT_BOUNDARY_BEFORE = /[厅局委办行]$/;

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
    return (Object.values(UNIT_GROUPS) as string[]).includes(name) || GROUP_SHAPE.test(name);
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
    if (known) return known.kind === 'provincial' || known.kind === 'office';
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

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
