import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedFile } from '../../../test/support/shared.ts';
import { parseMonth } from './month.ts';
import { baselineParameters } from './parameter-store.ts';
import { readJsonlPopulation } from './population-source.ts';
import { simulate } from './simulate.ts';
import { simulateJsonl } from './simulate-file.ts';

const GENERATOR = sharedFile('bench/gen_households.py');

describe('bench totals (shared/bench/README.md)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mz-policy-bench-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(
    'reproduces dibao for the 20,000-household file: 2,898 households, 757,941,494 fen',
    { timeout: 300_000 },
    async () => {
      const file = join(dir, 'hh20k.jsonl');
      const gen = spawnSync('python3', [GENERATOR, '20000', '20220801', file], { encoding: 'utf8' });
      expect(gen.status, gen.stderr).toBe(0);
      const pop = await readJsonlPopulation(file, '2022-08');
      expect(pop.householdCount).toBe(20000);
      const [dibao] = simulate(pop, parseMonth('2022-08'), baselineParameters(), ['dibao']);
      expect(dibao).toMatchObject({ program: 'dibao', households: 2898, costFen: 757941494 });
      // the file (16 MB) is above PARALLEL_MIN_BYTES: both readers above ran on worker threads
      const totals = await simulateJsonl(file, '2022-08');
      expect(totals.baseline[0]).toMatchObject({ program: 'dibao', households: 2898, costFen: 757941494 });
    },
  );
});
