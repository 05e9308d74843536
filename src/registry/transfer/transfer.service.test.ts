import { sql } from 'drizzle-orm';
import { beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { listAudit } from '../../audit/audit.service.ts';
import { ALL, divisionScope } from '../../auth/scope.ts';
import { selectRows } from '../../db/sql.ts';
import type { Store } from '../../db/store.ts';
import { allowedTransitions } from '../../workflow/state-machine.ts';
import { inUnitOfWork, type ActingContext, type WorkTx } from '../../workflow/unit-of-work.ts';
import { entityTimeline } from '../../workflow/workflow.repository.ts';
import { recordDeath } from '../edits/edits.service.ts';
import { listFacts } from '../facts/facts.service.ts';
import { makeIdNumber } from '../id-number.ts';
import {
  createHousehold,
  getHouseholdDetail,
  getPerson,
  populationFigures,
  searchPersons,
  type HouseholdRecord,
  type NewPersonInput,
} from '../registry.service.ts';
import { transferMachine, type TransferState } from './transfer.machine.ts';
import {
  acceptTransfer,
  closeTransfer,
  getTransfer,
  listTransfers,
  startTransfer,
  type TransferCaller,
} from './transfer.service.ts';

const TODAY = '2026-11-22';
// 杨浦区 (sending) and 虹口区 (receiving), each at district and street level; 徐汇区 a third district.
const YANGPU: TransferCaller = { scope: divisionScope('310110'), role: 'admin' };
const YANGPU_STREET: TransferCaller = { scope: divisionScope('310110001'), role: 'street_caseworker' };
const HONGKOU: TransferCaller = { scope: divisionScope('310109'), role: 'admin' };
const HONGKOU_STREET: TransferCaller = { scope: divisionScope('310109009'), role: 'street_caseworker' };
const XUHUI: TransferCaller = { scope: divisionScope('310104'), role: 'admin' };
const APPROVER: TransferCaller = { scope: divisionScope('310109'), role: 'district_approver' };

const yangpuActor: ActingContext = { userId: 'u-yp', divisionCode: '310110001', reason: '随子女迁居虹口' };
const hongkouActor: ActingContext = {
  userId: 'u-hk',
  divisionCode: '310109009',
  reason: '核实无误，同意接收',
};

let seq = 300;
function person(name: string, birthDate: string, sex: 1 | 2, district = '310110'): NewPersonInput {
  seq += 2;
  return {
    idNumber: makeIdNumber(district, birthDate, sex === 1 ? seq + 1 : seq),
    name,
    sex,
    birthDate,
    hukouDivisionCode: district === '310109' ? '310109009' : '310110001',
  };
}

const unit = <T>(store: Store, who: ActingContext, work: (tx: WorkTx) => Promise<T>) =>
  inUnitOfWork(store, who, work);

async function counts(store: Store): Promise<number[]> {
  const tables = ['persons', 'household_members', 'person_transfers', 'workflow_event', 'audit_log'];
  const out: number[] = [];
  for (const t of tables) {
    const rows = await selectRows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from ${sql.identifier(t)}`,
    );
    out.push(rows[0]!.n);
  }
  return out;
}

describeStores('cross-district transfer', (ctx) => {
  let yp: HouseholdRecord;
  let hk: HouseholdRecord;
  let grandma: string;
  let son: string;

  const start = (
    personId: string,
    extra: { toCommitteeCode?: string; moveDate?: string; caller?: TransferCaller } = {},
  ) =>
    unit(ctx.store, yangpuActor, (tx) =>
      startTransfer(tx, extra.caller ?? YANGPU_STREET, {
        districtCode: '310110',
        personId,
        toDistrictCode: '310109',
        toCommitteeCode: extra.toCommitteeCode ?? null,
        moveDate: extra.moveDate ?? '2026-11-01',
      }),
    );
  const accept = (
    id: string,
    version: number | undefined,
    extra: { caller?: TransferCaller; relationCode?: string; householdId?: string } = {},
  ) =>
    unit(ctx.store, hongkouActor, (tx) =>
      acceptTransfer(
        tx,
        extra.caller ?? HONGKOU_STREET,
        {
          districtCode: '310110',
          id,
          version,
          householdId: extra.householdId ?? hk.id,
          relationCode: extra.relationCode ?? '52',
        },
        { today: TODAY },
      ),
    );
  const close = (id: string, action: 'refuse' | 'withdraw', caller: TransferCaller, version?: number) =>
    unit(ctx.store, action === 'refuse' ? hongkouActor : yangpuActor, (tx) =>
      closeTransfer(tx, caller, { districtCode: '310110', id, version }, action),
    );

  beforeAll(async () => {
    const a = await unit(ctx.store, yangpuActor, (tx) =>
      createHousehold(tx, ALL, {
        householdNo: 'YP-T1',
        committeeCode: '310110001001',
        validFrom: '2010-01-01',
        members: [
          { person: person('周老太', '1940-04-04', 2), relationCode: '02' },
          { person: { ...person('周大志', '1968-06-06', 1), wageFen: 650_000 }, relationCode: '20' },
        ],
      }),
    );
    yp = a.value;
    const byName = (name: string) =>
      a.changes.find((c) => c.entityType === 'person' && (c.after as { name: string }).name === name)!
        .entityId;
    grandma = byName('周老太');
    son = byName('周大志');
    const b = await unit(ctx.store, hongkouActor, (tx) =>
      createHousehold(tx, ALL, {
        householdNo: 'HK-T1',
        committeeCode: '310109009002',
        validFrom: '2012-01-01',
        members: [{ person: person('周小虹', '1970-07-07', 2, '310109'), relationCode: '02' }],
      }),
    );
    hk = b.value;
  });

  it('defines its states and steps: from 待接收 one may accept, refuse or withdraw; the others are final', () => {
    expect(Object.values(transferMachine.states)).toEqual(['待接收', '已接收', '已退回', '已撤回']);
    const open = (s: TransferState) => allowedTransitions(transferMachine, s).map((t) => t.action);
    expect(open('pending')).toEqual(['accept', 'refuse', 'withdraw']);
    expect([open('accepted'), open('refused'), open('withdrawn')]).toEqual([[], [], []]);
  });

  it('start → refuse: nothing moves, the receiving district sees it in 待接收, the timeline has both steps', async () => {
    const before = await counts(ctx.store);
    const t = await start(son, { toCommitteeCode: '310109009002' });
    expect(t).toMatchObject({
      state: 'pending',
      stateName: '待接收',
      version: 1,
      districtName: '杨浦区',
      toDistrictName: '虹口区',
      person: { name: '周大志' },
      allowedActions: [{ action: 'withdraw', label: '撤回' }],
    });
    expect(t.person.idNumberMasked).toMatch(/^310110\*{8}/);
    const incoming = await listTransfers(ctx.store.db, HONGKOU_STREET, {
      direction: 'incoming',
      state: 'pending',
    });
    expect(incoming.map((r) => [r.id, r.allowedActions.map((a) => a.action)])).toEqual([
      [t.id, ['accept', 'refuse']],
    ]);
    expect(await listTransfers(ctx.store.db, XUHUI, { direction: 'incoming' })).toEqual([]);
    expect((await listTransfers(ctx.store.db, YANGPU, { direction: 'outgoing' })).map((r) => r.id)).toEqual([
      t.id,
    ]);
    // Nothing moved: the person is still Yangpu's, in the same household.
    expect((await searchPersons(ctx.store.db, divisionScope('310110'), { name: '周大志' })).total).toBe(1);
    expect((await searchPersons(ctx.store.db, divisionScope('310109'), { name: '周大志' })).total).toBe(0);

    const refused = await close(t.id, 'refuse', HONGKOU_STREET, 1);
    expect(refused).toMatchObject({ state: 'refused', stateName: '已退回', version: 2, allowedActions: [] });
    const detail = await getTransfer(ctx.store.db, YANGPU, { districtCode: '310110', id: t.id });
    expect(detail.timeline.map((e) => [e.actionLabel, e.fromStateLabel, e.toStateLabel, e.reason])).toEqual([
      ['发起迁移', null, '待接收', '随子女迁居虹口'],
      ['退回', '待接收', '已退回', '核实无误，同意接收'],
    ]);
    expect(detail.timeline.map((e) => e.actorName)).toEqual(['已删除的用户（u-yp）', '已删除的用户（u-hk）']);
    const after = await counts(ctx.store);
    // One transfer row, two events; no person or membership row.
    expect([
      after[0]! - before[0]!,
      after[1]! - before[1]!,
      after[2]! - before[2]!,
      after[3]! - before[3]!,
    ]).toEqual([0, 0, 1, 2]);
  });

  it('refuses every step from a final state with 409 naming the state and the steps allowed, writing nothing', async () => {
    const [t] = await listTransfers(ctx.store.db, YANGPU, { direction: 'outgoing', state: 'refused' });
    const before = await counts(ctx.store);
    for (const attempt of [
      () => accept(t!.id, 2),
      () => close(t!.id, 'refuse', HONGKOU_STREET, 2),
      () => close(t!.id, 'withdraw', YANGPU_STREET, 2),
    ]) {
      const error = await attempt().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'wrong_state', currentState: 'refused', allowedActions: [] });
      expect((error as Error).message).toMatch(
        /^当前状态为「已退回」，不能(接收|退回|撤回)；可执行的操作：无$/,
      );
    }
    expect(await counts(ctx.store)).toEqual(before);
  });

  it('start → withdraw; only the sending side withdraws and only the receiving side accepts or refuses', async () => {
    const t = await start(son);
    const before = await counts(ctx.store);
    await expect(close(t.id, 'withdraw', HONGKOU_STREET, 1)).rejects.toMatchObject({
      code: 'forbidden',
      message: '只有迁出区（杨浦区）可以撤回',
    });
    await expect(accept(t.id, 1, { caller: YANGPU })).rejects.toMatchObject({
      code: 'forbidden',
      message: '只有迁入区（虹口区）可以接收',
    });
    await expect(close(t.id, 'refuse', XUHUI, 1)).rejects.toMatchObject({ code: 'not_found' });
    // A role without registry.write may look but not act.
    await expect(accept(t.id, 1, { caller: APPROVER })).rejects.toMatchObject({ code: 'forbidden' });
    expect(
      (await getTransfer(ctx.store.db, APPROVER, { districtCode: '310110', id: t.id })).allowedActions,
    ).toEqual([]);
    // A second open transfer of the same person is refused.
    await expect(start(son)).rejects.toThrow('已有一项待接收的跨区迁移');
    expect(await counts(ctx.store)).toEqual(before);
    const withdrawn = await close(t.id, 'withdraw', YANGPU_STREET, 1);
    expect(withdrawn).toMatchObject({ state: 'withdrawn', stateName: '已撤回', version: 2 });
    await expect(accept(t.id, 2)).rejects.toMatchObject({ code: 'wrong_state', currentState: 'withdrawn' });
  });

  it('refuses a start the registry forbids: the head leaving others behind, a date before the membership, a bad district', async () => {
    const before = await counts(ctx.store);
    await expect(start(grandma)).rejects.toThrow('该人员是原户户主且原户仍有其他成员，请迁出区先变更户主');
    await expect(start(son, { moveDate: '2009-12-31' })).rejects.toThrow(
      '迁移日期不能早于其在原户的起始日期 2010-01-01',
    );
    await expect(
      unit(ctx.store, yangpuActor, (tx) =>
        startTransfer(tx, YANGPU, {
          districtCode: '310110',
          personId: son,
          toDistrictCode: '310110',
          moveDate: '2026-11-01',
        }),
      ),
    ).rejects.toThrow('迁入区与迁出区相同');
    await expect(
      unit(ctx.store, yangpuActor, (tx) =>
        startTransfer(tx, YANGPU, {
          districtCode: '310110',
          personId: son,
          toDistrictCode: '310109',
          toCommitteeCode: '310110001001',
          moveDate: '2026-11-01',
        }),
      ),
    ).rejects.toThrow('不是迁入区的居委会代码');
    // A person outside the caller's street does not exist for them.
    await expect(
      start(son, { caller: { scope: divisionScope('310110012'), role: 'street_caseworker' } }),
    ).rejects.toMatchObject({
      code: 'not_found',
    });
    expect(await counts(ctx.store)).toEqual(before);
  });

  it('start → accept: the person moves with the same id; each district sees them once; history stays', async () => {
    const t = await start(son, { moveDate: '2026-11-01' });
    const before = await counts(ctx.store);
    // Checks run in the same unit as the step: a head into a household that has one is refused (422).
    await expect(accept(t.id, 1, { relationCode: '02' })).rejects.toMatchObject({
      code: 'check_failed',
      message: '不能接收：迁入的家庭户已有户主；请选择其他关系',
    });
    await expect(accept(t.id, 7)).rejects.toMatchObject({ code: 'stale_version', currentVersion: 1 });
    expect(await counts(ctx.store)).toEqual(before);

    const accepted = await accept(t.id, 1, { relationCode: '71' });
    expect(accepted.value).toMatchObject({
      state: 'accepted',
      stateName: '已接收',
      version: 2,
      toRelationName: '兄',
    });
    expect(accepted.changes.map((c) => [c.entityType, c.districtCode])).toEqual([
      ['household_member', '310110'],
      ['person', '310109'],
      ['person', '310110'],
      ['household_member', '310109'],
    ]);
    // The same id, now managed by Hongkou: found there, not in Yangpu; the city sees one person.
    const moved = await getPerson(ctx.store.db, HONGKOU.scope, { districtCode: '310109', id: son });
    expect(moved).toMatchObject({ name: '周大志', residenceDivisionCode: '310109009002' });
    expect((await searchPersons(ctx.store.db, YANGPU.scope, { name: '周大志' })).total).toBe(0);
    expect((await searchPersons(ctx.store.db, HONGKOU.scope, { name: '周大志' })).total).toBe(1);
    const city = await searchPersons(ctx.store.db, ALL, { name: '周大志' });
    expect(city.rows.map((r) => [r.id, r.districtCode, r.householdNo])).toEqual([[son, '310109', 'HK-T1']]);
    expect((await populationFigures(ctx.store.db, ALL, TODAY)).persons).toBe(
      (await populationFigures(ctx.store.db, YANGPU.scope, TODAY)).persons +
        (await populationFigures(ctx.store.db, HONGKOU.scope, TODAY)).persons,
    );
    // Yangpu's household keeps its history, the person's name included; Hongkou's has the new member.
    const old = await getHouseholdDetail(ctx.store.db, YANGPU.scope, { districtCode: '310110', id: yp.id });
    expect(
      old.history.filter((h) => h.name === '周大志').map((h) => [h.validFrom, h.validTo, h.endReasonName]),
    ).toEqual([['2010-01-01', '2026-11-01', '迁出']]);
    expect(old.members.map((m) => m.person.name)).toEqual(['周老太']);
    const now = await getHouseholdDetail(ctx.store.db, HONGKOU.scope, { districtCode: '310109', id: hk.id });
    expect(now.members.map((m) => [m.person.name, m.relationName, m.validFrom])).toEqual([
      ['周小虹', '户主', '2012-01-01'],
      ['周大志', '兄', '2026-11-01'],
    ]);
    // His wage, a fact keyed by district like every registry row, went with him.
    const facts = await listFacts(
      ctx.store.db,
      HONGKOU.scope,
      { subjectType: 'person', districtCode: '310109', subjectId: son },
      '2026-11-01',
    );
    expect(facts.facts.map((f) => [f.kind, f.amountFen, f.validTo])).toEqual([['wage', 650_000, null]]);
    const events = await entityTimeline(ctx.store.db, 'person_transfer', t.id);
    expect(events.map((e) => `${e.fromState ?? ''}>${e.toState}`)).toEqual(['>pending', 'pending>accepted']);
    const audit = await listAudit(ctx.store, { scope: ALL, action: 'person.transfer', limit: 50, offset: 0 });
    expect(new Set(audit.items.map((r) => r.entityType))).toEqual(
      new Set(['person_transfer', 'person', 'household_member']),
    );
  });

  it('moves the person back: the row Yangpu kept is brought up to date and manages them again', async () => {
    const back = await unit(ctx.store, hongkouActor, (tx) =>
      startTransfer(tx, HONGKOU, {
        districtCode: '310109',
        personId: son,
        toDistrictCode: '310110',
        moveDate: '2026-11-15',
      }),
    );
    await unit(ctx.store, yangpuActor, (tx) =>
      acceptTransfer(
        tx,
        YANGPU_STREET,
        { districtCode: '310109', id: back.id, version: 1, householdId: yp.id, relationCode: '20' },
        { today: TODAY },
      ),
    );
    const city = await searchPersons(ctx.store.db, ALL, { name: '周大志' });
    expect(city.rows.map((r) => [r.districtCode, r.householdNo])).toEqual([['310110', 'YP-T1']]);
    const rows = await selectRows<{ district_code: string; residence_division_code: string }>(
      ctx.store.db,
      sql`select district_code, residence_division_code from persons where id = ${son} order by district_code`,
    );
    expect(rows).toEqual([
      { district_code: '310109', residence_division_code: '310110001001' },
      { district_code: '310110', residence_division_code: '310110001001' },
    ]);
  });

  it('refuses to accept a person who died while the transfer waited (422), nothing written', async () => {
    const t = await start(son, { moveDate: '2026-11-20' });
    await unit(ctx.store, yangpuActor, (tx) =>
      recordDeath(
        tx,
        YANGPU.scope,
        { districtCode: '310110', personId: son, deathDate: '2026-11-18' },
        { today: TODAY },
      ),
    );
    const before = await counts(ctx.store);
    const error = await accept(t.id, 1, { relationCode: '71' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'check_failed' });
    expect((error as Error).message).toContain('已登记死亡（2026-11-18）');
    expect(await counts(ctx.store)).toEqual(before);
  });
});
