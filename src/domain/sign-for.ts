/**
 * Sign-for (签收): which notices ask their unit to sign for them, working hours (for "not signed for within N working
 * hours" and for how fast units sign), and the stage of the notice that escalates an unsigned one. Pure.
 */
import { addCalendarDays, type HolidayCalendar } from './calendar';
import type { Stage } from './notice';
import type { IsoDate, ObligationKind } from './plan';

/** Working hours of a working day, Beijing time: 09:00 to 17:00 (8 hours). */
export const WORKING_DAY_START_HOUR = 9;
export const WORKING_DAY_END_HOUR = 17;

const HOUR_MS = 3_600_000;
/** Asia/Shanghai has kept +08:00 all year since 1991: a fixed offset is exact for every plan year. */
const BEIJING_OFFSET_MS = 8 * HOUR_MS;

/** Reminders and escalations ask for sign-for; notices to the general office about data (`calendar-error`) do not. */
export function asksSignFor(stage: string): boolean {
  return /^(reminder|escalation)-\d+h?$/.test(stage);
}

/** Obligations whose notices carry a sign-for link: an obligation workflow's (incidents and requests have none yet). */
const WINDOW_KINDS: ReadonlySet<string> = new Set([
  'emergency-information',
  'emergency-press-conference',
  'information-request',
]);

/** Whether a notice asks its unit to sign for it: an obligation's reminder or escalation. */
export function noticeAsksSignFor(n: { stage: string; obligation: ObligationKind }): boolean {
  return asksSignFor(n.stage) && !WINDOW_KINDS.has(n.obligation);
}

/** The stage of the notice sent when `stage` was not signed for in time: `unsigned-reminder-2`. */
export function unsignedStage(stage: string): Stage {
  return `unsigned-${stage}`;
}

/** Whether a stage is such a notice, and of which stage. */
export function unsignedOf(stage: string): string | null {
  return stage.startsWith('unsigned-') ? stage.slice('unsigned-'.length) : null;
}

const dayOf = (ms: number): IsoDate => new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 10);
const dayStartMs = (day: IsoDate): number => Date.parse(`${day}T00:00:00+08:00`);

/** The working window [start, end) of a day in epoch ms, or null on a day off. */
function window(day: IsoDate, calendar: HolidayCalendar): [number, number] | null {
  if (!calendar.isWorkingDay(day)) return null;
  const start = dayStartMs(day);
  return [start + WORKING_DAY_START_HOUR * HOUR_MS, start + WORKING_DAY_END_HOUR * HOUR_MS];
}

/** Longest walk over days off (a Spring Festival week with weekends is ten days; a year is plenty). */
const MAX_DAYS = 400;

/**
 * The instant `hours` working hours after `fromMs`: hours count only 09:00–17:00 on working days. A notice sent at
 * 09:00 on a Friday with 8 working hours is due back at 17:00 that Friday; at 16:00, 8 hours run to 16:00 Monday.
 */
export function addWorkingHours(fromMs: number, hours: number, calendar: HolidayCalendar): number {
  let left = hours * HOUR_MS;
  let day = dayOf(fromMs);
  for (let i = 0; i < MAX_DAYS; i++, day = addCalendarDays(day, 1)) {
    const w = window(day, calendar);
    if (!w) continue;
    const start = Math.max(w[0], fromMs);
    if (start >= w[1]) continue;
    if (start + left <= w[1]) return start + left;
    left -= w[1] - start;
  }
  throw new RangeError(`no ${hours} working hours within ${MAX_DAYS} days of ${new Date(fromMs).toISOString()}`);
}

/** Working hours from `fromMs` to `toMs` (0 when `toMs` is not later), counting 09:00–17:00 on working days. */
export function workingHoursBetween(fromMs: number, toMs: number, calendar: HolidayCalendar): number {
  if (toMs <= fromMs) return 0;
  let ms = 0;
  const last = dayOf(toMs);
  for (let day = dayOf(fromMs), i = 0; day <= last && i < 5 * MAX_DAYS; day = addCalendarDays(day, 1), i++) {
    const w = window(day, calendar);
    if (!w) continue;
    const start = Math.max(w[0], fromMs);
    const end = Math.min(w[1], toMs);
    if (end > start) ms += end - start;
  }
  return ms / HOUR_MS;
}

/** The median of some numbers, one decimal; null when there are none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const m = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.round(m * 10) / 10;
}

/** How many notices asked for sign-for, how many were signed for, and the median working hours it took. */
export interface SignForSummary {
  asked: number;
  signed: number;
  medianWorkingHours: number | null;
}

/** {@link SignForSummary} of some notices (`sentAt`, `signedAt` ISO instants; `signedAt` null while unsigned). */
export function signForSummary(
  records: readonly { sentAt: string; signedAt: string | null }[],
  calendar: HolidayCalendar,
): SignForSummary {
  const hours = records
    .filter((r) => r.signedAt !== null)
    .map((r) => workingHoursBetween(Date.parse(r.sentAt), Date.parse(r.signedAt!), calendar));
  return { asked: records.length, signed: hours.length, medianWorkingHours: median(hours) };
}
