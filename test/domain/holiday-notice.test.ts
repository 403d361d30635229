import { readFileSync } from 'node:fs';
import path from 'node:path';
import { HolidayNoticeError, parseHolidayNotice } from '../../src/domain/holiday-notice';
import { BUILTIN_HOLIDAY_YEARS, isAdjustmentNotice } from '../../src/domain/holidays';

const FIXTURES = path.resolve(__dirname, '../fixtures/holidays');
const fixture = (name: string): string => readFileSync(path.join(FIXTURES, name), 'utf8');

const YEARLY = [2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026];
const ADJUSTMENTS: [file: string, year: number][] = [
  ['2019-labour-day-adjustment.txt', 2019],
  ['2020-spring-festival-extension.txt', 2020],
];

/** Expects `text` to fail with a {@link HolidayNoticeError} on `line` whose reason matches `reason`. */
function expectError(text: string, line: number, reason: RegExp): void {
  let error: unknown;
  try {
    parseHolidayNotice(text);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(HolidayNoticeError);
  expect(error).toMatchObject({ line, type: 'InvalidHolidayNotice' });
  expect((error as HolidayNoticeError).reason).toMatch(reason);
  expect((error as Error).message).toBe(`line ${line}: ${(error as HolidayNoticeError).reason}`);
}

describe('parseHolidayNotice on the published notices (test/fixtures/holidays)', () => {
  it.each(YEARLY)('reads the %i notice into exactly the built-in data of that year', (year) => {
    const parsed = parseHolidayNotice(fixture(`${year}.txt`));
    const builtIn = BUILTIN_HOLIDAY_YEARS.find((y) => y.year === year)!;
    expect(Object.keys(parsed)).toEqual(['year', 'notice', 'daysOff', 'workdays']);
    expect(Object.keys(parsed.notice)).toEqual(['title', 'number', 'date']);
    expect(parsed).toEqual({
      year: builtIn.year,
      notice: builtIn.notice,
      daysOff: builtIn.daysOff,
      workdays: builtIn.workdays,
    });
    expect(isAdjustmentNotice(parsed)).toBe(false);
  });

  it.each(ADJUSTMENTS)('reads the adjustment %s into exactly the built-in adjustment of %i', (file, year) => {
    const parsed = parseHolidayNotice(fixture(file));
    const builtIn = BUILTIN_HOLIDAY_YEARS.find((y) => y.year === year)!;
    expect(builtIn.adjustments).toHaveLength(1);
    expect(parsed).toEqual({ year, ...builtIn.adjustments[0] });
    expect(isAdjustmentNotice(parsed)).toBe(true);
  });

  it('reads the 2019 notice: New Year reaches back into December 2018', () => {
    const parsed = parseHolidayNotice(fixture('2019.txt'));
    expect(parsed.daysOff.slice(0, 3)).toEqual(['2018-12-30', '2018-12-31', '2019-01-01']);
    expect(parsed.workdays[0]).toBe('2018-12-29');
    // 四、劳动节：5月1日放假。 — one day, before the adjustment.
    expect(parsed.daysOff.filter((d) => d.startsWith('2019-05'))).toEqual(['2019-05-01']);
  });

  it('skips dates in prose: 2024 encourages a rest on New Year’s Eve (02-09) without making it a day off', () => {
    const parsed = parseHolidayNotice(fixture('2024.txt'));
    expect(parsed.daysOff).not.toContain('2024-02-09');
    expect(parsed.daysOff.filter((d) => d.startsWith('2024-02'))).toHaveLength(8);
  });

  it('skips the 2025 preamble (自10月1日起放假调休7天…) and reads the items with lunar dates and weekdays', () => {
    const parsed = parseHolidayNotice(fixture('2025.txt'));
    expect(parsed.daysOff.filter((d) => d.startsWith('2025-10'))).toHaveLength(8);
    expect(parsed.daysOff.slice(1, 9)).toEqual([
      '2025-01-28',
      '2025-01-29',
      '2025-01-30',
      '2025-01-31',
      '2025-02-01',
      '2025-02-02',
      '2025-02-03',
      '2025-02-04',
    ]);
  });

  it('reads the 2020 extension as every day from its date (01-26) to the new end (02-02)', () => {
    const parsed = parseHolidayNotice(fixture('2020-spring-festival-extension.txt'));
    expect(parsed.daysOff).toEqual([
      '2020-01-26',
      '2020-01-27',
      '2020-01-28',
      '2020-01-29',
      '2020-01-30',
      '2020-01-31',
      '2020-02-01',
      '2020-02-02',
    ]);
    expect(parsed.workdays).toEqual([]);
  });
});

describe('parseHolidayNotice on other layouts of the same text', () => {
  const text2025 = fixture('2025.txt');
  const parsed2025 = parseHolidayNotice(text2025);

  it('reads ASCII punctuation as full-width', () => {
    const ascii = text2025
      .replace(/，/g, ',')
      .replace(/：/g, ':')
      .replace(/（/g, '(')
      .replace(/）/g, ')')
      .replace(/〔/g, '[')
      .replace(/〕/g, ']')
      .replace(/。/g, '.');
    expect(ascii).not.toContain('，');
    expect(parseHolidayNotice(ascii)).toEqual(parsed2025);
  });

  it('reads full-width digits, indentation, CRLF and a title on one line', () => {
    const variant = text2025
      .replace(/[0-9]/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0))
      .replace('关于２０２５年\n部分', '关于２０２５年部分')
      .split('\n')
      .map((l) => `\u3000\u3000${l}  `)
      .join('\r\n');
    expect(variant).toContain('１月２８日');
    expect(parseHolidayNotice(variant)).toEqual(parsed2025);
  });

  it('reads the Xinhua republication: title inside the dateline, no 文号', () => {
    const xinhua = fixture('2026.txt')
      .replace('国务院办公厅关于2026年\n部分节假日安排的通知\n国办发明电〔2025〕7号\n', '')
      .replace(/^/, '新华社北京11月4日电 国务院办公厅关于2026年部分节假日安排的通知，全文如下：\n');
    const parsed = parseHolidayNotice(xinhua);
    expect(parsed.notice).toEqual({
      title: '国务院办公厅关于2026年部分节假日安排的通知',
      number: null,
      date: '2025-11-04',
    });
    expect(parsed.daysOff).toEqual(parseHolidayNotice(fixture('2026.txt')).daysOff);
  });

  const title = (year: number) => `国务院办公厅关于${year}年部分节假日安排的通知\n`;
  it.each<[string, number, string, string[], string[]]>([
    [
      'a Spring Festival range across months, with lunar dates and make-up days',
      2025,
      '二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。',
      ['2025-01-28', '2025-01-29', '2025-01-30', '2025-01-31', '2025-02-01', '2025-02-02', '2025-02-03', '2025-02-04'],
      ['2025-01-26', '2025-02-08'],
    ],
    [
      'a day joined to the weekend (the weekend is not named)',
      2024,
      '一、元旦：1月1日放假，与周末连休。',
      ['2024-01-01'],
      [],
    ],
    ['a Wednesday alone, on a line of its own', 2025, '1月1日（周三）放假1天，不调休。', ['2025-01-01'], []],
    [
      'a range into the next month',
      2025,
      '五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。',
      ['2025-05-31', '2025-06-01', '2025-06-02'],
      [],
    ],
    ['a compensating Monday (补休)', 2017, '1月1日放假，1月2日（星期一）补休。', ['2017-01-01', '2017-01-02'], []],
    [
      'make-up days separated by an ASCII comma',
      2025,
      '1月26日(周日),2月8日(周六)上班.',
      [],
      ['2025-01-26', '2025-02-08'],
    ],
    [
      'a range written with a dash and 星期天',
      2021,
      '6月12日(星期六)-14日(星期一)放假,共3天;6月20日(星期天)上班',
      ['2021-06-12', '2021-06-13', '2021-06-14'],
      ['2021-06-20'],
    ],
  ])('reads %s', (_what, year, line, daysOff, workdays) => {
    expect(parseHolidayNotice(title(year) + line)).toEqual({
      year,
      notice: { title: title(year).trim(), number: null, date: null },
      daysOff,
      workdays,
    });
  });

  it('reads the number with other brackets and normalises it to 〔〕', () => {
    const parsed = parseHolidayNotice(`${title(2025)}国办发明电[2024]12号\n1月1日放假。`);
    expect(parsed.notice.number).toBe('国办发明电〔2024〕12号');
  });
});

