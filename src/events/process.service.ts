import type { WorkingCalendar } from '../calendar/working-calendar.ts';
import { shanghaiToday } from '../core/clock.ts';
import { raiseRecoveriesForPersonDeaths } from '../payroll/recovery/recovery.service.ts';
import { eventSubjects, type EventSubject } from '../registry/subjects.repository.ts';
import { createTasks, type NewTask } from '../tasks/tasks.service.ts';
import { RowDigest, type WorkTx } from '../workflow/unit-of-work.ts';
import { ageOfKind, EVENT_KIND_NAMES, type EventKind } from './event-kinds.ts';
import { enrolmentAge, taskWorkingDays } from './events.parameters.ts';
import {
  finishEvents,
  receivedEvents,
  standingEventsOf,
  type EventFinish,
  type EventRow,
} from './events.repository.ts';
import { contradiction } from './ingest.service.ts';
import { enrolWithoutApplication, type Enrolment } from './enrol.service.ts';

/**
 * 处理生命事件 (docs/events.md 处理): the district's received events in arrival order, a batch at a time, each
 * exactly once (a compare-and-set on `received`; the effects are idempotent too). In a batch:
 * - a death stops the person's entitlements from the month after it and raises a recovery item for every
 *   period paid after it (src/payroll/recovery), and makes a task 告知家属基本殡葬服务补贴 for the household's
 *   adviser (or its committee);
 * - reaching the elderly allowance's first band age with Shanghai hukou enrols the person without application
 *   (免申即享, enrol.service.ts) from the birthday's month — before the batch's deaths, so that a death in the
 *   same batch stops the new entitlement too;
 * - the later band ages are recorded only: the payroll moves the band each month (amount-rule.ts);
 * - other kinds are recorded (已记录);
 * - an event that contradicts what is known now (after a death recorded since it arrived) is rejected.
 * One audit record per batch with the digest of every event's end and every entitlement created.
 */

export interface ProcessBatchInput {
  districtCode: string;
  /** The last event id of the previous batch (0 before the first). */
  afterId: number;
  limit: number;
  batchKey: string;
  calendar: WorkingCalendar;
}

export interface ProcessBatchResult {
  lastId: number;
  events: number;
  processed: number;
  rejected: number;
  ignored: number;
  enrolled: number;
  stopped: number;
  recoveries: number;
  tasks: number;
}

const recorded = (kind: EventKind): Record<string, unknown> => {
  const age = ageOfKind(kind);
  return age === null
    ? { result: '已记录' }
    : { result: '已记录', note: '老年综合津贴档次由每月发放计算按年龄自动调整' };
};

