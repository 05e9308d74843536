import {
  bigint,
  check,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { sql } from 'drizzle-orm';

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

/**
 * 银行回盘: each return file accepted for a run and bank, with its digest (the same file twice is refused)
 * and what it settled. Refused files leave no row, only their audit record. Migration 0025_payee_accounts.sql
 * (created before payroll_runs exists: no foreign key; keyed district first like the payroll tables).
 */
export const payrollBankReturns = pgTable(
  'payroll_bank_returns',
  {
    districtCode: text('district_code').notNull(),
    runId: uuid('run_id').notNull(),
    seq: integer('seq').notNull(),
    bankCode: text('bank_code').notNull(),
    fileName: text('file_name').notNull(),
    /** SHA-256 of the file's bytes. */
    digest: text('digest').notNull(),
    paidCount: integer('paid_count').notNull(),
    paidFen: bigint('paid_fen', { mode: 'number' }).notNull(),
    failedCount: integer('failed_count').notNull(),
    failedFen: bigint('failed_fen', { mode: 'number' }).notNull(),
    importedBy: text('imported_by'),
    importedAt: stamp('imported_at').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.runId, t.seq] }),
    uniqueIndex('payroll_bank_returns_digest_uq').on(t.districtCode, t.runId, t.digest),
    check('payroll_bank_returns_counts_chk', sql`${t.paidCount} >= 0 and ${t.failedCount} >= 0`),
  ],
);
