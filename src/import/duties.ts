/**
 * Duties found in the text of a task row (title and 工作要求) and in a 完成时限 cell: cadences, one-off deadlines,
 * ongoing work, emergency windows and information requests. Every duty keeps the exact phrase it came from.
 * Matching runs on the simplified text; phrases are cut from the text as written (same length). Pure: no I/O.
 */
import type { Cadence, Duty, DueIn, EmergencyStep, IsoDate } from '../domain/plan';
import { calendarDate, lastDayOfMonth } from './dates';

const CADENCE_WORD: Record<string, Cadence> = { 周: 'week', 月: 'month', 季: 'quarter', 年: 'year' };
/** 每周 / 按月 / 每月 / 按季度 / 每年, and enumerations like 按月度、季度 (one phrase, several cadences). */
const CADENCE_PHRASE = /(?:每|按)([周月季年])度?((?:[、和及与,，](?:[周月季年])度)*)/g;
/**
 * A day within each period right after a cadence: 每月5日前, 每季度第一个月10日前 (首月, 末月), 每月底前 (the default).
 * Matched on the text after the cadence phrase.
 */
const DUE_DAY = /^的?(?:(第[一二三123]个?月|首月|末月)?(\d{1,2})[日号]|(底|末))(?:之?前|以前)?/;
/** What reads like a day within the period but is not understood (每周五前, 每季度结束后10日内): a warning. */
const OTHER_DAY =
  /^的?(?:周[一二三四五六日天]|星期[一二三四五六日天]|礼拜[一二三四五六日天]|结束后|第[一二三四\d]+个?月|首月|末月|前\d{1,2}个?[日天]|\d{1,2}[日号])[^、，,。；;]*/;
/** 每周五前, 每周一: a weekday after 每周. */
const WEEKDAY = /^[一二三四五六日天][^、，,。；;]*/;
/** 每年6月底前 / 每年6月30日前 / 每年年底前: in a one-year plan, a deadline of the plan year. */
const YEARLY_DATE = /每年的?(?:(\d{1,2})月(?:(\d{1,2})[日号]|(底|末))?|(年底|年末))(?:之?前|以前)?/g;
/** Months listed before a dated month (3月、6月、9月、12月底前): each is due the same way as the last one. */
const MONTH_LIST_BEFORE = /(?:(\d{4})年)?((?:\d{1,2}月(?:底|末)?、)+)$/;
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
  return findRowDuties(text, year, written).duties;
}

/** A 完成时限 cell read: its duties, and the clauses that name a time the importer does not understand. */
export interface DeadlineCell {
  duties: Duty[];
  unread: string[];
  /**
   * Cadence phrases whose day within the period is not understood (`每周五前`, `每季度结束后10日内`): the period's
   * last day is used. (Default: absent, none)
   */
  unreadDays?: string[];
}

/** A row's text read: its duties, and cadences whose day within the period is not understood. */
export interface RowDuties {
  duties: Duty[];
  /** See {@link DeadlineCell.unreadDays}. */
  unreadDays: string[];
}

/**
 * Reads the duties of one task row, with the cadences whose day within the period it does not understand.
 * @param text The row's title and requirements, simplified.
 * @param year The plan year.
 * @param written The same text as written. (Default: `text`)
 */
export function findRowDuties(text: string, year: number, written: string = text): RowDuties {
  const unreadDays: string[] = [];
  const duties = rowDuties(text, year, written, unreadDays).map((f) => f.duty);
  return { duties, unreadDays };
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
  const unreadDays: string[] = [];
  const found = rowDuties(text, year, written, unreadDays);
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
    const end = /前$/.test(text.slice(b.at, b.end)) ? b.end : deliverableEnd(text, b.end, [...accepted, ...found]);
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
  return { duties: found.map((f) => f.duty), unread, ...(unreadDays.length > 0 ? { unreadDays } : {}) };
}

/**
 * Duties of a row's text with their spans; deadlines are checked against each other so they never overlap.
 * Cadences whose day within the period is not understood go to `unreadDays`.
 */
