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

/** The outbox entry of a notice, due at its instant. */
const entryOf = (n: ReturnType<typeof notice>, recipients = [officer]) => ({
  key: n.key,
  payload: { kind: 'notice' as const, notice: n },
  recipients,
  atMs: Date.parse(n.at),
  notBeforeMs: T0,
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
    await store.enqueue(entryOf(n), T0, overview({ items: [item({ period: n.period })] }));
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

  it("reads each row with its last notice's deliveries by state, as the dispatcher left them", async () => {
    const { store } = opened;
    const head = { ...officer, address: 'czt.head@duban.test', name: '李主任', role: 'head' as const };
    const third = { ...officer, address: 'czt.third@duban.test', name: '张三' };
    const ref = { planId: 'fj-2017', unitCode: 'fj-czt', obligation: 'implementation-plan' as const, taskNo: null };
    const entry = (n: ReturnType<typeof notice>, recipients = [officer, head, third]) => entryOf(n, recipients);
    const delivery = async () => (await store.listOverviews({ planId: 'fj-2017', nowMs: T0 }))[0]!.delivery;
    await store.putOverview(overview(), T0);
    expect(await delivery()).toBeNull();

    // A notice queued before the read model recorded any (a row backfilled, or written before the patch): the item's
    // latest notice in the outbox is found by its obligation key.
    const early = notice({ ...ref, stage: 'reminder-5', at: '2017-05-19T09:00:00+08:00', due: '2017-05-26' });
    await store.enqueue(entry(early, [officer]), T0);
    expect(await delivery()).toEqual({
      key: early.key,
      stage: 'reminder-5',
      at: early.at,
      status: 'queued',
      queued: 1,
      sent: 0,
      failed: 0,
      undeliverable: 0,
    });
    // A notice of another obligation (or an undeliverable report) is not this item's.
    await store.enqueue(entry(notice({ ...ref, unitCode: 'fj-fgw', at: '2017-05-25T09:00:00+08:00' }), [officer]), T0);
    expect((await delivery())?.key).toBe(early.key);

    // The notice the read model records with the overview is the one shown, whatever the outbox holds besides.
    const later = notice({ ...ref, stage: 'reminder-2', at: '2017-05-24T09:00:00+08:00', due: '2017-05-26' });
    await store.enqueue(entry(later), T0, overview({ seq: 2 }));
    expect(await delivery()).toMatchObject({ key: later.key, stage: 'reminder-2', status: 'queued', queued: 3 });

    const atMs = Date.parse(later.at);
    const claim = async (address: string) => (await store.claimGroup({ address, atMs }, atMs, 60_000))[0]!;
    const [a, b, c] = [await claim(officer.address), await claim(head.address), await claim(third.address)];
    // Claimed (sending) still counts as on its way.
    expect(await delivery()).toMatchObject({ status: 'queued', queued: 3, sent: 0 });
    await store.markSent([a.id], { messageId: '<a@duban.test>', nowMs: atMs });
    await store.markFinal([b.id], 'undeliverable', { error: '550 5.1.1 user unknown', nowMs: atMs });
    await store.markRetry([c.id], { error: '421 try later', nextAttemptMs: atMs + 60_000, nowMs: atMs });
    expect(await delivery()).toMatchObject({ status: 'queued', queued: 1, sent: 1, failed: 0, undeliverable: 1 });
    const [again] = await store.claimGroup({ address: third.address, atMs }, atMs + 60_000, 60_000);
    await store.markFinal([again!.id], 'failed', { error: '554 message refused', nowMs: atMs + 60_000 });
    expect(await delivery()).toEqual({
      key: later.key,
      stage: 'reminder-2',
      at: later.at,
      status: 'sent',
      queued: 0,
      sent: 1,
      failed: 1,
      undeliverable: 1,
    });
    // Pages and filters read the same.
    const [paged] = await store.listOverviews({ planId: 'fj-2017', nowMs: T0, limit: 1, offset: 0, light: 'yellow' });
    expect(paged?.delivery).toEqual(await delivery());
  });

  it('records the notice (and outcome) of an overview that a later one overtook, for its own item', async () => {
    const { store } = opened;
    const ref = { planId: 'fj-2017', unitCode: 'fj-czt', obligation: 'recurring-publication' as const, taskNo: 20 };
    const weeks = overview({
      ...ref,
      obligationId: 'task-20-week',
      items: [item({ period: '2017-W18' }), item({ period: '2017-W19' })],
    });
    const at = '2017-05-08T09:00:00.000+08:00';
    const escalation = notice({ ...ref, period: '2017-W18', stage: 'escalation-1', at });
    const reminder = notice({ ...ref, period: '2017-W19', stage: 'reminder-0', at });
    const entry = (n: ReturnType<typeof notice>) => entryOf(n);
    // Two activities at one instant: the second overview (seq 3) lands before the first (seq 2).
    await store.enqueue(entry(reminder), T0, { ...weeks, seq: 3 });
    await store.enqueue(entry(escalation), T0, { ...weeks, seq: 2 });
    const rows = await store.listOverviews({ planId: 'fj-2017', nowMs: T0 });
    expect(rows.map((r) => [r.period, r.lastNotice?.stage, r.delivery?.key])).toEqual([
      ['2017-W18', 'escalation-1', escalation.key],
      ['2017-W19', 'reminder-0', reminder.key],
    ]);
    // An earlier notice recorded late never replaces a later one.
    const earlier = notice({ ...ref, period: '2017-W18', stage: 'reminder-0', at: '2017-05-05T09:00:00.000+08:00' });
    await store.enqueue(entry(earlier), T0, { ...weeks, seq: 1 });
    expect((await store.listOverviews({ planId: 'fj-2017', nowMs: T0 }))[0]!.lastNotice?.key).toBe(escalation.key);
    // An outcome written with an overtaken overview is the item's outcome still.
    await store.upsertOutcome(
      { ...ref, period: '2017-W18', due: '2017-05-05', status: 'missed', fulfilledAt: null },
      T0,
      { ...weeks, seq: 1 },
    );
    expect((await store.listOverviews({ planId: 'fj-2017', nowMs: T0 }))[0]!.outcome).toBe('missed');
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

  it('records a notice in its own item when the write carries only the other items whose row changed', async () => {
    const { store } = opened;
    const periods = ['2017-W10', '2017-W11', '2017-W12'];
    const whole = overview({
      obligationId: 'task-20-week',
      taskNo: 20,
      obligation: 'recurring-publication',
      items: periods.map((period) => item({ period })),
    });
    await store.putOverview(whole, T0);
    const n = notice({
      planId: 'fj-2017',
      unitCode: 'fj-czt',
      obligation: 'recurring-publication',
      taskNo: 20,
      period: '2017-W11',
    });
    await store.enqueue(
      entryOf(n),
      T0,
      // Only the third item's row changed; the notice is the second item's.
      { ...whole, seq: 2, items: [item({ period: '2017-W12', state: 'overdue' })], indexes: [2] },
    );
    const rows = await store.listOverviews({ planId: 'fj-2017', nowMs: T0 });
    expect(rows.map((r) => [r.period, r.state, r.lastNotice?.key ?? null])).toEqual([
      ['2017-W10', 'pending', null],
      ['2017-W11', 'pending', n.key],
      ['2017-W12', 'overdue', null],
    ]);
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

      // A page of units (the dashboard's matrix) counts those units only; the totals count a whole selection.
      const paged = await store.countOverviews({ planId: 'fj-2017', nowMs, units: ['fj-a', 'fj-c'] });
      expect([...new Set(paged.map((c) => c.unitCode))]).toEqual(['fj-a', 'fj-c']);
      expect(paged.reduce((n, c) => n + c.count, 0)).toBe(2 * states.length + 1);
      expect(await store.countOverviews({ planId: 'fj-2017', nowMs, units: [] })).toEqual([]);
      const totals = await store.countOverviewLights({ planId: 'fj-2017', nowMs, units });
      const byLight: Record<string, number> = {};
      for (const r of every) byLight[lightNow(r, nowMs)] = (byLight[lightNow(r, nowMs)] ?? 0) + 1;
      const summed: Record<string, number> = {};
      for (const t of totals) summed[t.light] = (summed[t.light] ?? 0) + t.count;
      expect(summed).toEqual(byLight);
      const ofB = await store.countOverviewLights({ planId: 'fj-2017', nowMs, units: ['fj-b'] });
      expect(ofB.reduce((n, c) => n + c.count, 0)).toBe(states.length);
    }
    const page = await store.listOverviews({ planId: 'fj-2017', nowMs: T0, unitCode: 'fj-b', limit: 3, offset: 2 });
    expect(page.map((r) => r.period)).toEqual(['2017-W12', '2017-W13', '2017-W14']);
    expect(await store.listOverviews({ planId: 'fj-2017', nowMs: T0, obligation: 'implementation-plan' })).toHaveLength(
      1,
    );
  });

  it('keeps counts while no overview of the plan is written and no light turns; counts again after either', async () => {
    const { store } = opened;
    const reader = await opened.another();
    const scans = jest.spyOn(reader as unknown as { scanOverviewLights: () => Promise<unknown> }, 'scanOverviewLights');
    const lights = async (nowMs: number) =>
      Object.fromEntries(
        (await reader.countOverviewLights({ planId: 'fj-2017', nowMs })).map((c) => [c.light, c.count]),
      );
    // Due 2017-05-26; its reminder window opens 2017-05-19 09:00 (+08:00), when it turns yellow.
    await store.putOverview(overview(), T0);
    const may1 = Date.parse('2017-05-01T00:00:00Z');
    const may8 = may1 + 7 * 86_400_000;
    expect(await lights(may1)).toEqual({ green: 1 });
    expect(await lights(may1 + 3_600_000)).toEqual({ green: 1 });
    expect(await lights(may8)).toEqual({ green: 1 });
    expect(scans).toHaveBeenCalledTimes(1);

    // Written through the other store (another process): the reader counts again.
    await store.putOverview(overview({ unitCode: 'fj-b', items: [item({ state: 'on-time' })] }), T0);
    expect(await lights(may8)).toEqual({ green: 2 });
    expect(scans).toHaveBeenCalledTimes(2);
    // A notice with its overview moves the version too.
    await store.enqueue(entryOf(notice()), T0, overview({ unitCode: 'fj-c', seq: 2 }));
    expect(await lights(may8)).toEqual({ green: 3 });
    expect(scans).toHaveBeenCalledTimes(3);

    // The plan clock reaches the window: counted again, without any write.
    const windowOpens = Date.parse('2017-05-19T09:00:00.000+08:00');
    expect(await lights(windowOpens - 1)).toEqual({ green: 3 });
    expect(scans).toHaveBeenCalledTimes(3);
    expect(await lights(windowOpens)).toEqual({ green: 1, yellow: 2 });
    // And the due date's end, when the two still pending turn red.
    const dueEnd = deadlineEndMs('2017-05-26');
    expect(await lights(dueEnd - 1)).toEqual({ green: 1, yellow: 2 });
    expect(await lights(dueEnd)).toEqual({ green: 1, red: 2 });
    // An instant before the one the counts were made at is counted again too.
    expect(await lights(may1)).toEqual({ green: 3 });
    expect(scans).toHaveBeenCalledTimes(6);
    // Another plan's write leaves this plan's counts alone.
    await store.putOverview(overview({ planId: 'other-plan' }), T0);
    expect(await lights(may1)).toEqual({ green: 3 });
    expect(scans).toHaveBeenCalledTimes(6);
  });
});
