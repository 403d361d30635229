import { BUILTIN_CALENDAR, createHolidayCalendar } from '../../src/domain/calendar';
import type { HolidayYear } from '../../src/domain/holidays';
import {
  DEFAULT_POLICY,
  deadlineAgenda,
  emergencyAgenda,
  informationRequestDue,
  obligationAgenda,
  periodsOf,
  quarterlyProgressDues,
  recurringAgenda,
  type AgendaItem,
} from '../../src/domain/policy';
import { parsePolicy } from '../../src/domain/policy-file';

/** The bundled 2017 plan was published on 2017-05-05. */
const PUBLISHED = '2017-05-05';

/** A made-up 2027 notice for tests (not the real one): New Year 01-01..03 off. */
const YEAR_2027: HolidayYear = {
  year: 2027,
  notice: { title: '国务院办公厅关于2027年部分节假日安排的通知', number: '测试〔2026〕1号', date: '2026-11-01' },
  daysOff: ['2027-01-01', '2027-01-02', '2027-01-03'],
  workdays: [],
  adjustments: [],
};

const compact = (items: AgendaItem[]): string[] => items.map((i) => `${i.at} ${i.stage} ${i.notify.join('+')}`);

describe('deadlineAgenda', () => {
  it('schedules the 2017 implementation plan (due Saturday 05-27, a working day) around the Dragon Boat holiday', () => {
    const agenda = deadlineAgenda({ due: '2017-05-27', activeFrom: PUBLISHED, escalateTo: 'general-office' });
    expect(agenda.anchor).toBe('2017-05-27');
    expect(agenda.deadlineEnd).toBe('2017-05-28T00:00:00.000+08:00');
    expect(agenda.provisionalYears).toEqual([]);
    expect(compact(agenda.items)).toEqual([
      '2017-05-22T09:00:00.000+08:00 reminder-5 officer',
      '2017-05-25T09:00:00.000+08:00 reminder-2 officer',
      '2017-05-26T09:00:00.000+08:00 reminder-1 officer',
      '2017-05-27T09:00:00.000+08:00 reminder-0 officer',
      // 05-28..30 are the Dragon Boat holiday: wd(D,+1) is Wednesday 05-31.
      '2017-05-31T09:00:00.000+08:00 escalation-1 head',
      '2017-06-02T09:00:00.000+08:00 escalation-2 general-office',
      '2017-06-06T09:00:00.000+08:00 escalation-3 general-office',
    ]);
  });

  it('escalates the Q3 progress report (due Saturday 09-30) only after the National Day week, from 10-09', () => {
    const agenda = deadlineAgenda({ due: '2017-09-30', activeFrom: PUBLISHED });
    expect(compact(agenda.items)).toEqual([
      '2017-09-25T09:00:00.000+08:00 reminder-5 officer',
      '2017-09-28T09:00:00.000+08:00 reminder-2 officer',
      '2017-09-29T09:00:00.000+08:00 reminder-1 officer',
      '2017-09-30T09:00:00.000+08:00 reminder-0 officer',
      '2017-10-09T09:00:00.000+08:00 escalation-1 head',
      '2017-10-11T09:00:00.000+08:00 escalation-2 lead-units',
      '2017-10-13T09:00:00.000+08:00 escalation-3 general-office',
    ]);
  });

  it('schedules the year-end report due Friday 2017-12-08', () => {
    const agenda = deadlineAgenda({ due: '2017-12-08', activeFrom: PUBLISHED, escalateTo: 'general-office' });
    expect(compact(agenda.items)).toEqual([
      '2017-12-01T09:00:00.000+08:00 reminder-5 officer',
      '2017-12-06T09:00:00.000+08:00 reminder-2 officer',
      '2017-12-07T09:00:00.000+08:00 reminder-1 officer',
      '2017-12-08T09:00:00.000+08:00 reminder-0 officer',
      '2017-12-11T09:00:00.000+08:00 escalation-1 head',
      '2017-12-13T09:00:00.000+08:00 escalation-2 general-office',
      '2017-12-15T09:00:00.000+08:00 escalation-3 general-office',
    ]);
  });

  it('anchors a Sunday task deadline 2017-12-31 on Friday 12-29 and escalates into January 2018 past New Year', () => {
    const agenda = deadlineAgenda({ due: '2017-12-31', activeFrom: PUBLISHED });
    expect(agenda.anchor).toBe('2017-12-29');
    expect(agenda.deadlineEnd).toBe('2018-01-01T00:00:00.000+08:00');
    expect(compact(agenda.items)).toEqual([
      '2017-12-22T09:00:00.000+08:00 reminder-5 officer',
      '2017-12-27T09:00:00.000+08:00 reminder-2 officer',
      '2017-12-28T09:00:00.000+08:00 reminder-1 officer',
      '2017-12-29T09:00:00.000+08:00 reminder-0 officer',
      '2018-01-02T09:00:00.000+08:00 escalation-1 head',
      '2018-01-04T09:00:00.000+08:00 escalation-2 lead-units',
      '2018-01-08T09:00:00.000+08:00 escalation-3 general-office',
    ]);
  });

  it('drops notices before the obligation became active, comparing instants to the second', () => {
    const agenda = deadlineAgenda({ due: '2017-05-27', activeFrom: '2017-05-25T09:00:01+08:00' });
    expect(agenda.items.map((i) => i.stage)).toEqual([
      'reminder-1',
      'reminder-0',
      'escalation-1',
      'escalation-2',
      'escalation-3',
    ]);
    const exactly = deadlineAgenda({ due: '2017-05-27', activeFrom: '2017-05-25T01:00:00Z' });
    expect(exactly.items[0]).toEqual({ at: '2017-05-25T09:00:00.000+08:00', stage: 'reminder-2', notify: ['officer'] });
  });

  it('does not need holiday data for reminders that would fall before activeFrom (January 2017)', () => {
    const agenda = deadlineAgenda({ due: '2017-01-05', activeFrom: '2017-01-03T10:00:00+08:00' });
    expect(compact(agenda.items).slice(0, 2)).toEqual([
      '2017-01-04T09:00:00.000+08:00 reminder-1 officer',
      '2017-01-05T09:00:00.000+08:00 reminder-0 officer',
    ]);
  });

  it('counts escalations into 2027, which has no notice yet, on weekdays alone and says the year is provisional', () => {
    const agenda = deadlineAgenda({ due: '2026-12-31', activeFrom: '2026-12-01' });
    expect(agenda.provisionalYears).toEqual([2027]);
    expect(compact(agenda.items).slice(4)).toEqual([
      // New Year's Day 2027 is an ordinary Friday until the 2027 notice is added.
      '2027-01-01T09:00:00.000+08:00 escalation-1 head',
      '2027-01-05T09:00:00.000+08:00 escalation-2 lead-units',
      '2027-01-07T09:00:00.000+08:00 escalation-3 general-office',
    ]);
  });

  it('uses the calendar it is given: with a 2027 notice the escalations skip New Year and nothing is provisional', () => {
    const calendar = createHolidayCalendar([YEAR_2027]);
    const agenda = deadlineAgenda({ due: '2026-12-31', activeFrom: '2026-12-01', calendar });
    expect(agenda.provisionalYears).toEqual([]);
    expect(compact(agenda.items).slice(4)).toEqual([
      '2027-01-04T09:00:00.000+08:00 escalation-1 head',
      '2027-01-06T09:00:00.000+08:00 escalation-2 lead-units',
      '2027-01-08T09:00:00.000+08:00 escalation-3 general-office',
    ]);
  });

  it('reports no provisional year for a deadline whose dates all have their notice (year-end report 2026-12-08)', () => {
    const agenda = deadlineAgenda({ due: '2026-12-08', activeFrom: '2026-01-01' });
    expect(agenda.provisionalYears).toEqual([]);
    expect(agenda.items.at(-1)?.at).toBe('2026-12-15T09:00:00.000+08:00');
  });

  it("reports a date in the last week of December as depending on next year's notice", () => {
    // D = Sunday 2026-12-27: the anchor counts back through 12-26, which a 2027 notice could make a working day.
    expect(deadlineAgenda({ due: '2026-12-27', activeFrom: '2026-12-01' }).provisionalYears).toEqual([2027]);
  });

  it('uses a policy override: a reminder 7 working days before becomes stage reminder-7', () => {
    const policy = parsePolicy({ deadline: { remindWorkingDaysBefore: [7, 0] }, noticeHour: 8, noticeMinute: 30 });
    const agenda = deadlineAgenda({ due: '2017-05-27', activeFrom: PUBLISHED, policy });
    expect(compact(agenda.items).slice(0, 3)).toEqual([
      '2017-05-18T08:30:00.000+08:00 reminder-7 officer',
      '2017-05-27T08:30:00.000+08:00 reminder-0 officer',
      '2017-05-31T08:30:00.000+08:00 escalation-1 head',
    ]);
  });

  it('rejects a malformed due date or activeFrom, naming the field', () => {
    expect(() => deadlineAgenda({ due: '2017/05/27', activeFrom: PUBLISHED })).toThrow(/^due: /);
    expect(() => deadlineAgenda({ due: '2017-05-27', activeFrom: 'yesterday' })).toThrow(/^activeFrom: /);
  });
});

