/**
 * Throttles guessing of tokens: an address that presented this many wrong tokens (login form or bearer header)
 * within the window is answered 429 for every token it presents until the window has passed since its first
 * failure in it. Sessions already open are not affected. Behind a reverse proxy every caller shares the proxy's
 * address (X-Forwarded-For is not trusted), so the limit is generous.
 */
export interface ThrottleLimits {
  /** Wrong tokens allowed per address and window. (Default: 10) */
  failures: number;
  /** The window, ms. (Default: 10 minutes) */
  windowMs: number;
}

export const DEFAULT_THROTTLE: ThrottleLimits = { failures: 10, windowMs: 10 * 60_000 };

/** Addresses remembered at most; the oldest windows are dropped first. */
const MAX_ADDRESSES = 10_000;

export class TokenThrottle {
  private readonly failures = new Map<string, { firstMs: number; count: number }>();

  constructor(
    private readonly limits: ThrottleLimits = DEFAULT_THROTTLE,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until this address may present a token again; 0 when it may now. */
  retryAfterS(address: string): number {
    const f = this.failures.get(address);
    if (!f) return 0;
    const left = f.firstMs + this.limits.windowMs - this.now();
    if (left <= 0) {
      this.failures.delete(address);
      return 0;
    }
    return f.count >= this.limits.failures ? Math.ceil(left / 1000) : 0;
  }

  /** Counts a wrong token from this address. */
  fail(address: string): void {
    const now = this.now();
    const f = this.failures.get(address);
    if (f && now - f.firstMs < this.limits.windowMs) f.count++;
    else {
      this.failures.delete(address);
      if (this.failures.size >= MAX_ADDRESSES) this.failures.delete(this.failures.keys().next().value!);
      this.failures.set(address, { firstMs: now, count: 1 });
    }
  }
}
