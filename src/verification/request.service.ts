import { randomUUID } from 'node:crypto';
import { mayAct } from '../auth/roles.ts';
import type { WorkingCalendar } from '../calendar/working-calendar.ts';
import { shanghaiToday } from '../core/clock.ts';
import type { Db } from '../db/store.ts';
import { findHousehold, householdMemberRows } from '../registry/household.repository.ts';
import { applyTransition, recordStart, type MachineStore } from '../workflow/state-machine.ts';
import { presentTimeline } from '../workflow/timeline.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import { householdAuthorisations } from './authorisation.repository.ts';
import { coverageOf } from './authorisation.rules.ts';
import { adultsOn, membersOn } from './authorisation.service.ts';
import { isPurpose } from './purposes.ts';
import {
  findRequest,
  insertRequest,
  listRequestRows,
  requestByNoOrId,
  saveRequestState,
  sourceProgress,
  sourceQueriesOf,
  type RequestFilter,
  type RequestRow,
} from './request.repository.ts';
import { LOCAL_SOURCE_CODES } from './sources/catalogue.ts';
import type { VerificationCaller } from './verification.caller.ts';
import { REQUEST_NOT_FOUND, VerificationError } from './verification.errors.ts';
import { verificationMachine, type VerificationState } from './verification.machine.ts';
import { verificationParameter, VP } from './verification.parameters.ts';
import {
  presentRequest,
  presentSource,
  type MemberInfo,
  type RequestDetailView,
  type RequestView,
} from './request.present.ts';

export type { RequestDetailView, RequestView, SourceStatusView } from './request.present.ts';
export { ORIGIN_NAMES, QUERY_STATE_NAMES } from './request.present.ts';

/**
 * 核对委托 (MZ/T 072 接受申请): a request for one household and one purpose is accepted only when every
 * adult member is covered, today, by a signed authorisation for that purpose; the members and the
 * authorisations are fixed on the request, every local source gets a query to ask, and the report is due
 * a dated number of working days later. Gathering and the report follow in jobs (gather.service.ts,
 * report/report.service.ts).
 */

export interface CreateRequestInput {
  districtCode: string;
  householdId: string;
  purpose: string;
}

/** A request number people can quote: HD-<district>-<yyyymmdd>-<six letters of the id>. */
export function requestNumber(districtCode: string, day: string, id: string): string {
  const tail = BigInt(`0x${id.replace(/-/g, '').slice(0, 8)}`)
    .toString(32)
    .toUpperCase()
    .padStart(6, '0');
  return `HD-${districtCode}-${day.replace(/-/g, '')}-${tail.slice(-6)}`;
}

function refuseUncovered(unsigned: readonly { name: string }[], expired: readonly { name: string }[]): void {
  if (unsigned.length === 0 && expired.length === 0) return;
  const problems = [
    ...(unsigned.length > 0
      ? [`以下成年家庭成员没有签署该用途的核对授权书：${unsigned.map((s) => s.name).join('、')}`]
      : []),
    ...(expired.length > 0
      ? [`以下成年家庭成员的核对授权书已过期或已终止：${expired.map((s) => s.name).join('、')}`]
      : []),
  ];
  throw new VerificationError(
    unsigned.length > 0 ? 'authorisation_missing' : 'authorisation_expired',
    `${problems.join('；')}。请先登记签署的授权书`,
    problems,
  );
}

/** Accepts a request (受理核对委托); refused, with nothing written, unless every adult is covered today. */
export async function createRequest(
  tx: WorkTx,
  caller: VerificationCaller,
  calendar: WorkingCalendar,
  input: CreateRequestInput,
): Promise<RequestView> {
  if (!mayAct(caller.role, 'verification.request')) {
    throw new VerificationError('invalid', '您没有权限发起核对委托');
  }
  const household = await findHousehold(tx.db, caller.scope, {
    districtCode: input.districtCode,
    id: input.householdId,
  });
  if (!household) throw new VerificationError('not_found', '家庭户不存在或不在您的数据范围内');
  if (!isPurpose(input.purpose)) {
    throw new VerificationError('invalid', `核对用途「${input.purpose}」不存在`);
  }
  const today = shanghaiToday(tx.now);
  const memberRows = membersOn(
    await householdMemberRows(tx.db, input.districtCode, input.householdId, false),
    today,
  );
  if (memberRows.length === 0) throw new VerificationError('invalid', '该家庭户今天没有在册成员，无法核对');
  const adults = adultsOn(memberRows, today);
  const coverage = coverageOf(
    await householdAuthorisations(tx.db, input.districtCode, input.householdId),
    input.purpose,
    adults,
    today,
  );
  refuseUncovered(coverage.unsigned, coverage.expired);
  const due = calendar.deadline(today, verificationParameter(VP.deadline_working_days, today));
  const id = randomUUID();
  const row: RequestRow = {
    districtCode: input.districtCode,
    id,
    requestNo: requestNumber(input.districtCode, today, id),
    householdId: household.id,
    committeeCode: household.committeeCode,
    purpose: input.purpose,
    origin: 'application',
    personIds: memberRows.map((r) => r.person.id),
    authorisationIds: coverage.authorisationIds,
    asOf: today,
    state: 'received',
    version: 1,
    partial: false,
    dueDue: due.due,
    dueFrom: due.from,
    dueWorkingDays: due.workingDays,
    dueRule: due.rule,
    dueProvisional: due.provisional,
    jobId: null,
    exchangeRef: null,
    createdBy: caller.userId,
    createdAt: tx.now.toISOString(),
    reportedAt: null,
  };
  await insertRequest(tx, row, LOCAL_SOURCE_CODES);
  await recordStart(
    tx,
    verificationMachine,
    {
      id,
      action: 'start',
      divisionCode: household.committeeCode,
      role: caller.role,
    },
    {
      requestNo: row.requestNo,
      householdId: row.householdId,
      purpose: row.purpose,
      authorisationIds: row.authorisationIds,
    },
  );
  const members = new Map(
    memberRows.map((r) => [r.person.id, { name: r.person.name, idNumber: r.person.idNumber }]),
  );
  return presentRequest(row, caller, {
    household,
    members,
    progress: { pending: LOCAL_SOURCE_CODES.length },
    today,
  });
}

