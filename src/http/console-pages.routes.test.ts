import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { ALL } from '../auth/scope.ts';
import { divisionIndex } from '../registry/divisions.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { createHousehold } from '../registry/registry.service.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent, type TwoStreets } from './test-helpers.ts';

/** What the console's everyday pages read from the API: names where codes and ids were. */
interface CalcResult {
  program: string;
  eligible: boolean;
  trace?: { narrative: string };
}

describeStores('console pages: names instead of ids and codes', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let street: Agent;
  let committee: Agent;
  /** A household of 控江路 whose head has an Anhui 户籍 and coded ethnicity and marital status. */
  let migrant: { householdId: string; personId: string; committeeCode: string };
  beforeAll(async () => {
    app = await testServer(ctx.store);
    data = await seedTwoStreets(ctx.store);
    const committeeCode = divisionIndex().children('310110012')[1]?.code ?? '';
    const created = await inUnitOfWork(
      ctx.store,
      { userId: 'seed', divisionCode: '310110', reason: '测试' },
      (tx) =>
        createHousehold(tx, ALL, {
          householdNo: 'KJ-0002',
          committeeCode,
          address: '控江路2号',
          validFrom: '2021-05-01',
          members: [
            {
              relationCode: '02',
              person: {
                idNumber: makeIdNumber('340102', '1985-04-02', 31),
                name: '陈安徽',
                sex: 1,
                birthDate: '1985-04-02',
                ethnicity: '03',
                maritalStatus: '20',
                hukouDivisionCode: '340102',
                disabilityCategory: 4,
                disabilityGrade: 3,
              },
            },
          ],
        }),
    );
    const personId = created.changes.find((c) => c.entityType === 'person')?.entityId ?? '';
    migrant = { householdId: created.value.id, personId, committeeCode };
    await addUser(ctx.store, 'street_a', 'street_caseworker', '310110012');
    street = await loginAs(app, 'street_a');
    await addUser(ctx.store, 'committee_a', 'committee_assistant', data.a.committeeCode);
    committee = await loginAs(app, 'committee_a');
  });
  afterAll(() => app.close());

  describe('a registered household in the calculator', () => {
    it('is explained with the members’ names, not their person ids', async () => {
      const response = await street.get(
        `/api/policy/households/${data.a.householdId}/calculate?month=2026-11&explain=true`,
      );
      expect(response.statusCode).toBe(200);
      const results = response.json<{ results: CalcResult[] }>().results;
      const text = results.map((r) => r.trace?.narrative ?? '').join('\n');
      expect(text).toContain('张建国');
      expect(text).toContain('张建国妻');
      expect(text).not.toContain(data.a.personId);
      expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    });
  });

  describe('person and household detail', () => {
    it('names every coded field of a person: places, ethnicity, marital status, disability, relation', async () => {
      const response = await street.get(`/api/persons/${migrant.personId}`);
      expect(response.statusCode).toBe(200);
      const { person, household } = response.json<{
        person: Record<string, unknown>;
        household: Record<string, unknown>;
      }>();
      const committee = divisionIndex().get(migrant.committeeCode)?.name ?? '';
      expect(person).toMatchObject({
        sexName: '男性',
        ethnicityName: '回族',
        maritalStatusName: '已婚',
        hukouDivisionName: '安徽省合肥市瑶海区',
        hukouKind: '外省市户籍',
        residenceDivisionName: `上海市杨浦区控江路街道${committee}`,
        streetName: '控江路街道',
        committeeName: committee,
        disabilityCategoryName: '肢体残疾',
        disabilityGradeName: '三级',
      });
      expect(household).toMatchObject({ householdNo: 'KJ-0002', relationCode: '02', relationName: '户主' });
    });

    it('names a Shanghai 户籍 down to its committee', async () => {
      const { person } = (await street.get(`/api/persons/${data.a.personId}`)).json<{
        person: Record<string, unknown>;
      }>();
      expect(person.hukouKind).toBe('本市户籍');
      expect(person.hukouDivisionName).toMatch(/^上海市杨浦区控江路街道.+居委会$/);
    });

    it('gives each household member the names of their codes', async () => {
      const response = await street.get(`/api/households/${migrant.householdId}`);
      expect(response.statusCode).toBe(200);
      const detail = response.json<{ members: Record<string, unknown>[] }>();
      expect(detail.members[0]).toMatchObject({
        relationName: '户主',
        sexName: '男性',
        hukouDivisionName: '安徽省合肥市瑶海区',
        hukouKind: '外省市户籍',
        disabilityCategoryName: '肢体残疾',
        disabilityGradeName: '三级',
      });
    });
  });

  describe('dashboard figures', () => {
    interface Figures {
      totals: { persons: number; hukouPersons: number; households: number };
      areas: { level: string; items: { code: string; name: string; persons: number; households: number }[] };
      householdSizes: { size: number; label: string; households: number }[] | null;
    }

    it('counts Shanghai 户籍 apart from everyone living here', async () => {
      const f = (await street.get('/api/statistics/population')).json<Figures>();
      // 张建国 and his wife (Shanghai 户籍) and 陈安徽 (Anhui 户籍) live in 控江路.
      expect(f.totals).toEqual({ persons: 3, hukouPersons: 2, households: 2 });
    });

    it('breaks a street down by its committees, by name', async () => {
      const f = (await street.get('/api/statistics/population')).json<Figures>();
      expect(f.areas.level).toBe('committee');
      const names = (code: string) => divisionIndex().get(code)?.name;
      expect(f.areas.items).toEqual(
        [
          { code: data.a.committeeCode, name: names(data.a.committeeCode), persons: 2, households: 1 },
          { code: migrant.committeeCode, name: names(migrant.committeeCode), persons: 1, households: 1 },
        ].sort((x, y) => (x.code < y.code ? -1 : 1)),
      );
      expect(f.householdSizes).toBeNull();
    });

    it('breaks a committee down by household size', async () => {
      const f = (await committee.get('/api/statistics/population')).json<Figures>();
      expect(f.totals).toEqual({ persons: 2, hukouPersons: 2, households: 1 });
      expect(f.householdSizes).toEqual([
        { size: 1, label: '1人户', households: 0 },
        { size: 2, label: '2人户', households: 1 },
        { size: 3, label: '3人户', households: 0 },
        { size: 4, label: '4人户', households: 0 },
        { size: 5, label: '5人户', households: 0 },
        { size: 6, label: '6人及以上户', households: 0 },
      ]);
    });
  });
});
