import { describe, expect, it } from 'vitest';
import { PROGRAMS } from '../../policy/index.ts';
import { accountLabel, accountsOf } from './accounts.ts';

describe('ledger accounts', () => {
  it('names every account in Chinese: program, fund and district (the voucher reads these)', () => {
    const program = (code: string) => PROGRAMS[code as keyof typeof PROGRAMS]?.name ?? code;
    const { debitAccount, creditAccount } = accountsOf('payment', {
      program: 'dibao',
      source: 'district',
      districtCode: '310110',
    });
    expect(accountLabel(debitAccount, program)).toBe('应付待发（最低生活保障）');
    expect(accountLabel(creditAccount, program)).toBe('代发银行（杨浦区）');
    expect(accountLabel('fund:dibao:district', program)).toBe('资金来源（最低生活保障·区级统发资金）');
    expect(accountLabel('receivable:tekun', program)).toBe(`应收追缴（${PROGRAMS.tekun.name}）`);
  });
});
