import { randomUUID } from 'node:crypto';
import type { DataScope } from '../auth/scope.ts';
import { shanghaiToday } from '../core/clock.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { staleVersion } from '../workflow/workflow.errors.ts';
import { HEAD_RELATION, isEndReason, END_REASONS } from './codes.ts';
import { divisionIndex } from './divisions.ts';
import { recordOpeningFacts } from './facts/facts.service.ts';
import {
  bumpHouseholdVersion,
  endMembershipRow,
  findHousehold,
  householdMemberRows,
  householdNoTaken,
  insertHousehold,
  insertMembership,
  nextSeq,
  personMemberships,
  refreshHouseholdHeads,
  updateMembershipRelation,
} from './household.repository.ts';
import { maskIdNumber } from './id-number.ts';
import {
  findPerson,
  findPersonIdByIdNumber,
  insertPerson,
  livePersonsWithIdNumber,
  personRowsById,
  setPersonDeathDate,
  updatePersonResidence,
} from './person.repository.ts';
import { RegistryError, RegistryValidationError, uniqueViolation } from './registry.errors.ts';
import type {
  AddMemberInput,
  Change,
  ChangeHeadInput,
  CreateHouseholdInput,
  EndMembershipInput,
  HouseholdRecord,
  MemberInput,
  MembershipRecord,
  MovePersonInput,
  PersonRecord,
  RegistryAction,
  WriteOptions,
  WriteResult,
} from './registry.types.ts';
import {
  assertDivision,
  checkDate,
  checkFen,
  checkRelation,
  validateNewPerson,
  type Problem,
} from './registry.validation.ts';

/**
 * Membership changes (创建家庭户, 成员迁入/迁出, 转户, 变更户主): each runs in the caller's unit of work
 * (`tx`, opened by a route, a CLI command or a job), validates before it writes, records every row it
 * changed with `tx.record` (before/after, the unit's reason), and returns those changes.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

function membershipId(m: MembershipRecord): string {
  return `${m.householdId}/${m.personId}/${m.validFrom}`;
}

export function membershipChange(before: MembershipRecord | null, after: MembershipRecord): Change {
  return {
    entityType: 'household_member',
    entityId: membershipId(after),
    districtCode: after.districtCode,
    before,
    after,
  };
}

export function throwIfProblems(problems: Problem[]): void {
  if (problems.length > 0) throw new RegistryValidationError(problems);
}

/** A unique index the database enforced, in the user's words. */
function constraintError(error: unknown): unknown {
  const constraint = uniqueViolation(error);
  switch (constraint) {
    case undefined:
      return error;
    case 'household_members_current_uq':
      return new RegistryError(
        'already_in_household',
        '该人员已是另一家庭户的现有成员，一个人不能同时属于两个家庭户',
      );
    case 'household_members_head_uq':
      return new RegistryError('conflict', '该户已有户主，一户只能有一名户主；请使用“变更户主”');
    case 'persons_id_number_uq':
      return new RegistryError('duplicate', '该身份证号已登记，请按已有人员添加', 'idNumber');
    case 'households_no_uq':
      return new RegistryError('duplicate', '户编号已存在', 'householdNo');
    default:
      return new RegistryError('conflict', `数据冲突（${constraint}），请刷新后重试`);
  }
}

/**
 * Runs one registry write inside the caller's unit: the work collects the rows it changed, the
 * households it touched get their 户主姓名 refreshed, and every change is recorded for the audit chain
 * (the unit commits them with the writes). A unique index the database enforced becomes a Chinese error.
 */
export async function registryWrite<T>(
  tx: WorkTx,
  action: RegistryAction,
  options: WriteOptions | undefined,
  work: (changes: Change[], today: string) => Promise<T>,
): Promise<WriteResult<T>> {
  const today = options?.today ?? shanghaiToday(tx.now);
  try {
    const changes: Change[] = [];
    const value = await work(changes, today);
    await refreshTouchedHeads(tx, changes);
    for (const change of changes) {
      tx.record({
        action,
        entityType: change.entityType,
        entityId: change.entityId,
        district: change.districtCode,
        before: change.before,
        after: change.after,
      });
    }
    return { action, value, changes };
  } catch (error) {
    throw constraintError(error);
  }
}

