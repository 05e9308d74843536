import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { divisionScope } from '../auth/scope.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import { DISTRICT, seedPeople, type SeededPeople } from '../payroll/bank/bank.fixtures.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { addPayeeAccount, endPayeeAccount, listPayeeAccounts, type PayeeCaller } from './payee.service.ts';
import type { PayeeError } from './payees.errors.ts';

const CASEWORKER: PayeeCaller = {
  scope: divisionScope('310110012'),
  role: 'street_caseworker',
  userId: 'u-street',
};
const OTHER_STREET: PayeeCaller = {
  scope: divisionScope('310110016'),
  role: 'street_caseworker',
  userId: 'u-o',
};
const AUDITOR: PayeeCaller = { scope: divisionScope(DISTRICT), role: 'auditor', userId: 'u-aud' };
const APPROVER: PayeeCaller = { scope: divisionScope(DISTRICT), role: 'district_approver', userId: 'u-appr' };
const actor: ActingContext = {
  userId: 'u-street',
  divisionCode: '310110012',
  reason: '申请人提供新的收款账户',
};

async function thrown(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
}

describeStores('payee accounts', (ctx) => {
  let restore: () => void;
  let seeded: SeededPeople;
  let entitlementId: string;
  const person = () => seeded.people[0]!;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-10T10:00:00+08:00'));
    seeded = await seedPeople(ctx.store, 'P1');
    entitlementId = randomUUID();
    const now = new Date().toISOString();
    await ctx.store.db.execute(sql`insert into entitlements (district_code, id, program, beneficiary_kind,
        beneficiary_id, household_id, person_id, committee_code, payee_person_id, payee_role, bank_name, account_no,
        schedule, amount_fen, from_month, state, rule, version, created_at, updated_at)
      values (${DISTRICT}, ${entitlementId}::uuid, 'elderly_allowance', 'person', ${person().id}::uuid,
        ${seeded.householdId}::uuid, ${person().id}::uuid, '310110012001', ${person().id}::uuid, 'beneficiary',
        '上海农商银行', '6222000000000001', 'quarterly', 15000, '2026-01', 'active', 'auto_elderly', 1, ${now}, ${now})`);
  });
  afterAll(() => restore());

  const add = (caller: PayeeCaller, over: Record<string, unknown> = {}) =>
    inUnitOfWork(ctx.store, actor, (tx) =>
      addPayeeAccount(tx, caller, {
        districtCode: DISTRICT,
        personId: person().id,
        kind: 'bank',
        bankCode: 'SRCB',
        accountNo: '4111111111111111',
        holderName: person().name,
        validFrom: '2026-12-01',
        ...over,
      }),
    );

  it('refuses a card number failing its Luhn check, a wrong holder and an unknown bank, all at once', async () => {
    const e = await thrown(add(CASEWORKER, { accountNo: '4111111111111112', holderName: '别人' }));
    expect((e as PayeeError).code).toBe('invalid');
    expect((e as PayeeError).problems).toHaveLength(2);
    const bank = await thrown(add(CASEWORKER, { bankCode: 'XXX' }));
    expect((bank as PayeeError).message).toContain('不在代发银行目录');
  });

  it('refuses whoever may not manage accounts or is outside the person’s scope', async () => {
    expect(((await thrown(add(AUDITOR))) as PayeeError).code).toBe('forbidden');
    expect(((await thrown(add(OTHER_STREET))) as PayeeError).code).toBe('not_found');
  });

  it('registers an account, moves the open entitlement to it, and a new account ends the old one', async () => {
    const first = await add(CASEWORKER);
    expect(first.entitlementsChanged).toBe(1);
    expect(first.account.accountNo).toBe('4111111111111111');
    const second = await add(CASEWORKER, {
      kind: 'social_security_card',
      bankCode: 'SRCB',
      accountNo: '6222000000000009',
      validFrom: '2026-12-10',
    });
    expect(second.endedAccountId).toBe(first.account.id);
    const list = await listPayeeAccounts(ctx.store.db, CASEWORKER, {
      districtCode: DISTRICT,
      personId: person().id,
    });
    expect(list.map((a) => [a.kind, a.validFrom, a.validTo, a.current])).toEqual([
      ['social_security_card', '2026-12-10', null, true],
      ['bank', '2026-12-01', '2026-12-10', false],
    ]);
    const ent = await selectRows<{ bank_name: string; account_no: string; version: number }>(
      ctx.store.db,
      sql`select bank_name, account_no, version from entitlements where district_code = ${DISTRICT} and id = ${entitlementId}::uuid`,
    );
    expect(ent[0]).toEqual({
      bank_name: '社会保障卡（上海农商银行）',
      account_no: '6222000000000009',
      version: 3,
    });
    const changes = await selectRows<{ kind: string; effective_month: string }>(
      ctx.store.db,
      sql`select kind, effective_month from entitlement_changes where district_code = ${DISTRICT}
        and entitlement_id = ${entitlementId}::uuid order by seq`,
    );
    expect(changes).toEqual([
      { kind: 'payee_changed', effective_month: '2026-12' },
      { kind: 'payee_changed', effective_month: '2026-12' },
    ]);
  });

  it('masks the account for readers who neither manage nor pay, and shows it to the approver (payroll.account)', async () => {
    const key = { districtCode: DISTRICT, personId: person().id };
    const masked = await listPayeeAccounts(ctx.store.db, AUDITOR, key);
    expect(masked[0]).toMatchObject({ accountNo: '6222********0009', accountMasked: true });
    const full = await listPayeeAccounts(ctx.store.db, APPROVER, key);
    expect(full[0]).toMatchObject({ accountNo: '6222000000000009', accountMasked: false });
    const audit = await selectRows<{ after: { accountNo: string } }>(
      ctx.store.db,
      sql`select after from audit_log where action = 'payee_account.created' order by id desc limit 1`,
    );
    expect(audit[0]!.after.accountNo).toBe('6222********0009');
  });

  it('ends the current account (compare-and-set on its version) and leaves the entitlement without one', async () => {
    const key = { districtCode: DISTRICT, personId: person().id };
    const [current] = await listPayeeAccounts(ctx.store.db, CASEWORKER, key);
    const stale = await thrown(
      inUnitOfWork(ctx.store, actor, (tx) =>
        endPayeeAccount(tx, CASEWORKER, { ...key, id: current!.id, version: current!.version + 5 }),
      ),
    );
    expect((stale as PayeeError).code).toBe('conflict');
    const ended = await inUnitOfWork(ctx.store, { ...actor, reason: '账户已销户' }, (tx) =>
      endPayeeAccount(tx, CASEWORKER, { ...key, id: current!.id, version: current!.version }),
    );
    expect(ended.account.current).toBe(false);
    expect(ended.entitlementsChanged).toBe(1);
    const ent = await selectRows<{ account_no: string | null }>(
      ctx.store.db,
      sql`select account_no from entitlements where district_code = ${DISTRICT} and id = ${entitlementId}::uuid`,
    );
    expect(ent[0]!.account_no).toBeNull();
  });
});