describe('obligationAgenda', () => {
  it('runs a recurring duty under the recurring rule and a deadline under the deadline rule, with its target', () => {
    const recurring = obligationAgenda({ rule: 'recurring', due: '2017-09-30', activeFrom: PUBLISHED });
    expect(recurring.provisionalYears).toEqual([]);
    expect(compact(recurring.items)).toEqual([
      '2017-09-30T09:00:00.000+08:00 reminder-0 officer',
      '2017-10-09T09:00:00.000+08:00 escalation-1 head',
    ]);
    const deadline = obligationAgenda({
      rule: 'deadline',
      escalateTo: 'general-office',
      due: '2017-05-27',
      activeFrom: PUBLISHED,
    });
    expect(deadline).toEqual(
      deadlineAgenda({ due: '2017-05-27', activeFrom: PUBLISHED, escalateTo: 'general-office' }),
    );
    expect(deadline.items).toHaveLength(7);
  });

  it('passes its calendar on', () => {
    const calendar = createHolidayCalendar([YEAR_2027]);
    const agenda = obligationAgenda({ rule: 'deadline', due: '2026-12-31', activeFrom: '2026-12-01', calendar });
    expect(agenda).toEqual(deadlineAgenda({ due: '2026-12-31', activeFrom: '2026-12-01', calendar }));
    expect(agenda.provisionalYears).toEqual([]);
  });
});

