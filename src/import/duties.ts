/**
 * Duties found in the text of a task row (title and 工作要求): cadences, one-off deadlines, emergency windows and
 * information requests. Every duty keeps the exact phrase it came from. Pure: no I/O.
 */
import type { Cadence, Duty, EmergencyStep, IsoDate } from '../domain/plan';
import { calendarDate, lastDayOfMonth } from './dates';

const CADENCE_WORD: Record<string, Cadence> = { 周: 'week', 月: 'month', 季: 'quarter', 年: 'year' };
/** 每周 / 按月 / 每月 / 按季度 / 每年, and enumerations like 按月度、季度 (one phrase, several cadences). */
const CADENCE_PHRASE = /(?:每|按)([周月季年])度?((?:[、和及与,，](?:[周月季年])度)*)/g;
/** 定期 without a cadence: imported for an operator to set. */
const PERIODIC = /(?<!法)定期(?!限)/; // not 法定期限
/** 年内 → end of the plan year. */
const WITHIN_YEAR = /年内/g;
/** 2017年底前 / 年底前 → 12-31 of that year (the plan year when no year is written). */
const YEAR_END = /(\d{4})?年底前/g;
/** 2018年前 → the day before that year starts (not 2018年前三季度). */
const BEFORE_YEAR = /(\d{4})年前(?![一二三四五六七八九十\d季月个])/g;
/** 2017年6月30日前 / 6月30日前 / 6月底前. */
const DATE_BEFORE = /(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})日|(底))前/g;
/** N小时内 followed by what must happen within that window. */
const HOURS_WITHIN = /(\d{1,3})\s*(?:个)?小时内([^、，,。；;]*)/g;
/** 依申请公开 with a statutory reply limit (法定时限 / 法定期限). */
const REQUEST_TOPIC = /依申请公开/;
const STATUTORY_LIMIT = /[^、，,。；;.\s]*法定(?:时限|期限)[^、，,。；;.\s]*/;

/** A duty with where its phrase starts in the text, so duties come out in reading order. */
interface Found {
  at: number;
  duty: Duty;
}

/** An impossible date in a row (5月32日前); the caller turns it into an error naming file and line. */
export class DutyDateError extends Error {
  override readonly name = 'DutyDateError';
}

/**
 * Reads the duties of one task row.
 * @param text The row's title and requirements, in reading order.
 * @param year The plan year, for dates written without one and for 年内.
 */
export function findDuties(text: string, year: number): Duty[] {
  const found: Found[] = [];
  const cadences = new Set<Cadence>();

  for (const m of text.matchAll(CADENCE_PHRASE)) {
    const words = [m[1] ?? '', ...[...(m[2] ?? '').matchAll(/[周月季年]/g)].map((w) => w[0])];
    for (const word of words) {
      const every = CADENCE_WORD[word];
      if (!every || cadences.has(every)) continue;
      cadences.add(every);
      found.push({ at: m.index, duty: { kind: 'recurring-publication', every, source: m[0] } });
    }
  }
  const periodic = PERIODIC.exec(text);
  if (periodic && cadences.size === 0) {
    found.push({ at: periodic.index, duty: { kind: 'periodic-unspecified', source: periodic[0] } });
  }

  const deadlines = new Set<IsoDate>();
  const deadline = (at: number, due: IsoDate, source: string) => {
    if (deadlines.has(due)) return;
    deadlines.add(due);
    found.push({ at, duty: { kind: 'task-deadline', due, source } });
  };
  for (const m of text.matchAll(WITHIN_YEAR)) deadline(m.index, `${year}-12-31`, m[0]);
  for (const m of text.matchAll(YEAR_END)) deadline(m.index, `${m[1] ?? year}-12-31`, m[0]);
  for (const m of text.matchAll(BEFORE_YEAR)) deadline(m.index, `${Number(m[1]) - 1}-12-31`, m[0]);
  for (const m of text.matchAll(DATE_BEFORE)) {
    const y = m[1] ? Number(m[1]) : year;
    const month = Number(m[2]);
    const due = m[4] ? lastDayOfMonth(y, month) : calendarDate(y, month, Number(m[3]));
    if (due === undefined) throw new DutyDateError(`impossible date '${m[0]}'`);
    deadline(m.index, due, m[0]);
  }

  const steps: { at: number; end: number; step: EmergencyStep }[] = [];
  for (const m of text.matchAll(HOURS_WITHIN)) {
    const what = m[2] ?? '';
    const keyword = /发布会/.exec(what) ?? /信息/.exec(what);
    if (!keyword) continue;
    const kind = keyword[0] === '发布会' ? 'emergency-press-conference' : 'emergency-information';
    // The phrase ends at what must be done (…举行新闻发布会), not at trailing words (的时限要求).
    const end = m.index + m[0].length - what.length + keyword.index + keyword[0].length;
    const source = text.slice(m.index, end);
    steps.push({ at: m.index, end, step: { kind, within: `PT${Number(m[1])}H`, source } });
  }
  const first = steps[0];
  const last = steps[steps.length - 1];
  if (first && last) {
    found.push({
      at: first.at,
      duty: { kind: 'emergency-response', steps: steps.map((s) => s.step), source: text.slice(first.at, last.end) },
    });
  }

  const limit = REQUEST_TOPIC.test(text) ? STATUTORY_LIMIT.exec(text) : null;
  if (limit) found.push({ at: limit.index, duty: { kind: 'information-request', source: limit[0] } });

  return found.sort((a, b) => a.at - b.at).map((f) => f.duty);
}
