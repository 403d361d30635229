import { DateTime } from 'luxon';
import { rehearsalShiftMs, rehearsalStart, yearIsOver } from '../../src/domain/rehearsal';

const plan = {
  year: 2017,
  publishedOn: '2017-05-05',
  milestones: [{ kind: 'implementation-plan' as const, due: '2017-05-27', source: '5月27日前' }],
};

describe('rehearsal of a plan whose year is over', () => {
  it('starts four days before the implementation plan is due', () => {
    expect(rehearsalStart(plan)).toBe('2017-05-23');
    expect(rehearsalStart({ publishedOn: '2017-05-05', milestones: [] })).toBe('2017-05-23');
  });

  it('shifts by whole days: the plan clock reads the start day at today’s wall-clock time', () => {
    for (const today of ['2026-12-01T09:00:00+08:00', '2027-03-06T23:30:00+08:00', '2026-12-04T00:10:00+08:00']) {
      const now = Date.parse(today);
      const shift = rehearsalShiftMs(plan, now);
      expect(Math.abs(shift % 86_400_000)).toBe(0);
      const planNow = DateTime.fromMillis(now + shift, { zone: 'Asia/Shanghai' });
      expect(planNow.toISODate()).toBe('2017-05-23');
      expect(planNow.toFormat('HH:mm')).toBe(DateTime.fromMillis(now, { zone: 'Asia/Shanghai' }).toFormat('HH:mm'));
    }
  });

  it('is needed only once the plan year is over', () => {
    expect(yearIsOver(plan, Date.parse('2017-12-31T23:59:00+08:00'))).toBe(false);
    expect(yearIsOver(plan, Date.parse('2018-01-01T00:00:00+08:00'))).toBe(true);
  });
});