describe('periodsOf', () => {
  it('lists the 2017 quarters ending on or after the publish date', () => {
    expect(periodsOf('quarter', 2017, PUBLISHED)).toEqual([
      { label: '2017-Q2', start: '2017-04-01', end: '2017-06-30', due: '2017-06-30' },
      { label: '2017-Q3', start: '2017-07-01', end: '2017-09-30', due: '2017-09-30' },
      { label: '2017-Q4', start: '2017-10-01', end: '2017-12-31', due: '2017-12-31' },
    ]);
  });

  it('lists months from the publish month, and the year as one period', () => {
    expect(periodsOf('month', 2017, PUBLISHED).map((p) => `${p.label}:${p.end}`)).toEqual([
      '2017-05:2017-05-31',
      '2017-06:2017-06-30',
      '2017-07:2017-07-31',
      '2017-08:2017-08-31',
      '2017-09:2017-09-30',
      '2017-10:2017-10-31',
      '2017-11:2017-11-30',
      '2017-12:2017-12-31',
    ]);
    expect(periodsOf('year', 2017, PUBLISHED)).toEqual([
      { label: '2017', start: '2017-01-01', end: '2017-12-31', due: '2017-12-31' },
    ]);
  });

  it('uses the ISO weeks of the plan year, starting with the week that contains the publish date', () => {
    const weeks = periodsOf('week', 2017, PUBLISHED);
    expect(weeks[0]).toEqual({ label: '2017-W18', start: '2017-05-01', end: '2017-05-07', due: '2017-05-07' });
    expect(weeks.at(-1)).toEqual({ label: '2017-W52', start: '2017-12-25', end: '2017-12-31', due: '2017-12-31' });
    expect(weeks).toHaveLength(35);
  });

  it('keeps boundary weeks with their ISO week-year: 2019-W01 starts 2018-12-31, 2020-W53 ends 2021-01-03', () => {
    expect(periodsOf('week', 2019, '2019-01-01')[0]).toMatchObject({ label: '2019-W01', start: '2018-12-31' });
    expect(periodsOf('week', 2020, '2020-12-01').at(-1)).toMatchObject({ label: '2020-W53', end: '2021-01-03' });
  });
});

