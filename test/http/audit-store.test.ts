/** The audit log of API changes in both stores: appended, filtered, newest-first with a limit. */
import type { AuditEntry } from '../../src/store';
import { type OpenedStore, type StoreKind, openTestStore } from '../store/stores';

const T0 = Date.parse('2017-05-23T02:00:00Z');

function entry(over: Partial<AuditEntry> = {}): AuditEntry {
  return {
    actor: 'officer:fj-czt',
    role: 'officer',
    action: 'fulfil',
    planId: 'fj-2017-zwgk',
    unitCode: 'fj-czt',
    target: { obligation: 'implementation-plan' },
    input: { evidence: { document: '闽财〔2017〕1号' } },
    result: 'ok',
    status: 200,
    message: null,
    ...over,
  };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('%s audit log', (kind) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await openTestStore(kind);
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('keeps who, when, what and the result of every attempted change', async () => {
    const { store } = opened;
    await store.recordAudit(entry(), T0);
    await store.recordAudit(
      entry({
        actor: 'operator',
        role: 'operator',
        unitCode: 'fj-fuzhou',
        result: 'refused',
        status: 409,
        message: 'x',
      }),
      T0 + 1000,
    );
    const all = await store.listAudit({ planId: 'fj-2017-zwgk' });
    expect(all.map((a) => [a.actor, a.result, a.status, a.at])).toEqual([
      ['officer:fj-czt', 'ok', 200, '2017-05-23T02:00:00.000Z'],
      ['operator', 'refused', 409, '2017-05-23T02:00:01.000Z'],
    ]);
    expect(all[0]?.input).toEqual({ evidence: { document: '闽财〔2017〕1号' } });
    expect(all[0]?.target).toEqual({ obligation: 'implementation-plan' });
    expect((await store.listAudit({ unitCode: 'fj-fuzhou' })).map((a) => a.message)).toEqual(['x']);
    expect((await store.listAudit({ limit: 1 })).map((a) => a.actor)).toEqual(['operator']);
  });

  it('keeps an intent as pending until its outcome is written, once', async () => {
    const { store } = opened;
    const id = await store.recordAudit(entry({ unitCode: null, target: {}, result: 'pending', status: 0 }), T0);
    expect((await store.listAudit()).map((a) => [a.id, a.result, a.status])).toEqual([[id, 'pending', 0]]);
    const outcome = {
      result: 'ok',
      status: 200,
      message: null,
      unitCode: 'fj-czt',
      target: { unit: 'fj-czt' },
    } as const;
    await store.completeAudit(id, outcome);
    // A second outcome for the same entry changes nothing: the record of what happened is written once.
    await store.completeAudit(id, { ...outcome, result: 'error', status: 500, message: 'late' });
    const [done] = await store.listAudit();
    expect([done?.result, done?.status, done?.message, done?.unitCode, done?.target]).toEqual([
      'ok',
      200,
      null,
      'fj-czt',
      { unit: 'fj-czt' },
    ]);
  });
});
