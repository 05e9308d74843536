import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeStores } from '../../../test/support/stores.ts';
import { fixedClock, setClock } from '../../core/clock.ts';
import { processReceived } from '../../events/replay.service.ts';
import { ingestEvents } from '../../events/ingest.service.ts';
import { seedPayables, type SeededPayables } from '../../payroll/runs/runs.fixtures.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { addUser, loginAs, testServer, type Agent } from '../test-helpers.ts';

/** 生命事件与待办 through the API: permissions, the scope, completing a task once. */
describeStores('event and task routes', (ctx) => {
  let app: FastifyInstance;
  let street: Agent;
  let otherStreet: Agent;
  let finance: Agent;
  let seeded: SeededPayables;
  let restore: () => void;
  const OPERATOR = { userId: 'cli:test', divisionCode: null, reason: '测试' };

  beforeAll(async () => {
    restore = setClock(fixedClock('2026-06-15T10:00:00+08:00'));
    app = await testServer(ctx.store);
    await addUser(ctx.store, 'kj', 'street_caseworker', '310110012');
    await addUser(ctx.store, 'yp', 'street_caseworker', '310110013');
    await addUser(ctx.store, 'cw', 'finance_officer', '310110');
    street = await loginAs(app, 'kj');
    otherStreet = await loginAs(app, 'yp');
    finance = await loginAs(app, 'cw');
    seeded = await seedPayables(ctx.store, 'rt');
    await inUnitOfWork(ctx.store, OPERATOR, (tx) =>
      ingestEvents(tx, [{ line: 1, kind: 'death', personId: seeded.personId, occurredOn: '2026-05-02' }], {
        batchKey: 'rt',
        sourceRef: 'rt.jsonl',
      }),
    );
    await processReceived(ctx.store, OPERATOR, { runKey: 'rt' });
  });
  afterAll(async () => {
    await app.close();
    restore();
  });

  it('lists events to their street only, and not to a role without events.view', async () => {
    const own = await street.get('/api/events?kind=death');
    expect(own.statusCode).toBe(200);
    expect(own.json<{ items: { state: string; kindName: string }[] }>().items).toMatchObject([
      { state: 'processed', kindName: '死亡' },
    ]);
    expect((await otherStreet.get('/api/events')).json<{ total: number }>().total).toBe(0);
    expect((await finance.get('/api/events')).statusCode).toBe(403);
    expect((await street.get('/api/events?kind=wedding')).statusCode).toBe(400);
  });

  it('completes a task of the scope once, with an outcome; another street cannot see it', async () => {
    const list = await street.get('/api/tasks?state=open');
    const task = list.json<{
      items: {
        id: string;
        districtCode: string;
        version: number;
        title: string;
        note: string | null;
        personName: string | null;
        divisionName: string | null;
        overdue: boolean;
      }[];
    }>().items[0]!;
    expect(task.title).toBe('告知家属基本殡葬服务补贴');
    // Whom and where by name, not by id.
    expect(task.personName).toMatch(/^\p{Script=Han}/u);
    expect(task.divisionName).toMatch(/^.+区 .+(街道|镇) .+$/);
    expect(task.overdue).toBe(false);
    const url = `/api/tasks/${task.districtCode}/${task.id}/complete`;
    const body = { version: task.version, outcome: 'done', note: '已上门告知' };
    expect((await otherStreet.post(url, body)).statusCode).toBe(404);
    const done = await street.post(url, body);
    expect(done.statusCode).toBe(200);
    // The completion's note is kept beside the one the rule wrote, which stays.
    expect(done.json()).toMatchObject({
      state: 'done',
      outcomeName: '已办结',
      note: task.note,
      outcomeNote: '已上门告知',
    });
    expect((await street.post(url, body)).statusCode).toBe(409);
  });
});
