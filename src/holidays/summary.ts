/** Readable text for the `duban holidays` commands: a parsed notice, what an addition changed, the years in force. */
import { addCalendarDays, weekdayOf } from '../domain/calendar';
import type { HolidayNotice, HolidayNoticeInfo } from '../domain/holidays';
import type { IsoDate } from '../domain/plan';
import type { HolidayAddResult, HolidayListing } from './registry';

const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];

function day(date: IsoDate): string {
  return `${date} (周${WEEKDAYS[weekdayOf(date) - 1]})`;
}

/** Consecutive dates as runs: `2025-01-28..2025-02-04 (8 days)`. */
function runs(dates: readonly IsoDate[]): string[] {
  const out: string[] = [];
  let start: IsoDate | undefined;
  let end: IsoDate | undefined;
  let n = 0;
  const flush = () => {
    if (start && end) out.push(n === 1 ? day(start) : `${start}..${end} (${n} days)`);
  };
  for (const d of dates) {
    if (end && addCalendarDays(end, 1) === d) {
      end = d;
      n++;
    } else {
      flush();
      start = end = d;
      n = 1;
    }
  }
  flush();
  return out;
}

function source(info: HolidayNoticeInfo): string {
  return `${info.number ?? '(no 文号 in the text)'}, ${info.date ?? '(no date in the text)'}`;
}

/** `duban holidays parse FILE` without `--json`. */
export function formatHolidayNotice(notice: HolidayNotice): string {
  return [
    notice.notice.title,
    `  ${source(notice.notice)}`,
    `  ${notice.year}: ${notice.daysOff.length} days off, ${notice.workdays.length} make-up working days (调休上班)`,
    `  days off:      ${runs(notice.daysOff).join(', ') || '(none)'}`,
    `  working days:  ${notice.workdays.map(day).join(', ') || '(none)'}`,
  ].join('\n');
}

/** What `duban holidays add` reports: what was stored, what it replaced, and which dates changed. */
export function formatAddResult(result: HolidayAddResult): string {
  const latest = result.kind === 'adjustment' ? result.data.adjustments.at(-1)!.notice : result.data.notice;
  const replaced = {
    added: `replacing the ${result.year} data added earlier`,
    'built-in': `replacing the built-in ${result.year} data`,
    provisional: `${result.year} is no longer provisional`,
  }[result.before];
  const head =
    result.kind === 'adjustment'
      ? `${result.year}: added the adjustment ${latest.title} (${source(latest)}) to ${result.data.notice.title}`
      : `${result.year}: added ${latest.title} (${source(latest)}); ${replaced}`;
  const dropped = result.droppedAdjustments.map((a) => `  dropped the earlier adjustment ${a.title} (${source(a)})`);
  if (result.changes.length === 0) return [head, ...dropped, '  no working day changed'].join('\n');
  return [
    head,
    ...dropped,
    `  ${result.changes.length} date${result.changes.length === 1 ? '' : 's'} changed:`,
    ...result.changes.map(
      (c) =>
        `    ${day(c.date)}: ${c.wasWorkingDay ? 'working day' : 'day off'} → ${c.isWorkingDay ? 'working day' : 'day off'}`,
    ),
  ].join('\n');
}

/** `duban holidays list` without `--json`. */
export function formatHolidayListing(listing: HolidayListing): string {
  const lines = listing.years.map((y) => {
    const from =
      y.source === 'added'
        ? `added ${y.addedAt?.slice(0, 10)}${y.replacesBuiltIn ? ', replaces built-in' : ''}`
        : 'built-in';
    const adjusted = y.adjustments.map((a) => `\n        + ${a.title} (${source(a)})`).join('');
    return `  ${y.year}  ${y.notice.title} (${source(y.notice)}) [${from}]${adjusted}`;
  });
  const provisional = listing.provisional.map(
    (y) => `  ${y}  provisional: no notice yet, weekends off and no holidays (add it with duban holidays add FILE)`,
  );
  return ['Holiday notices in force:', ...lines, ...provisional].join('\n');
}
