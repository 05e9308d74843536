import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.ts';

describe('RateLimiter', () => {
  it('allows the limit per window and key, then says how long to wait; a new window starts afresh', () => {
    const limiter = new RateLimiter(2, 60_000);
    expect(limiter.hit('a', 0)).toEqual({ allowed: true });
    expect(limiter.hit('a', 1_000)).toEqual({ allowed: true });
    expect(limiter.hit('a', 30_000)).toEqual({ allowed: false, retryAfter: 30 });
    expect(limiter.hit('b', 30_000)).toEqual({ allowed: true });
    expect(limiter.hit('a', 60_000)).toEqual({ allowed: true });
  });

  it('drops ended windows when full, and stays bounded under a flood of distinct keys', () => {
    const limiter = new RateLimiter(1, 1_000, 4);
    for (let i = 0; i < 4; i++) limiter.hit(`old${i}`, 0);
    expect(limiter.hit('new', 5_000)).toEqual({ allowed: true });
    expect(limiter.hit('new', 5_001)).toEqual({ allowed: false, retryAfter: 1 });
    for (let i = 0; i < 100; i++) limiter.hit(`flood${i}`, 5_002);
    expect((limiter as unknown as { windows: Map<string, unknown> }).windows.size).toBeLessThanOrEqual(4);
  });
});
