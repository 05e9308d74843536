import { describe, expect, it } from 'vitest';
import { ONLINE_OUTCOMES, ONLINE_STATE_NAMES } from '../../../../src/cases/public/outcomes.ts';
import { ONLINE_STATE_OPTIONS, OUTCOME_OPTIONS } from './data.ts';

describe('网上申请 page data', () => {
  it('offers the server’s outcomes, in its order, under its labels', () => {
    expect(OUTCOME_OPTIONS).toEqual(
      Object.entries(ONLINE_OUTCOMES).map(([value, o]) => ({ value, label: o.label })),
    );
  });

  it('names every state of the server', () => {
    expect(ONLINE_STATE_OPTIONS.map((o) => o.value).sort()).toEqual(Object.keys(ONLINE_STATE_NAMES).sort());
    for (const o of ONLINE_STATE_OPTIONS) expect(ONLINE_STATE_NAMES[o.value]).toBe(o.label);
  });
});
