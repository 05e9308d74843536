import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { listAudit } from '../audit/audit.service.ts';
import { verifyAuditChain } from '../audit/verify.service.ts';
import { redactSnapshot } from '../audit/redact.ts';
import { ALL, divisionScope, type DataScope } from '../auth/scope.ts';
import { selectRows } from '../db/sql.ts';
import type { Store } from '../db/store.ts';
import { inUnitOfWork, type ActingContext, type WorkTx } from '../workflow/unit-of-work.ts';
import { divisionIndex } from './divisions.ts';
import { makeIdNumber } from './id-number.ts';
import * as registry from './registry.service.ts';
import {
  getHouseholdDetail,
  getPerson,
  populationFigures,
  RegistryError,
  RegistryValidationError,
  searchHouseholds,
  searchPersons,
  seedDivisions,
  streamPolicyHouseholds,
  type HouseholdRecord,
  type NewPersonInput,
  type WriteOptions,
} from './registry.service.ts';

const actor: ActingContext = { userId: 'u-test', divisionCode: '310110', reason: '测试建档' };

/** A registry write in a unit of work of its own, as a route or a CLI command opens it. */
function inUnit<I, R>(write: (tx: WorkTx, scope: DataScope, input: I, options?: WriteOptions) => Promise<R>) {
  return (store: Store, scope: DataScope, who: ActingContext, input: I, options?: WriteOptions) =>
    inUnitOfWork(store, who, (tx) => write(tx, scope, input, options));
}
const createHousehold = inUnit(registry.createHousehold);
const addMember = inUnit(registry.addMember);
const endMembership = inUnit(registry.endMembership);
const movePerson = inUnit(registry.movePerson);
const changeHead = inUnit(registry.changeHead);
const TODAY = '2026-11-22';
const STREET_A = divisionScope('310110001'); // 定海路街道
const STREET_B = divisionScope('310110012'); // 控江路街道
const YANGPU = divisionScope('310110');

let seq = 0;
function person(
  name: string,
  birthDate: string,
  sex: 1 | 2,
  extra: Partial<NewPersonInput> = {},
): NewPersonInput {
  seq += 2;
  const sequence = sex === 1 ? seq + 1 : seq; // odd for men, even for women
  return {
    idNumber: makeIdNumber('310110', birthDate, sequence),
    name,
    sex,
    birthDate,
    hukouDivisionCode: '310110001',
    ...extra,
  };
}

async function household(
  store: Store,
  householdNo: string,
  committeeCode: string,
  validFrom: string,
  members: [NewPersonInput, string][],
): Promise<HouseholdRecord> {
  const result = await createHousehold(
    store,
    ALL,
    actor,
    {
      householdNo,
      committeeCode,
      validFrom,
      address: `${householdNo}号`,
      members: members.map(([p, relationCode]) => ({ person: p, relationCode })),
    },
    { today: TODAY },
  );
  return result.value;
}

