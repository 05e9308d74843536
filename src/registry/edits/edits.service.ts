import { addDays } from '../../calendar/days.ts';
import type { DataScope } from '../../auth/scope.ts';
import type { Db } from '../../db/store.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { HEAD_RELATION, relationName } from '../codes.ts';
import {
  endMembershipRow,
  findHousehold,
  householdMemberRows,
  householdMembersOn,
  insertMembership,
  personMemberships,
  refreshHouseholdHeads,
  updateHouseholdAddress,
  updateMembershipRelation,
} from '../household.repository.ts';
import { isValidIsoDate, maskIdNumber } from '../id-number.ts';
import {
  addMemberRows,
  describePerson,
  isUuid,
  lockHousehold,
  lockPerson,
  membershipChange,
  registryWrite,
  throwIfProblems,
} from '../membership.service.ts';
import {
  livePersonsWithIdNumber,
  otherPersonWithIdNumber,
  setPersonDeathDate,
  updatePersonIdentity,
  type PersonIdentity,
} from '../person.repository.ts';
import { toPersonView } from '../present.ts';
import { RegistryError, RegistryValidationError } from '../registry.errors.ts';
import type {
  HouseholdRecord,
  HouseholdRef,
  MembershipRecord,
  NewPersonInput,
  PersonRecord,
  PersonView,
  WriteOptions,
  WriteResult,
} from '../registry.types.ts';
import { checkDate, checkRelation, validateNewPerson, type Problem } from '../registry.validation.ts';
import { divisionIndex } from '../divisions.ts';
import { endFactsOfPerson } from '../facts/facts.service.ts';

/**
 * 登记变更: the registry edits staff make between imports, each one service used by the API, the console
 * and the CLI, each inside the caller's unit of work (the unit's reason is the edit's reason, recorded
 * with every changed row). Edits of existing records compare the version the client saw.
 *
 * Moves into, out of and between households of a district are membership.service.ts's addMember,
 * endMembership and movePerson; a move to another district is a transfer (transfer/).
 */

// ---- 出生登记 -----------------------------------------------------------------------------------

export interface BirthInput {
  household: HouseholdRef;
  /** The household's version the client saw. */
  version?: number | undefined;
  /** The newborn (no death date); the membership starts on the day of birth. */
  person: Omit<NewPersonInput, 'deathDate'>;
  /** Relation to the head (GB/T 4761): a child or grandchild, usually. */
  relationCode: string;
}

/** 出生登记: a new person, born into a household, a member from the day of birth. */
export async function registerBirth(
  tx: WorkTx,
  scope: DataScope,
  input: BirthInput,
  options?: WriteOptions,
): Promise<WriteResult<MembershipRecord>> {
  return registryWrite(tx, 'person.born', options, async (changes, today) => {
    const problems: Problem[] = [];
    if (checkDate(problems, 'person.birthDate', input.person.birthDate, '出生日期')) {
      if (input.person.birthDate > today) {
        problems.push({ field: 'person.birthDate', message: '出生日期不能晚于今天' });
      }
    }
    if (input.relationCode === HEAD_RELATION) {
      problems.push({ field: 'relationCode', message: '新生儿不能登记为户主' });
    }
    throwIfProblems(problems);
    return addMemberRows(
      tx,
      scope,
      {
        household: input.household,
        version: input.version,
        member: { person: { ...input.person, deathDate: null }, relationCode: input.relationCode },
        validFrom: input.person.birthDate,
      },
      changes,
      today,
    );
  });
}

// ---- 死亡登记 -----------------------------------------------------------------------------------

export interface DeathInput {
  /** The person's managing district and id. */
  districtCode: string;
  personId: string;
  version?: number | undefined;
  deathDate: string;
}

export interface DeathResult {
  person: PersonRecord;
  /** The memberships that ended (the day after the death: membership ends are exclusive). */
  ended: MembershipRecord[];
  /** Households the person headed that still have members: they need a new head (变更户主). */
  headless: { householdId: string; householdNo: string }[];
}

/**
 * 死亡登记: sets the death date and ends every current membership on the day after it (so the person
 * still counts for the month of death, as countsInMonth and the engine expect). A head who dies leaves
 * the household without a head until staff change it: the result names such households. The person's
 * open economic facts end on the same day (facts.service.ts endFactsOfPerson), in the same unit.
 */
