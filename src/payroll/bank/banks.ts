/**
 * 代发银行目录: the banks a Shanghai district bureau pays benefits through (代发), with the names they go by
 * on applications, how their account numbers look, and the layout of the payment file each one takes.
 *
 * Account numbers: a bank card (借记卡, and the 社会保障卡金融账户, which is a UnionPay debit card) is 16–19
 * digits whose last digit is a Luhn (mod 10) check digit — JR/T 0008《银行卡发卡行标识代码及卡号》, which takes
 * the check digit from ISO/IEC 7812-1. A passbook (存折) account has no check digit and its length is the
 * bank's own; `accountLengths` lists what the bank issues, `luhnCards` says whether a card-length number is
 * checked. The layouts are ours (docs/payroll.md 银行与对账): `csv` (UTF-8) and `fixed` (GBK, fixed-width).
 */

export type AccountKind = 'bank' | 'social_security_card';
export type BankFileLayout = 'csv' | 'fixed';

export interface Bank {
  /** Our code for the bank (the payment file, the payroll line's `bank_code`). */
  code: string;
  /** The name the console shows. */
  name: string;
  /** Other names written on applications (full names, short names, old names). */
  aliases: readonly string[];
  /** The layout the bank takes by default; both can be produced for every bank. */
  layout: BankFileLayout;
  /** Account number lengths the bank issues (cards and passbooks). */
  accountLengths: readonly number[];
  /** Whether a 16–19 digit number (a card) carries a Luhn check digit. */
  luhnCards: boolean;
}

const CARD_LENGTHS = [16, 17, 18, 19] as const;

export const BANKS: readonly Bank[] = [
  {
    code: 'SRCB',
    name: '上海农商银行',
    aliases: ['上海农村商业银行', '农商银行', '上海农商行', '农村商业银行'],
    layout: 'fixed',
    accountLengths: [...CARD_LENGTHS, 12, 15],
    luhnCards: true,
  },
  {
    code: 'BOSC',
    name: '上海银行',
    aliases: ['上海银行股份有限公司'],
    layout: 'csv',
    accountLengths: [...CARD_LENGTHS, 11, 12],
    luhnCards: true,
  },
  {
    code: 'ICBC',
    name: '中国工商银行',
    aliases: ['工商银行', '工行'],
    layout: 'csv',
    accountLengths: [...CARD_LENGTHS],
    luhnCards: true,
  },
  {
    code: 'ABC',
    name: '中国农业银行',
    aliases: ['农业银行', '农行'],
    layout: 'csv',
    accountLengths: [...CARD_LENGTHS, 15],
    luhnCards: true,
  },
  {
    code: 'BOC',
    name: '中国银行',
    aliases: ['中行'],
    layout: 'csv',
    accountLengths: [...CARD_LENGTHS, 12],
    luhnCards: true,
  },
  {
    code: 'CCB',
    name: '中国建设银行',
    aliases: ['建设银行', '建行'],
    layout: 'csv',
    accountLengths: [...CARD_LENGTHS, 20],
    luhnCards: true,
  },
  {
    code: 'BOCOM',
    name: '交通银行',
    aliases: ['交行', '交通银行股份有限公司'],
    layout: 'csv',
    accountLengths: [...CARD_LENGTHS, 21],
    luhnCards: true,
  },
  {
    code: 'PSBC',
    name: '中国邮政储蓄银行',
    aliases: ['邮政储蓄银行', '邮储银行', '邮政储蓄'],
    layout: 'fixed',
    accountLengths: [...CARD_LENGTHS, 18],
    luhnCards: true,
  },
  {
    code: 'SPDB',
    name: '上海浦东发展银行',
    aliases: ['浦发银行', '浦东发展银行'],
    layout: 'csv',
    accountLengths: [...CARD_LENGTHS, 17],
    luhnCards: true,
  },
  {
    code: 'CMB',
    name: '招商银行',
    aliases: ['招行'],
    layout: 'csv',
    accountLengths: [...CARD_LENGTHS],
    luhnCards: true,
  },
];

/** Names that mean the person's 社会保障卡 financial account (paid through the card's bank). */
const SOCIAL_SECURITY_CARD = /社会保障卡|社保卡|市民卡/;

/** A bank as an application names it: the catalogue entry and the kind of account. */
export interface ResolvedBank extends Bank {
  accountKind: AccountKind;
}

const normalise = (s: string) =>
  s
    .replace(/[\s（）()·•.-]/g, '')
    .replace(/股份有限公司$/, '')
    .replace(/(上海)?(市)?分行$|支行$|营业部$/, '');

const BY_NAME = new Map<string, Bank>();
for (const b of BANKS) for (const n of [b.name, ...b.aliases]) BY_NAME.set(normalise(n), b);

export function bankOfCode(code: string): Bank | null {
  return BANKS.find((b) => b.code === code) ?? null;
}

/**
 * The bank a written name means, or null. Branch suffixes (…上海市分行, …支行) are ignored and the longest
 * catalogue name inside the text wins; a name naming the 社会保障卡 (e.g. `社会保障卡（上海农商银行）`) is that
 * bank with account kind `social_security_card`. A bare `社会保障卡` names no bank: null.
 */
export function bankOfName(name: string | null | undefined): ResolvedBank | null {
  if (!name) return null;
  const accountKind: AccountKind = SOCIAL_SECURITY_CARD.test(name) ? 'social_security_card' : 'bank';
  const flat = normalise(name.replace(/社会保障卡|社保卡|市民卡|金融账户|账户/g, ''));
  let bank = BY_NAME.get(flat) ?? null;
  if (!bank) {
    let best = 0;
    for (const [n, b] of BY_NAME)
      if (n.length > best && flat.includes(n)) {
        best = n.length;
        bank = b;
      }
  }
  return bank ? { ...bank, accountKind } : null;
}

/** Luhn (mod 10) check: the last digit makes the weighted sum a multiple of 10. */
export function luhnValid(digits: string): boolean {
  if (!/^\d+$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Why an account number is not one the bank issues (Chinese), or null when it looks right. */
export function accountProblem(bank: Bank, accountNo: string): string | null {
  if (!/^\d+$/.test(accountNo)) return '账号只能由数字组成';
  if (!bank.accountLengths.includes(accountNo.length))
    return `${bank.name}的账号应为 ${[...new Set(bank.accountLengths)].sort((a, b) => a - b).join('、')} 位数字`;
  const card = accountNo.length >= 16 && accountNo.length <= 19;
  if (card && bank.luhnCards && !luhnValid(accountNo)) return '银行卡号校验位不正确（Luhn 校验未通过）';
  return null;
}
