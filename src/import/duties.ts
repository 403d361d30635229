/**
 * Duties found in the text of a task row (title and 工作要求) and in a 完成时限 cell: cadences, one-off deadlines,
 * ongoing work, emergency windows and information requests. Every duty keeps the exact phrase it came from.
 * Matching runs on the simplified text; phrases are cut from the text as written (same length). Pure: no I/O.
 */
import type { Cadence, Duty, EmergencyStep, IsoDate } from '../domain/plan';
import { calendarDate, lastDayOfMonth } from './dates';

const CADENCE_WORD: Record<string, Cadence> = { 周: 'week', 月: 'month', 季: 'quarter', 年: 'year' };
/** 每周 / 按月 / 每月 / 按季度 / 每年, and enumerations like 按月度、季度 (one phrase, several cadences). */
const CADENCE_PHRASE = /(?:每|按)([周月季年])度?((?:[、和及与,，](?:[周月季年])度)*)/g;
/** 定期 without a cadence: imported for an operator to set. */
const PERIODIC = /(?<!法)定期(?!限)/; // not 法定期限
/** 年内 → end of the plan year. */
const WITHIN_YEAR = /年内/g;
/** 2017年底前 / 年底前 → 12-31 of that year (the plan year when no year is written). */
const YEAR_END = /(\d{4})?年底前/g;
/** 2018年前 → the day before that year starts (not 2018年前三季度). */
const BEFORE_YEAR = /(\d{4})年前(?![一二三四五六七八九十\d季月个])/g;
/** 2017年6月30日前 / 6月30日前 / 6月底前 / 8月前 (before August: the end of July). */
const DATE_BEFORE = /(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})日|(底|末))?前/g;
/** Verbs that make a bare period a deadline in prose: 上半年完成, 第三季度出台. */
const DONE = '完成|建成|实现|出台|印发|上线|公布|发布|制定|开展';
/** 上半年前 / 2021年下半年内 / 上半年完成 → 06-30 / 12-31. */
const HALF_YEAR = new RegExp(`(?:(\\d{4})年)?([上下])半年(?:(?:底|末)?前|内|底|末|(?=${DONE}))`, 'g');
/** 第三季度前 / 2021年第一季度末 / 第二季度完成 → the quarter's last day (not 前三季度, not 按季度). */
const QUARTER = new RegExp(`(?:(\\d{4})年)?第([一二三四1-4])季度(?:(?:末|底)?前|内|末|底|(?=${DONE}))`, 'g');
/** N小时内 followed by what must happen within that window. */
const HOURS_WITHIN = /(\d{1,3})\s*(?:个)?小时内([^、，,。；;]*)/g;
/** 依申请公开 with a statutory reply limit (法定时限 / 法定期限). */
const REQUEST_TOPIC = /依申请公开/;
const STATUTORY_LIMIT = /[^、，,。；;.\s]*法定(?:时限|期限)[^、，,。；;.\s]*/;

/** In a 完成时限 cell only: work without a date (长期推进); the unit reports on it with the quarterly progress. */
const ONGOING = /长期推进|持续推进|长期坚持|长期|持续|常态化|全年|及时|实时|随时/g;
/** In a 完成时限 cell only: a bare date `2021年6月30日`, `2021-06-30`, `2021年2月`, `6月底`, `6月中旬`. */
const BARE_DAY = /(?:(\d{4})年)?(\d{1,2})月(\d{1,2})[日号](?:之?前|以前)?/g;
const NUMERIC_DAY = /(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:之?前|以前)?/g;
const BARE_MONTH = /(?:(\d{4})年)?(\d{1,2})月份?(底|末|上旬|中旬|下旬)?(?:之?前|以前)?/g;
const BARE_YEAR_END = /(?:(\d{4})年|年)[底末](?:之?前|以前)?/g;
const BARE_HALF = /(?:(\d{4})年)?([上下])半年(?:底|末)?(?:之?前|以前|内)?/g;
const BARE_QUARTER = /(?:(\d{4})年)?第?([一二三四1-4])季度(?:末|底)?(?:之?前|以前|内)?/g;
const BARE_YEAR = /(\d{4})年(?:内|之?前|以前)?(?![\d上下第底末])/g;
/** Words that name a time: a clause of a 完成时限 cell holding one of them but read as nothing is a warning. */
const TIME_WORD = /\d|[年月日周旬季天]|前|底|末|期|时|底前|节前|以前|之前/;

