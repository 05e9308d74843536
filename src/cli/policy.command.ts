import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isMonth } from '../policy/engine/month.ts';
import {
  evaluateHousehold,
  HouseholdValidationError,
  isProgramCode,
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

export function checkMonth(month: string | undefined): string | undefined {
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
}