function rowDuties(text: string, year: number, written: string, unreadDays: string[]): Found[] {
  const found: Found[] = [];
  const cadences = new Set<Cadence>();
  const phrase = (at: number, length: number) => written.slice(at, at + length);

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

  // A plan runs one year, so "every year by June 30" is one date of it: a deadline with the deadline rule's
  // reminders and escalations, as 6月底前 is, not a one-period yearly duty with the thinner recurring ones.
  for (const m of text.matchAll(YEARLY_DATE)) {
    const due = m[4] ? `${year}-12-31` : monthDate(year, Number(m[1]), m[2], m[3], /前$/.test(m[0]));
    if (due === undefined) throw new DutyDateError(`impossible date '${phrase(m.index, m[0].length)}'`);
    deadline(m.index, m[0].length, due);
  }
  for (const m of text.matchAll(CADENCE_PHRASE)) {
    if (spans.some(([s, e]) => m.index < e && s < m.index + m[0].length)) continue;
    const words = [m[1] ?? '', ...[...(m[2] ?? '').matchAll(/[周月季年]/g)].map((w) => w[0])];
    const after = text.slice(m.index + m[0].length);
    const day = words.length === 1 ? DUE_DAY.exec(after) : null;
    const dueIn = day?.[2] ? dueInOf(CADENCE_WORD[words[0] ?? ''], day[1], Number(day[2])) : undefined;
    let length = m[0].length;
    if (day && (day[3] || dueIn)) {
      // The day belongs to the phrase (每月5日前), and is no date of its own (第1个月10日 read as January 10).
      length += day[0].length;
      spans.push([m.index, m.index + length]);
    } else if (words.length === 1) {
      const other = OTHER_DAY.exec(after) ?? (words[0] === '周' ? WEEKDAY.exec(after) : null);
      if (other) unreadDays.push(phrase(m.index, m[0].length + other[0].length));
    }
    for (const word of words) {
      const every = CADENCE_WORD[word];
      if (!every || cadences.has(every)) continue;
      cadences.add(every);
      found.push({
        at: m.index,
        end: m.index + length,
        duty: { kind: 'recurring-publication', every, ...(dueIn ? { dueIn } : {}), source: phrase(m.index, length) },
      });
    }
  }
  const periodic = PERIODIC.exec(text);
  if (periodic && cadences.size === 0) {
    const end = periodic.index + periodic[0].length;
    found.push({ at: periodic.index, end, duty: { kind: 'periodic-unspecified', source: phrase(periodic.index, 2) } });
  }

  // Half-years and quarters first: 上半年内 is not 年内.
  for (const m of text.matchAll(HALF_YEAR)) {
    deadline(m.index, m[0].length, `${yearOf(m[1], year)}-${m[2] === '上' ? '06-30' : '12-31'}`);
  }
  for (const m of text.matchAll(QUARTER)) deadline(m.index, m[0].length, quarterEnd(yearOf(m[1], year), m[2] ?? ''));
  for (const m of text.matchAll(WITHIN_YEAR)) deadline(m.index, m[0].length, `${year}-12-31`);
  for (const m of text.matchAll(YEAR_END)) deadline(m.index, m[0].length, `${m[1] ?? year}-12-31`);
  for (const m of text.matchAll(BEFORE_YEAR)) deadline(m.index, m[0].length, `${Number(m[1]) - 1}-12-31`);
  for (const m of text.matchAll(DATE_BEFORE)) {
    const list = m[1] ? null : MONTH_LIST_BEFORE.exec(text.slice(0, m.index));
    const y = yearOf(m[1] ?? list?.[1], year);
    const due = monthDate(y, Number(m[2]), m[3], m[4], true);
    if (due === undefined) throw new DutyDateError(`impossible date '${phrase(m.index, m[0].length)}'`);
    if (list) {
      // 3月、6月、9月、12月底前: each month listed is due as the last one is, each with its own phrase.
      const months = list.index + list[0].length - (list[2] ?? '').length;
      for (const month of (list[2] ?? '').matchAll(/(\d{1,2})月(底|末)?、/g)) {
        const at = month.index === 0 ? list.index : months + month.index;
        const end = months + month.index + month[0].length - 1;
        const listed = monthDate(y, Number(month[1]), month[2] ? undefined : m[3], month[2] ?? m[4], true);
        if (listed === undefined) throw new DutyDateError(`impossible date '${phrase(at, end - at)}'`);
        deadline(at, end - at, listed);
      }
    }
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

/**
 * The date a month phrase names: a day (6月30日前), the month's end (6月底前), or with 前 alone the end of the month
 * before (8月前: July 31); undefined for an impossible one.
 */
function monthDate(
  year: number,
  month: number,
  day: string | undefined,
  end: string | undefined,
  before: boolean,
): IsoDate | undefined {
  if (end) return lastDayOfMonth(year, month);
  if (day) return calendarDate(year, month, Number(day));
  if (month < 1 || month > 12) return undefined;
  return before ? monthBefore(year, month) : lastDayOfMonth(year, month);
}

/** The day within each period of a cadence (每月5日前, 每季度第一个月10日前), or undefined when it cannot be one. */
function dueInOf(every: Cadence | undefined, monthWord: string | undefined, day: number): DueIn | undefined {
  if (day < 1 || day > 31) return undefined;
  if (every === 'month' && !monthWord) return { day };
  if (every !== 'quarter' || !monthWord) return undefined;
  const month =
    monthWord === '首月'
      ? 1
      : monthWord === '末月'
        ? 3
        : '一二三'.indexOf(monthWord[1] ?? '') + 1 || Number(monthWord[1]);
  return month >= 1 && month <= 3 ? { month, day } : undefined;
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

/**
 * Where the deliverable after a bare date ends: the end of its clause, or the next date in it; the separator of a
 * list of dates (`、`) is no deliverable.
 */
function deliverableEnd(text: string, from: number, dates: { at: number }[]): number {
  const clause = clausesOf(text).find((c) => c.start <= from && from <= c.end);
  const next = dates.filter((d) => d.at >= from).map((d) => d.at);
  const end = Math.min(clause?.end ?? text.length, ...next);
  const deliverable = text.slice(from, end).replace(/[\s、和及与]+$/, '');
  return deliverable.trim() === '' ? from : from + deliverable.length;
}