export async function recordDeath(
  tx: WorkTx,
  scope: DataScope,
  input: DeathInput,
  options?: WriteOptions,
): Promise<WriteResult<DeathResult>> {
  return registryWrite(tx, 'person.died', options, async (changes, today) => {
    const problems: Problem[] = [];
    checkDate(problems, 'deathDate', input.deathDate, '死亡日期');
    throwIfProblems(problems);
    const person = await lockPerson(tx, scope, input, input.version);
    if (input.deathDate < person.birthDate) {
      throw new RegistryError(
        'validation',
        `死亡日期 ${input.deathDate} 不能早于出生日期 ${person.birthDate}`,
        'deathDate',
      );
    }
    if (input.deathDate > today) throw new RegistryError('validation', '死亡日期不能晚于今天', 'deathDate');
    if (person.deathDate !== null) {
      throw new RegistryError(
        'conflict',
        `${describePerson(person)}已登记死亡（${person.deathDate}）；死亡日期有误请办理「更正死亡日期」`,
        'deathDate',
      );
    }
    const end = addDays(input.deathDate, 1);
    const history = await personMemberships(tx.db, person.districtCode, person.id, true);
    const later = history.find(
      (m) => m.validFrom > input.deathDate || (m.validTo !== null && m.validTo > end),
    );
    if (later) {
      throw new RegistryError(
        'validation',
        `死亡日期 ${input.deathDate} 之后仍有该人员的成员关系记录（自 ${later.validFrom} 起）：请核实死亡日期`,
        'deathDate',
      );
    }
    const ended: MembershipRecord[] = [];
    const headless: DeathResult['headless'] = [];
    for (const membership of history.filter((m) => m.validTo === null)) {
      const household = await lockHousehold(
        tx,
        { kind: 'all' },
        {
          districtCode: membership.districtCode,
          id: membership.householdId,
        },
      );
      const after = await endMembershipRow(tx.db, membership, end, 'death');
      if (!after) throw new RegistryError('conflict', '成员关系已被他人修改，请刷新后重试');
      changes.push(membershipChange(membership, after));
      ended.push(after);
      if (membership.relationCode === HEAD_RELATION) {
        const rest = await householdMemberRows(tx.db, household.districtCode, household.id, true);
        if (rest.length > 0) headless.push({ householdId: household.id, householdNo: household.householdNo });
      }
    }
    if (!(await setPersonDeathDate(tx.db, person.districtCode, person.id, input.deathDate))) {
      throw new RegistryError('conflict', '人员信息已被他人修改，请刷新后重试');
    }
    const after = { ...person, deathDate: input.deathDate, version: (person.version ?? 1) + 1 };
    changes.push({
      entityType: 'person',
      entityId: person.id,
      districtCode: person.districtCode,
      before: person,
      after,
    });
    // The person's economic facts still open end with the memberships (in every district keeping them).
    await endFactsOfPerson(tx, person.id, end);
    return { person: after, ended, headless };
  });
}

// ---- 变更成员关系 -------------------------------------------------------------------------------

export interface RelationInput {
  household: HouseholdRef;
  version?: number | undefined;
  personId: string;
  /** The new GB/T 4761 relation to the head (not 02: the head changes through changeHead). */
  relationCode: string;
  /** From this day (a change dated the day the membership started corrects it in place). */
  date: string;
}

/**
 * 变更成员关系: a member's relation to the head from `date`. As for a change of head, the current row ends
 * on `date` and a new one starts, so the history keeps what the relation was when.
 */
