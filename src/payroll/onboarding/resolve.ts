/**
 * The going-live import's checks against the database (step 2 of onboarding.service.ts), set-based: one
 * query per look-up for the whole file.
 */
import { inScope } from '../../auth/scope.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { openEntitlementKeys } from '../../entitlements/entitlement.bulk.ts';
import { maskAccount, type PayeeRole } from '../../entitlements/entitlement.present.ts';
import { adultAge } from '../../entitlements/entitlements.parameters.ts';
import { ageOn, dateKey, parseMonth } from '../../policy/engine/month.ts';
import { PROGRAMS } from '../../policy/index.ts';
import type { ImportIssue } from '../../registry/import/report.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { RECIPIENT_COLUMN, type RecipientColumnKey } from './columns.ts';
import {
  currentMemberPairs,
  currentPayeeAccounts,
  householdsByNo,
  personsByIdNumber,
  type NewPayeeAccountRow,
  type RegisteredRecipient,
} from './onboarding.repository.ts';
import type { RecipientImportOptions } from './onboarding.service.ts';
import type { RecipientRow } from './rows.ts';

export interface Resolved {
  recipient: RecipientRow;
  householdId: string;
  committeeCode: string;
  beneficiaryId: string;
  personId: string | null;
  payeePersonId: string;
  payeeRole: PayeeRole;
  payee: RegisteredRecipient;
}

function ageIn(person: RegisteredRecipient, month: string): number | null {
  const key = dateKey(person.birthDate);
  return key === null ? null : ageOn(key, parseMonth(month).lastDayKey);
}

/**
 * Each row against the registry (the beneficiary, the household, the payee and the payee rules of
 * src/entitlements/payees.ts), the other rows (one row per program and beneficiary), the open entitlements
 * (no second one) and the payee accounts (src/payees: one current account per person). Returns the rows that
 * pass, each resolved, and the payee accounts to register; every problem goes to `addIssue`.
 */
export async function resolveRecipients(
  tx: WorkTx,
  options: RecipientImportOptions,
  recipients: readonly RecipientRow[],
  addIssue: (issue: ImportIssue) => void,
): Promise<{ resolved: Resolved[]; accounts: NewPayeeAccountRow[] }> {
  const district = options.districtCode;
  const today = options.today ?? shanghaiToday(tx.now);
  const month = today.slice(0, 7);
  const majority = adultAge(today, options.parameters);
  const idNumbers = recipients.flatMap((r) =>
    r.idNumber ? [r.idNumber, r.payeeIdNumber] : [r.payeeIdNumber],
  );
  const persons = new Map((await personsByIdNumber(tx.db, district, idNumbers)).map((p) => [p.idNumber, p]));
  const households = new Map(
    (
      await householdsByNo(
        tx.db,
        district,
        recipients.flatMap((r) => (r.householdNo ? [r.householdNo] : [])),
      )
    ).map((h) => [h.householdNo, h]),
  );
  const issue = (r: RecipientRow, key: RecipientColumnKey, value: string | null, reason: string) =>
    addIssue({ row: r.row, column: RECIPIENT_COLUMN[key].header, value, reason });
  const notHere = '未在本区人口信息库中登记（或不在您的数据范围内）';

  const candidates: Omit<Resolved, 'payeeRole'>[] = [];
  for (const r of recipients) {
    let householdId: string | null = null;
    let committeeCode: string | null = null;
    let beneficiary: RegisteredRecipient | undefined;
    let ok = true;
    if (r.idNumber !== null) {
      beneficiary = persons.get(r.idNumber);
      if (
        !beneficiary ||
        beneficiary.committeeCode === null ||
        !inScope(options.scope, beneficiary.committeeCode)
      ) {
        issue(
          r,
          'idNumber',
          r.idNumber,
          beneficiary && beneficiary.householdId === null ? '此人不是任何家庭户的现有成员' : notHere,
        );
        ok = false;
      } else if (beneficiary.deathDate !== null) {
        issue(r, 'idNumber', r.idNumber, `此人已于 ${beneficiary.deathDate} 死亡，不能作为在保对象导入`);
        ok = false;
      } else {
        householdId = beneficiary.householdId;
        committeeCode = beneficiary.committeeCode;
      }
    }
    if (r.householdNo !== null) {
      const h = households.get(r.householdNo);
      if (!h || !inScope(options.scope, h.committeeCode)) {
        issue(r, 'householdNo', r.householdNo, '户编号未在本区登记（或不在您的数据范围内）');
        ok = false;
      } else if (householdId !== null && householdId !== h.householdId) {
        issue(
          r,
          'householdNo',
          r.householdNo,
          `身份证号 ${r.idNumber ?? ''} 的人员不是户 ${r.householdNo} 的现有成员`,
        );
        ok = false;
      } else {
        householdId = h.householdId;
        committeeCode = h.committeeCode;
      }
    }
    const payee = persons.get(r.payeeIdNumber);
    if (!payee) {
      issue(r, 'payeeIdNumber', r.payeeIdNumber, `收款人${notHere}`);
      ok = false;
    } else if (payee.deathDate !== null) {
      issue(r, 'payeeIdNumber', r.payeeIdNumber, '收款人已死亡');
      ok = false;
    }
    if (!ok || householdId === null || committeeCode === null || !payee) continue;
    candidates.push({
      recipient: r,
      householdId,
      committeeCode,
      beneficiaryId: r.level === 'household' ? householdId : beneficiary!.personId,
      personId: r.level === 'household' ? null : beneficiary!.personId,
      payeePersonId: payee.personId,
      payee,
    });
  }

  // The payee rules of src/entitlements/payees.ts: a member for a household; the person (of age) or a guardian.
  const members = await currentMemberPairs(
    tx.db,
    district,
    candidates.map((c) => c.householdId),
  );
  const resolved: Resolved[] = [];
  const firstRow = new Map<string, number>();
  for (const c of candidates) {
    const r = c.recipient;
    const name = PROGRAMS[r.program].name;
    let ok = true;
    let payeeRole: PayeeRole;
    const payeeAge = ageIn(c.payee, month);
    if (r.level === 'household') {
      payeeRole = 'household_member';
      if (!members.has(`${c.householdId}|${c.payeePersonId}`)) {
        issue(r, 'payeeIdNumber', r.payeeIdNumber, `${name}按户发放：收款人须为本户现有成员`);
        ok = false;
      }
    } else if (c.payeePersonId === c.personId) {
      payeeRole = 'beneficiary';
    } else {
      payeeRole = 'guardian';
    }
    if (ok && (payeeAge === null || payeeAge < majority)) {
      issue(
        r,
        'payeeIdNumber',
        r.payeeIdNumber,
        payeeRole === 'beneficiary'
          ? `受益人未满 ${majority} 周岁，${name}须由监护人领取：请填写监护人的身份证号`
          : `收款人未满 ${majority} 周岁，不能作为收款人`,
      );
      ok = false;
    }
    const key = `${r.program}|${c.beneficiaryId}`;
    const first = firstRow.get(key);
    if (first !== undefined) {
      issue(r, 'program', name, `与第 ${first} 行是同一受益对象的同一项目：每个受益对象每个项目只能导入一行`);
      ok = false;
    } else firstRow.set(key, r.row);
    if (ok) resolved.push({ ...c, payeeRole });
  }

  const open = await openEntitlementKeys(
    tx.db,
    district,
    resolved.map((r) => ({ program: r.recipient.program, beneficiaryId: r.beneficiaryId })),
  );
  const openKeys = new Set(open.map((o) => `${o.program}|${o.beneficiaryId}`));
  const fresh: Resolved[] = [];
  for (const r of resolved) {
    if (openKeys.has(`${r.recipient.program}|${r.beneficiaryId}`)) {
      const what = r.recipient.level === 'household' ? '本户' : '此人';
      issue(
        r.recipient,
        'program',
        PROGRAMS[r.recipient.program].name,
        `${what}已有未终止的${PROGRAMS[r.recipient.program].name}待遇：不能重复导入（如需变更金额或收款人，请在救助待遇中办理）`,
      );
    } else fresh.push(r);
  }
  const accounts = await payeeAccountsOf(tx, options, fresh, issue);
  return {
    resolved: fresh.filter((r) => !accounts.refused.has(r.recipient.row)),
    accounts: accounts.created,
  };
}

