/** Opens real stores for tests: a temp SQLite file, and a private schema in the local PostgreSQL. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { type Store, openStore } from '../../src/store';

/** The PostgreSQL every store test runs against, chosen by test/global-setup.mjs. (Default: 127.0.0.1:5432, `test`) */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface OpenedStore {
  store: Store;
  /** Another store on the same data, as another process would open it (closed by `dispose`). */
  another(): Promise<Store>;
  /** Closes the store(s) and removes its data (file or schema). */
  dispose(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';

export async function openTestStore(kind: StoreKind): Promise<OpenedStore> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-store-'));
    const config = { kind: 'sqlite' as const, file: path.join(dir, 'duban.sqlite') };
    const store = await openStore(config);
    const others: Store[] = [];
    return {
      store,
      another: async () => others[others.push(await openStore(config)) - 1]!,
      dispose: async () => {
        for (const other of others) await other.close();
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `duban_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const config = { kind: 'postgres' as const, url: TEST_DATABASE_URL, schema };
  const store = await openStore(config);
  const others: Store[] = [];
  return {
    store,
    another: async () => others[others.push(await openStore(config)) - 1]!,
    dispose: async () => {
      for (const other of others) await other.close();
      await store.close();
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}