/** Keeps 户主姓名 on every household whose memberships this write changed. */
async function refreshTouchedHeads(tx: WorkTx, changes: readonly Change[]): Promise<void> {
  const byDistrict = new Map<string, Set<string>>();
  for (const change of changes) {
    const id = change.entityType === 'household' ? change.entityId : householdIdOf(change);
    if (id === undefined) continue;
    const ids = byDistrict.get(change.districtCode) ?? new Set<string>();
    byDistrict.set(change.districtCode, ids.add(id));
  }
  for (const [district, ids] of byDistrict) await refreshHouseholdHeads(tx.db, district, [...ids]);
}

function householdIdOf(change: Change): string | undefined {
  if (change.entityType !== 'household_member') return undefined;
  const row = (change.after ?? change.before) as MembershipRecord | null;
  return row?.householdId;
}

export function describePerson(p: PersonRecord): string {
  return `${p.name}（身份证号 ${maskIdNumber(p.idNumber)}）`;
}

/** The person must have no current membership and no history row that ends after `from`. */
async function assertFreeFrom(tx: WorkTx, person: PersonRecord, from: string): Promise<void> {
  const history = await personMemberships(tx.db, person.districtCode, person.id, true);
  const current = history.find((m) => m.validTo === null);
  if (current) {
    const household = await findHousehold(
      tx.db,
      { kind: 'all' },
      { districtCode: current.districtCode, id: current.householdId },
    );
    throw new RegistryError(
      'already_in_household',
      `${describePerson(person)}已是户「${household?.householdNo ?? current.householdId}」的现有成员，一个人不能同时属于两个家庭户；请先办理迁出或转户`,
      'personId',
    );
  }
  const lastEnd = history.reduce<string | null>(
    (max, m) => (m.validTo && (!max || m.validTo > max) ? m.validTo : max),
    null,
  );
  if (lastEnd && from < lastEnd) {
    throw new RegistryError(
      'validation',
      `${describePerson(person)}在 ${lastEnd} 前仍属于其他家庭户，起始日期不能早于该日`,
      'validFrom',
    );
  }
}

function validateMemberInputs(
  members: readonly MemberInput[],
  validFrom: string,
  today: string,
  prefix: string,
): Problem[] {
  const problems: Problem[] = [];
  const seenIds = new Set<string>();
  for (const [i, member] of members.entries()) {
    const field = `${prefix}[${i}]`;
    checkRelation(problems, `${field}.relationCode`, member.relationCode);
    if ('person' in member) {
      const result = validateNewPerson(member.person, { today, prefix: `${field}.person` });
      if (!result.ok) problems.push(...result.problems);
      else {
        if (seenIds.has(result.record.idNumber)) {
          problems.push({ field: `${field}.person.idNumber`, message: '同一身份证号在本次提交中出现多次' });
        }
        seenIds.add(result.record.idNumber);
        if (result.record.birthDate > validFrom) {
          problems.push({ field: `${field}.person.birthDate`, message: '成员关系起始日期不能早于出生日期' });
        }
      }
    } else if (!isUuid(member.personId)) {
      problems.push({ field: `${field}.personId`, message: '人员ID格式无效' });
    } else if (seenIds.has(member.personId)) {
      problems.push({ field: `${field}.personId`, message: '同一人员在本次提交中出现多次' });
    } else seenIds.add(member.personId);
  }
  return problems;
}