describe('quarterlyProgressDues', () => {
  it('gives 2017-06-30 and 2017-09-30 for the 2017 plan (published 05-05, year-end report 12-08)', () => {
    expect(quarterlyProgressDues(2017, PUBLISHED, '2017-12-08')).toEqual(['2017-06-30', '2017-09-30']);
  });

  it('skips a quarter that ends on the publish date itself', () => {
    expect(quarterlyProgressDues(2017, '2017-06-30', '2017-12-08')).toEqual(['2017-09-30']);
  });
});

describe('recurringAgenda', () => {
  it('runs a weekly duty across the 2017 National Day week: W39 and W40 both anchor on Saturday 09-30', () => {
    const weeks = recurringAgenda({ cadence: 'week', year: 2017, publishedOn: PUBLISHED });
    const around = weeks.filter((w) => ['2017-W39', '2017-W40', '2017-W41'].includes(w.period.label));
    expect(around.map((w) => [w.period.label, w.due, w.anchor, ...compact(w.items)])).toEqual([
      [
        '2017-W39',
        '2017-10-01',
        '2017-09-30',
        '2017-09-30T09:00:00.000+08:00 reminder-0 officer',
        '2017-10-09T09:00:00.000+08:00 escalation-1 head',
      ],
      [
        '2017-W40',
        '2017-10-08',
        '2017-09-30',
        '2017-09-30T09:00:00.000+08:00 reminder-0 officer',
        '2017-10-09T09:00:00.000+08:00 escalation-1 head',
      ],
      [
        '2017-W41',
        '2017-10-15',
        '2017-10-13',
        '2017-10-13T09:00:00.000+08:00 reminder-0 officer',
        '2017-10-16T09:00:00.000+08:00 escalation-1 head',
      ],
    ]);
  });

  it('schedules a monthly duty on the last working day of the month and escalates the next working day', () => {
    const months = recurringAgenda({ cadence: 'month', year: 2017, publishedOn: PUBLISHED });
    expect(compact(months[0]!.items)).toEqual([
      '2017-05-31T09:00:00.000+08:00 reminder-0 officer',
      '2017-06-01T09:00:00.000+08:00 escalation-1 head',
    ]);
  });

  it('drops the first week’s reminder when the duty became active after it', () => {
    const weeks = recurringAgenda({
      cadence: 'week',
      year: 2017,
      publishedOn: PUBLISHED,
      activeFrom: '2017-05-05T10:00:00+08:00',
    });
    expect(compact(weeks[0]!.items)).toEqual(['2017-05-08T09:00:00.000+08:00 escalation-1 head']);
  });

  it('marks only the weeks at the end of 2026 as depending on the 2027 notice, and none once it is given', () => {
    const weeks = recurringAgenda({ cadence: 'week', year: 2026, publishedOn: '2026-11-01' });
    expect(weeks.map((w) => `${w.period.label} ${w.provisionalYears.join(',')}`)).toEqual([
      '2026-W44 ',
      '2026-W45 ',
      '2026-W46 ',
      '2026-W47 ',
      '2026-W48 ',
      '2026-W49 ',
      '2026-W50 ',
      '2026-W51 ',
      '2026-W52 2027',
      '2026-W53 2027',
    ]);
    const calendar = createHolidayCalendar([YEAR_2027]);
    const last = recurringAgenda({ cadence: 'week', year: 2026, publishedOn: '2026-11-01', calendar }).at(-1)!;
    expect(last.provisionalYears).toEqual([]);
    // W53 ends Sunday 2027-01-03 inside the made-up New Year holiday: the escalation waits for Monday 01-04.
    expect(compact(last.items)).toEqual([
      '2026-12-31T09:00:00.000+08:00 reminder-0 officer',
      '2027-01-04T09:00:00.000+08:00 escalation-1 head',
    ]);
  });
});