export async function changeRelation(
  tx: WorkTx,
  scope: DataScope,
  input: RelationInput,
  options?: WriteOptions,
): Promise<WriteResult<MembershipRecord>> {
  return registryWrite(tx, 'household.relation_changed', options, async (changes) => {
    const problems: Problem[] = [];
    checkDate(problems, 'date', input.date, '变更日期');
    checkRelation(problems, 'relationCode', input.relationCode);
    if (input.relationCode === HEAD_RELATION) {
      problems.push({ field: 'relationCode', message: '变更为户主请使用“变更户主”' });
    }
    throwIfProblems(problems);
    const household = await lockHousehold(tx, scope, input.household, input.version);
    const current = await householdMemberRows(tx.db, household.districtCode, household.id, true);
    const row = current.find((m) => m.person.id === input.personId);
    if (!row) throw new RegistryError('not_found', '该人员不是此家庭户的现有成员', 'personId');
    const membership = row.membership;
    if (membership.relationCode === HEAD_RELATION) {
      throw new RegistryError('conflict', '该成员是户主：请使用“变更户主”', 'personId');
    }
    if (membership.relationCode === input.relationCode) {
      throw new RegistryError(
        'validation',
        `与户主关系已是「${relationName(input.relationCode)}」，无需变更`,
        'relationCode',
      );
    }
    if (input.date < membership.validFrom) {
      throw new RegistryError('validation', `变更日期不能早于成员迁入日期 ${membership.validFrom}`, 'date');
    }
    if (input.date === membership.validFrom) {
      const after = await updateMembershipRelation(tx.db, membership, input.relationCode);
      if (!after) throw new RegistryError('conflict', '成员关系已被他人修改，请刷新后重试');
      changes.push(membershipChange(membership, after));
      return after;
    }
    const ended = await endMembershipRow(tx.db, membership, input.date, 'relation_changed');
    if (!ended) throw new RegistryError('conflict', '成员关系已被他人修改，请刷新后重试');
    changes.push(membershipChange(membership, ended));
    const started: MembershipRecord = {
      ...membership,
      relationCode: input.relationCode,
      validFrom: input.date,
      validTo: null,
      endReason: null,
    };
    await insertMembership(tx.db, started);
    changes.push(membershipChange(null, started));
    return started;
  });
}

// ---- 更正人员信息 -------------------------------------------------------------------------------

/** The fields a correction may change; economic facts (income, disability, …) are dated facts of their own. */
export type PersonCorrection = Partial<
  Pick<
    NewPersonInput,
    'name' | 'sex' | 'birthDate' | 'idNumber' | 'ethnicity' | 'maritalStatus' | 'phone' | 'hukouDivisionCode'
  >
>;

export interface CorrectPersonInput {
  districtCode: string;
  personId: string;
  version?: number | undefined;
  changes: PersonCorrection;
}

const CORRECTABLE = [
  'name',
  'sex',
  'birthDate',
  'idNumber',
  'ethnicity',
  'maritalStatus',
  'phone',
  'hukouDivisionCode',
] as const satisfies readonly (keyof PersonCorrection)[];

/**
 * 更正人员信息: corrects name, sex, birth date, ID number, ethnicity, marital status, phone or 户籍地, checked
 * by the same rules as a new person (an ID number must agree with birth date and sex), every problem at
 * once. The household's 户主姓名 follows a corrected name; rows earlier districts keep are corrected too.
 */
export async function correctPerson(
  tx: WorkTx,
  scope: DataScope,
  input: CorrectPersonInput,
  options?: WriteOptions,
): Promise<WriteResult<PersonRecord>> {
  return registryWrite(tx, 'person.corrected', options, async (changes, today) => {
    const person = await lockPerson(tx, scope, input, input.version);
    const asked = Object.fromEntries(
      CORRECTABLE.filter((key) => input.changes[key] !== undefined).map((key) => [key, input.changes[key]]),
    ) as PersonCorrection;
    const merged: NewPersonInput = {
      idNumber: asked.idNumber ?? person.idNumber,
      name: asked.name ?? person.name,
      sex: asked.sex ?? person.sex,
      birthDate: asked.birthDate ?? person.birthDate,
      deathDate: person.deathDate,
      ethnicity: 'ethnicity' in asked ? (asked.ethnicity ?? null) : person.ethnicity,
      maritalStatus: 'maritalStatus' in asked ? (asked.maritalStatus ?? null) : person.maritalStatus,
      phone: 'phone' in asked ? (asked.phone ?? null) : person.phone,
      hukouDivisionCode: asked.hukouDivisionCode ?? person.hukouDivisionCode,
      disabilityCategory: person.disabilityCategory,
      disabilityGrade: person.disabilityGrade,
      categories: person.categories,
    };
    const checked = validateNewPerson(merged, { today });
    if (!checked.ok) throw new RegistryValidationError(checked.problems);
    const next: PersonIdentity = {
      name: checked.record.name,
      nameInitials: checked.record.nameInitials,
      sex: checked.record.sex,
      birthDate: checked.record.birthDate,
      idNumber: checked.record.idNumber,
      ethnicity: checked.record.ethnicity,
      maritalStatus: checked.record.maritalStatus,
      phone: checked.record.phone,
      hukouDivisionCode: checked.record.hukouDivisionCode,
    };
    const changed = (Object.keys(next) as (keyof PersonIdentity)[]).filter((k) => next[k] !== person[k]);
    if (changed.length === 0)
      throw new RegistryError('validation', '没有需要更正的内容：所填信息与现有登记相同');
    if (next.idNumber !== person.idNumber) {
      const same = await otherPersonWithIdNumber(tx.db, person.districtCode, next.idNumber, person.id);
      const live = (await livePersonsWithIdNumber(tx.db, next.idNumber)).filter((p) => p.id !== person.id);
      if (same || live[0]) {
        throw new RegistryError(
          'duplicate',
          `身份证号 ${maskIdNumber(next.idNumber)} 已登记为另一人员（${(same ?? live[0])!.name}）`,
          'idNumber',
        );
      }
    }
    if (next.birthDate !== person.birthDate) {
      const history = await personMemberships(tx.db, person.districtCode, person.id);
      const early = history.find((m) => m.validFrom < next.birthDate);
      if (early) {
        throw new RegistryError(
          'validation',
          `更正后的出生日期 ${next.birthDate} 晚于其成员关系起始日期 ${early.validFrom}：请先核实`,
          'birthDate',
        );
      }
    }
    const after = await updatePersonIdentity(tx.db, person, next);
    if (!after) throw new RegistryError('conflict', '人员信息已被他人修改，请刷新后重试');
    changes.push({
      entityType: 'person',
      entityId: person.id,
      districtCode: person.districtCode,
      before: person,
      after,
    });
    if (next.name !== person.name) {
      const current = (await personMemberships(tx.db, person.districtCode, person.id)).filter(
        (m) => m.validTo === null && m.relationCode === HEAD_RELATION,
      );
      await refreshHouseholdHeads(
        tx.db,
        person.districtCode,
        current.map((m) => m.householdId),
      );
    }
    return after;
  });
}