/** Inserts a new person or locks an existing one, checks it is free, and makes it a member. */
async function addOneMember(
  tx: WorkTx,
  scope: DataScope,
  household: HouseholdRecord,
  member: MemberInput,
  validFrom: string,
  seq: number,
  today: string,
  changes: Change[],
): Promise<MembershipRecord> {
  let person: PersonRecord;
  if ('person' in member) {
    const result = validateNewPerson(member.person, { today });
    if (!result.ok) throw new RegistryValidationError(result.problems);
    if (await findPersonIdByIdNumber(tx.db, household.districtCode, result.record.idNumber)) {
      throw new RegistryError(
        'duplicate',
        `身份证号 ${maskIdNumber(result.record.idNumber)} 已登记，请按已有人员（人员ID）添加`,
        'idNumber',
      );
    }
    // Ids are city-wide: a person managed by another district comes here by a transfer, not a new record.
    const elsewhere = await livePersonsWithIdNumber(tx.db, result.record.idNumber);
    if (elsewhere[0]) {
      const name = divisionIndex().get(elsewhere[0].districtCode)?.name ?? elsewhere[0].districtCode;
      throw new RegistryError(
        'duplicate',
        `身份证号 ${maskIdNumber(result.record.idNumber)} 已在${name}登记：迁入本区须由${name}发起跨区迁移，经本区接收后生效`,
        'idNumber',
      );
    }
    person = {
      ...result.record,
      districtCode: household.districtCode,
      id: randomUUID(),
      residenceDivisionCode: household.committeeCode,
    };
    await insertPerson(tx.db, person);
    changes.push({
      entityType: 'person',
      entityId: person.id,
      districtCode: person.districtCode,
      before: null,
      after: person,
    });
    // The economic values given with a new person are declared facts from the membership's start (the
    // engine reads facts; the person's columns are their projection).
    await recordOpeningFacts(
      tx,
      { subjectType: 'person', districtCode: person.districtCode, subjectId: person.id },
      person,
      validFrom,
    );
  } else {
    const found = await findPerson(tx.db, scope, household.districtCode, member.personId, true);
    if (!found) {
      const error = await notHereError(tx, member.personId, household.districtCode);
      throw error.code === 'not_found'
        ? new RegistryError('not_found', `人员「${member.personId}」不存在或不在您的数据范围内`, 'personId')
        : error;
    }
    if (found.birthDate > validFrom)
      throw new RegistryError('validation', '成员关系起始日期不能早于出生日期', 'validFrom');
    await assertFreeFrom(tx, found, validFrom);
    person = found;
    if (person.residenceDivisionCode !== household.committeeCode) {
      await updatePersonResidence(tx.db, person.districtCode, person.id, household.committeeCode);
      const after = { ...person, residenceDivisionCode: household.committeeCode };
      changes.push({
        entityType: 'person',
        entityId: person.id,
        districtCode: person.districtCode,
        before: person,
        after,
      });
    }
  }
  const membership: MembershipRecord = {
    districtCode: household.districtCode,
    householdId: household.id,
    personId: person.id,
    relationCode: member.relationCode,
    validFrom,
    validTo: null,
    endReason: null,
    seq,
  };
  await insertMembership(tx.db, membership);
  changes.push(membershipChange(null, membership));
  return membership;
}

