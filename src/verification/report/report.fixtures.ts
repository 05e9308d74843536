import { and, eq } from 'drizzle-orm';
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
