/**
 * When a due value ends and whether something was done in time, written once for every kind of obligation: a
 * calendar date D (deadlines, recurring periods, information requests) is met by anything done before D+1 00:00
 * Asia/Shanghai; an instant (emergency windows) is met by anything done at or before it.
 */
import { DateTime } from 'luxon';
import { PLAN_TIMEZONE } from './plan';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** Parsed due values: workflows and pages ask about the same few dates over and over. */
const ENDS = new Map<string, number>();

/**
 * The instant, epoch ms, at which `due` has passed: D+1 00:00 Asia/Shanghai for a date `YYYY-MM-DD`, the instant
 * itself for an ISO 8601 date-time. Throws a `RangeError` for anything else.
 */
export function deadlineEndMs(due: string): number {
  let end = ENDS.get(due);
  if (end !== undefined) return end;
  const dt = ISO_DATE.test(due)
    ? DateTime.fromISO(due, { zone: PLAN_TIMEZONE }).plus({ days: 1 })
    : DateTime.fromISO(due, { setZone: true });
  if (!dt.isValid)
    throw new RangeError(`due: expected a date YYYY-MM-DD or an ISO 8601 instant, got ${JSON.stringify(due)}`);
  end = dt.toMillis();
  if (ENDS.size > 10_000) ENDS.clear();
  ENDS.set(due, end);
  return end;
}

/** Whether a due value is an instant (emergency window) rather than a calendar date. */
export function isInstantDue(due: string): boolean {
  return !ISO_DATE.test(due);
}

/** Whether something done at `doneMs` met `due`: before D+1 00:00 for a date, at or before the instant for an instant. */
export function isOnTime(doneMs: number, due: string): boolean {
  const end = deadlineEndMs(due);
  return isInstantDue(due) ? doneMs <= end : doneMs < end;
}

/**
 * Whole minutes by which something done at `doneMs` beat (positive) or missed (negative) the instant `due`, as
 * incident outcomes report them.
 */
export function marginMinutes(doneMs: number, due: string): number {
  return Math.round((deadlineEndMs(due) - doneMs) / 60_000);
}
