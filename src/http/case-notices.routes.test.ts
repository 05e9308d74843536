import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { inspectPdf } from '../documents/pdf-inspect.test-helpers.ts';
import { seedCase, type SeededCase } from '../entitlements/entitlements.fixtures.ts';
import { addUser, loginAs, testServer, type Agent } from './test-helpers.ts';

interface ErrorBody {
  error: { code: string; message: string };
}

/**
 * 通知书 through the API: a case's notice as PDF in the caller's scope (404 elsewhere), refused before its
 * event (409), an unknown kind refused (400); a street's publicity list with masked names.
 */
describeStores('case notice routes', (ctx) => {
  let app: FastifyInstance;
  let street: Agent;
  let otherStreet: Agent;
  let c: SeededCase;
  let restore: () => void;
  const pdfText = (body: Buffer) => inspectPdf(body).pages.join('').replace(/\s+/g, '');

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'yh', 'street_caseworker', '310110016');
    street = await loginAs(app, 'kj');
    otherStreet = await loginAs(app, 'yh');
    c = await seedCase(ctx.store, 'T1');
    await ctx.store.db.execute(sql`update cases set state = 'publicity', accepted_on = '2026-11-23',
      required_steps = '{verify,review,publicity,decide}'
      where district_code = '310110' and id = ${c.caseId}::uuid`);
    await ctx.store.db.execute(sql`insert into case_publicity
      (district_code, case_id, starts_on, ends_on, days, recorded_by, recorded_at)
      values ('310110', ${c.caseId}::uuid, '2026-11-28', '2026-12-04', 7, 'u-street', now())`);
  });
  afterAll(async () => {
    restore();
    await app.close();
  });

  it('sends the acceptance notice as a PDF download named in Chinese', async () => {
    const res = await street.get(`/api/cases/310110/${c.caseId}/notices/acceptance.pdf`);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toContain(encodeURIComponent(`受理通知书-${c.caseNo}.pdf`));
    const text = pdfText(res.rawPayload);
    expect(text).toContain('社会救助申请受理通知书');
    expect(text).toContain(c.caseNo);
    expect(text).toContain('家庭经济状况核对、审核、公示、审批');
  });

  it('refuses a notice before its event, outside the scope, and an unknown kind', async () => {
    const early = await street.get(`/api/cases/310110/${c.caseId}/notices/approval.pdf`);
    expect(early.statusCode).toBe(409);
    expect(early.json<ErrorBody>().error.message).toContain('尚无审批（确认）通知书');
    expect((await otherStreet.get(`/api/cases/310110/${c.caseId}/notices/acceptance.pdf`)).statusCode).toBe(
      404,
    );
    expect((await street.get(`/api/cases/310110/${c.caseId}/notices/receipt.pdf`)).statusCode).toBe(400);
  });

  it('sends the street’s publicity list with masked names; another street’s is refused', async () => {
    const res = await street.get('/api/cases/publicity.pdf?phone=021-65430000');
    expect(res.statusCode).toBe(200);
    const text = pdfText(res.rawPayload);
    expect(text).toContain('社会救助对象公示名单');
    expect(text).toContain('张*');
    expect(text).not.toContain(c.adult.name);
    expect(text).toContain('021-65430000');
    expect((await street.get('/api/cases/publicity.pdf?street=310110016')).statusCode).toBe(404);
    expect((await street.get('/api/cases/publicity.pdf?street=31011001')).statusCode).toBe(400);
  });
});
