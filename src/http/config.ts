/** HTTP server and access configuration, validated once at start-up; errors name the variable (never a token). */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Directory } from '../domain/directory';
import { ConfigError } from '../temporal/config';

/** Shortest token accepted: long enough that guessing is hopeless. */
export const MIN_TOKEN_LENGTH = 16;

/** Where the HTTP server listens and who may use it. */
export interface HttpConfig {
  /** DUBAN_HTTP_PORT. (Default: 8080) */
  port: number;
  /** DUBAN_HTTP_HOST, the address to bind. (Default: `127.0.0.1`) */
  host: string;
  /** DUBAN_OPERATOR_TOKEN; unset, a random one is kept in `$DUBAN_DATA_DIR/operator-token`. Never logged. */
  operatorToken: string;
  /** Where the operator token came from, for the start-up line (the file path, or the variable's name). */
  operatorTokenSource: string;
  /** Unit officers' tokens (DUBAN_UNIT_TOKENS and/or DUBAN_UNIT_TOKENS_FILE): token → unit code. (Default: none) */
  unitTokens: Map<string, string>;
  /** Cookies marked `Secure`, when DUBAN_PUBLIC_URL is https. (Default: false) */
  secureCookies: boolean;
}

const schema = z.object({
  DUBAN_HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  DUBAN_HTTP_HOST: z.string().trim().min(1).default('127.0.0.1'),
  DUBAN_OPERATOR_TOKEN: z.string().optional(),
  DUBAN_UNIT_TOKENS: z.string().optional(),
  DUBAN_UNIT_TOKENS_FILE: z.string().optional(),
  DUBAN_PUBLIC_URL: z.string().optional(),
  DUBAN_DATA_DIR: z.string().optional(),
});

function checkToken(token: string, where: string): void {
  if (token.length < MIN_TOKEN_LENGTH)
    throw new ConfigError(`invalid configuration: ${where}: a token must be at least ${MIN_TOKEN_LENGTH} characters`);
  if (/\s|,|=/.test(token))
    throw new ConfigError(`invalid configuration: ${where}: a token must not contain spaces, commas or '='`);
}

/** Parses `code=token` pairs; `where(i)` names the variable or file line of pair i in errors. */
function parsePairs(pairs: string[], where: (i: number) => string, directory: Directory, into: Map<string, string>) {
  const known = new Set(directory.units.map((u) => u.code));
  pairs.forEach((pair, i) => {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`invalid configuration: ${where(i)}: expected unit-code=token`);
    const code = pair.slice(0, eq).trim();
    const token = pair.slice(eq + 1).trim();
    if (!known.has(code)) throw new ConfigError(`invalid configuration: ${where(i)}: unknown unit code '${code}'`);
    checkToken(token, where(i));
    if (into.has(token)) throw new ConfigError(`invalid configuration: ${where(i)}: the same token is given twice`);
    into.set(token, code);
  });
}

/** Reads a kept operator token, or creates one (mode 0600) so the dashboard works out of the box. */
function keptOperatorToken(dataDir: string): { token: string; file: string } {
  const file = path.resolve(dataDir, 'operator-token');
  if (fs.existsSync(file)) {
    const token = fs.readFileSync(file, 'utf8').trim();
    checkToken(token, file);
    return { token, file };
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const token = randomBytes(24).toString('base64url');
  fs.writeFileSync(file, `${token}\n`, { mode: 0o600, flag: 'wx' });
  return { token, file };
}

/**
 * Validates the HTTP configuration against the unit directory: every unit token names a known unit, no token is
 * short, reused or the operator's. Throws a {@link ConfigError} naming the variable (or file and line).
 */
export function loadHttpConfig(directory: Directory, env: NodeJS.ProcessEnv = process.env): HttpConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  let operatorToken: string;
  let operatorTokenSource: string;
  if (e.DUBAN_OPERATOR_TOKEN !== undefined && e.DUBAN_OPERATOR_TOKEN.trim() !== '') {
    operatorToken = e.DUBAN_OPERATOR_TOKEN.trim();
    checkToken(operatorToken, 'DUBAN_OPERATOR_TOKEN');
    operatorTokenSource = 'DUBAN_OPERATOR_TOKEN';
  } else {
    const kept = keptOperatorToken(e.DUBAN_DATA_DIR || './data');
    operatorToken = kept.token;
    operatorTokenSource = kept.file;
  }
  const unitTokens = new Map<string, string>();
  if (e.DUBAN_UNIT_TOKENS && e.DUBAN_UNIT_TOKENS.trim() !== '') {
    const pairs = e.DUBAN_UNIT_TOKENS.split(',').filter((p) => p.trim() !== '');
    parsePairs(pairs, (i) => `DUBAN_UNIT_TOKENS (entry ${i + 1})`, directory, unitTokens);
  }
  if (e.DUBAN_UNIT_TOKENS_FILE && e.DUBAN_UNIT_TOKENS_FILE.trim() !== '') {
    const file = e.DUBAN_UNIT_TOKENS_FILE.trim();
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(
        `invalid configuration: DUBAN_UNIT_TOKENS_FILE: cannot read ${file}: ${(err as Error).message}`,
      );
    }
    const lines = text.split(/\r?\n/).map((l, i) => ({ l: l.trim(), n: i + 1 }));
    const used = lines.filter(({ l }) => l !== '' && !l.startsWith('#'));
    parsePairs(
      used.map(({ l }) => l),
      (i) => `DUBAN_UNIT_TOKENS_FILE ${file}:${used[i]?.n ?? '?'}`,
      directory,
      unitTokens,
    );
  }
  if (unitTokens.has(operatorToken))
    throw new ConfigError('invalid configuration: DUBAN_UNIT_TOKENS: a unit token equals the operator token');
  let secureCookies = false;
  if (e.DUBAN_PUBLIC_URL) {
    try {
      secureCookies = new URL(e.DUBAN_PUBLIC_URL).protocol === 'https:';
    } catch {
      throw new ConfigError('invalid configuration: DUBAN_PUBLIC_URL: not a URL');
    }
  }
  return {
    port: e.DUBAN_HTTP_PORT,
    host: e.DUBAN_HTTP_HOST,
    operatorToken,
    operatorTokenSource,
    unitTokens,
    secureCookies,
  };
}
