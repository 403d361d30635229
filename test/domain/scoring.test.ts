import { BUILTIN_CALENDAR } from '../../src/domain/calendar';
import type { Outcome } from '../../src/domain/notice';
import {
  DEFAULT_SCORING,
  itemKey,
  lateWorkingDays,
  scoreItem,
  scoreUnits,
  signedForLate,
} from '../../src/domain/scoring';
import { parseScoring } from '../../src/domain/scoring-file';

const calendar = BUILTIN_CALENDAR;

const outcome = (o: Partial<Outcome> & Pick<Outcome, 'unitCode' | 'status'>): Outcome => ({
  planId: 'p',
  taskNo: null,
  obligation: 'implementation-plan',
  period: null,
  due: '2017-05-27',
  fulfilledAt: null,
  ...o,
});

describe('lateWorkingDays', () => {
  it('counts the working days after the due date up to the fulfilment, across the National Day holiday', () => {
    // 2017-09-30 (a Saturday) was a make-up working day; 10-01..10-08 were off.
    expect(lateWorkingDays('2017-09-29', '2017-09-30T10:00:00+08:00', calendar)).toBe(1);
    expect(lateWorkingDays('2017-09-29', '2017-10-09T10:00:00+08:00', calendar)).toBe(2);
    expect(lateWorkingDays('2017-09-29', '2017-10-11T10:00:00+08:00', calendar)).toBe(4);
  });

  it('counts a fulfilment on the weekend after a Friday deadline, or an emergency window missed by an hour, as one', () => {
    expect(lateWorkingDays('2017-06-30', '2017-07-01T10:00:00+08:00', calendar)).toBe(1);
    expect(lateWorkingDays('2017-07-10T11:00:00+08:00', '2017-07-10T12:00:00+08:00', calendar)).toBe(1);
  });

  it('reads instants in Asia/Shanghai, not UTC', () => {
    // 2017-10-09T17:00Z is 10-10 01:00 in Beijing: three working days after 09-29.
    expect(lateWorkingDays('2017-09-29', '2017-10-09T17:00:00Z', calendar)).toBe(3);
  });
});

describe('scoreItem', () => {
  const score = (o: Outcome, extensions = 0) => scoreItem(o, { calendar, extensions }).points;

  it('gives the default points: on time 100, late 80 less 5 a working day after the first, floor 40, missed 0', () => {
    expect(score(outcome({ unitCode: 'a', status: 'on-time', fulfilledAt: '2017-05-26T10:00:00+08:00' }))).toBe(100);
    expect(score(outcome({ unitCode: 'a', status: 'late', fulfilledAt: '2017-05-31T10:00:00+08:00' }))).toBe(80);
    // 05-27 (Sat) was a working day; 05-29, 05-30 the Dragon Boat holiday: 05-31, 06-01, 06-02 → 3 days.
    expect(score(outcome({ unitCode: 'a', status: 'late', fulfilledAt: '2017-06-02T10:00:00+08:00' }))).toBe(70);
    expect(score(outcome({ unitCode: 'a', status: 'late', fulfilledAt: '2017-09-01T10:00:00+08:00' }))).toBe(40);
    expect(score(outcome({ unitCode: 'a', status: 'missed' }))).toBe(0);
  });

  it('leaves open and (by default) waived items out, and takes 5 points off per extension granted', () => {
    expect(score(outcome({ unitCode: 'a', status: 'open' }))).toBeNull();
    expect(score(outcome({ unitCode: 'a', status: 'waived' }))).toBeNull();
    expect(score(outcome({ unitCode: 'a', status: 'on-time', fulfilledAt: '2017-06-08T10:00:00+08:00' }), 1)).toBe(95);
    expect(score(outcome({ unitCode: 'a', status: 'missed' }), 2)).toBe(0);
  });
});

