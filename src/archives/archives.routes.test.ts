import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { selectRows } from '../db/sql.ts';
import { inspectPdf } from '../documents/pdf-inspect.test-helpers.ts';
import { seedCase, type SeededCase } from '../entitlements/entitlements.fixtures.ts';
import { addUser, loginAs, testServer, type Agent } from '../http/test-helpers.ts';
import type { ArchiveView } from './archive.types.ts';

/**
 * 电子档案 through the API: the household's and the person's archive to the recipient's street and the
 * district's roles, 404 to another street, 403 to a role without archives.view; the PDF is one audited download.
 */
describeStores('archive routes', (ctx) => {
  let app: FastifyInstance;
  let street: Agent;
  let otherStreet: Agent;
  let committee: Agent;
  let auditor: Agent;
  let c: SeededCase;
  let restore: () => void;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'yh', 'street_caseworker', '310110016');
    await addUser(ctx.store, 'jw', 'committee_assistant', '310110012001');
    await addUser(ctx.store, 'sj', 'auditor', '310110');
    street = await loginAs(app, 'kj');
    otherStreet = await loginAs(app, 'yh');
    committee = await loginAs(app, 'jw');
    auditor = await loginAs(app, 'sj');
    c = await seedCase(ctx.store, 'AR1');
  });
  afterAll(async () => {
    restore();
    await app.close();
  });

  it("answers the household's and the person's archive in scope, 404 outside it, 403 without the permission", async () => {
    const url = `/api/archives/households/310110/${c.householdId}`;
    const res = await street.get(url);
    expect(res.statusCode).toBe(200);
    const view = res.json<ArchiveView>();
    expect(view.recipient.householdNo).toBe('HD-E-AR1');
    expect(view.counts.case).toBe(1);
    expect(view.counts.report).toBe(1);
    const person = await auditor.get(`/api/archives/persons/310110/${c.elder.id}`);
    expect(person.statusCode).toBe(200);
    expect(person.json<ArchiveView>().recipient.name).toBe(c.elder.name);
    expect((await otherStreet.get(url)).statusCode).toBe(404);
    expect((await otherStreet.get(`/api/archives/persons/310110/${c.elder.id}`)).statusCode).toBe(404);
    expect((await committee.get(url)).statusCode).toBe(403);
    expect((await street.get('/api/archives/households/310110/not-a-uuid')).statusCode).toBe(400);
  });

  it('sends the whole archive as one PDF and audits each download', async () => {
    const url = `/api/archives/households/310110/${c.householdId}/archive.pdf`;
    expect((await otherStreet.get(url)).statusCode).toBe(404);
    const res = await street.get(url);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('application/pdf');
    const read = inspectPdf(res.rawPayload);
    expect(read.pages.length).toBeGreaterThan(0);
    expect(read.pages.join('').replace(/\s+/g, '')).toContain(c.adult.name);
    const rows = await selectRows<{ entity_id: string; entity_type: string }>(
      ctx.store.db,
      sql`select entity_id, entity_type from audit_log where action = 'archive.exported'`,
    );
    expect(rows).toEqual([{ entity_id: `310110/${c.householdId}`, entity_type: 'household' }]);
  });
});