describe('emergencyAgenda', () => {
  const t0 = '2017-10-01T22:30:00+08:00';

  it('counts both windows from the occurrence, ignoring the National Day holiday', () => {
    const agenda = emergencyAgenda({ occurredAt: t0, reportedAt: '2017-10-02T01:00:00+08:00' });
    expect(agenda.occurredAt).toBe('2017-10-01T22:30:00.000+08:00');
    expect(agenda.information.due).toBe('2017-10-02T03:30:00.000+08:00');
    expect(compact(agenda.information.items)).toEqual([
      '2017-10-02T01:00:00.000+08:00 opened officer+head',
      '2017-10-02T01:30:00.000+08:00 reminder-2h officer',
      '2017-10-02T02:30:00.000+08:00 reminder-1h officer',
      '2017-10-02T03:30:00.000+08:00 breach head+general-office',
    ]);
    expect(agenda.pressConference.due).toBe('2017-10-02T22:30:00.000+08:00');
    expect(compact(agenda.pressConference.items)).toEqual([
      '2017-10-02T10:30:00.000+08:00 reminder-12h officer',
      '2017-10-02T18:30:00.000+08:00 reminder-4h officer',
      '2017-10-02T22:30:00.000+08:00 breach head+general-office',
    ]);
  });

  it('breaches the information step at once when the incident is reported after its window', () => {
    const agenda = emergencyAgenda({ occurredAt: t0, reportedAt: '2017-10-02T04:30:00+08:00' });
    expect(compact(agenda.information.items)).toEqual([
      '2017-10-02T04:30:00.000+08:00 opened officer+head',
      '2017-10-02T04:30:00.000+08:00 breach head+general-office',
    ]);
    expect(agenda.pressConference.items).toHaveLength(3);
  });

  it('drops reminders whose instant passed before the report', () => {
    const agenda = emergencyAgenda({ occurredAt: t0, reportedAt: '2017-10-02T02:00:00+08:00' });
    expect(agenda.information.items.map((i) => i.stage)).toEqual(['opened', 'reminder-1h', 'breach']);
  });

  it('normalises UTC input to +08:00 and rejects a report before the occurrence', () => {
    const agenda = emergencyAgenda({ occurredAt: '2017-10-01T14:30:00Z', reportedAt: '2017-10-01T14:30:00Z' });
    expect(agenda.information.items[0]).toEqual({
      at: '2017-10-01T22:30:00.000+08:00',
      stage: 'opened',
      notify: ['officer', 'head'],
    });
    expect(() => emergencyAgenda({ occurredAt: t0, reportedAt: '2017-10-01T22:00:00+08:00' })).toThrow(/^reportedAt: /);
  });
});

