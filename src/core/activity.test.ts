import { describe, expect, it } from 'vitest';
import { noteRequest, requestedWithin } from './activity.ts';

describe('request activity (the embedded store runner pauses only while requests come in)', () => {
  it('says whether a request began within the window', () => {
    noteRequest(10_000);
    expect(requestedWithin(2_000, 11_999)).toBe(true);
    expect(requestedWithin(2_000, 12_000)).toBe(true);
    expect(requestedWithin(2_000, 12_001)).toBe(false);
    noteRequest(12_500);
    expect(requestedWithin(2_000, 13_000)).toBe(true);
  });
});
