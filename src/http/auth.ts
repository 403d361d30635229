/**
 * Who is calling: the operator (全部单位) or one unit's officer (本单位), from a bearer token or a session cookie
 * set by the login form. Tokens are compared in constant time and never stored in cookies or logs.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HttpConfig } from './config';

/** An authenticated caller. */
export type Principal =
  { kind: 'operator'; id: 'operator' } | { kind: 'officer'; id: `officer:${string}`; unitCode: string };

/** A login session behind the HttpOnly cookie. */
interface Session {
  principal: Principal;
  /** Sent back in forms; a cookie-authenticated change without it is refused (CSRF). */
  csrf: string;
  expiresMs: number;
}

/** Name of the session cookie. */
export const SESSION_COOKIE = 'duban_session';
/** How long a login lasts. (Default: 12 hours) */
export const SESSION_TTL_MS = 12 * 3600 * 1000;

const digest = (s: string) => createHash('sha256').update(s).digest();

/** The result of authenticating a request. */
export interface Authentication {
  principal: Principal;
  /** `bearer` needs no CSRF token; `cookie` does for changes. */
  via: 'bearer' | 'cookie';
  /** The session's CSRF token (cookie logins only). */
  csrf?: string;
  sessionId?: string;
}

/** Checks tokens and keeps login sessions in memory (a restart logs everyone out, which is acceptable). */
export class Authenticator {
  private readonly tokens: { digest: Buffer; principal: Principal }[];
  private readonly sessions = new Map<string, Session>();
  private readonly feedSecret: Buffer;

  constructor(
    config: Pick<HttpConfig, 'operatorToken' | 'unitTokens' | 'secureCookies'>,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = [{ digest: digest(config.operatorToken), principal: { kind: 'operator', id: 'operator' } }];
    for (const [token, unitCode] of config.unitTokens) {
      this.tokens.push({ digest: digest(token), principal: { kind: 'officer', id: `officer:${unitCode}`, unitCode } });
    }
    // Calendar feed keys derive from the operator token: rotating it revokes every feed URL.
    this.feedSecret = digest(`duban-feed:${config.operatorToken}`);
    this.secureCookies = config.secureCookies;
  }

  private readonly secureCookies: boolean;

  /** The principal a token belongs to, or null; every candidate is compared so timing reveals nothing. */
  principalForToken(token: string): Principal | null {
    const d = digest(token);
    let found: Principal | null = null;
    for (const t of this.tokens) if (timingSafeEqual(t.digest, d)) found = t.principal;
    return found;
  }

  /** Authenticates a request by `Authorization: Bearer` or by the session cookie; null when neither holds. */
  authenticate(req: IncomingMessage): Authentication | null {
    const header = req.headers.authorization;
    if (header !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
      const principal = m ? this.principalForToken(m[1]!) : null;
      return principal ? { principal, via: 'bearer' } : null;
    }
    const sessionId = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (!sessionId) return null;
    const session = this.sessions.get(sessionId);
    if (!session) return null;
    if (session.expiresMs < this.now()) {
      this.sessions.delete(sessionId);
      return null;
    }
    return { principal: session.principal, via: 'cookie', csrf: session.csrf, sessionId };
  }

  /** Starts a session for a valid token; returns the Set-Cookie header value, or null for a wrong token. */
  login(token: string): { cookie: string; principal: Principal } | null {
    const principal = this.principalForToken(token.trim());
    if (!principal) return null;
    this.sweep();
    const sessionId = randomBytes(32).toString('base64url');
    this.sessions.set(sessionId, {
      principal,
      csrf: randomBytes(24).toString('base64url'),
      expiresMs: this.now() + SESSION_TTL_MS,
    });
    return { cookie: this.cookie(sessionId, SESSION_TTL_MS / 1000), principal };
  }

  /** Ends a session; returns the Set-Cookie header value that clears the cookie. */
  logout(sessionId: string | undefined): string {
    if (sessionId) this.sessions.delete(sessionId);
    return this.cookie('', 0);
  }

  /** True when a cookie-authenticated change carries the session's CSRF token. */
  csrfOk(auth: Authentication, presented: string | undefined): boolean {
    if (auth.via === 'bearer') return true;
    if (!auth.csrf || !presented) return false;
    const a = digest(auth.csrf);
    return timingSafeEqual(a, digest(presented));
  }

  /** The read-only key of a unit's calendar feed (calendar apps cannot send headers). */
  feedKey(planId: string, unitCode: string): string {
    return createHmac('sha256', this.feedSecret).update(`${planId}/${unitCode}`).digest('base64url').slice(0, 32);
  }

  /** True when `key` is the feed key of that unit. */
  feedKeyOk(planId: string, unitCode: string, key: string | null): boolean {
    if (!key) return false;
    return timingSafeEqual(digest(this.feedKey(planId, unitCode)), digest(key));
  }

  private cookie(value: string, maxAgeS: number): string {
    const parts = [`${SESSION_COOKIE}=${value}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeS}`];
    if (this.secureCookies) parts.push('Secure');
    return parts.join('; ');
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) if (s.expiresMs < now) this.sessions.delete(id);
  }
}

/** True when this principal may see and change this unit's obligations. */
export function mayAccessUnit(principal: Principal, unitCode: string): boolean {
  return principal.kind === 'operator' || principal.unitCode === unitCode;
}

/** Parses a Cookie header into name → value (first wins). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!(name in out)) out[name] = part.slice(eq + 1).trim();
  }
  return out;
}
