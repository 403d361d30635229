/**
 * Outbox throughput: notices per second queued (insert-if-absent, one recipient each) and marked
 * (claim the digest group, mark sent) in SQLite and in PostgreSQL. Prints figures and the ratio.
 *
 *   npx tsx bench/outbox.ts [count] [concurrency]      (Default: 2000 notices, concurrency 8)
 *   BENCH_DATABASE_URL=postgres://… picks the server. (Default: postgres://postgres@127.0.0.1:5432/test)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Notice, noticeKey } from '../src/domain/notice';
import { type Store, openStore } from '../src/store';

const count = Number(process.argv[2] ?? 2000);
const concurrency = Number(process.argv[3] ?? 8);
const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function notices(run: string): Notice[] {
  return Array.from({ length: count }, (_, i) => {
    const base = {
      planId: `bench-${run}`,
      taskNo: (i % 60) + 1,
      unitCode: `u${i % 97}`,
      obligation: 'task-deadline' as const,
      period: String(i),
      due: '2017-12-31',
      stage: 'reminder-5' as const,
      // A new instant every 3 notices, so groups hold 1–3 rows as digests do.
      at: new Date(Date.UTC(2017, 11, 22, 1) + Math.floor(i / 3) * 60_000).toISOString(),
      notify: ['officer' as const],
      leadUnitCodes: [],
      taskTitle: '基准测试',
    };
    return { key: noticeKey(base), ...base };
  });
}

async function inLanes<T>(items: T[], lanes: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

interface Figures {
  queuePerSec: number;
  markPerSec: number;
  bothPerSec: number;
}

async function measure(store: Store, lanes: number, run: string): Promise<Figures> {
  const list = notices(run);
  const t0 = performance.now();
  await inLanes(list, lanes, async (n) => {
    await store.enqueue(
      {
        key: n.key,
        payload: { kind: 'notice', notice: n },
        recipients: [
          { address: `${n.unitCode}@bench.test`, name: '联络员', role: 'officer', unitCode: n.unitCode, locale: 'zh' },
        ],
        atMs: Date.parse(n.at),
        notBeforeMs: 0,
      },
      Date.now(),
    );
  });
  const t1 = performance.now();
  let marked = 0;
  for (;;) {
    const groups = await store.dueGroups(Date.now(), 200);
    if (groups.length === 0) break;
    await inLanes(groups, lanes, async (g) => {
      const rows = await store.claimGroup(g, Date.now(), 60_000);
      await store.markSent(
        rows.map((r) => r.id),
        { messageId: `<${g.atMs}@bench>`, nowMs: Date.now() },
      );
      marked += rows.length;
    });
  }
  const t2 = performance.now();
  if (marked !== count) throw new Error(`marked ${marked} of ${count}`);
  const perSec = (ms: number) => Math.round((count / ms) * 1000);
  return { queuePerSec: perSec(t1 - t0), markPerSec: perSec(t2 - t1), bothPerSec: perSec(t2 - t0) };
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-bench-'));
  const schema = `duban_bench_${process.pid}`;
  const rows: [string, Figures][] = [];
  const sqlite = await openStore({ kind: 'sqlite', file: path.join(dir, 'duban.sqlite') });
  const postgres = await openStore({ kind: 'postgres', url, schema });
  try {
    rows.push(['SQLite, 1 lane', await measure(sqlite, 1, 's1')]);
    rows.push([`SQLite, ${concurrency} lanes`, await measure(sqlite, concurrency, 's8')]);
    rows.push(['PostgreSQL, 1 lane', await measure(postgres, 1, 'p1')]);
    rows.push([`PostgreSQL, ${concurrency} lanes`, await measure(postgres, concurrency, 'p8')]);
  } finally {
    await sqlite.close();
    await postgres.close();
    fs.rmSync(dir, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
  console.log(`outbox throughput, ${count} notices (notices/s)`);
  console.log(`${'store'.padEnd(24)}${'queue'.padStart(10)}${'mark'.padStart(10)}${'queue+mark'.padStart(12)}`);
  for (const [name, f] of rows) {
    console.log(
      `${name.padEnd(24)}${String(f.queuePerSec).padStart(10)}${String(f.markPerSec).padStart(10)}${String(f.bothPerSec).padStart(12)}`,
    );
  }
  const get = (name: string) => rows.find(([n]) => n.startsWith(name))?.[1].bothPerSec ?? NaN;
  const s1 = get('SQLite, 1');
  const p1 = get('PostgreSQL, 1');
  const pn = get(`PostgreSQL, ${concurrency}`);
  console.log(`ratio SQLite/PostgreSQL (queue+mark, 1 lane): ${(s1 / p1).toFixed(1)}x`);
  console.log(
    `ratio SQLite/PostgreSQL (queue+mark, ${concurrency} lanes): ${(get(`SQLite, ${concurrency}`) / pn).toFixed(1)}x`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