describe('informationRequestDue', () => {
  it('gives 15 working days under the 2008 regulation for a request received just before National Day 2017 (no provisional year)', () => {
    expect(informationRequestDue('2017-09-29')).toEqual({
      receivedOn: '2017-09-29',
      due: '2017-10-26',
      workingDays: 15,
      regulation: '2008',
    });
  });

  it('counts a December 2026 request into provisional 2027, and into a 2027 notice once one is given', () => {
    expect(informationRequestDue('2026-12-15')).toMatchObject({ due: '2027-01-12', provisionalYears: [2027] });
    const calendar = createHolidayCalendar([YEAR_2027]);
    const given = informationRequestDue('2026-12-15', { calendar });
    expect(given.due).toBe('2027-01-13');
    expect(given).not.toHaveProperty('provisionalYears');
    expect(informationRequestDue('2026-12-15', { calendar: BUILTIN_CALENDAR }).due).toBe('2027-01-12');
  });

  it('adds one extension of the same length: 30 working days', () => {
    expect(informationRequestDue('2017-09-29', { extended: true }).due).toBe('2017-11-16');
  });

  it('switches to 20 working days for requests received from 2019-05-15', () => {
    expect(informationRequestDue('2019-05-14')).toMatchObject({
      due: '2019-06-04',
      workingDays: 15,
      regulation: '2008',
    });
    expect(informationRequestDue('2019-05-15')).toMatchObject({
      due: '2019-06-13',
      workingDays: 20,
      regulation: '2019',
    });
  });

  it('adds working days paused for consulting third parties', () => {
    expect(informationRequestDue('2019-05-15', { pausedWorkingDays: 2 })).toMatchObject({
      due: '2019-06-17',
      workingDays: 22,
    });
  });
});

describe('parsePolicy', () => {
  it('returns the defaults for an empty object', () => {
    expect(parsePolicy({})).toEqual(DEFAULT_POLICY);
  });

  it("keeps the README's default numbers in DEFAULT_POLICY and freezes it", () => {
    expect(DEFAULT_POLICY.deadline.remindWorkingDaysBefore).toEqual([5, 2, 1, 0]);
    expect(DEFAULT_POLICY.deadline.escalations.map((e) => e.workingDaysAfter)).toEqual([1, 3, 5]);
    expect(Object.isFrozen(DEFAULT_POLICY.deadline.escalations[0])).toBe(true);
  });

  it('names the offending field in its errors', () => {
    expect(() => parsePolicy({ noticeHour: 24 })).toThrow(
      'policy.noticeHour: expected an integer from 0 to 23, got 24',
    );
    expect(() => parsePolicy({ deadline: { remindWorkingDaysBefore: [5, -1] } })).toThrow(
      /^policy\.deadline\.remindWorkingDaysBefore\[1\]: /,
    );
    expect(() => parsePolicy({ deadline: { escalations: [{ workingDaysAfter: 1, notify: ['boss'] }] } })).toThrow(
      /^policy\.deadline\.escalations\[0\]\.notify\[0\]: /,
    );
    expect(() => parsePolicy({ deadline: { remindWorkingDayBefore: [7] } })).toThrow(
      /^policy\.deadline\.remindWorkingDayBefore: unknown field/,
    );
    expect(() => parsePolicy({ emergency: { information: { remindHoursBefore: [6] } } })).toThrow(
      /^policy\.emergency\.information\.remindHoursBefore\[0\]: 6 h is not inside the 5 h window/,
    );
    expect(() => parsePolicy('{}')).toThrow(/^policy: expected an object/);
  });

  it('rejects escalations that are not in increasing order', () => {
    expect(() =>
      parsePolicy({
        deadline: {
          escalations: [
            { workingDaysAfter: 3, notify: ['head'] },
            { workingDaysAfter: 3, notify: ['general-office'] },
          ],
        },
      }),
    ).toThrow(/^policy\.deadline\.escalations\[1\]\.workingDaysAfter: /);
  });

  it('changes the emergency instants when the window is configured', () => {
    const policy = parsePolicy({ emergency: { information: { withinHours: 6, remindHoursBefore: [3] } } });
    const agenda = emergencyAgenda({
      occurredAt: '2017-10-01T22:30:00+08:00',
      reportedAt: '2017-10-01T23:00:00+08:00',
      policy,
    });
    expect(compact(agenda.information.items)).toEqual([
      '2017-10-01T23:00:00.000+08:00 opened officer+head',
      '2017-10-02T01:30:00.000+08:00 reminder-3h officer',
      '2017-10-02T04:30:00.000+08:00 breach head+general-office',
    ]);
  });
});