/** A duty with the span of its phrase in the text, so duties come out in reading order and do not overlap. */
interface Found {
  at: number;
  end: number;
  duty: Duty;
}

/** An impossible date in a row (5月32日前); the caller turns it into an error naming file and line. */
export class DutyDateError extends Error {
  override readonly name = 'DutyDateError';
}

/**
 * Reads the duties of one task row.
 * @param text The row's title and requirements, in reading order, simplified ({@link toSimplified}).
 * @param year The plan year, for dates written without one and for 年内.
 * @param written The same text as written, where phrases are cut from. (Default: `text`)
 */
export function findDuties(text: string, year: number, written: string = text): Duty[] {
  return rowDuties(text, year, written).map((f) => f.duty);
}

/** A 完成时限 cell read: its duties, and the clauses that name a time the importer does not understand. */
export interface DeadlineCell {
  duties: Duty[];
  unread: string[];
}

/**
 * Reads a 完成时限 / 时间节点 cell. Besides what a row's text may hold, a bare date or period is a deadline here
 * (`2021年6月30日`, `6月底`, `上半年`, `第三季度`, `2021年`), a date followed by a deliverable keeps the deliverable
 * in its phrase (`2021年2月公布预算信息`), and 长期推进 / 持续推进 / 长期坚持 are `ongoing` (no date).
 * @param text The cell, simplified.
 * @param year The plan year, for dates written without one.
 * @param written The cell as written. (Default: `text`)
 */
export function findDeadlineDuties(text: string, year: number, written: string = text): DeadlineCell {
  const found = rowDuties(text, year, written);
  const taken = (at: number, end: number) => found.some((f) => at < f.end && f.at < end);
  const dues = new Set(found.flatMap((f) => (f.duty.due ? [f.duty.due] : [])));
  const bare: { at: number; end: number; due: IsoDate }[] = [];
  const push = (at: number, end: number, due: IsoDate | undefined, phrase: string) => {
    if (due === undefined) throw new DutyDateError(`impossible date '${written.slice(at, at + phrase.length)}'`);
    bare.push({ at, end, due });
  };
  for (const m of text.matchAll(BARE_DAY)) {
    push(m.index, m.index + m[0].length, calendarDate(yearOf(m[1], year), Number(m[2]), Number(m[3])), m[0]);
  }
  for (const m of text.matchAll(NUMERIC_DAY)) {
    push(m.index, m.index + m[0].length, calendarDate(Number(m[1]), Number(m[2]), Number(m[3])), m[0]);
  }
  for (const m of text.matchAll(BARE_MONTH)) {
    push(m.index, m.index + m[0].length, monthDue(yearOf(m[1], year), Number(m[2]), m[3], m[0]), m[0]);
  }
  for (const m of text.matchAll(BARE_HALF)) {
    push(m.index, m.index + m[0].length, `${yearOf(m[1], year)}-${m[2] === '上' ? '06-30' : '12-31'}`, m[0]);
  }
  for (const m of text.matchAll(BARE_QUARTER)) {
    push(m.index, m.index + m[0].length, quarterEnd(yearOf(m[1], year), m[2] ?? ''), m[0]);
  }
  for (const m of text.matchAll(BARE_YEAR_END))
    push(m.index, m.index + m[0].length, `${yearOf(m[1], year)}-12-31`, m[0]);
  for (const m of text.matchAll(BARE_YEAR)) {
    const before = /之?前|以前/.test(m[0]);
    push(m.index, m.index + m[0].length, `${Number(m[1]) - (before ? 1 : 0)}-12-31`, m[0]);
  }
  // Earliest first, then longest: 2021年6月30日 wins over 2021年 and 6月 inside it.
  bare.sort((a, b) => a.at - b.at || b.end - a.end);
  const accepted: typeof bare = [];
  for (const b of bare) {
    if (taken(b.at, b.end) || accepted.some((a) => b.at < a.end && a.at < b.end)) continue;
    accepted.push(b);
  }
  for (const b of accepted) {
    if (dues.has(b.due)) continue;
    dues.add(b.due);
    const end = /前$/.test(text.slice(b.at, b.end)) ? b.end : deliverableEnd(text, b.end, accepted);
    found.push({ at: b.at, end, duty: { kind: 'task-deadline', due: b.due, source: written.slice(b.at, end) } });
  }
  for (const m of text.matchAll(ONGOING)) {
    const end = m.index + m[0].length;
    if (taken(m.index, end) || found.some((f) => f.duty.kind === 'ongoing')) continue;
    found.push({ at: m.index, end, duty: { kind: 'ongoing', source: written.slice(m.index, end) } });
  }
  found.sort((a, b) => a.at - b.at);

  const unread: string[] = [];
  for (const { start, end } of clausesOf(text)) {
    const clause = text.slice(start, end);
    if (!TIME_WORD.test(clause) || found.some((f) => f.at < end && start < f.end)) continue;
    unread.push(written.slice(start, end).trim());
  }
  return { duties: found.map((f) => f.duty), unread };
}

