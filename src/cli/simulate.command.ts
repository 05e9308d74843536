import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ALL, divisionScope } from '../auth/scope.ts';
import { formatYuan } from '../policy/engine/exact.ts';
import type { Population } from '../policy/engine/population.ts';
import { ParameterFileError } from '../policy/engine/parameter-store.ts';
import {
  baselineParameters,
  baselineRows,
  BatchLineError,
  buildPopulation,
  compareTotals,
  comparisonRows,
  parseMonth,
  parseReformFile,
  simulate,
  simulateJsonl,
  PROGRAMS,
  type ParameterStore,
  type PopulationTotals,
  type ReformSpec,
  type SimulationRow,
  type PopulationSource,
  type SourceHousehold,
  type ProgramTotals,
  type AreaTotals,
} from '../policy/index.ts';
import { CliError, withStore } from './context.ts';
import { checkMonth } from './policy.command.ts';
import { progressBar } from './progress.ts';
import { formatTable, groupDigits } from './table.ts';

interface SimulateOptions {
  month: string;
  reform?: string;
  households?: string;
  registry?: boolean;
  division?: string;
  demo?: boolean;
  persons?: string;
  seed: string;
  district: string;
  json?: boolean;
}

/** The reform file, parsed and checked against the baseline (its store, and the spec a worker rebuilds it from). */
function loadReform(baseline: ParameterStore, file: string): { store: ParameterStore; spec: ReformSpec } {
  if (!existsSync(file)) throw new CliError(`找不到调整方案文件 ${file}`);
  try {
    const spec: ReformSpec = { reform: parseReformFile(file, readFileSync(file, 'utf8')), label: file };
    return { store: baseline.withReform(spec.reform, spec.label), spec };
  } catch (error) {
    if (error instanceof ParameterFileError) throw new CliError(error.message);
    throw error;
  }
}

/** Counts the households a source yields (on stderr, when it is a terminal): the total is unknown. */
async function* counted(source: PopulationSource, label: string): AsyncGenerator<SourceHousehold> {
  const bar = progressBar(`${label} {value} 户`);
  bar?.start(0, 0);
  let n = 0;
  for await (const item of source) {
    if (++n % 5000 === 0) bar?.update(n);
    yield item;
  }
  bar?.stop();
}

function positiveInteger(value: string | undefined, flag: string): number {
  if (value === undefined) throw new CliError(`${flag} 为必填项`);
  if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
    throw new CliError(`${flag} 应为正整数：${value}`);
  }
  return Number(value);
}

/**
 * Every program over exactly one population: a JSON-lines file (read and computed by worker threads,
 * simulateJsonl), the registry (the configured database) or the generator.
 */
async function populationTotals(
  opts: SimulateOptions,
  month: string,
  reform: { store: ParameterStore; spec: ReformSpec } | null,
): Promise<PopulationTotals> {
  const chosen = [opts.households !== undefined, opts.registry === true, opts.demo === true];
  if (chosen.filter(Boolean).length !== 1) {
    throw new CliError('请指定一个人口来源：--households FILE.jsonl、--registry 或 --demo --persons N');
  }
  if (opts.households !== undefined) {
    if (!existsSync(opts.households)) throw new CliError(`找不到人口文件 ${opts.households}`);
    try {
      return await simulateJsonl(opts.households, month, { reform: reform?.spec ?? null });
    } catch (error) {
      if (error instanceof BatchLineError) throw new CliError(`${opts.households} ${error.message}`);
      throw error;
    }
  }
  // the registry and the generator are loaded only when asked for: a file's simulation starts without
  // the database layer and the generator's name dictionaries (a fifth of a second of a CLI start)
  let pop: Population;
  if (opts.registry) {
    const { registryPolicySource } = await import('../registry/policy-input.service.ts');
    const scope = opts.division ? divisionScope(opts.division) : ALL;
    pop = await withStore((store) =>
      buildPopulation(counted(registryPolicySource(store, scope, month), '读取人口库')),
    );
  } else {
    const persons = positiveInteger(opts.persons, '--persons');
    const { demoPolicySource } = await import('../demo/policy-source.ts');
    const options = { district: opts.district, persons, seed: opts.seed };
    pop = await buildPopulation(counted(demoPolicySource(options, month), '生成合成人口'));
  }
  const m = parseMonth(month);
  return {
    households: pop.householdCount,
    persons: pop.personCount,
    baseline: simulate(pop, m, baselineParameters()),
    reform: reform ? simulate(pop, m, reform.store) : null,
  };
}

const yuan = (fen: number): string => groupDigits(formatYuan(fen));
const count = (n: number): string => groupDigits(String(n));
const signed = (text: string, n: number): string => (n > 0 ? `+${text}` : text);

/** Baseline only: one line per program, named in Chinese beside its code. */
function totalsTable(rows: readonly SimulationRow[]): string {
  return formatTable(
    ['项目', '代码', '户数', '人数', '金额（元/月）', '说明'],
    rows.map((r) => {
      const t = r.baseline;
      return t.error !== undefined
        ? [r.name, r.program, '—', '—', '—', t.error]
        : [r.name, r.program, count(t.households), count(t.persons), yuan(t.costFen), ''];
    }),
    ['left', 'left', 'right', 'right', 'right', 'left'],
  );
}

