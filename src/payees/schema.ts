import { sql } from 'drizzle-orm';
import {
  check,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

const stamp = (name: string) => timestamp(name, { withTimezone: true, mode: 'string', precision: 3 });

/**
 * 收款账户: where a person is paid — a bank account or the 社会保障卡金融账户 (Shanghai pays many benefits to
 * the card) — dated: `valid_from` inclusive, `valid_to` exclusive (the day the next account begins; null while
 * current). A new account ends the current one (at most one current per person: partial unique index).
 * Rows are never deleted; an ended account keeps who ended it and why. Migration 0025_payee_accounts.sql.
 */
export const payeeAccounts = pgTable(
  'payee_accounts',
  {
    districtCode: text('district_code').notNull(),
    id: uuid('id').notNull(),
    personId: uuid('person_id').notNull(),
    /** bank | social_security_card. */
    kind: text('kind').notNull(),
    /** The catalogue's code (src/payroll/bank/banks.ts) and the bank's name as shown. */
    bankCode: text('bank_code').notNull(),
    bankName: text('bank_name').notNull(),
    accountNo: text('account_no').notNull(),
    holderName: text('holder_name').notNull(),
    validFrom: date('valid_from', { mode: 'string' }).notNull(),
    validTo: date('valid_to', { mode: 'string' }),
    version: integer('version').notNull().default(1),
    createdBy: text('created_by'),
    createdAt: stamp('created_at').notNull(),
    endedBy: text('ended_by'),
    endedAt: stamp('ended_at'),
    endReason: text('end_reason'),
  },
  (t) => [
    primaryKey({ columns: [t.districtCode, t.id] }),
    uniqueIndex('payee_accounts_current_uq')
      .on(t.districtCode, t.personId)
      .where(sql`${t.validTo} is null`),
    index('payee_accounts_person_idx').on(t.districtCode, t.personId, t.validFrom),
    check('payee_accounts_kind_chk', sql`${t.kind} in ('bank','social_security_card')`),
    check('payee_accounts_account_chk', sql`${t.accountNo} ~ '^[0-9]{8,32}$'`),
    check('payee_accounts_dates_chk', sql`${t.validTo} is null or ${t.validTo} >= ${t.validFrom}`),
  ],
);