// ---- 更正家庭户信息 -----------------------------------------------------------------------------

export interface CorrectHouseholdInput {
  household: HouseholdRef;
  version?: number | undefined;
  address: string;
}

/** 更正家庭户地址. (Assets, vehicles and homes are dated facts; 户编号 and the committee do not change.) */
export async function correctHousehold(
  tx: WorkTx,
  scope: DataScope,
  input: CorrectHouseholdInput,
  options?: WriteOptions,
): Promise<WriteResult<HouseholdRecord>> {
  return registryWrite(tx, 'household.corrected', options, async (changes) => {
    const address = input.address.normalize('NFC').trim().replace(/\s+/g, ' ');
    if (address.length === 0 || address.length > 200) {
      throw new RegistryError('validation', '地址不能为空，且不超过200个字', 'address');
    }
    const household = await lockHousehold(tx, scope, input.household, input.version);
    if (household.address === address) {
      throw new RegistryError('validation', '没有需要更正的内容：地址与现有登记相同', 'address');
    }
    const after = await updateHouseholdAddress(tx.db, household, address);
    if (!after) throw new RegistryError('conflict', '家庭户已被他人修改，请刷新后重试');
    changes.push({
      entityType: 'household',
      entityId: household.id,
      districtCode: household.districtCode,
      before: { ...household, version: (household.version ?? 2) - 1 },
      after,
    });
    return after;
  });
}

// ---- 某日的家庭成员 -----------------------------------------------------------------------------

export interface MembersOn {
  date: string;
  household: { districtCode: string; id: string; householdNo: string };
  members: {
    person: PersonView;
    relationCode: string;
    relationName: string;
    validFrom: string;
    validTo: string | null;
  }[];
}

/** 某日的家庭成员: who belonged to the household on `date` (valid_from ≤ date < valid_to), head first. */
export async function householdMembersAsOf(
  db: Db,
  scope: DataScope,
  ref: HouseholdRef,
  date: string,
): Promise<MembersOn> {
  if (!isValidIsoDate(date))
    throw new RegistryError('validation', `日期「${date}」不是有效日期，应为 YYYY-MM-DD`, 'date');
  const household = 'id' in ref && !isUuid(ref.id) ? undefined : await findHousehold(db, scope, ref);
  if (!household) throw new RegistryError('not_found', '家庭户不存在或不在您的数据范围内', 'household');
  const rows = await householdMembersOn(db, household.districtCode, household.id, date);
  return {
    date,
    household: { districtCode: household.districtCode, id: household.id, householdNo: household.householdNo },
    members: rows.map((r) => ({
      person: toPersonView(r.person, false),
      relationCode: r.membership.relationCode,
      relationName: relationName(r.membership.relationCode),
      validFrom: r.membership.validFrom,
      validTo: r.membership.validTo,
    })),
  };
}

/** The division name of a district code, for messages. */
export function districtName(code: string): string {
  return divisionIndex().get(code)?.name ?? code;
}
