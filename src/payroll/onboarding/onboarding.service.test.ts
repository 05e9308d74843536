import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { accruedByPeriod, ledgerKey } from '../ledger/ledger.repository.ts';
import { RECIPIENT_HEADERS } from './columns.ts';
import {
  DISTRICT,
  financeOptions,
  recipient,
  recipientsFile,
  seedFamily,
  type SeededFamily,
} from './onboarding.fixtures.ts';
import { firstPayableMonth, importRecipients, type RecipientImportReport } from './onboarding.service.ts';
import { openingPeriods } from './periods.ts';
import { recipientTemplate } from './template.ts';
import { writeFileSync } from 'node:fs';
import { makeIdNumber } from '../../registry/id-number.ts';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

async function entitlementCount(store: Store): Promise<number> {
  const [row] = await selectRows<{ n: number }>(store.db, sql`select count(*)::int as n from entitlements`);
  return row!.n;
}

async function ledgerCount(store: Store): Promise<number> {
  const [row] = await selectRows<{ n: number }>(store.db, sql`select count(*)::int as n from ledger_entries`);
  return row!.n;
}

const errorsOf = (report: RecipientImportReport) =>
  report.errors.map((e) => `${e.row ?? '-'}|${e.column ?? '-'}|${e.reason}`);

it('quarterly periods group the months paid; nothing paid is no period', () => {
  expect(
    openingPeriods({
      schedule: 'quarterly',
      startMonth: '2025-02',
      lastPaidMonth: '2025-09',
      amountFen: 100,
    }),
  ).toEqual([
    { period: '2025-Q1', amountFen: 200 },
    { period: '2025-Q2', amountFen: 300 },
    { period: '2025-Q3', amountFen: 300 },
  ]);
  expect(
    openingPeriods({ schedule: 'monthly', startMonth: '2026-11', lastPaidMonth: '2026-10', amountFen: 1 }),
  ).toEqual([]);
});

