import { randomUUID } from 'node:crypto';
import { shanghaiToday } from '../core/clock.ts';
import { copyCreatedEntitlements, openEntitlementKeys } from '../entitlements/entitlement.bulk.ts';
import { snapshot } from '../entitlements/entitlement.present.ts';
import type { ChangeRow, EntitlementRow } from '../entitlements/entitlement.repository.ts';
import { scheduleOf } from '../entitlements/schedules.ts';
import { parametersInForce } from '../parameter-changes/parameters-in-force.ts';
import { currentAccountsOf } from '../payees/payee.repository.ts';
import { entitlementBankName } from '../payees/payee.service.ts';
import { engineAmounts, householdsOf } from '../payroll/compute/engine.ts';
import type { AccountKind } from '../payroll/bank/banks.ts';
import type { EventSubject } from '../registry/subjects.repository.ts';
import type { RowDigest, WorkTx } from '../workflow/unit-of-work.ts';
import type { EventRow } from './events.repository.ts';

/**
 * 免申即享 (docs/events.md): a person reaching the elderly allowance's first band age with Shanghai hukou and no
 * open 老年综合津贴 gets one from the birthday's month, without an application: basis rule `no_application`
 * (entitlements_basis_chk: no case, a rule), the amount the engine gives for that month, paid to the person.
 * Without a payee account on file the entitlement is created all the same with none: the payroll computes its
 * lines and the bank file fails them as 收款账户未登记 (carried to the next run once an account is recorded), and
 * the caller makes a task to collect the account — nothing is lost and nothing is paid to a wrong account.
 * A death known already ends it at the month of death. Entitlements and their history rows go in by COPY.
 */

export const NO_APPLICATION_RULE = 'no_application';
const PROGRAM = 'elderly_allowance';

export interface Enrolment {
  created: boolean;
  needsAccount: boolean;
  householdId: string | null;
  committeeCode: string;
  outcome: Record<string, unknown>;
}

export async function enrolWithoutApplication(
  tx: WorkTx,
  districtCode: string,
  candidates: readonly { event: EventRow; subject: EventSubject; knownDeath: string | null }[],
  digest: RowDigest,
): Promise<Map<number, Enrolment>> {
  const out = new Map<number, Enrolment>();
  if (candidates.length === 0) return out;
  const skip = (event: EventRow, subject: EventSubject, result: string) =>
    out.set(event.id, {
      created: false,
      needsAccount: false,
      householdId: subject.householdId,
      committeeCode: subject.committeeCode ?? event.divisionCode,
      outcome: { result },
    });
  const open = new Set(
    (
      await openEntitlementKeys(
        tx.db,
        districtCode,
        candidates.map((c) => ({ program: PROGRAM, beneficiaryId: c.subject.personId })),
      )
    ).map((k) => k.beneficiaryId),
  );
  const eligible: (typeof candidates)[number][] = [];
  const once = new Set<string>();
  for (const c of candidates) {
    if (!c.subject.hukouDivisionCode.startsWith('31'))
      skip(c.event, c.subject, '非本市户籍，不纳入老年综合津贴');
    else if (c.subject.householdId === null || c.subject.committeeCode === null)
      skip(c.event, c.subject, '人口库中无其家庭户，未能纳入，请核实户籍信息');
    else if (open.has(c.subject.personId) || once.has(c.subject.personId))
      skip(c.event, c.subject, '已在享受老年综合津贴，无需重复纳入');
    else {
      once.add(c.subject.personId);
      eligible.push(c);
    }
  }
  if (eligible.length === 0) return out;

  const parameters = parametersInForce().forDistrict(districtCode);
  const accounts = await currentAccountsOf(
    tx.db,
    districtCode,
    eligible.map((c) => c.subject.personId),
  );
  const byMonth = new Map<string, typeof eligible>();
  for (const c of eligible) {
    const month = c.event.occurredOn.slice(0, 7);
    const list = byMonth.get(month);
    if (list) list.push(c);
    else byMonth.set(month, [c]);
  }
  const schedule = scheduleOf(PROGRAM) ?? 'monthly';
  const today = shanghaiToday(tx.now);
  const now = tx.now.toISOString();
  const rows: EntitlementRow[] = [];
  const changes: ChangeRow[] = [];
  for (const [month, list] of byMonth) {
    const ids = [...new Set(list.map((c) => c.subject.householdId!))].sort();
    const houses = await householdsOf(tx.db, districtCode, ids, month);
    const amounts = engineAmounts(
      houses,
      list.map((c) => ({
        id: c.subject.personId,
        program: PROGRAM,
        householdId: c.subject.householdId!,
        personId: c.subject.personId,
      })),
      month,
      parameters,
    );
    for (const c of list) {
      const a = amounts.get(c.subject.personId);
      if (!a || 'error' in a || a.amountFen <= 0) {
        skip(
          c.event,
          c.subject,
          `按 ${month} 计算老年综合津贴未得出金额（${a && 'error' in a ? a.error : '不符合条件或金额为 0'}），未纳入`,
        );
        continue;
      }
      const account = accounts.get(c.subject.personId);
      const deathMonth = c.knownDeath?.slice(0, 7) ?? null;
      const row: EntitlementRow = {
        districtCode,
        id: randomUUID(),
        program: PROGRAM,
        beneficiaryKind: 'person',
        beneficiaryId: c.subject.personId,
        householdId: c.subject.householdId!,
        personId: c.subject.personId,
        committeeCode: c.subject.committeeCode!,
        payeePersonId: c.subject.personId,
        payeeRole: 'beneficiary',
        bankName: account ? entitlementBankName(account.kind as AccountKind, account.bankName) : null,
        accountNo: account?.accountNo ?? null,
        schedule,
        amountFen: a.amountFen,
        fromMonth: month,
        toMonth: deathMonth,
        state: 'active',
        caseId: null,
        decisionProgram: null,
        rule: NO_APPLICATION_RULE,
        version: 1,
        createdAt: now,
        updatedAt: now,
      };
      rows.push(row);
      changes.push({
        districtCode,
        entitlementId: row.id,
        seq: 1,
        kind: 'created',
        before: null,
        after: snapshot(row),
        reason: `年满老年综合津贴起始年龄、本市户籍，免申即享自 ${month} 起纳入（生命事件 ${c.event.id}）`,
        caseId: null,
        decisionProgram: null,
        rule: NO_APPLICATION_RULE,
        actorId: tx.actor.userId,
        effectiveMonth: month,
        changedOn: today,
        changedAt: now,
      });
      digest.add({ entitlement: row.id, person: row.personId, fromMonth: month, amountFen: row.amountFen });
      out.set(c.event.id, {
        created: true,
        needsAccount: !account,
        householdId: row.householdId,
        committeeCode: row.committeeCode,
        outcome: {
          result: account ? '已免申即享纳入老年综合津贴' : '已免申即享纳入老年综合津贴（待采集收款账户）',
          entitlementId: row.id,
          fromMonth: month,
          toMonth: deathMonth,
          amountFen: row.amountFen,
        },
      });
    }
  }
  await copyCreatedEntitlements(tx, rows, changes);
  return out;
}
