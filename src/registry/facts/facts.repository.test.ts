import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { ALL, divisionScope } from '../../auth/scope.ts';
import type { PolicyHousehold } from '../../policy/household.ts';
import { householdMembers, households, persons } from '../schema.ts';
import { policyHouseholdOf, streamPolicyHouseholds } from '../policy-input.service.ts';
import { dayArb, factArb } from './facts.fixtures.ts';
import { householdFigures, insertFact, personFigures, factsOfSubjects } from './facts.repository.ts';
import { resolveHousehold, resolvePerson } from './facts.resolver.ts';
import { economicFacts } from './schema.ts';

/**
 * The SQL of the contract (facts.repository.ts, and the bulk engine input built on it) against the pure
 * resolver, on random facts read back from the same database: the two must give the same figures.
 */

const D = '310110';
const P = ['a1', 'a2', 'a3', 'a4'].map((s) => `00000000-0000-4000-8000-0000000000${s}`);
const H = ['b1', 'b2'].map((s) => `00000000-0000-4000-8000-0000000000${s}`);

const factsArb = fc
  .tuple(
    ...P.map((id) => fc.array(factArb('person', id, D), { maxLength: 8 })),
    ...H.map((id) => fc.array(factArb('household', id, D), { maxLength: 8 })),
  )
  .map((lists) => lists.flat());

describeStores('facts: SQL and the pure resolver agree', (ctx) => {
  async function replaceFacts(facts: readonly Parameters<typeof insertFact>[1][]) {
    await ctx.store.db.delete(economicFacts);
    const seen = new Set<string>();
    for (const f of facts) {
      if (seen.has(`${f.subjectId}/${f.id}`)) continue;
      seen.add(`${f.subjectId}/${f.id}`);
      await insertFact(ctx.store.db, f);
    }
    // Read back: the pure side sees exactly what SQL sees (timestamps as stored).
    return factsOfSubjects(ctx.store.db, D, [...P, ...H]);
  }

  it('on every subject and day, by id list, by range and for the whole district', async () => {
    await fc.assert(
      fc.asyncProperty(
        factsArb,
        fc.array(dayArb, { minLength: 1, maxLength: 3 }),
        async (generated, days) => {
          const stored = await replaceFacts(generated);
          for (const day of days) {
            const people = await personFigures(ctx.store.db, D, { ids: P }, day);
            const all = await personFigures(ctx.store.db, D, { all: true }, day);
            for (const id of P) {
              const mine = stored.filter((f) => f.subjectId === id);
              const expected = resolvePerson(mine, day);
              expect(people.get(id) ?? expected, `${id} ${day}`).toEqual(expected);
              expect(all.get(id) ?? expected).toEqual(expected);
              // A subject without a row has no counting fact: the defaults.
              if (!people.has(id)) expect(expected).toEqual(resolvePerson([], day));
            }
            const homes = await householdFigures(ctx.store.db, D, { from: H[0]!, to: H[1]! }, day);
            for (const id of H) {
              const expected = resolveHousehold(
                stored.filter((f) => f.subjectId === id),
                day,
              );
              expect(homes.get(id) ?? resolveHousehold([], day), `${id} ${day}`).toEqual(expected);
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('in the engine input: bulk streams (batches; on PostgreSQL COPY, whole and in parts) equal the single-household path', async () => {
    await seedRegistry();
    const months = ['2021-03', '2021-07', '2022-01', '2022-06', '2023-01'];
    await fc.assert(
      fc.asyncProperty(factsArb, async (generated) => {
        await replaceFacts(generated);
        for (const month of months) {
          const single = new Map<string, PolicyHousehold>();
          for (const id of H) {
            const h = await policyHouseholdOf(ctx.store.db, { districtCode: D, id }, month);
            if (h.members.length > 0) single.set(id, h);
          }
          for (const options of [{ batchSize: 1 }, {}, { parts: 2 }]) {
            const streamed = new Map<string, PolicyHousehold>();
            for await (const row of streamPolicyHouseholds(ctx.store, ALL, month, options)) {
              streamed.set(row.householdId, row.household);
            }
            // The bulk path reads no names (display only); compare the engine's fields.
            expect(withoutNames(streamed), `${month} ${JSON.stringify(options)}`).toEqual(
              withoutNames(single),
            );
          }
          const street = new Map<string, PolicyHousehold>();
          for await (const row of streamPolicyHouseholds(ctx.store, divisionScope('310110001'), month)) {
            street.set(row.householdId, row.household);
          }
          expect(withoutNames(street)).toEqual(
            withoutNames(new Map([...single].filter(([id]) => id === H[0]))),
          );
        }
      }),
      { numRuns: 8 },
    );
  }, 240_000);

  function withoutNames(map: Map<string, PolicyHousehold>) {
    return Object.fromEntries(
      [...map].map(([id, h]) => [id, { ...h, members: h.members.map(({ name: _name, ...m }) => m) }]),
    );
  }

  /** Two households (two streets), four persons with moves, a death and a birth across 2021–2022. */
  async function seedRegistry() {
    for (const table of [householdMembers, persons, households]) await ctx.store.db.delete(table);
    await ctx.store.db.insert(households).values([
      {
        districtCode: D,
        id: H[0]!,
        householdNo: 'F1',
        streetCode: '310110001',
        committeeCode: '310110001001',
      },
      {
        districtCode: D,
        id: H[1]!,
        householdNo: 'F2',
        streetCode: '310110002',
        committeeCode: '310110002001',
      },
    ]);
    const person = (id: string, birthDate: string, deathDate: string | null, hukou: string) => ({
      districtCode: D,
      id,
      idNumber: id.slice(-12),
      name: `测${id.slice(-2)}`,
      nameInitials: 'c',
      sex: 1,
      birthDate,
      deathDate,
      hukouDivisionCode: hukou,
      residenceDivisionCode: '310110001001',
    });
    await ctx.store.db
      .insert(persons)
      .values([
        person(P[0]!, '1960-05-01', null, '310110001001'),
        person(P[1]!, '1962-05-01', '2021-09-10', '310110001001'),
        person(P[2]!, '1990-01-01', null, '340102'),
        person(P[3]!, '2021-06-15', null, '310110001001'),
      ]);
    const m = (
      householdId: string,
      personId: string,
      relationCode: string,
      validFrom: string,
      validTo: string | null,
      seq: number,
    ) => ({ districtCode: D, householdId, personId, relationCode, validFrom, validTo, seq });
    await ctx.store.db
      .insert(householdMembers)
      .values([
        m(H[0]!, P[0]!, '02', '2000-01-01', null, 0),
        m(H[0]!, P[1]!, '12', '2000-01-01', '2021-09-11', 1),
        m(H[0]!, P[2]!, '20', '2010-01-01', '2022-02-15', 2),
        m(H[1]!, P[2]!, '02', '2022-02-15', null, 0),
        m(H[1]!, P[3]!, '20', '2021-06-15', null, 1),
      ]);
  }
});
