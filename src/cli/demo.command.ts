import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { DemoDataExistsError, loadDemoPopulation, type LoadStage } from '../demo/demo.service.ts';
import { DEFAULT_DISTRICT, PopulationOptionsError, resolveOptions } from '../demo/generator.ts';
import { writePopulationCsv, type PopulationSummary } from '../demo/population-sink.ts';
import { CliError, withStore } from './context.ts';

interface GenerateFlags {
  district: string;
  persons: string;
  seed: string;
  csv?: string;
  asOf?: string;
}

const STAGE_NAMES: Record<LoadStage, string> = {
  persons: '人员',
  households: '户',
  household_members: '成员关系',
};

/** A progress bar on stderr when it is a terminal; nothing otherwise (logs stay clean). */
function progressBar(): { update: (stage: string, done: number, total: number) => void; stop: () => void } {
  if (!process.stderr.isTTY) return { update: () => {}, stop: () => {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{stage} [{bar}] {percentage}% | {value}/{total}', hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: (stage, done, total) => {
      if (!started) {
        bar.start(total, done, { stage });
        started = true;
      } else bar.setTotal(total);
      bar.update(done, { stage });
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}

function parsePersons(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
    throw new CliError(`--persons 应为正整数：${value}`);
  }
  return Number(value);
}

function summaryLine(s: PopulationSummary, where: string): string {
  return `已生成演示人口：区划 ${s.district}，${s.households} 户 ${s.persons} 人（另有近三年已故 ${s.deceased} 人），${s.memberships} 条成员关系，${s.facts} 条经济状况事实（${where}；合成数据，非真实个人信息）\n`;
}

async function generate(flags: GenerateFlags): Promise<void> {
  const options = {
    district: flags.district,
    persons: parsePersons(flags.persons),
    seed: flags.seed,
    ...(flags.asOf === undefined ? {} : { asOf: flags.asOf }),
  };
  try {
    resolveOptions(options);
  } catch (error) {
    if (error instanceof PopulationOptionsError) throw new CliError(error.message);
    throw error;
  }
  const bar = progressBar();
  try {
    if (flags.csv !== undefined) {
      const dir = resolve(flags.csv);
      const summary = await writePopulationCsv(dir, options, (done, total) =>
        bar.update('人员', done, total),
      );
      bar.stop();
      process.stdout.write(summaryLine(summary, `CSV 文件在 ${dir}`));
      return;
    }
    const summary = await withStore((store) =>
      loadDemoPopulation(store, options, {
        onProgress: (stage, done, total) => bar.update(STAGE_NAMES[stage], done, total),
        // The load is this command's unit of work: its rows and its one audit record commit together.
        actor: {
          userId: `cli:${userInfo().username}`,
          divisionCode: options.district,
          reason: '命令行生成演示数据',
        },
      }),
    );
    bar.stop();
    process.stdout.write(summaryLine(summary, '已写入数据库'));
  } catch (error) {
    bar.stop();
    if (error instanceof DemoDataExistsError) throw new CliError(error.message);
    throw error;
  }
}

export function registerDemoCommands(program: Command): void {
  const demo = program
    .command('demo')
    .description('演示数据：合成的上海某区人口 (synthetic demo population)');
  demo
    .command('generate')
    .description(
      '生成合成人口（户、人员、成员关系、近三年的经济状况事实），默认写入已配置的数据库，或用 --csv 写成 CSV 文件 (generate a synthetic population)',
    )
    .option('--district <code>', '上海市区级区划代码 (district code)', DEFAULT_DISTRICT)
    .requiredOption('--persons <n>', '人数，正整数 (number of persons)')
    .option('--seed <seed>', '随机种子，相同种子生成相同数据 (seed)', '1')
    .option(
      '--csv <dir>',
      '写入该目录下的 persons.csv、households.csv、household_members.csv、economic_facts.csv，不写数据库 (CSV output folder)',
    )
    .option('--as-of <date>', '年龄计算的基准日期 YYYY-MM-DD，默认今天（上海时间） (reference date)')
    .action(async (flags: GenerateFlags) => generate(flags));
}
