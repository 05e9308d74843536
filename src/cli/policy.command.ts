import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { isMonth } from '../policy/engine/month.ts';
import { EXAMPLE_KINDS, HOUSEHOLD_EXAMPLES, isExampleKind } from '../policy/examples.ts';
import {
  evaluateHousehold,
  HouseholdValidationError,
  isProgramCode,
  PROGRAM_CODES,
  validateHousehold,
  type ProgramCode,
} from '../policy/index.ts';
import { CliError } from './context.ts';

/** `-` reads standard input, so that `calc --example | calc --file -` and shell pipes work. */
function readJson(file: string): unknown {
  const label = file === '-' ? '标准输入' : file;
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch {
    throw new CliError(`无法读取${file === '-' ? '标准输入' : `文件 ${file}`}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    // V8's message is English; keep only where it stopped, in words a user reads.
    const message = error instanceof Error ? error.message : '';
    const line = /line (\d+) column (\d+)/.exec(message);
    const position = /position (\d+)/.exec(message);
    const where = line
      ? `（第 ${line[1]} 行第 ${line[2]} 列附近）`
      : position
        ? `（第 ${Number(position[1]) + 1} 个字符附近）`
        : '';
    throw new CliError(`${label} 不是有效的 JSON${where}`);
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
  file?: string;
  month?: string;
  program?: string;
  explain?: boolean;
  example?: string | boolean;
}

function printExample(kind: string | boolean): void {
  const name = kind === true ? 'dibao' : String(kind);
  if (!isExampleKind(name)) throw new CliError(`没有名为 ${name} 的示例；可选：${EXAMPLE_KINDS.join('、')}`);
  process.stdout.write(`${JSON.stringify(HOUSEHOLD_EXAMPLES[name].file, null, 2)}\n`);
}

function calc(opts: CalcOptions): void {
  if (opts.example !== undefined) return printExample(opts.example);
  if (opts.file === undefined)
    throw new CliError(
      '需要 --file 家庭.json（或 --file - 从标准输入读取）；格式见 docs/household-file.md，示例：minzheng calc --example > 家庭.json',
    );
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
    .option(
      '--file <household.json>',
      '家庭 JSON 文件，- 为标准输入（格式见 docs/household-file.md）(household file)',
    )
    .option(
      '--example [kind]',
      `打印一份完整的示例家庭 JSON：${EXAMPLE_KINDS.join('、')}（默认 dibao）(print an example household)`,
    )
    .option('--month <YYYY-MM>', '计算月份，覆盖文件中的 month (benefit month)')
    .option('--program <code>', `只计算一个项目 (one program): ${PROGRAM_CODES.join(', ')}`)
    .option('--explain', '输出计算过程与中文说明 (trace and narrative)')
    .action((opts: CalcOptions) => {
      calc(opts);
    });
}
