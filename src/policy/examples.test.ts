import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HOUSEHOLD_EXAMPLES } from './examples.ts';
import { evaluateHousehold, validateHousehold } from './index.ts';

/** docs/household-file.md documents the household file; its JSON examples must stay runnable. */
const doc = readFileSync(new URL('../../docs/household-file.md', import.meta.url), 'utf8');
const blocks = [...doc.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1] ?? '') as unknown);

describe('docs/household-file.md', () => {
  it('has JSON examples', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(4);
  });

  it.each(blocks.map((block, i) => [i + 1, block] as const))(
    'example %i validates and every program calculates',
    (_i, block) => {
      const { household, month } = validateHousehold(block);
      const { results } = evaluateHousehold(household, month, { explain: true });
      expect(results).toHaveLength(15);
      expect(results.filter((r) => r.error !== undefined).map((r) => r.error)).toEqual([]);
      expect(results.some((r) => r.eligible)).toBe(true);
    },
  );

  it('shows exactly what calc --example prints, and describes every field the examples use', () => {
    for (const { file } of Object.values(HOUSEHOLD_EXAMPLES)) expect(blocks).toContainEqual(file);
    const fields = new Set(
      Object.values(HOUSEHOLD_EXAMPLES).flatMap(({ file }) => [
        ...Object.keys(file),
        ...Object.keys(file.household),
        ...file.household.members.flatMap((m) => Object.keys(m)),
      ]),
    );
    for (const field of fields) expect(doc, field).toContain(`| \`${field}\``);
  });
});