/** Duties of a row's text with their spans; deadlines are checked against each other so they never overlap. */
function rowDuties(text: string, year: number, written: string): Found[] {
  const found: Found[] = [];
  const cadences = new Set<Cadence>();
  const phrase = (at: number, length: number) => written.slice(at, at + length);

  for (const m of text.matchAll(CADENCE_PHRASE)) {
    const words = [m[1] ?? '', ...[...(m[2] ?? '').matchAll(/[周月季年]/g)].map((w) => w[0])];
    for (const word of words) {
      const every = CADENCE_WORD[word];
      if (!every || cadences.has(every)) continue;
      cadences.add(every);
      const end = m.index + m[0].length;
      found.push({
        at: m.index,
        end,
        duty: { kind: 'recurring-publication', every, source: phrase(m.index, m[0].length) },
      });
    }
  }
  const periodic = PERIODIC.exec(text);
  if (periodic && cadences.size === 0) {
    const end = periodic.index + periodic[0].length;
    found.push({ at: periodic.index, end, duty: { kind: 'periodic-unspecified', source: phrase(periodic.index, 2) } });
  }

  const deadlines = new Set<IsoDate>();
  const spans: [number, number][] = [];
  const deadline = (at: number, length: number, due: IsoDate) => {
    const end = at + length;
    if (spans.some(([s, e]) => at < e && s < end)) return;
    spans.push([at, end]);
    if (deadlines.has(due)) return;
    deadlines.add(due);
    found.push({ at, end, duty: { kind: 'task-deadline', due, source: phrase(at, length) } });
  };
  // Half-years and quarters first: 上半年内 is not 年内.
  for (const m of text.matchAll(HALF_YEAR)) {
    deadline(m.index, m[0].length, `${yearOf(m[1], year)}-${m[2] === '上' ? '06-30' : '12-31'}`);
  }
  for (const m of text.matchAll(QUARTER)) deadline(m.index, m[0].length, quarterEnd(yearOf(m[1], year), m[2] ?? ''));
  for (const m of text.matchAll(WITHIN_YEAR)) deadline(m.index, m[0].length, `${year}-12-31`);
  for (const m of text.matchAll(YEAR_END)) deadline(m.index, m[0].length, `${m[1] ?? year}-12-31`);
  for (const m of text.matchAll(BEFORE_YEAR)) deadline(m.index, m[0].length, `${Number(m[1]) - 1}-12-31`);
  for (const m of text.matchAll(DATE_BEFORE)) {
    const y = yearOf(m[1], year);
    const month = Number(m[2]);
    const due = m[4]
      ? lastDayOfMonth(y, month)
      : m[3]
        ? calendarDate(y, month, Number(m[3]))
        : month >= 1 && month <= 12
          ? monthBefore(y, month)
          : undefined;
    if (due === undefined) throw new DutyDateError(`impossible date '${phrase(m.index, m[0].length)}'`);
    deadline(m.index, m[0].length, due);
  }

  const steps: { at: number; end: number; step: EmergencyStep }[] = [];
  for (const m of text.matchAll(HOURS_WITHIN)) {
    const what = m[2] ?? '';
    const keyword = /发布会/.exec(what) ?? /信息/.exec(what);
    if (!keyword) continue;
    const kind = keyword[0] === '发布会' ? 'emergency-press-conference' : 'emergency-information';
    // The phrase ends at what must be done (…举行新闻发布会), not at trailing words (的时限要求).
    const end = m.index + m[0].length - what.length + keyword.index + keyword[0].length;
    const source = written.slice(m.index, end);
    steps.push({ at: m.index, end, step: { kind, within: `PT${Number(m[1])}H`, source } });
  }
  const first = steps[0];
  const last = steps[steps.length - 1];
  if (first && last) {
    found.push({
      at: first.at,
      end: last.end,
      duty: { kind: 'emergency-response', steps: steps.map((s) => s.step), source: written.slice(first.at, last.end) },
    });
  }

  const limit = REQUEST_TOPIC.test(text) ? STATUTORY_LIMIT.exec(text) : null;
  if (limit) {
    const end = limit.index + limit[0].length;
    found.push({
      at: limit.index,
      end,
      duty: { kind: 'information-request', source: phrase(limit.index, limit[0].length) },
    });
  }

  return found.sort((a, b) => a.at - b.at);
}

