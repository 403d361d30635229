/**
 * Holiday data: the State Council General Office's yearly notices (国务院办公厅关于20XX年部分节假日安排的通知) and the
 * adjustments issued later in a year. Data only; `calendar.ts` turns it into working days.
 *
 * The built-in years live in `holidays.json`, imported (not read at runtime) because workflow code imports this
 * module and must not do I/O; the workflow bundler inlines the JSON. Each year lists the dates its notice names:
 * `daysOff` every holiday date (ranges expanded; "5月1日放假，与周末连休" names only 05-01, the weekend being off
 * anyway) and `workdays` the weekend days worked in exchange (调休上班). A notice may name the last days of the year
 * before (the 2019 notice: 2018-12-29 worked, 2018-12-30..31 off). Adjustments apply after the notice, date by date.
 *
 * Sources: the notices' texts as published on www.gov.cn, kept in `test/fixtures/holidays` (whose README names
 * each source and what could not be verified); a test parses each text and compares it with this data.
 */
import data from './holidays.json';
import type { IsoDate } from './plan';

/** What identifies a notice: its title, document number (文号) and date (成文日期), as the text gives them. */
export interface HolidayNoticeInfo {
  /** E.g. `国务院办公厅关于2025年部分节假日安排的通知`. */
  readonly title: string;
  /** E.g. `国办发明电〔2024〕12号`; null when the text carries none (republications often drop it). */
  readonly number: string | null;
  /** The date under the signature, `YYYY-MM-DD`; null when the text carries none. */
  readonly date: IsoDate | null;
}

/** One notice's dates: what `parseHolidayNotice` returns and what `duban holidays parse --json` prints. */
export interface HolidayNotice {
  /** The year the notice arranges (from its title). */
  readonly year: number;
  readonly notice: HolidayNoticeInfo;
  /** Every holiday date the notice names, ranges expanded, ascending. */
  readonly daysOff: readonly IsoDate[];
  /** Weekend days the notice makes working days (调休上班), ascending. */
  readonly workdays: readonly IsoDate[];
}

/** A later notice that changes a year's arrangement (2019 Labour Day, 2020 Spring Festival extension). */
export interface HolidayAdjustment {
  readonly notice: HolidayNoticeInfo;
  /** Dates the adjustment makes days off; they override the year's make-up working days. */
  readonly daysOff: readonly IsoDate[];
  /** Dates the adjustment makes working days; they override the year's days off. */
  readonly workdays: readonly IsoDate[];
}

/** One year's holiday data: its notice and any adjustments, in the order they were issued. */
export interface HolidayYear extends HolidayNotice {
  readonly adjustments: readonly HolidayAdjustment[];
}

/** Thrown for malformed holiday data (the built-in file, a stored row, a calendar input); `type` is stable. */
export class HolidayDataError extends Error {
  /** Stable error type for callers (workflows turn it into a non-retryable failure). */
  readonly type = 'InvalidHolidayData';
  override readonly name = 'HolidayDataError';
}

/** Whether a notice adjusts a year already arranged (关于调整… / 关于延长…) rather than arranging it. */
export function isAdjustmentNotice(notice: Pick<HolidayNotice, 'notice'>): boolean {
  return /关于(?:调整|延长)/.test(notice.notice.title);
}

type Json = Record<string, unknown>;

/** A real `YYYY-MM-DD` date (calendar.ts has the same check; importing it would make the two modules a cycle). */
function isIsoDate(value: unknown): value is IsoDate {
  const m = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!m) return false;
  const back = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return back.toISOString().slice(0, 10) === value;
}

function fail(where: string, message: string): never {
  throw new HolidayDataError(`${where}: ${message}`);
}

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(where, 'expected an object');
  return value as Json;
}

function noticeInfo(value: unknown, where: string): HolidayNoticeInfo {
  const o = object(value, where);
  if (typeof o.title !== 'string' || o.title.trim() === '') fail(`${where}.title`, 'expected the notice title');
  if (o.number !== null && (typeof o.number !== 'string' || o.number.trim() === '')) {
    fail(`${where}.number`, 'expected the document number (文号) or null');
  }
  if (o.date !== null && !isIsoDate(o.date)) fail(`${where}.date`, 'expected a date YYYY-MM-DD or null');
  return { title: o.title, number: o.number as string | null, date: o.date as IsoDate | null };
}

