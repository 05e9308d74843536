import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { ALL, divisionScope } from '../auth/scope.ts';
import type { Store } from '../db/store.ts';
import { databaseFileStore } from '../files/file-store.ts';
import { pdfBytes } from '../files/files.fixtures.ts';
import { attachFile } from '../files/files.service.ts';
import { discardStaged, newStagingPath, stageBytes } from '../files/staging.ts';
import { makeIdNumber } from '../registry/id-number.ts';
import { createHousehold, type NewPersonInput } from '../registry/registry.service.ts';
import { registerAuthorisation } from '../verification/authorisation.service.ts';
import { answered, JOB_ACTOR } from '../verification/report/report.fixtures.ts';
import { issueReports } from '../verification/report/report.service.ts';
import { createRequest } from '../verification/request.service.ts';
import { calendarFor, STREET_CASEWORKER, streetActor } from '../verification/verification.fixtures.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import type { EntitlementCaller } from './entitlements.caller.ts';

/**
 * Test fixtures of the entitlements module: a household of the 控江路街道 committee (an adult without
 * income, a grandmother of 76, a 困境儿童 of 10) with a verification report issued on the clock's day, and a
 * case resting on it — written directly, as the cases module leaves it when the approver is to decide.
 */

export const CASEWORKER: EntitlementCaller = {
  scope: divisionScope('310110012'),
  role: 'street_caseworker',
  userId: 'u-street',
};
export const OTHER_STREET: EntitlementCaller = {
  scope: divisionScope('310110016'),
  role: 'street_caseworker',
  userId: 'u-other-street',
};
export const APPROVER: EntitlementCaller = {
  scope: divisionScope('310110'),
  role: 'district_approver',
  userId: 'u-approver',
};
export const FINANCE: EntitlementCaller = {
  scope: divisionScope('310110'),
  role: 'finance_officer',
  userId: 'u-finance',
};

export const caseworkerActor: ActingContext = {
  userId: 'u-street',
  divisionCode: '310110012',
  reason: '联合认定，拟定决定明细',
};
export const approverActor: ActingContext = {
  userId: 'u-approver',
  divisionCode: '310110',
  reason: '审批通过',
};

let serial = 0;

function person(
  name: string,
  birthDate: string,
  sex: 1 | 2,
  extra: Partial<NewPersonInput> = {},
): NewPersonInput {
  serial += 1;
  const seq = 500 + (serial % 200) * 2;
  return {
    idNumber: makeIdNumber('310110', birthDate, sex === 1 ? seq + 1 : seq),
    name,
    sex,
    birthDate,
    hukouDivisionCode: '310110012',
    ...extra,
  };
}

export interface SeededCase {
  districtCode: string;
  caseId: string;
  caseNo: string;
  householdId: string;
  adult: { id: string; name: string };
  elder: { id: string; name: string };
  child: { id: string; name: string };
  requestId: string;
}

async function signedAuthorisation(store: Store, householdId: string, personIds: string[]): Promise<void> {
  const path = await newStagingPath(mkdtempSync(join(tmpdir(), 'mz-ent-')));
  try {
    const staged = await stageBytes(pdfBytes(`authorisation ${householdId}`), path);
    const attachment = await inUnitOfWork(store, streetActor, (tx) =>
      attachFile(tx, databaseFileStore(), STREET_CASEWORKER, {
        entity: { entityType: 'household', districtCode: '310110', entityId: householdId },
        kind: 'authorisation',
        name: '核对授权书.pdf',
        staged,
        maxBytes: 1024 * 1024,
      }),
    );
    await inUnitOfWork(store, streetActor, (tx) =>
      registerAuthorisation(tx, STREET_CASEWORKER, {
        districtCode: '310110',
        householdId,
        purpose: 'dibao',
        personIds,
        signedOn: '2026-11-20',
        standing: false,
        attachmentId: attachment.id,
      }),
    );
  } finally {
    await discardStaged(path);
  }
}

/** A case of the household in state `deciding`, resting on the verification request (when given). */
export async function addCase(
  store: Store,
  c: { tag: string; householdId: string; applicantId: string; requestId: string | null; programs: string[] },
): Promise<{ caseId: string; caseNo: string }> {
  const caseId = randomUUID();
  const caseNo = `JZ-310110-2026-${c.tag}`;
  const now = new Date().toISOString();
  const programs = sql.raw(`array[${c.programs.map((p) => `'${p}'`).join(',')}]::text[]`);
  await store.db
    .execute(sql`insert into cases (district_code, id, case_no, household_id, committee_code, programs,
      channel, applicant_person_id, contact_phone, applied_on, state, received_at, verification_request_id,
      created_at, updated_at)
    values ('310110', ${caseId}::uuid, ${caseNo}, ${c.householdId}::uuid, '310110012001', ${programs},
      'counter', ${c.applicantId}::uuid, '13800000000', '2026-11-20', 'deciding', ${now}, ${c.requestId}::uuid,
      ${now}, ${now})`);
  return { caseId, caseNo };
}

/**
 * The household, its verification report (no agency found anything: the declared figures stand) and a case
 * for `programs` in state `deciding`. `report: false` leaves the case without a verification request.
 */
export async function seedCase(
  store: Store,
  tag: string,
  options: { programs?: string[]; report?: boolean } = {},
): Promise<SeededCase> {
  const created = await inUnitOfWork(store, streetActor, (tx) =>
    createHousehold(tx, ALL, {
      householdNo: `HD-E-${tag}`,
      committeeCode: '310110012001',
      validFrom: '2017-01-01',
      members: [
        { person: person(`张${tag}`, '1985-04-04', 1), relationCode: '02' },
        { person: person(`王${tag}`, '1950-02-02', 2), relationCode: '52' },
        {
          person: person(`张小${tag}`, '2016-06-06', 1, { categories: ['kunjing_child'] }),
          relationCode: '20',
        },
      ],
    }),
  );
  const household = created.value;
  const members = created.changes
    .filter((c) => c.entityType === 'person')
    .map((c) => ({ id: c.entityId, name: (c.after as { name: string }).name }));
  const [adult, elder, child] = [members[0]!, members[1]!, members[2]!];
  let requestId: string | null = null;
  if (options.report !== false) {
    await signedAuthorisation(store, household.id, [adult.id, elder.id]);
    const calendar = await calendarFor(store);
    const request = await inUnitOfWork(store, streetActor, (tx) =>
      createRequest(tx, STREET_CASEWORKER, calendar, {
        districtCode: '310110',
        householdId: household.id,
        purpose: 'dibao',
      }),
    );
    await answered(store, request, []);
    await inUnitOfWork(store, JOB_ACTOR, (tx) => issueReports(tx, '310110', [request.id]));
    requestId = request.id;
  }
  const { caseId, caseNo } = await addCase(store, {
    tag,
    householdId: household.id,
    applicantId: adult.id,
    requestId,
    programs: options.programs ?? ['dibao', 'kunjing_child'],
  });
  return {
    districtCode: '310110',
    caseId,
    caseNo,
    householdId: household.id,
    adult,
    elder,
    child,
    requestId: requestId ?? '',
  };
}
