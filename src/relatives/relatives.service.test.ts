import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { ALL, divisionScope } from '../auth/scope.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { movePerson } from '../registry/registry.service.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { isRelatedStaff, relativeConflicts } from './conflicts.service.ts';
import { relationBetween } from './relation-kinds.ts';
import {
  addCommitteeMember,
  declareRelative,
  endDeclaration,
  linkSelf,
  linkUser,
  listStaff,
  myRelatives,
} from './relatives.service.ts';
import { RelativesError } from './relatives.errors.ts';
import {
  newPerson,
  registryActor,
  seedHousehold,
  seedUser,
  type SeededHousehold,
} from './relatives.fixtures.ts';

describe('relations between two members of one household (pure)', () => {
  it('reads spouse, parent, child and sibling from the relations to the head', () => {
    expect(relationBetween('02', '10')).toBe('spouse');
    expect(relationBetween('12', '02')).toBe('spouse');
    expect(relationBetween('02', '22')).toBe('child');
    expect(relationBetween('31', '02')).toBe('parent');
    expect(relationBetween('20', '30')).toBe('sibling');
    expect(relationBetween('10', '20')).toBe('child');
    expect(relationBetween('20', '10')).toBe('parent');
    expect(relationBetween('51', '52')).toBe('spouse');
    expect(relationBetween('51', '02')).toBe('child');
    expect(relationBetween('02', '38')).toBe('child_spouse');
    expect(relationBetween('02', '76')).toBe('sibling_spouse');
  });

  it('finds nothing close for grandchildren, lodgers and pairs the codes leave open', () => {
    expect(relationBetween('02', '41')).toBeUndefined();
    expect(relationBetween('02', '99')).toBeUndefined();
    expect(relationBetween('20', '38')).toBeUndefined();
    expect(relationBetween('10', '97')).toBeUndefined();
  });
});

