/** The outcome and outbox store: SQLite (embedded default) or PostgreSQL, behind one interface. */
import type { StoreConfig } from './config';
import type { SqlDriver } from './driver';
import { openPostgres } from './postgres';
import { openSqlite } from './sqlite';
import { SqlStore, migrate } from './sql-store';
import type { Store } from './types';

export type * from './types';
export { obligationKey } from './types';
export { type StoreConfig, storeConfigFromEnv } from './config';
export { SchemaTooNewError, latestVersion } from './migrations';

/** Opens the configured store and brings its schema up to date (a newer schema is a SchemaTooNewError). */
export async function openStore(config: StoreConfig): Promise<Store> {
  const driver: SqlDriver =
    config.kind === 'sqlite' ? openSqlite(config.file) : await openPostgres(config.url, config.schema);
  try {
    await migrate(driver);
  } catch (err) {
    await driver.close().catch(() => undefined);
    throw err;
  }
  return new SqlStore(driver);
}
