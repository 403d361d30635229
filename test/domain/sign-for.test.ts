/** Working hours for sign-for (签收): 09:00–17:00 on working days, across weekends, holidays and make-up days. */
import { BUILTIN_CALENDAR } from '../../src/domain/calendar';
import { parsePolicy } from '../../src/domain/policy-file';
import { DEFAULT_POLICY } from '../../src/domain/policy';
import {
  addWorkingHours,
  asksSignFor,
  median,
  signForSummary,
  unsignedStage,
  workingHoursBetween,
} from '../../src/domain/sign-for';

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 16);

describe('working hours', () => {
  it('count 09:00–17:00 of working days only', () => {
    // Friday 2017-09-29 16:00 + 8 h: one hour that Friday, then the National Day week (10-01–08, with the make-up
    // Saturday 09-30 a working day).
    expect(iso(addWorkingHours(ms('2017-09-29T16:00:00+08:00'), 8, BUILTIN_CALENDAR))).toBe('2017-09-30T16:00');
    expect(iso(addWorkingHours(ms('2017-09-30T16:00:00+08:00'), 2, BUILTIN_CALENDAR))).toBe('2017-10-09T10:00');
    // Sent before the day starts: hours count from 09:00; at 17:00 exactly, from the next working day.
    expect(iso(addWorkingHours(ms('2017-05-22T07:30:00+08:00'), 8, BUILTIN_CALENDAR))).toBe('2017-05-22T17:00');
    expect(iso(addWorkingHours(ms('2017-05-22T17:00:00+08:00'), 1, BUILTIN_CALENDAR))).toBe('2017-05-23T10:00');
    expect(
      workingHoursBetween(ms('2017-05-25T09:00:00+08:00'), ms('2017-05-26T16:30:00+08:00'), BUILTIN_CALENDAR),
    ).toBe(15.5);
    expect(
      workingHoursBetween(ms('2017-09-29T16:00:00+08:00'), ms('2017-10-09T10:00:00+08:00'), BUILTIN_CALENDAR),
    ).toBe(10);
    expect(
      workingHoursBetween(ms('2017-10-02T09:00:00+08:00'), ms('2017-10-01T09:00:00+08:00'), BUILTIN_CALENDAR),
    ).toBe(0);
  });

  it('are the inverse of adding them', () => {
    for (const start of ['2017-05-26T16:59:00+08:00', '2017-12-29T12:00:00+08:00', '2018-02-14T10:00:00+08:00'])
      for (const h of [1, 7.5, 8, 40]) {
        const end = addWorkingHours(ms(start), h, BUILTIN_CALENDAR);
        expect(workingHoursBetween(ms(start), end, BUILTIN_CALENDAR)).toBeCloseTo(h, 6);
      }
  });
});

describe('sign-for rules', () => {
  it('asks for reminders and escalations, not for notices about data or unsigned notices', () => {
    expect(['reminder-5', 'reminder-0', 'reminder-2h', 'escalation-3'].every(asksSignFor)).toBe(true);
    expect(['calendar-error', 'opened', 'breach', unsignedStage('reminder-5')].some(asksSignFor)).toBe(false);
    expect(unsignedStage('escalation-1')).toBe('unsigned-escalation-1');
  });

  it('summarises how many were signed for and the median working hours', () => {
    expect(median([])).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([1, 2, 3, 10])).toBe(2.5);
    expect(
      signForSummary(
        [
          { sentAt: '2017-05-25T09:00:00+08:00', signedAt: '2017-05-25T11:00:00+08:00' },
          { sentAt: '2017-05-25T09:00:00+08:00', signedAt: '2017-05-26T10:00:00+08:00' },
          { sentAt: '2017-05-25T09:00:00+08:00', signedAt: null },
        ],
        BUILTIN_CALENDAR,
      ),
    ).toEqual({ asked: 3, signed: 2, medianWorkingHours: 5.5 });
  });

  it('escalates unsigned notices only when a policy file asks, to the head unless told', () => {
    expect(DEFAULT_POLICY.signFor).toBeUndefined();
    expect(parsePolicy({}).signFor).toBeUndefined();
    expect(parsePolicy({ signFor: { escalateAfterWorkingHours: 8 } }).signFor).toEqual({
      escalateAfterWorkingHours: 8,
      notify: ['head'],
    });
    expect(
      parsePolicy({ signFor: { escalateAfterWorkingHours: 4, notify: ['head', 'general-office'] } }).signFor?.notify,
    ).toEqual(['head', 'general-office']);
    expect(() => parsePolicy({ signFor: { escalateAfterWorkingHours: 0 } })).toThrow(
      /^policy\.signFor\.escalateAfterWorkingHours: /,
    );
    expect(() => parsePolicy({ signFor: { notify: ['head'] } })).toThrow(/^policy\.signFor\.escalateAfterWorkingHours/);
  });
});
