import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { listAudit } from '../../audit/audit.service.ts';
import { addDays } from '../../calendar/days.ts';
import { ALL, divisionScope } from '../../auth/scope.ts';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { inUnitOfWork, type ActingContext, type WorkTx } from '../../workflow/unit-of-work.ts';
import { listFacts } from '../facts/facts.service.ts';
import { makeIdNumber } from '../id-number.ts';
import {
  addMember,
  createHousehold,
  getHouseholdDetail,
  getPerson,
  movePerson,
  searchHouseholds,
  searchPersons,
  type HouseholdRecord,
  type NewPersonInput,
} from '../registry.service.ts';
import {
  changeRelation,
  correctHousehold,
  correctPerson,
  householdMembersAsOf,
  recordDeath,
  registerBirth,
} from './edits.service.ts';
import { correctDeathDate } from './death-correction.service.ts';

const TODAY = '2026-11-22';
const YANGPU = divisionScope('310110');
const STREET = divisionScope('310110001');
const actor: ActingContext = { userId: 'u-edit', divisionCode: '310110001', reason: '登记变更测试' };

let seq = 100;
function person(
  name: string,
  birthDate: string,
  sex: 1 | 2,
  extra: Partial<NewPersonInput> = {},
): NewPersonInput {
  seq += 2;
  return {
    idNumber: makeIdNumber('310110', birthDate, sex === 1 ? seq + 1 : seq),
    name,
    sex,
    birthDate,
    hukouDivisionCode: '310110001',
    ...extra,
  };
}

const unit = <T>(store: Store, work: (tx: WorkTx) => Promise<T>, who: ActingContext = actor) =>
  inUnitOfWork(store, who, work);

async function count(store: Store, table: string): Promise<number> {
  const rows = await selectRows<{ n: number }>(
    store.db,
    sql`select count(*)::int as n from ${sql.identifier(table)}`,
  );
  return rows[0]!.n;
}

/** Rows of the tables an edit writes, and the audit log: a refused edit must leave every count as it was. */
async function counts(store: Store): Promise<number[]> {
  return Promise.all(['persons', 'households', 'household_members', 'audit_log'].map((t) => count(store, t)));
}