/** A notice arranges its own year and may reach back into December of the year before (the 2019 notice did). */
function dates(value: unknown, where: string, year: number): IsoDate[] {
  if (!Array.isArray(value)) fail(where, 'expected an array of dates');
  value.forEach((d, i) => {
    if (!isIsoDate(d)) fail(`${where}[${i}]`, `expected a date YYYY-MM-DD, got ${JSON.stringify(d)}`);
    const inYear = d.startsWith(`${year}-`) || d.startsWith(`${year - 1}-12-`);
    if (!inYear) fail(`${where}[${i}]`, `${d} is outside ${year} (and December ${year - 1})`);
    if (i > 0 && d <= (value[i - 1] as string)) fail(`${where}[${i}]`, `${d} is not after ${String(value[i - 1])}`);
  });
  return value as IsoDate[];
}

function dayLists(o: Json, where: string, year: number): { daysOff: IsoDate[]; workdays: IsoDate[] } {
  const daysOff = dates(o.daysOff, `${where}.daysOff`, year);
  const workdays = dates(o.workdays, `${where}.workdays`, year);
  const both = workdays.find((d) => daysOff.includes(d));
  if (both) fail(where, `${both} is both a day off and a working day`);
  return { daysOff, workdays };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * Checks one year's data (from JSON: the built-in file, a store row, a workflow input) and returns it as a frozen
 * {@link HolidayYear}; throws {@link HolidayDataError} naming the field. Dates must be sorted and unique, in the year
 * or in December of the year before. (Default where: `'holidays'`)
 */
export function validateHolidayYear(value: unknown, where = 'holidays'): HolidayYear {
  const o = object(value, where);
  const year = o.year;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 1000 || year > 9999) {
    fail(`${where}.year`, `expected a 4-digit year, got ${JSON.stringify(year)}`);
  }
  const adjustments = o.adjustments ?? [];
  if (!Array.isArray(adjustments)) fail(`${where}.adjustments`, 'expected an array');
  return deepFreeze({
    year,
    notice: noticeInfo(o.notice, `${where}.notice`),
    ...dayLists(o, where, year),
    adjustments: adjustments.map((a, i) => {
      const w = `${where}.adjustments[${i}]`;
      const adj = object(a, w);
      return { notice: noticeInfo(adj.notice, `${w}.notice`), ...dayLists(adj, w, year) };
    }),
  });
}

/**
 * A year's data after `notice` is added to it: a yearly notice replaces the year (and drops its adjustments); an
 * adjustment (关于调整…/关于延长…) is appended to `current`, replacing an earlier copy of the same document (same
 * number, or same title and date). Throws {@link HolidayDataError} for an adjustment of a year without data.
 */
export function withHolidayNotice(current: HolidayYear | undefined, notice: HolidayNotice): HolidayYear {
  if (current && current.year !== notice.year) {
    throw new HolidayDataError(`cannot add a notice for ${notice.year} to the data of ${current.year}`);
  }
  if (!isAdjustmentNotice(notice)) return validateHolidayYear({ ...notice, adjustments: [] });
  if (!current) {
    throw new HolidayDataError(
      `${notice.notice.title} adjusts ${notice.year}, which has no notice yet; add the year's notice first`,
    );
  }
  const same = (a: HolidayAdjustment) =>
    a.notice.number !== null && a.notice.number === notice.notice.number
      ? true
      : a.notice.title === notice.notice.title && a.notice.date === notice.notice.date;
  const adjustment = { notice: notice.notice, daysOff: notice.daysOff, workdays: notice.workdays };
  return validateHolidayYear({
    ...current,
    adjustments: [...current.adjustments.filter((a) => !same(a)), adjustment],
  });
}

/** The built-in years 2017–2026 from `holidays.json`, checked and frozen at load, ascending by year. */
export const BUILTIN_HOLIDAY_YEARS: readonly HolidayYear[] = deepFreeze(
  data.years.map((y, i) => validateHolidayYear(y, `holidays.json years[${i}]`)),
);
