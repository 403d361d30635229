/**
 * Per-endpoint rate limits (a DingTalk robot takes 20 messages a minute): a sliding window of the last minute's sends.
 * A message over the limit is not dropped but told when to come back; the dispatcher keeps it queued until then.
 */

const WINDOW_MS = 60_000;

/** Sliding one-minute windows, one per endpoint key. In-process: each worker process counts its own sends. */
export class RateLimiter {
  private readonly sent = new Map<string, number[]>();

  /**
   * Takes one send for `key` at `nowMs` when fewer than `perMinute` went out in the minute before, returning 0;
   * otherwise takes nothing and returns the instant (epoch ms) a send becomes possible. `perMinute` 0 is no limit.
   */
  reserve(key: string, perMinute: number, nowMs: number): number {
    if (perMinute <= 0) return 0;
    const recent = (this.sent.get(key) ?? []).filter((t) => t > nowMs - WINDOW_MS);
    if (recent.length >= perMinute) {
      this.sent.set(key, recent);
      return (recent[recent.length - perMinute] ?? nowMs) + WINDOW_MS;
    }
    recent.push(nowMs);
    this.sent.set(key, recent);
    return 0;
  }

  /** Gives back a send taken for a message that was never handed over (its composition failed). */
  release(key: string, atMs: number): void {
    const recent = this.sent.get(key);
    const i = recent?.lastIndexOf(atMs) ?? -1;
    if (recent && i >= 0) recent.splice(i, 1);
  }
}
