import { randomUUID } from 'node:crypto';
import { mayAct, type Acting } from '../auth/roles.ts';
import type { DataScope } from '../auth/scope.ts';
import { shanghaiToday } from '../core/clock.ts';
import { visibleLength } from '../core/text.ts';
import type { Db } from '../db/store.ts';
import { changePayeeAccountOfOpenEntitlements } from '../entitlements/payee-change.ts';
import { dateKey } from '../policy/engine/month.ts';
import { findPerson } from '../registry/person.repository.ts';
import { accountProblem, bankOfCode, type AccountKind } from '../payroll/bank/banks.ts';
import type { WorkTx } from '../workflow/unit-of-work.ts';
import {
  accountsOfPerson,
  currentAccount,
  endAccountRow,
  findAccount,
  insertAccount,
  type PayeeAccountRow,
} from './payee.repository.ts';
import { ACCOUNT_NOT_FOUND, PERSON_NOT_FOUND, PayeeError } from './payees.errors.ts';

/**
 * 收款账户 (docs/payroll.md 银行与对账): a person's accounts, dated. A new account ends the current one on the
 * day it begins and becomes the account of every open entitlement paid to the person (entitlements module:
 * `payee_changed`); ending an account without a new one leaves those entitlements without an account (the
 * next run's lines go to no bank file, and internal control sees them). Numbers are masked unless the caller
 * may manage accounts or pays them (`payroll.account`).
 */

export interface PayeeCaller {
  scope: DataScope;
  role: Acting;
  userId: string | null;
}

export const ACCOUNT_KIND_NAMES: Readonly<Record<AccountKind, string>> = {
  bank: '银行账户',
  social_security_card: '社会保障卡金融账户',
};

export interface PayeeAccountView {
  id: string;
  districtCode: string;
  personId: string;
  kind: AccountKind;
  kindName: string;
  bankCode: string;
  bankName: string;
  accountNo: string;
  accountMasked: boolean;
  holderName: string;
  validFrom: string;
  validTo: string | null;
  current: boolean;
  version: number;
  createdAt: string;
  endedAt: string | null;
  endReason: string | null;
}

/** 6222********1234: the first and last four digits; short numbers fully masked. */
export function maskAccountNo(value: string): string {
  if (value.length <= 8) return '*'.repeat(value.length);
  return `${value.slice(0, 4)}${'*'.repeat(value.length - 8)}${value.slice(-4)}`;
}

export function mayUnmaskAccounts(role: Acting): boolean {
  return mayAct(role, 'payees.manage') || mayAct(role, 'payroll.account');
}

function present(row: PayeeAccountRow, unmask: boolean): PayeeAccountView {
  return {
    id: row.id,
    districtCode: row.districtCode,
    personId: row.personId,
    kind: row.kind as AccountKind,
    kindName: ACCOUNT_KIND_NAMES[row.kind as AccountKind] ?? row.kind,
    bankCode: row.bankCode,
    bankName: row.bankName,
    accountNo: unmask ? row.accountNo : maskAccountNo(row.accountNo),
    accountMasked: !unmask,
    holderName: row.holderName,
    validFrom: row.validFrom,
    validTo: row.validTo,
    current: row.validTo === null,
    version: row.version,
    createdAt: row.createdAt,
    endedAt: row.endedAt,
    endReason: row.endReason,
  };
}

/** The name an entitlement keeps: the bank, or the card with its bank (bankOfName reads both back). */
export function entitlementBankName(kind: AccountKind, bankName: string): string {
  return kind === 'social_security_card' ? `社会保障卡（${bankName}）` : bankName;
}

/** What the audit log keeps of an account: never the full number. */
function auditView(row: PayeeAccountRow): Record<string, unknown> {
  return {
    personId: row.personId,
    kind: row.kind,
    bankCode: row.bankCode,
    accountNo: maskAccountNo(row.accountNo),
    holderName: row.holderName,
    validFrom: row.validFrom,
    validTo: row.validTo,
    version: row.version,
  };
}

async function personInScope(db: Db, caller: PayeeCaller, key: { districtCode: string; personId: string }) {
  const person = /^[0-9a-f-]{36}$/i.test(key.personId)
    ? await findPerson(db, caller.scope, key.districtCode, key.personId)
    : undefined;
  if (!person) throw new PayeeError('not_found', PERSON_NOT_FOUND);
  return person;
}

function requireManage(caller: PayeeCaller): void {
  if (!mayAct(caller.role, 'payees.manage')) throw new PayeeError('forbidden', '您没有登记收款账户的权限');
}

export async function listPayeeAccounts(
  db: Db,
  caller: PayeeCaller,
  key: { districtCode: string; personId: string },
): Promise<PayeeAccountView[]> {
  if (!mayAct(caller.role, 'payees.view') && !mayAct(caller.role, 'payroll.account'))
    throw new PayeeError('forbidden', '您没有查看收款账户的权限');
  await personInScope(db, caller, key);
  const unmask = mayUnmaskAccounts(caller.role);
  return (await accountsOfPerson(db, key)).map((r) => present(r, unmask));
}

export interface NewPayeeAccount {
  districtCode: string;
  personId: string;
  kind: AccountKind;
  bankCode: string;
  accountNo: string;
  holderName: string;
  /** The first day paid to it (Shanghai); today when absent. */
  validFrom?: string | undefined;
}

export interface AddedPayeeAccount {
  account: PayeeAccountView;
  endedAccountId: string | null;
  entitlementsChanged: number;
}