describeStores('registry edits', (ctx) => {
  let home: HouseholdRecord;
  let ids: Record<string, string>;

  const version = async (table: 'persons' | 'households', id: string) => {
    const rows = await selectRows<{ version: number }>(
      ctx.store.db,
      sql`select version from ${sql.identifier(table)} where id = ${id}`,
    );
    return rows[0]!.version;
  };

  beforeAll(async () => {
    const created = await unit(ctx.store, (tx) =>
      createHousehold(
        tx,
        ALL,
        {
          householdNo: 'ED1',
          committeeCode: '310110001001',
          validFrom: '2015-01-01',
          members: [
            { person: person('陈大年', '1950-01-01', 1, { pensionFen: 420_000 }), relationCode: '02' },
            { person: person('林秀英', '1952-02-02', 2), relationCode: '10' },
            { person: person('陈小华', '1985-03-03', 1), relationCode: '20' },
          ],
        },
        { today: TODAY },
      ),
    );
    home = created.value;
    ids = Object.fromEntries(
      created.changes
        .filter((c) => c.entityType === 'person')
        .map((c) => [(c.after as { name: string }).name, c.entityId]),
    );
  });

  it('registers a birth: a new member from the day of birth, audited with the reason; the household version moves on', async () => {
    const v = await version('households', home.id);
    const born = await unit(ctx.store, (tx) =>
      registerBirth(
        tx,
        STREET,
        {
          household: { districtCode: '310110', id: home.id },
          version: v,
          person: person('陈小宝', '2026-10-01', 1),
          relationCode: '41',
        },
        { today: TODAY },
      ),
    );
    expect(born.value).toMatchObject({ validFrom: '2026-10-01', relationCode: '41', validTo: null });
    ids['陈小宝'] = born.value.personId;
    expect(await version('households', home.id)).toBe(v + 1);
    const audit = await listAudit(ctx.store, { scope: ALL, action: 'person.born', limit: 10, offset: 0 });
    expect(audit.items.map((r) => [r.entityType, r.reason])).toEqual(
      expect.arrayContaining([
        ['person', '登记变更测试'],
        ['household_member', '登记变更测试'],
      ]),
    );
  });

  it('refuses a birth on a stale page, in the future, as head, or twice, writing nothing', async () => {
    const before = await counts(ctx.store);
    const birth = (extra: {
      version?: number;
      birthDate?: string;
      relationCode?: string;
      idNumber?: string;
      sex?: 1 | 2;
    }) =>
      unit(ctx.store, (tx) =>
        registerBirth(
          tx,
          STREET,
          {
            household: { districtCode: '310110', id: home.id },
            version: extra.version,
            person: {
              ...person('陈二宝', extra.birthDate ?? '2026-11-01', extra.sex ?? 2),
              ...(extra.idNumber ? { idNumber: extra.idNumber } : {}),
            },
            relationCode: extra.relationCode ?? '42',
          },
          { today: TODAY },
        ),
      );
    await expect(birth({ version: 1 })).rejects.toMatchObject({ code: 'stale_version' });
    await expect(birth({ version: 1 })).rejects.toThrow('家庭户「ED1」已被他人修改');
    await expect(birth({ birthDate: '2026-12-01' })).rejects.toThrow('出生日期不能晚于今天');
    await expect(birth({ relationCode: '02' })).rejects.toThrow('新生儿不能登记为户主');
    const existing = await getPerson(
      ctx.store.db,
      ALL,
      { districtCode: '310110', id: ids['陈小宝']! },
      { unmask: true },
    );
    await expect(
      birth({ birthDate: existing.birthDate, idNumber: existing.idNumber, sex: 1 }),
    ).rejects.toMatchObject({
      code: 'duplicate',
    });
    expect(await counts(ctx.store)).toEqual(before);
  });

  it('changes a relation from a date, keeping what it was before; refuses the head and a no-op', async () => {
    const v = await version('households', home.id);
    const changed = await unit(ctx.store, (tx) =>
      changeRelation(
        tx,
        STREET,
        {
          household: { districtCode: '310110', id: home.id },
          version: v,
          personId: ids['陈小华']!,
          relationCode: '22',
          date: '2020-01-01',
        },
        { today: TODAY },
      ),
    );
    expect(changed.value).toMatchObject({ relationCode: '22', validFrom: '2020-01-01' });
    const detail = await getHouseholdDetail(ctx.store.db, STREET, { districtCode: '310110', id: home.id });
    expect(
      detail.history
        .filter((h) => h.name === '陈小华')
        .map((h) => [h.relationName, h.validFrom, h.validTo, h.endReasonName]),
    ).toEqual([
      ['子', '2015-01-01', '2020-01-01', '关系变更'],
      ['长子', '2020-01-01', null, null],
    ]);
    const again = (personId: string, relationCode: string) =>
      unit(ctx.store, (tx) =>
        changeRelation(tx, STREET, {
          household: { districtCode: '310110', id: home.id },
          personId,
          relationCode,
          date: '2021-01-01',
        }),
      );
    await expect(again(ids['陈大年']!, '10')).rejects.toThrow('请使用“变更户主”');
    await expect(again(ids['陈小华']!, '22')).rejects.toThrow('无需变更');
    await expect(again(ids['陈小华']!, '02')).rejects.toThrow('变更为户主请使用“变更户主”');
  });

  it('corrects a name: the household head name follows; the ID number must agree with birth date and sex', async () => {
    const id = ids['陈大年']!;
    const v = await version('persons', id);
    const corrected = await unit(ctx.store, (tx) =>
      correctPerson(tx, STREET, {
        districtCode: '310110',
        personId: id,
        version: v,
        changes: { name: '陈大连' },
      }),
    );
    expect(corrected.value).toMatchObject({ name: '陈大连', nameInitials: 'cdl', version: v + 1 });
    const byHead = await searchHouseholds(ctx.store.db, STREET, { headName: '陈大' });
    expect(byHead.rows.map((r) => r.headName)).toEqual(['陈大连']);

    const before = await counts(ctx.store);
    await expect(
      unit(ctx.store, (tx) =>
        correctPerson(tx, STREET, {
          districtCode: '310110',
          personId: id,
          version: v,
          changes: { name: '陈大海' },
        }),
      ),
    ).rejects.toMatchObject({ code: 'stale_version' });
    const wrong = (changes: { birthDate?: string; sex?: number }) =>
      unit(ctx.store, (tx) => correctPerson(tx, STREET, { districtCode: '310110', personId: id, changes }));
    await expect(wrong({ birthDate: '1950-01-02' })).rejects.toThrow(
      'idNumber：身份证号中的出生日期与登记的出生日期不一致',
    );
    await expect(wrong({ sex: 2 })).rejects.toThrow('idNumber：身份证号中的性别与登记的性别不一致');
    await expect(wrong({ sex: 5 })).rejects.toThrow('性别代码「5」无效');
    await expect(
      unit(ctx.store, (tx) =>
        correctPerson(tx, STREET, { districtCode: '310110', personId: id, changes: { name: '陈大连' } }),
      ),
    ).rejects.toThrow('没有需要更正的内容');
    // Outside the scope it does not exist.
    await expect(
      unit(ctx.store, (tx) =>
        correctPerson(tx, divisionScope('310110012'), {
          districtCode: '310110',
          personId: id,
          changes: { name: '某' },
        }),
      ),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await counts(ctx.store)).toEqual(before);
  });

  it('corrects a household address with its version', async () => {
    const v = await version('households', home.id);
    const result = await unit(ctx.store, (tx) =>
      correctHousehold(tx, STREET, {
        household: { districtCode: '310110', id: home.id },
        version: v,
        address: '定海路 1 弄 2 号',
      }),
    );
    expect(result.value).toMatchObject({ address: '定海路 1 弄 2 号', version: v + 1 });
    await expect(
      unit(ctx.store, (tx) =>
        correctHousehold(tx, STREET, {
          household: { districtCode: '310110', id: home.id },
          version: v,
          address: '别处',
        }),
      ),
    ).rejects.toMatchObject({ code: 'stale_version' });
  });

  it('records a death: every membership ends the next day, the household is left without a head, all audited', async () => {
    const id = ids['陈大连'] ?? ids['陈大年']!;
    const v = await version('persons', id);
    const result = await unit(ctx.store, (tx) =>
      recordDeath(
        tx,
        YANGPU,
        { districtCode: '310110', personId: id, version: v, deathDate: '2026-06-30' },
        { today: TODAY },
      ),
    );
    expect(result.value.person).toMatchObject({ deathDate: '2026-06-30', version: v + 1 });
    expect(result.value.ended.map((m) => [m.validTo, m.endReason])).toEqual([['2026-07-01', 'death']]);
    expect(result.value.headless).toEqual([{ householdId: home.id, householdNo: 'ED1' }]);
    // His pension, a declared fact from the household's creation, ends with the memberships.
    const facts = await listFacts(
      ctx.store.db,
      ALL,
      { subjectType: 'person', districtCode: '310110', subjectId: id },
      '2026-06-30',
    );
    expect(facts.facts.map((f) => [f.kind, f.validFrom, f.validTo])).toEqual([
      ['pension', '2015-01-01', '2026-07-01'],
    ]);
    const audit = await listAudit(ctx.store, { scope: ALL, action: 'person.died', limit: 10, offset: 0 });
    expect(audit.items.map((r) => r.entityType).sort()).toEqual(['household_member', 'person']);
    expect(audit.items.every((r) => r.reason === '登记变更测试')).toBe(true);
    // Members on a day: before the death the household has its head; after, the others only.
    const june = await householdMembersAsOf(
      ctx.store.db,
      STREET,
      { districtCode: '310110', id: home.id },
      '2026-06-30',
    );
    expect(june.members.map((m) => [m.person.name, m.relationName])).toEqual([
      ['陈大连', '户主'],
      ['林秀英', '配偶'],
      ['陈小华', '长子'],
    ]);
    const july = await householdMembersAsOf(
      ctx.store.db,
      STREET,
      { districtCode: '310110', id: home.id },
      '2026-07-01',
    );
    expect(july.members.map((m) => m.person.name)).toEqual(['林秀英', '陈小华']);
    const early = await householdMembersAsOf(
      ctx.store.db,
      STREET,
      { districtCode: '310110', id: home.id },
      '2019-12-31',
    );
    expect(early.members.map((m) => [m.person.name, m.relationName])).toEqual([
      ['陈大连', '户主'],
      ['林秀英', '配偶'],
      ['陈小华', '子'],
    ]);
    await expect(
      householdMembersAsOf(ctx.store.db, STREET, { districtCode: '310110', id: home.id }, '2026-02-30'),
    ).rejects.toThrow('不是有效日期');
  });

  it('refuses a death before birth, in the future, twice, before a membership began, or on a stale page: nothing written', async () => {
    const wife = ids['林秀英']!;
    const before = await counts(ctx.store);
    const death = (personId: string, deathDate: string, version?: number) =>
      unit(ctx.store, (tx) =>
        recordDeath(tx, YANGPU, { districtCode: '310110', personId, deathDate, version }, { today: TODAY }),
      );
    await expect(death(wife, '1952-02-01')).rejects.toThrow(
      '死亡日期 1952-02-01 不能早于出生日期 1952-02-02',
    );
    await expect(death(wife, '2026-11-23')).rejects.toThrow('死亡日期不能晚于今天');
    await expect(death(wife, '2014-12-31')).rejects.toThrow('之后仍有该人员的成员关系记录');
    await expect(death(wife, '2026-01-01', 99)).rejects.toMatchObject({ code: 'stale_version' });
    await expect(death(ids['陈大连'] ?? ids['陈大年']!, '2026-06-30')).rejects.toThrow(
      '已登记死亡（2026-06-30）',
    );
    await expect(death(wife, '2026-13-01')).rejects.toThrow('不是有效日期');
    expect(await counts(ctx.store)).toEqual(before);
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });

  it('corrects a death date later and then earlier: the memberships and facts it ended follow, audited', async () => {
    const id = ids['陈大连'] ?? ids['陈大年']!;
    const correct = (deathDate: string, version?: number) =>
      unit(ctx.store, (tx) =>
        correctDeathDate(
          tx,
          YANGPU,
          { districtCode: '310110', personId: id, deathDate, version },
          { today: TODAY },
        ),
      );
    const factEnds = async () => {
      const facts = await listFacts(
        ctx.store.db,
        ALL,
        { subjectType: 'person', districtCode: '310110', subjectId: id },
        '2026-01-01',
      );
      return facts.facts.map((f) => f.validTo);
    };
    const later = await correct('2026-08-15', await version('persons', id));
    expect(later.value.person.deathDate).toBe('2026-08-15');
    expect(later.value.moved.map((m) => [m.validTo, m.endReason])).toEqual([['2026-08-16', 'death']]);
    expect(await factEnds()).toEqual(['2026-08-16']);
    const august = await householdMembersAsOf(
      ctx.store.db,
      STREET,
      { districtCode: '310110', id: home.id },
      '2026-08-15',
    );
    expect(august.members.map((m) => m.relationName)).toEqual(['户主', '配偶', '长子']);
    const earlier = await correct('2026-05-31');
    expect(earlier.value.moved.map((m) => m.validTo)).toEqual(['2026-06-01']);
    expect(await factEnds()).toEqual(['2026-06-01']);
    const june = await householdMembersAsOf(
      ctx.store.db,
      STREET,
      { districtCode: '310110', id: home.id },
      '2026-06-01',
    );
    expect(june.members).toHaveLength(2);
    const audit = await listAudit(ctx.store, {
      scope: ALL,
      action: 'person.death_corrected',
      limit: 20,
      offset: 0,
    });
    expect(audit.items.map((r) => r.entityType).sort()).toEqual([
      'household_member',
      'household_member',
      'person',
      'person',
    ]);
    // Put back as the other tests expect it.
    await correct('2026-06-30');
  });

  it('refuses a death-date correction for a living person, to the same day, before birth, in the future or on a stale page', async () => {
    const id = ids['陈大连'] ?? ids['陈大年']!;
    const before = await counts(ctx.store);
    const correct = (personId: string, deathDate: string, version?: number) =>
      unit(ctx.store, (tx) =>
        correctDeathDate(
          tx,
          YANGPU,
          { districtCode: '310110', personId, deathDate, version },
          { today: TODAY },
        ),
      );
    await expect(correct(ids['林秀英']!, '2026-01-01')).rejects.toThrow('未登记死亡，请办理死亡登记');
    await expect(correct(id, '2026-06-30')).rejects.toThrow('死亡日期与已登记的相同（2026-06-30）');
    await expect(correct(id, '1949-12-31')).rejects.toThrow('不能早于出生日期 1950-01-01');
    await expect(correct(id, '2026-11-23')).rejects.toThrow('死亡日期不能晚于今天');
    await expect(correct(id, '2014-12-31')).rejects.toThrow('早于其入户日期 2015-01-01');
    await expect(correct(id, '2026-05-01', 1)).rejects.toMatchObject({ code: 'stale_version' });
    expect(await counts(ctx.store)).toEqual(before);
  });

  it('refuses a move into a household of another district without that district accepting it', async () => {
    const other = await unit(
      ctx.store,
      (tx) =>
        createHousehold(tx, ALL, {
          householdNo: 'HK-ED',
          committeeCode: '310109009002',
          validFrom: '2010-01-01',
          members: [
            {
              person: {
                ...person('虹口人', '1970-01-01', 1),
                idNumber: makeIdNumber('310109', '1970-01-01', 555),
              },
              relationCode: '02',
            },
          ],
        }),
      { ...actor, divisionCode: '310109' },
    );
    const before = await counts(ctx.store);
    await expect(
      unit(ctx.store, (tx) =>
        movePerson(tx, ALL, {
          districtCode: '310110',
          personId: ids['陈小华']!,
          to: { districtCode: '310109', id: other.value.id },
          relationCode: '99',
          date: '2026-01-01',
        }),
      ),
    ).rejects.toThrow('迁入虹口区的家庭户须经虹口区接收：请发起跨区迁移');
    // Naming the person as a member of the other district's household: they are managed by Yangpu.
    await expect(
      unit(ctx.store, (tx) =>
        addMember(tx, ALL, {
          household: { districtCode: '310109', id: other.value.id },
          member: { personId: ids['陈小华']!, relationCode: '99' },
          validFrom: '2026-01-01',
        }),
      ),
    ).rejects.toThrow('该人员由杨浦区管理：迁入本区须由杨浦区发起跨区迁移，经本区接收后生效');
    // A new record with the same ID number in another district is refused the same way.
    const existing = await getPerson(
      ctx.store.db,
      ALL,
      { districtCode: '310110', id: ids['陈小华']! },
      { unmask: true },
    );
    await expect(
      unit(ctx.store, (tx) =>
        addMember(tx, ALL, {
          household: { districtCode: '310109', id: other.value.id },
          member: {
            person: {
              idNumber: existing.idNumber,
              name: '陈小华',
              sex: 1,
              birthDate: existing.birthDate,
              hukouDivisionCode: '310109009',
            },
            relationCode: '99',
          },
          validFrom: '2026-01-01',
        }),
      ),
    ).rejects.toThrow('已在杨浦区登记');
    expect(await counts(ctx.store)).toEqual(before);
    expect((await searchPersons(ctx.store.db, ALL, { name: '陈小华' })).total).toBe(1);
  });
});
