/**
 * The read model of obligation overviews in both stores: written with a notice, an outcome or an event in one
 * transaction, the latest overview kept whatever order the writes land in, lights filtered and counted in SQL by the
 * rule of `lightOf`, pages in a stable order.
 */
import { deadlineEndMs } from '../../src/domain/deadlines';
import { lightOf } from '../../src/domain/lights';
import type { ObligationOverview, OverviewItem } from '../../src/domain/overview';
import type { OverviewRecord } from '../../src/store';
import { notice, officer } from '../mail/fixtures';
import { type OpenedStore, type StoreKind, openTestStore } from './stores';

const T0 = Date.parse('2017-05-20T01:00:00Z');

const item = (over: Partial<OverviewItem> = {}): OverviewItem => ({
  period: null,
  due: '2017-05-26',
  state: 'pending',
  fulfilledAt: null,
  extended: false,
  next: { at: '2017-05-19T09:00:00.000+08:00', stage: 'reminder-5' },
  firstReminderAhead: true,
  windowOpensMs: Date.parse('2017-05-19T09:00:00.000+08:00'),
  ...over,
});

const overview = (over: Partial<ObligationOverview> = {}): ObligationOverview => ({
  planId: 'fj-2017',
  unitCode: 'fj-czt',
  taskNo: null,
  obligation: 'implementation-plan',
  obligationId: 'implementation-plan',
  closed: false,
  asOfMs: T0,
  seq: 1,
  items: [item()],
  ...over,
});

const lightNow = (r: OverviewRecord, nowMs: number) =>
  lightOf({
    state: r.state,
    due: r.due,
    nowMs,
    windowOpensMs: r.windowOpensMs,
    firstReminderAhead: r.firstReminderAhead ?? undefined,
  });

