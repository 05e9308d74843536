import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMonth } from './month.ts';
import { baselineParameters } from './parameter-store.ts';
import {
  BatchLineError,
  buildPopulation,
  jsonlSource,
  readJsonlPopulation,
  type SourceHousehold,
} from './population-source.ts';
import { compareReform, simulate } from './simulate.ts';

const dir = mkdtempSync(join(tmpdir(), 'mz-source-'));
const line = (members: unknown[], extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ month: '2022-08', household: { ...extra, members } });
const poor = line([{ id: 'a', birthDate: '1950-01-01' }]);
const rich = line([{ id: 'a', birthDate: '1950-01-01', pensionFen: 900000 }]);
const family = line([
  { id: 'a', birthDate: '1980-01-01' },
  { id: 'b', birthDate: '2012-01-01' },
]);

describe('JSON-lines population source', () => {
  it('reads the same columns through the fast reader and the generic AsyncIterable source', async () => {
    const file = join(dir, 'ok.jsonl');
    writeFileSync(file, `${poor}\n${rich}\n\n${family}`); // blank line and no final newline
    const fast = await readJsonlPopulation(file, '2022-08');
    const generic = await buildPopulation(jsonlSource(file, '2022-08'));
    expect(fast.householdCount).toBe(3);
    expect(generic.householdCount).toBe(3);
    expect(Array.from(generic.pension)).toEqual(Array.from(fast.pension));
    expect(Array.from(generic.memberStart)).toEqual([0, 1, 2, 4]);
    const [dibao] = simulate(fast, parseMonth('2022-08'), baselineParameters(), ['dibao']);
    expect(dibao).toMatchObject({ households: 2, persons: 3, costFen: 142000 + 142000 + 185000 });
  });

  it('names the line and the field of a bad line', async () => {
    const file = join(dir, 'bad.jsonl');
    writeFileSync(file, `${poor}\n${line([{ id: 'a', birthDate: '2022-09-01' }])}\n`);
    const error = await readJsonlPopulation(file, '2022-08').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchLineError);
    expect((error as BatchLineError).message).toBe(
      '第 2 行 household.members[0].birthDate：出生日期晚于计算月份的最后一天 (birth after the month)：2022-09-01',
    );
    writeFileSync(file, `${poor}\n{oops\n`);
    await expect(readJsonlPopulation(file, '2022-08')).rejects.toThrow(/第 2 行 \(根\)：JSON 格式错误/);
  });
});

describe('simulate', () => {
  /** A source with district codes, as the registry will provide (items arrive asynchronously). */
  async function* districts(): AsyncIterable<SourceHousehold> {
    const hh = (pensionFen: number) => ({ members: [{ id: 'a', birthDate: '1950-01-01', pensionFen }] });
    const items: Promise<SourceHousehold>[] = [
      Promise.resolve({ household: hh(0), area: '310110' }),
      Promise.resolve({ household: hh(100000), area: '310110' }),
      Promise.resolve({ household: hh(0), area: '310101' }),
      Promise.resolve({ household: hh(900000), area: '310101' }),
    ];
    for (const item of items) yield await item;
  }

  it('totals by district when the source has districts', async () => {
    const pop = await buildPopulation(districts());
    const [dibao] = simulate(pop, parseMonth('2022-08'), baselineParameters(), ['dibao']);
    expect(dibao?.byArea).toEqual({
      '310110': { households: 2, persons: 2, costFen: 142000 + 42000 },
      '310101': { households: 1, persons: 1, costFen: 142000 },
    });
  });

  it('compares a reform with the baseline (reform − baseline)', async () => {
    const pop = await buildPopulation(districts());
    const reform = baselineParameters().withReform(
      {
        description: '+90',
        parameters: {
          'dibao.standard': {
            values: [{ effective: '2022-07-01', value: 151000, status: 'assumption', source: 't' }],
          },
        },
      },
      'plus90',
    );
    const [row] = compareReform(pop, parseMonth('2022-08'), baselineParameters(), reform, ['dibao']);
    expect(row).toMatchObject({ program: 'dibao', householdsDelta: 0, costDeltaFen: 3 * 9000 });
  });

  it('reports a program with a parameter gap once, and computes the others', async () => {
    const pop = await buildPopulation(districts());
    const totals = simulate(pop, parseMonth('2019-03'), baselineParameters(), ['dibao', 'elderly_allowance']);
    expect(totals[0]?.error).toContain('dibao.standard');
    expect(totals[1]).toMatchObject({ program: 'elderly_allowance', households: 4, costFen: 4 * 7500 });
  });
});
