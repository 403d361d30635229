import { noticeKey } from '../../src/domain/notice';
import { type OutboxEntry, type Recipient, SchemaTooNewError, latestVersion, openStore } from '../../src/store';
import { notice, officer } from '../mail/fixtures';
import { type OpenedStore, type StoreKind, TEST_DATABASE_URL, openTestStore } from './stores';
import pg from 'pg';

const head: Recipient = {
  address: 'czt.head@duban.test',
  name: '李厅长',
  role: 'head',
  unitCode: 'fj-czt',
  locale: 'zh',
};
const T0 = Date.parse('2017-12-22T01:00:00Z');

function entry(
  over: Parameters<typeof notice>[0] = {},
  recipients: Recipient[] = [officer],
  notBeforeMs = T0,
): OutboxEntry {
  const n = notice(over);
  return { key: n.key, payload: { kind: 'notice', notice: n }, recipients, atMs: Date.parse(n.at), notBeforeMs };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('%s store', (kind) => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await openTestStore(kind);
  });
  afterEach(async () => {
    await opened.dispose();
  });

  it('migrates a fresh database to the latest schema version', async () => {
    expect(await opened.store.schemaVersion()).toBe(latestVersion);
  });

  it('queues a notice once however often it is enqueued', async () => {
    const { store } = opened;
    const first = await store.enqueue(entry({}, [officer, head]), T0);
    const second = await store.enqueue(entry({}, [officer]), T0 + 1000);
    expect(first.created).toBe(true);
    expect(second).toEqual({ created: false, recipients: [officer, head] });
    const [n] = await store.listNotices({ planId: 'fj-2017-zwgk' });
    expect(n?.deliveries.map((d) => [d.address, d.status, d.attempts])).toEqual([
      [officer.address, 'queued', 0],
      [head.address, 'queued', 0],
    ]);
    expect(n?.status).toBe('queued');
  });

  it('offers a digest group only after its grace and claims every queued row of it', async () => {
    const { store } = opened;
    await store.enqueue(entry({ taskNo: 1 }, [officer], T0 + 2000), T0);
    await store.enqueue(entry({ taskNo: 2 }, [officer], T0 + 2500), T0 + 500);
    await store.enqueue(entry({ taskNo: 3, at: '2017-12-22T10:00:00+08:00' }, [officer], T0 + 2000), T0);
    expect(await store.dueGroups(T0 + 1000, 10)).toEqual([]);
    expect(await store.nextDueMs()).toBe(T0 + 2000);
    const groups = await store.dueGroups(T0 + 2000, 10);
    expect(groups).toHaveLength(2);
    const nine = groups.find((g) => g.atMs === Date.parse('2017-12-22T09:00:00+08:00'))!;
    const claimed = await store.claimGroup(nine, T0 + 2000, 60_000);
    expect(claimed.map((c) => (c.payload.kind === 'notice' ? c.payload.notice.taskNo : null))).toEqual([1, 2]);
    expect(claimed.every((c) => c.status === 'sending' && c.attempts === 1)).toBe(true);
    expect(await store.claimGroup(nine, T0 + 2000, 60_000)).toEqual([]);
    await store.markSent(
      claimed.map((c) => c.id),
      { messageId: '<m1@duban>', nowMs: T0 + 3000 },
    );
    const counts = await store.countDeliveries({ planId: 'fj-2017-zwgk' });
    expect(counts).toEqual({ queued: 1, sending: 0, sent: 2, failed: 0, undeliverable: 0 });
  });

  it('puts retried rows back with a later attempt time and ends refused ones', async () => {
    const { store } = opened;
    await store.enqueue(entry({}, [officer, head]), T0);
    const [a] = await store.claimGroup({ address: officer.address, atMs: Date.parse(notice().at) }, T0, 60_000);
    const [b] = await store.claimGroup({ address: head.address, atMs: Date.parse(notice().at) }, T0, 60_000);
    await store.markRetry([a!.id], { error: '421 try later', nextAttemptMs: T0 + 5000, nowMs: T0 });
    await store.markFinal([b!.id], 'undeliverable', { error: '550 no such user', nowMs: T0 });
    expect(await store.dueGroups(T0 + 4999, 10)).toEqual([]);
    expect(await store.dueGroups(T0 + 5000, 10)).toHaveLength(1);
    const ds = await store.deliveriesOf(notice().key);
    expect(ds.map((d) => [d.status, d.lastError])).toEqual([
      ['queued', '421 try later'],
      ['undeliverable', '550 no such user'],
    ]);
  });

  it('takes back the attempt of a claim held back untried (a channel rate limit)', async () => {
    const { store } = opened;
    await store.enqueue(entry(), T0);
    const group = { address: officer.address, atMs: Date.parse(notice().at) };
    const [a] = await store.claimGroup(group, T0, 60_000);
    await store.markRetry([a!.id], { error: 'rate limit', nextAttemptMs: T0 + 60_000, nowMs: T0, untried: true });
    expect((await store.deliveriesOf(notice().key)).map((d) => [d.status, d.attempts])).toEqual([['queued', 0]]);
    const [again] = await store.claimGroup(group, T0 + 60_000, 60_000);
    expect(again?.attempts).toBe(1);
  });

  it('re-queues rows whose sending lease expired and reports them', async () => {
    const { store } = opened;
    await store.enqueue(entry(), T0);
    await store.claimGroup({ address: officer.address, atMs: Date.parse(notice().at) }, T0, 1000);
    expect(await store.recoverExpiredLeases(T0 + 999)).toEqual([]);
    const recovered = await store.recoverExpiredLeases(T0 + 1000);
    expect(recovered.map((r) => [r.noticeKey, r.status, r.attempts])).toEqual([[notice().key, 'queued', 1]]);
  });

  it('lists notices by plan, unit, obligation and instant', async () => {
    const { store } = opened;
    await store.enqueue(entry({ stage: 'reminder-5' }), T0);
    await store.enqueue(entry({ stage: 'escalation-1', at: '2018-01-02T09:00:00+08:00' }, [head]), T0);
    await store.enqueue(entry({ unitCode: 'fj-fgw' }), T0);
    expect((await store.listNotices({ unitCode: 'fj-czt' })).map((n) => n.stage)).toEqual([
      'reminder-5',
      'escalation-1',
    ]);
    expect(
      (
        await store.listNotices({ unitCode: 'fj-czt', taskNo: 12, beforeAtMs: Date.parse('2018-01-02T09:00:00+08:00') })
      ).map((n) => n.key),
    ).toEqual([noticeKey(notice())]);
    expect(await store.listNotices({ planId: 'other' })).toEqual([]);
  });

  it("lists one obligation's notices when every part of it is named (a digest's history), and no other's", async () => {
    const { store } = opened;
    await store.enqueue(entry({ stage: 'reminder-5' }), T0);
    await store.enqueue(entry({ stage: 'escalation-1', at: '2018-01-02T09:00:00+08:00' }), T0);
    await store.enqueue(entry({ taskNo: 13 }), T0);
    await store.enqueue(entry({ obligation: 'recurring-publication', period: '2017-W51' }), T0);
    const one = { planId: 'fj-2017-zwgk', unitCode: 'fj-czt', obligation: 'task-deadline' as const };
    expect((await store.listNotices({ ...one, taskNo: 12, period: null })).map((n) => n.stage)).toEqual([
      'reminder-5',
      'escalation-1',
    ]);
    expect(
      (
        await store.listNotices({
          ...one,
          taskNo: 12,
          period: null,
          beforeAtMs: Date.parse('2018-01-02T09:00:00+08:00'),
        })
      ).map((n) => [n.stage, n.deliveries.length]),
    ).toEqual([['reminder-5', 1]]);
    expect(
      (await store.listNotices({ ...one, obligation: 'recurring-publication', taskNo: 12, period: '2017-W51' })).map(
        (n) => n.period,
      ),
    ).toEqual(['2017-W51']);
    expect(await store.listNotices({ ...one, taskNo: 14, period: null })).toEqual([]);
  });

  it('upserts outcomes by plan, task, unit, obligation and period', async () => {
    const { store } = opened;
    const base = {
      planId: 'fj-2017-zwgk',
      taskNo: null,
      unitCode: 'fj-czt',
      obligation: 'quarterly-progress' as const,
      period: '2017-Q3',
      due: '2017-09-30',
    };
    await store.upsertOutcome({ ...base, status: 'open', fulfilledAt: null }, T0);
    await store.upsertOutcome(
      { ...base, period: '2017-Q2', due: '2017-06-30', status: 'missed', fulfilledAt: null },
      T0,
    );
    await store.upsertOutcome(
      {
        ...base,
        status: 'late',
        fulfilledAt: '2017-10-09T10:00:00+08:00',
        evidence: { url: 'http://czt.fujian.gov.cn/q3', recordedBy: 'op-1' },
      },
      T0 + 1,
    );
    const all = await store.listOutcomes({ planId: 'fj-2017-zwgk' });
    expect(all.map((o) => [o.period, o.status])).toEqual([
      ['2017-Q2', 'missed'],
      ['2017-Q3', 'late'],
    ]);
    expect(all[1]?.evidence?.url).toBe('http://czt.fujian.gov.cn/q3');
    expect((await store.listOutcomes({ status: 'missed', taskNo: null })).length).toBe(1);
  });

  it('keeps by how many minutes an emergency step beat or missed its window', async () => {
    const { store } = opened;
    const step = {
      planId: 'fj-2017-zwgk',
      taskNo: 55,
      unitCode: 'fj-fuzhou',
      period: 'flood-0710',
      due: '2017-07-10T13:00:00.000+08:00',
    };
    await store.upsertOutcome(
      {
        ...step,
        obligation: 'emergency-information',
        status: 'on-time',
        fulfilledAt: '2017-07-10T11:30:00.000+08:00',
        marginMinutes: 90,
      },
      T0,
    );
    await store.upsertOutcome(
      { ...step, obligation: 'emergency-press-conference', status: 'missed', fulfilledAt: null },
      T0,
    );
    const rows = await store.listOutcomes({ taskNo: 55 });
    expect(rows.map((o) => [o.obligation, o.marginMinutes])).toEqual([
      ['emergency-information', 90],
      ['emergency-press-conference', undefined],
    ]);
  });

  it('records fulfilments, extensions and waivers once each', async () => {
    const { store } = opened;
    const ref = {
      planId: 'p',
      taskNo: 60,
      unitCode: 'fj-czt',
      obligation: 'information-request' as const,
      period: 'req-7',
    };
    const fulfil = {
      type: 'fulfilment' as const,
      at: '2017-08-01T10:00:00+08:00',
      evidence: { document: '闽财〔2017〕1号', recordedBy: 'op' },
    };
    expect(await store.recordEvent(ref, fulfil, T0)).toEqual({ created: true });
    expect(await store.recordEvent(ref, fulfil, T0 + 1)).toEqual({ created: false });
    await store.recordEvent(
      ref,
      {
        type: 'extension',
        at: '2017-07-20T10:00:00+08:00',
        newDue: '2017-08-20',
        reason: '需征求第三方意见',
        approver: 'op',
      },
      T0,
    );
    await store.recordEvent(
      { ...ref, period: 'req-8' },
      { type: 'waiver', at: '2017-07-21T10:00:00+08:00', reason: '撤回申请', approver: 'op' },
      T0,
    );
    const events = await store.listEvents({ planId: 'p', period: 'req-7' });
    expect(events.map((e) => e.event.type)).toEqual(['extension', 'fulfilment']);
    expect((await store.listEvents({ type: 'waiver' }))[0]?.period).toBe('req-8');
  });
});

