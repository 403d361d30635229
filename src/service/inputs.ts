/**
 * Checks of what callers pass to the client (CLI flags, API bodies, scenario events), before anything reaches a
 * workflow: instants, dates and ids. Each refuses with `InvalidInput` and a message starting with the field.
 */
import { DateTime } from 'luxon';
import { isIsoDate } from '../domain/calendar';
import { WINDOW_ID_PATTERN } from '../domain/ids';
import { PLAN_TIMEZONE, type IsoDate } from '../domain/plan';
import { Refusal } from './refusals';

/** Slack for clocks that disagree a little: an instant up to this far ahead is not "in the future". */
const CLOCK_SLACK_MS = 60_000;

/** An instant as ISO 8601 in Asia/Shanghai with milliseconds and offset, as the policy writes instants. */
export function isoInstant(ms: number): string {
  return DateTime.fromMillis(ms, { zone: PLAN_TIMEZONE }).toISO() as string;
}

/**
 * An instant given as ISO 8601 with an offset, or as a date-time without one (Asia/Shanghai wall time), epoch ms.
 * With `notAfterMs`, an instant later than that (plus a minute of slack) is refused as in the future.
 */
export function instantInput(value: unknown, field: string, notAfterMs?: number): number {
  const text = typeof value === 'string' ? value.trim() : '';
  const dt = DateTime.fromISO(text, { zone: PLAN_TIMEZONE });
  if (!/T\d\d:\d\d/.test(text) || !dt.isValid)
    throw new Refusal(
      `${field}: '${String(value ?? '')}' is not an instant such as 2017-07-10T08:00+08:00`,
      'InvalidInput',
    );
  const ms = dt.toMillis();
  if (notAfterMs !== undefined && ms > notAfterMs + CLOCK_SLACK_MS)
    throw new Refusal(`${field}: ${isoInstant(ms)} is in the future (now ${isoInstant(notAfterMs)})`, 'InvalidInput');
  return ms;
}

/** A calendar date `YYYY-MM-DD`; with `notAfterMs`, a date after that instant's day is refused as in the future. */
export function dateInput(value: unknown, field: string, notAfterMs?: number): IsoDate {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!isIsoDate(text))
    throw new Refusal(`${field}: '${String(value ?? '')}' is not a date YYYY-MM-DD`, 'InvalidInput');
  if (notAfterMs !== undefined) {
    const today = isoInstant(notAfterMs).slice(0, 10);
    if (text > today) throw new Refusal(`${field}: ${text} is in the future (today is ${today})`, 'InvalidInput');
  }
  return text;
}

/** An incident or request id: 1–64 ASCII letters, digits, `.`, `_` or `-`, starting with a letter or digit. */
export function windowIdInput(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!WINDOW_ID_PATTERN.test(text))
    throw new Refusal(
      `${field}: '${String(value ?? '')}' must be 1–64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit`,
      'InvalidInput',
    );
  return text;
}

/** A required, non-blank text. */
export function textInput(value: unknown, field: string, what: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new Refusal(`${field}: ${what} is required`, 'InvalidInput');
  return value.trim();
}
