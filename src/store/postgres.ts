/** PostgreSQL through `pg`, used when DATABASE_URL is set. */
import pg from 'pg';
import type { SqlDriver } from './driver';

/** Rewrites `?` placeholders to `$1, $2, …` (the store's SQL has no `?` inside literals). */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

// BIGINT columns hold epoch milliseconds, well inside the exact range of a JS number.
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/**
 * Runs `fn` on a client of its own. A checked-out client has no error listener of the pool's: a server that goes away
 * meanwhile (a restart) would emit an unhandled 'error' and end the process. The query in flight fails on its own;
 * the broken client is destroyed on release instead of going back to the pool.
 */
async function withClient<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (err: Error) => (broken = err);
  client.on('error', onError);
  try {
    return await fn(client);
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

function driverOn(queryable: pg.Pool | pg.PoolClient, description: string, pool: pg.Pool | null): SqlDriver {
  return {
    dialect: 'postgres',
    description,
    all: async <T>(sql: string, params: readonly unknown[] = []) =>
      (await queryable.query(numbered(sql), params as unknown[])).rows as T[],
    run: async (sql, params = []) => (await queryable.query(numbered(sql), params as unknown[])).rowCount ?? 0,
    exec: async (script) => void (await queryable.query(script)),
    async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
      if (!pool) throw new Error('nested transactions are not supported');
      return withClient(pool, async (client) => {
        await client.query('BEGIN');
        try {
          const result = await fn(driverOn(client, description, null));
          await client.query('COMMIT');
          return result;
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        }
      });
    },
    close: async () => {
      if (pool) await pool.end();
    },
  };
}

/** Describes a connection URL without its password. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Creates the schema under an advisory lock: `CREATE SCHEMA IF NOT EXISTS` is not safe against itself, and two
 * workers starting together would otherwise fail on `pg_namespace_nspname_index`. The migrations that follow take
 * their own lock, in the schema.
 */
async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  await withClient(pool, async (client) => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`duban-schema:${schema}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  });
}

/**
 * Connects to PostgreSQL. With `schema`, every connection works in that schema (created if absent),
 * which is how tests get a private namespace inside the shared `test` database.
 */
export async function openPostgres(url: string, schema?: string): Promise<SqlDriver> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`invalid PostgreSQL schema name '${schema}' (lower-case letters, digits, underscore)`);
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 8,
    types,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client losing its server must not crash the worker; the next query reconnects.
  pool.on('error', () => undefined);
  const description = `PostgreSQL ${redactUrl(url)}${schema ? ` (schema ${schema})` : ''}`;
  if (schema) await createSchema(pool, schema);
  return driverOn(pool, description, pool);
}
