/**
 * The holiday years in force: the built-in notices overridden by the years added with `duban holidays add`, which
 * live in the store so every worker of a cluster sees the same calendar.
 */
import {
  createHolidayCalendar,
  type HolidayCalendar,
  type WorkingDayChange,
  workingDayChanges,
} from '../domain/calendar';
import {
  BUILTIN_HOLIDAY_YEARS,
  type HolidayNotice,
  type HolidayNoticeInfo,
  type HolidayYear,
  isAdjustmentNotice,
  withHolidayNotice,
} from '../domain/holidays';
import type { IsoDate } from '../domain/plan';
import type { HolidayYearRecord, Store } from '../store';

/** The calendar every workflow of this deployment should use: built-in years overridden by the stored ones. */
export async function holidayCalendarFromStore(store: Store): Promise<HolidayCalendar> {
  return createHolidayCalendar((await store.listHolidayYears()).map((r) => r.data));
}

/** What `duban holidays add` did. */
export interface HolidayAddResult {
  year: number;
  /** `notice`: the year's notice, replacing the year; `adjustment`: appended to the year's notice. */
  kind: 'notice' | 'adjustment';
  /** Where the year's data came from before: added earlier, built in, or nowhere (the year was provisional). */
  before: 'added' | 'built-in' | 'provisional';
  /** The year's data as stored now. */
  data: HolidayYear;
  /** Adjustments the year had that a new yearly notice replaced with the rest of the year. */
  droppedAdjustments: HolidayNoticeInfo[];
  /** Dates from December of the year before to the end of the year whose working-day status changed. */
  changes: WorkingDayChange[];
}

/**
 * Adds a parsed notice to the store: a yearly notice replaces whatever the year had (built-in or added earlier); an
 * adjustment is appended to the year's notice (see `withHolidayNotice`). Throws a `HolidayDataError` for an
 * adjustment of a year without a notice. `nowMs` is the caller's clock.
 */
export async function addHolidayNotice(store: Store, notice: HolidayNotice, nowMs: number): Promise<HolidayAddResult> {
  const stored = (await store.listHolidayYears()).map((r) => r.data);
  const calendar = createHolidayCalendar(stored);
  const current = calendar.yearData(notice.year);
  const data = withHolidayNotice(current, notice);
  await store.putHolidayYear(data, nowMs);
  const before = stored.some((y) => y.year === notice.year)
    ? 'added'
    : BUILTIN_HOLIDAY_YEARS.some((y) => y.year === notice.year)
      ? 'built-in'
      : 'provisional';
  return {
    year: notice.year,
    kind: isAdjustmentNotice(notice) ? 'adjustment' : 'notice',
    before,
    data,
    droppedAdjustments: isAdjustmentNotice(notice) ? [] : (current?.adjustments.map((a) => a.notice) ?? []),
    changes: workingDayChanges(
      calendar,
      calendar.withYears([data]),
      `${notice.year - 1}-12-01`,
      `${notice.year}-12-31`,
    ),
  };
}

/** One year of the listing. */
export interface HolidayYearListing {
  year: number;
  /** `added` with `duban holidays add` (stored), or `built-in`. */
  source: 'added' | 'built-in';
  notice: HolidayNoticeInfo;
  adjustments: HolidayNoticeInfo[];
  /** For an added year: whether it replaces a built-in one. */
  replacesBuiltIn: boolean;
  /** For an added year: when it was added and last replaced, ISO 8601 (UTC). */
  addedAt: string | null;
  updatedAt: string | null;
  daysOff: number;
  workdays: number;
}

/** `duban holidays list --json`. */
export interface HolidayListing {
  years: HolidayYearListing[];
  /**
   * Years without a notice from the first covered year through the year after `today` (or after the last covered
   * year, whichever is later): dates in them count weekends only and are provisional.
   */
  provisional: number[];
}

/** The years in force, where each comes from, and the provisional years ahead of `today`. Pure. */
export function holidayListing(stored: readonly HolidayYearRecord[], today: IsoDate): HolidayListing {
  const added = new Map(stored.map((r) => [r.data.year, r]));
  const calendar = createHolidayCalendar(stored.map((r) => r.data));
  const years = calendar.years.map((y): HolidayYearListing => {
    const record = added.get(y.year);
    return {
      year: y.year,
      source: record ? 'added' : 'built-in',
      notice: y.notice,
      adjustments: y.adjustments.map((a) => a.notice),
      replacesBuiltIn: record !== undefined && BUILTIN_HOLIDAY_YEARS.some((b) => b.year === y.year),
      addedAt: record?.addedAt ?? null,
      updatedAt: record?.updatedAt ?? null,
      daysOff: new Set([y, ...y.adjustments].flatMap((d) => d.daysOff)).size,
      workdays: new Set([y, ...y.adjustments].flatMap((d) => d.workdays)).size,
    };
  });
  const covered = calendar.coveredYears();
  const first = covered[0] ?? Number(today.slice(0, 4));
  const last = Math.max(covered[covered.length - 1] ?? first, Number(today.slice(0, 4))) + 1;
  const provisional: number[] = [];
  for (let y = first; y <= last; y++) if (calendar.isProvisional(y)) provisional.push(y);
  return { years, provisional };
}
