import { OPERATOR } from '../auth/roles.ts';
import type { Command } from 'commander';
import { ALL } from '../auth/scope.ts';
import type { Store } from '../db/store.ts';
import {
  correctPerson,
  recordDeath,
  registerBirth,
  type PersonCorrection,
} from '../registry/edits/edits.service.ts';
import { maskIdNumber } from '../registry/id-number.ts';
import { managingDistrictOf, searchHouseholds, searchPersons } from '../registry/registry.service.ts';
import { listTransfers } from '../registry/transfer/transfer.service.ts';
import { correctDeathDate } from '../registry/edits/death-correction.service.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { CliError, withStore } from './context.ts';
import { formatTable } from './table.ts';

/**
 * `minzheng registry …`: the registry edits an operator needs at the terminal (a death reported by the
 * civil registry, a correction, a birth), through the same services as the API and the console, each in
 * one unit of work with the operator's reason. The operator acts for the city (every district).
 */

interface Deps {
  actor: (reason: string) => ActingContext;
  fail: (error: unknown) => never;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function requireReason(reason: string | undefined): string {
  const text = reason?.trim();
  if (!text) throw new CliError('请用 --reason 说明变更原因（将记入审计日志）');
  return text;
}

function optionalInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CliError(`${flag} 应为正整数：${value}`);
  return Number(value);
}

/**
 * A person named by ID number (18 characters) or person id, managed by one district. The search reads
 * the city as its managing rows, so a person moved between districts is found once.
 */
async function findOne(
  store: Store,
  who: string,
  fail: Deps['fail'],
): Promise<{ districtCode: string; id: string }> {
  const id = who.trim();
  if (UUID.test(id)) {
    const districtCode = await managingDistrictOf(store.db, id);
    if (!districtCode) throw new CliError(`人员不存在：${id}`);
    return { districtCode, id };
  }
  if (id.length !== 18) throw new CliError('请用18位身份证号或人员ID指定人员');
  const page = await searchPersons(store.db, ALL, { idNumber: id, includeDead: true, limit: 5 }).catch(fail);
  const [first] = page.rows;
  if (!first) throw new CliError(`没有身份证号为 ${maskIdNumber(id.toUpperCase())} 的人员`);
  return first;
}

function personLine(p: { name: string; idNumber: string }): string {
  return `${p.name}（${p.idNumber.includes('*') ? p.idNumber : maskIdNumber(p.idNumber)}）`;
}

