import { ALL, divisionScope } from '../auth/scope.ts';
import { insertUser } from '../auth/user.repository.ts';
import type { Role } from '../auth/roles.ts';
import type { Store } from '../db/store.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { createHousehold, type NewPersonInput } from '../registry/registry.service.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import type { RelativesCaller } from './relatives.caller.ts';

/**
 * Test fixtures of the close-relative module: staff users of 杨浦区 (street 控江路街道 310110012 and the
 * district) and households of the committee 310110012001 whose members are numbered from `tag`.
 */

export const registryActor: ActingContext = {
  userId: 'u-registry',
  divisionCode: '310110',
  reason: '登记家庭户',
};

let serial = 0;

/** A new person with a valid ID number of 杨浦区 (sequence numbers kept apart per call). */
export function newPerson(name: string, birthDate: string, sex: 1 | 2): NewPersonInput {
  serial += 1;
  const seq = 100 + (serial % 400) * 2;
  return {
    idNumber: makeIdNumber('310110', birthDate, sex === 1 ? seq + 1 : seq),
    name,
    sex,
    birthDate,
    hukouDivisionCode: '310110012',
  };
}

export interface SeededHousehold {
  id: string;
  members: { id: string; name: string; idNumber: string }[];
}

/** A household of the committee with the members given (relation codes to the head, the head first). */
export async function seedHousehold(
  store: Store,
  householdNo: string,
  members: { person: NewPersonInput; relationCode: string }[],
  validFrom = '2016-01-01',
): Promise<SeededHousehold> {
  const created = await inUnitOfWork(store, registryActor, (tx) =>
    createHousehold(tx, ALL, { householdNo, committeeCode: '310110012001', validFrom, members }),
  );
  const persons = created.changes
    .filter((c) => c.entityType === 'person')
    .map((c) => {
      const after = c.after as { name: string; idNumber: string };
      return { id: c.entityId, name: after.name, idNumber: after.idNumber };
    });
  return { id: created.value.id, members: persons };
}

/** A staff user in the users table, and the caller and acting context of a request they make. */
export async function seedUser(
  store: Store,
  username: string,
  role: Role,
  divisionCode: string,
): Promise<{ id: string; caller: RelativesCaller; actor: ActingContext }> {
  const user = await insertUser(store.db, {
    username,
    displayName: `用户${username}`,
    passwordHash: 'x',
    role,
    divisionCode,
    mustChangePassword: false,
  });
  return {
    id: user.id,
    caller: { scope: divisionScope(divisionCode), role, userId: user.id },
    actor: { userId: user.id, divisionCode, reason: '近亲属备案' },
  };
}