/** 新建家庭户: the household and its members (new persons or existing ones by id), exactly one head. */
export async function createHousehold(
  tx: WorkTx,
  scope: DataScope,
  input: CreateHouseholdInput,
  options?: WriteOptions,
): Promise<WriteResult<HouseholdRecord>> {
  return registryWrite(tx, 'household.created', options, async (changes, today) => {
    const committee = assertDivision(input.committeeCode, 'committee', scope, 'committeeCode');
    const problems: Problem[] = [];
    const householdNo = input.householdNo.trim();
    if (!/^[A-Za-z0-9-]{1,32}$/.test(householdNo)) {
      problems.push({ field: 'householdNo', message: '户编号应为1–32位字母、数字或“-”' });
    }
    checkDate(problems, 'validFrom', input.validFrom, '起始日期');
    checkFen(problems, 'monetaryAssetsFen', input.monetaryAssetsFen, '货币财产');
    checkFen(problems, 'medicalExpenseAnnualFen', input.medicalExpenseAnnualFen, '年医疗支出');
    checkFen(problems, 'educationExpenseAnnualFen', input.educationExpenseAnnualFen, '年教育支出');
    for (const [field, value, label] of [
      ['vehicles', input.vehicles, '机动车数'],
      ['homes', input.homes, '住房套数'],
    ] as const) {
      if (value !== undefined && (!Number.isInteger(value) || value < 0 || value > 32767)) {
        problems.push({ field, message: `${label}应为不小于0的整数` });
      }
    }
    const heads = input.members.filter((m) => m.relationCode === HEAD_RELATION).length;
    if (input.members.length === 0) problems.push({ field: 'members', message: '家庭户至少要有一名成员' });
    else if (heads !== 1)
      problems.push({ field: 'members', message: `家庭户须有且只有一名户主（关系代码02），现有${heads}名` });
    problems.push(...validateMemberInputs(input.members, input.validFrom, today, 'members'));
    throwIfProblems(problems);
    const districtCode = committee.districtCode ?? input.committeeCode.slice(0, 6);
    if (await householdNoTaken(tx.db, districtCode, householdNo)) {
      throw new RegistryError('duplicate', `户编号「${householdNo}」在本区已存在`, 'householdNo');
    }
    const household: HouseholdRecord = {
      districtCode,
      id: randomUUID(),
      householdNo,
      streetCode: input.committeeCode.slice(0, 9),
      committeeCode: input.committeeCode,
      address: input.address?.trim() ?? '',
      monetaryAssetsFen: input.monetaryAssetsFen ?? 0,
      vehicles: input.vehicles ?? 0,
      homes: input.homes ?? 1,
      perCapitaFloorAreaBelowAverage: input.perCapitaFloorAreaBelowAverage ?? false,
      medicalExpenseAnnualFen: input.medicalExpenseAnnualFen ?? 0,
      educationExpenseAnnualFen: input.educationExpenseAnnualFen ?? 0,
    };
    await insertHousehold(tx.db, household);
    await recordOpeningFacts(
      tx,
      { subjectType: 'household', districtCode, subjectId: household.id },
      household,
      input.validFrom,
    );
    changes.push({
      entityType: 'household',
      entityId: household.id,
      districtCode,
      before: null,
      after: household,
    });
    // The head first so that the household always lists a head before its other members.
    const ordered = [...input.members].sort(
      (a, b) => Number(b.relationCode === HEAD_RELATION) - Number(a.relationCode === HEAD_RELATION),
    );
    for (const [i, member] of ordered.entries()) {
      await addOneMember(tx, scope, household, member, input.validFrom, i + 1, today, changes);
    }
    return household;
  });
}

/**
 * Locks a household in the scope for a write of its memberships: refuses a stale version (the one the
 * client saw, when it sent one) and increments the version, so the next stale page is refused in turn.
 */
export async function lockHousehold(
  tx: WorkTx,
  scope: DataScope,
  ref: AddMemberInput['household'],
  expectedVersion?: number,
): Promise<HouseholdRecord> {
  if ('id' in ref && !isUuid(ref.id))
    throw new RegistryError('not_found', '家庭户不存在或不在您的数据范围内', 'household');
  const household = await findHousehold(tx.db, scope, ref, true);
  if (!household) throw new RegistryError('not_found', '家庭户不存在或不在您的数据范围内', 'household');
  if (expectedVersion !== undefined && expectedVersion !== household.version) {
    throw staleVersion(`家庭户「${household.householdNo}」`, household.version);
  }
  const version = await bumpHouseholdVersion(tx.db, household);
  return { ...household, version: version ?? household.version };
}

/** Refuses a stale person version (the one the client saw, when it sent one). */
/**
 * The person an edit names (managing district and id), locked until the unit ends, with the version the
 * client saw checked: not found (or managed by another district, said so) and stale pages are refused here.
 */
export async function lockPerson(
  tx: WorkTx,
  scope: DataScope,
  ref: { districtCode: string; personId: string },
  expectedVersion: number | undefined,
): Promise<PersonRecord> {
  const person = isUuid(ref.personId)
    ? await findPerson(tx.db, scope, ref.districtCode, ref.personId, true)
    : undefined;
  if (!person) throw await notHereError(tx, ref.personId, ref.districtCode);
  checkPersonVersion(person, expectedVersion);
  return person;
}

export function checkPersonVersion(person: PersonRecord, expectedVersion: number | undefined): void {
  if (expectedVersion !== undefined && expectedVersion !== person.version) {
    throw staleVersion(`人员「${person.name}」的信息`, person.version);
  }
}

/**
 * A person asked for by id in a district where they are not managed: when another district manages
 * them, say so (a move there is a cross-district transfer that district must accept); else not found.
 */
