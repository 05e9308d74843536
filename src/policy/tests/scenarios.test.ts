import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { baselineParameters } from '../engine/parameter-store.ts';
import { reformFileSchema } from '../engine/parameter.schema.ts';
import { PROGRAM_CODES } from '../engine/program.ts';
import { evaluateHousehold, validateHousehold } from '../index.ts';

/** Runs every YAML scenario of this folder: household + month → expected outputs per program. */
const expected = z.strictObject({
  eligible: z.boolean().optional(),
  amountFen: z.number().int().optional(),
  byMember: z.record(z.string(), z.number().int()).optional(),
  /** Codes that must appear; `member:CODE` targets one member. */
  reasons: z.array(z.string()).optional(),
  /** The exact set of parameters warned about. */
  warnings: z.array(z.string()).optional(),
  /** Substrings the error message must contain (the program must fail). */
  error: z.array(z.string()).optional(),
});
const scenario = z.strictObject({
  name: z.string(),
  month: z.string(),
  parameters: reformFileSchema.shape.parameters.optional(),
  household: z.unknown(),
  output: z.partialRecord(z.enum(PROGRAM_CODES), expected),
});

const dir = fileURLToPath(new URL('.', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));

describe.each(files)('%s', (file) => {
  const scenarios = z.array(scenario).parse(parseYaml(readFileSync(`${dir}${file}`, 'utf8')));
  it.each(scenarios.map((s) => [s.name, s] as const))('%s', (_name, s) => {
    const { month, household } = validateHousehold({ month: s.month, household: s.household });
    const store = s.parameters
      ? baselineParameters().withReform({ description: s.name, parameters: s.parameters }, s.name)
      : baselineParameters();
    const { results } = evaluateHousehold(household, month, { parameters: store });
    for (const [program, want] of Object.entries(s.output)) {
      const got = results.find((r) => r.program === program);
      expect(got, program).toBeDefined();
      if (!got) continue;
      if (want.error) {
        expect(got.error, `${program} should fail`).toBeDefined();
        for (const part of want.error) expect(got.error).toContain(part);
        continue;
      }
      expect(got.error, `${program}: ${got.error ?? ''}`).toBeUndefined();
      if (want.eligible !== undefined) expect(got.eligible, `${program}.eligible`).toBe(want.eligible);
      if (want.amountFen !== undefined) expect(got.amountFen, `${program}.amountFen`).toBe(want.amountFen);
      if (want.byMember) expect(got.byMember, `${program}.byMember`).toEqual(want.byMember);
      for (const r of want.reasons ?? []) {
        const [member, code] = r.includes(':') ? r.split(':') : [undefined, r];
        const hit = got.reasons.some(
          (x) => x.code === code && (member === undefined || x.memberId === member),
        );
        expect(
          hit,
          `${program} reason ${r} in ${got.reasons.map((x) => `${x.memberId ?? ''}:${x.code}`).join(',')}`,
        ).toBe(true);
      }
      if (want.warnings)
        expect(got.warnings.map((w) => w.parameter).sort(), `${program}.warnings`).toEqual(
          [...want.warnings].sort(),
        );
    }
  });
});