export async function processEventBatch(tx: WorkTx, input: ProcessBatchInput): Promise<ProcessBatchResult> {
  const d = input.districtCode;
  const rows = await receivedEvents(tx, d, input.afterId, input.limit);
  const result: ProcessBatchResult = {
    lastId: rows.at(-1)?.id ?? input.afterId,
    events: rows.length,
    processed: 0,
    rejected: 0,
    ignored: 0,
    enrolled: 0,
    stopped: 0,
    recoveries: 0,
    tasks: 0,
  };
  if (rows.length === 0) return result;
  const today = shanghaiToday(tx.now);
  const personIds = [...new Set(rows.map((r) => r.personId))];
  // The dates of everyone; the household (a costlier read) only of the deaths and enrolments.
  const subjects = new Map(
    (await eventSubjects(tx.db, { personIds, idNumbers: [] }, { household: false, districtCode: d })).map(
      (s) => [s.personId, s],
    ),
  );
  const enrolAge = new Map<string, number>();
  const needHousehold = rows.filter((e) => {
    if (e.kind === 'death') return true;
    const age = ageOfKind(e.kind as EventKind);
    if (age === null) return false;
    const month = e.occurredOn.slice(0, 7);
    if (!enrolAge.has(month)) enrolAge.set(month, enrolmentAge(e.occurredOn, d));
    return age === enrolAge.get(month);
  });
  if (needHousehold.length > 0) {
    const ids = [...new Set(needHousehold.map((e) => e.personId))];
    for (const s of await eventSubjects(tx.db, { personIds: ids, idNumbers: [] }, { districtCode: d }))
      subjects.set(s.personId, s);
  }
  const deathEvents = await standingEventsOf(tx.db, d, personIds, ['death']);
  const finishes = new Map<number, EventFinish>();
  const finish = (e: EventRow, f: Omit<EventFinish, 'id'>) => finishes.set(e.id, { id: e.id, ...f });
  const reject = (e: EventRow, why: string) =>
    finish(e, {
      state: 'rejected',
      reason: `${EVENT_KIND_NAMES[e.kind as EventKind]}事件：${why}`,
      outcome: {},
    });

  const deaths = new Map<string, { event: EventRow; subject: EventSubject }>();
  const enrol: { event: EventRow; subject: EventSubject; knownDeath: string | null }[] = [];
  for (const e of rows) {
    const kind = e.kind as EventKind;
    const s = subjects.get(e.personId);
    if (!s) {
      reject(e, '人口库中已无此人');
      continue;
    }
    const otherDeaths = deathEvents.filter((x) => x.personId === e.personId && x.id !== e.id);
    if (kind === 'death') {
      const processedOther = otherDeaths.find(
        (x) => x.state === 'processed' && x.occurredOn !== e.occurredOn,
      );
      const why = contradiction(e as { kind: EventKind; occurredOn: string }, s, s.deathDate, today);
      if (why) reject(e, why);
      else if (processedOther) {
        finish(e, {
          state: 'ignored',
          reason: `已按 ${processedOther.occurredOn} 的死亡事件处理，本事件不再处理；死亡日期如有误请人工更正`,
          outcome: {},
        });
      } else if (deaths.has(e.personId)) {
        finish(e, { state: 'ignored', reason: '同一批次中已有此人的死亡事件', outcome: {} });
      } else deaths.set(e.personId, { event: e, subject: s });
      continue;
    }
    const known = [s.deathDate, ...otherDeaths.map((x) => x.occurredOn)]
      .filter((x): x is string => x !== null)
      .sort()[0];
    const why = contradiction(e as { kind: EventKind; occurredOn: string }, s, known ?? null, today);
    if (why) {
      reject(e, why);
      continue;
    }
    if (ageOfKind(kind) !== null && ageOfKind(kind) === enrolAge.get(e.occurredOn.slice(0, 7))) {
      enrol.push({ event: e, subject: s, knownDeath: known ?? null });
      continue;
    }
    finish(e, { state: 'processed', reason: null, outcome: recorded(kind) });
  }

  const tasks: (NewTask & { eventId: number })[] = [];
  const digest = new RowDigest();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const enrolments: Map<number, Enrolment> = await enrolWithoutApplication(tx, d, enrol, digest);
  for (const [eventId, en] of enrolments) {
    const e = byId.get(eventId)!;
    finish(e, { state: 'processed', reason: null, outcome: en.outcome });
    if (en.created) result.enrolled += 1;
    if (en.needsAccount) {
      tasks.push({
        eventId,
        districtCode: d,
        householdId: en.householdId,
        personId: e.personId,
        kind: 'payee_account',
        divisionCode: en.committeeCode,
        source: `event:${d}/${eventId}`,
        note: `免申即享纳入老年综合津贴（自 ${e.occurredOn.slice(0, 7)} 起），尚无收款账户：采集账户后由下月批次发放`,
        workingDays: taskWorkingDays('payee_account', today, d),
      });
    }
  }

  const stops = await raiseRecoveriesForPersonDeaths(
    tx,
    d,
    new Map([...deaths].map(([personId, x]) => [personId, x.event.occurredOn])),
  );
  for (const [personId, { event: e, subject: s }] of deaths) {
    const r = stops.get(personId) ?? { raised: 0, fen: 0, stopped: 0 };
    result.stopped += r.stopped;
    result.recoveries += r.raised;
    const householdId = s.householdId ?? e.householdId;
    tasks.push({
      eventId: e.id,
      districtCode: d,
      householdId,
      personId,
      kind: 'funeral_notice',
      divisionCode: s.committeeCode ?? e.divisionCode,
      source: `event:${d}/${e.id}`,
      note: `${e.occurredOn} 死亡${s.deathDate ? '' : '（人口库尚未登记死亡，请核实后办理死亡注销）'}`,
      workingDays: taskWorkingDays('funeral_notice', today, d),
    });
    finish(e, {
      state: 'processed',
      reason: null,
      outcome: {
        result: '已停发并登记追缴',
        stoppedEntitlements: r.stopped,
        recoveryItems: r.raised,
        recoveryFen: r.fen,
      },
    });
  }
  const created = await createTasks(tx, input.calendar, tasks, `${input.batchKey}/${d}`);
  for (const t of tasks) {
    const id = created.get(`${t.source}|${t.kind}`);
    const f = finishes.get(t.eventId);
    if (f && id) {
      f.outcome = { ...f.outcome, [t.kind === 'funeral_notice' ? 'taskId' : 'accountTaskId']: id };
      result.tasks += 1;
    }
  }

  const ended = await finishEvents(tx, d, [...finishes.values()]);
  const endedSet = new Set(ended);
  // The digest: each distinct end once with the ids it applies to (ascending), not a canonical row per event.
  const ends = new Map<string, number[]>();
  for (const f of finishes.values()) {
    if (!endedSet.has(f.id)) continue;
    const key = JSON.stringify([f.state, f.reason, f.outcome]);
    const ids = ends.get(key);
    if (ids) ids.push(f.id);
    else ends.set(key, [f.id]);
    if (f.state === 'processed') result.processed += 1;
    else if (f.state === 'rejected') result.rejected += 1;
    else result.ignored += 1;
  }
  for (const [end, ids] of ends) digest.add({ end, ids: ids.sort((a, b) => a - b) });
  tx.recordBatch({
    action: 'events.processed',
    entityType: 'life_event_batch',
    entityId: `${input.batchKey}/${d}`,
    district: d,
    digest,
    summary: { ...result },
  });
  return result;
}
