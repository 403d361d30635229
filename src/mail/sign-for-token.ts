/**
 * One-click sign-for (签收) links: a token naming one notice and one recipient's role, expiring, signed with
 * HMAC-SHA256 under a key from the environment or a secrets file (never in workflow inputs or histories). The
 * token is good for signing for that notice only: the HMAC covers a purpose tag, and the workflow refuses a notice
 * signed for twice, so a used link changes nothing.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Notice, RecipientRole } from '../domain/notice';
import { noticeAsksSignFor } from '../domain/sign-for';

/** What a sign-for token says: the notice (its key and obligation), the recipient's role, the expiry. */
export interface SignForClaims extends Pick<
  Notice,
  'key' | 'planId' | 'taskNo' | 'unitCode' | 'obligation' | 'period'
> {
  /** The recipient's role: who signs is recorded as `<role>@<unit>`, never a name. */
  role: RecipientRole;
  /** Expiry, epoch ms. */
  exp: number;
}

/** Sign-for links' configuration. */
export interface SignForConfig {
  /** The HMAC key (DUBAN_SIGN_FOR_KEY, or the contents of DUBAN_SIGN_FOR_KEY_FILE); at least 16 bytes. */
  key: Buffer;
  /** DUBAN_SIGN_FOR_TTL_HOURS, how long a link stays good after its message is composed. (Default: 336, 14 days) */
  ttlMs: number;
}

/** Why a token was refused: not one of ours (or tampered), or expired. */
export class SignForTokenError extends Error {
  constructor(
    message: string,
    readonly reason: 'invalid' | 'expired',
  ) {
    super(message);
    this.name = 'SignForTokenError';
  }
}

/** Domain separation: a token signed for anything else never verifies here. */
const PURPOSE = 'duban-sign-for.v1';
export const DEFAULT_SIGN_FOR_TTL_HOURS = 336;

const mac = (key: Buffer, body: string): Buffer => createHmac('sha256', key).update(`${PURPOSE}.${body}`).digest();

/** The token of a notice for one recipient role, good until `nowMs + ttlMs`. */
export function signForToken(config: SignForConfig, n: Notice, role: RecipientRole, nowMs: number): string {
  const claims: SignForClaims = {
    key: n.key,
    planId: n.planId,
    taskNo: n.taskNo,
    unitCode: n.unitCode,
    obligation: n.obligation,
    period: n.period,
    role,
    exp: nowMs + config.ttlMs,
  };
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${body}.${mac(config.key, body).toString('base64url')}`;
}

/** The claims of a token, checked: signature first, then expiry. Throws {@link SignForTokenError}. */
export function verifySignForToken(config: Pick<SignForConfig, 'key'>, token: string, nowMs: number): SignForClaims {
  const [body, sig, extra] = token.split('.');
  if (!body || !sig || extra !== undefined || !/^[A-Za-z0-9_-]+$/.test(body + sig))
    throw new SignForTokenError('this is not a sign-for link', 'invalid');
  const expected = mac(config.key, body);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    throw new SignForTokenError('this sign-for link is not valid (altered, or signed with another key)', 'invalid');
  let claims: SignForClaims;
  try {
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as SignForClaims;
  } catch {
    throw new SignForTokenError('this is not a sign-for link', 'invalid');
  }
  if (typeof claims.exp !== 'number' || typeof claims.key !== 'string')
    throw new SignForTokenError('this is not a sign-for link', 'invalid');
  if (nowMs >= claims.exp)
    throw new SignForTokenError(`this sign-for link expired at ${new Date(claims.exp).toISOString()}`, 'expired');
  return claims;
}

/** The link of a notice for a recipient, or undefined when the notice asks for no sign-for. */
export function signForLink(
  config: SignForConfig,
  publicUrl: string,
  n: Notice,
  role: RecipientRole,
  nowMs: number,
): string | undefined {
  if (!noticeAsksSignFor(n)) return undefined;
  return `${publicUrl}/sign-for/${signForToken(config, n, role, nowMs)}`;
}

/**
 * Reads DUBAN_SIGN_FOR_KEY or DUBAN_SIGN_FOR_KEY_FILE (not both) and DUBAN_SIGN_FOR_TTL_HOURS; undefined when no
 * key is set (messages then carry no sign-for link, and the link route answers that sign-for is not configured).
 * Errors name the variable, never the key.
 */
export function signForConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SignForConfig | undefined {
  const inline = env.DUBAN_SIGN_FOR_KEY?.trim();
  const file = env.DUBAN_SIGN_FOR_KEY_FILE?.trim();
  if (inline && file)
    throw new Error('invalid configuration: set DUBAN_SIGN_FOR_KEY or DUBAN_SIGN_FOR_KEY_FILE, not both');
  let key: string | undefined = inline || undefined;
  if (file) {
    try {
      key = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new Error(`invalid configuration: DUBAN_SIGN_FOR_KEY_FILE: cannot read ${file}: ${(err as Error).message}`);
    }
  }
  if (!key) return undefined;
  const name = file ? 'DUBAN_SIGN_FOR_KEY_FILE' : 'DUBAN_SIGN_FOR_KEY';
  if (Buffer.byteLength(key) < 16) throw new Error(`invalid configuration: ${name}: the key must be at least 16 bytes`);
  const ttlText = env.DUBAN_SIGN_FOR_TTL_HOURS?.trim();
  const ttl = ttlText ? Number(ttlText) : DEFAULT_SIGN_FOR_TTL_HOURS;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 24 * 366)
    throw new Error(`invalid configuration: DUBAN_SIGN_FOR_TTL_HOURS: expected whole hours 1–8784, got '${ttlText}'`);
  return { key: Buffer.from(key), ttlMs: ttl * 3_600_000 };
}