describe('scoreUnits', () => {
  const weekly = (unitCode: string, period: string, status: Outcome['status']) =>
    outcome({ unitCode, taskNo: 20, obligation: 'recurring-publication', period, due: '2017-09-30', status });
  /** Unit a's information step of incident i1 (task 55). */
  const emergency = (status: Outcome['status'], due: string, fulfilledAt: string | null = null) =>
    outcome({ unitCode: 'a', taskNo: 55, obligation: 'emergency-information', period: 'i1', status, due, fulfilledAt });

  it('counts each obligation once with its periods averaged, weighted by kind', () => {
    const [u] = scoreUnits({
      calendar,
      outcomes: [
        outcome({ unitCode: 'a', status: 'on-time' }),
        // Four weekly periods, one missed: the publication duty scores 75, not four items against one.
        weekly('a', '2017-W36', 'on-time'),
        weekly('a', '2017-W37', 'on-time'),
        weekly('a', '2017-W38', 'on-time'),
        weekly('a', '2017-W39', 'missed'),
        // An emergency step weighs 2: (100 + 75 + 2 × 0) / 4.
        emergency('missed', '2017-10-02T11:00:00+08:00'),
      ],
    });
    expect(u).toMatchObject({ unitCode: 'a', score: 43.8, rank: 1, items: 6 });
    expect(u!.counts).toEqual({ 'on-time': 4, late: 0, missed: 2, waived: 0, open: 0 });
    expect(u!.overdue.map((i) => i.outcome.period)).toEqual(['2017-W39', 'i1']);
    expect(u!.criticisms).toEqual(['得分43.8分，低于60分', '突发事件处置超出时限1项']);
  });

  it('ranks the same score the same, ordered by unit code, and units with nothing scored last without a rank', () => {
    const ranked = scoreUnits({
      calendar,
      outcomes: [
        outcome({ unitCode: 'c', status: 'on-time' }),
        outcome({ unitCode: 'b', status: 'missed' }),
        outcome({ unitCode: 'a', status: 'on-time' }),
        outcome({ unitCode: 'z', status: 'waived' }),
        outcome({ unitCode: 'd', status: 'late', fulfilledAt: '2017-05-31T10:00:00+08:00' }),
      ],
    });
    expect(ranked.map((u) => [u.unitCode, u.rank, u.score])).toEqual([
      ['a', 1, 100],
      ['c', 1, 100],
      ['d', 3, 80],
      ['b', 4, 0],
      ['z', null, null],
    ]);
    expect(ranked.find((u) => u.unitCode === 'z')!.criticisms).toEqual([]);
  });

  it('takes extensions by item and notices signed for late by unit off the score', () => {
    const onTime = outcome({ unitCode: 'a', status: 'on-time' });
    const [u] = scoreUnits({
      calendar,
      outcomes: [onTime],
      extensions: new Map([[itemKey(onTime), 1]]),
      signedForLate: new Map([['a', 3]]),
    });
    expect(u).toMatchObject({ score: 92, extensions: 1, signedForLate: 3 });
  });

  it('follows a scoring file: waived items counted, a kind left out, a stricter threshold, no emergency rule', () => {
    const policy = parseScoring({
      points: { waived: 100 },
      weights: { 'recurring-publication': 0 },
      criticise: { scoreBelow: 90, emergencyBreach: false },
    });
    const [u] = scoreUnits({
      calendar,
      policy,
      outcomes: [
        outcome({ unitCode: 'a', status: 'waived' }),
        weekly('a', '2017-W39', 'missed'),
        emergency('late', '2017-07-10T11:00:00+08:00', '2017-07-10T12:00:00+08:00'),
      ],
    });
    // (100 + 2 × 80) / 3
    expect(u).toMatchObject({ score: 86.7, criticisms: ['得分86.7分，低于90分'] });
  });
});

describe('signedForLate', () => {
  it('counts notices signed after the window, and those not signed once it has passed', () => {
    const sent = '2017-06-01T09:00:00+08:00';
    const counts = signedForLate(
      [
        { unitCode: 'a', sentAt: sent, signedAt: '2017-06-01T15:00:00+08:00' },
        { unitCode: 'a', sentAt: sent, signedAt: '2017-06-02T10:00:00+08:00' },
        { unitCode: 'b', sentAt: sent, signedAt: null },
        { unitCode: 'c', sentAt: '2017-06-03T09:00:00+08:00', signedAt: null },
      ],
      24,
      Date.parse('2017-06-03T10:00:00+08:00'),
    );
    expect([...counts]).toEqual([
      ['a', 1],
      ['b', 1],
    ]);
  });
});

describe('parseScoring', () => {
  it('keeps the documented defaults and freezes the result', () => {
    const policy = parseScoring({});
    expect(policy).toEqual(DEFAULT_SCORING);
    expect(Object.isFrozen(policy.points)).toBe(true);
  });

  it('names the offending field in its errors', () => {
    expect(() => parseScoring({ points: { late: 120 } })).toThrow(
      'scoring.points.late: expected a number from 0 to 100, got 120',
    );
    expect(() => parseScoring({ points: { waived: 'yes' } })).toThrow(
      'scoring.points.waived: expected a number from 0 to 100 or null, got "yes"',
    );
    expect(() => parseScoring({ weights: { 'task-dedline': 2 } })).toThrow(
      /^scoring\.weights\.task-dedline: unknown field \(known: implementation-plan, /,
    );
    expect(() => parseScoring({ criticise: { emergencyBreach: 1 } })).toThrow(
      'scoring.criticise.emergencyBreach: expected true or false, got 1',
    );
    expect(() => parseScoring({ points: { lateFloor: 90 } })).toThrow(
      'scoring.points.lateFloor: 90 is above the points of a late item (80)',
    );
    expect(() => parseScoring([])).toThrow(/^scoring: expected an object/);
  });
});