/**
 * The payees' accounts (src/payees: at most one current account per person): a payee already registered with
 * the same account keeps it; with another account, the row is refused (the account is changed in 收款账户, or
 * the file says the registered one); a payee without one gets the file's account, registered today.
 */
async function payeeAccountsOf(
  tx: WorkTx,
  options: RecipientImportOptions,
  resolved: readonly Resolved[],
  issue: (r: RecipientRow, key: RecipientColumnKey, value: string | null, reason: string) => void,
): Promise<{ created: NewPayeeAccountRow[]; refused: Set<number> }> {
  const current = await currentPayeeAccounts(
    tx.db,
    options.districtCode,
    resolved.map((r) => r.payeePersonId),
  );
  const chosen = new Map<string, RecipientRow>();
  const refused = new Set<number>();
  const created: NewPayeeAccountRow[] = [];
  const same = (a: { kind: string; bankCode: string; accountNo: string }, r: RecipientRow) =>
    a.kind === r.accountKind && a.bankCode === r.bankCode && a.accountNo === r.accountNo;
  for (const { recipient: r, payeePersonId, payee } of resolved) {
    const registered = current.get(payeePersonId);
    const earlier = chosen.get(payeePersonId);
    if (registered && !same(registered, r)) {
      issue(
        r,
        'accountNo',
        maskAccount(r.accountNo),
        `收款人已登记当前收款账户（${registered.bankName}，${maskAccount(registered.accountNo)}），与本行不一致：请按已登记账户填写，或先在收款账户中更换`,
      );
      refused.add(r.row);
    } else if (
      earlier &&
      !same({ kind: earlier.accountKind, bankCode: earlier.bankCode, accountNo: earlier.accountNo }, r)
    ) {
      issue(
        r,
        'accountNo',
        maskAccount(r.accountNo),
        `同一收款人在第 ${earlier.row} 行填写了另一个账户：一人只能有一个当前收款账户`,
      );
      refused.add(r.row);
    } else if (!registered && !earlier) {
      chosen.set(payeePersonId, r);
      created.push({
        personId: payeePersonId,
        kind: r.accountKind,
        bankCode: r.bankCode,
        bankName: r.bankName,
        accountNo: r.accountNo,
        holderName: payee.name,
      });
    }
  }
  return { created, refused };
}
