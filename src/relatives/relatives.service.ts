import { randomUUID } from 'node:crypto';
import { mayAct, type Permission } from '../auth/roles.ts';
import { CITY_DIVISION_CODE, inScope } from '../auth/scope.ts';
import { findUserById } from '../auth/user.repository.ts';
import { shanghaiToday } from '../core/clock.ts';
import { visibleLength } from '../core/text.ts';
import type { Session } from '../db/store.ts';
import { divisionIndex } from '../registry/divisions.ts';
import { isValidIsoDate, validateIdNumber } from '../registry/id-number.ts';
import {
  findPersonIdByIdNumber,
  livePersonsWithIdNumber,
  personIdentities,
} from '../registry/person.repository.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { staleVersion } from '../workflow/workflow.errors.ts';
import { isDeclarableRelation } from './relation-kinds.ts';
import type { RelativesCaller } from './relatives.caller.ts';
import { DECLARATION_NOT_FOUND, NOT_LINKED, RelativesError, STAFF_NOT_FOUND } from './relatives.errors.ts';
import {
  declarationSnapshot,
  linkSnapshot,
  toDeclarationView,
  toLinkView,
  type DeclarationView,
  type StaffLinkView,
} from './relatives.present.ts';
import {
  countLinks,
  declarationsOf,
  endDeclarationRow,
  findDeclaration,
  findLink,
  insertDeclaration,
  insertLink,
  linkOfUser,
  listLinks,
  updateLink,
  type DeclarationRow,
  type LinkListFilter,
  type StaffLinkRow,
} from './relatives.repository.ts';

/**
 * 近亲属备案: staff members' links to their own person record and their declared close relatives. Every
 * write takes the open unit of work and records what it changed; ID numbers are matched to the registry
 * and shown masked. A member of staff acts on their own link and declarations; an administrator on those
 * of staff in their scope, and on residents' committee members, who have no account.
 */

const MAX_NAME = 50;

function require(caller: RelativesCaller, permission: Permission): void {
  if (!mayAct(caller.role, permission)) throw new RelativesError('forbidden', '您没有此项操作的权限');
}

/** The district a staff member's rows are filed under: their division's, or 310000 for the city's staff. */
function districtOf(divisionCode: string): string {
  return divisionCode === CITY_DIVISION_CODE ? CITY_DIVISION_CODE : divisionCode.slice(0, 6);
}

function checkedIdNumber(raw: string, field: string, problems: string[], today: string): string {
  const checked = validateIdNumber(raw, { today });
  if (!checked.ok) {
    problems.push(`${field}：${checked.message}`);
    return raw;
  }
  return checked.value;
}

function checkedName(raw: string, field: string, problems: string[]): string {
  const value = raw.trim();
  const length = visibleLength(value);
  if (length === 0) problems.push(`请填写${field}`);
  else if (length > MAX_NAME) problems.push(`${field}不能超过 ${MAX_NAME} 个字`);
  return value;
}

function checkedDay(raw: string | undefined, field: string, today: string, problems: string[]): string {
  if (raw === undefined) return today;
  if (!isValidIsoDate(raw)) problems.push(`${field}不是有效日期（YYYY-MM-DD）`);
  else if (raw > today) problems.push(`${field}不能晚于今天`);
  return raw;
}

function refuse(problems: readonly string[]): void {
  if (problems.length > 0) throw new RelativesError('invalid', problems.join('；'), problems);
}

/** The registry person with this ID number and their name: in the district first, else the managing row anywhere. */
async function registryPerson(
  tx: Session,
  districtCode: string,
  idNumber: string,
): Promise<{ personId: string | null; name: string | null }> {
  if (districtCode !== CITY_DIVISION_CODE) {
    const here = await findPersonIdByIdNumber(tx.db, districtCode, idNumber);
    if (here) {
      const identity = (await personIdentities(tx.db, districtCode, [here])).get(here);
      return { personId: here, name: identity?.name ?? null };
    }
  }
  const [anywhere] = await livePersonsWithIdNumber(tx.db, idNumber);
  return { personId: anywhere?.id ?? null, name: anywhere?.name ?? null };
}

export interface MyRelatives {
  link: StaffLinkView | null;
  declarations: DeclarationView[];
}

