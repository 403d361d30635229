import {
  addCalendarDays,
  addWorkingDays,
  BUILTIN_CALENDAR,
  coveredYears,
  createHolidayCalendar,
  isWorkingDay,
  lastWorkingDayOnOrBefore,
  nextWorkingDayOnOrAfter,
  weekdayOf,
  workingDayChanges,
} from '../../src/domain/calendar';
import { BUILTIN_HOLIDAY_YEARS, HolidayDataError, type HolidayYear } from '../../src/domain/holidays';
import before from '../fixtures/holidays/working-days-2017-2026.json';

/** A made-up 2027 notice for tests (not the real one): New Year 01-01..03 off, Saturday 01-09 worked. */
const YEAR_2027: HolidayYear = {
  year: 2027,
  notice: { title: '国务院办公厅关于2027年部分节假日安排的通知', number: '测试〔2026〕1号', date: '2026-11-01' },
  daysOff: ['2027-01-01', '2027-01-02', '2027-01-03'],
  workdays: ['2027-01-09'],
  adjustments: [],
};

describe('holiday data', () => {
  it('has a notice for every year 2017-2026', () => {
    expect(coveredYears()).toEqual([2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]);
    expect(BUILTIN_HOLIDAY_YEARS.map((y) => y.notice.number)).toEqual([
      '国办发明电〔2016〕17号',
      '国办发明电〔2017〕12号',
      '国办发明电〔2018〕15号',
      '国办发明电〔2019〕16号',
      '国办发明电〔2020〕27号',
      '国办发明电〔2021〕11号',
      '国办发明电〔2022〕16号',
      '国办发明电〔2023〕7号',
      '国办发明电〔2024〕12号',
      '国办发明电〔2025〕7号',
    ]);
  });

  it('names only Saturdays and Sundays as make-up working days', () => {
    const workdays = BUILTIN_HOLIDAY_YEARS.flatMap((y) => [y, ...y.adjustments].flatMap((n) => n.workdays));
    expect(workdays.length).toBeGreaterThan(40);
    expect(workdays.filter((d) => weekdayOf(d) < 6)).toEqual([]);
  });

  it('keeps every working day of 2017-2026 exactly as the calendar had them before the data moved to JSON', () => {
    const offWeekdays: string[] = [];
    const workedWeekends: string[] = [];
    for (let d = '2017-01-01'; d <= '2026-12-31'; d = addCalendarDays(d, 1)) {
      const weekend = weekdayOf(d) >= 6;
      if (!isWorkingDay(d) && !weekend) offWeekdays.push(d);
      if (isWorkingDay(d) && weekend) workedWeekends.push(d);
    }
    expect(offWeekdays).toEqual(before.offWeekdays);
    expect(workedWeekends).toEqual(before.workedWeekends);
    expect(offWeekdays).toHaveLength(180);
  });
});

describe('isWorkingDay', () => {
  it('treats the make-up Saturdays 2017-05-27 and 2017-09-30 as working days', () => {
    expect(weekdayOf('2017-05-27')).toBe(6);
    expect(weekdayOf('2017-09-30')).toBe(6);
    expect(isWorkingDay('2017-05-27')).toBe(true);
    expect(isWorkingDay('2017-09-30')).toBe(true);
  });

  it('treats an ordinary Saturday and Sunday as days off', () => {
    expect(isWorkingDay('2017-06-03')).toBe(false);
    expect(isWorkingDay('2017-06-04')).toBe(false);
  });

  it('keeps the Dragon Boat holiday 2017-05-28..30 off, Tuesday included', () => {
    expect(['2017-05-28', '2017-05-29', '2017-05-30'].map(isWorkingDay)).toEqual([false, false, false]);
    expect(isWorkingDay('2017-05-31')).toBe(true);
  });

  it('keeps the whole 2017 National Day and Mid-Autumn week 10-01..10-08 off, resuming on Monday 10-09', () => {
    const week = [
      '2017-10-01',
      '2017-10-02',
      '2017-10-03',
      '2017-10-04',
      '2017-10-05',
      '2017-10-06',
      '2017-10-07',
      '2017-10-08',
    ];
    expect(week.map(isWorkingDay)).toEqual(week.map(() => false));
    expect(isWorkingDay('2017-10-09')).toBe(true);
  });

  it('applies the 2019 notice to late December 2018: Saturday 12-29 worked, Monday 12-31 off', () => {
    expect(isWorkingDay('2018-12-29')).toBe(true);
    expect(isWorkingDay('2018-12-31')).toBe(false);
    expect(isWorkingDay('2019-01-02')).toBe(true);
  });

  it('applies adjustment notices over the original ones (2019 Labour Day, 2020 Spring Festival extension)', () => {
    expect(isWorkingDay('2019-05-02')).toBe(false);
    expect(isWorkingDay('2019-05-05')).toBe(true);
    expect(isWorkingDay('2020-02-01')).toBe(false);
    expect(isWorkingDay('2020-02-03')).toBe(true);
  });

  it('counts a year without a notice as provisional: weekdays work, weekends are off, no holidays', () => {
    expect(isWorkingDay('2027-01-01')).toBe(true); // a Friday, New Year's Day: no notice, no holiday yet
    expect(isWorkingDay('2027-01-02')).toBe(false);
    expect(isWorkingDay('2016-12-30')).toBe(true);
    expect(BUILTIN_CALENDAR.isProvisional(2027)).toBe(true);
    expect(BUILTIN_CALENDAR.isProvisional(2026)).toBe(false);
  });

  it('rejects malformed and impossible dates', () => {
    expect(() => isWorkingDay('2017-5-27')).toThrow(/YYYY-MM-DD/);
    expect(() => isWorkingDay('2017-02-30')).toThrow(/YYYY-MM-DD/);
    expect(() => isWorkingDay('2017-05-27T09:00')).toThrow(/YYYY-MM-DD/);
  });
});

