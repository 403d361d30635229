/** The small SQL surface both stores share; each dialect implements it once. */

/** A connection (or a transaction on one). Placeholders are `?`; PostgreSQL rewrites them to `$n`. */
export interface SqlDriver {
  readonly dialect: 'sqlite' | 'postgres';
  /** Where the data lives, for error messages (never includes a password). */
  readonly description: string;
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** Runs a statement and returns the number of rows it changed. */
  run(sql: string, params?: readonly unknown[]): Promise<number>;
  /** Runs a script of several statements without parameters. */
  exec(script: string): Promise<void>;
  /** Runs `fn` in one transaction; `fn` must use the driver it is given, not this one. */
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
