import { http } from '../../api/request.ts';

/** 收款账户: the console's calls (src/http/routes/payees.routes.ts). */

export type AccountKind = 'bank' | 'social_security_card';

export interface PayeeAccount {
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

export interface NewPayeeAccount {
  kind: AccountKind;
  bankCode: string;
  accountNo: string;
  holderName: string;
  validFrom?: string;
  reason: string;
}

/** The banks of src/payroll/bank/banks.ts (codes and names; the server checks the numbers). */
export const BANK_OPTIONS = [
  { code: 'SRCB', name: '上海农商银行' },
  { code: 'BOSC', name: '上海银行' },
  { code: 'ICBC', name: '中国工商银行' },
  { code: 'ABC', name: '中国农业银行' },
  { code: 'BOC', name: '中国银行' },
  { code: 'CCB', name: '中国建设银行' },
  { code: 'BOCOM', name: '交通银行' },
  { code: 'PSBC', name: '中国邮政储蓄银行' },
  { code: 'SPDB', name: '上海浦东发展银行' },
  { code: 'CMB', name: '招商银行' },
] as const;

const base = (district: string, personId: string) =>
  `/api/persons/${encodeURIComponent(district)}/${encodeURIComponent(personId)}/payee-accounts`;

export const payeesApi = {
  list: (district: string, personId: string) => http.get<PayeeAccount[]>(base(district, personId)),
  add: (district: string, personId: string, input: NewPayeeAccount) =>
    http.post<{ account: PayeeAccount; entitlementsChanged: number }>(base(district, personId), input, {
      silent: true,
    }),
  end: (district: string, personId: string, account: PayeeAccount, reason: string) =>
    http.post<{ account: PayeeAccount; entitlementsChanged: number }>(
      `${base(district, personId)}/${encodeURIComponent(account.id)}/end`,
      { version: account.version, reason },
    ),
};