/** Baseline against the reform, with the difference (reform − baseline). */
function comparisonTable(rows: readonly SimulationRow[]): string {
  return formatTable(
    ['项目', '代码', '基线户数', '调整后户数', '户数差', '基线金额', '调整后金额', '金额差（元/月）', '说明'],
    rows.map((r) => {
      const { baseline: b, reform: a, delta: d } = r;
      const error = b.error ?? a?.error;
      if (error !== undefined || !a || !d)
        return [r.name, r.program, '—', '—', '—', '—', '—', '—', error ?? ''];
      return [
        r.name,
        r.program,
        count(b.households),
        count(a.households),
        signed(count(d.households), d.households),
        yuan(b.costFen),
        yuan(a.costFen),
        signed(yuan(d.costFen), d.costFen),
        '',
      ];
    }),
    ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
  );
}

/** A program's totals per district: its areas (district, street or 居委会 codes) summed by their district. */
function byDistrict(t: ProgramTotals): Map<string, AreaTotals> {
  const out = new Map<string, AreaTotals>();
  for (const [area, a] of Object.entries(t.byArea ?? {})) {
    const district = area.slice(0, 6);
    const sum = out.get(district) ?? { households: 0, persons: 0, costFen: 0 };
    sum.households += a.households;
    sum.persons += a.persons;
    sum.costFen += a.costFen;
    out.set(district, sum);
  }
  return out;
}

/** Per district, when the population spans more than one. */
function districtTable(totals: readonly ProgramTotals[]): string[] {
  const perProgram = totals.map((r) => ({ r, districts: byDistrict(r) }));
  const districts = new Set(perProgram.flatMap(({ districts }) => [...districts.keys()]));
  if (districts.size < 2) return [];
  const rows: string[][] = [];
  for (const { r, districts } of perProgram) {
    for (const [district, t] of [...districts].sort(([a], [b]) => (a < b ? -1 : 1)))
      rows.push([
        PROGRAMS[r.program].name,
        r.program,
        district,
        count(t.households),
        count(t.persons),
        yuan(t.costFen),
      ]);
  }
  return [
    '',
    '按区：',
    formatTable(['项目', '代码', '区划', '户数', '人数', '金额（元/月）'], rows, [
      'left',
      'left',
      'left',
      'right',
      'right',
      'right',
    ]),
  ];
}

async function runSimulate(opts: SimulateOptions): Promise<void> {
  const month = checkMonth(opts.month);
  if (!month) throw new CliError('需要 --month YYYY-MM');
  // a file without a reform needs no parameters here: the workers load their own
  const reform = opts.reform === undefined ? null : loadReform(baselineParameters(), opts.reform);
  const result = await populationTotals(opts, month, reform);
  const out = (text: string): void => {
    process.stdout.write(`${text}\n`);
  };
  const head = `${month}，${count(result.households)} 户 ${count(result.persons)} 人`;
  if (!result.reform) {
    const totals = result.baseline;
    if (opts.json) return out(JSON.stringify({ month, households: result.households, totals }, null, 2));
    return out([head, totalsTable(baselineRows(totals)), ...districtTable(totals)].join('\n'));
  }
  const comparison = compareTotals(result.baseline, result.reform);
  if (opts.json) {
    return out(
      JSON.stringify({ month, households: result.households, reform: opts.reform, comparison }, null, 2),
    );
  }
  out(
    [
      `${head}；调整方案 ${opts.reform ?? ''}（差额 = 调整后 − 基线）`,
      comparisonTable(comparisonRows(comparison)),
    ].join('\n'),
  );
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      '按月模拟全体人口的受助户数与金额，可对比调整方案 (simulate a population, optionally a reform)',
    )
    .requiredOption('--month <YYYY-MM>', '计算月份 (benefit month)')
    .option('--households <file.jsonl>', '人口来源：JSON-lines 文件，每行一户 (JSON-lines population)')
    .option(
      '--registry',
      '人口来源：人口信息库（已配置的数据库；内置数据库在服务运行时请改用控制台“政策测算”页或 POST /api/policy/simulate）(the registry)',
    )
    .option('--division <code>', '与 --registry 同用：只计算该区/街道/居委会 (division)')
    .option('--demo', '人口来源：合成人口，直接生成不入库 (the synthetic generator)')
    .option('--persons <n>', '与 --demo 同用：人数 (persons)')
    .option('--seed <seed>', '与 --demo 同用：随机种子 (seed)', '1')
    .option('--district <code>', '与 --demo 同用：区划代码 (district)', '310110')
    .option('--reform <reform.yaml>', '调整方案：参数覆盖，格式见 docs/parameters.md (parameter overrides)')
    .option('--json', '输出 JSON (JSON output)')
    .action(async (opts: SimulateOptions) => {
      await runSimulate(opts);
    });
}
