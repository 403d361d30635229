/**
 * The working-day calendar (工作日) of the State Council's holiday notices, in Asia/Shanghai.
 *
 * A date is a working day when a notice names it a make-up working day (调休上班), or when it is Monday to Friday
 * and no notice names it a day off. A {@link HolidayCalendar} is built from a list of year data (the built-in years,
 * overridden by years added later) and never throws for a missing year: a year without a notice is *provisional*,
 * counted with weekends off and no holidays, and the calendar says which provisional years a computation touched so
 * that callers can label the dates that may still move.
 *
 * A notice may name the last days of December of the year before (the 2019 notice made 2018-12-29 a working day), so
 * a date from December 25 on also depends on the next year's notice.
 *
 * Pure and deterministic (workflow code imports it): no clock, no host time zone, no I/O.
 */
import { BUILTIN_HOLIDAY_YEARS, type HolidayYear, validateHolidayYear } from './holidays';
import type { IsoDate } from './plan';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

const DAY_MS = 86_400_000;
/** Parsed dates: workflows ask about the same few hundred dates over and over. */
const EPOCH_DAYS = new Map<string, number>();

/**
 * Days since 1970-01-01 of a `YYYY-MM-DD` date, or undefined when it is not a real date. Calendar dates carry no
 * time zone, so plain UTC day arithmetic is exact here, and far cheaper than zone-aware date objects.
 */
function epochDay(value: string): number | undefined {
  const cached = EPOCH_DAYS.get(value);
  if (cached !== undefined) return cached;
  const m = ISO_DATE.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  const day = ms / DAY_MS;
  EPOCH_DAYS.set(value, day);
  return day;
}

