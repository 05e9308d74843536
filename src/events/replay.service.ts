import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { calendarOf } from '../calendar/calendar.service.ts';
import type { Store } from '../db/store.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { districtsWithReceived } from './events.repository.ts';
import { ingestEvents, type EventLine, type IngestReport } from './ingest.service.ts';
import { processEventBatch, type ProcessBatchResult } from './process.service.ts';

/**
 * `events replay FILE` and `events process` (docs/events.md 命令行): a JSON-lines file read as a stream and
 * received in batches (each its own unit of work, so a large backfill holds no transaction long), and the
 * received events processed district by district in batches. Replaying a file again changes nothing: every
 * line is then a duplicate.
 */

export const REPLAY_BATCH = 10_000;

function emptyReport(): IngestReport {
  return { lines: 0, accepted: 0, duplicates: [], unknown: [], contradictory: [], invalid: [] };
}

function merge(into: IngestReport, part: IngestReport): void {
  into.lines += part.lines;
  into.accepted += part.accepted;
  into.duplicates.push(...part.duplicates);
  into.unknown.push(...part.unknown);
  into.contradictory.push(...part.contradictory);
  into.invalid.push(...part.invalid);
}

export async function replayFile(
  store: Store,
  file: string,
  actor: ActingContext,
  options: { batchSize?: number; runKey: string },
): Promise<IngestReport> {
  const size = options.batchSize ?? REPLAY_BATCH;
  const report = emptyReport();
  let pending: EventLine[] = [];
  let lineNo = 0;
  let batch = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const lines = pending;
    pending = [];
    batch += 1;
    merge(
      report,
      await inUnitOfWork(store, actor, (tx) =>
        ingestEvents(tx, lines, { batchKey: `${options.runKey}/${batch}`, sourceRef: basename(file) }),
      ),
    );
  };
  const reader = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  for await (const text of reader) {
    lineNo += 1;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      report.lines += 1;
      report.invalid.push({ line: lineNo, reason: '不是有效的 JSON' });
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      report.lines += 1;
      report.invalid.push({ line: lineNo, reason: '每行须为一个 JSON 对象' });
      continue;
    }
    pending.push({ ...(value as Record<string, unknown>), line: lineNo });
    if (pending.length >= size) await flush();
  }
  await flush();
  for (const list of [report.duplicates, report.unknown, report.contradictory, report.invalid]) {
    list.sort((a, b) => a.line - b.line);
  }
  return report;
}

export type ProcessTotals = Omit<ProcessBatchResult, 'lastId'> & { batches: number };

/** Every received event of the districts (all with any, when none is named), in batches of `limit`. */
export async function processReceived(
  store: Store,
  actor: ActingContext,
  options: { districtCode?: string | undefined; limit?: number; runKey: string },
): Promise<Map<string, ProcessTotals>> {
  const limit = options.limit ?? REPLAY_BATCH;
  const districts = options.districtCode ? [options.districtCode] : await districtsWithReceived(store.db);
  const calendar = await calendarOf(store);
  const out = new Map<string, ProcessTotals>();
  for (const districtCode of districts) {
    const t: ProcessTotals = {
      batches: 0,
      events: 0,
      processed: 0,
      rejected: 0,
      ignored: 0,
      enrolled: 0,
      stopped: 0,
      recoveries: 0,
      tasks: 0,
    };
    let afterId = 0;
    for (;;) {
      const r = await inUnitOfWork(store, actor, (tx) =>
        processEventBatch(tx, {
          districtCode,
          afterId,
          limit,
          batchKey: `${options.runKey}/${t.batches + 1}`,
          calendar,
        }),
      );
      if (r.events === 0) break;
      t.batches += 1;
      for (const k of [
        'events',
        'processed',
        'rejected',
        'ignored',
        'enrolled',
        'stopped',
        'recoveries',
        'tasks',
      ] as const)
        t[k] += r[k];
      afterId = r.lastId;
      if (r.events < limit) break;
    }
    out.set(districtCode, t);
  }
  return out;
}
