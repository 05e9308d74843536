import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../test/support/stores.ts';
import { divisionScope } from '../auth/scope.ts';
import { fixedClock, setClock } from '../core/clock.ts';
import { pdfBytes } from '../files/files.fixtures.ts';
import { jobKinds } from '../jobs/kinds/index.ts';
import { JobRunner } from '../jobs/runner.ts';
import { registerAuthorisation } from '../verification/authorisation.service.ts';
import { inUnitOfWork } from '../workflow/unit-of-work.ts';
import { multipart } from './multipart.fixtures.ts';
import {
  addUser,
  loginAs,
  seedTwoStreets,
  testConfig,
  testServer,
  type Agent,
  type TwoStreets,
} from './test-helpers.ts';

interface ErrorBody {
  error: { code: string; message: string };
}
interface ChangeBody {
  householdNo: string;
  personName: string;
  kindName: string;
  programName: string;
  oldText: string;
  newText: string;
  sourceNames: string;
  affectsEligibility: boolean;
  affectsAmount: boolean;
}

/**
 * 在保对象定期复核 through the API: queued by a verification officer (202), refused a second time in the
 * month (409 naming the job), run, and its change list read in Chinese on screen and as CSV, within scope.
 */
describeStores('re-verification routes', (ctx) => {
  let app: FastifyInstance;
  let data: TwoStreets;
  let officer: Agent;
  let street: Agent; // 控江路街道: the household's street
  let otherStreet: Agent; // 殷行街道
  let restore: () => void;

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-12-01T10:00:00+08:00'));
    app = await testServer(ctx.store);
    data = await seedTwoStreets(ctx.store);
    await addUser(ctx.store, 'hd', 'verification_officer', '310110');
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'yh', 'street_caseworker', '310110016');
    officer = await loginAs(app, 'hd');
    street = await loginAs(app, 'kj');
    otherStreet = await loginAs(app, 'yh');
    // The household of 控江路 signed a standing 低保 authorisation at application.
    const members = (await street.get(`/api/households/${data.a.householdId}`)).json<{
      members: { personId: string }[];
    }>().members;
    const body = multipart({ name: '授权书.pdf', content: pdfBytes('signed') }, { kind: 'authorisation' });
    const paper = await street.post(
      `/api/attachments/household/${data.a.householdId}`,
      body.payload,
      body.headers,
    );
    expect(paper.statusCode).toBe(201);
    await inUnitOfWork(
      ctx.store,
      { userId: 'seed', divisionCode: '310110012', reason: '低保申请时签署' },
      (tx) =>
        registerAuthorisation(
          tx,
          { scope: divisionScope('310110012'), role: 'street_caseworker', userId: 'seed' },
          {
            districtCode: '310110',
            householdId: data.a.householdId,
            purpose: 'dibao',
            personIds: members.map((m) => m.personId),
            signedOn: '2026-06-01',
            standing: true,
            attachmentId: paper.json<{ id: string }>().id,
          },
        ),
    );
  });
  afterAll(async () => {
    restore();
    await app.close();
  });

  it('queues the re-verification for an officer only, once a month, and lists what it found in scope', async () => {
    expect((await street.post('/api/verifications/rechecks', { program: 'dibao' })).statusCode).toBe(403);
    expect((await officer.post('/api/verifications/rechecks', { program: 'nope' })).statusCode).toBe(400);

    const queued = await officer.post('/api/verifications/rechecks', {
      program: 'dibao',
      reason: '十二月定期复核',
    });
    expect(queued.statusCode).toBe(202);
    const job = queued.json<{ job: { id: string; kindLabel: string; state: string } }>().job;
    expect(job).toMatchObject({ kindLabel: '在保对象定期复核', state: 'queued' });
    const twice = await officer.post('/api/verifications/rechecks', { program: 'dibao' });
    expect(twice.statusCode).toBe(409);
    expect(twice.json<ErrorBody>().error.message).toContain(job.id);

    const runner = new JobRunner({
      store: ctx.store,
      config: testConfig(),
      kinds: jobKinds(),
      schedules: false,
      retryDelayMs: () => 0,
    });
    expect((await runner.runUntilIdle()).succeeded).toBe(1);

    const list = await officer.get(`/api/verifications/rechecks/${job.id}/changes?limit=100`);
    expect(list.statusCode).toBe(200);
    const { items, total } = list.json<{ items: ChangeBody[]; total: number }>();
    expect(total).toBe(items.length);
    for (const c of items) {
      expect(c.householdNo).toBeTruthy();
      expect(c.programName).toBe('最低生活保障');
      expect(c.kindName).toMatch(/[\u4e00-\u9fa5]/);
      expect(c.sourceNames).toMatch(/[\u4e00-\u9fa5]/);
      expect(c.oldText).not.toBe(c.newText);
    }
    const affecting = (
      await officer.get(`/api/verifications/rechecks/${job.id}/changes?affectsOnly=true`)
    ).json<{ items: ChangeBody[] }>().items;
    expect(affecting.every((c) => c.affectsEligibility || c.affectsAmount)).toBe(true);

    // The household's street sees the list; another street sees none of it.
    expect(
      (await street.get(`/api/verifications/rechecks/${job.id}/changes`)).json<{ total: number }>().total,
    ).toBe(total);
    expect(
      (await otherStreet.get(`/api/verifications/rechecks/${job.id}/changes`)).json<{ total: number }>()
        .total,
    ).toBe(0);

    const csv = await officer.get(`/api/verifications/rechecks/${job.id}/changes.csv`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      '户编号,居委会,成员,项目,原值,核对值,数据来源,核对日期,影响资格,影响金额,救助项目,核对委托',
    );
    expect(lines).toHaveLength(total + 1);

    // Not a re-verification job, or not a job at all: 404.
    expect(
      (await officer.get('/api/verifications/rechecks/00000000-0000-4000-8000-000000000000/changes'))
        .statusCode,
    ).toBe(404);
  });
});
