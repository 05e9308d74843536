import { describe, expect, it } from 'vitest';
import { parseMonth } from './month.ts';
import { baselineParameters } from './parameter-store.ts';
import { buildPopulation, type SourceHousehold } from './population-source.ts';
import { reformFromOverrides } from './reform-overrides.ts';
import { simulationReport } from './simulate.ts';

const person = (pensionFen: number) => ({ members: [{ id: 'a', birthDate: '1950-01-01', pensionFen }] });
/** Two streets with a 低保 household each (one of them near the line), a third with nobody eligible. */
const households: SourceHousehold[] = [
  { household: person(0), area: '310110012' },
  { household: person(145000), area: '310110016' },
  { household: person(900000), area: '310110009' },
  { household: person(0), area: '310110012' },
];
const month = parseMonth('2022-08');
const baseline = baselineParameters();

describe('simulation by area', () => {
  it('lists every area in code order, zeros where nobody receives the program, with the reform and difference', async () => {
    const pop = await buildPopulation(households);
    // 低保标准 1,420 → 1,510 元: the household with a 1,450 元 pension comes in.
    const reform = reformFromOverrides(baseline, [{ parameter: 'dibao.standard', value: 151000 }], month);
    const dibao = simulationReport(pop, month, baseline, reform).rows.find((r) => r.program === 'dibao');
    expect(dibao?.areas).toEqual([
      {
        area: '310110009',
        baseline: { households: 0, persons: 0, costFen: 0 },
        reform: { households: 0, persons: 0, costFen: 0 },
        delta: { households: 0, persons: 0, costFen: 0 },
      },
      {
        area: '310110012',
        baseline: { households: 2, persons: 2, costFen: 2 * 142000 },
        reform: { households: 2, persons: 2, costFen: 2 * 151000 },
        delta: { households: 0, persons: 0, costFen: 2 * 9000 },
      },
      {
        area: '310110016',
        baseline: { households: 0, persons: 0, costFen: 0 },
        reform: { households: 1, persons: 1, costFen: 151000 - 145000 },
        delta: { households: 1, persons: 1, costFen: 6000 },
      },
    ]);
  });

  it('gives the baseline alone without a reform, no areas for a program that cannot be computed, none without labels', async () => {
    const pop = await buildPopulation(households);
    const rows = simulationReport(pop, month, baseline, null).rows;
    expect(rows.find((r) => r.program === 'dibao')?.areas?.[1]).toEqual({
      area: '310110012',
      baseline: { households: 2, persons: 2, costFen: 2 * 142000 },
    });
    const gap = simulationReport(pop, parseMonth('2019-03'), baseline, null).rows;
    expect(gap.find((r) => r.program === 'dibao')).toMatchObject({ areas: [] });
    const unlabelled = await buildPopulation(households.map(({ household }) => ({ household })));
    expect(simulationReport(unlabelled, month, baseline, null).rows[0]?.areas).toBeUndefined();
  });
});