describe('schema versions', () => {
  it('refuses a SQLite database with a newer schema than the code', async () => {
    const opened = await openTestStore('sqlite');
    const file = (opened.store as unknown as { db: { description: string } }).db.description.replace(
      'SQLite database ',
      '',
    );
    await opened.store.close();
    const Database = (await import('better-sqlite3')).default;
    const db = new Database(file);
    db.prepare('INSERT INTO schema_version (version, name, applied_ms) VALUES (?, ?, ?)').run(
      latestVersion + 1,
      'future',
      0,
    );
    db.close();
    await expect(openStore({ kind: 'sqlite', file })).rejects.toThrow(SchemaTooNewError);
    await expect(openStore({ kind: 'sqlite', file })).rejects.toThrow(
      /schema version \d+, but this duban knows versions up to/,
    );
  });

  it('opens one new PostgreSQL schema from many workers starting at once', async () => {
    // The race is timing-dependent: a few rounds of a dozen make it show reliably when the schema is unguarded.
    for (let round = 0; round < 4; round++) {
      const schema = `duban_test_race_${process.pid}_${round}_${Date.now() % 100000}`;
      const stores = await Promise.allSettled(
        Array.from({ length: 12 }, () => openStore({ kind: 'postgres', url: TEST_DATABASE_URL, schema })),
      );
      try {
        const failed = stores.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : []));
        expect(failed).toEqual([]);
      } finally {
        for (const r of stores) if (r.status === 'fulfilled') await r.value.close();
        const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await client.end();
      }
    }
  });

  it('refuses a PostgreSQL schema newer than the code', async () => {
    const schema = `duban_test_future_${process.pid}`;
    const store = await openStore({ kind: 'postgres', url: TEST_DATABASE_URL, schema });
    await store.close();
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      await client.query(`INSERT INTO ${schema}.schema_version (version, name, applied_ms) VALUES ($1, 'future', 0)`, [
        latestVersion + 1,
      ]);
      await expect(openStore({ kind: 'postgres', url: TEST_DATABASE_URL, schema })).rejects.toThrow(SchemaTooNewError);
    } finally {
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    }
  });
});
