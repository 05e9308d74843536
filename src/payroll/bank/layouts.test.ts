import { describe, expect, it } from 'vitest';
import { accountProblem, bankOfCode, bankOfName, luhnValid } from './banks.ts';
import { FIXED_FIELDS, FIXED_RECORD_BYTES, parseReturn, renderCsv, renderFixed } from './layouts.ts';

const HEADER = {
  districtCode: '310110',
  runId: '11111111-2222-4333-8444-555555555555',
  month: '2026-12',
  bankCode: 'SRCB',
  fileDate: '2026-12-20',
};
const RECORDS = [
  {
    lineNo: 7,
    accountKind: 'bank' as const,
    accountNo: '6222000012345678',
    holderName: '王建国',
    amountFen: 150_000,
    program: 'dibao',
    period: '2026-12',
  },
  {
    lineNo: 12,
    accountKind: 'social_security_card' as const,
    accountNo: '6212260000000001',
    holderName: '欧阳, "小"',
    amountFen: 5,
    program: 'elderly_allowance',
    period: '2026-Q4',
  },
];

describe('bank file layouts (golden files)', () => {
  it('writes the CSV layout', () => {
    expect(renderCsv(HEADER, RECORDS).toString('utf8')).toBe(
      'H,310110,11111111-2222-4333-8444-555555555555,2026-12,SRCB,20261220,2,150005\r\n' +
        'D,7,B,6222000012345678,王建国,150000,dibao,2026-12\r\n' +
        'D,12,S,6212260000000001,"欧阳, ""小""",5,elderly_allowance,2026-Q4\r\n' +
        'T,2,150005\r\n',
    );
  });

  it('writes the fixed layout in GBK, 150 bytes a record', () => {
    const sp = (n: number) => ' '.repeat(n);
    const gbkName = Buffer.from([0xcd, 0xf5, 0xbd, 0xa8, 0xb9, 0xfa]).toString('latin1'); // 王建国
    const expected =
      `H310110${HEADER.runId}202612SRCB    20261220${'2'.padStart(10, '0')}${'150005'.padStart(18, '0')}${sp(57)}\r\n` +
      `D0000000007B6222000012345678${sp(16)}${gbkName}${sp(34)}000000000150000dibao${sp(27)}2026-12${sp(12)}\r\n`;
    const out = renderFixed(HEADER, RECORDS).toString('latin1');
    expect(out.startsWith(expected)).toBe(true);
    const records = out.split('\r\n');
    expect(records.slice(0, 4).map((r) => r.length)).toEqual([150, 150, 150, 150]);
    expect(records[3]).toBe(`T${'2'.padStart(10, '0')}${'150005'.padStart(18, '0')}${sp(121)}`);
  });

  it('declares fields that fill each record exactly', () => {
    for (const fields of Object.values(FIXED_FIELDS))
      expect(fields.reduce((s, f) => s + f.bytes, 0)).toBe(FIXED_RECORD_BYTES);
  });

  it('cuts a long name at a character boundary', () => {
    const long = '张'.repeat(25);
    const out = renderFixed(HEADER, [{ ...RECORDS[0]!, holderName: long }]);
    const d = out.subarray(152, 302);
    expect(d.length).toBe(150);
    expect(new TextDecoder('gbk').decode(d.subarray(44, 84))).toBe('张'.repeat(20));
  });
});

describe('return file parsing', () => {
  it('reads paid and failed rows, dates and reasons', () => {
    const p = parseReturn(
      'H,310110,RUN,SRCB\r\nD,7,6222000012345678,150000,S,B-1,20261221,\r\nD,12,6212260000000001,5,F,,,户名不符\r\nT,2,150005\r\n',
    );
    expect(p.problems).toEqual([]);
    expect(p.header).toEqual({ districtCode: '310110', runId: 'run', bankCode: 'SRCB' });
    expect(p.rows.map((r) => [r.lineNo, r.result, r.paidOn, r.failureReason])).toEqual([
      [7, 'paid', '2026-12-21', null],
      [12, 'failed', null, '户名不符'],
    ]);
    expect(p.trailer).toEqual({ row: 4, count: 2, totalFen: 150005 });
  });

  it('lists every malformed row', () => {
    const p = parseReturn('D,1,2,3\nH,1,2,3\nD,x,62220000,1.5,Q,,,\nD,1,62220000,1,S,R,20260231,\n');
    expect(p.problems.map((x) => x.row)).toEqual([1, 2, 3, 4, 4]);
    expect(p.problems.map((x) => x.message).join('|')).toContain('入账日期');
  });
});

describe('bank catalogue', () => {
  it('resolves names, branches and the social security card', () => {
    expect(bankOfName('上海农村商业银行')?.code).toBe('SRCB');
    expect(bankOfName('中国工商银行上海市杨浦支行')?.code).toBe('ICBC');
    expect(bankOfName('社会保障卡（上海农商银行）')).toMatchObject({
      code: 'SRCB',
      accountKind: 'social_security_card',
    });
    expect(bankOfName('上海银行')?.code).toBe('BOSC');
    expect(bankOfName('社保卡')).toBeNull();
    expect(bankOfName('某某银行')).toBeNull();
  });

  it('checks card numbers with Luhn and lengths by bank', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    const srcb = bankOfCode('SRCB')!;
    expect(accountProblem(srcb, '4111111111111111')).toBeNull();
    expect(accountProblem(srcb, '4111111111111112')).toContain('Luhn');
    expect(accountProblem(srcb, '123456789012')).toBeNull();
    expect(accountProblem(srcb, '12345')).toContain('位数字');
    expect(accountProblem(srcb, '6222-0000')).toContain('数字');
  });
});
