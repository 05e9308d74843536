import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import type { Store } from '../db/store.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { ConflictError } from '../workflow/workflow.errors.ts';
import { endAuthorisation, listAuthorisations } from './authorisation.service.ts';
import { coverageOf, holdsOn } from './authorisation.rules.ts';
import { getRequest, listRequests, requestNumber, withdrawRequest } from './request.service.ts';
import { LOCAL_SOURCE_CODES } from './sources/catalogue.ts';
import {
  authorise,
  OFFICER,
  OTHER_STREET,
  request,
  seedHousehold,
  STREET_CASEWORKER,
  streetActor,
  type SeededHousehold,
} from './verification.fixtures.ts';
import { VerificationError } from './verification.errors.ts';

describe('authorisation rules (pure)', () => {
  const dated = {
    id: 'a',
    purpose: 'dibao',
    personIds: ['p1', 'p2'],
    signedOn: '2026-06-01',
    validUntil: '2026-11-28',
    endedOn: null,
  };
  const standing = { ...dated, id: 's', validUntil: null };

  it('holds from the signing day until valid_until (exclusive), a standing one until ended', () => {
    expect(holdsOn(dated, '2026-05-31')).toBe(false);
    expect(holdsOn(dated, '2026-06-01')).toBe(true);
    expect(holdsOn(dated, '2026-11-27')).toBe(true);
    expect(holdsOn(dated, '2026-11-28')).toBe(false);
    expect(holdsOn(standing, '2040-01-01')).toBe(true);
    expect(holdsOn({ ...standing, endedOn: '2026-12-01' }, '2026-11-30')).toBe(true);
    expect(holdsOn({ ...standing, endedOn: '2026-12-01' }, '2026-12-01')).toBe(false);
  });

  it('names the adults not covered: never signed apart from signed but expired; other purposes do not count', () => {
    const adults = [
      { personId: 'p1', name: '甲' },
      { personId: 'p2', name: '乙' },
      { personId: 'p3', name: '丙' },
    ];
    const other = { ...standing, id: 'o', purpose: 'tekun', personIds: ['p3'] };
    const c = coverageOf([dated, other], 'dibao', adults, '2026-12-01');
    expect(c.unsigned.map((s) => s.name)).toEqual(['丙']);
    expect(c.expired.map((s) => s.name)).toEqual(['甲', '乙']);
    expect(coverageOf([dated, standing], 'dibao', adults.slice(0, 2), '2026-12-01')).toEqual({
      authorisationIds: ['s'],
      unsigned: [],
      expired: [],
    });
  });

  it('numbers a request by district, day and id', () => {
    expect(requestNumber('310110', '2026-12-01', 'a1b2c3d4-0000-4000-8000-000000000000')).toMatch(
      /^HD-310110-20261201-[0-9A-V]{6}$/,
    );
  });
});

async function count(store: Store, table: string): Promise<number> {
  const rows = await selectRows<{ n: number }>(
    store.db,
    sql`select count(*)::int as n from ${sql.identifier(table)}`,
  );
  return rows[0]!.n;
}

