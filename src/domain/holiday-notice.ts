/**
 * Reads the text of a State Council General Office holiday notice as published (国务院办公厅关于2025年部分节假日安排的
 * 通知, or an adjustment such as 关于调整2019年劳动节假期安排的通知) into the dates it names.
 *
 * The year comes from the title, the document number (国办发明电〔2024〕12号) and date from their own lines. Arrangement
 * sentences are the ones that start with a date, in numbered items (`二、春节：1月28日（农历除夕、周二）至2月4日…放假调休，
 * 共8天。1月26日（周日）、2月8日（周六）上班。`) or on lines of their own (`1月1日（周三）放假1天，不调休。`). Prose is
 * skipped, dates in it included (the 2025 preamble, 2024's "安排职工在除夕（2月9日）休息"), but a sentence that starts
 * with a date must read completely, and every stated weekday and day count is checked against the calendar, so a
 * typo is an error naming its line rather than a wrong holiday.
 *
 * Full-width and ASCII punctuation are both read (the text is NFKC-normalised first). Pure: text in, data out.
 */
import { addCalendarDays, isIsoDate, weekdayOf } from './calendar';
import type { HolidayNotice } from './holidays';
import type { IsoDate } from './plan';

/** A notice text that cannot be read; `line` is 1-based in the text given. `type` is stable for callers. */
export class HolidayNoticeError extends Error {
  /** Stable error type for callers. */
  readonly type = 'InvalidHolidayNotice';
  override readonly name = 'HolidayNoticeError';
  constructor(
    /** The line that could not be read (1-based). */
    readonly line: number,
    /** What is wrong with it, without the line number. */
    readonly reason: string,
  ) {
    super(`line ${line}: ${reason}`);
  }
}

interface Line {
  /** 1-based line number in the original text. */
  no: number;
  /** NFKC-normalised, whitespace removed. */
  text: string;
}

const WEEKDAY_NAMES = ['一', '二', '三', '四', '五', '六', '日'] as const;
/** 周一 … 周日 / 星期一 … 星期日 (also 星期天); ISO weekday 1–7. */
const WEEKDAY = /(?:星期|周)([一二三四五六日天])/;

/** The title, possibly inside a longer line (`新华社北京11月4日电 国务院办公厅关于2026年部分节假日安排的通知，全文如下：`). */
const TITLE = /(?:国务院办公厅)?关于(?:调整|延长)?(\d{4})年[^:,。]*?通知/;
/** Where a sentence is an arrangement: it starts with a date, or extends a holiday (延长…假期至). */
const ARRANGEMENT = /^(?:\d|延长)/;
const NUMBER = /^([\u4e00-\u9fff]{2,12})[〔[(【]\s*(\d{4})\s*[〕\])】](\d{1,4})号$/;
const SIGNED = /^(\d{4})年(\d{1,2})月(\d{1,2})日$/;
const ITEM = /^[一二三四五六七八九十]{1,3}、(.*)$/;
/** An optional holiday name before the colon: `元旦:`, `中秋节、国庆节:`. */
const NAME = /^([^:\d]{1,16}):(.*)$/;
/** A date, optionally with its year and month, and an optional note in parentheses: `2月4日(农历正月初七、周二)`. */
const DATE = /(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^()]*)\))?/g;
const RANGE = '(?:至|到|-|—|–|~)';

function normalise(raw: string): string {
  // NFKC turns full-width digits, colons, commas, parentheses and the ideographic space into ASCII.
  return raw
    .normalize('NFKC')
    .replace(/\uFEFF/g, '')
    .replace(/\s+/g, '');
}

function weekdayName(date: IsoDate): string {
  return `周${WEEKDAY_NAMES[weekdayOf(date) - 1]}`;
}

/** One date of a sentence, resolved against the notice year and the dates before it in the sentence. */
interface DateToken {
  date: IsoDate;
  text: string;
}

/** Parses the sentences of one line; returns the dates found, or throws naming the line. */
class SentenceReader {
  constructor(
    private readonly year: number,
    private readonly signedOn: IsoDate | null,
    private readonly line: Line,
  ) {}

  private fail(reason: string): never {
    throw new HolidayNoticeError(this.line.no, reason);
  }