describeStores('close-relative declarations and conflicts', (ctx) => {
  let restore: () => void = () => {};
  let family: SeededHousehold;
  let applicant: SeededHousehold;
  let stranger: SeededHousehold;
  let staff: Awaited<ReturnType<typeof seedUser>>;
  let other: Awaited<ReturnType<typeof seedUser>>;
  let admin: Awaited<ReturnType<typeof seedUser>>;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-11-20'));
    // 张甲 (the caseworker) heads a household with his wife and son; 王丁 is his wife's brother, who
    // applies; 赵戊 is nobody's relative.
    family = await seedHousehold(ctx.store, 'HD-R-1', [
      { person: newPerson('张甲', '1975-01-01', 1), relationCode: '02' },
      { person: newPerson('李乙', '1977-02-02', 2), relationCode: '10' },
      { person: newPerson('张丙', '2000-03-03', 1), relationCode: '20' },
    ]);
    applicant = await seedHousehold(ctx.store, 'HD-R-2', [
      { person: newPerson('王丁', '1970-04-04', 1), relationCode: '02' },
    ]);
    stranger = await seedHousehold(ctx.store, 'HD-R-3', [
      { person: newPerson('赵戊', '1965-05-05', 2), relationCode: '02' },
    ]);
    staff = await seedUser(ctx.store, 'rel-street', 'street_caseworker', '310110012');
    other = await seedUser(ctx.store, 'rel-other', 'street_caseworker', '310110012');
    admin = await seedUser(ctx.store, 'rel-admin', 'admin', '310110');
  });
  afterAll(() => restore());

  const ids = (h: SeededHousehold) => h.members.map((m) => m.id);
  let motherId = '';

  it('links a user to their own person record once; a second try is refused', async () => {
    const link = await inUnitOfWork(ctx.store, staff.actor, (tx) =>
      linkSelf(tx, staff.caller, { idNumber: family.members[0]!.idNumber }),
    );
    expect(link).toMatchObject({ kind: 'user', personId: family.members[0]!.id, inRegistry: true });
    expect(link.idNumberMasked).toMatch(/^310110\*{8}\d{3}[\dX]$/);
    await expect(
      inUnitOfWork(ctx.store, staff.actor, (tx) =>
        linkSelf(tx, staff.caller, { idNumber: applicant.members[0]!.idNumber }),
      ),
    ).rejects.toMatchObject({ code: 'already_linked' });
  });

  it('finds the staff member’s wife and son in the registry, and the staff member as 本人', async () => {
    const conflicts = await ctx.store.transaction((tx) =>
      relativeConflicts(tx, ALL, { districtCode: '310110', personIds: ids(family) }),
    );
    const byName = new Map(conflicts.map((c) => [c.member.name, c]));
    expect(byName.get('李乙')).toMatchObject({
      foundBy: 'registry',
      current: true,
      relation: { kind: 'spouse', name: '配偶' },
      staff: {
        userId: staff.id,
        role: 'street_caseworker',
        roleName: '街道经办人',
        divisionCode: '310110012',
      },
    });
    expect(byName.get('张丙')?.relation.kind).toBe('child');
    expect(byName.get('张甲')?.relation.kind).toBe('self');
    expect(byName.get('李乙')?.staff.divisionName).toContain('控江路街道');
    expect(byName.get('李乙')?.member.idNumberMasked).toContain('****');
  });

  it('finds no conflict for applicants related to nobody, or for staff without relatives among them', async () => {
    await inUnitOfWork(ctx.store, other.actor, (tx) =>
      linkSelf(tx, other.caller, { idNumber: makeIdNumber('110101', '1980-06-06', 31) }),
    );
    const none = await ctx.store.transaction((tx) =>
      relativeConflicts(tx, ALL, { districtCode: '310110', personIds: ids(stranger) }),
    );
    expect(none).toEqual([]);
    expect(await ctx.store.transaction((tx) => isRelatedStaff(tx, other.id, ids(family)))).toBe(false);
    expect(await ctx.store.transaction((tx) => isRelatedStaff(tx, staff.id, ids(family)))).toBe(true);
    expect(await ctx.store.transaction((tx) => isRelatedStaff(tx, staff.id, ids(stranger)))).toBe(false);
  });

  it('finds a declared relative, and forgets the declaration once it is ended', async () => {
    const wang = applicant.members[0]!;
    const declared = await inUnitOfWork(ctx.store, staff.actor, (tx) =>
      declareRelative(tx, staff.caller, {
        relationCode: '76',
        relativeName: '王丁',
        idNumber: wang.idNumber,
      }),
    );
    expect(declared).toMatchObject({
      relationName: '姐夫',
      personId: wang.id,
      state: 'active',
      declaredOn: '2026-11-20',
    });
    const found = await ctx.store.transaction((tx) =>
      relativeConflicts(tx, ALL, { districtCode: '310110', personIds: ids(applicant) }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      foundBy: 'declared',
      foundByName: '本人备案',
      declarationId: declared.id,
      relation: { kind: 'sibling_spouse', code: '76', name: '姐夫' },
    });
    expect(await ctx.store.transaction((tx) => isRelatedStaff(tx, staff.id, ids(applicant)))).toBe(true);

    const ended = await inUnitOfWork(ctx.store, staff.actor, (tx) =>
      endDeclaration(tx, staff.caller, {
        districtCode: declared.districtCode,
        id: declared.id,
        version: declared.version,
        reason: '登记有误',
      }),
    );
    expect(ended).toMatchObject({ state: 'ended', endedOn: '2026-11-20', stateName: '已结束' });
    const after = await ctx.store.transaction((tx) =>
      relativeConflicts(tx, ALL, { districtCode: '310110', personIds: ids(applicant) }),
    );
    expect(after).toEqual([]);
    const mine = await ctx.store.transaction((tx) => myRelatives(tx, staff.caller));
    expect(mine.declarations.map((d) => d.state)).toEqual(['ended']);
  });

  it('matches a declared relative who is not in the registry when they appear in it later', async () => {
    const later = newPerson('孙己', '1950-07-07', 2);
    motherId = later.idNumber;
    await inUnitOfWork(ctx.store, staff.actor, (tx) =>
      declareRelative(tx, staff.caller, {
        relationCode: '52',
        relativeName: '孙己',
        idNumber: later.idNumber,
      }),
    );
    const arrived = await seedHousehold(ctx.store, 'HD-R-4', [{ person: later, relationCode: '02' }]);
    const found = await ctx.store.transaction((tx) =>
      relativeConflicts(tx, ALL, { districtCode: '310110', personIds: ids(arrived) }),
    );
    expect(found.map((c) => [c.member.name, c.relation.name, c.foundBy])).toEqual([
      ['孙己', '母亲', 'declared'],
    ]);
  });

  it('finds a relative who shared the household in the past (曾同户)', async () => {
    const son = family.members[2]!;
    await inUnitOfWork(ctx.store, registryActor, (tx) =>
      movePerson(tx, ALL, {
        districtCode: '310110',
        personId: son.id,
        to: { districtCode: '310110', id: stranger.id },
        relationCode: '97',
        date: '2026-10-01',
      }),
    );
    const found = await ctx.store.transaction((tx) =>
      relativeConflicts(tx, ALL, { districtCode: '310110', personIds: [son.id] }),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      foundBy: 'registry',
      current: false,
      foundByName: '户籍登记（曾同户）',
    });
    expect(found[0]!.relation.kind).toBe('child');
  });

  it('checks only applicants inside the caller’s scope', async () => {
    const elsewhere = await ctx.store.transaction((tx) =>
      relativeConflicts(tx, divisionScope('310110016'), { districtCode: '310110', personIds: ids(family) }),
    );
    expect(elsewhere).toEqual([]);
  });

  it('refuses bad input with every problem at once, and changes nothing', async () => {
    const before = await ctx.store.transaction((tx) => myRelatives(tx, staff.caller));
    const error = await inUnitOfWork(ctx.store, staff.actor, (tx) =>
      declareRelative(tx, staff.caller, {
        relationCode: '61',
        relativeName: ' ',
        idNumber: '310110197001010000',
        declaredOn: '2099-01-01',
      }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RelativesError);
    expect((error as RelativesError).problems).toHaveLength(4);
    const wrongName = await inUnitOfWork(ctx.store, staff.actor, (tx) =>
      declareRelative(tx, staff.caller, {
        relationCode: '10',
        relativeName: '别人',
        idNumber: family.members[1]!.idNumber,
      }),
    ).catch((e: unknown) => e);
    expect(wrongName).toMatchObject({ code: 'invalid' });
    const again = await inUnitOfWork(ctx.store, staff.actor, (tx) =>
      declareRelative(tx, staff.caller, { relationCode: '52', relativeName: '孙己', idNumber: motherId }),
    ).catch((e: unknown) => e);
    expect(again).toMatchObject({ code: 'duplicate' });
    const after = await ctx.store.transaction((tx) => myRelatives(tx, staff.caller));
    expect(after.declarations).toHaveLength(before.declarations.length);
  });

  it('lets an administrator list staff in scope, link a user and add a committee member who declares', async () => {
    const unlinked = await seedUser(ctx.store, 'rel-new', 'committee_assistant', '310110012001');
    const linked = await inUnitOfWork(ctx.store, admin.actor, (tx) =>
      linkUser(tx, admin.caller, { userId: unlinked.id, idNumber: stranger.members[0]!.idNumber }),
    );
    expect(linked.personId).toBe(stranger.members[0]!.id);
    const member = await inUnitOfWork(ctx.store, admin.actor, (tx) =>
      addCommitteeMember(tx, admin.caller, {
        committeeCode: '310110012001',
        name: '周庚',
        committeeRole: '委员',
        idNumber: makeIdNumber('310110', '1968-08-08', 551),
      }),
    );
    await inUnitOfWork(ctx.store, admin.actor, (tx) =>
      declareRelative(tx, admin.caller, {
        staff: { districtCode: member.districtCode, id: member.id },
        relationCode: '10',
        relativeName: '王丁',
        idNumber: applicant.members[0]!.idNumber,
      }),
    );
    const found = await ctx.store.transaction((tx) =>
      relativeConflicts(tx, ALL, { districtCode: '310110', personIds: ids(applicant) }),
    );
    expect(found.map((c) => [c.staff.name, c.staff.roleName, c.relation.name])).toEqual([
      ['周庚', '居委会成员（委员）', '配偶'],
    ]);
    const list = await ctx.store.transaction((tx) => listStaff(tx, admin.caller, { limit: 50, offset: 0 }));
    expect(list.total).toBe(4);
    expect(list.items.find((i) => i.name === '周庚')?.activeDeclarations).toBe(1);
    const street = await seedUser(ctx.store, 'rel-street2', 'street_caseworker', '310110016');
    await expect(
      ctx.store.transaction((tx) => listStaff(tx, street.caller, { limit: 50, offset: 0 })),
    ).rejects.toMatchObject({ code: 'forbidden' });
    await expect(
      inUnitOfWork(ctx.store, street.actor, (tx) =>
        declareRelative(tx, street.caller, {
          staff: { districtCode: member.districtCode, id: member.id },
          relationCode: '10',
          relativeName: '王丁',
          idNumber: applicant.members[0]!.idNumber,
        }),
      ),
    ).rejects.toMatchObject({ code: 'forbidden' });
  });

  it('writes an audit row for every link and declaration, ID numbers kept for the chain', async () => {
    const rows = await selectRows<{ action: string; n: number }>(
      ctx.store.db,
      sql`select action, count(*)::int as n from audit_log where action like 'relatives.%' group by action order by action`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.action, r.n]))).toEqual({
      'relatives.committee_member': 1,
      'relatives.declaration_ended': 1,
      'relatives.declared': 3,
      'relatives.linked': 3,
    });
  });
});
