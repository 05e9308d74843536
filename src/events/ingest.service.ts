import { shanghaiToday } from '../core/clock.ts';
import { isUuid } from '../registry/membership.service.ts';
import { eventSubjects, type EventSubject } from '../registry/subjects.repository.ts';
import { RowDigest, type WorkTx } from '../workflow/unit-of-work.ts';
import { anniversary, isIsoDay } from './dates.ts';
import { ageOfKind, EVENT_KIND_NAMES, EVENT_KINDS, isEventKind, type EventKind } from './event-kinds.ts';
import { eventKey, insertEvents, standingEventsOf, type NewEvent } from './events.repository.ts';

/**
 * 接收生命事件 (docs/events.md 接收): a batch of events from an import (a JSON-lines file, `events replay`) in
 * one unit of work. Each line names a person (身份证号 or the registry's id), a kind and a day. A line is
 * - invalid (not stored): a kind, day or person key that cannot be read;
 * - unknown (not stored): no such person in the registry;
 * - contradictory (stored as rejected, with the reason): a day in the future, before the birth, after a death;
 *   a birth on another day than the registry's birth date; a milestone birthday on a day that is not it; a death
 *   on another day than the one already recorded;
 * - a duplicate (not stored again): the same person, kind and day already held, or earlier in the batch;
 * - accepted: stored as received, to be processed once.
 * Everything is set-based: one read of the persons, one of their deaths, one insert.
 */

export interface EventLine {
  /** The line number in the file (1-based), for the report. */
  line: number;
  kind?: unknown;
  idNumber?: unknown;
  personId?: unknown;
  occurredOn?: unknown;
  detail?: unknown;
  sourceRef?: unknown;
}

export interface LineProblem {
  line: number;
  reason: string;
}

export interface IngestReport {
  lines: number;
  accepted: number;
  duplicates: LineProblem[];
  unknown: LineProblem[];
  contradictory: LineProblem[];
  invalid: LineProblem[];
}

interface Parsed {
  line: number;
  kind: EventKind;
  idNumber: string | null;
  personId: string | null;
  occurredOn: string;
  detail: Record<string, unknown>;
  sourceRef: string | null;
}

const shown = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' ? String(v) : (JSON.stringify(v) ?? '');

function parseLine(l: EventLine): Parsed | string {
  const problems: string[] = [];
  const kind = typeof l.kind === 'string' ? l.kind : '';
  if (!isEventKind(kind)) problems.push(`事件种类「${shown(l.kind)}」无效，应为 ${EVENT_KINDS.join('、')}`);
  const day = typeof l.occurredOn === 'string' ? l.occurredOn : '';
  if (!isIsoDay(day)) problems.push(`事件日期「${shown(l.occurredOn)}」无效，应为 YYYY-MM-DD`);
  const idNumber =
    typeof l.idNumber === 'string' && l.idNumber.trim() ? l.idNumber.trim().toUpperCase() : null;
  const personId =
    typeof l.personId === 'string' && l.personId.trim() ? l.personId.trim().toLowerCase() : null;
  if (!idNumber && !personId) problems.push('缺少身份证号（idNumber）或人员编号（personId）');
  if (personId && !isUuid(personId)) problems.push(`人员编号「${personId}」无效`);
  if (idNumber && !/^\d{17}[\dX]$/.test(idNumber)) problems.push(`身份证号「${idNumber}」格式无效`);
  const detail =
    l.detail !== undefined && (typeof l.detail !== 'object' || l.detail === null || Array.isArray(l.detail))
      ? null
      : ((l.detail as Record<string, unknown> | undefined) ?? {});
  if (detail === null) problems.push('附加信息（detail）须为对象');
  if (problems.length > 0) return problems.join('；');
  return {
    line: l.line,
    kind: kind as EventKind,
    idNumber,
    personId,
    occurredOn: day,
    detail: detail!,
    sourceRef: typeof l.sourceRef === 'string' && l.sourceRef.trim() ? l.sourceRef.trim() : null,
  };
}

/** Why an event of this person contradicts the registry or the deaths known, or null. */
export function contradiction(
  e: { kind: EventKind; occurredOn: string },
  person: Pick<EventSubject, 'birthDate'>,
  deathOn: string | null,
  today: string,
): string | null {
  if (e.occurredOn > today) return `事件日期 ${e.occurredOn} 晚于今天（${today}）`;
  if (e.occurredOn < person.birthDate) {
    return `事件日期 ${e.occurredOn} 早于其出生日期（${person.birthDate}）`;
  }
  if (e.kind === 'birth' && e.occurredOn !== person.birthDate) {
    return `出生日期 ${e.occurredOn} 与人口库登记的出生日期（${person.birthDate}）不一致`;
  }
  const age = ageOfKind(e.kind);
  if (age !== null && anniversary(person.birthDate, age) !== e.occurredOn) {
    return `${e.occurredOn} 不是其 ${age} 周岁生日（应为 ${anniversary(person.birthDate, age)}）`;
  }
  if (e.kind === 'death' && deathOn !== null && deathOn !== e.occurredOn) {
    return `死亡日期 ${e.occurredOn} 与已登记的死亡日期（${deathOn}）不一致`;
  }
  if (e.kind !== 'death' && deathOn !== null && e.occurredOn > deathOn) {
    return `事件日期 ${e.occurredOn} 晚于其死亡日期（${deathOn}）`;
  }
  return null;
}

