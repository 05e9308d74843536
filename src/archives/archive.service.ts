import { actorName } from '../auth/actor-name.ts';
import { mayAct, type Acting } from '../auth/roles.ts';
import type { DataScope } from '../auth/scope.ts';
import { findUserById } from '../auth/user.repository.ts';
import { machineOf } from '../cases/case.present.ts';
import { findCase, listCaseRows, stepRecords, type CaseRow } from '../cases/case.repository.ts';
import { CASE_STATE_NAMES, type CaseState } from '../cases/cases.machine.ts';
import { isStep, STEP_NAMES } from '../cases/cases.steps.ts';
import { CASE_NOTICE_NAMES } from '../cases/notices/index.ts';
import { issuedNoticeKinds } from '../cases/notices/notice.data.ts';
import { now } from '../core/clock.ts';
import type { Db } from '../db/store.ts';
import { chineseDate, DASH, orDash, yuan } from '../documents/format.ts';
import { decisionOf, type DecisionLineView } from '../entitlements/decision.service.ts';
import { maskAccount, presentEntitlements, presentChange } from '../entitlements/entitlement.present.ts';
import { changesOf, listEntitlementRows } from '../entitlements/entitlement.repository.ts';
import { paymentsOf, recoveryItemsOf, type RecipientRef } from '../payroll/archive.repository.ts';
import { programName } from '../entitlements/entitlement.present.ts';
import { relationName } from '../registry/codes.ts';
import { divisionIndex } from '../registry/divisions.ts';
import { currentMembership, findHousehold, householdMemberRows } from '../registry/household.repository.ts';
import { maskIdNumber } from '../registry/id-number.ts';
import { findPerson, personIdentities } from '../registry/person.repository.ts';
import { purposeName } from '../verification/purposes.ts';
import { reportRevisions } from '../verification/report/report.repository.ts';
import { listRequestRows } from '../verification/request.repository.ts';
import { presentTimeline } from '../workflow/timeline.ts';
import { dayOf, decisionItem, entitlementItem, paymentItem, recoveryItem } from './archive.items.ts';
import {
  ARCHIVE_KINDS,
  type ArchiveItem,
  type ArchiveKind,
  type ArchiveRecipient,
  type ArchiveView,
} from './archive.types.ts';
import { ArchiveError, RECIPIENT_NOT_FOUND } from './archives.errors.ts';

/**
 * 电子档案: everything the platform holds on one recipient — a person (特困, person programs) or a household
 * (低保 and the other household programs) — read through each module's repository inside the caller's scope,
 * as one date-ordered list of items. Reads only; the PDF download is audited by the edge.
 */

export interface ArchiveCaller {
  scope: DataScope;
  role: Acting;
  userId: string | null;
}

