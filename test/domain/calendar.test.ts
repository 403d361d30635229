import {
  addWorkingDays,
  CalendarDataError,
  coveredYears,
  isWorkingDay,
  lastWorkingDayOnOrBefore,
  nextWorkingDayOnOrAfter,
  weekdayOf,
} from '../../src/domain/calendar';
import { HOLIDAY_NOTICES } from '../../src/domain/holidays';

describe('holiday data', () => {
  it('has a notice for every year 2017-2026', () => {
    expect(coveredYears()).toEqual([2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025, 2026]);
  });

  it('names only Saturdays and Sundays as make-up working days', () => {
    const workdays = HOLIDAY_NOTICES.flatMap((n) => n.arrangements.flatMap((a) => a.workdays));
    expect(workdays.length).toBeGreaterThan(40);
    expect(workdays.filter((d) => weekdayOf(d) < 6)).toEqual([]);
  });

  it('spans exactly as many days as a notice states (共N天)', () => {
    for (const notice of HOLIDAY_NOTICES) {
      for (const a of notice.arrangements) {
        if (a.days === undefined) continue;
        const [first, last] = a.off;
        const span = Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86_400_000) + 1;
        expect(`${notice.year} ${a.name}: ${span}`).toBe(`${notice.year} ${a.name}: ${a.days}`);
      }
    }
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

  it('throws for a year without a notice instead of guessing', () => {
    expect(() => isWorkingDay('2031-03-03')).toThrow(CalendarDataError);
    expect(() => isWorkingDay('2031-03-03')).toThrow(/no holiday notice for 2031 in the calendar data; add/);
    expect(() => isWorkingDay('2016-12-30')).toThrow(/no holiday notice for 2016/);
  });

  it('gives the error a stable type and the missing year', () => {
    try {
      isWorkingDay('2027-01-04');
      throw new Error('expected a throw');
    } catch (e) {
      expect(e).toMatchObject({ type: 'CalendarDataMissing', year: 2027 });
    }
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

  it('throws when a count runs past the data, forward into 2027 or backward into 2016', () => {
    expect(() => addWorkingDays('2026-12-30', 3)).toThrow(/no holiday notice for 2027/);
    expect(() => addWorkingDays('2017-01-03', -2)).toThrow(/no holiday notice for 2016/);
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
