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
  /** Closes the store and removes its data (file or schema). */
  dispose(): Promise<void>;
}

export type StoreKind = 'sqlite' | 'postgres';

export async function openTestStore(kind: StoreKind): Promise<OpenedStore> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'duban-store-'));
    const store = await openStore({ kind: 'sqlite', file: path.join(dir, 'duban.sqlite') });
    return {
      store,
      dispose: async () => {
        await store.close();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const schema = `duban_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`;
  const store = await openStore({ kind: 'postgres', url: TEST_DATABASE_URL, schema });
  return {
    store,
    dispose: async () => {
      await store.close();
      const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await client.end();
    },
  };
}
