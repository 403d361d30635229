/**
 * The working-day calendar (工作日) of the State Council's holiday notices, in Asia/Shanghai.
 *
 * A date is a working day when a notice names it a make-up working day (调休上班), or when it is Monday to Friday
 * and no notice puts it in a holiday span. Dates in a year without a notice throw {@link CalendarDataError} instead
 * of guessing: a count that walks into such a year (forward into 2027, backward into 2016) throws too.
 *
 * Caveat: a notice may rearrange late December of the year before (the 2019 notice did); for the last year with
 * data, late-December dates follow the data present until the next year's notice is added.
 */
import { HOLIDAY_NOTICES, type HolidayNotice } from './holidays';
import type { IsoDate } from './plan';

/** Thrown for a date whose year has no holiday notice in the data; `type` is stable for callers to check. */
export class CalendarDataError extends Error {
  /** Stable error type, for `ApplicationFailure.nonRetryable(message, type)` in workflow code. */
  readonly type = 'CalendarDataMissing';
  override readonly name = 'CalendarDataError';
  constructor(
    /** The year without data. */
    readonly year: number,
  ) {
    super(
      `no holiday notice for ${year} in the calendar data; add the State Council General Office's notice ` +
        `(国务院办公厅关于${year}年部分节假日安排的通知) to src/domain/holidays.ts`,
    );
  }
}

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

/** Years with a notice, and each dated exception (true = working day, false = day off), built once at load. */
function buildIndex(notices: readonly HolidayNotice[]): {
  years: ReadonlySet<number>;
  exceptions: Map<IsoDate, boolean>;
} {
  const years = new Set<number>();
  const exceptions = new Map<IsoDate, boolean>();
  for (const notice of notices) {
    years.add(notice.year);
    for (const arrangement of notice.arrangements) {
      const [first, last] = arrangement.off;
      for (let d = first; d <= last; d = addCalendarDays(d, 1)) exceptions.set(d, false);
      for (const d of arrangement.workdays) exceptions.set(d, true);
    }
  }
  return { years, exceptions };
}

const INDEX = buildIndex(HOLIDAY_NOTICES);

/** Years the calendar has a holiday notice for, ascending. */
export function coveredYears(): number[] {
  return [...INDEX.years].sort((a, b) => a - b);
}

/** Whether `date` is a working day; throws {@link CalendarDataError} when its year has no notice. */
export function isWorkingDay(date: IsoDate): boolean {
  assertIsoDate(date);
  const year = Number(date.slice(0, 4));
  if (!INDEX.years.has(year)) throw new CalendarDataError(year);
  const exception = INDEX.exceptions.get(date);
  if (exception !== undefined) return exception;
  return isoWeekday(epochDay(date)!) <= 5;
}

/**
 * `wd(date, n)` of the design: the n-th working day after `date` (n < 0: the |n|-th working day before it). The
 * start date itself is never counted, whether or not it is a working day, so wd(Sat 2017-09-30, 1) = 2017-10-09.
 * n = 0 returns `date` when it is a working day and throws a `RangeError` otherwise (use
 * {@link lastWorkingDayOnOrBefore} or {@link nextWorkingDayOnOrAfter} to move to one).
 */
export function addWorkingDays(date: IsoDate, n: number): IsoDate {
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
}

/** `date` if it is a working day, else the last working day before it (the design's anchor A). */
export function lastWorkingDayOnOrBefore(date: IsoDate): IsoDate {
  return isWorkingDay(date) ? date : addWorkingDays(date, -1);
}

/** `date` if it is a working day, else the first working day after it. */
export function nextWorkingDayOnOrAfter(date: IsoDate): IsoDate {
  return isWorkingDay(date) ? date : addWorkingDays(date, 1);
}
