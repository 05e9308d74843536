/**
 * A fixed-window counter per key (an IP address, an ID number), kept in this process's memory. Several
 * server processes each count their own share (docs/public-application.md); the limits are settings.
 * Old windows are dropped as keys are touched, and the whole map is swept when it grows past `maxKeys`.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly maxKeys = 100_000,
  ) {}

  /** Counts one attempt for `key`: allowed, or the seconds until its window ends. */
  hit(key: string, now = Date.now()): { allowed: true } | { allowed: false; retryAfter: number } {
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (this.windows.size >= this.maxKeys) this.sweep(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count += 1;
    if (w.count <= this.limit) return { allowed: true };
    return { allowed: false, retryAfter: Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000)) };
  }

  private sweep(now: number): void {
    for (const [key, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(key);
    // Still full of live windows (a flood of distinct keys): forget the oldest half rather than grow.
    if (this.windows.size >= this.maxKeys) {
      let drop = Math.floor(this.windows.size / 2);
      for (const key of this.windows.keys()) {
        if (drop-- <= 0) break;
        this.windows.delete(key);
      }
    }
  }
}