function fromEpochDay(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** Whether `value` is a real calendar date written `YYYY-MM-DD`. */
export function isIsoDate(value: unknown): value is IsoDate {
  return typeof value === 'string' && epochDay(value) !== undefined;
}

/** Throws a `RangeError` naming `field` unless `value` is a real `YYYY-MM-DD` date. (Default: `'date'`) */
export function assertIsoDate(value: unknown, field = 'date'): asserts value is IsoDate {
  if (!isIsoDate(value)) {
    throw new RangeError(`${field}: expected a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  }
}

/** The date `n` calendar days after `date` (`n` < 0: before). */
export function addCalendarDays(date: IsoDate, n: number): IsoDate {
  assertIsoDate(date);
  return fromEpochDay(epochDay(date)! + n);
}

function isoWeekday(day: number): number {
  // 1970-01-01 was a Thursday (ISO weekday 4).
  return ((((day + 3) % 7) + 7) % 7) + 1;
}

/** ISO weekday of `date`: 1 = Monday … 7 = Sunday. */
export function weekdayOf(date: IsoDate): number {
  assertIsoDate(date);
  return isoWeekday(epochDay(date)!);
}

/** From this day of December on, a date may be named by the next year's notice (the earliest so far: 12-29). */
const NEXT_NOTICE_REACHES_BACK_TO = '12-25';

/** A working-day calendar over a fixed set of holiday notices. Obtain one with {@link createHolidayCalendar}. */
export interface HolidayCalendar {
  /** The year data in force, ascending by year: each year once, an added year replacing the built-in one. */
  readonly years: readonly HolidayYear[];
  /** Years with a notice, ascending. */
  coveredYears(): number[];
  /** The data of `year`, or undefined when it is provisional. */
  yearData(year: number): HolidayYear | undefined;
  /** Whether `year` has no notice: weekends off, no holidays, until its notice is added. */
  isProvisional(year: number): boolean;
  /** The provisional years whose notice could change whether `date` is a working day (its year; from 12-25, the next). */
  provisionalYearsOf(date: IsoDate): number[];
  /** The provisional years whose notice could change any date from `from` to `to` (inclusive), ascending. */
  provisionalYearsBetween(from: IsoDate, to: IsoDate): number[];
  /** Whether `date` is a working day. */
  isWorkingDay(date: IsoDate): boolean;
  /**
   * `wd(date, n)` of the default policy: the n-th working day after `date` (n < 0: the |n|-th working day before it). The
   * start date itself is never counted, whether or not it is a working day, so wd(Sat 2017-09-30, 1) = 2017-10-09.
   * n = 0 returns `date` when it is a working day and throws a `RangeError` otherwise.
   */
  addWorkingDays(date: IsoDate, n: number): IsoDate;
  /** `date` if it is a working day, else the last working day before it (the anchor A of the default policy). */
  lastWorkingDayOnOrBefore(date: IsoDate): IsoDate;
  /** `date` if it is a working day, else the first working day after it. */
  nextWorkingDayOnOrAfter(date: IsoDate): IsoDate;
  /** This calendar with `years` added, each replacing this calendar's data for its year. */
  withYears(years: readonly HolidayYear[]): HolidayCalendar;
  /**
   * Runs `fn` with a view of this calendar that records every date it is asked about, and returns `fn`'s value with
   * the provisional years those dates depend on (ascending; empty when every date has its notice).
   */
  trace<T>(fn: (calendar: HolidayCalendar) => T): { value: T; provisionalYears: number[] };
}

interface Index {
  years: readonly HolidayYear[];
  byYear: ReadonlyMap<number, HolidayYear>;
  /** Dated exceptions to the weekday rule: true = working day, false = day off. */
  exceptions: ReadonlyMap<IsoDate, boolean>;
}

function buildIndex(years: readonly HolidayYear[]): Index {
  const byYear = new Map<number, HolidayYear>();
  for (const y of years) byYear.set(y.year, y);
  const ordered = [...byYear.values()].sort((a, b) => a.year - b.year);
  const exceptions = new Map<IsoDate, boolean>();
  // Ascending years, adjustments after their notice: a later document overrides an earlier one for the same date.
  for (const y of ordered) {
    for (const doc of [y, ...y.adjustments]) {
      for (const d of doc.daysOff) exceptions.set(d, false);
      for (const d of doc.workdays) exceptions.set(d, true);
    }
  }
  return { years: ordered, byYear, exceptions };
}

function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4));
}

function calendarOn(index: Index, recorders: readonly Set<number>[]): HolidayCalendar {
  const isProvisional = (year: number): boolean => !index.byYear.has(year);
  const provisionalYearsOf = (date: IsoDate): number[] => {
    assertIsoDate(date);
    const year = yearOf(date);
    const years: number[] = [];
    if (isProvisional(year)) years.push(year);
    if (date.slice(5) >= NEXT_NOTICE_REACHES_BACK_TO && isProvisional(year + 1)) years.push(year + 1);
    return years;
  };
  const record = (date: IsoDate): void => {
    if (recorders.length === 0) return;
    for (const y of provisionalYearsOf(date)) for (const r of recorders) r.add(y);
  };
  const isWorkingDay = (date: IsoDate): boolean => {
    assertIsoDate(date);
    record(date);
    const exception = index.exceptions.get(date);
    if (exception !== undefined) return exception;
    return isoWeekday(epochDay(date)!) <= 5;
  };
  const addWorkingDays = (date: IsoDate, n: number): IsoDate => {
    assertIsoDate(date);
    if (!Number.isInteger(n)) throw new RangeError(`n: expected an integer number of working days, got ${n}`);
    if (n === 0) {
      if (isWorkingDay(date)) return date;
      throw new RangeError(`addWorkingDays(${date}, 0): ${date} is not a working day`);
    }
    const step = n > 0 ? 1 : -1;
    let remaining = Math.abs(n);
    let current = epochDay(date)!;
    while (remaining > 0) {
      current += step;
      if (isWorkingDay(fromEpochDay(current))) remaining -= 1;
    }
    return fromEpochDay(current);
  };
  const calendar: HolidayCalendar = {
    years: index.years,
    coveredYears: () => index.years.map((y) => y.year),
    yearData: (year) => index.byYear.get(year),
    isProvisional,
    provisionalYearsOf,
    provisionalYearsBetween(from, to) {
      assertIsoDate(from, 'from');
      assertIsoDate(to, 'to');
      if (to < from) throw new RangeError(`provisionalYearsBetween: ${to} is before ${from}`);
      const years = new Set<number>();
      for (let y = yearOf(from); y <= yearOf(to); y++) {
        if (isProvisional(y)) years.add(y);
        // The window at the end of year y depends on year y + 1's notice.
        if (to >= `${y}-${NEXT_NOTICE_REACHES_BACK_TO}` && isProvisional(y + 1)) years.add(y + 1);
      }
      return [...years].sort((a, b) => a - b);
    },
    isWorkingDay,
    addWorkingDays,
    lastWorkingDayOnOrBefore: (date) => (isWorkingDay(date) ? date : addWorkingDays(date, -1)),
    nextWorkingDayOnOrAfter: (date) => (isWorkingDay(date) ? date : addWorkingDays(date, 1)),
    withYears: (years) => calendarOn(buildIndex([...index.years, ...years.map(checked)]), []),
    trace<T>(fn: (calendar: HolidayCalendar) => T) {
      const seen = new Set<number>();
      const value = fn(calendarOn(index, [...recorders, seen]));
      return { value, provisionalYears: [...seen].sort((a, b) => a - b) };
    },
  };
  return Object.freeze(calendar);
}

/** Calendar input may come from JSON (a store row, a workflow input): checked on every build, which is cheap. */
function checked(year: HolidayYear, i: number): HolidayYear {
  return validateHolidayYear(year, `holidays[${i}]`);
}

/**
 * A calendar of `base` overridden by `added` (an added year replaces the base's data for that year; a later entry of
 * `added` replaces an earlier one). Every year is validated ({@link validateHolidayYear}; a `HolidayDataError` names
 * the field), so data passed in from JSON (a store, a workflow input) is checked here. Building one indexes a few
 * hundred dates: build it once per worker or workflow, not per call. (Default added: none; default base: the built-in 2017–2026)
 */
export function createHolidayCalendar(
  added: readonly HolidayYear[] = [],
  base: readonly HolidayYear[] = BUILTIN_HOLIDAY_YEARS,
): HolidayCalendar {
  return calendarOn(buildIndex([...base, ...added].map(checked)), []);
}

/** The calendar of the built-in notices 2017–2026 alone: what the module-level functions below use. */
export const BUILTIN_CALENDAR: HolidayCalendar = createHolidayCalendar();

/** Years the built-in calendar has a holiday notice for, ascending. */
export function coveredYears(): number[] {
  return BUILTIN_CALENDAR.coveredYears();
}

/** Whether `date` is a working day in the built-in calendar (provisional years: weekends off, no holidays). */
export function isWorkingDay(date: IsoDate): boolean {
  return BUILTIN_CALENDAR.isWorkingDay(date);
}

/** {@link HolidayCalendar.addWorkingDays} of the built-in calendar. */
export function addWorkingDays(date: IsoDate, n: number): IsoDate {
  return BUILTIN_CALENDAR.addWorkingDays(date, n);
}

/** `date` if it is a working day, else the last working day before it (the anchor A of the default policy); built-in calendar. */
export function lastWorkingDayOnOrBefore(date: IsoDate): IsoDate {
  return BUILTIN_CALENDAR.lastWorkingDayOnOrBefore(date);
}

/** `date` if it is a working day, else the first working day after it; built-in calendar. */
export function nextWorkingDayOnOrAfter(date: IsoDate): IsoDate {
  return BUILTIN_CALENDAR.nextWorkingDayOnOrAfter(date);
}

/** One date whose working-day status differs between two calendars. */
export interface WorkingDayChange {
  date: IsoDate;
  /** Whether it was a working day before. */
  wasWorkingDay: boolean;
  /** Whether it is one now. */
  isWorkingDay: boolean;
}

/** The dates from `from` to `to` (inclusive) that are working days in one calendar and not in the other, ascending. */
export function workingDayChanges(
  before: HolidayCalendar,
  after: HolidayCalendar,
  from: IsoDate,
  to: IsoDate,
): WorkingDayChange[] {
  assertIsoDate(from, 'from');
  assertIsoDate(to, 'to');
  const changes: WorkingDayChange[] = [];
  for (let d = from; d <= to; d = addCalendarDays(d, 1)) {
    const was = before.isWorkingDay(d);
    const is = after.isWorkingDay(d);
    if (was !== is) changes.push({ date: d, wasWorkingDay: was, isWorkingDay: is });
  }
  return changes;
}
