import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { databaseFileStore } from '../../files/file-store.ts';
import { pdfBytes } from '../../files/files.fixtures.ts';
import { attachFile } from '../../files/files.service.ts';
import { discardStaged, newStagingPath, stageBytes } from '../../files/staging.ts';
import type { VerificationCaller } from '../verification.caller.ts';
import { STREET_CASEWORKER, streetActor } from '../verification.fixtures.ts';
import type { Store } from '../../db/store.ts';
import { inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import { verificationAnswers, verificationRequests, verificationSourceQueries } from '../schema.ts';
import { LOCAL_SOURCE_CODES, type AnswerKind, type SourceCode } from '../sources/catalogue.ts';

/**
 * Test fixtures of the report: what the gathering job leaves behind (the request gathering, each source's
 * query terminal, the answers recorded), written directly so that the report's tests do not depend on the
 * adapters.
 */

export const JOB_ACTOR: ActingContext = {
  userId: 'system:job-runner',
  divisionCode: '310110',
  reason: '核对信息获取（测试）',
};

export interface FixtureAnswer {
  source: SourceCode;
  personId: string;
  kind: AnswerKind;
  amountFen?: number;
  quantity?: number;
  flag?: boolean;
  textValue?: string;
  late?: boolean;
}

/** Marks the request gathering, every local source answered unless named in `states`, and adds `answers`. */
export async function answered(
  store: Store,
  request: { districtCode: string; id: string },
  answers: readonly FixtureAnswer[],
  states: Partial<Record<SourceCode, 'failed' | 'timed_out' | 'sent'>> = {},
): Promise<void> {
  await inUnitOfWork(store, JOB_ACTOR, async (tx) => {
    const key = and(
      eq(verificationRequests.districtCode, request.districtCode),
      eq(verificationRequests.id, request.id),
    );
    await tx.db.update(verificationRequests).set({ state: 'gathering', version: 2 }).where(key);
    for (const source of LOCAL_SOURCE_CODES) {
      const state = states[source] ?? 'answered';
      await tx.db
        .update(verificationSourceQueries)
        .set({
          state,
          attempts: 1,
          error: state === 'failed' ? '对方系统维护' : null,
          answeredAt: state === 'answered' ? tx.now.toISOString() : null,
        })
        .where(
          and(
            eq(verificationSourceQueries.districtCode, request.districtCode),
            eq(verificationSourceQueries.requestId, request.id),
            eq(verificationSourceQueries.source, source),
          ),
        );
    }
    if (answers.length > 0) {
      await tx.db.insert(verificationAnswers).values(
        answers.map((a) => ({
          districtCode: request.districtCode,
          requestId: request.id,
          source: a.source,
          personId: a.personId,
          kind: a.kind,
          amountFen: a.amountFen ?? null,
          quantity: a.quantity ?? null,
          flag: a.flag ?? null,
          textValue: a.textValue ?? null,
          reference: 'TEST',
          receivedAt: tx.now.toISOString(),
          late: a.late ?? false,
        })),
      );
    }
    tx.record({
      action: 'verification.answered',
      entityType: 'verification_request',
      entityId: request.id,
      district: request.districtCode,
      after: { answers: answers.length },
    });
  });
}

/** Uploads a piece of evidence (收入证明) to the request, as the applicant's caseworker would; its id. */
export async function attachEvidence(
  store: Store,
  request: { districtCode: string; id: string },
  caller: VerificationCaller = STREET_CASEWORKER,
): Promise<string> {
  const path = await newStagingPath(mkdtempSync(join(tmpdir(), 'mz-objection-')));
  try {
    const staged = await stageBytes(pdfBytes(`evidence ${request.id}`), path);
    const attachment = await inUnitOfWork(store, streetActor, (tx) =>
      attachFile(tx, databaseFileStore(), caller, {
        entity: {
          entityType: 'verification_request',
          districtCode: request.districtCode,
          entityId: request.id,
        },
        kind: 'income',
        name: '单位收入证明.pdf',
        staged,
        maxBytes: 1024 * 1024,
      }),
    );
    return attachment.id;
  } finally {
    await discardStaged(path);
  }
}
