import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatYuan } from '../policy/engine/exact.ts';
import { isMonth, parseMonth } from '../policy/engine/month.ts';
import { ParameterFileError } from '../policy/engine/parameter-store.ts';
import { BatchLineError, readJsonlPopulation } from '../policy/engine/population-source.ts';
import { compareReform, simulate, type ProgramTotals } from '../policy/engine/simulate.ts';
import {
  baselineParameters,
  evaluateHousehold,
  HouseholdValidationError,
  isProgramCode,
  parseReformFile,
  PROGRAM_CODES,
  validateHousehold,
  type ProgramCode,
} from '../policy/index.ts';
import { CliError } from './context.ts';

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new CliError(`无法读取文件 ${file}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new CliError(`${file} 不是有效的 JSON：${error instanceof Error ? error.message : String(error)}`);
  }
}

function checkMonth(month: string | undefined): string | undefined {
  if (month !== undefined && !isMonth(month)) throw new CliError(`--month 格式应为 YYYY-MM：${month}`);
  return month;
}

function programOption(code: string | undefined): ProgramCode | undefined {
  if (code === undefined) return undefined;
  if (!isProgramCode(code)) throw new CliError(`未知项目 ${code}；可选：${PROGRAM_CODES.join(', ')}`);
  return code;
}

interface CalcOptions {
  file: string;
  month?: string;
  program?: string;
  explain?: boolean;
}

function calc(opts: CalcOptions): void {
  const program = programOption(opts.program);
  let request: ReturnType<typeof validateHousehold>;
  try {
    request = validateHousehold(readJson(opts.file), checkMonth(opts.month));
  } catch (error) {
    if (error instanceof HouseholdValidationError) throw new CliError(`输入无效 ${error.message}`);
    throw error;
  }
  const evaluation = evaluateHousehold(request.household, request.month, {
    explain: opts.explain ?? false,
    ...(program ? { programs: [program] } : {}),
  });
  const failed = program ? evaluation.results.find((r) => r.error !== undefined) : undefined;
  if (failed?.error !== undefined) throw new CliError(failed.error);
  process.stdout.write(`${JSON.stringify(evaluation, null, 2)}\n`);
}

interface SimulateOptions {
  month: string;
  reform?: string;
  households?: string;
  json?: boolean;
}

const pad = (s: string, n: number): string => s.padStart(n);

function table(rows: ProgramTotals[]): string {
  const lines = [
    `${'项目 (program)'.padEnd(30)}${pad('户数', 10)}${pad('人数', 10)}${pad('金额（元/月）', 20)}`,
  ];
  for (const r of rows)
    lines.push(
      r.error
        ? `${r.program.padEnd(30)}  错误：${r.error}`
        : `${r.program.padEnd(30)}${pad(String(r.households), 12)}${pad(String(r.persons), 12)}${pad(formatYuan(r.costFen), 22)}`,
    );
  return lines.join('\n');
}

async function runSimulate(opts: SimulateOptions): Promise<void> {
  const month = checkMonth(opts.month);
  if (!month) throw new CliError('需要 --month YYYY-MM');
  if (!opts.households)
    throw new CliError(
      '需要 --households FILE.jsonl（登记库与合成人口来源尚未接入 (registry source not wired yet)）',
    );
  if (!existsSync(opts.households)) throw new CliError(`找不到人口文件 ${opts.households}`);
  if (opts.reform !== undefined && !existsSync(opts.reform))
    throw new CliError(`找不到改革方案文件 ${opts.reform}`);
  const baseline = baselineParameters();
  let reform = null;
  if (opts.reform !== undefined) {
    try {
      reform = baseline.withReform(
        parseReformFile(opts.reform, readFileSync(opts.reform, 'utf8')),
        opts.reform,
      );
    } catch (error) {
      if (error instanceof ParameterFileError) throw new CliError(error.message);
      throw error;
    }
  }
  let pop;
  try {
    pop = await readJsonlPopulation(opts.households, month);
  } catch (error) {
    if (error instanceof BatchLineError) throw new CliError(`${opts.households} ${error.message}`);
    throw error;
  }
  const m = parseMonth(month);
  if (!reform) {
    const totals = simulate(pop, m, baseline);
    if (opts.json)
      process.stdout.write(`${JSON.stringify({ month, households: pop.householdCount, totals }, null, 2)}\n`);
    else process.stdout.write(`${month}，${pop.householdCount} 户 ${pop.personCount} 人\n${table(totals)}\n`);
    return;
  }
  const rows = compareReform(pop, m, baseline, reform);
  if (opts.json) {
    process.stdout.write(
      `${JSON.stringify({ month, households: pop.householdCount, reform: opts.reform, comparison: rows }, null, 2)}\n`,
    );
    return;
  }
  const lines = [
    `${month}，${pop.householdCount} 户；改革方案 ${opts.reform}（改革 − 基线）`,
    `${'项目 (program)'.padEnd(30)}${pad('基线户数', 10)}${pad('改革户数', 10)}${pad('户数差', 8)}${pad('基线金额', 18)}${pad('改革金额', 18)}${pad('金额差（元/月）', 18)}`,
  ];
  for (const r of rows)
    lines.push(
      r.baseline.error || r.reform.error
        ? `${r.program.padEnd(30)}  错误：${r.baseline.error ?? r.reform.error ?? ''}`
        : `${r.program.padEnd(30)}${pad(String(r.baseline.households), 12)}${pad(String(r.reform.households), 12)}${pad(String(r.householdsDelta), 10)}${pad(formatYuan(r.baseline.costFen), 20)}${pad(formatYuan(r.reform.costFen), 20)}${pad(formatYuan(r.costDeltaFen), 20)}`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}

export function registerPolicyCommands(program: Command): void {
  program
    .command('calc')
    .description('计算一户家庭的各项救助待遇 (evaluate one household)')
    .requiredOption('--file <household.json>', '家庭 JSON 文件（SPEC.md 交换格式）(household file)')
    .option('--month <YYYY-MM>', '计算月份，覆盖文件中的 month (benefit month)')
    .option('--program <code>', `只计算一个项目 (one program): ${PROGRAM_CODES.join(', ')}`)
    .option('--explain', '输出计算过程与中文说明 (trace and narrative)')
    .action((opts: CalcOptions) => {
      calc(opts);
    });
  program
    .command('simulate')
    .description(
      '按月模拟全体人口的受助户数与金额，可对比改革方案 (simulate a population, optionally a reform)',
    )
    .requiredOption('--month <YYYY-MM>', '计算月份 (benefit month)')
    .option('--households <file.jsonl>', '人口文件，每行一户 (JSON-lines population)')
    .option('--reform <reform.yaml>', '改革方案：参数覆盖，格式同参数文件 (parameter overrides)')
    .option('--json', '输出 JSON (JSON output)')
    .action(async (opts: SimulateOptions) => {
      await runSimulate(opts);
    });
}
