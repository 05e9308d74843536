import { expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { ALL, divisionScope } from '../auth/scope.ts';
import { baselineParameters, buildPopulation, parseMonth, simulate } from '../policy/index.ts';
import { registryPolicySource } from '../registry/policy-input.service.ts';
import { seedDivisions } from '../registry/registry.service.ts';
import { loadDemoPopulation } from './demo.service.ts';
import { demoPolicySource } from './policy-source.ts';

// A fixed as-of date: the two paths must see the same population even if the test runs over midnight.
const options = { district: '310110', persons: 3000, seed: 'policy-source', asOf: '2022-08-31' };

describeStores('engine input from the generator and from the registry', (ctx) => {
  it('is the same population whichever way it comes: generated, or loaded and read back', async () => {
    await seedDivisions(ctx.store);
    await loadDemoPopulation(ctx.store, options);
    for (const month of ['2020-12', '2022-08']) {
      const direct = await buildPopulation(demoPolicySource(options, month));
      const viaRegistry = await buildPopulation(registryPolicySource(ctx.store, ALL, month));
      expect([viaRegistry.householdCount, viaRegistry.personCount]).toEqual([
        direct.householdCount,
        direct.personCount,
      ]);
      const m = parseMonth(month);
      const totals = simulate(direct, m, baselineParameters());
      expect(simulate(viaRegistry, m, baselineParameters())).toEqual(totals);
      // The population is not trivial for the comparison: several programs pay someone.
      expect(totals.filter((t) => t.costFen > 0).length).toBeGreaterThanOrEqual(4);
      expect(totals.every((t) => Object.keys(t.byArea ?? {}).join() === '310110' || t.households === 0)).toBe(
        true,
      );
    }
  });

  it('reads only the scope from the registry', async () => {
    const street = await buildPopulation(
      registryPolicySource(ctx.store, divisionScope('310110012'), '2022-08'),
    );
    const all = await buildPopulation(registryPolicySource(ctx.store, ALL, '2022-08'));
    expect(street.householdCount).toBeGreaterThan(0);
    expect(street.householdCount).toBeLessThan(all.householdCount / 5);
  });
});

it('ages the generated population to the month asked when no date is given', () => {
  const first = (asOf?: string) =>
    [...demoPolicySource({ persons: 300, seed: 'month', ...(asOf ? { asOf } : {}) }, '2022-08')].map(
      (row) => row.household,
    );
  expect(first()).toEqual(first('2022-08-31'));
});
