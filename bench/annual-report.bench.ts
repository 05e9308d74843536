/**
 * The annual report's composition figures against seed 000 (issue 12, "Numbers": on the demo population
 * calibrated to Yangpu 2020, within 2 percentage points of the yearbook's):
 *   npx tsx bench/annual-report.bench.ts [--store pglite|postgres] [--persons N] [--months 2020-12,...]
 *
 * Setup as bench/statistics.bench.ts: the synthetic Yangpu population of N persons as of 2020-12-31 (the demo
 * loader), an entitlement per program the engine grants each household in the first month asked
 * (compute.fixtures.ts), then for each month a payroll run computed by the `payroll.run` job, closed and its
 * lines marked paid. Then the 2020 report of the district, its composition and elderly bands printed beside
 * the yearbook's with the difference in percentage points, and the time it took. Asserts nothing.
 */
import { loadText, openBenchStore, out, seconds } from './support/bench-store.ts';
import { cpus } from 'node:os';
import { sql } from 'drizzle-orm';
import { divisionScope } from '../src/auth/scope.ts';
import { loadConfig } from '../src/config.ts';
import { fixedClock, setClock } from '../src/core/clock.ts';
import { selectRows } from '../src/db/sql.ts';
import { type Store } from '../src/db/store.ts';
import { loadDemoPopulation } from '../src/demo/demo.service.ts';
import { renderPdf } from '../src/documents/pdf.renderer.ts';
import { JobKinds } from '../src/jobs/job-kind.ts';
import { enqueueJob } from '../src/jobs/jobs.service.ts';
import { PAYROLL_RUN_KIND, payrollRunJobKind } from '../src/jobs/kinds/payroll-run.job.ts';
import { JobRunner } from '../src/jobs/runner.ts';
import {
  FIXTURE_DISTRICT,
  fixtureActor,
  seedEntitlements,
  startRun,
} from '../src/payroll/compute/compute.fixtures.ts';
import { seedDivisions } from '../src/registry/registry.service.ts';
import { annualReportDocument, annualReportWorkbook } from '../src/statistics/annual-report.document.ts';
import { annualReport, percent } from '../src/statistics/annual-report.ts';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const STORE = arg('store') ?? 'pglite';
const PERSONS = Number(arg('persons') ?? 200_000);
const MONTHS = (arg('months') ?? '2020-12').split(',');
const YEAR = 2020;
/** `full`: every household the engine finds eligible for 支出型 is enrolled; `seed`: as many as seed 000's. */
const RIGID = arg('rigid') ?? 'seed';
/** Seed 000: 因病支出型贫困救助对象805人次 against 低保覆盖对象13.25万人次 in the year. */
const RIGID_PER_DIBAO = { part: 805, whole: 132_500 };

/** Seed 000 (杨浦区 2020 yearbook): the 生活救助 pie chart and the elderly age bands, in basis points. */
const SEED_COMPOSITION: Record<string, number> = {
  unemployed: 6456,
  employed: 1631,
  severe_disability: 1618,
  traditional_tekun: 252,
  rigid: 43,
};
const SEED_ELDERLY: Record<string, number> = {
  '60-69': 5893,
  '70-79': 2545,
  '80-89': 1268,
  '90-99': 288,
  '100+': 6,
};

/**
 * 支出型 needs an application: the engine finds every household that would qualify (a third of the 生活救助
 * persons on this population), the yearbook counts those who applied. Keep the first households in id order
 * (the demo's household ids come from its seed: the same sample on either store) until their members reach seed 000's ratio to the 低保 persons; drop the rest.
 */
const openStore = () =>
  openBenchStore({ kind: STORE, name: 'report', dataDir: undefined, schema: undefined, keep: false });

async function rigidAtSeedTakeUp(store: Store, month: string): Promise<{ kept: number; dropped: number }> {
  const members = (program: string) =>
    selectRows<{ id: string; n: number }>(
      store.db,
      sql`select e.id::text as id, count(m.person_id)::int as n from entitlements e
        join household_members m on m.district_code = e.district_code and m.household_id = e.household_id
          and m.valid_from <= ${`${month}-01`}::date and (m.valid_to is null or m.valid_to > ${`${month}-01`}::date)
        where e.program = ${program} group by e.household_id, e.id order by e.household_id, e.id`,
    );
  const dibao = (await members('dibao')).reduce((a, r) => a + r.n, 0);
  const target = Math.round((dibao * RIGID_PER_DIBAO.part) / RIGID_PER_DIBAO.whole);
  const keep: string[] = [];
  let persons = 0;
  const rigid = await members('rigid_expense');
  for (const r of rigid) {
    if (persons >= target) break;
    keep.push(r.id);
    persons += r.n;
  }
  await store.db.execute(
    sql`delete from entitlements where program = 'rigid_expense'
      and not (id::text = any(${`{${keep.join(',')}}`}::text[]))`,
  );
  return { kept: keep.length, dropped: rigid.length - keep.length };
}

