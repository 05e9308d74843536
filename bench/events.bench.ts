/**
 * Life-event figures (issue 12, "Numbers": ≥ 10,000 events a second in batches, each exactly once):
 *   npx tsx bench/events.bench.ts [--store pglite|postgres] [--persons N] [--events N] [--batch N] [--keep]
 *
 * Setup: the synthetic Yangpu population (the demo loader, N persons, default 100,000) with an entitlement for
 * every household the engine grants something in 2026-06 (compute.fixtures.ts). Then E events (default
 * 200,000) built from that population, all consistent with it: mostly situation changes (household change,
 * job loss, medical expense, disability change) on days of 2026 after the birth, the 70th/80th/90th birthdays
 * and the 65th (免申即享 enrolments) that fall in 2026 up to today, and 0.5 % deaths (with their stops,
 * recoveries and funeral-subsidy tasks). Measured: receiving them in batches of B (default 10,000) in units of
 * work, processing them (events.process's batches), and receiving the same events again (all duplicates).
 * Prints events/s and the load; asserts nothing on time. The machine is shared: read the load.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { fixedClock, setClock } from '../src/core/clock.ts';
import { selectRows } from '../src/db/sql.ts';
import { openPglite, openPostgres, type Store } from '../src/db/store.ts';
import { anniversary } from '../src/events/dates.ts';
import { ingestEvents, type EventLine } from '../src/events/ingest.service.ts';
import { processReceived } from '../src/events/replay.service.ts';
import { loadPopulation, seedEntitlements } from '../src/payroll/compute/compute.fixtures.ts';
import { inUnitOfWork } from '../src/workflow/unit-of-work.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const STORE = arg('store') ?? 'pglite';
const URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const PERSONS = Number(arg('persons') ?? 100_000);
const EVENTS = Number(arg('events') ?? 200_000);
const BATCH = Number(arg('batch') ?? 10_000);
const KEEP = process.argv.includes('--keep');
const TODAY = '2026-07-15';
const ACTOR = { userId: 'cli:bench', divisionCode: null, reason: '生命事件基准测试' };

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');
const out = (line: string) => process.stdout.write(`${line}\n`);
const perSecond = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en-US');

async function admin(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

async function openStore(): Promise<{ store: Store; drop: () => Promise<void> }> {
  if (STORE === 'pglite') {
    const dir = mkdtempSync(join(tmpdir(), 'mz-events-bench-'));
    const store = await openPglite(dir);
    return {
      store,
      drop: () => {
        if (!KEEP) rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  if (!URL) throw new Error('set BENCH_DATABASE_URL or TEST_DATABASE_URL (a PostgreSQL server)');
  const schema = `bench_events_${process.pid}`;
  await admin(URL, `create schema if not exists ${schema}`);
  const store = openPostgres(URL, { searchPath: schema, max: 4 });
  return { store, drop: async () => (KEEP ? undefined : admin(URL, `drop schema ${schema} cascade`)) };
}

/** A deterministic generator (the figures must not depend on Math.random's seed). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const OTHER = ['household_change', 'job_loss', 'medical_expense', 'disability_change'] as const;

function dayOf2026(r: number, before: string): string {
  const start = Date.UTC(2026, 0, 1);
  const end = Date.parse(`${before}T00:00:00Z`);
  return new Date(start + Math.floor(r * ((end - start) / 86_400_000)) * 86_400_000)
    .toISOString()
    .slice(0, 10);
}

async function buildEvents(store: Store): Promise<EventLine[]> {
  const persons = await selectRows<{ id: string; birth: string; death: string | null }>(
    store.db,
    sql`select id::text as id, birth_date::text as birth, death_date::text as death from persons
      where district_code = '310110' order by id`,
  );
  const next = rng(20260715);
  const lines: EventLine[] = [];
  const push = (l: Omit<EventLine, 'line'>) => lines.push({ line: lines.length + 1, ...l });
  for (const p of persons) {
    if (p.death !== null && p.death < '2026-01-01') continue;
    for (const age of [65, 70, 80, 90]) {
      const day = anniversary(p.birth, age);
      if (day >= '2026-01-01' && day <= TODAY && (p.death === null || p.death >= day))
        push({ kind: `age_${age}`, personId: p.id, occurredOn: day });
    }
  }
  const living = persons.filter((p) => p.death === null && p.birth < '2026-01-01');
  const deaths = Math.round(EVENTS * 0.005);
  const dead = new Set<string>();
  for (let i = 0; i < deaths; i++) {
    const p = living[Math.floor(next() * living.length)]!;
    if (dead.has(p.id)) continue;
    dead.add(p.id);
    push({ kind: 'death', personId: p.id, occurredOn: dayOf2026(0.3 + next() * 0.6, TODAY) });
  }
  const seen = new Set<string>();
  while (lines.length < EVENTS) {
    const p = living[Math.floor(next() * living.length)]!;
    if (dead.has(p.id)) continue;
    const kind = OTHER[Math.floor(next() * OTHER.length)]!;
    const day = dayOf2026(next(), TODAY);
    const key = `${kind}|${p.id}|${day}`;
    if (seen.has(key)) continue;
    seen.add(key);
    push({ kind, personId: p.id, occurredOn: day });
  }
  return lines;
}

/** This process's CPU seconds since `from`: on PGlite the database's work too (it runs in this process). */
const cpuSince = (from: NodeJS.CpuUsage) => {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
};
const cpuNote = (n: number, cpu: number) =>
  `; this process ${cpu.toFixed(2)} CPU s = ${perSecond(n, cpu * 1000)} events per CPU second${STORE === 'pglite' ? ' (database included)' : ' (server not included)'}`;

