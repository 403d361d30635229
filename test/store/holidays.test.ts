import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { BUILTIN_HOLIDAY_YEARS, HolidayDataError, type HolidayYear } from '../../src/domain/holidays';
import { type Store, type StoreConfig, latestVersion, openStore } from '../../src/store';
import { migrations } from '../../src/store/migrations';
import { type StoreKind, TEST_DATABASE_URL } from './stores';

/** A made-up 2027 notice for tests (not the real one). */
const YEAR_2027: HolidayYear = {
  year: 2027,
  notice: { title: '国务院办公厅关于2027年部分节假日安排的通知', number: '测试〔2026〕1号', date: '2026-11-01' },
  daysOff: ['2027-01-01', '2027-01-02', '2027-01-03'],
  workdays: ['2027-01-09'],
  adjustments: [],
};
const T0 = Date.parse('2026-12-01T02:00:00Z');

/** Two stores on one database, as two workers of a cluster have, and a raw statement runner for it. */
interface Shared {
  config: StoreConfig;
  raw(sql: string, params?: unknown[]): Promise<void>;
  dispose(): Promise<void>;
}

async function sharedDatabase(kind: StoreKind): Promise<Shared> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-holidays-'));
    const file = path.join(dir, 'duban.sqlite');
    return {
      config: { kind: 'sqlite', file },
      raw: async (sql, params = []) => {
        const db = new Database(file);
        try {
          db.prepare(sql).run(...params);
        } finally {
          db.close();
        }
      },
      dispose: async () => fs.rmSync(dir, { recursive: true, force: true }),
    };
  }
  const schema = `duban_holidays_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const client = async () => {
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    return c;
  };
  return {
    config: { kind: 'postgres', url: TEST_DATABASE_URL, schema },
    raw: async (sql, params = []) => {
      const c = await client();
      try {
        let n = 0;
        await c.query(`SET search_path TO ${schema}`);
        await c.query(
          sql.replace(/\?/g, () => `$${++n}`),
          params,
        );
      } finally {
        await c.end();
      }
    },
    dispose: async () => {
      const c = await client();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    },
  };
}

describe.each<StoreKind>(['sqlite', 'postgres'])('%s store: holiday years', (kind) => {
  let shared: Shared;
  let store: Store;
  beforeEach(async () => {
    shared = await sharedDatabase(kind);
    store = await openStore(shared.config);
  });
  afterEach(async () => {
    await store.close();
    await shared.dispose();
  });

  it('keeps added years in migration 4', () => {
    expect(migrations.find((m) => m.version === 4)?.sql).toContain('CREATE TABLE holiday_years');
    expect(latestVersion).toBeGreaterThanOrEqual(4);
  });

  it('stores a year and lists it, ascending by year, with when it was added', async () => {
    const builtIn2025 = BUILTIN_HOLIDAY_YEARS.find((y) => y.year === 2025)!;
    expect(await store.listHolidayYears()).toEqual([]);
    expect(await store.putHolidayYear(YEAR_2027, T0)).toEqual({ previous: null });
    await store.putHolidayYear(builtIn2025, T0 + 1000);
    const listed = await store.listHolidayYears();
    expect(listed.map((r) => r.data)).toEqual([builtIn2025, YEAR_2027]);
    expect(listed[1]).toEqual({
      data: YEAR_2027,
      addedAt: '2026-12-01T02:00:00.000Z',
      updatedAt: '2026-12-01T02:00:00.000Z',
    });
  });

  it('replaces a year, returning what it replaced and keeping when it was first added', async () => {
    await store.putHolidayYear(YEAR_2027, T0);
    const corrected = { ...YEAR_2027, workdays: ['2027-01-10'] };
    const { previous } = await store.putHolidayYear(corrected, T0 + 60_000);
    expect(previous?.data).toEqual(YEAR_2027);
    expect(await store.listHolidayYears()).toEqual([
      { data: corrected, addedAt: '2026-12-01T02:00:00.000Z', updatedAt: '2026-12-01T02:01:00.000Z' },
    ]);
  });

  it('shows a year added by one worker to another worker on the same database', async () => {
    const other = await openStore(shared.config);
    try {
      await other.putHolidayYear(YEAR_2027, T0);
      expect((await store.listHolidayYears()).map((r) => r.data.year)).toEqual([2027]);
    } finally {
      await other.close();
    }
  });

  it('refuses malformed data and stores nothing', async () => {
    const bad = { ...YEAR_2027, daysOff: ['2027-01-03', '2027-01-01'] };
    await expect(store.putHolidayYear(bad, T0)).rejects.toThrow(HolidayDataError);
    await expect(store.putHolidayYear(bad, T0)).rejects.toThrow(/daysOff\[1\]: 2027-01-01 is not after 2027-01-03/);
    expect(await store.listHolidayYears()).toEqual([]);
  });

  it('refuses to hand out a row edited by hand into malformed data, naming the row', async () => {
    await store.putHolidayYear(YEAR_2027, T0);
    await shared.raw('UPDATE holiday_years SET data = ? WHERE year = ?', [
      JSON.stringify({ ...YEAR_2027, workdays: ['2027-13-01'] }),
      2027,
    ]);
    await expect(store.listHolidayYears()).rejects.toThrow(/holiday_years row 2027\.workdays\[0\]: expected a date/);
  });
});