export async function notHereError(
  tx: WorkTx,
  personId: string,
  districtCode: string,
): Promise<RegistryError> {
  const rows = isUuid(personId) ? await personRowsById(tx.db, personId) : [];
  const managing = rows.find((r) => r.residenceDivisionCode.startsWith(r.districtCode));
  if (managing && managing.districtCode !== districtCode) {
    const name = divisionIndex().get(managing.districtCode)?.name ?? managing.districtCode;
    return new RegistryError(
      'conflict',
      `该人员由${name}管理：迁入本区须由${name}发起跨区迁移，经本区接收后生效`,
      'personId',
    );
  }
  return new RegistryError('not_found', '人员不存在或不在您的数据范围内', 'personId');
}

/** 成员迁入: adds a member from `validFrom`; a head ('02') only when the household has none. */
export async function addMember(
  tx: WorkTx,
  scope: DataScope,
  input: AddMemberInput,
  options?: WriteOptions,
): Promise<WriteResult<MembershipRecord>> {
  return registryWrite(tx, 'household.member_added', options, (changes, today) =>
    addMemberRows(tx, scope, input, changes, today),
  );
}

/** The body of 成员迁入 (also of 出生登记): validates, locks the household, adds the member. */
export async function addMemberRows(
  tx: WorkTx,
  scope: DataScope,
  input: AddMemberInput,
  changes: Change[],
  today: string,
): Promise<MembershipRecord> {
  const problems: Problem[] = [];
  if (checkDate(problems, 'validFrom', input.validFrom, '迁入日期')) {
    problems.push(
      ...validateMemberInputs([input.member], input.validFrom, today, 'member').map((p) => ({
        ...p,
        field: p.field.replace('member[0]', 'member'),
      })),
    );
  }
  throwIfProblems(problems);
  const household = await lockHousehold(tx, scope, input.household, input.version);
  const current = await householdMemberRows(tx.db, household.districtCode, household.id, true);
  if (
    input.member.relationCode === HEAD_RELATION &&
    current.some((m) => m.membership.relationCode === HEAD_RELATION)
  ) {
    throw new RegistryError(
      'conflict',
      '该户已有户主，一户只能有一名户主；请使用“变更户主”',
      'member.relationCode',
    );
  }
  const seq = await nextSeq(tx.db, household.districtCode, household.id);
  return addOneMember(tx, scope, household, input.member, input.validFrom, seq, today, changes);
}

/**
 * 死亡注销, part of endMembership: the day of death is the membership's last day, so the death date is
 * the day before `validTo` (exclusive). A person who dies on the 1st thus still counts for that month,
 * as for any death during a month (countsInMonth). Checked before anything is written: not in the
 * future, and not against a different death date already recorded (the same one is left as it is).
 */