  /** Replaces each date by `D<i>` and resolves it; a bare `4日` takes the month (and year) of the date before it. */
  private tokens(sentence: string): { skeleton: string; dates: DateToken[] } {
    const dates: DateToken[] = [];
    let year = this.year;
    let month: number | undefined;
    const skeleton = sentence.replace(DATE, (text, y?: string, m?: string, d?: string, note?: string) => {
      if (y !== undefined) year = Number(y);
      if (m !== undefined) month = Number(m);
      if (month === undefined) this.fail(`'${text}' has no month`);
      const iso = `${year}-${String(month).padStart(2, '0')}-${String(Number(d)).padStart(2, '0')}`;
      if (!isIsoDate(iso)) this.fail(`impossible date '${text.replace(/\(.*$/, '')}'`);
      const weekday = note === undefined ? null : WEEKDAY.exec(note);
      if (weekday) {
        const said = weekday[1] === '天' ? '日' : weekday[1];
        if (weekdayName(iso) !== `周${said}`) {
          this.fail(`${text.replace(/\(.*$/, '')} (${iso}) is a ${weekdayName(iso)}, the text says 周${said}`);
        }
      }
      dates.push({ date: iso, text: text.replace(/\(.*$/, '') });
      return `D${dates.length - 1}`;
    });
    return { skeleton, dates };
  }

  /** Dates named by the sentences of this line that start with a date (or 延长…假期至). */
  read(body: string): { daysOff: IsoDate[]; workdays: IsoDate[]; read: boolean } {
    const daysOff: IsoDate[] = [];
    const workdays: IsoDate[] = [];
    let read = false;
    for (const sentence of body.split(/[。;.]/)) {
      if (!ARRANGEMENT.test(sentence)) continue;
      const { skeleton, dates } = this.tokens(sentence);
      const at = (i: string | undefined): DateToken => dates[Number(i)]!;
      if (skeleton.startsWith('延长')) {
        // 一、延长2020年春节假期至2月2日（农历正月初九，星期日），2月3日（星期一）起正常上班。
        const m = /^延长\d{4}年[^D]*假期至D(\d+)(?:,D(\d+)起正常上班)?$/.exec(skeleton);
        if (!m) this.fail(`cannot read '${sentence}'`);
        const last = at(m[1]).date;
        const back = m[2] === undefined ? undefined : at(m[2]).date;
        if (back !== undefined && back !== addCalendarDays(last, 1)) {
          this.fail(`work resumes on ${back}, not the day after the extended holiday (${last})`);
        }
        // An extension is issued during the holiday it extends: every day from its date through the new end is off.
        if (this.signedOn === null) this.fail('an extension (延长…假期至) needs the notice date under the signature');
        if (this.signedOn > last)
          this.fail(`the holiday is extended to ${last}, before the notice date ${this.signedOn}`);
        for (let d = this.signedOn; d <= last; d = addCalendarDays(d, 1)) daysOff.push(d);
        read = true;
        continue;
      }
      this.readArrangement(sentence, skeleton, dates, daysOff, workdays);
      read = true;
    }
    return { daysOff, workdays, read };
  }

  private readArrangement(
    sentence: string,
    skeleton: string,
    dates: DateToken[],
    daysOff: IsoDate[],
    workdays: IsoDate[],
  ): void {
    const at = (i: string | undefined): DateToken => dates[Number(i)]!;
    const worked = /^D\d+(?:[、,]D\d+)*上班$/.exec(skeleton);
    if (worked) {
      workdays.push(...dates.map((d) => d.date));
      return;
    }
    const off = new RegExp(`^D(\\d+)(?:${RANGE}D(\\d+))?放假(?:调休)?(?:(\\d+)天)?(?:,(.*))?$`).exec(skeleton);
    if (!off) this.fail(`cannot read '${sentence}'`);
    const first = at(off[1]);
    let last = off[2] === undefined ? first : at(off[2]);
    if (last.date < first.date && !/^\d{4}年/.test(last.text)) {
      // 12月31日至1月2日 without years crosses into the next year.
      last = { ...last, date: `${Number(last.date.slice(0, 4)) + 1}${last.date.slice(4)}` };
    }
    if (last.date < first.date) this.fail(`${last.text} is before ${first.text}`);
    const span: IsoDate[] = [];
    for (let d = first.date; d <= last.date; d = addCalendarDays(d, 1)) span.push(d);
    const stated = (n: string | undefined, what: string): void => {
      if (n !== undefined && Number(n) !== span.length) {
        this.fail(
          `${first.text}${span.length > 1 ? `至${last.text}` : ''} is ${span.length} days, the text says ${what}`,
        );
      }
    };
    stated(off[3], `放假${off[3]}天`);
    daysOff.push(...span);
    for (const clause of off[4] === undefined ? [] : off[4].split(',')) {
      const total = /^共(\d+)天$/.exec(clause);
      const compensating = /^D(\d+)补休$/.exec(clause);
      if (total) stated(total[1], `共${total[1]}天`);
      else if (compensating) daysOff.push(at(compensating[1]).date);
      else if (clause !== '与周末连休' && clause !== '不调休' && clause !== '') {
        this.fail(`cannot read '${clause.replace(/D(\d+)/g, (_, i: string) => at(i).text)}' in '${sentence}'`);
      }
    }
  }
}

/** The title: the first line (or two, when it is broken after the year as on www.gov.cn) that holds one. */
function findTitle(lines: Line[]): { title: string; year: number; used: Set<number> } {
  for (let i = 0; i < lines.length; i++) {
    const one = lines[i]!;
    const two = lines[i + 1];
    for (const candidate of two ? [[one], [one, two]] : [[one]]) {
      const m = TITLE.exec(candidate.map((l) => l.text).join(''));
      if (m) return { title: m[0], year: Number(m[1]), used: new Set(candidate.map((l) => l.no)) };
    }
  }
  throw new HolidayNoticeError(
    lines[0]?.no ?? 1,
    'no title naming the year, such as 国务院办公厅关于2025年部分节假日安排的通知',
  );
}

/**
 * Reads a holiday notice's text into `{year, notice: {title, number, date}, daysOff, workdays}` (ISO dates, sorted).
 * The year is the one in the title; a date written without a year is in that year unless it follows a date with
 * one in the same sentence. `number` and `date` are null when the text has no 文号 line or no date line under the
 * signature. Throws {@link HolidayNoticeError} naming the first line that cannot be read: an unreadable arrangement,
 * an impossible date, a weekday or day count that does not match the dates, a date outside the year, or a text with
 * no arrangement at all.
 */
export function parseHolidayNotice(text: string): HolidayNotice {
  const lines: Line[] = text
    .split(/\r\n|\r|\n/)
    .map((raw, i) => ({ no: i + 1, text: normalise(raw) }))
    .filter((l) => l.text !== '');
  if (lines.length === 0) throw new HolidayNoticeError(1, 'the text is empty');
  const { title, year, used } = findTitle(lines);
  const numberLine = lines.find((l) => !used.has(l.no) && NUMBER.test(l.text));
  const n = numberLine ? NUMBER.exec(numberLine.text)! : null;
  const number = n ? `${n[1]}〔${n[2]}〕${n[3]}号` : null;
  const dateLine = [...lines].reverse().find((l) => SIGNED.test(l.text));
  let signedOn: IsoDate | null = null;
  if (dateLine) {
    const [, y, m, d] = SIGNED.exec(dateLine.text)!;
    signedOn = `${y}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
    if (!isIsoDate(signedOn)) throw new HolidayNoticeError(dateLine.no, `impossible date '${dateLine.text}'`);
  }

  const daysOff = new Set<IsoDate>();
  const workdays = new Set<IsoDate>();
  for (const line of lines) {
    // Lines that are only a date (the signature's, a publication date) arrange nothing.
    if (used.has(line.no) || line === numberLine || SIGNED.test(line.text)) continue;
    const item = ITEM.exec(line.text);
    let body = item ? item[1]! : line.text;
    const named = NAME.exec(body);
    if (named && ARRANGEMENT.test(named[2]!)) body = named[2]!;
    // Outside numbered items only a line that starts with a date is an arrangement; prose lines are skipped whole.
    if (!item && !ARRANGEMENT.test(body)) continue;
    const found = new SentenceReader(year, signedOn, line).read(body);
    if (!found.read && item && /\d{1,2}日/.test(body) && /放假|上班|补休/.test(body)) {
      throw new HolidayNoticeError(line.no, `cannot read '${line.text}'`);
    }
    for (const [list, other] of [
      [found.daysOff, workdays],
      [found.workdays, daysOff],
    ] as const) {
      for (const d of list) {
        if (!d.startsWith(`${year}-`) && !d.startsWith(`${year - 1}-12-`)) {
          throw new HolidayNoticeError(line.no, `${d} is outside ${year} (and December ${year - 1})`);
        }
        if (other.has(d)) throw new HolidayNoticeError(line.no, `${d} is named both a day off and a working day`);
      }
    }
    found.daysOff.forEach((d) => daysOff.add(d));
    found.workdays.forEach((d) => workdays.add(d));
    const clash = found.workdays.find((d) => daysOff.has(d));
    if (clash) throw new HolidayNoticeError(line.no, `${clash} is named both a day off and a working day`);
  }
  if (daysOff.size === 0 && workdays.size === 0) {
    throw new HolidayNoticeError(
      lines[lines.length - 1]!.no,
      'no holiday arrangement found (lines such as 一、元旦：1月1日放假，与周末连休。)',
    );
  }
  return {
    year,
    notice: { title, number, date: signedOn },
    daysOff: [...daysOff].sort(),
    workdays: [...workdays].sort(),
  };
}