async function payMonth(store: Store, month: string): Promise<void> {
  const runId = await startRun(store, month, `${month}-01T00:00:00.000Z`);
  const kinds = new JobKinds().register(payrollRunJobKind());
  await enqueueJob(store, kinds, {
    kind: PAYROLL_RUN_KIND,
    payload: { districtCode: FIXTURE_DISTRICT, runId },
    actor: fixtureActor,
    divisionCode: FIXTURE_DISTRICT,
  });
  const runner = new JobRunner({
    store,
    config: loadConfig({ LOG_LEVEL: 'silent' }),
    kinds,
    schedules: false,
    retryDelayMs: () => 0,
  });
  await runner.runUntilIdle();
  // As the bank's return leaves it: the run closed, every line sent paid (held lines stay held).
  await store.db.execute(sql`update payroll_runs set state = 'closed' where id = ${runId}::uuid`);
  await store.db.execute(
    sql`update payroll_lines set state = 'paid', paid_on = ${`${month}-20`} where run_id = ${runId}::uuid
      and state in ('pending', 'released')`,
  );
}

const pp = (bp: number, seed: number) => {
  const d = bp - seed;
  return `${d < 0 ? '-' : '+'}${percent(Math.abs(d)).replace('%', '')} pp`;
};

async function main(): Promise<void> {
  const restore = setClock(fixedClock('2021-01-15T10:00:00+08:00'));
  const { store, drop } = await openStore();
  try {
    await store.migrate();
    out(
      `annual report bench: ${STORE}, ${PERSONS} persons, months ${MONTHS.join(',')}, 支出型 take-up ${RIGID}, ` +
        `${cpus().length} cores, load ${loadText()}`,
    );
    await seedDivisions(store);
    let t = performance.now();
    await loadDemoPopulation(store, {
      district: FIXTURE_DISTRICT,
      persons: PERSONS,
      seed: 'annual-report-bench',
      asOf: `${YEAR}-12-31`,
    });
    out(`population loaded in ${seconds(t)} s (load ${loadText()})`);
    t = performance.now();
    const n = await seedEntitlements(store, { month: MONTHS[0]!, fromMonth: `${YEAR}-01` });
    out(`entitlements written: ${n} in ${seconds(t)} s (load ${loadText()})`);
    if (RIGID === 'seed') {
      const r = await rigidAtSeedTakeUp(store, MONTHS[0]!);
      out(`支出型 at seed 000's take-up: ${r.kept} households kept, ${r.dropped} eligible not enrolled`);
    }
    for (const month of MONTHS) {
      t = performance.now();
      await payMonth(store, month);
      out(`payroll ${month} computed and paid in ${seconds(t)} s (load ${loadText()})`);
    }
    await store.db.execute(sql`analyze`);
    t = performance.now();
    const r = await annualReport(store.db, divisionScope(FIXTURE_DISTRICT), YEAR);
    out(`report ${YEAR} of ${r.division.name} in ${seconds(t)} s (load ${loadText()})`);
    t = performance.now();
    const pdf = await renderPdf(annualReportDocument(r, { printedOn: '2021-01-15' }));
    const xlsx = await annualReportWorkbook(r);
    out(`PDF ${pdf.length} bytes and .xlsx ${xlsx.length} bytes in ${seconds(t)} s`);
    out(
      `\n生活救助构成 (${r.livelihood.composition[0]?.whole ?? 0} 人次)      report    seed 000   difference`,
    );
    for (const c of r.livelihood.composition)
      out(
        `  ${c.name.padEnd(16, '\u3000')} ${percent(c.basisPoints).padStart(8)} ${percent(SEED_COMPOSITION[c.key]!).padStart(9)}   ${pp(c.basisPoints, SEED_COMPOSITION[c.key]!)}`,
      );
    out(`\n老年人口 (${r.elderly.aged60plus} of ${r.elderly.persons} registered, ${r.elderly.basis})`);
    for (const b of r.elderly.bands)
      out(
        `  ${b.band.padEnd(8)} ${percent(b.basisPoints).padStart(8)} ${percent(SEED_ELDERLY[b.band]!).padStart(9)}   ${pp(b.basisPoints, SEED_ELDERLY[b.band]!)}`,
      );
    out(`\nprograms: ${r.livelihood.programs.map((p) => `${p.name} ${p.persons} 人次`).join('; ')}`);
    out(`load ${loadText()}`);
  } finally {
    await store.close();
    await drop();
    restore();
  }
}

await main();
