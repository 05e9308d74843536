import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL, divisionScope } from '../auth/scope.ts';
import { addDays } from '../calendar/days.ts';
import type { WorkingCalendar } from '../calendar/working-calendar.ts';
import { loadCalendar } from '../calendar/calendar.service.ts';
import type { Store } from '../db/store.ts';
import { databaseFileStore } from '../files/file-store.ts';
import { pdfBytes } from '../files/files.fixtures.ts';
import { attachFile } from '../files/files.service.ts';
import { discardStaged, newStagingPath, stageBytes } from '../files/staging.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { createHousehold, type HouseholdRecord, type NewPersonInput } from '../registry/registry.service.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { registerAuthorisation, type AuthorisationView } from './authorisation.service.ts';
import { createRequest, type RequestView } from './request.service.ts';
import type { VerificationCaller } from './verification.caller.ts';

/**
 * Test fixtures of the verification module: a household of the 控江路街道 committee with two adults and a
 * child, a signed authorisation of both adults on file, and a request. Each call makes a new household
 * (numbers from `tag`), so tests in one file do not collide.
 */

export const STREET_CASEWORKER: VerificationCaller = {
  scope: divisionScope('310110012'),
  role: 'street_caseworker',
  userId: 'u-street',
};
export const OTHER_STREET: VerificationCaller = {
  scope: divisionScope('310110016'),
  role: 'street_caseworker',
  userId: 'u-other-street',
};
export const OFFICER: VerificationCaller = {
  scope: divisionScope('310110'),
  role: 'verification_officer',
  userId: 'u-officer',
};
export const SECOND_OFFICER: VerificationCaller = {
  scope: divisionScope('310110'),
  role: 'verification_officer',
  userId: 'u-officer-2',
};

export const streetActor: ActingContext = {
  userId: 'u-street',
  divisionCode: '310110012',
  reason: '申请低保，核对家庭经济状况',
};

let serial = 0;

/**
 * A new person: ID sequence numbers 100–899 of the birth date, then the same on the next day of birth, so
 * that a test file may make as many households as it likes (odd numbers for men, GB 11643).
 */
function person(
  name: string,
  birthDate: string,
  sex: 1 | 2,
  extra: Partial<NewPersonInput> = {},
): NewPersonInput {
  serial += 1;
  const born = addDays(birthDate, Math.floor(serial / 400));
  const seq = 100 + (serial % 400) * 2;
  return {
    idNumber: makeIdNumber('310110', born, sex === 1 ? seq + 1 : seq),
    name,
    sex,
    birthDate: born,
    hukouDivisionCode: '310110012',
    ...extra,
  };
}

export interface SeededHousehold {
  household: HouseholdRecord;
  adults: { id: string; name: string }[];
  child: { id: string; name: string };
  attachmentId: string;
}

/** A household of two adults (wages declared) and a child, with the signed 授权书 uploaded, not registered. */
export async function seedHousehold(store: Store, tag: string): Promise<SeededHousehold> {
  const created = await inUnitOfWork(store, streetActor, (tx) =>
    createHousehold(tx, ALL, {
      householdNo: `HD-T-${tag}`,
      committeeCode: '310110012001',
      validFrom: '2016-01-01',
      members: [
        { person: person(`王${tag}`, '1970-03-03', 1, { wageFen: 300_000 }), relationCode: '02' },
        { person: person(`李${tag}`, '1972-05-05', 2, { wageFen: 150_000 }), relationCode: '10' },
        { person: person(`王小${tag}`, '2015-09-09', 1), relationCode: '20' },
      ],
    }),
  );
  const household = created.value;
  const members = created.changes
    .filter((c) => c.entityType === 'person')
    .map((c) => ({ id: c.entityId, name: (c.after as { name: string }).name }));
  const dataDir = mkdtempSync(join(tmpdir(), 'mz-verify-'));
  const path = await newStagingPath(dataDir);
  try {
    const staged = await stageBytes(pdfBytes(`authorisation ${tag}`), path);
    const attachment = await inUnitOfWork(store, streetActor, (tx) =>
      attachFile(tx, databaseFileStore(), STREET_CASEWORKER, {
        entity: { entityType: 'household', districtCode: '310110', entityId: household.id },
        kind: 'authorisation',
        name: '核对授权书.pdf',
        staged,
        maxBytes: 1024 * 1024,
      }),
    );
    return { household, adults: members.slice(0, 2), child: members[2]!, attachmentId: attachment.id };
  } finally {
    await discardStaged(path);
  }
}

/** Registers the adults' authorisation for a purpose, signed on a day. */
export function authorise(
  store: Store,
  seeded: SeededHousehold,
  options: { purpose?: string; signedOn: string; standing?: boolean; personIds?: string[] },
): Promise<AuthorisationView> {
  return inUnitOfWork(store, streetActor, (tx) =>
    registerAuthorisation(tx, STREET_CASEWORKER, {
      districtCode: '310110',
      householdId: seeded.household.id,
      purpose: options.purpose ?? 'dibao',
      personIds: options.personIds ?? seeded.adults.map((a) => a.id),
      signedOn: options.signedOn,
      standing: options.standing ?? false,
      attachmentId: seeded.attachmentId,
    }),
  );
}

export async function calendarFor(store: Store): Promise<WorkingCalendar> {
  return loadCalendar(store.db);
}

/** A request for the household (its adults must be covered). */
export async function request(
  store: Store,
  seeded: SeededHousehold,
  purpose = 'dibao',
  caller: VerificationCaller = STREET_CASEWORKER,
): Promise<RequestView> {
  const calendar = await calendarFor(store);
  return inUnitOfWork(store, streetActor, (tx) =>
    createRequest(tx, caller, calendar, {
      districtCode: '310110',
      householdId: seeded.household.id,
      purpose,
    }),
  );
}
