/**
 * Sign-for (签收) over the 2017 seed's implementation plan on the time-skipping server, with the policy option that
 * escalates a notice not signed for within 8 working hours: 省财政厅 signs for its first reminder within the hours
 * and its later ones late; 福州市 never signs. The store's sign-for then feeds the scores.
 */
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { obligationWorkflowId } from '../../src/domain/ids';
import { parsePolicy } from '../../src/domain/policy-file';
import { DEFAULT_SCORING } from '../../src/domain/scoring';
import { scoreReport, storeSignFor, storeSources } from '../../src/reports/score';
import type { SimulationOutput } from '../../src/simulate/simulator';
import { createDubanClient, Refusal } from '../../src/service';
import { openStore } from '../../src/store';
import { timelineQuery, type TimelineEntry } from '../../workflows/messages';
import { smallSeedPlan } from '../fixtures/small-seed';
import { simulateInTempDir } from '../helpers/simulation';

jest.setTimeout(300_000);

const IMPLEMENTATION_PLAN = 'implementation-plan';

describe('sign-for with unsigned notices escalated after 8 working hours (time-skipping server)', () => {
  let output: SimulationOutput;
  let dir = '';
  let cleanup: () => void = () => undefined;
  let cztTimeline: TimelineEntry[] = [];
  let closedRefusal: unknown;
  const { plan, directory } = smallSeedPlan([49]);

  beforeAll(async () => {
    ({ output, dir, cleanup } = await simulateInTempDir({
      plan,
      directory,
      policy: parsePolicy({ signFor: { escalateAfterWorkingHours: 8 } }),
      scenario: {
        events: [
          // reminder-5 went out at 09:00 on Monday 2017-05-22: signed for within the hours.
          { at: '2017-05-22T11:00:00+08:00', type: 'sign-for', unit: '省财政厅', obligation: IMPLEMENTATION_PLAN },
          // Friday 16:30 it signs for reminder-2 (Thursday 09:00: its unsigned notice went out Thursday 17:00) and
          // reminder-1 (Friday 09:00, 7.5 working hours before: in time).
          { at: '2017-05-26T16:30:00+08:00', type: 'sign-for', unit: '省财政厅', obligation: IMPLEMENTATION_PLAN },
        ],
      },
      afterRun: async (client: Client) => {
        const czt = client.workflow.getHandle(obligationWorkflowId(plan.id, 'fj-czt', IMPLEMENTATION_PLAN));
        cztTimeline = await czt.query(timelineQuery);
        // Through the client layer, as the dashboard and the link call it.
        const duban = createDubanClient({ client, plan, directory, searchAttributes: false });
        closedRefusal = await duban.obligations
          .signFor(
            { planId: plan.id, unitCode: 'fj-czt', obligation: IMPLEMENTATION_PLAN, taskNo: null },
            { by: 'officer@fj-czt', via: 'dashboard' },
          )
          .then(
            () => undefined,
            (err: unknown) => err,
          );
      },
    }));
  });
  afterAll(() => cleanup());

  const stagesOf = (unit: string) =>
    output.notifications
      .filter((n) => n.unit === unit && n.obligation === IMPLEMENTATION_PLAN)
      .map((n) => [n.at, n.stage]);

  it('sends an unsigned-<stage> notice 8 working hours after each notice not signed for, to the head', () => {
    expect(stagesOf('福州市')).toEqual([
      ['2017-05-22T09:00:00.000+08:00', 'reminder-5'],
      ['2017-05-22T17:00:00.000+08:00', 'unsigned-reminder-5'],
      ['2017-05-25T09:00:00.000+08:00', 'reminder-2'],
      ['2017-05-25T17:00:00.000+08:00', 'unsigned-reminder-2'],
      ['2017-05-26T09:00:00.000+08:00', 'reminder-1'],
      ['2017-05-26T17:00:00.000+08:00', 'unsigned-reminder-1'],
      ['2017-05-27T09:00:00.000+08:00', 'reminder-0'],
      // 05-27 is the make-up Saturday, a working day; Dragon Boat (05-28–30) is not counted.
      ['2017-05-27T17:00:00.000+08:00', 'unsigned-reminder-0'],
      ['2017-05-31T09:00:00.000+08:00', 'escalation-1'],
      ['2017-05-31T17:00:00.000+08:00', 'unsigned-escalation-1'],
      ['2017-06-02T09:00:00.000+08:00', 'escalation-2'],
      ['2017-06-02T17:00:00.000+08:00', 'unsigned-escalation-2'],
      ['2017-06-06T09:00:00.000+08:00', 'escalation-3'],
    ]);
    const unsigned = output.notifications.find((n) => n.unit === '福州市' && n.stage === 'unsigned-reminder-5');
    expect(unsigned?.recipients).toEqual(['fuzhou.head@duban.example']);
  });

  it('sends none for a notice signed for in time', () => {
    const stages = stagesOf('省财政厅').map(([, stage]) => stage);
    expect(stages).not.toContain('unsigned-reminder-5');
    expect(stages).not.toContain('unsigned-reminder-1');
    expect(stages).toContain('unsigned-reminder-2');
  });

  it('records who signed for which notice and when on the timeline', () => {
    const signed = cztTimeline.filter((e) => e.type === 'sign-for');
    expect(signed.map((e) => [e.at.slice(0, 16), e.stage, e.detail])).toEqual([
      ['2017-05-22T11:00', 'reminder-5', 'simulate (dashboard)'],
      ['2017-05-26T16:30', 'reminder-2', 'simulate (dashboard)'],
      ['2017-05-26T16:30', 'reminder-1', 'simulate (dashboard)'],
    ]);
  });

  it('refuses to sign for a closed obligation, saying so', () => {
    expect(closedRefusal).toBeInstanceOf(Refusal);
    expect((closedRefusal as Refusal).type).toBe('AlreadyClosed');
    expect((closedRefusal as Refusal).message).toMatch(/has ended .*cannot sign for/);
  });

  it('feeds the scores: notices signed for late (or never) cost points, and the report counts signed-for and how fast', async () => {
    const store = await openStore({ kind: 'sqlite', file: path.join(dir, 'duban.sqlite') });
    try {
      const report = await scoreReport({
        sources: storeSources(store, storeSignFor(store)),
        planId: plan.id,
        plan,
        directory,
        period: { quarter: '2017-Q2' },
        nowMs: Date.parse('2018-01-01T00:00:00+08:00'),
      });
      const without = await scoreReport({
        sources: storeSources(store),
        planId: plan.id,
        plan,
        directory,
        period: { quarter: '2017-Q2' },
        nowMs: Date.parse('2018-01-01T00:00:00+08:00'),
      });
      const unit = (code: string) => report.units.find((u) => u.unitCode === code)!;
      const q2 = (await storeSignFor(store).list(plan.id)).filter((r) => r.sentAt < '2017-07-01');
      const czt = q2.filter((r) => r.unitCode === 'fj-czt');
      expect(czt.filter((r) => r.signedAt !== null)).toHaveLength(3);
      // Late: reminder-2, signed 31.5 hours after it was sent (the scoring policy allows 24), and every one never
      // signed for; 福州市 signed for nothing.
      expect(DEFAULT_SCORING.signForWithinHours).toBe(24);
      expect(unit('fj-czt').signedForLate).toBe(czt.filter((r) => r.signedAt === null).length + 1);
      expect(unit('fj-fuzhou').signedForLate).toBe(q2.filter((r) => r.unitCode === 'fj-fuzhou').length);
      expect(unit('fj-fuzhou').signedForLate).toBeGreaterThanOrEqual(7);
      // Working hours to sign: 2 (reminder-5), 7.5 (reminder-1), 15.5 (reminder-2: Thursday's 8 and Friday's 7.5).
      expect(report.signFor).toEqual({ asked: q2.length, signed: 3, medianWorkingHours: 7.5 });
      // Without sign-for data nothing is deducted.
      expect(without.signFor).toBeNull();
      const withoutCzt = without.units.find((u) => u.unitCode === 'fj-czt')!;
      expect(withoutCzt.signedForLate).toBe(0);
      expect(unit('fj-czt').score).toBeCloseTo(
        Math.max(0, withoutCzt.score! - DEFAULT_SCORING.points.signedForLate * unit('fj-czt').signedForLate),
        0,
      );
    } finally {
      await store.close();
    }
  });
});
