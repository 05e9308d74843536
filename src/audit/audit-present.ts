import { actorName } from '../auth/actor-name.ts';
import { maskIdNumber } from '../registry/id-number.ts';
import { getDivision, resolveDivisionPath } from '../registry/registry.service.ts';
import { auditActionName, auditEntityTypeName, isAuditAction } from './actions.ts';
import type { AuditRow } from './audit.repository.ts';
import { CITY_DISTRICT } from './audit.service.ts';
import { maskIdentifiersDeep, maskText, redactSnapshot } from './redact.ts';

/**
 * An audit row as a person reads it: names instead of ids, Chinese instead of codes, and identifiers
 * masked. Readers with the unmask permission see free text as written and snapshots with the registry's
 * own masking; everyone else sees every ID-number-like and phone-like value masked, anywhere in the row.
 */
export interface AuditRowView {
  id: number;
  at: string;
  actorId: string | null;
  /** 姓名（用户名）, 命令行（系统用户）, 系统（自动任务） for a system actor, 系统. */
  actorName: string;
  actorDivision: string | null;
  /** The actor's division by name (杨浦区 控江路街道). */
  actorDivisionName: string | null;
  district: string;
  districtName: string;
  action: string;
  actionName: string;
  entityType: string;
  entityTypeName: string;
  entityId: string | null;
  /** The record as a person recognises it: a person's masked name and ID number, a household number. */
  entityLabel: string | null;
  before: unknown;
  after: unknown;
  reason: string | null;
  requestId: string | null;
  hash: string;
}

/** Names the row needs, looked up once per page by the view service. */
export interface RowNames {
  users: ReadonlyMap<string, { displayName: string; username: string }>;
  persons: ReadonlyMap<string, { name: string; idNumber: string }>;
}

export function districtName(code: string): string {
  if (code === CITY_DISTRICT) return '市级';
  return getDivision(code)?.name ?? code;
}

function divisionName(code: string | null): string | null {
  if (code === null) return null;
  if (code === CITY_DISTRICT) return '上海市';
  return resolveDivisionPath(code)?.fullName ?? code;
}

const personLabel = (p: { name: string; idNumber: string }) => `${p.name}（${maskIdNumber(p.idNumber)}）`;

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** The person a row concerns: the row's own person, or the member of a membership row. */
export function personIdOf(
  row: Pick<AuditRow, 'entityType' | 'entityId' | 'after' | 'before'>,
): string | undefined {
  if (row.entityType === 'person') return row.entityId ?? undefined;
  if (row.entityType === 'household_member') return text(field(row.after ?? row.before, 'personId'));
  return undefined;
}

function entityLabel(row: AuditRow, names: RowNames): string | null {
  const snapshot = row.after ?? row.before;
  switch (row.entityType) {
    case 'person':
    case 'household_member': {
      const name = text(field(snapshot, 'name'));
      const idNumber = text(field(snapshot, 'idNumber'));
      if (name && idNumber) return personLabel({ name, idNumber });
      const id = personIdOf(row);
      const person = id === undefined ? undefined : names.persons.get(id);
      return person ? personLabel(person) : null;
    }
    case 'household': {
      const no = text(field(snapshot, 'householdNo'));
      return no ? `户编号 ${no}` : null;
    }
    case 'user': {
      const user = row.entityId ? names.users.get(row.entityId) : undefined;
      if (user) return `${user.displayName}（${user.username}）`;
      const username = text(field(row.after, 'username'));
      return username ? `用户名 ${username}` : null;
    }
    case 'household_roster': {
      const file = text(field(field(row.after, 'file'), 'name'));
      if (file) return `文件 ${file}`;
      const households = field(row.after, 'households');
      const persons = field(row.after, 'persons');
      return typeof households === 'number' && typeof persons === 'number'
        ? `${households} 户 ${persons} 人`
        : null;
    }
    case 'district':
      return row.entityId ? districtName(row.entityId) : null;
    default:
      return null;
  }
}

export function presentAuditRow(row: AuditRow, names: RowNames, unmask: boolean): AuditRowView {
  const mask = (value: string | null) => (value === null || unmask ? value : maskText(value));
  const snapshot = (value: unknown) => (unmask ? redactSnapshot(value) : maskIdentifiersDeep(value));
  return {
    id: row.id,
    at: row.at,
    actorId: row.actorId,
    actorName:
      mask(
        actorName(row.actorId, (id) => {
          const user = names.users.get(id);
          return user ? `${user.displayName}（${user.username}）` : undefined;
        }),
      ) ?? '',
    actorDivision: row.actorDivision,
    actorDivisionName: divisionName(row.actorDivision),
    district: row.district,
    districtName: districtName(row.district),
    action: row.action,
    actionName: isAuditAction(row.action) ? auditActionName(row.action) : row.action,
    entityType: row.entityType,
    entityTypeName: auditEntityTypeName(row.entityType),
    entityId: mask(row.entityId),
    entityLabel: mask(entityLabel(row, names)),
    before: snapshot(row.before),
    after: snapshot(row.after),
    reason: mask(row.reason),
    requestId: row.requestId,
    hash: row.hash,
  };
}