async function ingestAll(store: Store, lines: readonly EventLine[], tag: string) {
  const totals = { accepted: 0, duplicates: 0, rejected: 0 };
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < lines.length; i += BATCH) {
    const part = lines.slice(i, i + BATCH);
    const r = await inUnitOfWork(store, ACTOR, (tx) =>
      ingestEvents(tx, part, { batchKey: `bench/${tag}/${i / BATCH}`, sourceRef: 'bench.jsonl' }),
    );
    totals.accepted += r.accepted;
    totals.duplicates += r.duplicates.length;
    totals.rejected += r.contradictory.length + r.unknown.length + r.invalid.length;
  }
  return { ...totals, ms: performance.now() - t0, cpu: cpuSince(c0) };
}

async function main(): Promise<void> {
  const restore = setClock(fixedClock(`${TODAY}T04:00:00Z`));
  const { store, drop } = await openStore();
  try {
    await store.migrate();
    out(`events bench: ${STORE}, ${cpus().length} cores, node ${process.version}, load ${load()}`);
    let t = performance.now();
    await loadPopulation(store, PERSONS, 'events-bench');
    const ents = await seedEntitlements(store, { month: '2026-06', fromMonth: '2026-01' });
    out(
      `population ${PERSONS} persons, ${ents} entitlements in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const lines = await buildEvents(store);
    const kinds = new Map<string, number>();
    for (const l of lines) kinds.set(String(l.kind), (kinds.get(String(l.kind)) ?? 0) + 1);
    out(`events: ${lines.length} (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')})`);

    const first = await ingestAll(store, lines, 'first');
    out(
      `receive: ${first.accepted} accepted, ${first.duplicates} duplicates, ${first.rejected} rejected in ${(first.ms / 1000).toFixed(2)} s = ${perSecond(lines.length, first.ms)} events/s (batches of ${BATCH})${cpuNote(lines.length, first.cpu)}; load ${load()}`,
    );
    t = performance.now();
    const c0 = process.cpuUsage();
    const totals = await processReceived(store, ACTOR, { limit: BATCH, runKey: 'bench' });
    const ms = performance.now() - t;
    const cpu = cpuSince(c0);
    const p = totals.get('310110')!;
    out(
      `process: ${p.events} events in ${p.batches} batches, ${(ms / 1000).toFixed(2)} s = ${perSecond(p.events, ms)} events/s; processed ${p.processed}, rejected ${p.rejected}, ignored ${p.ignored}, enrolled ${p.enrolled}, entitlements stopped ${p.stopped}, recoveries ${p.recoveries}, tasks ${p.tasks}${cpuNote(p.events, cpu)}; load ${load()}`,
    );
    const again = await ingestAll(store, lines, 'again');
    out(
      `receive again: ${again.accepted} accepted, ${again.duplicates} duplicates in ${(again.ms / 1000).toFixed(2)} s = ${perSecond(lines.length, again.ms)} events/s${cpuNote(lines.length, again.cpu)}; load ${load()}`,
    );
    const rerun = await processReceived(store, ACTOR, { limit: BATCH, runKey: 'bench-again' });
    out(`process again: ${rerun.size === 0 ? 'nothing received, nothing done' : JSON.stringify([...rerun])}`);
    const [{ n }] = (await selectRows<{ n: number }>(
      store.db,
      sql`select count(*)::int as n from entitlements where rule = 'no_application'`,
    )) as [{ n: number }];
    out(`免申即享 entitlements: ${n} (one per person enrolled)`);
  } finally {
    await store.close();
    await drop();
    restore();
  }
}

await main();