export interface RecipientKey {
  kind: 'person' | 'household';
  districtCode: string;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** More than any one recipient has; the archive is one page, not a list to page through. */
const MANY = 500;

const CASE_KIND_NAMES: Readonly<Record<string, string>> = {
  application: '申请',
  review: '复审',
  change: '变更',
};
const CHANNEL_NAMES: Readonly<Record<string, string>> = { counter: '窗口受理', online: '网上申请' };
/** The visit checklist's items (the console's web/src/views/cases/data.ts VISIT_CHECKLIST). */
const VISIT_ITEMS: Readonly<Record<string, string>> = {
  residence: '实际居住情况与申报一致',
  members: '共同生活的家庭成员与申报一致',
  living: '生活状况（住房、家电、车辆）已查看',
  health: '成员健康与劳动能力已了解',
  income: '收入来源已了解',
};

/** Users' names by id, each looked up once. */
function userNames(db: Db) {
  const cache = new Map<string, string | undefined>();
  return {
    async load(ids: Iterable<string | null>): Promise<void> {
      for (const id of ids) {
        if (id === null || cache.has(id) || !UUID.test(id)) continue;
        const user = await findUserById(db, id);
        cache.set(id, user ? `${user.displayName}（${user.username}）` : undefined);
      }
    },
    name: (id: string | null): string => actorName(id, (u) => cache.get(u)),
  };
}

function divisionName(code: string): string {
  return divisionIndex().path(code)?.fullName ?? code;
}

async function recipientOf(
  db: Db,
  caller: ArchiveCaller,
  key: RecipientKey,
): Promise<{ recipient: ArchiveRecipient; householdIds: string[] }> {
  const missing = () => new ArchiveError('not_found', RECIPIENT_NOT_FOUND);
  if (!/^\d{6}$/.test(key.districtCode) || !UUID.test(key.id)) throw missing();
  if (key.kind === 'household') {
    const household = await findHousehold(db, caller.scope, { districtCode: key.districtCode, id: key.id });
    if (!household) throw missing();
    const members = await householdMemberRows(db, key.districtCode, key.id, true);
    const head = members.find((m) => m.membership.relationCode === '02') ?? members[0];
    return {
      recipient: {
        kind: 'household',
        districtCode: key.districtCode,
        id: key.id,
        name: head ? head.person.name : `户编号 ${household.householdNo}`,
        idNumberMasked: null,
        householdId: household.id,
        householdNo: household.householdNo,
        address: household.address,
        divisionName: divisionName(household.committeeCode),
        members: members.map((m) => ({
          personId: m.person.id,
          name: m.person.name,
          idNumberMasked: maskIdNumber(m.person.idNumber),
          relationName: relationName(m.membership.relationCode),
        })),
      },
      householdIds: [household.id],
    };
  }
  const person = await findPerson(db, caller.scope, key.districtCode, key.id);
  if (!person) throw missing();
  const membership = await currentMembership(db, key.districtCode, key.id);
  return {
    recipient: {
      kind: 'person',
      districtCode: key.districtCode,
      id: key.id,
      name: person.name,
      idNumberMasked: maskIdNumber(person.idNumber),
      householdId: membership?.householdId ?? null,
      householdNo: membership?.householdNo ?? null,
      address: null,
      divisionName: divisionName(person.residenceDivisionCode),
      members: [],
    },
    householdIds: membership ? [membership.householdId] : [],
  };
}

function caseItem(
  row: CaseRow,
  timeline: Awaited<ReturnType<typeof presentTimeline>>,
  steps: Awaited<ReturnType<typeof stepRecords>>,
  names: (id: string | null) => string,
): ArchiveItem {
  const entries = timeline.map((e) => ({
    date: dayOf(e.at),
    text: `${e.actionLabel}（${e.fromStateLabel ?? '—'} → ${e.toStateLabel}）${e.reason ? `：${e.reason}` : ''}（${e.actorName}）`,
  }));
  if (steps.evaluation) {
    const v = steps.evaluation;
    entries.push({
      date: v.heldOn,
      text: `民主评议：赞成 ${v.votesFor}、反对 ${v.votesAgainst}、弃权 ${v.votesAbstain}；${v.opinion}（${names(v.recordedBy)}）`,
    });
  }
  if (steps.review) {
    entries.push({
      date: dayOf(steps.review.recordedAt),
      text: `审核意见：${steps.review.opinion}（${names(steps.review.recordedBy)}）`,
    });
  }
  if (steps.publicity) {
    const p = steps.publicity;
    entries.push({
      date: p.startsOn,
      text: `公示：${chineseDate(p.startsOn)}至${chineseDate(p.endsOn)}，共 ${p.days} 天`,
    });
  }
  for (const o of steps.objections) {
    entries.push({ date: o.receivedOn, text: `公示异议：${o.content}；处理：${o.handling}` });
  }
  entries.sort((a, b) => a.date.localeCompare(b.date));
  const state = CASE_STATE_NAMES[row.state as CaseState] ?? row.state;
  return {
    kind: 'case',
    date: row.appliedOn,
    title: `${CASE_KIND_NAMES[row.kind] ?? row.kind} ${row.caseNo}：${row.programs.map(programName).join('、')}（${state}）`,
    fields: [
      { label: '申请编号', value: row.caseNo },
      { label: '类别', value: CASE_KIND_NAMES[row.kind] ?? row.kind },
      { label: '申请项目', value: row.programs.map(programName).join('、') },
      { label: '渠道', value: CHANNEL_NAMES[row.channel] ?? row.channel },
      { label: '申请日期', value: chineseDate(row.appliedOn) },
      { label: '受理日期', value: row.acceptedOn ? chineseDate(row.acceptedOn) : DASH },
      {
        label: '办理环节',
        value:
          row.requiredSteps
            .filter(isStep)
            .map((s) => STEP_NAMES[s])
            .join(' → ') || DASH,
      },
      { label: '状态', value: state },
      ...(row.reason ? [{ label: '理由', value: row.reason }] : []),
      ...(row.decidedAt
        ? [{ label: '决定', value: `${chineseDate(dayOf(row.decidedAt))}（${names(row.decidedBy)}）` }]
        : []),
    ],
    entries,
    note: null,
    link: { page: 'case', districtCode: row.districtCode, caseId: row.id },
    amountFen: null,
  };
}

function visitItem(
  row: CaseRow,
  visit: NonNullable<Awaited<ReturnType<typeof stepRecords>>['visit']>,
  names: (id: string | null) => string,
): ArchiveItem {
  return {
    kind: 'visit',
    date: visit.visitedOn,
    title: `入户调查（救助申请 ${row.caseNo}）`,
    fields: [
      { label: '调查日期', value: chineseDate(visit.visitedOn) },
      { label: '调查人员', value: visit.visitors.join('、') },
      {
        label: '照片',
        value: visit.photoIds.length > 0 ? `${visit.photoIds.length} 张（见救助申请附件）` : '无',
      },
      { label: '登记人', value: names(visit.recordedBy) },
    ],
    entries: Object.entries(visit.checklist).map(([k, v]) => ({
      date: visit.visitedOn,
      text: `${VISIT_ITEMS[k] ?? k}：${v ? '是' : '否'}`,
    })),
    note: visit.notes || null,
    link: { page: 'case', districtCode: row.districtCode, caseId: row.id },
    amountFen: null,
  };
}

function noticeDay(row: CaseRow, kind: string): string {
  if (kind === 'acceptance' && row.acceptedOn) return row.acceptedOn;
  return dayOf(row.decidedAt ?? row.updatedAt);
}

/** Whether a decision line concerns the person (a beneficiary or payee), or has nobody named (a denial). */
function concerns(line: DecisionLineView, personId: string): boolean {
  return (
    line.beneficiaries.length === 0 ||
    line.beneficiaries.some((b) => b.id === personId || b.payeePersonId === personId)
  );
}

/** The archive of one recipient, in the caller's scope (404 outside it). */
export async function getArchive(db: Db, caller: ArchiveCaller, key: RecipientKey): Promise<ArchiveView> {
  if (!mayAct(caller.role, 'archives.view')) throw new ArchiveError('forbidden', '您没有权限查看电子档案');
  const { recipient, householdIds } = await recipientOf(db, caller, key);
  const d = key.districtCode;
  const who: RecipientRef = key.kind === 'household' ? { householdId: key.id } : { personId: key.id };
  const unmask = mayAct(caller.role, 'entitlements.account');
  const users = userNames(db);
  const items: ArchiveItem[] = [];

  // 待遇 and their change records: a household's (its own and its members'), or a person's (beneficiary or payee).
  const { rows: entRows } = await listEntitlementRows(db, caller.scope, {
    districtCode: d,
    ...(key.kind === 'household' ? { householdId: key.id } : { personId: key.id }),
    limit: MANY,
    offset: 0,
  });
  const entViews = await presentEntitlements(db, caller, entRows);
  const histories = await Promise.all(entRows.map((r) => changesOf(db, r)));
  for (const r of entRows) if (!householdIds.includes(r.householdId)) householdIds.push(r.householdId);

  // 救助申请 of the households, and those an entitlement rests on.
  const caseRows = new Map<string, CaseRow>();
  for (const householdId of householdIds) {
    const { rows } = await listCaseRows(db, caller.scope, { householdId, limit: MANY, offset: 0 });
    for (const row of rows) if (row.districtCode === d) caseRows.set(row.id, row);
  }
  for (const r of entRows) {
    if (r.caseId && !caseRows.has(r.caseId)) {
      const row = await findCase(db, caller.scope, d, r.caseId);
      if (row) caseRows.set(row.id, row);
    }
  }
  const cases = [...caseRows.values()];
  const caseData = await Promise.all(
    cases.map(async (row) => ({
      row,
      steps: await stepRecords(db, row),
      timeline: await presentTimeline(db, machineOf(row), row.id),
      decision: await decisionOf(
        db,
        caller.scope,
        { districtCode: d, caseId: row.id },
        { unmaskAccounts: unmask },
      ),
    })),
  );
  await users.load(
    caseData.flatMap(({ row, steps, decision }) => [
      row.decidedBy,
      steps.visit?.recordedBy ?? null,
      steps.evaluation?.recordedBy ?? null,
      steps.review?.recordedBy ?? null,
      ...decision.lines.flatMap((l) => [l.preparedBy, l.decidedBy]),
    ]),
  );
  await users.load(histories.flat().map((h) => h.actorId));
  const caseNos = new Map(cases.map((c) => [c.id, c.caseNo]));
  for (const { row, steps, timeline, decision } of caseData) {
    items.push(caseItem(row, timeline, steps, users.name));
    if (steps.visit) items.push(visitItem(row, steps.visit, users.name));
    const lines = key.kind === 'person' ? decision.lines.filter((l) => concerns(l, key.id)) : decision.lines;
    for (const line of lines) items.push(decisionItem(d, row.caseNo, row.id, line, users.name));
    for (const kind of issuedNoticeKinds(
      row,
      decision.lines.map((l) => l.outcome),
    )) {
      items.push({
        kind: 'notice',
        date: noticeDay(row, kind),
        title: `${CASE_NOTICE_NAMES[kind]}（救助申请 ${row.caseNo}）`,
        fields: [
          { label: '救助申请', value: row.caseNo },
          { label: '出具日期', value: chineseDate(noticeDay(row, kind)) },
        ],
        entries: [],
        note: null,
        link: { page: 'notice', districtCode: d, caseId: row.id, notice: kind },
        amountFen: null,
      });
    }
  }
  entViews.forEach((e, i) => {
    items.push(entitlementItem(e, (histories[i] ?? []).map(presentChange), users.name, caseNos));
  });

  // 核对报告: every revision of every report of the households' verification requests.
  for (const householdId of householdIds) {
    const { rows } = await listRequestRows(db, caller.scope, { householdId, limit: MANY, offset: 0 });
    for (const request of rows.filter((r) => r.districtCode === d)) {
      for (const report of await reportRevisions(db, d, request.id)) {
        const concluded = report.body.conclusion.programs.filter((p) => p.forPurpose);
        items.push({
          kind: 'report',
          date: dayOf(report.createdAt),
          title: `核对报告 ${report.reportNo}（第 ${report.revision} 版）：${purposeName(request.purpose)}`,
          fields: [
            { label: '核对委托', value: request.requestNo },
            { label: '报告编号', value: report.reportNo },
            { label: '版本', value: `第 ${report.revision} 版` },
            { label: '核对基准日', value: chineseDate(report.body.asOf) },
            {
              label: '结论',
              value:
                concluded
                  .map((p) => `${p.name}：${p.eligible ? `符合，${yuan(p.amountFen)}` : '不符合'}`)
                  .join('；') || DASH,
            },
            { label: '提示', value: `${report.flagCount} 项` },
            { label: '部门答复', value: report.body.partial ? '部分答复（有缺口）' : '齐全' },
            ...(report.revision > 1 ? [{ label: '更正原因', value: orDash(report.reason) }] : []),
          ],
          entries: [],
          note: null,
          link: { page: 'verification', districtCode: d, requestId: request.id },
          amountFen: null,
        });
      }
    }
  }

  // 发放 and 追缴.
  const payments = await paymentsOf(db, caller.scope, d, who);
  const recoveries = await recoveryItemsOf(
    db,
    caller.scope,
    d,
    who,
    entRows.map((r) => r.id),
  );
  await users.load(recoveries.flatMap((r) => [r.raisedBy, r.closedBy]));
  const payees = await personIdentities(
    db,
    d,
    payments.map((p) => p.payeePersonId),
  );
  for (const p of payments) {
    const account = p.accountNo === null || unmask ? p.accountNo : maskAccount(p.accountNo);
    items.push(paymentItem(d, p, payees.get(p.payeePersonId)?.name ?? '', account));
  }
  for (const r of recoveries) items.push(recoveryItem(r, users.name));

  const order = new Map(ARCHIVE_KINDS.map((k, i) => [k, i]));
  items.sort((a, b) => a.date.localeCompare(b.date) || order.get(a.kind)! - order.get(b.kind)!);
  const counts = Object.fromEntries(ARCHIVE_KINDS.map((k) => [k, 0])) as Record<ArchiveKind, number>;
  for (const item of items) counts[item.kind] += 1;
  return { recipient, items, counts, accountsUnmasked: unmask, generatedAt: now().toISOString() };
}