export async function ingestEvents(
  tx: WorkTx,
  lines: readonly EventLine[],
  input: { batchKey: string; sourceRef: string },
): Promise<IngestReport> {
  const report: IngestReport = {
    lines: lines.length,
    accepted: 0,
    duplicates: [],
    unknown: [],
    contradictory: [],
    invalid: [],
  };
  const today = shanghaiToday(tx.now);
  const parsed: Parsed[] = [];
  for (const l of lines) {
    const p = parseLine(l);
    if (typeof p === 'string') report.invalid.push({ line: l.line, reason: p });
    else parsed.push(p);
  }
  const subjects = await eventSubjects(tx.db, {
    personIds: [...new Set(parsed.flatMap((p) => (p.personId ? [p.personId] : [])))],
    idNumbers: [...new Set(parsed.flatMap((p) => (p.idNumber && !p.personId ? [p.idNumber] : [])))],
  });
  const byId = new Map(subjects.map((s) => [s.personId, s]));
  const byNumber = new Map(subjects.map((s) => [s.idNumber, s]));
  const found: { p: Parsed; s: EventSubject }[] = [];
  for (const p of parsed) {
    const s = p.personId ? byId.get(p.personId) : byNumber.get(p.idNumber!);
    if (!s) {
      report.unknown.push({
        line: p.line,
        reason: p.personId
          ? `人口库中没有人员编号为 ${p.personId} 的人员`
          : `人口库中没有身份证号为 ${p.idNumber} 的人员`,
      });
    } else if (p.personId && p.idNumber && s.idNumber !== p.idNumber) {
      report.invalid.push({ line: p.line, reason: '身份证号与人员编号不是同一人' });
    } else found.push({ p, s });
  }
  // Deaths already held (the registry's, the events') and this batch's: the earliest known day each.
  const deaths = new Map<string, string>();
  const note = (personId: string, day: string) => {
    const had = deaths.get(personId);
    if (had === undefined || day < had) deaths.set(personId, day);
  };
  for (const { s } of found) if (s.deathDate) note(s.personId, s.deathDate);
  const byDistrict = new Map<string, string[]>();
  for (const { s } of found) {
    const list = byDistrict.get(s.districtCode);
    if (list) list.push(s.personId);
    else byDistrict.set(s.districtCode, [s.personId]);
  }
  for (const [district, ids] of byDistrict) {
    for (const e of await standingEventsOf(tx.db, district, ids, ['death'])) note(e.personId, e.occurredOn);
  }
  const registryDeaths = new Map(deaths);
  for (const { p, s } of found) {
    if (p.kind !== 'death' || registryDeaths.has(s.personId)) continue;
    if (contradiction(p, s, null, today) === null) note(s.personId, p.occurredOn);
  }
  const seen = new Map<string, number>();
  const rows: (NewEvent & { line: number })[] = [];
  for (const { p, s } of found) {
    const key = eventKey({
      districtCode: s.districtCode,
      kind: p.kind,
      personId: s.personId,
      occurredOn: p.occurredOn,
    });
    const first = seen.get(key);
    if (first !== undefined) {
      report.duplicates.push({ line: p.line, reason: `与第 ${first} 行重复（同一人、同一事件、同一日期）` });
      continue;
    }
    seen.set(key, p.line);
    const known =
      p.kind === 'death' ? (registryDeaths.get(s.personId) ?? null) : (deaths.get(s.personId) ?? null);
    const why = contradiction(p, s, known, today);
    rows.push({
      line: p.line,
      districtCode: s.districtCode,
      kind: p.kind,
      personId: s.personId,
      occurredOn: p.occurredOn,
      divisionCode: s.residenceDivisionCode,
      householdId: s.householdId,
      source: 'import',
      sourceRef: p.sourceRef ?? `${input.sourceRef}#${p.line}`,
      detail: p.detail,
      state: why === null ? 'received' : 'rejected',
      reason: why === null ? null : `${EVENT_KIND_NAMES[p.kind]}事件与已知情况矛盾：${why}`,
    });
  }
  // One staging COPY and insert per district, each with its audit record: the digest of the CSV the batch
  // staged (every row sent, duplicates included: per-row canonical JSON would cost more than the insert). A
  // district whose rows were all duplicates gets its record too: the conflict check is a write the unit sees.
  const rowsByDistrict = new Map<string, typeof rows>();
  for (const r of rows) {
    const list = rowsByDistrict.get(r.districtCode);
    if (list) list.push(r);
    else rowsByDistrict.set(r.districtCode, [r]);
  }
  for (const [district, list] of rowsByDistrict) {
    const { inserted, csv } = await insertEvents(tx, list);
    const keys = new Set(inserted.map(eventKey));
    const counts = { received: 0, rejected: 0, duplicates: 0 };
    for (const r of list) {
      if (!keys.has(eventKey(r))) {
        counts.duplicates += 1;
        report.duplicates.push({
          line: r.line,
          reason: '该事件已接收过（同一人、同一事件、同一日期），不再重复处理',
        });
      } else if (r.state === 'received') {
        report.accepted += 1;
        counts.received += 1;
      } else {
        report.contradictory.push({ line: r.line, reason: r.reason! });
        counts.rejected += 1;
      }
    }
    tx.recordBatch({
      action: 'events.received',
      entityType: 'life_event_batch',
      entityId: `${input.batchKey}/${district}`,
      district,
      digest: new RowDigest().addCsv(csv, list.length),
      summary: { ...counts, source: input.sourceRef },
    });
  }
  for (const list of [report.duplicates, report.unknown, report.contradictory, report.invalid]) {
    list.sort((a, b) => a.line - b.line);
  }
  return report;
}
