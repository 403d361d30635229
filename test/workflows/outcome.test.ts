/** The outcome every workflow records, built in one place (workflows/kit.ts), outside a workflow. */
import { outcomeOf, type OutcomeRef } from '../../workflows/kit';

const ref: OutcomeRef = {
  planId: 'fj-2017-zwgk',
  taskNo: 55,
  unitCode: 'fj-fuzhou',
  obligation: 'emergency-information',
  period: 'flood-0710',
  due: '2017-07-10T13:00:00.000+08:00',
};

describe('outcomeOf', () => {
  it('records an item left pending, overdue or paused (closed before its end) as open', () => {
    for (const state of ['pending', 'overdue', 'paused'] as const)
      expect(outcomeOf(ref, state, null).status).toBe('open');
    for (const state of ['on-time', 'late', 'missed', 'waived', 'open'] as const)
      expect(outcomeOf(ref, state, null).status).toBe(state);
  });

  it('keeps evidence and a margin when given (a margin of 0 too), and leaves them out otherwise', () => {
    const evidence = { url: 'https://www.fuzhou.gov.cn/flood', recordedBy: 'op-1' };
    expect(outcomeOf(ref, 'on-time', '2017-07-10T13:00:00.000+08:00', { evidence, marginMinutes: 0 })).toEqual({
      ...ref,
      status: 'on-time',
      fulfilledAt: '2017-07-10T13:00:00.000+08:00',
      evidence,
      marginMinutes: 0,
    });
    const bare = outcomeOf(ref, 'missed', null, { evidence: undefined, marginMinutes: null });
    expect(Object.keys(bare)).toEqual([
      'planId',
      'taskNo',
      'unitCode',
      'obligation',
      'period',
      'due',
      'status',
      'fulfilledAt',
    ]);
  });
});