async function personId(store: Store, name: string): Promise<string> {
  const page = await searchPersons(store.db, ALL, { name, includeDead: true });
  const found = page.rows.find((r) => r.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found.id;
}

async function countRows(
  store: Store,
  table: 'persons' | 'households' | 'household_members',
): Promise<number> {
  const rows = await selectRows<{ n: number }>(
    store.db,
    sql`select count(*)::int as n from ${sql.identifier(table)}`,
  );
  return rows[0]!.n;
}

describeStores('registry service', (ctx) => {
  const zhangSan = person('张三', '1950-03-10', 1, { phone: '13812345678' });
  const liSi = person('李四', '1952-07-01', 2, { disabilityCategory: 1, disabilityGrade: 1 });
  const xiaoMing = person('张小明', '2010-09-01', 1);
  const shanTianfang = person('单田芳', '1920-05-01', 1, { categories: ['traditional'] });
  const zhangShoushan = person('张寿山', '1948-12-12', 1);
  const wangWu = person('王五', '1985-02-02', 1, {
    disabilityCategory: 4,
    disabilityGrade: 2,
    categories: ['tekun'],
    hasSupporter: false,
    hukouDivisionCode: '340102',
  });
  const zhaoLiu = person('赵六', '1990-01-01', 2, { hukouDivisionCode: '310109009' });
  let b1: HouseholdRecord;

  beforeAll(async () => {
    await household(ctx.store, 'A1', '310110001001', '2010-09-01', [
      [zhangSan, '02'],
      [liSi, '12'],
      [xiaoMing, '20'],
    ]);
    await household(ctx.store, 'A2', '310110001003', '2000-01-01', [[shanTianfang, '02']]);
    b1 = await household(ctx.store, 'B1', '310110012001', '2000-01-01', [
      [zhangShoushan, '02'],
      [wangWu, '20'],
    ]);
    await createHousehold(
      ctx.store,
      ALL,
      actor,
      {
        householdNo: 'HK1',
        committeeCode: '310109009002',
        validFrom: '2010-01-01',
        members: [
          { person: { ...zhaoLiu, idNumber: makeIdNumber('310109', '1990-01-01', 4) }, relationCode: '02' },
        ],
      },
      { today: TODAY },
    );
  });

  it('seeds the divisions table once and skips when already seeded', async () => {
    const first = await seedDivisions(ctx.store);
    expect(first).toEqual({ rows: 6760, skipped: false });
    expect(await seedDivisions(ctx.store)).toEqual({ rows: 6760, skipped: true });
    const rows = await selectRows<{ district_code: string | null }>(
      ctx.store.db,
      sql`select district_code from divisions where code = '310110001001'`,
    );
    expect(rows).toEqual([{ district_code: '310110' }]);
  });

  it('keeps a street scope to its own persons, by search and by id', async () => {
    const inA = await searchPersons(ctx.store.db, STREET_A, { name: '张' });
    expect(inA.rows.map((r) => r.name).sort()).toEqual(['张三', '张小明']);
    expect(inA.total).toBe(2);
    const inB = await searchPersons(ctx.store.db, STREET_B, {});
    expect(inB.rows.map((r) => r.name).sort()).toEqual(['张寿山', '王五']);
    const wang = inB.rows.find((r) => r.name === '王五')!;
    await expect(getPerson(ctx.store.db, STREET_A, wang)).rejects.toThrow('人员不存在或不在您的数据范围内');
    await expect(getPerson(ctx.store.db, STREET_B, wang)).resolves.toMatchObject({ name: '王五' });
    // Asking for the other street's code inside one's own scope finds nothing.
    expect((await searchPersons(ctx.store.db, STREET_A, { divisionCode: '310110012' })).total).toBe(0);
    const yangpu = await searchPersons(ctx.store.db, YANGPU, {});
    expect(yangpu.total).toBe(6);
    expect((await searchPersons(ctx.store.db, ALL, {})).total).toBe(7);
    expect(
      (await searchPersons(ctx.store.db, divisionScope('310110001003'), {})).rows.map((r) => r.name),
    ).toEqual(['单田芳']);
  });

  it('keeps a street scope to its own households, by search and by number', async () => {
    const inA = await searchHouseholds(ctx.store.db, STREET_A, {});
    expect(inA.rows.map((r) => r.householdNo)).toEqual(['A1', 'A2']);
    expect(inA.rows[0]).toMatchObject({
      headName: '张三',
      memberCount: 3,
      committeeName: '十七棉工房第二居委会',
      streetName: '定海路街道',
      address: 'A1号',
    });
    await expect(
      getHouseholdDetail(ctx.store.db, STREET_A, { districtCode: '310110', householdNo: 'B1' }),
    ).rejects.toThrow(RegistryError);
    await expect(
      getHouseholdDetail(ctx.store.db, STREET_A, { districtCode: '310110', id: b1.id }),
    ).rejects.toThrow('不在您的数据范围内');
    expect((await searchHouseholds(ctx.store.db, STREET_B, { householdNo: 'A1' })).total).toBe(0);
    expect((await searchHouseholds(ctx.store.db, YANGPU, {})).rows.map((r) => r.householdNo)).toEqual([
      'A1',
      'A2',
      'B1',
    ]);
    expect(
      (await searchHouseholds(ctx.store.db, YANGPU, { minMembers: 2 })).rows.map((r) => r.householdNo),
    ).toEqual(['A1', 'B1']);
    expect(
      (await searchHouseholds(ctx.store.db, YANGPU, { headInitials: 'ZS' })).rows.map((r) => r.householdNo),
    ).toEqual(['A1', 'B1']);
    expect(
      (await searchHouseholds(ctx.store.db, YANGPU, { headName: '单' })).rows.map((r) => r.householdNo),
    ).toEqual(['A2']);
  });

  it('masks ID numbers and phones unless asked to unmask', async () => {
    const masked = await searchPersons(ctx.store.db, ALL, { name: '张三' });
    expect(masked.rows[0]).toMatchObject({
      idNumber: `310110********${zhangSan.idNumber.slice(-4)}`,
      idNumberMasked: true,
    });
    const full = await searchPersons(ctx.store.db, ALL, { name: '张三', unmask: true });
    expect(full.rows[0]).toMatchObject({ idNumber: zhangSan.idNumber, idNumberMasked: false });
    const view = await getPerson(ctx.store.db, ALL, masked.rows[0]!);
    expect(view.idNumber).not.toBe(zhangSan.idNumber);
    expect(view.phone).toBe('138****5678');
    expect((await getPerson(ctx.store.db, ALL, masked.rows[0]!, { unmask: true })).phone).toBe('13812345678');
    const detail = await getHouseholdDetail(ctx.store.db, ALL, { districtCode: '310110', householdNo: 'A1' });
    expect(
      detail.members.every((m) => m.person.idNumberMasked && m.person.idNumber.includes('********')),
    ).toBe(true);
    expect(detail.history.every((h) => h.idNumber.includes('********'))).toBe(true);
  });

  it('searches by pinyin initials, name substring and ID number (full or last four)', async () => {
    const zs = await searchPersons(ctx.store.db, ALL, { initials: 'zs' });
    expect(zs.rows.map((r) => r.name)).toEqual(['张三', '张寿山']);
    expect((await searchPersons(ctx.store.db, ALL, { initials: 'STF' })).rows.map((r) => r.name)).toEqual([
      '单田芳',
    ]);
    expect(
      (await searchPersons(ctx.store.db, ALL, { name: '小', nameMatch: 'contains' })).rows.map((r) => r.name),
    ).toEqual(['张小明']);
    expect((await searchPersons(ctx.store.db, ALL, { name: '小' })).total).toBe(0);
    const exact = await searchPersons(ctx.store.db, ALL, { idNumber: wangWu.idNumber.toLowerCase() });
    expect(exact.rows.map((r) => r.name)).toEqual(['王五']);
    const last4 = await searchPersons(ctx.store.db, ALL, { idNumber: liSi.idNumber.slice(-4) });
    expect(last4.rows.map((r) => r.name)).toContain('李四');
    await expect(searchPersons(ctx.store.db, ALL, { idNumber: '12345' })).rejects.toThrow(
      '18位完整号码或后4位',
    );
    // LIKE wildcards in input are literal.
    expect((await searchPersons(ctx.store.db, ALL, { name: '%' })).total).toBe(0);
  });

  it('pages with a stable order and a total', async () => {
    const first = await searchPersons(ctx.store.db, YANGPU, { limit: 4 });
    const second = await searchPersons(ctx.store.db, YANGPU, { limit: 4, offset: 4 });
    const beyond = await searchPersons(ctx.store.db, YANGPU, { limit: 4, offset: 40 });
    expect([first.total, second.total, beyond.total]).toEqual([6, 6, 6]);
    expect(first.rows).toHaveLength(4);
    expect(second.rows).toHaveLength(2);
    expect(beyond.rows).toHaveLength(0);
    const all = [...first.rows, ...second.rows].map((r) => r.nameInitials);
    expect(all).toEqual([...all].sort());
  });

  it('rejects invalid ID numbers and codes with field-named Chinese errors, writing nothing', async () => {
    const before = await countRows(ctx.store, 'persons');
    const bad = person('错误', '1980-05-01', 1);
    const attempt = createHousehold(
      ctx.store,
      STREET_A,
      actor,
      {
        householdNo: 'BAD1',
        committeeCode: '310110001001',
        validFrom: '2020-01-01',
        members: [
          { person: { ...bad, sex: 2 }, relationCode: '02' },
          { person: { ...person('错二', '1981-01-01', 2), birthDate: '1981-01-02' }, relationCode: '30' },
          {
            person: {
              ...person('错三', '1982-01-01', 1),
              idNumber: '110105194912310021',
              disabilityGrade: 5,
              disabilityCategory: 4,
            },
            relationCode: '99',
          },
        ],
      },
      { today: TODAY },
    );
    const error = await attempt.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryValidationError);
    const problems = (error as RegistryValidationError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        { field: 'members[0].person.idNumber', message: '身份证号中的性别与登记的性别不一致' },
        { field: 'members[1].person.idNumber', message: '身份证号中的出生日期与登记的出生日期不一致' },
        { field: 'members[2].person.idNumber', message: '身份证号校验位错误' },
        expect.objectContaining({ field: 'members[2].person.disabilityGrade' }),
      ]),
    );
    await expect(
      createHousehold(
        ctx.store,
        STREET_A,
        actor,
        {
          householdNo: 'BAD2',
          committeeCode: '310110012001',
          validFrom: '2020-01-01',
          members: [{ person: person('甲', '1980-01-01', 1), relationCode: '02' }],
        },
        { today: TODAY },
      ),
    ).rejects.toMatchObject({ code: 'out_of_scope' });
    await expect(
      createHousehold(
        ctx.store,
        ALL,
        actor,
        {
          householdNo: 'BAD3',
          committeeCode: '310110001001',
          validFrom: '2020-02-30',
          members: [{ person: person('乙', '1980-01-01', 1), relationCode: '01' }],
        },
        { today: TODAY },
      ),
    ).rejects.toThrow(/validFrom：起始日期「2020-02-30」不是有效日期.*members：家庭户须有且只有一名户主/);
    await expect(
      createHousehold(
        ctx.store,
        ALL,
        { ...actor, reason: ' ' },
        {
          householdNo: 'BAD4',
          committeeCode: '310110001001',
          validFrom: '2020-01-01',
          members: [{ person: person('丙', '1980-01-01', 1), relationCode: '02' }],
        },
        { today: TODAY },
      ),
    ).rejects.toThrow('请填写操作原因');
    expect(await countRows(ctx.store, 'persons')).toBe(before);
  });

  it('keeps the membership history through moves, head changes and departures', async () => {
    const yang = person('杨一', '1960-06-06', 2);
    const h = await household(ctx.store, 'A3', '310110001001', '2015-03-01', [[yang, '02']]);
    const yangId = await personId(ctx.store, '杨一');
    const joiner = await addMember(
      ctx.store,
      STREET_A,
      actor,
      {
        household: { districtCode: '310110', id: h.id },
        member: { person: person('杨二', '1990-06-06', 1), relationCode: '20' },
        validFrom: '2016-01-01',
      },
      { today: TODAY },
    );
    const sonId = joiner.value.personId;
    expect(joiner.action).toBe('household.member_added');
    expect(joiner.changes.map((c) => [c.entityType, c.before === null])).toEqual([
      ['person', true],
      ['household_member', true],
    ]);

    // The son moves to household A2 (another committee of the same street): end + start on one date.
    const moved = await movePerson(
      ctx.store,
      STREET_A,
      actor,
      {
        districtCode: '310110',
        personId: sonId,
        to: { districtCode: '310110', householdNo: 'A2' },
        relationCode: '99',
        date: '2020-05-01',
      },
      { today: TODAY },
    );
    expect(moved.changes.map((c) => c.entityType)).toEqual([
      'household_member',
      'household_member',
      'person',
    ]);
    expect(moved.changes[0]!.after).toMatchObject({ validTo: '2020-05-01', endReason: 'moved' });
    expect(
      (await getPerson(ctx.store.db, ALL, { districtCode: '310110', id: sonId })).residenceDivisionCode,
    ).toBe('310110001003');

    // He comes back as head of A3 after his mother hands over the headship.
    const back = await movePerson(
      ctx.store,
      STREET_A,
      actor,
      {
        districtCode: '310110',
        personId: sonId,
        to: { districtCode: '310110', id: h.id },
        relationCode: '20',
        date: '2021-01-01',
      },
      { today: TODAY },
    );
    expect(back.value.validFrom).toBe('2021-01-01');
    const changed = await changeHead(
      ctx.store,
      STREET_A,
      actor,
      {
        household: { districtCode: '310110', id: h.id },
        newHeadPersonId: sonId,
        formerHeadRelationCode: '52',
        date: '2022-01-01',
      },
      { today: TODAY },
    );
    expect(changed.value.map((m) => [m.personId, m.relationCode])).toEqual([
      [yangId, '52'],
      [sonId, '02'],
    ]);
    await endMembership(
      ctx.store,
      STREET_A,
      actor,
      {
        household: { districtCode: '310110', id: h.id },
        personId: yangId,
        validTo: '2023-03-03',
        endReason: 'death',
      },
      { today: TODAY },
    );

    const detail = await getHouseholdDetail(ctx.store.db, STREET_A, { districtCode: '310110', id: h.id });
    expect(detail.household).toMatchObject({
      householdNo: 'A3',
      committeeName: '十七棉工房第二居委会',
      districtName: '杨浦区',
    });
    expect(detail.members.map((m) => [m.person.name, m.relationCode, m.relationName])).toEqual([
      ['杨二', '02', '户主'],
    ]);
    // 户主姓名 on the household follows the head change: the search by head finds the new head only.
    const byHead = await searchHouseholds(ctx.store.db, STREET_A, { headName: '杨' });
    expect(byHead.rows.map((r) => [r.householdNo, r.headName])).toEqual([['A3', '杨二']]);
    expect(
      detail.history.map((r) => [r.name, r.relationName, r.validFrom, r.validTo, r.endReasonName]),
    ).toEqual([
      ['杨一', '户主', '2015-03-01', '2022-01-01', '户主变更'],
      ['杨二', '子', '2016-01-01', '2020-05-01', '转户'],
      ['杨二', '子', '2021-01-01', '2022-01-01', '户主变更'],
      ['杨一', '母亲', '2022-01-01', '2023-03-03', '死亡'],
      ['杨二', '户主', '2022-01-01', null, null],
    ]);
    const a2 = await getHouseholdDetail(ctx.store.db, STREET_A, {
      districtCode: '310110',
      householdNo: 'A2',
    });
    expect(a2.history.map((r) => [r.name, r.relationName, r.validFrom, r.validTo])).toEqual([
      ['单田芳', '户主', '2000-01-01', null],
      ['杨二', '非亲属', '2020-05-01', '2021-01-01'],
    ]);
  });

  it('refuses a person in two current households with a clear Chinese error', async () => {
    const zhangId = await personId(ctx.store, '张三');
    const attempt = createHousehold(
      ctx.store,
      ALL,
      actor,
      {
        householdNo: 'A9',
        committeeCode: '310110001003',
        validFrom: '2024-01-01',
        members: [{ personId: zhangId, relationCode: '02' }],
      },
      { today: TODAY },
    );
    await expect(attempt).rejects.toMatchObject({ code: 'already_in_household' });
    await expect(attempt).rejects.toThrow(
      /张三（身份证号 310110\*{8}\w{4}）已是户「A1」的现有成员，一个人不能同时属于两个家庭户/,
    );
    const add = addMember(
      ctx.store,
      ALL,
      actor,
      {
        household: { districtCode: '310110', householdNo: 'A2' },
        member: { personId: zhangId, relationCode: '99' },
        validFrom: '2024-01-01',
      },
      { today: TODAY },
    );
    await expect(add).rejects.toThrow('不能同时属于两个家庭户');
    expect((await searchHouseholds(ctx.store.db, ALL, { householdNo: 'A9' })).total).toBe(0);
    await expect(
      addMember(
        ctx.store,
        ALL,
        actor,
        {
          household: { districtCode: '310110', householdNo: 'A2' },
          member: { person: { ...zhangSan, name: '张三二' }, relationCode: '99' },
          validFrom: '2024-01-01',
        },
        { today: TODAY },
      ),
    ).rejects.toMatchObject({ code: 'duplicate', field: 'idNumber' });
    await expect(
      endMembership(
        ctx.store,
        ALL,
        actor,
        {
          household: { districtCode: '310110', householdNo: 'A1' },
          personId: zhangId,
          validTo: '2024-01-01',
          endReason: 'moved_out',
        },
        { today: TODAY },
      ),
    ).rejects.toThrow('户主不能在其他成员仍在户时迁出');
    await expect(
      addMember(
        ctx.store,
        ALL,
        actor,
        {
          household: { districtCode: '310110', householdNo: 'A1' },
          member: { person: person('新户主', '1970-01-01', 1), relationCode: '02' },
          validFrom: '2024-01-01',
        },
        { today: TODAY },
      ),
    ).rejects.toThrow('该户已有户主');
  });

  it('records every changed row in the unit, and rolls everything back when the unit fails', async () => {
    const joined = await addMember(
      ctx.store,
      ALL,
      { ...actor, requestId: 'r-1' },
      {
        household: { districtCode: '310110', householdNo: 'B1' },
        member: { person: person('钱七', '2000-01-01', 2, { phone: '13900001111' }), relationCode: '30' },
        validFrom: '2024-01-01',
      },
      { today: TODAY },
    );
    expect(joined.changes.map((c) => c.entityType)).toEqual(['person', 'household_member']);
    const audit = await listAudit(ctx.store, {
      scope: ALL,
      action: 'household.member_added',
      limit: 10,
      offset: 0,
    });
    expect(audit.items.map((r) => [r.entityType, r.district, r.reason, r.requestId])).toEqual(
      expect.arrayContaining([
        ['person', '310110', actor.reason, 'r-1'],
        ['household_member', '310110', actor.reason, 'r-1'],
      ]),
    );
    const snapshot = audit.items.find((r) => r.entityType === 'person')?.after;
    expect(JSON.stringify(snapshot)).toContain(joined.changes[0]!.entityId);
    // Read back through the redaction: no full phone number.
    expect(JSON.stringify(redactSnapshot(snapshot))).toContain('139****1111');
    expect(JSON.stringify(redactSnapshot(snapshot))).not.toContain('13900001111');
    expect((await verifyAuditChain(ctx.store)).ok).toBe(true);

    const before = await countRows(ctx.store, 'household_members');
    await expect(
      inUnitOfWork(ctx.store, actor, async (tx) => {
        await registry.addMember(
          tx,
          ALL,
          {
            household: { districtCode: '310110', householdNo: 'B1' },
            member: { person: person('孙八', '2001-01-01', 1), relationCode: '20' },
            validFrom: '2024-01-01',
          },
          { today: TODAY },
        );
        throw new Error('a later step failed');
      }),
    ).rejects.toThrow('a later step failed');
    expect(await countRows(ctx.store, 'household_members')).toBe(before);
    expect((await searchPersons(ctx.store.db, ALL, { name: '孙八' })).total).toBe(0);
  });

  it('streams engine input by keyset pages with the month semantics', async () => {
    const collect = async (
      scope: Parameters<typeof streamPolicyHouseholds>[1],
      month: string,
      batchSize = 1,
    ) => {
      const out = [];
      for await (const row of streamPolicyHouseholds(ctx.store, scope, month, { batchSize })) out.push(row);
      return out;
    };
    const march2023 = await collect(STREET_A, '2023-03');
    const a3 = march2023.find((r) => r.household.members.length === 2);
    expect(march2023.map((r) => r.household.members.length).sort()).toEqual([1, 2, 3]);
    expect(a3).toBeDefined(); // 杨一 leaves on 2023-03-03: still counted in March
    const april = await collect(STREET_A, '2023-04');
    expect(april.map((r) => r.household.members.length).sort()).toEqual([1, 1, 3]);
    // One big batch spans other streets' households by id range: the scope still holds.
    const aprilOneBatch = await collect(STREET_A, '2023-04', 1000);
    expect(aprilOneBatch).toEqual(april);
    const streetB = await collect(STREET_B, '2024-02', 1000);
    expect(streetB.map((r) => r.household.members.length)).toEqual([3]);
    const yangpu = await collect(YANGPU, '2022-08');
    expect(new Set(yangpu.map((r) => r.householdId)).size).toBe(yangpu.length);
    expect(yangpu.every((r) => r.districtCode === '310110')).toBe(true);
    const b = yangpu.find((r) => r.householdId === b1.id)!;
    expect(
      b.household.members.map((m) => [m.hukou, m.disabilityKind, m.disabilityGrade, m.categories]),
    ).toEqual([
      ['shanghai', null, null, []],
      ['other', 'physical', 2, ['tekun']],
    ]);
    const all = await collect(ALL, '2022-08');
    expect(all.length).toBe(yangpu.length + 1);
    expect((await collect(ALL, '1999-12')).length).toBe(0);
  });

  it('computes dashboard figures in SQL for a scope and a date', async () => {
    const f = await populationFigures(ctx.store.db, STREET_B, '2022-06-30');
    // 张寿山 (73), 王五 (37); 钱七 joins B1 in 2024 but her residence is already B: born 2000, counts as a person.
    expect(f.persons).toBe(3);
    expect(f.households).toBe(1);
    expect(f.pyramid.find((b) => b.band === '70-74')).toEqual({
      band: '70-74',
      male: 1,
      female: 0,
      other: 0,
    });
    expect(f.pyramid.find((b) => b.band === '20-24')).toEqual({
      band: '20-24',
      male: 0,
      female: 1,
      other: 0,
    });
    expect(f.elderly).toMatchObject({ aged60plus: 1, sharePerMille: 333, aged80plus: 0 });
    expect(f.disability.byCategory.find((c) => c.category === 4)).toEqual({
      category: 4,
      name: '肢体残疾',
      count: 1,
    });
    expect(f.categories.find((c) => c.category === 'tekun')?.count).toBe(1);

    const a = await populationFigures(ctx.store.db, STREET_A, '2022-06-30');
    // 张三 72, 李四 69, 张小明 11, 单田芳 102, 杨一 62, 杨二 32
    expect(a.persons).toBe(6);
    expect(a.households).toBe(3);
    expect(a.elderly.aged60plus).toBe(4);
    expect(a.elderly.bands).toEqual([
      { band: '60-69', count: 2, sharePerMille: 500 },
      { band: '70-79', count: 1, sharePerMille: 250 },
      { band: '80-89', count: 0, sharePerMille: 0 },
      { band: '90-99', count: 0, sharePerMille: 0 },
      { band: '100+', count: 1, sharePerMille: 250 },
    ]);
    expect(a.elderly.aged100plus).toBe(1);
    // Completed years: 张三 (born 1950-03-10) is 74 the day before his 75th birthday and 75 on it.
    const band = async (asOf: string, label: string) =>
      (await populationFigures(ctx.store.db, STREET_A, asOf)).pyramid.find((b) => b.band === label)?.male;
    expect([await band('2025-03-09', '70-74'), await band('2025-03-09', '75-79')]).toEqual([1, 0]);
    expect([await band('2025-03-10', '70-74'), await band('2025-03-10', '75-79')]).toEqual([0, 1]);
    expect(a.disability.byGrade.find((g) => g.grade === 1)?.count).toBe(1);
    expect(a.categories.find((c) => c.category === 'traditional')?.count).toBe(1);
    expect(a.byStreet).toEqual([
      { streetCode: '310110001', streetName: '定海路街道', persons: 6, households: 3 },
    ]);
    // 杨一 died on 2023-03-03 (recorded with the end of her membership): on 2022-06-30 she still counts.
    const yangpu = await populationFigures(ctx.store.db, YANGPU, '2022-06-30');
    expect(yangpu.byStreet.map((s) => [s.streetName, s.persons])).toEqual([
      ['定海路街道', 6],
      ['控江路街道', 3],
    ]);
    expect(yangpu.persons).toBe(9);
    expect((await populationFigures(ctx.store.db, ALL, '2022-06-30')).persons).toBe(10);
    await expect(populationFigures(ctx.store.db, ALL, '2022-02-30')).rejects.toThrow(
      '日期「2022-02-30」无效',
    );
  });

  it('lists a household whose members all left, with a member count of 0', async () => {
    const e = await household(ctx.store, 'E1', '310109009002', '2025-01-01', [
      [person('钟九', '1970-01-01', 1, { hukouDivisionCode: '310109009' }), '02'],
    ]);
    const head = await personId(ctx.store, '钟九');
    await endMembership(
      ctx.store,
      ALL,
      actor,
      {
        household: { districtCode: '310109', id: e.id },
        personId: head,
        validTo: '2025-06-01',
        endReason: 'moved_out',
      },
      { today: TODAY },
    );
    const hongkou = divisionScope('310109009');
    expect(
      (await searchHouseholds(ctx.store.db, hongkou, {})).rows.map((r) => [
        r.householdNo,
        r.memberCount,
        r.headName,
      ]),
    ).toEqual([
      ['E1', 0, null],
      ['HK1', 1, '赵六'],
    ]);
    expect(
      (await searchHouseholds(ctx.store.db, hongkou, { maxMembers: 0 })).rows.map((r) => r.householdNo),
    ).toEqual(['E1']);
    expect(
      (await searchHouseholds(ctx.store.db, hongkou, { minMembers: 1 })).rows.map((r) => r.householdNo),
    ).toEqual(['HK1']);
  });
  it('death ends the membership after the day of death and records that day, audited in the same transaction', async () => {
    const d = await household(ctx.store, 'D1', '310110001001', '2015-01-01', [
      [person('周守义', '1940-02-02', 1), '02'],
      [person('吴桂兰', '1942-03-03', 2), '10'],
      [person('郑有德', '1944-04-04', 1, { deathDate: '2024-05-05' }), '99'],
    ]);
    const ref = { districtCode: '310110', id: d.id };
    const wu = await personId(ctx.store, '吴桂兰');
    const zheng = await personId(ctx.store, '郑有德');
    const end = (personId: string, validTo: string) =>
      endMembership(
        ctx.store,
        STREET_A,
        actor,
        { household: ref, personId, validTo, endReason: 'death' },
        { today: TODAY },
      );

    const result = await end(wu, '2025-10-01');
    expect(result.value).toMatchObject({ validTo: '2025-10-01', endReason: 'death' });
    expect(result.changes.map((c) => c.entityType)).toEqual(['household_member', 'person']);
    expect((await getPerson(ctx.store.db, ALL, { districtCode: '310110', id: wu })).deathDate).toBe(
      '2025-09-30',
    );
    const audit = await listAudit(ctx.store, {
      scope: ALL,
      entityType: 'person',
      entityId: wu,
      action: 'household.member_ended',
      limit: 10,
      offset: 0,
    });
    expect(audit.items).toHaveLength(1);
    expect(audit.items[0]).toMatchObject({
      action: 'household.member_ended',
      reason: actor.reason,
      before: { name: '吴桂兰', deathDate: null },
      after: { name: '吴桂兰', deathDate: '2025-09-30' },
    });
    // Dead from that day on: left out of a default search.
    expect((await searchPersons(ctx.store.db, STREET_A, { name: '吴桂兰' })).total).toBe(0);

    // A different death date already recorded: refused, and nothing is written (the membership stays).
    const membersBefore = await countRows(ctx.store, 'household_members');
    await expect(end(zheng, '2024-06-01')).rejects.toMatchObject({ code: 'conflict', field: 'validTo' });
    await expect(end(zheng, '2024-06-01')).rejects.toThrow('已登记死亡日期 2024-05-05');
    const detail = await getHouseholdDetail(ctx.store.db, STREET_A, ref);
    expect(detail.members.map((m) => m.person.name)).toEqual(['周守义', '郑有德']);
    expect(await countRows(ctx.store, 'household_members')).toBe(membersBefore);
    // The same date: the membership ends, the person is left as it is (no second person change).
    const same = await end(zheng, '2024-05-06');
    expect(same.changes.map((c) => c.entityType)).toEqual(['household_member']);

    // Not in the future; other end reasons leave the death date alone.
    const zhou = await personId(ctx.store, '周守义');
    await expect(end(zhou, '2026-12-02')).rejects.toThrow('死亡日期不能晚于今天');
    await endMembership(
      ctx.store,
      STREET_A,
      actor,
      { household: ref, personId: zhou, validTo: '2026-01-01', endReason: 'moved_out' },
      { today: TODAY },
    );
    expect((await getPerson(ctx.store.db, ALL, { districtCode: '310110', id: zhou })).deathDate).toBeNull();
  });

  it("files a city-level actor's writes under the household's district", async () => {
    const committeeCode = divisionIndex().children('310110012')[0]?.code ?? '';
    await createHousehold(
      ctx.store,
      ALL,
      { userId: 'u-1', divisionCode: '310000', reason: '新建户' },
      {
        householdNo: 'AUD-1',
        committeeCode,
        validFrom: '2021-01-01',
        members: [{ relationCode: '02', person: person('审计甲', '1970-01-02', 1) }],
      },
      { today: TODAY },
    );
    const rows = await listAudit(ctx.store, {
      scope: ALL,
      action: 'household.created',
      limit: 50,
      offset: 0,
    });
    const mine = rows.items.filter((r) => r.reason === '新建户');
    expect(mine.map((r) => r.entityType).sort()).toEqual(['household', 'household_member', 'person']);
    expect(mine.map((r) => r.district)).toEqual(['310110', '310110', '310110']);
  });
});