describeStores('going live: importing current recipients', (ctx) => {
  let restore: () => void;
  let a: SeededFamily;
  let b: SeededFamily;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-11-16T10:00:00+08:00'));
    a = await seedFamily(ctx.store, 'A');
    b = await seedFamily(ctx.store, 'B');
  });
  afterAll(() => restore());

  it('the template has the columns, a sample row and its notes; the sample fails only on the registry', async () => {
    const path = join(tmpdir(), `mz-recipient-template-${process.pid}.xlsx`);
    writeFileSync(path, await recipientTemplate());
    const report = await importRecipients(ctx.store, path, financeOptions({ dryRun: true }));
    expect(report.rows).toBe(1);
    expect(report.errors.map((e) => e.column)).toEqual(['人员身份证号', '收款人身份证号']);
    expect(RECIPIENT_HEADERS).toContain('已发放至月份');
  });

  it('each kind of row error, with its row and column, and nothing written', async () => {
    const path = await recipientsFile([
      recipient({
        idNumber: a.elder.idNumber,
        program: '不存在的项目',
        amount: '100',
        startMonth: '2026-01',
        lastPaidMonth: '2026-10',
        payeeIdNumber: a.elder.idNumber,
      }),
      recipient({
        idNumber: a.elder.idNumber,
        program: '特困人员救助供养',
        amount: '0',
        startMonth: '2026-13',
        lastPaidMonth: '2026-10',
        payeeIdNumber: a.elder.idNumber,
      }),
      recipient({
        idNumber: a.elder.idNumber,
        program: 'tekun',
        amount: '12.345',
        startMonth: '2026-05',
        lastPaidMonth: '2026-03',
        payeeIdNumber: a.elder.idNumber,
      }),
      recipient({
        idNumber: '310110195001010000',
        program: 'tekun',
        amount: '100',
        startMonth: '2026-01',
        lastPaidMonth: '2026-12',
        payeeIdNumber: a.elder.idNumber,
      }),
      recipient({
        idNumber: a.child.idNumber,
        program: '困境儿童基本生活费',
        amount: '100',
        startMonth: '2026-01',
        lastPaidMonth: '2026-10',
        payeeIdNumber: a.child.idNumber,
      }),
      recipient({
        householdNo: a.householdNo,
        program: '最低生活保障',
        amount: '100',
        startMonth: '2026-01',
        lastPaidMonth: '2026-10',
        payeeIdNumber: b.adult.idNumber,
      }),
      recipient({
        householdNo: 'GL-NONE',
        program: '最低生活保障',
        amount: '100',
        startMonth: '2026-01',
        lastPaidMonth: '2026-10',
        payeeIdNumber: a.adult.idNumber,
        accountKind: '支票',
        accountNo: '1234',
        bankName: '行',
      }),
      recipient({
        program: '特困人员救助供养',
        amount: '100',
        startMonth: '2026-01',
        lastPaidMonth: '2026-10',
        payeeIdNumber: a.elder.idNumber,
        schedule: '按季',
      }),
      recipient({
        idNumber: a.elder.idNumber,
        program: '老年综合津贴',
        amount: '75',
        startMonth: '2026-01',
        lastPaidMonth: '2026-08',
        payeeIdNumber: a.elder.idNumber,
        basis: '',
      }),
      recipient({
        idNumber: a.elder.idNumber,
        program: '临时救助',
        amount: '75',
        startMonth: '2026-01',
        lastPaidMonth: '2026-08',
        payeeIdNumber: a.elder.idNumber,
      }),
      recipient({
        householdNo: 'GL-NONE',
        program: '最低生活保障',
        amount: '100',
        startMonth: '2026-01',
        lastPaidMonth: '2026-10',
        payeeIdNumber: a.adult.idNumber,
      }),
      recipient({
        idNumber: makeIdNumber('310110', '1960-01-01', 991),
        program: 'tekun',
        amount: '100',
        startMonth: '2026-01',
        lastPaidMonth: '2026-10',
        payeeIdNumber: a.elder.idNumber,
      }),
      recipient({
        idNumber: a.elder.idNumber,
        program: '老年综合津贴',
        amount: '75',
        startMonth: '2026-01',
        lastPaidMonth: '2026-09',
        payeeIdNumber: a.elder.idNumber,
      }),
    ]);
    const report = await importRecipients(ctx.store, path, financeOptions());
    expect(report.ok).toBe(false);
    const errors = errorsOf(report);
    const expectAt = (row: number, column: string, reason: string) =>
      expect(
        errors.some((e) => e.startsWith(`${row}|${column}|`) && e.includes(reason)),
        `${row} ${column} ${reason}\n${errors.join('\n')}`,
      ).toBe(true);
    expectAt(2, '项目', '未知的项目');
    expectAt(3, '月金额（元）', '须大于0');
    expectAt(3, '起始月份', '月份格式错误');
    expectAt(4, '月金额（元）', '最多两位小数');
    expectAt(4, '已发放至月份', '不得早于起始月份的上一个月');
    expectAt(5, '已发放至月份', '不得晚于本月');
    expectAt(5, '人员身份证号', '校验位');
    expectAt(12, '户编号', '未在本区登记');
    expectAt(13, '人员身份证号', '未在本区人口信息库中登记');
    expectAt(6, '收款人身份证号', '须由监护人领取');
    expectAt(7, '收款人身份证号', '须为本户现有成员');
    expectAt(8, '账户类型', '银行卡 或 社保卡');
    expectAt(8, '账号', '8–32 位数字');
    expectAt(8, '开户行', '代发银行目录');
    expectAt(9, '人员身份证号', '按人发放');
    expectAt(9, '发放周期', '不一致');
    expectAt(10, '依据文号/说明', '必填');
    expectAt(10, '已发放至月份', '季末月份');
    expectAt(11, '项目', '不是按月或按季发放');
    expectAt(14, '已发放至月份', '本季度的发放月（2026-10）已过');
    expect(await entitlementCount(ctx.store)).toBe(0);
    expect(await ledgerCount(ctx.store)).toBe(0);
  });

  it('all or nothing: one bad row among good ones writes nothing', async () => {
    const path = await recipientsFile([
      recipient({
        idNumber: a.elder.idNumber,
        program: '特困人员救助供养',
        amount: '2000.00',
        startMonth: '2026-01',
        lastPaidMonth: '2026-10',
        payeeIdNumber: a.elder.idNumber,
      }),
      recipient({
        idNumber: a.elder.idNumber,
        program: '特困人员救助供养',
        amount: '2000.00',
        startMonth: '2026-01',
        lastPaidMonth: '2026-10',
        payeeIdNumber: a.elder.idNumber,
      }),
    ]);
    const report = await importRecipients(ctx.store, path, financeOptions());
    expect(errorsOf(report)).toEqual([expect.stringMatching(/^3\|项目\|与第 2 行是同一受益对象的同一项目/)]);
    expect(await entitlementCount(ctx.store)).toBe(0);
    expect(await ledgerCount(ctx.store)).toBe(0);
  });

  it('a good file: entitlements, their change records, the opening entries, the first months to pay', async () => {
    const rows = [
      recipient({
        idNumber: a.elder.idNumber,
        program: '特困人员救助供养',
        amount: '2000.50',
        startMonth: '2025-01',
        lastPaidMonth: '2026-10',
        payeeIdNumber: a.elder.idNumber,
      }),
      recipient({
        householdNo: a.householdNo,
        program: '最低生活保障',
        amount: '1510',
        startMonth: '2026-01',
        lastPaidMonth: '2026-10',
        payeeIdNumber: a.adult.idNumber,
        schedule: '按月',
        accountKind: '社保卡',
        accountNo: '6228480000000000034',
      }),
      recipient({
        idNumber: a.elder.idNumber,
        program: '老年综合津贴',
        amount: '75.00',
        startMonth: '2025-02',
        lastPaidMonth: '2026-12',
        payeeIdNumber: a.elder.idNumber,
      }),
      recipient({
        idNumber: a.child.idNumber,
        program: '困境儿童基本生活费',
        amount: '1800',
        startMonth: '2026-11',
        lastPaidMonth: '2026-10',
        payeeIdNumber: a.adult.idNumber,
        accountKind: '社保卡',
        accountNo: '6228480000000000034',
      }),
    ];
    const check = await importRecipients(
      ctx.store,
      await recipientsFile(rows),
      financeOptions({ dryRun: true }),
    );
    expect(check).toMatchObject({ ok: true, dryRun: true, entitlements: 4, openingEntries: 22 + 10 + 8 });
    expect(await entitlementCount(ctx.store)).toBe(0);

    const report = await importRecipients(ctx.store, await recipientsFile(rows), financeOptions());
    expect(report.errors).toEqual([]);
    expect(report).toMatchObject({
      ok: true,
      dryRun: false,
      rows: 4,
      entitlements: 4,
      payeeAccounts: 2,
      openingEntries: 40,
    });
    const accounts = await selectRows<{
      person_id: string;
      kind: string;
      bank_code: string;
      holder_name: string;
    }>(
      ctx.store.db,
      sql`select person_id::text, kind, bank_code, holder_name from payee_accounts order by kind`,
    );
    expect(accounts).toEqual([
      { person_id: a.elder.id, kind: 'bank', bank_code: 'SRCB', holder_name: '王A' },
      { person_id: a.adult.id, kind: 'social_security_card', bank_code: 'SRCB', holder_name: '张A' },
    ]);
    const [dibaoAccount] = await selectRows<{ bank_name: string; account_no: string }>(
      ctx.store.db,
      sql`select bank_name, account_no from entitlements where program = 'dibao'`,
    );
    expect(dibaoAccount).toEqual({
      bank_name: '社会保障卡（上海农商银行）',
      account_no: '6228480000000000034',
    });
    expect(report.openingFen).toBe(22 * 200050 + 10 * 151000 + 23 * 7500);
    const ents = await selectRows<{
      id: string;
      program: string;
      beneficiary_kind: string;
      beneficiary_id: string;
      payee_role: string;
      amount_fen: string;
      from_month: string;
      rule: string;
      case_id: string | null;
      schedule: string;
    }>(
      ctx.store.db,
      sql`select id::text, program, beneficiary_kind, beneficiary_id::text, payee_role, amount_fen::text,
        from_month, rule, case_id::text, schedule from entitlements order by program`,
    );
    expect(
      ents.map((e) => [
        e.program,
        e.beneficiary_kind,
        e.payee_role,
        Number(e.amount_fen),
        e.from_month,
        e.rule,
        e.case_id,
        e.schedule,
      ]),
    ).toEqual([
      ['dibao', 'household', 'household_member', 151000, '2026-01', 'going_live', null, 'monthly'],
      ['elderly_allowance', 'person', 'beneficiary', 7500, '2025-02', 'going_live', null, 'quarterly'],
      ['kunjing_child', 'person', 'guardian', 180000, '2026-11', 'going_live', null, 'monthly'],
      ['tekun', 'person', 'beneficiary', 200050, '2025-01', 'going_live', null, 'monthly'],
    ]);
    expect(ents.find((e) => e.program === 'dibao')!.beneficiary_id).toBe(a.householdId);
    const changes = await selectRows<{ kind: string; rule: string; reason: string; seq: number }>(
      ctx.store.db,
      sql`select kind, rule, reason, seq from entitlement_changes order by entitlement_id`,
    );
    expect(changes).toHaveLength(4);
    expect(changes.every((c) => c.kind === 'created' && c.rule === 'going_live' && c.seq === 1)).toBe(true);
    expect(changes[0]!.reason).toContain('杨民〔2025〕12号');

    const tekun = ents.find((e) => e.program === 'tekun')!;
    const elderly = ents.find((e) => e.program === 'elderly_allowance')!;
    const child = ents.find((e) => e.program === 'kunjing_child')!;
    const accrued = await accruedByPeriod(
      ctx.store.db,
      DISTRICT,
      ents.map((e) => e.id),
      null,
    );
    expect(accrued.get(ledgerKey(tekun.id, '2025-01'))?.accruedFen).toBe(200050);
    expect(accrued.get(ledgerKey(tekun.id, '2026-10'))?.accruedFen).toBe(200050);
    expect(accrued.has(ledgerKey(tekun.id, '2026-11'))).toBe(false);
    expect(accrued.get(ledgerKey(elderly.id, '2025-Q1'))?.accruedFen).toBe(15000);
    expect(accrued.get(ledgerKey(elderly.id, '2026-Q3'))?.accruedFen).toBe(22500);
    expect(accrued.get(ledgerKey(elderly.id, '2026-Q4'))?.accruedFen).toBe(22500);
    expect(accrued.has(ledgerKey(elderly.id, '2027-Q1'))).toBe(false);
    expect([...accrued.keys()].some((k) => k.startsWith(child.id))).toBe(false);
    const entries = await selectRows<{ kind: string; debit_account: string; credit_account: string }>(
      ctx.store.db,
      sql`select distinct kind, debit_account, credit_account from ledger_entries where program = 'tekun'`,
    );
    expect(entries).toEqual([
      { kind: 'opening', debit_account: 'fund:tekun:going_live', credit_account: 'payable:tekun' },
    ]);
    // The first run pays from the month after the last paid.
    expect(firstPayableMonth('2026-10')).toBe('2026-11');
    expect(firstPayableMonth('2026-09')).toBe('2026-10');

    const [audit] = await selectRows<{ n: number; after: { rows: number; digest: string } }>(
      ctx.store.db,
      sql`select count(*) over ()::int as n, after from audit_log where action = 'payroll.recipients_imported'`,
    );
    expect(audit?.n).toBe(1);
    expect(audit?.after.rows).toBe(2 + 4 + 4 + 40);
    expect(audit?.after.digest).toMatch(/^[0-9a-f]{64}$/);

    // Re-import refused: each row's entitlement is open already.
    const again = await importRecipients(ctx.store, await recipientsFile(rows), financeOptions());
    expect(again.ok).toBe(false);
    expect(again.errors.map((e) => e.row)).toEqual([2, 3, 4, 5]);
    expect(again.errors.every((e) => e.reason.includes('不能重复导入'))).toBe(true);
    expect(await entitlementCount(ctx.store)).toBe(4);
    expect(await ledgerCount(ctx.store)).toBe(40);
  });

  it('outside the district scope, and without a reason, the file is refused whole', async () => {
    const path = await recipientsFile([
      recipient({
        idNumber: b.elder.idNumber,
        program: '特困人员救助供养',
        amount: '1',
        startMonth: '2026-01',
        lastPaidMonth: '2026-10',
        payeeIdNumber: b.elder.idNumber,
      }),
    ]);
    const other = await importRecipients(ctx.store, path, financeOptions({ districtCode: '310104' }));
    expect(errorsOf(other)).toEqual(['-|-|导入的区不在您的数据范围内']);
    const noReason = await importRecipients(
      ctx.store,
      path,
      financeOptions({ actor: { userId: 'u', divisionCode: DISTRICT, reason: ' ' } }),
    );
    expect(noReason.errors[0]?.reason).toContain('导入原因');
  });

  it('one current account per payee: another account in the file, or one unlike the registered one, is refused', async () => {
    const tekun = { program: 'tekun', amount: '100', startMonth: '2026-01', lastPaidMonth: '2026-10' };
    const twice = await importRecipients(
      ctx.store,
      await recipientsFile([
        recipient({ ...tekun, idNumber: b.elder.idNumber, payeeIdNumber: b.elder.idNumber }),
        recipient({
          ...tekun,
          program: 'elderly_allowance',
          lastPaidMonth: '2026-12',
          idNumber: b.elder.idNumber,
          payeeIdNumber: b.elder.idNumber,
          accountNo: '6228480000000000034',
        }),
      ]),
      financeOptions({ dryRun: true }),
    );
    expect(errorsOf(twice)).toEqual([expect.stringMatching(/^3\|账号\|同一收款人在第 2 行填写了另一个账户/)]);
    const first = await importRecipients(
      ctx.store,
      await recipientsFile([
        recipient({ ...tekun, idNumber: b.elder.idNumber, payeeIdNumber: b.elder.idNumber }),
      ]),
      financeOptions(),
    );
    expect(first).toMatchObject({ ok: true, payeeAccounts: 1 });
    const unlike = await importRecipients(
      ctx.store,
      await recipientsFile([
        recipient({
          ...tekun,
          program: 'elderly_allowance',
          lastPaidMonth: '2026-12',
          idNumber: b.elder.idNumber,
          payeeIdNumber: b.elder.idNumber,
          accountNo: '6228480000000000034',
        }),
      ]),
      financeOptions(),
    );
    expect(errorsOf(unlike)).toEqual([
      expect.stringMatching(/^2\|账号\|收款人已登记当前收款账户（上海农商银行，6228\*+0018）/),
    ]);
    const same = await importRecipients(
      ctx.store,
      await recipientsFile([
        recipient({
          ...tekun,
          program: 'elderly_allowance',
          lastPaidMonth: '2026-12',
          idNumber: b.elder.idNumber,
          payeeIdNumber: b.elder.idNumber,
        }),
      ]),
      financeOptions(),
    );
    expect(same).toMatchObject({ ok: true, entitlements: 1, payeeAccounts: 0 });
  });
});