describe('addWorkingDays', () => {
  it('counts across the year boundary and skips New Year: 2017-12-29 + 3 = 2018-01-04', () => {
    expect(addWorkingDays('2017-12-29', 3)).toBe('2018-01-04');
  });

  it('counts the make-up Saturday and jumps the National Day week: wd(2017-09-29, +1) = 09-30, +2 = 10-09', () => {
    expect(addWorkingDays('2017-09-29', 1)).toBe('2017-09-30');
    expect(addWorkingDays('2017-09-29', 2)).toBe('2017-10-09');
  });

  it('never counts the start day itself, even when it is a working day', () => {
    expect(addWorkingDays('2017-05-27', 1)).toBe('2017-05-31');
    expect(addWorkingDays('2017-05-27', -1)).toBe('2017-05-26');
  });

  it('counts backwards over the National Day week: wd(2017-10-09, -1) = 2017-09-30', () => {
    expect(addWorkingDays('2017-10-09', -1)).toBe('2017-09-30');
  });

  it('returns a working day itself for n = 0 and refuses a day off', () => {
    expect(addWorkingDays('2017-09-30', 0)).toBe('2017-09-30');
    expect(() => addWorkingDays('2017-10-01', 0)).toThrow(/not a working day/);
  });

  it('counts on into provisional years, forward into 2027 and backward into 2016', () => {
    expect(addWorkingDays('2026-12-30', 3)).toBe('2027-01-04');
    expect(addWorkingDays('2017-01-03', -2)).toBe('2016-12-29');
  });

  it('rejects a non-integer count', () => {
    expect(() => addWorkingDays('2017-05-22', 1.5)).toThrow(/integer/);
  });
});

describe('lastWorkingDayOnOrBefore / nextWorkingDayOnOrAfter', () => {
  it('moves a Sunday deadline 2017-12-31 back to Friday 2017-12-29', () => {
    expect(lastWorkingDayOnOrBefore('2017-12-31')).toBe('2017-12-29');
    expect(lastWorkingDayOnOrBefore('2017-12-29')).toBe('2017-12-29');
  });

  it('moves a day in the National Day week forward to 2017-10-09', () => {
    expect(nextWorkingDayOnOrAfter('2017-10-04')).toBe('2017-10-09');
  });
});