/** The caller's own link and every declaration they made, those in force first. */
export async function myRelatives(tx: Session, caller: RelativesCaller): Promise<MyRelatives> {
  require(caller, 'relatives.declare');
  if (caller.userId === null) return { link: null, declarations: [] };
  const link = await linkOfUser(tx.db, caller.userId);
  if (!link) return { link: null, declarations: [] };
  const rows = await declarationsOf(tx.db, link.districtCode, link.id);
  return { link: toLinkView(link), declarations: rows.map(toDeclarationView) };
}

/**
 * Links the caller to their own person record by ID number, once: a later correction is an
 * administrator's (`linkUser`), so that nobody quietly moves themselves away from a relative's case.
 */
export async function linkSelf(
  tx: WorkTx,
  caller: RelativesCaller,
  input: { idNumber: string },
): Promise<StaffLinkView> {
  require(caller, 'relatives.declare');
  if (caller.userId === null) throw new RelativesError('forbidden', '命令行操作员没有本人人员信息');
  if (await linkOfUser(tx.db, caller.userId)) {
    throw new RelativesError('already_linked', '您已关联本人人员信息；如需更正，请联系系统管理员');
  }
  return linkUserRow(tx, caller.userId, input.idNumber, undefined);
}

/** An administrator links (or corrects the link of) a user in their scope. */
export async function linkUser(
  tx: WorkTx,
  caller: RelativesCaller,
  input: { userId: string; idNumber: string; version?: number | undefined },
): Promise<StaffLinkView> {
  require(caller, 'relatives.manage');
  return linkUserRow(tx, input.userId, input.idNumber, { caller, version: input.version });
}

async function linkUserRow(
  tx: WorkTx,
  userId: string,
  rawIdNumber: string,
  admin: { caller: RelativesCaller; version: number | undefined } | undefined,
): Promise<StaffLinkView> {
  const user = await findUserById(tx.db, userId);
  if (!user || (admin && !inScope(admin.caller.scope, user.divisionCode))) {
    throw new RelativesError('not_found', '用户不存在或不在您的数据范围内');
  }
  const today = shanghaiToday(tx.now);
  const problems: string[] = [];
  const idNumber = checkedIdNumber(rawIdNumber, '本人身份证号', problems, today);
  refuse(problems);
  const district = districtOf(user.divisionCode);
  const { personId } = await registryPerson(tx, district, idNumber);
  const stamp = tx.now.toISOString();
  const existing = await linkOfUser(tx.db, userId, true);
  if (existing) {
    if (admin?.version !== undefined && admin.version !== existing.version) {
      throw staleVersion('工作人员的人员关联', existing.version);
    }
    const changes = {
      idNumber,
      personId,
      name: user.displayName,
      linkedBy: tx.actor.userId ?? 'operator',
      updatedAt: stamp,
    };
    if (!(await updateLink(tx.db, existing, changes))) throw staleVersion('工作人员的人员关联');
    const after = { ...existing, ...changes, version: existing.version + 1 };
    tx.record({
      action: 'relatives.linked',
      entityType: 'staff_link',
      entityId: existing.id,
      district: existing.divisionCode,
      before: linkSnapshot(existing),
      after: linkSnapshot(after),
    });
    return toLinkView(after);
  }
  const row: StaffLinkRow = {
    districtCode: district,
    id: randomUUID(),
    kind: 'user',
    userId,
    divisionCode: user.divisionCode,
    name: user.displayName,
    committeeRole: null,
    idNumber,
    personId,
    linkedBy: tx.actor.userId ?? 'operator',
    endedOn: null,
    createdAt: stamp,
    updatedAt: stamp,
    version: 1,
  };
  await insertLink(tx.db, row);
  tx.record({
    action: 'relatives.linked',
    entityType: 'staff_link',
    entityId: row.id,
    district: row.divisionCode,
    after: linkSnapshot(row),
  });
  return toLinkView(row);
}

export interface CommitteeMemberInput {
  committeeCode: string;
  name: string;
  committeeRole: string;
  idNumber: string;
}