function deathDateOf(validTo: string): string {
  const [y, m, d] = validTo.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

function checkDeath(person: PersonRecord, deathDate: string, today: string): void {
  if (deathDate > today) throw new RegistryError('validation', '死亡日期不能晚于今天', 'validTo');
  if (person.deathDate !== null && person.deathDate !== deathDate) throw deathConflict(person, deathDate);
}

function deathConflict(person: PersonRecord, deathDate: string): RegistryError {
  return new RegistryError(
    'conflict',
    `${describePerson(person)}已登记死亡日期 ${person.deathDate ?? '（另一日期）'}，与本次注销日期 ${deathDate} 不一致；请先更正死亡日期`,
    'validTo',
  );
}

/** Sets the death date (unless already that date) and reports the person's change for the audit log. */
async function recordDeath(
  tx: WorkTx,
  person: PersonRecord,
  deathDate: string,
  changes: Change[],
): Promise<void> {
  if (person.deathDate === deathDate) return;
  if (!(await setPersonDeathDate(tx.db, person.districtCode, person.id, deathDate))) {
    throw deathConflict(person, deathDate);
  }
  changes.push({
    entityType: 'person',
    entityId: person.id,
    districtCode: person.districtCode,
    before: person,
    after: { ...person, deathDate },
  });
}

/**
 * 成员迁出/死亡注销: ends a current membership on `validTo` (exclusive). The head can only leave last.
 * With endReason 'death' the person's death date (the day before `validTo`) is set in the same transaction.
 */
export async function endMembership(
  tx: WorkTx,
  scope: DataScope,
  input: EndMembershipInput,
  options?: WriteOptions,
): Promise<WriteResult<MembershipRecord>> {
  return registryWrite(tx, 'household.member_ended', options, async (changes, today) => {
    const problems: Problem[] = [];
    checkDate(problems, 'validTo', input.validTo, '迁出日期');
    if (!isEndReason(input.endReason)) {
      problems.push({ field: 'endReason', message: `迁出原因应为：${Object.keys(END_REASONS).join('、')}` });
    }
    throwIfProblems(problems);
    const household = await lockHousehold(tx, scope, input.household, input.version);
    const current = await householdMemberRows(tx.db, household.districtCode, household.id, true);
    const row = current.find((m) => m.person.id === input.personId);
    if (!row) throw new RegistryError('not_found', '该人员不是此家庭户的现有成员', 'personId');
    if (input.validTo < row.membership.validFrom) {
      throw new RegistryError(
        'validation',
        `迁出日期不能早于迁入日期 ${row.membership.validFrom}`,
        'validTo',
      );
    }
    if (row.membership.relationCode === HEAD_RELATION && current.length > 1) {
      throw new RegistryError('conflict', '户主不能在其他成员仍在户时迁出，请先变更户主', 'personId');
    }
    const deathDate = input.endReason === 'death' ? deathDateOf(input.validTo) : undefined;
    if (deathDate) checkDeath(row.person, deathDate, today);
    const after = await endMembershipRow(tx.db, row.membership, input.validTo, input.endReason);
    if (!after) throw new RegistryError('conflict', '成员关系已被他人修改，请刷新后重试');
    changes.push(membershipChange(row.membership, after));
    if (deathDate) await recordDeath(tx, row.person, deathDate, changes);
    return after;
  });
}

/** 转户: ends the current membership and starts one in another household of the district, same date. */
export async function movePerson(
  tx: WorkTx,
  scope: DataScope,
  input: MovePersonInput,
  options?: WriteOptions,
): Promise<WriteResult<MembershipRecord>> {
  return registryWrite(tx, 'household.member_moved', options, async (changes) => {
    const problems: Problem[] = [];
    checkDate(problems, 'date', input.date, '转户日期');
    checkRelation(problems, 'relationCode', input.relationCode);
    throwIfProblems(problems);
    if (input.to.districtCode !== input.districtCode) {
      const name = divisionIndex().get(input.to.districtCode)?.name ?? input.to.districtCode;
      throw new RegistryError(
        'conflict',
        `迁入${name}的家庭户须经${name}接收：请发起跨区迁移，由${name}接收后生效`,
        'to',
      );
    }
    const person = await lockPerson(tx, scope, input, input.version);
    const target = await lockHousehold(tx, scope, input.to, input.toVersion);
    const history = await personMemberships(tx.db, person.districtCode, person.id, true);
    const current = history.find((m) => m.validTo === null);
    if (!current)
      throw new RegistryError(
        'conflict',
        `${describePerson(person)}当前不属于任何家庭户，请使用“成员迁入”`,
        'personId',
      );
    if (current.householdId === target.id)
      throw new RegistryError('conflict', '该人员已在目标家庭户中', 'to');
    if (input.date < current.validFrom) {
      throw new RegistryError('validation', `转户日期不能早于原户迁入日期 ${current.validFrom}`, 'date');
    }
    const source = await householdMemberRows(tx.db, current.districtCode, current.householdId, true);
    await bumpHouseholdVersion(tx.db, { districtCode: current.districtCode, id: current.householdId });
    if (current.relationCode === HEAD_RELATION && source.length > 1) {
      throw new RegistryError('conflict', '该人员是原户户主且原户仍有其他成员，请先变更原户户主', 'personId');
    }
    const targetMembers = await householdMemberRows(tx.db, target.districtCode, target.id, true);
    if (
      input.relationCode === HEAD_RELATION &&
      targetMembers.some((m) => m.membership.relationCode === HEAD_RELATION)
    ) {
      throw new RegistryError('conflict', '目标家庭户已有户主；请选择其他关系或先变更户主', 'relationCode');
    }
    const ended = await endMembershipRow(tx.db, current, input.date, 'moved');
    if (!ended) throw new RegistryError('conflict', '成员关系已被他人修改，请刷新后重试');
    changes.push(membershipChange(current, ended));
    const started: MembershipRecord = {
      districtCode: target.districtCode,
      householdId: target.id,
      personId: person.id,
      relationCode: input.relationCode,
      validFrom: input.date,
      validTo: null,
      endReason: null,
      seq: await nextSeq(tx.db, target.districtCode, target.id),
    };
    await insertMembership(tx.db, started);
    changes.push(membershipChange(null, started));
    if (person.residenceDivisionCode !== target.committeeCode) {
      await updatePersonResidence(tx.db, person.districtCode, person.id, target.committeeCode);
      changes.push({
        entityType: 'person',
        entityId: person.id,
        districtCode: person.districtCode,
        before: person,
        after: { ...person, residenceDivisionCode: target.committeeCode },
      });
    }
    return started;
  });
}

/**
 * 变更户主: from `date` the new head has relation '02', the former head the given relation, and the
 * listed members their new relations. Each changed row ends on `date` and a new row starts, so the
 * history keeps who was head when; a row that started on `date` itself is corrected in place.
 */
export async function changeHead(
  tx: WorkTx,
  scope: DataScope,
  input: ChangeHeadInput,
  options?: WriteOptions,
): Promise<WriteResult<MembershipRecord[]>> {
  return registryWrite(tx, 'household.head_changed', options, async (changes) => {
    const problems: Problem[] = [];
    checkDate(problems, 'date', input.date, '变更日期');
    checkRelation(problems, 'formerHeadRelationCode', input.formerHeadRelationCode);
    if (input.formerHeadRelationCode === HEAD_RELATION) {
      problems.push({ field: 'formerHeadRelationCode', message: '原户主的新关系不能是户主' });
    }
    for (const [personId, code] of Object.entries(input.otherRelations ?? {})) {
      checkRelation(problems, `otherRelations.${personId}`, code);
      if (code === HEAD_RELATION)
        problems.push({ field: `otherRelations.${personId}`, message: '只能有一名户主' });
    }
    throwIfProblems(problems);
    const household = await lockHousehold(tx, scope, input.household, input.version);
    const current = await householdMemberRows(tx.db, household.districtCode, household.id, true);
    const newHead = current.find((m) => m.person.id === input.newHeadPersonId);
    if (!newHead) throw new RegistryError('not_found', '新户主不是此家庭户的现有成员', 'newHeadPersonId');
    if (newHead.membership.relationCode === HEAD_RELATION)
      throw new RegistryError('conflict', '该成员已是户主', 'newHeadPersonId');
    const formerHead = current.find((m) => m.membership.relationCode === HEAD_RELATION);
    // Former head first: the one-head index must never see two current heads.
    const plan: { row: MembershipRecord; code: string }[] = [];
    if (formerHead) plan.push({ row: formerHead.membership, code: input.formerHeadRelationCode });
    for (const [personId, code] of Object.entries(input.otherRelations ?? {})) {
      const row = current.find((m) => m.person.id === personId);
      if (!row || row === newHead || row === formerHead) {
        throw new RegistryError(
          'validation',
          '关系变更只能针对除新旧户主以外的现有成员',
          `otherRelations.${personId}`,
        );
      }
      plan.push({ row: row.membership, code });
    }
    plan.push({ row: newHead.membership, code: HEAD_RELATION });
    const result: MembershipRecord[] = [];
    for (const { row, code } of plan) {
      if (input.date < row.validFrom) {
        throw new RegistryError('validation', `变更日期不能早于成员迁入日期 ${row.validFrom}`, 'date');
      }
      if (row.validFrom === input.date) {
        const after = await updateMembershipRelation(tx.db, row, code);
        if (!after) throw new RegistryError('conflict', '成员关系已被他人修改，请刷新后重试');
        changes.push(membershipChange(row, after));
        result.push(after);
        continue;
      }
      const ended = await endMembershipRow(tx.db, row, input.date, 'head_changed');
      if (!ended) throw new RegistryError('conflict', '成员关系已被他人修改，请刷新后重试');
      changes.push(membershipChange(row, ended));
      const started: MembershipRecord = {
        ...row,
        relationCode: code,
        validFrom: input.date,
        validTo: null,
        endReason: null,
      };
      await insertMembership(tx.db, started);
      changes.push(membershipChange(null, started));
      result.push(started);
    }
    return result;
  });
}