describe('createHolidayCalendar', () => {
  it('uses a year added later for its dates and leaves the built-in calendar alone', () => {
    const calendar = createHolidayCalendar([YEAR_2027]);
    expect(calendar.coveredYears()).toEqual([...coveredYears(), 2027]);
    expect(calendar.isWorkingDay('2027-01-01')).toBe(false);
    expect(calendar.isWorkingDay('2027-01-09')).toBe(true);
    expect(calendar.addWorkingDays('2026-12-30', 3)).toBe('2027-01-05');
    expect(BUILTIN_CALENDAR.addWorkingDays('2026-12-30', 3)).toBe('2027-01-04');
    expect(calendar.isProvisional(2027)).toBe(false);
  });

  it('lets an added year replace the built-in one, and withYears replace an added one', () => {
    // A 2025 without the Spring Festival: every weekday of that week works again.
    const builtIn2025 = BUILTIN_HOLIDAY_YEARS.find((y) => y.year === 2025)!;
    const without = { ...builtIn2025, daysOff: builtIn2025.daysOff.filter((d) => !d.startsWith('2025-0')) };
    const calendar = createHolidayCalendar([without]);
    expect(calendar.isWorkingDay('2025-01-28')).toBe(true);
    expect(calendar.yearData(2025)).toEqual(without);
    expect(calendar.withYears([builtIn2025]).isWorkingDay('2025-01-28')).toBe(false);
    expect(calendar.isWorkingDay('2025-01-28')).toBe(true);
  });

  it("applies the next year's notice to late December: without the 2019 notice 2018-12-31 is an ordinary Monday", () => {
    const without2019 = createHolidayCalendar(
      [],
      BUILTIN_HOLIDAY_YEARS.filter((y) => y.year !== 2019),
    );
    expect(without2019.isWorkingDay('2018-12-31')).toBe(true);
    expect(without2019.isWorkingDay('2018-12-29')).toBe(false);
    expect(without2019.provisionalYearsOf('2018-12-31')).toEqual([2019]);
    expect(without2019.provisionalYearsOf('2018-12-24')).toEqual([]);
    expect(BUILTIN_CALENDAR.isWorkingDay('2018-12-31')).toBe(false);
  });

  it('counts weekends only with no data at all', () => {
    const bare = createHolidayCalendar([], []);
    expect(bare.coveredYears()).toEqual([]);
    expect(bare.isWorkingDay('2017-10-02')).toBe(true);
    expect(bare.addWorkingDays('2017-09-29', 1)).toBe('2017-10-02');
  });

  it('rejects malformed year data naming the field', () => {
    const bad = (over: object) => () => createHolidayCalendar([{ ...YEAR_2027, ...over } as HolidayYear]);
    expect(bad({ daysOff: ['2027-01-03', '2027-01-01'] })).toThrow(HolidayDataError);
    expect(bad({ daysOff: ['2027-01-03', '2027-01-01'] })).toThrow(/daysOff\[1\]: 2027-01-01 is not after 2027-01-03/);
    expect(bad({ daysOff: ['2027-02-30'] })).toThrow(/daysOff\[0\]: expected a date YYYY-MM-DD/);
    expect(bad({ workdays: ['2026-11-28'] })).toThrow(/2026-11-28 is outside 2027 \(and December 2026\)/);
    expect(bad({ workdays: ['2027-01-02'] })).toThrow(/2027-01-02 is both a day off and a working day/);
    expect(bad({ year: '2027' })).toThrow(/\.year: expected a 4-digit year/);
    expect(bad({ notice: { title: '', number: null, date: null } })).toThrow(/notice\.title/);
  });
});

describe('provisional years', () => {
  it('names the provisional year of a date, and the next year from December 25 on', () => {
    expect(BUILTIN_CALENDAR.provisionalYearsOf('2026-12-24')).toEqual([]);
    expect(BUILTIN_CALENDAR.provisionalYearsOf('2026-12-25')).toEqual([2027]);
    expect(BUILTIN_CALENDAR.provisionalYearsOf('2027-06-01')).toEqual([2027]);
    expect(BUILTIN_CALENDAR.provisionalYearsOf('2027-12-31')).toEqual([2027, 2028]);
    expect(BUILTIN_CALENDAR.provisionalYearsOf('2016-03-01')).toEqual([2016]);
  });

  it('names the provisional years of a span of dates', () => {
    expect(BUILTIN_CALENDAR.provisionalYearsBetween('2017-01-01', '2026-12-24')).toEqual([]);
    expect(BUILTIN_CALENDAR.provisionalYearsBetween('2016-12-01', '2017-02-01')).toEqual([2016]);
    expect(BUILTIN_CALENDAR.provisionalYearsBetween('2026-06-01', '2028-02-01')).toEqual([2027, 2028]);
    expect(createHolidayCalendar([YEAR_2027]).provisionalYearsBetween('2026-06-01', '2027-12-26')).toEqual([2028]);
    expect(() => BUILTIN_CALENDAR.provisionalYearsBetween('2027-01-02', '2027-01-01')).toThrow(/before/);
  });

  it('traces the provisional years a computation touched, and none within the notices', () => {
    expect(BUILTIN_CALENDAR.trace((c) => c.addWorkingDays('2026-12-01', 5))).toEqual({
      value: '2026-12-08',
      provisionalYears: [],
    });
    expect(BUILTIN_CALENDAR.trace((c) => c.addWorkingDays('2026-12-30', 3))).toEqual({
      value: '2027-01-04',
      provisionalYears: [2027],
    });
    expect(BUILTIN_CALENDAR.trace((c) => c.lastWorkingDayOnOrBefore('2017-01-01'))).toEqual({
      value: '2016-12-30',
      provisionalYears: [2016],
    });
    const nested = BUILTIN_CALENDAR.trace((c) => c.trace((inner) => inner.isWorkingDay('2027-03-01')).value);
    expect(nested.provisionalYears).toEqual([2027]);
  });
});

describe('workingDayChanges', () => {
  it('lists the dates whose working-day status an added year changes', () => {
    expect(workingDayChanges(BUILTIN_CALENDAR, createHolidayCalendar([YEAR_2027]), '2026-12-01', '2027-12-31')).toEqual(
      [
        { date: '2027-01-01', wasWorkingDay: true, isWorkingDay: false },
        { date: '2027-01-09', wasWorkingDay: false, isWorkingDay: true },
      ],
    );
  });
});