describe.each<StoreKind>(['sqlite', 'postgres'])('%s store: overviews', (kind) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await openTestStore(kind);
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('writes an overview with the notice it queued, in the item the notice is for', async () => {
    const { store } = opened;
    const n = notice({ planId: 'fj-2017', unitCode: 'fj-czt', obligation: 'implementation-plan', taskNo: null });
    await store.enqueue(
      {
        key: n.key,
        payload: { kind: 'notice', notice: n },
        recipients: [officer],
        atMs: Date.parse(n.at),
        notBeforeMs: T0,
      },
      T0,
      overview({ items: [item({ period: n.period })] }),
    );
    const [row] = await store.listOverviews({ planId: 'fj-2017', nowMs: T0 });
    expect(row).toMatchObject({
      unitCode: 'fj-czt',
      obligationId: 'implementation-plan',
      state: 'pending',
      dueEndMs: deadlineEndMs('2017-05-26'),
      lastNotice: { key: n.key, at: n.at, stage: n.stage },
      outcome: null,
    });
  });

  it('keeps the later overview whichever write lands last, and what an earlier write recorded', async () => {
    const { store } = opened;
    const done = overview({
      asOfMs: T0 + 1000,
      seq: 3,
      items: [
        item({
          state: 'on-time',
          next: null,
          firstReminderAhead: false,
          windowOpensMs: null,
          fulfilledAt: '2017-05-21T10:00:00.000+08:00',
        }),
      ],
    });
    await store.upsertOutcome(
      {
        planId: 'fj-2017',
        taskNo: null,
        unitCode: 'fj-czt',
        obligation: 'implementation-plan',
        period: null,
        due: '2017-05-26',
        status: 'on-time',
        fulfilledAt: '2017-05-21T10:00:00.000+08:00',
      },
      T0,
      done,
    );
    // An older overview (a retried activity, or one overtaken by an update) arrives after it.
    await store.putOverview(overview({ seq: 2 }), T0 + 5000);
    await store.putOverview(overview({ asOfMs: T0 + 1000, seq: 2 }), T0 + 5000);
    const [row] = await store.listOverviews({ planId: 'fj-2017', nowMs: T0 });
    expect(row).toMatchObject({ state: 'on-time', outcome: 'on-time', next: null });
    // A later one replaces it and keeps the outcome recorded before.
    await store.putOverview(
      overview({ asOfMs: T0 + 2000, seq: 1, closed: true, items: [item({ state: 'open', next: null })] }),
      T0,
    );
    expect((await store.listOverviews({ planId: 'fj-2017', nowMs: T0 }))[0]).toMatchObject({
      state: 'open',
      closed: true,
      outcome: 'on-time',
    });
  });

  it('rewrites only the rows an overview with indexes carries, and refuses indexes that do not match its items', async () => {
    const { store } = opened;
    const weeks = ['w1', 'w2', 'w3'].map((period) => item({ period }));
    await store.putOverview(
      overview({ obligation: 'recurring-publication', obligationId: 'task-20-week', items: weeks }),
      T0,
    );
    const w2Missed = item({
      period: 'w2',
      state: 'missed',
      next: null,
      firstReminderAhead: false,
      windowOpensMs: null,
    });
    await store.putOverview(
      overview({
        obligation: 'recurring-publication',
        obligationId: 'task-20-week',
        seq: 2,
        items: [w2Missed],
        indexes: [1],
      }),
      T0,
    );
    const rows = await store.listOverviews({ planId: 'fj-2017', nowMs: T0 });
    expect(rows.map((r) => [r.itemIndex, r.period, r.state])).toEqual([
      [0, 'w1', 'pending'],
      [1, 'w2', 'missed'],
      [2, 'w3', 'pending'],
    ]);
    await expect(
      store.putOverview(overview({ obligationId: 'task-20-week', seq: 3, items: weeks, indexes: [0] }), T0),
    ).rejects.toThrow('overview of task-20-week (fj-czt): 1 indexes for 3 items');
  });

  it('filters and counts by light as lightOf computes it, at any instant', async () => {
    const { store } = opened;
    const units = ['fj-a', 'fj-b', 'fj-c'];
    const states: OverviewItem[] = [
      item(),
      item({
        due: '2017-05-10',
        next: { at: '2017-05-11T09:00:00.000+08:00', stage: 'escalation-1' },
        firstReminderAhead: false,
        windowOpensMs: null,
      }),
      item({ state: 'overdue', firstReminderAhead: false, windowOpensMs: null }),
      item({ state: 'waived', next: null, firstReminderAhead: false, windowOpensMs: null }),
      item({ firstReminderAhead: null, windowOpensMs: null }),
      item({ state: 'open', next: null, firstReminderAhead: false, windowOpensMs: null }),
      item({ firstReminderAhead: false, windowOpensMs: null }),
    ];
    for (const unitCode of units)
      await store.putOverview(
        overview({
          unitCode,
          obligationId: 'task-20-week',
          taskNo: 20,
          obligation: 'recurring-publication',
          items: states.map((s, i) => ({ ...s, period: `2017-W${i + 10}` })),
        }),
        T0,
      );
    await store.putOverview(overview({ unitCode: 'fj-a' }), T0);
    for (const nowMs of [
      Date.parse('2017-05-01T00:00:00Z'),
      Date.parse('2017-05-19T02:00:00Z'),
      Date.parse('2017-05-30T00:00:00Z'),
    ]) {
      const every = await store.listOverviews({ planId: 'fj-2017', nowMs });
      expect(every).toHaveLength(units.length * states.length + 1);
      for (const light of ['green', 'yellow', 'red'] as const) {
        const some = await store.listOverviews({ planId: 'fj-2017', nowMs, light });
        expect(some.map((r) => `${r.unitCode}/${r.period}`)).toEqual(
          every.filter((r) => lightNow(r, nowMs) === light).map((r) => `${r.unitCode}/${r.period}`),
        );
      }
      const counts = await store.countOverviews({ planId: 'fj-2017', nowMs, taskNo: 20 });
      const expected: Record<string, number> = {};
      for (const r of every.filter((r) => r.taskNo === 20)) {
        const k = `${r.unitCode}/${lightNow(r, nowMs)}`;
        expected[k] = (expected[k] ?? 0) + 1;
      }
      expect(Object.fromEntries(counts.map((c) => [`${c.unitCode}/${c.light}`, c.count]))).toEqual(expected);
    }
    const page = await store.listOverviews({ planId: 'fj-2017', nowMs: T0, unitCode: 'fj-b', limit: 3, offset: 2 });
    expect(page.map((r) => r.period)).toEqual(['2017-W12', '2017-W13', '2017-W14']);
    expect(await store.listOverviews({ planId: 'fj-2017', nowMs: T0, obligation: 'implementation-plan' })).toHaveLength(
      1,
    );
  });
});
