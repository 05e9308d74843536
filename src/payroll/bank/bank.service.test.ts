import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, now, setClock } from '../../core/clock.ts';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { importReturnFile } from './bank.edge.ts';
import { BankError } from './bank.errors.ts';
import {
  AUDITOR,
  DISTRICT,
  FINANCE,
  financeActor,
  returnFile,
  seedRun,
  type SeededRun,
} from './bank.fixtures.ts';
import {
  bankFilesOf,
  exportBankFile,
  failedLinesToCarry,
  reconciliationOf,
  UNPAYABLE_REASON,
} from './bank.service.ts';
import { voucherCsv, voucherOf, yuanText } from './voucher.ts';

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
}

async function lineStates(store: Store, runId: string): Promise<Record<number, string>> {
  const rows = await selectRows<{ line_no: number; state: string }>(
    store.db,
    sql`select line_no, state from payroll_lines where district_code = ${DISTRICT} and run_id = ${runId}::uuid`,
  );
  return Object.fromEntries(rows.map((r) => [r.line_no, r.state]));
}

async function runState(store: Store, runId: string): Promise<string> {
  const rows = await selectRows<{ state: string }>(
    store.db,
    sql`select state from payroll_runs where district_code = ${DISTRICT} and id = ${runId}::uuid`,
  );
  return rows[0]!.state;
}

async function auditCount(store: Store, action: string, runId: string): Promise<number> {
  const rows = await selectRows<{ n: number }>(
    store.db,
    sql`select count(*)::int as n from audit_log where action = ${action} and entity_id = ${runId}`,
  );
  return rows[0]!.n;
}

const exportFile = (store: Store, run: SeededRun, bankCode: string, layout: 'csv' | 'fixed') =>
  inUnitOfWork(store, financeActor, (tx) =>
    exportBankFile(tx, FINANCE, { districtCode: DISTRICT, runId: run.runId, bankCode, layout }),
  );

const importFile = (store: Store, run: SeededRun, bytes: Uint8Array, fileName = 'return.csv') =>
  importReturnFile(store, financeActor, FINANCE, {
    districtCode: DISTRICT,
    runId: run.runId,
    fileName,
    bytes,
  });

