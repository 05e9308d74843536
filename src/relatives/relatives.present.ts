import { maskIdNumber } from '../registry/id-number.ts';
import { divisionName } from './present.ts';
import { declaredRelationName } from './relation-kinds.ts';
import type { DeclarationRow, StaffLinkRow } from './relatives.repository.ts';

/** What pages show of a staff link: the ID number masked, names beside codes. */
export interface StaffLinkView {
  id: string;
  districtCode: string;
  kind: 'user' | 'committee';
  kindName: string;
  userId: string | null;
  name: string;
  divisionCode: string;
  divisionName: string;
  committeeRole: string | null;
  idNumberMasked: string;
  personId: string | null;
  /** Whether the ID number was found in the population registry. */
  inRegistry: boolean;
  endedOn: string | null;
  activeDeclarations?: number;
  version: number;
}

export interface DeclarationView {
  id: string;
  districtCode: string;
  staffId: string;
  relationCode: string;
  relationName: string;
  relativeName: string;
  idNumberMasked: string;
  personId: string | null;
  inRegistry: boolean;
  declaredOn: string;
  endedOn: string | null;
  endReason: string | null;
  state: 'active' | 'ended';
  stateName: string;
  version: number;
}

function linkKind(kind: string): 'user' | 'committee' {
  return kind === 'committee' ? 'committee' : 'user';
}

export function toLinkView(row: StaffLinkRow & { activeDeclarations?: number }): StaffLinkView {
  const kind = linkKind(row.kind);
  return {
    id: row.id,
    districtCode: row.districtCode,
    kind,
    kindName: kind === 'user' ? '系统用户' : '居委会成员',
    userId: row.userId,
    name: row.name,
    divisionCode: row.divisionCode,
    divisionName: divisionName(row.divisionCode),
    committeeRole: row.committeeRole,
    idNumberMasked: maskIdNumber(row.idNumber),
    personId: row.personId,
    inRegistry: row.personId !== null,
    endedOn: row.endedOn,
    ...(row.activeDeclarations === undefined ? {} : { activeDeclarations: row.activeDeclarations }),
    version: row.version,
  };
}

export function toDeclarationView(row: DeclarationRow): DeclarationView {
  const ended = row.endedOn !== null;
  return {
    id: row.id,
    districtCode: row.districtCode,
    staffId: row.staffId,
    relationCode: row.relationCode,
    relationName: declaredRelationName(row.relationCode),
    relativeName: row.relativeName,
    idNumberMasked: maskIdNumber(row.relativeIdNumber),
    personId: row.relativePersonId,
    inRegistry: row.relativePersonId !== null,
    declaredOn: row.declaredOn,
    endedOn: row.endedOn,
    endReason: row.endReason,
    state: ended ? 'ended' : 'active',
    stateName: ended ? '已结束' : '有效',
    version: row.version,
  };
}

/** What the audit chain keeps of a link (its `idNumber` is masked for readers, audit/redact.ts). */
export function linkSnapshot(row: StaffLinkRow): Record<string, unknown> {
  return {
    kind: row.kind,
    userId: row.userId,
    name: row.name,
    divisionCode: row.divisionCode,
    committeeRole: row.committeeRole,
    idNumber: row.idNumber,
    personId: row.personId,
    endedOn: row.endedOn,
  };
}

export function declarationSnapshot(row: DeclarationRow): Record<string, unknown> {
  return {
    staffId: row.staffId,
    relationCode: row.relationCode,
    relativeName: row.relativeName,
    idNumber: row.relativeIdNumber,
    personId: row.relativePersonId,
    declaredOn: row.declaredOn,
    endedOn: row.endedOn,
    endReason: row.endReason,
  };
}
