import { fundingSourceName } from '../compute/funding.ts';
import { divisionIndex } from '../../registry/divisions.ts';
/**
 * 分类账科目 (docs/payroll.md 分类账): the ledger's account names. Each entry moves `amount_fen` from its
 * credit account to its debit account (src/payroll/schema.ts, ledger_entries). The accounts of a program:
 *
 * - `fund:<program>:<source>` — 资金来源 (the budget line that funds the program: city, district, …);
 * - `payable:<program>` — 应付 (owed to recipients, accrued and not yet paid);
 * - `bank:<district>` — 代发银行 (what the district's paying bank moved);
 * - `receivable:<program>` — 应收 (overpayments to recover).
 *
 * The entry of each kind (contract of issue 11):
 *
 * | kind       | debit                      | credit                     | when                                   |
 * |------------|----------------------------|----------------------------|----------------------------------------|
 * | accrual    | fund:<program>:<source>    | payable:<program>          | a line computed payable or released   |
 * | payment    | payable:<program>          | bank:<district>            | the bank's return says paid            |
 * | recovery   | receivable:<program>       | fund:<program>:<source>    | a recovery item raised                 |
 * | collection | bank:<district>            | receivable:<program>       | a recovery collected                   |
 * | opening    | fund:<program>:<source>    | payable:<program>          | paid before going live (as an accrual) |
 *
 * A reversal is the same kind and accounts with the negative amount, at the next seq.
 */

export type LedgerKind = 'accrual' | 'payment' | 'recovery' | 'collection' | 'opening';

export const LEDGER_KINDS: readonly LedgerKind[] = [
  'accrual',
  'payment',
  'recovery',
  'collection',
  'opening',
];

export function fundAccount(program: string, source: string): string {
  return `fund:${program}:${source}`;
}

export function payableAccount(program: string): string {
  return `payable:${program}`;
}

export function bankAccount(districtCode: string): string {
  return `bank:${districtCode}`;
}

export function receivableAccount(program: string): string {
  return `receivable:${program}`;
}

export interface EntryAccounts {
  debitAccount: string;
  creditAccount: string;
}

/** The debit and credit accounts of an entry of `kind` for a program (funded from `source`) in a district. */
export function accountsOf(
  kind: LedgerKind,
  at: { program: string; source: string; districtCode: string },
): EntryAccounts {
  const fund = fundAccount(at.program, at.source);
  const payable = payableAccount(at.program);
  const bank = bankAccount(at.districtCode);
  const receivable = receivableAccount(at.program);
  switch (kind) {
    case 'accrual':
    case 'opening':
      return { debitAccount: fund, creditAccount: payable };
    case 'payment':
      return { debitAccount: payable, creditAccount: bank };
    case 'recovery':
      return { debitAccount: receivable, creditAccount: fund };
    case 'collection':
      return { debitAccount: bank, creditAccount: receivable };
  }
}

/** 科目名称 for the console and the voucher: the account's kind in Chinese with its program, fund or district. */
export function accountLabel(account: string, programLabel: (code: string) => string = (c) => c): string {
  const [head = '', a = '', b = ''] = account.split(':');
  switch (head) {
    case 'fund':
      return `资金来源（${programLabel(a)}·${fundingSourceName(b)}）`;
    case 'payable':
      return `应付待发（${programLabel(a)}）`;
    case 'bank':
      return `代发银行（${divisionIndex().get(a)?.name ?? a}）`;
    case 'receivable':
      return `应收追缴（${programLabel(a)}）`;
    default:
      return account;
  }
}