async function memberInfo(db: Db, row: RequestRow): Promise<Map<string, MemberInfo>> {
  const rows = await householdMemberRows(db, row.districtCode, row.householdId, false);
  return new Map(rows.map((r) => [r.person.id, { name: r.person.name, idNumber: r.person.idNumber }]));
}

/** One request with each source's status and its timeline; 404 outside the caller's scope. */
export async function getRequest(
  db: Db,
  caller: VerificationCaller,
  key: { districtCode: string; id: string },
  today = shanghaiToday(),
): Promise<RequestDetailView> {
  const row = await findRequest(db, caller.scope, key.districtCode, key.id);
  if (!row) throw new VerificationError('not_found', REQUEST_NOT_FOUND);
  const [household, members, queries, timeline] = await Promise.all([
    findHousehold(db, caller.scope, { districtCode: row.districtCode, id: row.householdId }),
    memberInfo(db, row),
    sourceQueriesOf(db, row.districtCode, row.id),
    presentTimeline(db, verificationMachine, row.id),
  ]);
  const counts: Record<string, number> = {};
  for (const q of queries) counts[q.state] = (counts[q.state] ?? 0) + 1;
  return {
    ...presentRequest(row, caller, { household, members, progress: counts, today }),
    sources: queries.map(presentSource),
    timeline,
  };
}

/** Requests in the caller's scope, newest first, with filters (state, purpose, overdue …). */
export async function listRequests(
  db: Db,
  caller: VerificationCaller,
  filter: RequestFilter,
  today = shanghaiToday(),
): Promise<{ items: RequestView[]; total: number }> {
  const { rows, total } = await listRequestRows(db, caller.scope, filter);
  const progress = await sourceProgress(
    db,
    rows.map((r) => r.districtCode),
    rows.map((r) => r.id),
  );
  const households = new Map<string, { householdNo: string; address: string }>();
  const members = new Map<string, MemberInfo>();
  await Promise.all(
    [...new Map(rows.map((r) => [r.householdId, r])).values()].map(async (r) => {
      const h = await findHousehold(db, caller.scope, { districtCode: r.districtCode, id: r.householdId });
      if (h) households.set(h.id, h);
      for (const [id, m] of await memberInfo(db, r)) members.set(id, m);
    }),
  );
  return {
    items: rows.map((row) =>
      presentRequest(row, caller, {
        household: households.get(row.householdId),
        members,
        progress: progress.get(row.id),
        today,
      }),
    ),
    total,
  };
}

function requestStore(districtCode: string): MachineStore<VerificationState> {
  return {
    load: async (tx, id) => {
      const row = await findRequest(tx.db, { kind: 'all' }, districtCode, id);
      return row
        ? {
            id: row.id,
            divisionCode: row.committeeCode,
            state: row.state as VerificationState,
            version: row.version,
          }
        : null;
    },
    save: (tx, id, expected, next) => saveRequestState(tx, { districtCode, id }, expected, next),
  };
}

/** 撤销委托 while the sources are still being asked; the queries are left as they are and never counted. */
export async function withdrawRequest(
  tx: WorkTx,
  caller: VerificationCaller,
  key: { districtCode: string; id: string; version: number },
): Promise<RequestDetailView> {
  const row = await findRequest(tx.db, caller.scope, key.districtCode, key.id);
  if (!row) throw new VerificationError('not_found', REQUEST_NOT_FOUND);
  await applyTransition(tx, verificationMachine, requestStore(key.districtCode), {
    id: key.id,
    action: 'withdraw',
    expectedVersion: key.version,
    role: caller.role,
    context: { problems: [] },
  });
  return getRequest(tx.db, caller, key, shanghaiToday(tx.now));
}

export { requestStore };

/** A request by its id or its number, in any district (the command-line operator's look-up). */
export async function findRequestByNoOrId(db: Db, key: string): Promise<RequestRow | undefined> {
  return requestByNoOrId(db, key);
}
