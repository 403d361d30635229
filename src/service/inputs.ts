/**
 * Checks of what callers pass to the client (CLI flags, API bodies, scenario events), before anything reaches a
 * workflow: instants, dates and ids. Each refuses with `InvalidInput` and a message starting with the field.
 */
import { DateTime } from 'luxon';
import { isIsoDate } from '../domain/calendar';
import { textProblem } from '../domain/contact';
import { WINDOW_ID_PATTERN } from '../domain/ids';
import { PLAN_TIMEZONE, type IsoDate } from '../domain/plan';
import { Refusal } from './refusals';

/** Longest stretch of a caller's value an error message quotes. */
const QUOTED_MAX = 60;

// Control, line-separator and bidirectional-override characters: never printed raw in a message.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escaped(text: string): string {
  return text.replace(
    UNPRINTABLE,
    (c) => ESCAPES[c] ?? `\\u${(c.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`,
  );
}

/**
 * A caller's value as an error message quotes it: in single quotes, on one line (control characters escaped as
 * `\n`, `\u001B`), cut to 60 characters with `…`, so a refusal stays one readable line whatever was typed.
 */
export function quoted(value: unknown): string {
  const text = String(value ?? '');
  const cut = [...text].length > QUOTED_MAX ? `${[...text].slice(0, QUOTED_MAX - 1).join('')}…` : text;
  return `'${escaped(cut)}'`;
}

/**
 * A message made safe to answer with, for messages that quoted a value raw: control characters escaped, and every
 * single-quoted stretch longer than 60 characters cut.
 */
export function oneLine(message: string): string {
  return escaped(message).replace(/'([^']{61,})'/g, (_, inner: string) => quoted(inner));
}

/** Free-text fields that may span lines. */
const MULTILINE_FIELDS = new Set(['note', 'reason', 'summary']);

/**
 * Refuses a control or invisible character in any text of an input (evidence, reasons, approvers, notes): such text
 * reaches mail, reports, terminals and the audit log. Names the field by its own key (`document: …`); notes, reasons
 * and summaries may have line breaks.
 */
export function checkTexts(input: unknown, field = ''): void {
  if (typeof input === 'string') {
    const problem = textProblem(input, MULTILINE_FIELDS.has(field));
    if (problem) throw new Refusal(`${field || 'text'}: ${problem.reason}`, 'InvalidInput');
  } else if (input !== null && typeof input === 'object') {
    for (const [key, value] of Object.entries(input)) checkTexts(value, Array.isArray(input) ? field : key);
  }
}

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
    throw new Refusal(`${field}: ${quoted(value)} is not an instant such as 2017-07-10T08:00+08:00`, 'InvalidInput');
  const ms = dt.toMillis();
  if (notAfterMs !== undefined && ms > notAfterMs + CLOCK_SLACK_MS)
    throw new Refusal(`${field}: ${isoInstant(ms)} is in the future (now ${isoInstant(notAfterMs)})`, 'InvalidInput');
  return ms;
}

/** A calendar date `YYYY-MM-DD`; with `notAfterMs`, a date after that instant's day is refused as in the future. */
export function dateInput(value: unknown, field: string, notAfterMs?: number): IsoDate {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!isIsoDate(text)) throw new Refusal(`${field}: ${quoted(value)} is not a date YYYY-MM-DD`, 'InvalidInput');
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
      `${field}: ${quoted(value)} must be 1–64 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit`,
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