/** Adds a residents' committee member who has no account to the committee's list. */
export async function addCommitteeMember(
  tx: WorkTx,
  caller: RelativesCaller,
  input: CommitteeMemberInput,
): Promise<StaffLinkView> {
  require(caller, 'relatives.manage');
  const today = shanghaiToday(tx.now);
  const problems: string[] = [];
  const committee = divisionIndex().get(input.committeeCode);
  if (!committee || committee.level !== 'committee')
    problems.push('居委会代码不存在（须为 12 位居委会/村委会代码）');
  else if (!inScope(caller.scope, input.committeeCode)) problems.push('该居委会不在您的数据范围内');
  const name = checkedName(input.name, '姓名', problems);
  const committeeRole = checkedName(input.committeeRole, '职务', problems);
  const idNumber = checkedIdNumber(input.idNumber, '身份证号', problems, today);
  refuse(problems);
  const district = input.committeeCode.slice(0, 6);
  const found = await registryPerson(tx, district, idNumber);
  if (found.name !== null && found.name !== name) {
    refuse([`姓名与人口信息库中该身份证号登记的姓名不一致`]);
  }
  const stamp = tx.now.toISOString();
  const row: StaffLinkRow = {
    districtCode: district,
    id: randomUUID(),
    kind: 'committee',
    userId: null,
    divisionCode: input.committeeCode,
    name,
    committeeRole,
    idNumber,
    personId: found.personId,
    linkedBy: tx.actor.userId ?? 'operator',
    endedOn: null,
    createdAt: stamp,
    updatedAt: stamp,
    version: 1,
  };
  await insertLink(tx.db, row);
  tx.record({
    action: 'relatives.committee_member',
    entityType: 'staff_link',
    entityId: row.id,
    district: row.divisionCode,
    after: linkSnapshot(row),
  });
  return toLinkView(row);
}

/** A committee member leaves the committee: kept in the list, no longer checked against cases. */
export async function endCommitteeMember(
  tx: WorkTx,
  caller: RelativesCaller,
  input: { districtCode: string; id: string; version: number; endedOn?: string | undefined },
): Promise<StaffLinkView> {
  require(caller, 'relatives.manage');
  const link = await findLink(tx.db, caller.scope, input.districtCode, input.id, true);
  if (!link || link.kind !== 'committee') throw new RelativesError('not_found', STAFF_NOT_FOUND);
  if (link.endedOn !== null) throw new RelativesError('invalid', '该居委会成员已离任');
  if (link.version !== input.version) throw staleVersion('居委会成员', link.version);
  const problems: string[] = [];
  const endedOn = checkedDay(input.endedOn, '离任日期', shanghaiToday(tx.now), problems);
  refuse(problems);
  const changes = { endedOn, updatedAt: tx.now.toISOString() };
  if (!(await updateLink(tx.db, link, changes))) throw staleVersion('居委会成员');
  const after = { ...link, ...changes, version: link.version + 1 };
  tx.record({
    action: 'relatives.committee_member',
    entityType: 'staff_link',
    entityId: link.id,
    district: link.divisionCode,
    before: linkSnapshot(link),
    after: linkSnapshot(after),
  });
  return toLinkView(after);
}

export interface DeclareInput {
  /** Another staff member's link (an administrator declaring for a committee member); omitted: one's own. */
  staff?: { districtCode: string; id: string } | undefined;
  relationCode: string;
  relativeName: string;
  idNumber: string;
  declaredOn?: string | undefined;
}

/** The link a caller may declare for or end declarations of: their own, or one in scope for an administrator. */
async function actingLink(
  tx: Session,
  caller: RelativesCaller,
  staff: { districtCode: string; id: string } | undefined,
  lock: boolean,
): Promise<StaffLinkRow> {
  if (staff === undefined) {
    require(caller, 'relatives.declare');
    const own = caller.userId === null ? undefined : await linkOfUser(tx.db, caller.userId, lock);
    if (!own) throw new RelativesError('not_linked', NOT_LINKED);
    return own;
  }
  const link = await findLink(tx.db, caller.scope, staff.districtCode, staff.id, lock);
  if (link && caller.userId !== null && link.userId === caller.userId) {
    require(caller, 'relatives.declare');
    return link;
  }
  require(caller, 'relatives.manage');
  if (!link) throw new RelativesError('not_found', STAFF_NOT_FOUND);
  return link;
}

