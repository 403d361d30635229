/** SQLite through better-sqlite3: the embedded default, one file under the data directory. */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { SqlDriver } from './driver';

/**
 * better-sqlite3 is synchronous, but the store's callers are async: a transaction awaiting between
 * statements would let another caller's statement run inside it. One lock serialises all access.
 */
class Lock {
  private tail: Promise<void> = Promise.resolve();
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

class SqliteConnection {
  private readonly statements = new Map<string, Database.Statement>();
  constructor(readonly db: Database.Database) {}
  statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

function driverOn(conn: SqliteConnection, description: string, lock: Lock | null): SqlDriver {
  // Inside a transaction the lock is already held; taking it again would deadlock.
  const guarded = <T>(fn: () => T): Promise<T> => (lock ? lock.run(async () => fn()) : Promise.resolve().then(fn));
  const driver: SqlDriver = {
    dialect: 'sqlite',
    description,
    all: <T>(sql: string, params: readonly unknown[] = []) =>
      guarded(() => {
        const s = conn.statement(sql);
        if (s.reader) return s.all(...params) as T[];
        s.run(...params);
        return [] as T[];
      }),
    run: (sql, params = []) => guarded(() => conn.statement(sql).run(...params).changes),
    exec: (script) => guarded(() => void conn.db.exec(script)),
    async transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T> {
      const body = async () => {
        // IMMEDIATE takes the write lock up front, so two processes on one file never deadlock mid-way.
        conn.db.exec('BEGIN IMMEDIATE');
        try {
          const result = await fn(driverOn(conn, description, null));
          conn.db.exec('COMMIT');
          return result;
        } catch (err) {
          if (conn.db.inTransaction) conn.db.exec('ROLLBACK');
          throw err;
        }
      };
      return lock ? lock.run(body) : body();
    },
    close: () => guarded(() => void conn.db.close()),
  };
  return driver;
}

/** Opens (creating if needed) the SQLite file at `file`. */
export function openSqlite(file: string): SqlDriver {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const db = new Database(file);
  // WAL lets the dashboard read while the worker writes; NORMAL is durable across process crashes in WAL mode.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return driverOn(new SqliteConnection(db), `SQLite database ${file}`, new Lock());
}