describeStores('bank files, returns and reconciliation', (ctx) => {
  let restore: () => void;
  let run: SeededRun;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-20T10:00:00+08:00'));
    run = await seedRun(ctx.store, 'R1');
  });
  afterAll(() => restore());

  it('lists per bank the lines to pay, and the lines without a bank apart', async () => {
    const files = await bankFilesOf(ctx.store.db, AUDITOR, { districtCode: DISTRICT, runId: run.runId });
    expect(files.runState).toBe('approved');
    expect(files.banks.map((b) => [b.bankCode, b.count, b.totalFen])).toEqual([
      ['ICBC', 1, 30_000],
      ['SRCB', 2, 32_345],
    ]);
    expect([files.unbankedCount, files.unbankedFen]).toEqual([1, 500]);
  });

  it('refuses an auditor the download and a run not yet approved', async () => {
    const byAuditor = await thrown(
      inUnitOfWork(ctx.store, financeActor, (tx) =>
        exportBankFile(tx, AUDITOR, {
          districtCode: DISTRICT,
          runId: run.runId,
          bankCode: 'SRCB',
          layout: 'csv',
        }),
      ),
    );
    expect((byAuditor as BankError).code).toBe('forbidden');
    const checked = await seedRun(ctx.store, 'R2', { month: '2026-11', state: 'checked' });
    const early = await thrown(exportFile(ctx.store, checked, 'SRCB', 'csv'));
    expect((early as BankError).code).toBe('wrong_state');
  });

  it('writes the CSV file of a bank, marks the run exported once, and audits the download with its digest', async () => {
    const out = await exportFile(ctx.store, run, 'SRCB', 'csv');
    const [a, b] = run.people.people;
    expect(out.bytes.toString('utf8')).toBe(
      [
        `H,310110,${run.runId},2026-12,SRCB,20261220,2,32345`,
        `D,1,B,6222000012345678,${a!.name},12345,elderly_allowance,2026-12`,
        `D,2,B,6222000087654321,${b!.name},20000,elderly_allowance,2026-12`,
        'T,2,32345',
        '',
      ].join('\r\n'),
    );
    expect([out.count, out.totalFen]).toEqual([2, 32_345]);
    expect(await runState(ctx.store, run.runId)).toBe('exported');
    // The line no bank file can hold (no account) failed at the first export: the next run carries it.
    expect((await lineStates(ctx.store, run.runId))[4]).toBe('failed');
    await exportFile(ctx.store, run, 'SRCB', 'fixed');
    expect(await runState(ctx.store, run.runId)).toBe('exported');
    const audits = await selectRows<{ after: { digest: string; count: number; totalFen: number } }>(
      ctx.store.db,
      sql`select after from audit_log where action = 'payroll.bank_file_exported' and entity_id = ${run.runId}
        order by id`,
    );
    expect(audits).toHaveLength(2);
    expect(audits[0]!.after).toMatchObject({ digest: out.digest, count: 2, totalFen: 32_345 });
  });

  it('writes the fixed-width file in GBK, 150 bytes a record, amounts in fen', async () => {
    const out = await exportFile(ctx.store, run, 'ICBC', 'fixed');
    const records = out.bytes.toString('latin1').split('\r\n');
    expect(records.pop()).toBe('');
    expect(records).toHaveLength(3);
    for (const r of records) expect(Buffer.byteLength(r, 'latin1')).toBe(150);
    const d = Buffer.from(records[1]!, 'latin1');
    expect(d.subarray(0, 12).toString('latin1')).toBe('D0000000003S');
    expect(d.subarray(12, 44).toString('latin1').trimEnd()).toBe('6212260000000001');
    const name = run.people.people[2]!.name;
    expect(new TextDecoder('gbk').decode(d.subarray(44, 84)).trimEnd()).toBe(name);
    expect(d.subarray(44, 44 + 2 * name.length).length).toBe(2 * name.length);
    expect(d.subarray(84, 99).toString('latin1')).toBe('000000000030000');
    expect(records[2]!.slice(0, 29)).toBe('T0000000001000000000000030000');
    expect(records[0]!.slice(0, 43)).toBe(`H310110${run.runId}`);
  });

  describe('refused return files: nothing changed, the refusal audited', () => {
    const cases: [string, () => Uint8Array, string][] = [
      [
        'a file for another run',
        () =>
          returnFile('00000000-0000-4000-8000-000000000000', 'SRCB', [
            '1,6222000012345678,12345,S,B1,20261221,',
          ]),
        '其他批次',
      ],
      [
        'a line twice in the file',
        () =>
          returnFile(run.runId, 'SRCB', [
            '1,6222000012345678,12345,S,B1,20261221,',
            '1,6222000012345678,12345,S,B2,20261221,',
          ]),
        '出现两次',
      ],
      [
        'a wrong count in the trailer',
        () => returnFile(run.runId, 'SRCB', ['1,6222000012345678,12345,S,B1,20261221,'], 'T,2,12345'),
        '总笔数',
      ],
      [
        'a wrong total in the trailer',
        () => returnFile(run.runId, 'SRCB', ['1,6222000012345678,12345,S,B1,20261221,'], 'T,1,12346'),
        '总金额',
      ],
      [
        'an unknown line',
        () => returnFile(run.runId, 'SRCB', ['99,6222000012345678,100,S,B1,20261221,']),
        '不在本批次',
      ],
      [
        'a line of another bank',
        () => returnFile(run.runId, 'SRCB', ['3,6212260000000001,30000,S,B1,20261221,']),
        '不在本批次',
      ],
      [
        'a held line',
        () => returnFile(run.runId, 'SRCB', ['5,6222000012345678,1000,S,B1,20261221,']),
        '挂起',
      ],
      [
        'an amount that differs',
        () => returnFile(run.runId, 'SRCB', ['1,6222000012345678,12000,S,B1,20261221,']),
        '不符',
      ],
      [
        'a paid line without a bank reference',
        () => returnFile(run.runId, 'SRCB', ['1,6222000012345678,12345,S,,20261221,']),
        '流水号',
      ],
      [
        'no trailer',
        () => Buffer.from(`H,${DISTRICT},${run.runId},SRCB\r\nD,1,6222000012345678,12345,S,B1,20261221,\r\n`),
        '文件尾',
      ],
    ];
    for (const [name, file, words] of cases) {
      it(`refuses ${name}`, async () => {
        const before = await auditCount(ctx.store, 'payroll.bank_return_refused', run.runId);
        const error = await thrown(importFile(ctx.store, run, file()));
        expect(error).toBeInstanceOf(BankError);
        expect((error as BankError).code).toBe('return_refused');
        expect((error as BankError).rows.map((r) => r.message).join('；')).toContain(words);
        expect(await lineStates(ctx.store, run.runId)).toEqual({
          1: 'pending',
          2: 'pending',
          3: 'released',
          4: 'failed',
          5: 'held',
        });
        expect(await auditCount(ctx.store, 'payroll.bank_return_refused', run.runId)).toBe(before + 1);
      });
    }
  });

  it('settles paid and failed lines, posts the payments, and refuses the same file or a paid line again', async () => {
    const file = returnFile(run.runId, 'SRCB', [
      '1,6222000012345678,12345,S,BR0001,20261221,',
      '2,6222000087654321,20000,F,,,账户已销户',
    ]);
    const result = await importFile(ctx.store, run, file);
    expect(result).toMatchObject({
      paidCount: 1,
      paidFen: 12_345,
      failedCount: 1,
      failedFen: 20_000,
      closed: false,
    });
    const lines = await selectRows<{
      line_no: number;
      state: string;
      bank_ref: string | null;
      paid_on: string | null;
      failure_reason: string | null;
    }>(
      ctx.store.db,
      sql`select line_no, state, bank_ref, paid_on::text as paid_on, failure_reason from payroll_lines
        where district_code = ${DISTRICT} and run_id = ${run.runId}::uuid and line_no in (1, 2) order by line_no`,
    );
    expect(lines).toEqual([
      { line_no: 1, state: 'paid', bank_ref: 'BR0001', paid_on: '2026-12-21', failure_reason: null },
      { line_no: 2, state: 'failed', bank_ref: null, paid_on: null, failure_reason: '账户已销户' },
    ]);
    const payments = await selectRows<{
      debit_account: string;
      credit_account: string;
      amount_fen: string;
      seq: number;
      posted_on: string;
    }>(
      ctx.store.db,
      sql`select debit_account, credit_account, amount_fen::text as amount_fen, seq, posted_on::text as posted_on
        from ledger_entries where district_code = ${DISTRICT} and run_id = ${run.runId}::uuid and kind = 'payment'`,
    );
    expect(payments).toEqual([
      {
        debit_account: 'payable:elderly_allowance',
        credit_account: 'bank:310110',
        amount_fen: '12345',
        seq: 1,
        posted_on: '2026-12-21',
      },
    ]);
    expect(await auditCount(ctx.store, 'payroll.bank_return_imported', run.runId)).toBe(1);

    const again = await thrown(importFile(ctx.store, run, file));
    expect((again as BankError).rows[0]!.message).toContain('已导入过');
    const paidAgain = await thrown(
      importFile(
        ctx.store,
        run,
        returnFile(run.runId, 'SRCB', ['1,6222000012345678,12345,S,BR0009,20261222,']),
      ),
    );
    expect((paidAgain as BankError).rows[0]!.message).toContain('已回盘');
    expect(await auditCount(ctx.store, 'payroll.bank_return_imported', run.runId)).toBe(1);
  });

  it('reconciles to the fen, and closes the run once nothing is left to pay', async () => {
    const key = { districtCode: DISTRICT, runId: run.runId };
    const mid = await reconciliationOf(ctx.store.db, AUDITOR, key);
    expect(mid).toMatchObject({
      sentCount: 3,
      sentFen: 62_345,
      paidFen: 12_345,
      failedFen: 20_000,
      outstandingFen: 30_000,
      ledgerPaidFen: 12_345,
      differenceFen: 0,
      ledgerDifferenceFen: 0,
      returnDifferenceFen: 0,
      unsentCount: 1,
      unsentFen: 500,
      reconciled: true,
    });
    // The line without an account failed at the export, so the last return closes the run.
    const last = await importFile(
      ctx.store,
      run,
      returnFile(run.runId, 'ICBC', ['3,6212260000000001,30000,S,IC-77,20261222,']),
    );
    expect(last.closed).toBe(true);
    expect(await runState(ctx.store, run.runId)).toBe('closed');
    expect(last.reconciliation).toMatchObject({
      paidFen: 42_345,
      failedFen: 20_000,
      outstandingFen: 0,
      reconciled: true,
    });
  });

  it('hands the failed line to a later month’s run, not to its own month', async () => {
    expect(await failedLinesToCarry(ctx.store.db, DISTRICT, '2026-12')).toEqual([]);
    const carry = await failedLinesToCarry(ctx.store.db, DISTRICT, '2027-01');
    expect(carry.map((c) => [c.runId, c.lineNo, c.amountFen, c.failureReason])).toEqual([
      [run.runId, 2, 20_000, '账户已销户'],
      [run.runId, 4, 500, UNPAYABLE_REASON],
    ]);
  });

  it('makes the accounting voucher of the run: accruals and payments, debits equal credits', async () => {
    const v = await voucherOf(ctx.store.db, AUDITOR, { districtCode: DISTRICT, runId: run.runId }, now());
    expect(v.totalDebitFen).toBe(v.totalCreditFen);
    expect(v.lines.map((l) => [l.kind, l.account, l.debitFen, l.creditFen])).toEqual([
      ['accrual', 'fund:elderly_allowance:city', 62_845, 0],
      ['accrual', 'payable:elderly_allowance', 0, 62_845],
      ['payment', 'payable:elderly_allowance', 42_345, 0],
      ['payment', 'bank:310110', 0, 42_345],
    ]);
    const csv = voucherCsv(v).toString('utf8');
    expect(csv.split('\r\n')[1]).toContain('2026-12-20,1,2026-12 老年综合津贴 计提应付');
    expect(csv).toContain('合计,,,1051.90,1051.90');
    expect([yuanText(5), yuanText(-12_345), yuanText(100)]).toEqual(['0.05', '-123.45', '1.00']);
  });
});
