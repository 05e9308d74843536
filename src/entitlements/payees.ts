import { ageOn, dateKey, parseMonth } from '../policy/engine/month.ts';
import type { ProgramCode } from '../policy/index.ts';
import { visibleLength } from '../core/text.ts';
import type { Db } from '../db/store.ts';
import { personIdentities } from '../registry/person.repository.ts';
import type { Determination, ProgramDetermination } from './determination.service.ts';
import type { PayeeRole } from './entitlement.present.ts';
import { openEntitlementOf } from './entitlement.repository.ts';
import type { Beneficiary } from './entitlement.service.ts';
import { scheduleOf } from './schedules.ts';

/**
 * 收款人: who is paid for each beneficiary of a granted line, and in whose role (a household member for the
 * household, the person, or a guardian), checked against the registry: alive, of age, a member where the
 * household is paid, an account that looks like one.
 */

/** Who receives a beneficiary's money and where: the household's or a person's beneficiary id. */
export interface PayeeInput {
  beneficiaryId: string;
  payeePersonId: string;
  bankName: string;
  accountNo: string;
}

/** A beneficiary as a decision line keeps it (the account in full: the grant copies it to the entitlement). */
export interface StoredBeneficiary extends Beneficiary {
  name: string;
}

const ACCOUNT_RE = /^\d{8,32}$/;

function ageFromIdNumber(idNumber: string, onKey: number): number | null {
  const birth = /^\d{6}(\d{4})(\d{2})(\d{2})/.exec(idNumber);
  if (!birth) return null;
  const key = dateKey(`${birth[1]}-${birth[2]}-${birth[3]}`);
  return key === null ? null : ageOn(key, onKey);
}

interface PayeeCheck {
  beneficiaries: Map<ProgramCode, StoredBeneficiary[]>;
  problems: string[];
}

/** The beneficiaries of each granted line with their payee and account, and every problem found. */
export async function resolvePayees(
  db: Db,
  d: Determination,
  granted: readonly ProgramDetermination[],
  payees: readonly PayeeInput[],
  /** 复审、变更: a beneficiary without a payee given keeps the payee and account of its open entitlement. */
  reuseOpen = false,
): Promise<PayeeCheck> {
  const problems: string[] = [];
  const byBeneficiary = new Map<string, PayeeInput>();
  for (const p of payees) {
    if (byBeneficiary.has(p.beneficiaryId)) problems.push(`受益对象 ${p.beneficiaryId} 的收款人填写了两次`);
    byBeneficiary.set(p.beneficiaryId, p);
  }
  const members = new Map(d.members.map((m) => [m.personId, m]));
  const outsiders = payees.map((p) => p.payeePersonId).filter((id) => !members.has(id));
  const identities = await personIdentities(db, d.districtCode, outsiders);
  const month = parseMonth(d.month);
  const ageOf = (personId: string): number | null => {
    const m = members.get(personId);
    if (m) return m.age;
    const p = identities.get(personId);
    if (!p || (p.deathDate !== null && p.deathDate < month.firstDay)) return null;
    return ageFromIdNumber(p.idNumber, month.lastDayKey);
  };
  const nameOf = (personId: string) =>
    members.get(personId)?.name ?? identities.get(personId)?.name ?? personId;
  const used = new Set<string>();
  const beneficiaries = new Map<ProgramCode, StoredBeneficiary[]>();
  for (const line of granted) {
    if (scheduleOf(line.program) === null) continue;
    const targets: {
      kind: 'household' | 'person';
      id: string;
      name: string;
      amountFen: number;
      age: number | null;
    }[] =
      line.level === 'household'
        ? line.amountFen > 0
          ? [{ kind: 'household', id: d.householdId, name: '本户', amountFen: line.amountFen, age: null }]
          : []
        : (line.members ?? [])
            .filter((m) => m.amountFen > 0)
            .map((m) => ({
              kind: 'person',
              id: m.personId,
              name: m.name,
              amountFen: m.amountFen,
              age: m.age,
            }));
    const list: StoredBeneficiary[] = [];
    for (const t of targets) {
      let payee = byBeneficiary.get(t.id);
      if (!payee && reuseOpen) {
        const open = await openEntitlementOf(db, {
          districtCode: d.districtCode,
          program: line.program,
          beneficiaryId: t.id,
        });
        if (open?.bankName && open.accountNo) {
          payee = {
            beneficiaryId: t.id,
            payeePersonId: open.payeePersonId,
            bankName: open.bankName,
            accountNo: open.accountNo,
          };
          byBeneficiary.set(t.id, payee);
        }
      }
      const what = t.kind === 'household' ? `${line.name}（本户）` : `${line.name}（${t.name}）`;
      if (!payee) {
        problems.push(`请为${what}指定收款人及其银行账户`);
        continue;
      }
      used.add(t.id);
      const payeeAge = ageOf(payee.payeePersonId);
      let role: PayeeRole;
      if (payeeAge === null) {
        problems.push(`${what}的收款人不在本区人口信息库中或已死亡`);
        continue;
      }
      if (t.kind === 'household') {
        if (!members.has(payee.payeePersonId)) problems.push(`${what}的收款人须为本户家庭成员`);
        role = 'household_member';
      } else if (payee.payeePersonId === t.id) {
        if (t.age !== null && t.age < d.adultAge) {
          problems.push(`${t.name}未满 ${d.adultAge} 周岁，${line.name}须由监护人领取`);
        }
        role = 'beneficiary';
      } else {
        role = 'guardian';
      }
      if (payee.payeePersonId !== t.id && payeeAge < d.adultAge) {
        problems.push(`${what}的收款人${nameOf(payee.payeePersonId)}未满 ${d.adultAge} 周岁，不能作为收款人`);
      }
      const bankName = payee.bankName.trim();
      if (visibleLength(bankName) < 2 || visibleLength(bankName) > 40)
        problems.push(`${what}的开户银行名称应为 2–40 个字`);
      if (!ACCOUNT_RE.test(payee.accountNo)) problems.push(`${what}的银行账号应为 8–32 位数字`);
      list.push({
        kind: t.kind,
        id: t.id,
        name: t.name,
        amountFen: t.amountFen,
        payeePersonId: payee.payeePersonId,
        payeeRole: role,
        bankName,
        accountNo: payee.accountNo,
      });
    }
    beneficiaries.set(line.program, list);
  }
  for (const id of byBeneficiary.keys()) {
    if (!used.has(id)) problems.push(`收款人所对应的受益对象 ${id} 不是本次批准项目的受益对象`);
  }
  return { beneficiaries, problems };
}