export function registerRegistryEditCommands(program: Command, deps: Deps): void {
  const registry = program
    .command('registry')
    .description('登记变更：死亡、出生、更正，跨区迁移查询 (registry edits)');

  registry
    .command('death')
    .argument('<person>', '18位身份证号或人员ID (ID number or person id)')
    .description('死亡登记：登记死亡日期，次日起终止其全部成员关系 (record a death)')
    .requiredOption('--date <YYYY-MM-DD>', '死亡日期 (date of death)')
    .requiredOption('--reason <text>', '变更原因，如死亡证明编号 (reason; audited)')
    .option('--expected-version <n>', '核对时读到的人员版本号；已被他人修改则拒绝 (expected version)')
    .action(async (who: string, opts: { date: string; reason: string; expectedVersion?: string }) => {
      const reason = requireReason(opts.reason);
      const expected = optionalInt(opts.expectedVersion, '--expected-version');
      const done = await withStore(async (store) => {
        const person = await findOne(store, who, deps.fail);
        return inUnitOfWork(store, deps.actor(reason), (tx) =>
          recordDeath(tx, ALL, {
            districtCode: person.districtCode,
            personId: person.id,
            version: expected,
            deathDate: opts.date,
          }),
        ).catch(deps.fail);
      });
      const p = done.value.person;
      process.stdout.write(
        `已登记死亡：${personLine(p)}，死亡日期 ${opts.date}；终止成员关系 ${done.value.ended.length} 条（${opts.date} 次日起）\n`,
      );
      for (const h of done.value.headless) {
        process.stdout.write(`注意：户「${h.householdNo}」现无户主，请办理变更户主\n`);
      }
    });

  registry
    .command('correct-death')
    .argument('<person>', '18位身份证号或人员ID (ID number or person id)')
    .description('更正死亡日期：因死亡终止的成员关系和经济状况信息随之改期 (correct a date of death)')
    .requiredOption('--date <YYYY-MM-DD>', '正确的死亡日期 (the right date of death)')
    .requiredOption('--reason <text>', '更正原因，如死亡证明编号 (reason; audited)')
    .option('--expected-version <n>', '核对时读到的人员版本号；已被他人修改则拒绝 (expected version)')
    .action(async (who: string, opts: { date: string; reason: string; expectedVersion?: string }) => {
      const reason = requireReason(opts.reason);
      const expected = optionalInt(opts.expectedVersion, '--expected-version');
      const done = await withStore(async (store) => {
        const person = await findOne(store, who, deps.fail);
        return inUnitOfWork(store, deps.actor(reason), (tx) =>
          correctDeathDate(tx, ALL, {
            districtCode: person.districtCode,
            personId: person.id,
            version: expected,
            deathDate: opts.date,
          }),
        ).catch(deps.fail);
      });
      process.stdout.write(
        `已更正死亡日期：${personLine(done.value.person)}，死亡日期 ${opts.date}；随之改期的成员关系 ${done.value.moved.length} 条\n`,
      );
    });

  registry
    .command('correct')
    .argument('<person>', '18位身份证号或人员ID (ID number or person id)')
    .description(
      '更正人员信息：姓名、性别、出生日期、身份证号、民族、婚姻状况、电话、户籍地 (correct a person)',
    )
    .option('--name <name>', '姓名')
    .option('--sex <code>', '性别代码（GB/T 2261.1：1 男，2 女）')
    .option('--birth-date <YYYY-MM-DD>', '出生日期')
    .option('--id-number <id>', '身份证号')
    .option('--ethnicity <code>', '民族代码（GB/T 3304 两位数字）')
    .option('--marital-status <code>', '婚姻状况代码（GB/T 2261.2）')
    .option('--phone <phone>', '联系电话')
    .option('--hukou <code>', '户籍地区划代码')
    .requiredOption('--reason <text>', '变更原因 (reason; audited)')
    .option('--expected-version <n>', '人员版本号；已被他人修改则拒绝 (expected version)')
    .action(
      async (
        who: string,
        opts: {
          name?: string;
          sex?: string;
          birthDate?: string;
          idNumber?: string;
          ethnicity?: string;
          maritalStatus?: string;
          phone?: string;
          hukou?: string;
          reason: string;
          expectedVersion?: string;
        },
      ) => {
        const reason = requireReason(opts.reason);
        const changes: PersonCorrection = {
          ...(opts.name !== undefined ? { name: opts.name } : {}),
          ...(opts.sex !== undefined ? { sex: optionalInt(opts.sex, '--sex') } : {}),
          ...(opts.birthDate !== undefined ? { birthDate: opts.birthDate } : {}),
          ...(opts.idNumber !== undefined ? { idNumber: opts.idNumber.trim().toUpperCase() } : {}),
          ...(opts.ethnicity !== undefined ? { ethnicity: opts.ethnicity } : {}),
          ...(opts.maritalStatus !== undefined ? { maritalStatus: opts.maritalStatus } : {}),
          ...(opts.phone !== undefined ? { phone: opts.phone } : {}),
          ...(opts.hukou !== undefined ? { hukouDivisionCode: opts.hukou } : {}),
        };
        if (Object.keys(changes).length === 0) throw new CliError('请至少指定一项要更正的信息，如 --name');
        const expected = optionalInt(opts.expectedVersion, '--expected-version');
        const done = await withStore(async (store) => {
          const person = await findOne(store, who, deps.fail);
          return inUnitOfWork(store, deps.actor(reason), (tx) =>
            correctPerson(tx, ALL, {
              districtCode: person.districtCode,
              personId: person.id,
              version: expected,
              changes,
            }),
          ).catch(deps.fail);
        });
        process.stdout.write(`已更正：${personLine(done.value)}，更正 ${Object.keys(changes).join('、')}\n`);
      },
    );

  registry
    .command('birth')
    .argument('<householdNo>', '户编号 (household number)')
    .description('出生登记：新生儿登记为该户成员，自出生之日起 (register a birth)')
    .requiredOption('--name <name>', '姓名')
    .requiredOption('--sex <code>', '性别代码（1 男，2 女）')
    .requiredOption('--birth-date <YYYY-MM-DD>', '出生日期')
    .requiredOption('--id-number <id>', '身份证号')
    .requiredOption('--relation <code>', '与户主关系代码（GB/T 4761，如 20 子、30 女、41 孙子）')
    .requiredOption('--hukou <code>', '户籍地区划代码')
    .requiredOption('--reason <text>', '变更原因 (reason; audited)')
    .option('--district <code>', '6位区代码；仅当多个区有同一户编号时需要')
    .action(
      async (
        householdNo: string,
        opts: {
          name: string;
          sex: string;
          birthDate: string;
          idNumber: string;
          relation: string;
          hukou: string;
          reason: string;
          district?: string;
        },
      ) => {
        const reason = requireReason(opts.reason);
        const sex = optionalInt(opts.sex, '--sex') ?? 0;
        const done = await withStore(async (store) => {
          const page = await searchHouseholds(store.db, ALL, { householdNo, limit: 10 }).catch(deps.fail);
          const matches = page.rows.filter(
            (r) => opts.district === undefined || r.districtCode === opts.district,
          );
          if (matches.length > 1) {
            throw new CliError(`户编号 ${householdNo} 在多个区都有，请用 --district 指定区`);
          }
          const [household] = matches;
          if (!household) throw new CliError(`家庭户不存在：${householdNo}`);
          return inUnitOfWork(store, deps.actor(reason), (tx) =>
            registerBirth(tx, ALL, {
              household: { districtCode: household.districtCode, id: household.id },
              person: {
                name: opts.name,
                sex,
                birthDate: opts.birthDate,
                idNumber: opts.idNumber.trim().toUpperCase(),
                hukouDivisionCode: opts.hukou,
              },
              relationCode: opts.relation,
            }),
          ).catch(deps.fail);
        });
        process.stdout.write(
          `已登记出生：${opts.name}，${opts.birthDate} 起为户「${householdNo}」成员（人员ID ${done.value.personId}）\n`,
        );
      },
    );

  registry
    .command('transfers')
    .description('跨区迁移：迁入某区的（待接收）或某区发起的 (cross-district transfers)')
    .requiredOption('--district <code>', '6位区代码')
    .option('--outgoing', '列出该区发起的迁出（默认列出迁入该区的）')
    .option('--state <state>', '状态：pending 待接收、accepted 已接收、refused 已退回、withdrawn 已撤回')
    .action(async (opts: { district: string; outgoing?: boolean; state?: string }) => {
      if (!/^\d{6}$/.test(opts.district)) throw new CliError(`--district 应为6位区代码：${opts.district}`);
      const states = ['pending', 'accepted', 'refused', 'withdrawn'] as const;
      const state = states.find((s) => s === opts.state);
      if (opts.state !== undefined && !state) throw new CliError(`--state 应为：${states.join('、')}`);
      const rows = await withStore((store) =>
        listTransfers(
          store.db,
          { scope: { kind: 'division', code: opts.district }, role: OPERATOR },
          { direction: opts.outgoing ? 'outgoing' : 'incoming', state, limit: 200 },
        ),
      );
      process.stdout.write(
        `${formatTable(
          ['状态', '姓名', '身份证号', '迁出区', '迁入区', '迁移日期', '发起时间'],
          rows.map((r) => [
            r.stateName,
            r.person.name,
            r.person.idNumberMasked,
            r.districtName ?? r.districtCode,
            r.toDistrictName ?? r.toDistrictCode,
            r.moveDate,
            r.createdAt.slice(0, 10),
          ]),
        )}\n共 ${rows.length} 条\n`,
      );
    });
}
