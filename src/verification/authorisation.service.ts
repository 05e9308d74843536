import { randomUUID } from 'node:crypto';
import { addDays, ageOn } from '../calendar/days.ts';
import { shanghaiToday } from '../core/clock.ts';
import type { Db } from '../db/store.ts';
import { requireAttachments } from '../files/files.service.ts';
import { findHousehold, householdMemberRows, type MemberRow } from '../registry/household.repository.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import {
  endAuthorisationRow,
  findAuthorisation,
  householdAuthorisations,
  insertAuthorisation,
  type AuthorisationRow,
} from './authorisation.repository.ts';
import { holdsOn, type Signer } from './authorisation.rules.ts';
import { isPurpose, purposeName } from './purposes.ts';
import type { VerificationCaller } from './verification.caller.ts';
import { VerificationError } from './verification.errors.ts';
import { verificationParameter, VP } from './verification.parameters.ts';

/**
 * 核对授权书: the members of a household authorise the bureau to query their records for a purpose. The
 * signed paper is uploaded first as an attachment of the household (kind 授权书) and named here; the
 * record says who signed, when, for what, and until when (a dated parameter), or — signed at application
 * for a benefit — for as long as the benefit lasts (`standing`), which covers its periodic re-verification.
 */

export interface AuthorisationInput {
  districtCode: string;
  householdId: string;
  purpose: string;
  /** The members who signed. */
  personIds: readonly string[];
  signedOn: string;
  standing: boolean;
  attachmentId: string;
}

export interface AuthorisationView {
  id: string;
  districtCode: string;
  householdId: string;
  purpose: string;
  purposeName: string;
  signers: Signer[];
  signedOn: string;
  validUntil: string | null;
  standing: boolean;
  endedOn: string | null;
  endReason: string | null;
  /** Holds today. */
  current: boolean;
  attachmentId: string;
  version: number;
}

const NOT_FOUND = '家庭户不存在或不在您的数据范围内';

async function householdInScope(db: Db, caller: VerificationCaller, districtCode: string, id: string) {
  const household = await findHousehold(db, caller.scope, { districtCode, id });
  if (!household) throw new VerificationError('not_found', NOT_FOUND);
  return household;
}

/** The members on a day (memberships valid on it), with their names. */
export function membersOn(rows: readonly MemberRow[], day: string): MemberRow[] {
  return rows.filter(
    (r) =>
      r.membership.validFrom <= day &&
      (r.membership.validTo === null || day < r.membership.validTo) &&
      (r.person.deathDate === null || day < r.person.deathDate),
  );
}

/** The members who must sign: adults (a dated parameter) on the day. */
export function adultsOn(rows: readonly MemberRow[], day: string): Signer[] {
  const age = verificationParameter(VP.adult_age, day);
  return membersOn(rows, day)
    .filter((r) => ageOn(r.person.birthDate, day) >= age)
    .map((r) => ({ personId: r.person.id, name: r.person.name }));
}

function present(
  row: AuthorisationRow,
  names: ReadonlyMap<string, string>,
  today: string,
): AuthorisationView {
  return {
    id: row.id,
    districtCode: row.districtCode,
    householdId: row.householdId,
    purpose: row.purpose,
    purposeName: purposeName(row.purpose),
    signers: row.personIds.map((personId) => ({ personId, name: names.get(personId) ?? '（已不在本户）' })),
    signedOn: row.signedOn,
    validUntil: row.validUntil,
    standing: row.standing,
    endedOn: row.endedOn,
    endReason: row.endReason,
    current: holdsOn(row, today),
    attachmentId: row.attachmentId,
    version: row.version,
  };
}