function yearOf(written: string | undefined, planYear: number): number {
  return written ? Number(written) : planYear;
}

/** 8月前: the last day of the month before (July 31). */
function monthBefore(year: number, month: number): IsoDate | undefined {
  return month === 1 ? calendarDate(year - 1, 12, 31) : lastDayOfMonth(year, month - 1);
}

/** 6月 / 6月底 → 06-30, 6月上旬 → 06-10, 6月中旬 → 06-20, 8月前 → 07-31. */
function monthDue(year: number, month: number, part: string | undefined, phrase: string): IsoDate | undefined {
  if (part === '上旬') return calendarDate(year, month, 10);
  if (part === '中旬') return calendarDate(year, month, 20);
  if (!part && /前$/.test(phrase)) return month >= 1 && month <= 12 ? monthBefore(year, month) : undefined;
  return lastDayOfMonth(year, month);
}

function quarterEnd(year: number, quarter: string): IsoDate {
  const q = '一二三四'.indexOf(quarter) + 1 || Number(quarter);
  return lastDayOfMonth(year, q * 3) as IsoDate;
}

/** Clauses of a cell: `，,；;。、` and line breaks separate what is due when. */
function clausesOf(text: string): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let start = 0;
  for (const m of text.matchAll(/[，,；;。\n]/g)) {
    if (m.index > start) out.push({ start, end: m.index });
    start = m.index + 1;
  }
  if (start < text.length) out.push({ start, end: text.length });
  return out.filter(({ start: s, end: e }) => text.slice(s, e).trim() !== '');
}

/** Where the deliverable after a bare date ends: the end of its clause, or the next date in it. */
function deliverableEnd(text: string, from: number, dates: { at: number }[]): number {
  const clause = clausesOf(text).find((c) => c.start <= from && from <= c.end);
  const next = dates.filter((d) => d.at >= from).map((d) => d.at);
  const end = Math.min(clause?.end ?? text.length, ...next);
  return text.slice(from, end).trim() === '' ? from : from + text.slice(from, end).trimEnd().length;
}
