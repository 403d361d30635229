/** Calendar dates as the tables write them (2017年4月28日, 2017-05-05). Pure: no I/O. */
import type { IsoDate } from '../domain/plan';

/** `YYYY-MM-DD` for a real calendar date, undefined for an impossible one (5月32日, 2月30日). */
export function calendarDate(year: number, month: number, day: number): IsoDate | undefined {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(day)}`;
}

/** The last day of a month (6月底 → 06-30), undefined for a month that does not exist. */
export function lastDayOfMonth(year: number, month: number): IsoDate | undefined {
  if (month < 1 || month > 12) return undefined;
  return calendarDate(year, month, daysInMonth(year, month));
}

function daysInMonth(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
