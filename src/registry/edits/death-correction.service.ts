import type { DataScope } from '../../auth/scope.ts';
import { addDays } from '../../calendar/days.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
import { HEAD_RELATION } from '../codes.ts';
import { endFactsOfPerson, moveFactsEndedByDeath } from '../facts/facts.service.ts';
import { householdMemberRows, moveDeathEnd, personMemberships } from '../household.repository.ts';
import {
  describePerson,
  lockHousehold,
  lockPerson,
  membershipChange,
  registryWrite,
  throwIfProblems,
} from '../membership.service.ts';
import { correctPersonDeathDate } from '../person.repository.ts';
import { RegistryError } from '../registry.errors.ts';
import type { MembershipRecord, PersonRecord, WriteOptions, WriteResult } from '../registry.types.ts';
import { checkDate, type Problem } from '../registry.validation.ts';

export interface DeathCorrectionInput {
  districtCode: string;
  personId: string;
  version?: number | undefined;
  /** The right date of death. */
  deathDate: string;
}

export interface DeathCorrectionResult {
  person: PersonRecord;
  /** The memberships whose end moved with the date. */
  moved: MembershipRecord[];
}

/**
 * 更正死亡日期: a death recorded with the wrong date. What recordDeath ended on the day after the old date
 * — the memberships it ended (end_reason 'death') and the facts it ended — ends on the day after the right
 * one instead, in one unit with the person. Refused when the right date would cut a membership that began
 * after it, or when, moved later, the death would overlap a head who took over the household meanwhile.
 * A death recorded for a living person is not a date correction: it is not offered here.
 */
export async function correctDeathDate(
  tx: WorkTx,
  scope: DataScope,
  input: DeathCorrectionInput,
  options?: WriteOptions,
): Promise<WriteResult<DeathCorrectionResult>> {
  return registryWrite(tx, 'person.death_corrected', options, async (changes, today) => {
    const problems: Problem[] = [];
    checkDate(problems, 'deathDate', input.deathDate, '死亡日期');
    throwIfProblems(problems);
    const person = await lockPerson(tx, scope, input, input.version);
    const recorded = person.deathDate;
    if (recorded === null) {
      throw new RegistryError('conflict', `${describePerson(person)}未登记死亡，请办理死亡登记`, 'deathDate');
    }
    checkNewDate(person, recorded, input.deathDate, today);
    const from = addDays(recorded, 1);
    const to = addDays(input.deathDate, 1);
    const history = await personMemberships(tx.db, person.districtCode, person.id, true);
    const endedByDeath = history.filter((m) => m.endReason === 'death' && m.validTo === from);
    const later = history.find((m) => !endedByDeath.includes(m) && m.validFrom > input.deathDate);
    if (later) {
      throw new RegistryError(
        'validation',
        `死亡日期 ${input.deathDate} 之后仍有该人员的成员关系记录（自 ${later.validFrom} 起）：请核实死亡日期`,
        'deathDate',
      );
    }
    const moved: MembershipRecord[] = [];
    for (const membership of endedByDeath) {
      if (membership.validFrom > input.deathDate) {
        throw new RegistryError(
          'validation',
          `死亡日期 ${input.deathDate} 早于其入户日期 ${membership.validFrom}：请核实死亡日期`,
          'deathDate',
        );
      }
      await lockHousehold(
        tx,
        { kind: 'all' },
        { districtCode: membership.districtCode, id: membership.householdId },
      );
      if (to > from) await refuseOverlappingHead(tx, membership, from, to);
      const after = await moveDeathEnd(tx.db, membership, from, to);
      if (!after) throw new RegistryError('conflict', '成员关系已被他人修改，请刷新后重试');
      changes.push(membershipChange(membership, after));
      moved.push(after);
    }
    if (!(await correctPersonDeathDate(tx.db, { ...person, deathDate: recorded }, input.deathDate))) {
      throw new RegistryError('conflict', '人员信息已被他人修改，请刷新后重试');
    }
    const after = { ...person, deathDate: input.deathDate, version: (person.version ?? 1) + 1 };
    changes.push({
      entityType: 'person',
      entityId: person.id,
      districtCode: person.districtCode,
      before: person,
      after,
    });
    if (to < from) await endFactsOfPerson(tx, person.id, to, person.districtCode);
    else await moveFactsEndedByDeath(tx, person, from, to);
    return { person: after, moved };
  });
}

function checkNewDate(person: PersonRecord, recorded: string, deathDate: string, today: string): void {
  const wrong = (message: string) => new RegistryError('validation', message, 'deathDate');
  if (deathDate === recorded) throw wrong(`死亡日期与已登记的相同（${recorded}）`);
  if (deathDate < person.birthDate) throw wrong(`死亡日期 ${deathDate} 不能早于出生日期 ${person.birthDate}`);
  if (deathDate > today) throw wrong('死亡日期不能晚于今天');
}

/**
 * A head whose death moves later would be head alongside whoever became head from the old end: refused,
 * so that staff first look at the change of head.
 */
async function refuseOverlappingHead(
  tx: WorkTx,
  membership: MembershipRecord,
  from: string,
  to: string,
): Promise<void> {
  if (membership.relationCode !== HEAD_RELATION) return;
  const rows = await householdMemberRows(tx.db, membership.districtCode, membership.householdId, false);
  const successor = rows.find(
    (r) =>
      r.person.id !== membership.personId &&
      r.membership.relationCode === HEAD_RELATION &&
      r.membership.validFrom >= from &&
      r.membership.validFrom < to,
  );
  if (successor) {
    throw new RegistryError(
      'validation',
      `该户已于 ${successor.membership.validFrom} 变更户主为${successor.person.name}，更正后的死亡日期晚于此日：请先核实变更户主`,
      'deathDate',
    );
  }
}
