/**
 * How long the read model's status query takes with the last notice's deliveries joined in, against the same query
 * without them (the previous `SELECT * FROM overviews`), on SQLite and PostgreSQL: N obligations of one item each,
 * each with two notices of two recipients, half of them sent. `npx tsx bench/read-model-delivery.ts [N]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { noticeKey, type Notice } from '../src/domain/notice';
import type { ObligationOverview } from '../src/domain/overview';
import { openStore, type Store } from '../src/store';

const N = Number(process.argv[2] ?? 10_000);
const T0 = Date.parse('2017-05-20T01:00:00Z');
const URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function noticeOf(unit: string, stage: string, at: string): Notice {
  const base = {
    planId: 'bench',
    taskNo: null,
    unitCode: unit,
    obligation: 'implementation-plan' as const,
    period: null,
    due: '2017-05-26',
    stage: stage as Notice['stage'],
    at,
    notify: ['officer' as const],
    leadUnitCodes: [],
    taskTitle: 't',
    requirement: 'r',
  };
  return { key: noticeKey(base), ...base };
}

async function fill(store: Store): Promise<void> {
  for (let i = 0; i < N; i++) {
    const unit = `u${String(i).padStart(6, '0')}`;
    const overview: ObligationOverview = {
      planId: 'bench',
      unitCode: unit,
      taskNo: null,
      obligation: 'implementation-plan',
      obligationId: 'implementation-plan',
      closed: false,
      asOfMs: T0,
      seq: 1,
      items: [
        {
          period: null,
          due: '2017-05-26',
          state: 'pending',
          fulfilledAt: null,
          extended: false,
          next: null,
          firstReminderAhead: false,
          windowOpensMs: null,
        },
      ],
    };
    for (const [stage, at] of [
      ['reminder-5', '2017-05-19T09:00:00.000+08:00'],
      ['reminder-2', '2017-05-24T09:00:00.000+08:00'],
    ] as const) {
      const n = noticeOf(unit, stage, at);
      const recipients = ['a', 'b'].map((x) => ({
        address: `${x}.${unit}@bench.test`,
        name: x,
        role: 'officer' as const,
        unitCode: unit,
        locale: 'zh' as const,
      }));
      await store.enqueue(
        { key: n.key, payload: { kind: 'notice', notice: n }, recipients, atMs: Date.parse(at), notBeforeMs: T0 },
        T0,
        // Half the rows without a recorded notice: their delivery comes from the outbox's latest.
        i % 2 === 0 ? { ...overview, seq: stage === 'reminder-5' ? 1 : 2 } : undefined,
      );
      if (i % 2 === 1 && stage === 'reminder-5') await store.putOverview(overview, T0);
    }
    if (i % 2 === 0) {
      const [d] = await store.claimGroup(
        { address: `a.${unit}@bench.test`, atMs: Date.parse('2017-05-24T09:00:00.000+08:00') },
        T0,
        60_000,
      );
      if (d) await store.markSent([d.id], { messageId: `<${unit}@bench>`, nowMs: T0 });
    }
  }
}

async function time(label: string, fn: () => Promise<unknown>, runs = 5): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  console.log(
    `${label}: median ${ms[Math.floor(runs / 2)]!.toFixed(1)} ms (min ${ms[0]!.toFixed(1)}, max ${ms.at(-1)!.toFixed(1)})`,
  );
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-bench-rm-'));
  const schema = `duban_bench_${process.pid}`;
  const stores: [string, Store][] = [
    ['sqlite', await openStore({ kind: 'sqlite', file: path.join(dir, 'duban.sqlite') })],
    ['postgres', await openStore({ kind: 'postgres', url: URL, schema })],
  ];
  try {
    for (const [kind, store] of stores) {
      const t = performance.now();
      await fill(store);
      console.log(
        `${kind}: ${N} obligations, ${2 * N} notices, ${4 * N} deliveries written in ${((performance.now() - t) / 1000).toFixed(1)} s`,
      );
      const rows = await store.listOverviews({ planId: 'bench', nowMs: T0 });
      const withDelivery = rows.filter((r) => r.delivery).length;
      const sent = rows.filter((r) => r.delivery?.sent).length;
      console.log(`${kind}: ${rows.length} rows, ${withDelivery} with a delivery, ${sent} with one sent`);
      // The query before the join, straight on the database (no row mapping): what the join adds.
      const plain = 'SELECT * FROM overviews WHERE plan_id = $1 ORDER BY plan_id, unit_code, obligation_id, item_index';
      if (kind === 'sqlite') {
        const db = new Database(path.join(dir, 'duban.sqlite'), { readonly: true });
        const statement = db.prepare(plain.replace('$1', '?'));
        await time(`${kind}: every row, without deliveries (before)`, async () => statement.all('bench'));
        db.close();
      } else {
        const client = new pg.Client({ connectionString: URL });
        await client.connect();
        await client.query(`SET search_path TO ${schema}`);
        await time(`${kind}: every row, without deliveries (before)`, () => client.query(plain, ['bench']));
        await client.end();
      }
      await time(`${kind}: every row with its delivery`, () => store.listOverviews({ planId: 'bench', nowMs: T0 }));
      await time(`${kind}: a page of 50 with its delivery`, () =>
        store.listOverviews({ planId: 'bench', nowMs: T0, limit: 50, offset: Math.floor(N / 2) }),
      );
    }
  } finally {
    for (const [, store] of stores) await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: URL });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
}

void main();
