/** Store configuration from the environment, validated once at start-up. */
import path from 'node:path';
import { z } from 'zod';

/** Where and how the store keeps its data. */
export type StoreConfig =
  | {
      kind: 'sqlite';
      /** The database file. (Default: `${DUBAN_DATA_DIR}/duban.sqlite`, DUBAN_DATA_DIR defaulting to `./data`) */
      file: string;
    }
  | {
      kind: 'postgres';
      /** Connection URL (DATABASE_URL). */
      url: string;
      /** Schema to work in, created if absent (DUBAN_DB_SCHEMA). (Default: the server's search_path, normally `public`) */
      schema?: string;
    };

const env = z.object({
  DATABASE_URL: z
    .string()
    .trim()
    .optional()
    .refine((v) => !v || /^postgres(ql)?:\/\//.test(v), 'DATABASE_URL must be a postgres:// or postgresql:// URL'),
  DUBAN_DB_SCHEMA: z
    .string()
    .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'DUBAN_DB_SCHEMA must be lower-case letters, digits and underscores')
    .optional(),
  DUBAN_DATA_DIR: z.string().optional(),
});

/** Reads the store configuration: PostgreSQL when DATABASE_URL is set, else the SQLite file. */
export function storeConfigFromEnv(source: NodeJS.ProcessEnv = process.env): StoreConfig {
  const parsed = env.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid store configuration: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  const e = parsed.data;
  if (e.DATABASE_URL)
    return { kind: 'postgres', url: e.DATABASE_URL, ...(e.DUBAN_DB_SCHEMA ? { schema: e.DUBAN_DB_SCHEMA } : {}) };
  return { kind: 'sqlite', file: path.join(e.DUBAN_DATA_DIR || './data', 'duban.sqlite') };
}