/** Declares a close relative; the ID number is matched to the registry when the person is in it. */
export async function declareRelative(
  tx: WorkTx,
  caller: RelativesCaller,
  input: DeclareInput,
): Promise<DeclarationView> {
  const link = await actingLink(tx, caller, input.staff, true);
  if (link.endedOn !== null) throw new RelativesError('invalid', '该居委会成员已离任，不能再登记备案');
  const today = shanghaiToday(tx.now);
  const problems: string[] = [];
  if (!isDeclarableRelation(input.relationCode))
    problems.push('亲属关系不在近亲属范围内（配偶、父母、子女、兄弟姐妹及其配偶）');
  const relativeName = checkedName(input.relativeName, '亲属姓名', problems);
  const idNumber = checkedIdNumber(input.idNumber, '亲属身份证号', problems, today);
  const declaredOn = checkedDay(input.declaredOn, '备案日期', today, problems);
  if (idNumber === link.idNumber) problems.push('亲属身份证号不能是本人的身份证号');
  refuse(problems);
  const current = await declarationsOf(tx.db, link.districtCode, link.id);
  if (current.some((d) => d.endedOn === null && d.relativeIdNumber === idNumber)) {
    throw new RelativesError('duplicate', '该亲属已登记且备案有效；如关系有误，请先结束原备案再重新登记');
  }
  const found = await registryPerson(tx, link.districtCode, idNumber);
  if (found.name !== null && found.name !== relativeName) {
    refuse(['亲属姓名与人口信息库中该身份证号登记的姓名不一致']);
  }
  const row: DeclarationRow = {
    districtCode: link.districtCode,
    id: randomUUID(),
    staffId: link.id,
    relationCode: input.relationCode,
    relativeName,
    relativeIdNumber: idNumber,
    relativePersonId: found.personId,
    declaredOn,
    endedOn: null,
    endReason: null,
    declaredBy: tx.actor.userId ?? 'operator',
    endedBy: null,
    createdAt: tx.now.toISOString(),
    version: 1,
  };
  await insertDeclaration(tx.db, row);
  tx.record({
    action: 'relatives.declared',
    entityType: 'relative_declaration',
    entityId: row.id,
    district: link.divisionCode,
    after: declarationSnapshot(row),
  });
  return toDeclarationView(row);
}

/** Ends a declaration in force (the relation ended, or it was declared in error); the row stays. */
export async function endDeclaration(
  tx: WorkTx,
  caller: RelativesCaller,
  input: { districtCode: string; id: string; version: number; reason: string; endedOn?: string | undefined },
): Promise<DeclarationView> {
  const row = await findDeclaration(tx.db, input.districtCode, input.id, true);
  if (!row) throw new RelativesError('not_found', DECLARATION_NOT_FOUND);
  let link: StaffLinkRow;
  try {
    link = await actingLink(tx, caller, { districtCode: row.districtCode, id: row.staffId }, true);
  } catch (error) {
    if (error instanceof RelativesError && error.code === 'not_found') {
      throw new RelativesError('not_found', DECLARATION_NOT_FOUND);
    }
    throw error;
  }
  if (row.endedOn !== null) throw new RelativesError('invalid', '该备案已结束');
  if (row.version !== input.version) throw staleVersion('近亲属备案', row.version);
  const problems: string[] = [];
  const reason = checkedName(input.reason, '结束原因', problems);
  const endedOn = checkedDay(input.endedOn, '结束日期', shanghaiToday(tx.now), problems);
  if (endedOn < row.declaredOn) problems.push('结束日期不能早于备案日期');
  refuse(problems);
  const end = { endedOn, endReason: reason, endedBy: tx.actor.userId ?? 'operator' };
  if (!(await endDeclarationRow(tx.db, row, end))) throw staleVersion('近亲属备案');
  const after = { ...row, ...end, version: row.version + 1 };
  tx.record({
    action: 'relatives.declaration_ended',
    entityType: 'relative_declaration',
    entityId: row.id,
    district: link.divisionCode,
    before: declarationSnapshot(row),
    after: declarationSnapshot(after),
  });
  return toDeclarationView(after);
}

/** Staff links in the caller's scope, with how many declarations each has in force. */
export async function listStaff(
  tx: Session,
  caller: RelativesCaller,
  filter: LinkListFilter,
): Promise<{ items: StaffLinkView[]; total: number }> {
  require(caller, 'relatives.view');
  const [rows, total] = [
    await listLinks(tx.db, caller.scope, filter),
    await countLinks(tx.db, caller.scope, filter),
  ];
  return { items: rows.map(toLinkView), total };
}

/** One staff member's link and all their declarations (in scope). */
export async function staffDetail(
  tx: Session,
  caller: RelativesCaller,
  districtCode: string,
  id: string,
): Promise<{ link: StaffLinkView; declarations: DeclarationView[] }> {
  require(caller, 'relatives.view');
  const link = await findLink(tx.db, caller.scope, districtCode, id);
  if (!link) throw new RelativesError('not_found', STAFF_NOT_FOUND);
  const rows = await declarationsOf(tx.db, link.districtCode, link.id);
  return { link: toLinkView(link), declarations: rows.map(toDeclarationView) };
}