/** Registers a signed authorisation; every problem is reported at once and nothing is written on any. */
export async function registerAuthorisation(
  tx: WorkTx,
  caller: VerificationCaller,
  input: AuthorisationInput,
): Promise<AuthorisationView> {
  await householdInScope(tx.db, caller, input.districtCode, input.householdId);
  const today = shanghaiToday(tx.now);
  const rows = await householdMemberRows(tx.db, input.districtCode, input.householdId, false);
  const members = new Map(
    membersOn(rows, input.signedOn <= today ? today : input.signedOn).map((r) => [r.person.id, r]),
  );
  const problems: string[] = [];
  if (!isPurpose(input.purpose)) problems.push(`核对用途「${input.purpose}」不存在`);
  if (input.signedOn > today) problems.push(`签署日期 ${input.signedOn} 晚于今天`);
  if (input.personIds.length === 0) problems.push('授权书须至少有一名签署人');
  const strangers = input.personIds.filter((id) => !members.has(id));
  if (strangers.length > 0) problems.push(`签署人不是本户现有成员：${strangers.join('、')}`);
  const validUntil = input.standing
    ? null
    : addDays(input.signedOn, verificationParameter(VP.authorisation_valid_days, input.signedOn));
  if (validUntil !== null && validUntil <= today) problems.push(`授权书已于 ${validUntil} 过期，请重新签署`);
  if (problems.length > 0) throw new VerificationError('invalid', problems.join('；'), problems);
  await requireAttachments(
    tx.db,
    { entityType: 'household', districtCode: input.districtCode, entityId: input.householdId },
    [input.attachmentId],
    'authorisation',
  );
  const row: AuthorisationRow = {
    districtCode: input.districtCode,
    id: randomUUID(),
    householdId: input.householdId,
    purpose: input.purpose,
    personIds: [...new Set(input.personIds)],
    signedOn: input.signedOn,
    validUntil,
    standing: input.standing,
    endedOn: null,
    endReason: null,
    attachmentId: input.attachmentId,
    createdBy: caller.userId,
    createdAt: tx.now.toISOString(),
    version: 1,
  };
  await insertAuthorisation(tx, row);
  tx.record({
    action: 'verification.authorised',
    entityType: 'verification_authorisation',
    entityId: row.id,
    district: input.districtCode,
    after: row,
  });
  const names = new Map([...members.values()].map((r) => [r.person.id, r.person.name]));
  return present(row, names, today);
}

/** A household's authorisations (every purpose), newest first, in the caller's scope. */
export async function listAuthorisations(
  db: Db,
  caller: VerificationCaller,
  districtCode: string,
  householdId: string,
  today = shanghaiToday(),
): Promise<AuthorisationView[]> {
  await householdInScope(db, caller, districtCode, householdId);
  const [rows, members] = await Promise.all([
    householdAuthorisations(db, districtCode, householdId),
    householdMemberRows(db, districtCode, householdId, false),
  ]);
  const names = new Map(members.map((r) => [r.person.id, r.person.name]));
  return rows.map((row) => present(row, names, today));
}

/** Ends an authorisation (the benefit ended, the household withdrew consent) from a day on. */
export async function endAuthorisation(
  tx: WorkTx,
  caller: VerificationCaller,
  key: { districtCode: string; id: string; version: number },
  endedOn: string,
  reason: string,
): Promise<AuthorisationView> {
  const before = await findAuthorisation(tx.db, key.districtCode, key.id);
  if (!before) throw new VerificationError('not_found', '授权书不存在或不在您的数据范围内');
  await householdInScope(tx.db, caller, key.districtCode, before.householdId);
  if (endedOn < before.signedOn) {
    throw new VerificationError('invalid', `终止日期 ${endedOn} 早于签署日期 ${before.signedOn}`);
  }
  const after = await endAuthorisationRow(tx, key, endedOn, reason);
  if (!after) {
    throw new VerificationError(
      'invalid',
      before.endedOn === null ? '授权书已被他人修改，请刷新后重试' : `授权书已于 ${before.endedOn} 终止`,
    );
  }
  tx.record({
    action: 'verification.authorisation_ended',
    entityType: 'verification_authorisation',
    entityId: key.id,
    district: key.districtCode,
    before,
    after,
  });
  const members = await householdMemberRows(tx.db, key.districtCode, before.householdId, false);
  return present(after, new Map(members.map((r) => [r.person.id, r.person.name])), shanghaiToday(tx.now));
}
