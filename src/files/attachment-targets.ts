import type { Permission } from '../auth/roles.ts';
import type { DataScope } from '../auth/scope.ts';
import type { Db } from '../db/store.ts';
import { findHousehold } from '../registry/household.repository.ts';
import { findPerson } from '../registry/person.repository.ts';
import { findRequest } from '../verification/request.repository.ts';
import { findCase } from '../cases/case.repository.ts';

/**
 * The kinds of record files can be attached to, and who may see them. Attaching, listing, downloading and
 * removing all start here: the record must exist inside the caller's scope (absent and out of scope read
 * alike: 404) and the caller's role must hold the target's permission. A module whose records take
 * attachments adds one line to ATTACHMENT_TARGETS, with a `locate` that applies its own scope rule.
 */
export interface AttachmentTarget {
  /** What the user reads: 人员, 家庭户. */
  readonly label: string;
  /** To list and download the record's attachments. */
  readonly readPermission: Permission;
  /** To attach files to the record and remove them. */
  readonly writePermission: Permission;
  /** The record's division when it exists inside the scope; undefined when absent or outside it. */
  locate(db: Db, scope: DataScope, districtCode: string, entityId: string): Promise<string | undefined>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: string) => UUID.test(value);

/** 人员: where the person lives decides who sees them (person.policy.ts). */
export const personAttachments: AttachmentTarget = {
  label: '人员',
  readPermission: 'registry.view',
  writePermission: 'registry.write',
  async locate(db, scope, districtCode, entityId) {
    if (!isUuid(entityId)) return undefined;
    return (await findPerson(db, scope, districtCode, entityId))?.residenceDivisionCode;
  },
};

/** 家庭户: the household's residents' committee decides (household.policy.ts). */
export const householdAttachments: AttachmentTarget = {
  label: '家庭户',
  readPermission: 'registry.view',
  writePermission: 'registry.write',
  async locate(db, scope, districtCode, entityId) {
    if (!isUuid(entityId)) return undefined;
    return (await findHousehold(db, scope, { districtCode, id: entityId }))?.committeeCode;
  },
};

/**
 * 核对委托: the evidence of an objection (结果复核) and the other papers of a verification; the request's
 * residents' committee decides, as for the request itself (request.repository.ts requestScopeWhere).
 */
export const verificationRequestAttachments: AttachmentTarget = {
  label: '核对委托',
  readPermission: 'verification.view',
  writePermission: 'verification.object',
  async locate(db, scope, districtCode, entityId) {
    if (!isUuid(entityId) || !/^\d{6}$/.test(districtCode)) return undefined;
    return (await findRequest(db, scope, districtCode, entityId))?.committeeCode;
  },
};

/** 救助申请: its materials and the home visit's photos; the case's residents' committee decides (caseScopeWhere). */
export const caseAttachments: AttachmentTarget = {
  label: '救助申请',
  readPermission: 'cases.view',
  writePermission: 'cases.intake',
  async locate(db, scope, districtCode, entityId) {
    if (!isUuid(entityId) || !/^\d{6}$/.test(districtCode)) return undefined;
    return (await findCase(db, scope, districtCode, entityId))?.committeeCode;
  },
};

export const ATTACHMENT_TARGETS: Readonly<Record<string, AttachmentTarget>> = {
  person: personAttachments,
  household: householdAttachments,
  verification_request: verificationRequestAttachments,
  case: caseAttachments,
};

export function attachmentTarget(entityType: string): AttachmentTarget | undefined {
  return Object.hasOwn(ATTACHMENT_TARGETS, entityType) ? ATTACHMENT_TARGETS[entityType] : undefined;
}

/** 材料类型: what an attachment is, as the bureau names its papers. */
export const ATTACHMENT_KINDS = {
  authorisation: '授权书',
  application: '申请书',
  identity: '身份证明',
  household_register: '户口簿',
  income: '收入证明',
  assets: '财产证明',
  disability: '残疾证明',
  medical: '医疗证明',
  education: '就学证明',
  photo: '照片',
  other: '其他材料',
} as const;

export type AttachmentKind = keyof typeof ATTACHMENT_KINDS;

export const attachmentKindList = Object.keys(ATTACHMENT_KINDS) as [AttachmentKind, ...AttachmentKind[]];

export function isAttachmentKind(value: string): value is AttachmentKind {
  return Object.hasOwn(ATTACHMENT_KINDS, value);
}
