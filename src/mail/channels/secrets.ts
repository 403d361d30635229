/**
 * Secrets of the channels (robot webhook URLs, signing secrets, the SMS gateway's key): read from the environment or
 * the JSON secrets file at send time, never stored in the outbox, a workflow or a log. Only references
 * (`env:NAME`, `file:NAME`) travel.
 */
import fs from 'node:fs';
import type { SecretRef } from '../../domain/directory';

/** A secret that cannot be resolved; the message names the reference, never a value. */
export class SecretError extends Error {
  override readonly name = 'SecretError';
}

/** Resolves secret references against an environment and an optional secrets file. */
export interface Secrets {
  /** The secret's value; throws {@link SecretError} naming the reference when it is not set. */
  get(ref: SecretRef, what: string): string;
}

/**
 * Secrets from `env` and the JSON object in the file DUBAN_SECRETS_FILE (`{"NAME": "value"}`), read on first use and
 * again when the file changes, so a rotated secret needs no restart. (Default: process.env)
 */
export function secretsFromEnv(env: NodeJS.ProcessEnv = process.env): Secrets {
  const file = env.DUBAN_SECRETS_FILE || undefined;
  let cache: { mtimeMs: number; values: Record<string, unknown> } | undefined;
  const fromFile = (name: string): unknown => {
    if (!file) throw new SecretError(`file:${name} is referenced but DUBAN_SECRETS_FILE is not set`);
    let stat;
    try {
      stat = fs.statSync(file);
    } catch {
      throw new SecretError(`DUBAN_SECRETS_FILE ${file} cannot be read`);
    }
    if (!cache || cache.mtimeMs !== stat.mtimeMs) {
      let values: unknown;
      try {
        values = JSON.parse(fs.readFileSync(file, 'utf8'));
      } catch {
        // The parser's message may quote the file's text: a secret. Say where, not what.
        throw new SecretError(`DUBAN_SECRETS_FILE ${file} is not valid JSON`);
      }
      if (typeof values !== 'object' || values === null || Array.isArray(values))
        throw new SecretError(`DUBAN_SECRETS_FILE ${file} must hold one JSON object of names to strings`);
      cache = { mtimeMs: stat.mtimeMs, values: values as Record<string, unknown> };
    }
    return cache.values[name];
  };
  return {
    get(ref, what) {
      const colon = ref.indexOf(':');
      const source = ref.slice(0, colon);
      const name = ref.slice(colon + 1);
      const value = source === 'env' ? env[name] : source === 'file' ? fromFile(name) : undefined;
      if (typeof value !== 'string' || value === '')
        throw new SecretError(`${what}: ${ref} is not set (an environment variable or a key of DUBAN_SECRETS_FILE)`);
      return value;
    },
  };
}
