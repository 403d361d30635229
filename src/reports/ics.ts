/**
 * iCalendar (RFC 5545) feed of one unit: every due date and every reminder of its obligations, computed from the
 * plan's schedule and the policy, so Outlook and phone calendars show what duban will send and when.
 */
import { DateTime } from 'luxon';
import type { Directory } from '../domain/directory';
import { planSchedule, type ObligationSpec } from '../domain/obligations';
import { PLAN_TIMEZONE, type Plan } from '../domain/plan';
import { DEFAULT_POLICY, obligationAgenda, type Policy } from '../domain/policy';
import { OBLIGATION_NAMES } from '../domain/names';

/** Escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r?\n|\r/g, '\\n');
}

/**
 * Folds a content line at 75 octets (RFC 5545 3.1): continuation lines start with one space; a UTF-8 character is
 * never split. Returns the lines without their CRLF.
 */
export function foldLine(line: string): string[] {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (octets + size > 75) {
      out.push(current);
      current = ` ${ch}`;
      octets = 1 + size;
    } else {
      current += ch;
      octets += size;
    }
  }
  out.push(current);
  return out;
}

const VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  `TZID:${PLAN_TIMEZONE}`,
  'BEGIN:STANDARD',
  // China has kept +08:00 without daylight saving since 1991.
  'DTSTART:19700101T000000',
  'TZOFFSETFROM:+0800',
  'TZOFFSETTO:+0800',
  'TZNAME:CST',
  'END:STANDARD',
  'END:VTIMEZONE',
];

function local(dt: DateTime): string {
  return dt.setZone(PLAN_TIMEZONE).toFormat("yyyyLLdd'T'HHmmss");
}

/** Options of {@link unitCalendar}. */
export interface UnitCalendarOptions {
  plan: Plan;
  directory: Directory;
  /** Unit code. */
  unitCode: string;
  /** (Default: the default policy (README, "Default policy")) */
  policy?: Policy;
  /** Obligations added by designation, beyond the plan's schedule. (Default: none) */
  extraObligations?: ObligationSpec[];
  /** DTSTAMP, epoch ms. (Default: now) */
  nowMs?: number;
  /** Minutes a reminder event lasts. (Default: 30) */
  reminderMinutes?: number;
}

/** One event before it is written. */
interface CalendarEvent {
  uid: string;
  start: DateTime;
  end: DateTime;
  summary: string;
  description: string;
  categories: string;
}

/**
 * The unit's calendar: a VEVENT per due date (the whole due day, 00:00 to 24:00 Asia/Shanghai) and per reminder
 * (at its notice instant), UIDs stable across regenerations so subscribed calendars update instead of duplicating.
 * Throws a RangeError for a unit the plan does not name.
 */
export function unitCalendar(options: UnitCalendarOptions): string {
  const { plan, directory, unitCode } = options;
  const policy = options.policy ?? DEFAULT_POLICY;
  const unit = directory.units.find((u) => u.code === unitCode);
  if (!unit) throw new RangeError(`unit: '${unitCode}' is not in the unit directory`);
  const scheduled = planSchedule(plan, directory).units.find((u) => u.unitCode === unitCode);
  const specs = [...(scheduled?.obligations ?? []), ...(options.extraObligations ?? [])];
  if (specs.length === 0)
    throw new RangeError(`unit: ${unit.name} (${unitCode}) carries no obligation of plan ${plan.id}`);
  const stamp = DateTime.fromMillis(options.nowMs ?? Date.now(), { zone: 'utc' }).toFormat("yyyyLLdd'T'HHmmss'Z'");
  const minutes = options.reminderMinutes ?? 30;
  const events: CalendarEvent[] = [];
  for (const spec of specs) {
    const name = OBLIGATION_NAMES[spec.obligation]?.zh ?? spec.obligation;
    for (const item of spec.items) {
      const label = `${spec.taskNo !== null ? `任务${spec.taskNo} ` : ''}${name}${item.period ? `（${item.period}）` : ''}`;
      const uidBase = `${plan.id}/${unitCode}/${spec.id}/${item.period ?? '-'}`;
      const description = [
        spec.title,
        spec.requirement,
        `截止日期：${item.due}`,
        `依据：${spec.source}`,
        `办结登记：duban fulfil --plan ${plan.id} --unit ${unitCode} --obligation ${spec.obligation}` +
          `${spec.taskNo !== null ? ` --task ${spec.taskNo}` : ''}${item.period ? ` --period ${item.period}` : ''}` +
          ' --url <URL> | --document <文号>',
      ]
        .filter((l) => l)
        .join('\n');
      const dueDay = DateTime.fromISO(item.due, { zone: PLAN_TIMEZONE });
      events.push({
        uid: `${uidBase}/due@duban`,
        start: dueDay,
        end: dueDay.plus({ days: 1 }),
        summary: `【截止】${label} — ${unit.name}`,
        description,
        categories: 'duban,截止',
      });
      const agenda = obligationAgenda({ ...spec, due: item.due, activeFrom: plan.publishedOn, policy });
      for (const a of agenda.items.filter((x) => x.stage.startsWith('reminder-'))) {
        const start = DateTime.fromISO(a.at, { zone: PLAN_TIMEZONE });
        events.push({
          uid: `${uidBase}/${a.stage}@duban`,
          start,
          end: start.plus({ minutes }),
          summary: `【提醒】${label}，${item.due}截止 — ${unit.name}`,
          description,
          categories: 'duban,提醒',
        });
      }
    }
  }
  events.sort((a, b) => a.start.toMillis() - b.start.toMillis() || a.uid.localeCompare(b.uid));
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//duban//duban 督办//ZH',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(`督办 ${unit.name} ${plan.year}`)}`,
    `X-WR-TIMEZONE:${PLAN_TIMEZONE}`,
    ...VTIMEZONE,
  ];
  for (const e of events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${escapeText(e.uid)}`,
      `DTSTAMP:${stamp}`,
      `DTSTART;TZID=${PLAN_TIMEZONE}:${local(e.start)}`,
      `DTEND;TZID=${PLAN_TIMEZONE}:${local(e.end)}`,
      `SUMMARY:${escapeText(e.summary)}`,
      `DESCRIPTION:${escapeText(e.description)}`,
      `CATEGORIES:${e.categories.split(',').map(escapeText).join(',')}`,
      'TRANSP:TRANSPARENT',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.flatMap(foldLine).join('\r\n')}\r\n`;
}