/** Registers a new account (ending the current one on its first day) and moves the open entitlements to it. */
export async function addPayeeAccount(
  tx: WorkTx,
  caller: PayeeCaller,
  input: NewPayeeAccount,
): Promise<AddedPayeeAccount> {
  requireManage(caller);
  const person = await personInScope(tx.db, caller, input);
  const today = shanghaiToday(tx.now);
  const validFrom = input.validFrom ?? today;
  const problems: string[] = [];
  const bank = bankOfCode(input.bankCode);
  if (!bank) problems.push(`开户银行代码 ${input.bankCode} 不在代发银行目录中`);
  else {
    const p = accountProblem(bank, input.accountNo);
    if (p) problems.push(p);
  }
  const holder = input.holderName.trim();
  if (visibleLength(holder) === 0) problems.push('请填写户名');
  else if (holder !== person.name) problems.push(`户名「${holder}」与收款人姓名「${person.name}」不一致`);
  if (dateKey(validFrom) === null) problems.push('启用日期格式应为 YYYY-MM-DD');
  else if (validFrom > today) problems.push('启用日期不能晚于今天');
  if (person.deathDate !== null && person.deathDate <= validFrom)
    problems.push('收款人已死亡，不能登记收款账户');
  const current = await currentAccount(tx, input);
  if (current && validFrom < current.validFrom)
    problems.push(`启用日期不能早于现有账户的启用日期 ${current.validFrom}`);
  if (current && current.bankCode === input.bankCode && current.accountNo === input.accountNo)
    problems.push('该账户已是当前收款账户');
  if (problems.length > 0 || !bank) throw new PayeeError('invalid', problems.join('；'), problems);

  if (current) {
    const ended = await endAccountRow(
      tx,
      { districtCode: current.districtCode, id: current.id, version: current.version },
      { validTo: validFrom, endedBy: tx.actor.userId, endReason: '更换收款账户' },
    );
    if (!ended) throw new PayeeError('conflict', '收款账户已被他人修改，请刷新后重试');
    tx.record({
      action: 'payee_account.ended',
      entityType: 'payee_account',
      entityId: `${current.districtCode}/${current.id}`,
      district: person.residenceDivisionCode,
      before: auditView(current),
      after: { ...auditView(current), validTo: validFrom, version: current.version + 1 },
    });
  }
  const row: PayeeAccountRow = {
    districtCode: input.districtCode,
    id: randomUUID(),
    personId: input.personId,
    kind: input.kind,
    bankCode: bank.code,
    bankName: bank.name,
    accountNo: input.accountNo,
    holderName: holder,
    validFrom,
    validTo: null,
    version: 1,
    createdBy: tx.actor.userId,
    createdAt: tx.now.toISOString(),
    endedBy: null,
    endedAt: null,
    endReason: null,
  };
  await insertAccount(tx, row);
  tx.record({
    action: 'payee_account.created',
    entityType: 'payee_account',
    entityId: `${row.districtCode}/${row.id}`,
    district: person.residenceDivisionCode,
    after: auditView(row),
  });
  const entitlementsChanged = await changePayeeAccountOfOpenEntitlements(tx, {
    districtCode: input.districtCode,
    payeePersonId: input.personId,
    bankName: entitlementBankName(input.kind, bank.name),
    accountNo: input.accountNo,
    effectiveMonth: validFrom.slice(0, 7),
    reason: tx.actor.reason,
  });
  return {
    account: present(row, mayUnmaskAccounts(caller.role)),
    endedAccountId: current?.id ?? null,
    entitlementsChanged,
  };
}

/** Ends the current account without a new one (closed, lost): the open entitlements are left without one. */
export async function endPayeeAccount(
  tx: WorkTx,
  caller: PayeeCaller,
  input: {
    districtCode: string;
    personId: string;
    id: string;
    version: number;
    validTo?: string | undefined;
  },
): Promise<{ account: PayeeAccountView; entitlementsChanged: number }> {
  requireManage(caller);
  const person = await personInScope(tx.db, caller, input);
  const row = await findAccount(tx.db, input);
  if (!row) throw new PayeeError('not_found', ACCOUNT_NOT_FOUND);
  if (row.validTo !== null) throw new PayeeError('invalid', '该账户已终止');
  const validTo = input.validTo ?? shanghaiToday(tx.now);
  if (dateKey(validTo) === null || validTo < row.validFrom)
    throw new PayeeError('invalid', `终止日期应为不早于启用日期 ${row.validFrom} 的日期`);
  const ended = await endAccountRow(
    tx,
    { districtCode: row.districtCode, id: row.id, version: input.version },
    { validTo, endedBy: tx.actor.userId, endReason: tx.actor.reason },
  );
  if (!ended) throw new PayeeError('conflict', '收款账户已被他人修改，请刷新后重试');
  const after: PayeeAccountRow = {
    ...row,
    validTo,
    version: input.version + 1,
    endedBy: tx.actor.userId,
    endedAt: tx.now.toISOString(),
    endReason: tx.actor.reason,
  };
  tx.record({
    action: 'payee_account.ended',
    entityType: 'payee_account',
    entityId: `${row.districtCode}/${row.id}`,
    district: person.residenceDivisionCode,
    before: auditView(row),
    after: auditView(after),
  });
  const entitlementsChanged = await changePayeeAccountOfOpenEntitlements(tx, {
    districtCode: row.districtCode,
    payeePersonId: row.personId,
    bankName: null,
    accountNo: null,
    effectiveMonth: validTo.slice(0, 7),
    reason: tx.actor.reason,
  });
  return { account: present(after, mayUnmaskAccounts(caller.role)), entitlementsChanged };
}