async function refusal(work: Promise<unknown>): Promise<VerificationError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof VerificationError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describeStores('verification requests and authorisations', (ctx) => {
  let restore: () => void;
  let seeded: SeededHousehold;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    seeded = await seedHousehold(ctx.store, 'R1');
  });
  afterAll(() => restore());

  it('refuses a request while no adult has signed, naming them, and writes nothing', async () => {
    const before = await Promise.all(
      ['verification_requests', 'verification_source_queries', 'audit_log'].map((t) => count(ctx.store, t)),
    );
    const error = await refusal(request(ctx.store, seeded));
    expect(error.code).toBe('authorisation_missing');
    expect(error.message).toContain(`王R1、李R1`);
    expect(error.message).not.toContain('王小R1'); // the child signs nothing
    const after = await Promise.all(
      ['verification_requests', 'verification_source_queries', 'audit_log'].map((t) => count(ctx.store, t)),
    );
    expect(after).toEqual(before);
  });

  it('refuses an authorisation signed by a non-member, dated in the future, or without the signed paper', async () => {
    const error = await refusal(
      inUnitOfWork(ctx.store, streetActor, async (tx) => {
        const { registerAuthorisation } = await import('./authorisation.service.ts');
        return registerAuthorisation(tx, STREET_CASEWORKER, {
          districtCode: '310110',
          householdId: seeded.household.id,
          purpose: 'nonsense',
          personIds: ['00000000-0000-4000-8000-000000000001'],
          signedOn: '2026-12-02',
          standing: false,
          attachmentId: seeded.attachmentId,
        });
      }),
    );
    expect(error.problems).toEqual([
      '核对用途「nonsense」不存在',
      '签署日期 2026-12-02 晚于今天',
      '签署人不是本户现有成员：00000000-0000-4000-8000-000000000001',
    ]);
    await expect(
      inUnitOfWork(ctx.store, streetActor, async (tx) => {
        const { registerAuthorisation } = await import('./authorisation.service.ts');
        return registerAuthorisation(tx, STREET_CASEWORKER, {
          districtCode: '310110',
          householdId: seeded.household.id,
          purpose: 'dibao',
          personIds: [seeded.adults[0]!.id],
          signedOn: '2026-12-01',
          standing: false,
          attachmentId: '00000000-0000-4000-8000-000000000002',
        });
      }),
    ).rejects.toThrow(/附件不存在/);
  });

  it('refuses while one adult has not signed, and names only that one', async () => {
    await authorise(ctx.store, seeded, { signedOn: '2026-11-20', personIds: [seeded.adults[0]!.id] });
    const error = await refusal(request(ctx.store, seeded));
    expect(error.code).toBe('authorisation_missing');
    expect(error.problems).toEqual(['以下成年家庭成员没有签署该用途的核对授权书：李R1']);
  });

  it('accepts once every adult is covered: received, due in working days, one query per local source, audited', async () => {
    await authorise(ctx.store, seeded, { signedOn: '2026-11-25', personIds: [seeded.adults[1]!.id] });
    const view = await request(ctx.store, seeded);
    expect(view.state).toBe('received');
    expect(view.stateName).toBe('已受理');
    expect(view.purposeName).toBe('最低生活保障');
    expect(view.members.map((m) => m.name)).toEqual(['王R1', '李R1', '王小R1']);
    expect(view.members[0]!.idNumberMasked).toMatch(/\*/);
    expect(view.authorisationIds).toHaveLength(2);
    // 15 working days from Tuesday 2026-12-01 (no holiday in between): Tuesday 2026-12-22.
    expect(view.due).toMatchObject({
      due: '2026-12-22',
      from: '2026-12-01',
      workingDays: 15,
      provisional: false,
    });
    expect(view.progress).toEqual({
      answered: 0,
      failed: 0,
      waiting: LOCAL_SOURCE_CODES.length,
      total: LOCAL_SOURCE_CODES.length,
    });
    const detail = await getRequest(ctx.store.db, OFFICER, view, '2026-12-01');
    expect(detail.sources.map((s) => s.state)).toEqual(LOCAL_SOURCE_CODES.map(() => 'pending'));
    expect(detail.sources.map((s) => s.sourceName)).toContain('税务部门');
    expect(detail.timeline.map((e) => [e.actionLabel, e.toStateLabel])).toEqual([['受理核对委托', '已受理']]);
    const audit = await selectRows<{ action: string; entity_id: string }>(
      ctx.store.db,
      sql`select action, entity_id from audit_log where entity_id = ${view.id}`,
    );
    expect(audit.map((a) => a.action)).toEqual(['verification.transition']);
  });

  it('shows requests within the scope only: another street reads nothing', async () => {
    const list = await listRequests(ctx.store.db, STREET_CASEWORKER, {
      householdId: seeded.household.id,
      limit: 10,
      offset: 0,
    });
    expect(list.total).toBe(1);
    expect(list.items[0]!.householdNo).toBe('HD-T-R1');
    const other = await listRequests(ctx.store.db, OTHER_STREET, {
      householdId: seeded.household.id,
      limit: 10,
      offset: 0,
    });
    expect(other.total).toBe(0);
    await expect(
      getRequest(ctx.store.db, OTHER_STREET, { districtCode: '310110', id: list.items[0]!.id }),
    ).rejects.toThrow('核对委托不存在或不在您的数据范围内');
    const overdue = await listRequests(
      ctx.store.db,
      OFFICER,
      {
        householdId: seeded.household.id,
        overdueOn: '2026-12-23',
        limit: 10,
        offset: 0,
      },
      '2026-12-23',
    );
    expect(overdue.items.map((i) => i.overdue)).toEqual([true]);
  });

  it('withdraws a request with the version read; a second withdrawal is refused by state, a stale one by version', async () => {
    const [item] = (
      await listRequests(ctx.store.db, OFFICER, { householdId: seeded.household.id, limit: 1, offset: 0 })
    ).items;
    const withdraw = (version: number) =>
      inUnitOfWork(ctx.store, { ...streetActor, reason: '申请人撤回申请' }, (tx) =>
        withdrawRequest(tx, STREET_CASEWORKER, { districtCode: '310110', id: item!.id, version }),
      );
    await expect(withdraw(item!.version + 5)).rejects.toBeInstanceOf(ConflictError);
    const done = await withdraw(item!.version);
    expect(done.state).toBe('withdrawn');
    expect(done.allowedActions).toEqual([]);
    await expect(withdraw(done.version)).rejects.toThrow(/当前状态为「已撤销」/);
  });

  it('a dated authorisation expires; a standing one covers until it is ended', async () => {
    const h = await seedHousehold(ctx.store, 'R2');
    await authorise(ctx.store, h, { signedOn: '2026-06-10' }); // 180 days: valid until 2026-12-07
    const later = setClock(fixedClock('2026-12-08T09:00:00+08:00'));
    try {
      const error = await refusal(request(ctx.store, h));
      expect(error.code).toBe('authorisation_expired');
      expect(error.message).toContain('已过期或已终止：王R2、李R2');
      const standing = await authorise(ctx.store, h, {
        signedOn: '2026-12-08',
        standing: true,
        purpose: 'dibao',
      });
      expect(standing.validUntil).toBeNull();
      expect((await request(ctx.store, h)).state).toBe('received');
      await inUnitOfWork(ctx.store, { ...streetActor, reason: '低保终止' }, (tx) =>
        endAuthorisation(
          tx,
          STREET_CASEWORKER,
          { districtCode: '310110', id: standing.id, version: 1 },
          '2026-12-08',
          '低保终止',
        ),
      );
      expect((await refusal(request(ctx.store, h))).code).toBe('authorisation_expired');
      const listed = await listAuthorisations(
        ctx.store.db,
        STREET_CASEWORKER,
        '310110',
        h.household.id,
        '2026-12-08',
      );
      expect(listed.map((a) => [a.standing, a.current])).toEqual([
        [true, false],
        [false, false],
      ]);
    } finally {
      later();
    }
  });
});
