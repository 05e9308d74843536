import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import { pdfBytes } from '../files/files.fixtures.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { answered, JOB_ACTOR } from '../verification/report/report.fixtures.ts';
import { issueReports } from '../verification/report/report.service.ts';
import { multipart } from './multipart.fixtures.ts';
import { addUser, loginAs, seedTwoStreets, testServer, type Agent, type TwoStreets } from './test-helpers.ts';

interface Member {
  personId: string;
  name: string;
}
interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * 核对报告 through the API: who sees the report (the street of the household, not another street), who sees
 * the raw answers (the officer, audited; a caseworker gets 403), the PDF, and the objection and decision.
 */
describeStores('verification report routes', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let street: Agent;
  let otherStreet: Agent;
  let officer: Agent;
  let reviewer: Agent;
  let members: Member[];
  let requestId: string;
  let restore: () => void;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store);
    data = await seedTwoStreets(ctx.store);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'yh', 'street_caseworker', '310110016');
    await addUser(ctx.store, 'hd', 'verification_officer', '310110');
    await addUser(ctx.store, 'hd2', 'verification_officer', '310110');
    street = await loginAs(app, 'kj');
    otherStreet = await loginAs(app, 'yh');
    officer = await loginAs(app, 'hd');
    reviewer = await loginAs(app, 'hd2');
    members = (await street.get(`/api/households/${data.a.householdId}`)).json<{ members: Member[] }>()
      .members;
    const paper = multipart({ name: '授权书.pdf', content: pdfBytes('signed') }, { kind: 'authorisation' });
    const uploaded = await street.post(
      `/api/attachments/household/${data.a.householdId}`,
      paper.payload,
      paper.headers,
    );
    await street.post('/api/verifications/authorisations', {
      householdId: data.a.householdId,
      purpose: 'dibao',
      personIds: members.map((m) => m.personId),
      signedOn: '2026-11-30',
      attachmentId: uploaded.json<{ id: string }>().id,
    });
    const created = await street.post('/api/verifications', {
      householdId: data.a.householdId,
      purpose: 'dibao',
    });
    expect(created.statusCode).toBe(201);
    requestId = created.json<{ id: string }>().id;
    const request = { districtCode: '310110', id: requestId };
    await answered(ctx.store, request, [
      { source: 'tax', personId: members[0]!.personId, kind: 'wage', amountFen: 600_000 },
      { source: 'vehicles', personId: members[0]!.personId, kind: 'vehicles', quantity: 1 },
    ]);
    await inUnitOfWork(ctx.store, JOB_ACTOR, (tx) => issueReports(tx, '310110', [requestId]));
  });
  afterAll(async () => {
    restore();
    await app.close();
  });

  it('shows the report to the street of the household and hides it from another street', async () => {
    const shown = await street.get(`/api/verifications/310110/${requestId}/report`);
    expect(shown.statusCode).toBe(200);
    const body = shown.json<{ revision: number; flags: { code: string }[]; objection: { due: string } }>();
    expect(body.revision).toBe(1);
    expect(body.flags.map((f) => f.code)).toContain('vehicles');
    expect(body.objection.due).toBe('2026-12-15');
    const hidden = await otherStreet.get(`/api/verifications/310110/${requestId}/report`);
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json<ErrorBody>().error.message).toBe('核对委托不存在或不在您的数据范围内');
    const pdf = await street.get(`/api/verifications/310110/${requestId}/report.pdf`);
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    expect(String(pdf.headers['content-disposition'])).toContain(encodeURIComponent('核对报告-'));
  });

  it('lets only the officer read the raw answers, and audits each reading', async () => {
    expect((await street.get(`/api/verifications/310110/${requestId}/answers`)).statusCode).toBe(403);
    const count = async () =>
      (
        await selectRows<{ n: number }>(
          ctx.store.db,
          sql`select count(*)::int as n from audit_log where action = 'verification.raw_viewed' and entity_id = ${requestId}`,
        )
      )[0]!.n;
    const before = await count();
    const raw = await officer.get(`/api/verifications/310110/${requestId}/answers`);
    expect(raw.statusCode).toBe(200);
    expect(raw.json<{ sources: { source: string }[] }>().sources.map((s) => s.source)).toEqual([
      'tax',
      'vehicles',
    ]);
    expect(await count()).toBe(before + 1);
  });

  it('takes an objection with evidence and a second officer’s decision', async () => {
    const evidence = multipart({ name: '收入证明.pdf', content: pdfBytes('income') }, { kind: 'income' });
    const attached = await street.post(
      `/api/attachments/verification_request/${requestId}`,
      evidence.payload,
      evidence.headers,
    );
    expect(attached.statusCode).toBe(201);
    const objected = await street.post(`/api/verifications/310110/${requestId}/objections`, {
      version: 3,
      grounds: '该车辆已于去年转让，附转让证明',
      claims: [{ personId: null, kind: 'vehicles', claimedValue: 0 }],
      attachmentIds: [attached.json<{ id: string }>().id],
    });
    expect(objected.statusCode).toBe(201);
    const objectionId = objected.json<{ id: string }>().id;
    const notReviewer = await street.post(
      `/api/verifications/310110/${requestId}/objections/${objectionId}/decision`,
      { decision: 'uphold', version: 4, reason: '证明属实' },
    );
    expect(notReviewer.statusCode).toBe(403);
    const decided = await reviewer.post(
      `/api/verifications/310110/${requestId}/objections/${objectionId}/decision`,
      { decision: 'uphold', version: 4, reason: '转让证明属实' },
    );
    expect(decided.statusCode).toBe(200);
    expect(decided.json<{ revision: number }>().revision).toBe(2);
    const revisions = await street.get(`/api/verifications/310110/${requestId}/report/revisions`);
    expect(revisions.json<{ items: { revision: number }[] }>().items.map((r) => r.revision)).toEqual([1, 2]);
    const latest = (await street.get(`/api/verifications/310110/${requestId}/report`)).json<{
      flags: { code: string }[];
    }>();
    expect(latest.flags.map((f) => f.code)).not.toContain('vehicles');
  });
});