describe('parseHolidayNotice errors name the line', () => {
  const text2025 = fixture('2025.txt');
  const lines = text2025.split('\n');
  const springLine = lines.findIndex((l) => l.startsWith('二、春节')) + 1;
  const withLine = (no: number, text: string) => lines.map((l, i) => (i === no - 1 ? text : l)).join('\n');

  it('rejects a weekday that does not match the date', () => {
    expect(springLine).toBe(8);
    const typo = withLine(springLine, lines[springLine - 1]!.replace('1月26日（周日）', '1月26日（周六）'));
    expectError(typo, 8, /^1月26日 \(2025-01-26\) is a 周日, the text says 周六$/);
  });

  it('rejects a day count that does not match the range', () => {
    expectError(
      withLine(springLine, lines[springLine - 1]!.replace('共8天', '共7天')),
      8,
      /is 8 days, the text says 共7天/,
    );
  });

  it('rejects an impossible date', () => {
    expectError(withLine(springLine, '二、春节：2月30日放假。'), 8, /^impossible date '2月30日'$/);
  });

  it('rejects an arrangement sentence it cannot read instead of skipping it', () => {
    expectError(withLine(springLine, '二、春节：1月28日左右放假调休。'), 8, /^cannot read '1月28日左右放假调休'$/);
    expectError(
      withLine(springLine, '二、春节：1月28日起放假调休，共8天。'),
      8,
      /^cannot read '1月28日起放假调休,共8天'$/,
    );
    expectError(withLine(springLine, '二、春节：1月28日至2月4日放假调休，另行通知。'), 8, /^cannot read '另行通知'/);
    expectError(withLine(springLine, '二、春节从1月28日起放假。'), 8, /^cannot read '二、春节从1月28日起放假。'$/);
  });

  it('rejects a date outside the year and a date both off and worked', () => {
    expectError(
      withLine(springLine, '二、春节：2026年1月28日放假。'),
      8,
      /^2026-01-28 is outside 2025 \(and December 2024\)$/,
    );
    expectError(
      `${text2025}\n1月26日放假。`,
      lines.length + 1,
      /^2025-01-26 is named both a day off and a working day$/,
    );
  });

  it('rejects a text without a title, and a title without arrangements', () => {
    expectError('一、元旦：1月1日放假。\n', 1, /^no title naming the year/);
    expectError(`\n\n${lines.slice(0, 6).join('\n')}`, 8, /^no holiday arrangement found/);
    expectError('', 1, /^the text is empty$/);
  });
});
