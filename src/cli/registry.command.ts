import { userInfo } from 'node:os';
import type { Command } from 'commander';
import displayWidth from 'string-width';
import { ALL } from '../auth/scope.ts';
import { formatYuan } from '../policy/engine/exact.ts';
import { CATEGORY_NAMES, DISABILITY_CATEGORIES, DISABILITY_GRADES } from '../registry/codes.ts';
import {
  getHouseholdDetail,
  RegistryError,
  searchHouseholds,
  searchPersons,
  type HouseholdDetail,
  type PersonSearch,
  type PersonSummary,
} from '../registry/registry.service.ts';
import { maskIdNumber } from '../registry/id-number.ts';
import type { Db } from '../db/store.ts';
import { recordOnly, type ActingContext } from '../workflow/unit-of-work.ts';
import { WorkflowError } from '../workflow/workflow.errors.ts';
import { registerRegistryEditCommands } from './registry-edits.command.ts';
import { CliError, withStore } from './context.ts';

/** A table for the terminal: columns padded to the widest cell (Chinese characters take two columns). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) =>
    Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c + ' '.repeat(widths[i]! - displayWidth(c)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function positiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new CliError(`${flag} 应为非负整数：${value}`);
  return Number(value);
}

/** The operator at the terminal: a city-level actor (the CLI acts on every district) named by their login. */
function cliActor(reason: string): ActingContext {
  return { userId: `cli:${userInfo().username}`, divisionCode: null, requestId: undefined, reason };
}

/** Showing full ID numbers is an administrative action: it needs a reason and leaves an audit row. */
function requireUnmaskReason(opts: { unmask?: boolean; reason?: string }): string | undefined {
  if (!opts.unmask) return undefined;
  const reason = opts.reason?.trim();
  if (!reason) throw new CliError('--unmask 是管理操作，须用 --reason 说明原因（将记入审计日志）');
  return reason;
}

/** A searched full ID number as the audit row keeps it: masked (the last four stay, as searched). */
function auditedIdQuery(idNumber: string | undefined): string | undefined {
  return idNumber !== undefined && idNumber.trim().length === 18 ? maskIdNumber(idNumber.trim()) : idNumber;
}

function fail(error: unknown): never {
  if (error instanceof RegistryError || error instanceof WorkflowError) throw new CliError(error.message);
  throw error;
}

interface FindOptions {
  name?: string;
  contains?: boolean;
  initials?: string;
  idNumber?: string;
  division?: string;
  includeDead?: boolean;
  limit: string;
  offset: string;
  json?: boolean;
  unmask?: boolean;
  reason?: string;
}

function personRows(rows: readonly PersonSummary[]): string[][] {
  return rows.map((r) => [
    r.name,
    r.sexName,
    r.birthDate,
    r.idNumber,
    r.householdNo ?? '—',
    [r.streetName, r.committeeName].filter(Boolean).join(' ') || r.residenceDivisionCode,
    r.deathDate ? `已故 ${r.deathDate}` : '',
  ]);
}

async function findPersons(opts: FindOptions): Promise<void> {
  const reason = requireUnmaskReason(opts);
  const query: PersonSearch = {
    name: opts.name,
    nameMatch: opts.contains ? 'contains' : 'prefix',
    initials: opts.initials,
    idNumber: opts.idNumber,
    divisionCode: opts.division,
    includeDead: opts.includeDead === true,
    limit: positiveInt(opts.limit, '--limit'),
    offset: positiveInt(opts.offset, '--offset'),
    unmask: opts.unmask === true,
  };
  const page = await withStore(async (store) => {
    const result = await searchPersons(store.db, ALL, query).catch(fail);
    if (reason) {
      await recordOnly(store, cliActor(reason), reason, {
        action: 'person.unmask',
        entityType: 'person',
        entityId: result.rows.map((r) => r.id).join(',') || null,
        // The persons' district when they share one; a search across districts is filed at the city level.
        district:
          new Set(result.rows.map((r) => r.districtCode)).size === 1
            ? result.rows[0]?.districtCode
            : '310000',
        // Like the API's unmask row, the audit row holds no full ID number (the person ids say who).
        after: {
          query: { ...query, unmask: undefined, idNumber: auditedIdQuery(query.idNumber) },
          shown: result.rows.length,
        },
      });
    }
    return result;
  });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
    return;
  }
  const header = ['姓名', '性别', '出生日期', '身份证号', '户编号', '居住地', '状态'];
  process.stdout.write(`${formatTable(header, personRows(page.rows))}\n`);
  process.stdout.write(`${pageLine(page)}${opts.unmask ? '（完整身份证号，已记入审计日志）' : ''}\n`);
}

/** How many matched and which are shown; the count stops a window past the page, and then says "more than". */
export function pageLine(page: {
  total: number;
  totalExact: boolean;
  offset: number;
  rows: readonly unknown[];
}): string {
  const shown = `显示第 ${page.rows.length ? page.offset + 1 : 0}–${page.offset + page.rows.length} 条`;
  return page.totalExact
    ? `共 ${page.total} 人，${shown}`
    : `超过 ${page.total} 人，${shown}；翻页可继续计数，或用条件缩小查询`;
}

function householdText(d: HouseholdDetail): string {
  const h = d.household;
  const disability = (c: number | null, g: number | null) =>
    c === null
      ? ''
      : `${DISABILITY_CATEGORIES[c as keyof typeof DISABILITY_CATEGORIES] ?? c}${g === null ? '' : (DISABILITY_GRADES[g as keyof typeof DISABILITY_GRADES] ?? g)}`;
  const lines = [
    `户编号：${h.householdNo}`,
    `所在地：${[h.districtName, h.streetName, h.committeeName].filter(Boolean).join(' ')}（${h.committeeCode}）`,
    `地址：${h.address || '—'}`,
    `家庭财产：货币财产 ${formatYuan(h.monetaryAssetsFen)} 元，机动车 ${h.vehicles} 辆，住房 ${h.homes} 套${h.perCapitaFloorAreaBelowAverage ? '（人均面积低于平均）' : ''}`,
    '',
    `现有成员（${d.members.length} 人）：`,
    formatTable(
      ['关系', '姓名', '性别', '出生日期', '身份证号', '残疾', '特殊类别', '迁入日期'],
      d.members.map((m) => [
        `${m.relationName}(${m.relationCode})`,
        m.person.name,
        m.person.sex === 1 ? '男' : m.person.sex === 2 ? '女' : '未知',
        m.person.birthDate,
        m.person.idNumber,
        disability(m.person.disabilityCategory, m.person.disabilityGrade),
        m.person.categories.map((c) => CATEGORY_NAMES[c]).join('、'),
        m.validFrom,
      ]),
    ),
    '',
    `成员变动记录（${d.history.length} 条）：`,
    formatTable(
      ['姓名', '关系', '起始日期', '终止日期', '终止原因'],
      d.history.map((r) => [
        r.name,
        `${r.relationName}(${r.relationCode})`,
        r.validFrom,
        r.validTo ?? '至今',
        r.endReasonName ?? '',
      ]),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

interface ShowOptions {
  district?: string;
  json?: boolean;
  unmask?: boolean;
  reason?: string;
}

/**
 * The district of a household number: household numbers are unique within a district, and most name
 * theirs (310110D000000042); `--district` is needed only when the same number exists in two districts.
 */
async function districtOf(db: Db, householdNo: string, district: string | undefined): Promise<string> {
  if (district !== undefined) return district;
  const page = await searchHouseholds(db, ALL, { householdNo, limit: 10 }).catch(fail);
  const districts = [...new Set(page.rows.map((row) => row.districtCode))];
  if (districts.length > 1) {
    throw new CliError(`户编号 ${householdNo} 在 ${districts.join('、')} 各有一户，请用 --district 指定区`);
  }
  const [only] = districts;
  if (only === undefined) throw new CliError('家庭户不存在或不在您的数据范围内');
  return only;
}

async function showHousehold(householdNo: string, opts: ShowOptions): Promise<void> {
  if (opts.district !== undefined && !/^\d{6}$/.test(opts.district)) {
    throw new CliError(`--district 应为6位区代码：${opts.district}`);
  }
  const reason = requireUnmaskReason(opts);
  const detail = await withStore(async (store) => {
    const districtCode = await districtOf(store.db, householdNo, opts.district);
    const result = await getHouseholdDetail(
      store.db,
      ALL,
      { districtCode, householdNo },
      { unmask: opts.unmask === true },
    ).catch(fail);
    if (reason) {
      await recordOnly(store, cliActor(reason), reason, {
        action: 'person.unmask',
        entityType: 'household',
        entityId: result.household.id,
        district: districtCode,
        after: { householdNo, districtCode, persons: result.history.length },
      });
    }
    return result;
  });
  process.stdout.write(opts.json ? `${JSON.stringify(detail, null, 2)}\n` : householdText(detail));
}

export function registerRegistryCommands(program: Command): void {
  const persons = program.command('persons').description('人员信息查询 (population registry: persons)');
  persons
    .command('find')
    .description('查询人员，身份证号默认脱敏显示 (search persons; ID numbers masked)')
    .option('--name <name>', '姓名，前缀匹配 (name prefix)')
    .option('--contains', '姓名按包含匹配 (substring match for --name)')
    .option('--initials <letters>', '姓名拼音首字母，前缀匹配，如 zs (pinyin initials prefix)')
    .option('--id-number <id>', '身份证号：18位精确匹配，或后4位 (full ID number or its last 4)')
    .option('--division <code>', '区/街道/居委会代码 (district, street or committee code)')
    .option('--include-dead', '包括已故人员 (include deceased persons)')
    .option('--limit <n>', '每页条数，最多500 (page size)', '20')
    .option('--offset <n>', '跳过条数 (offset)', '0')
    .option('--json', '以 JSON 输出 (JSON output)')
    .option(
      '--unmask',
      '显示完整身份证号和电话：管理操作，须填 --reason，记入审计日志 (administrative: show full ID numbers; audited)',
    )
    .option('--reason <text>', '操作原因 (reason, required with --unmask)')
    .action((opts: FindOptions) => findPersons(opts));

  const households = program
    .command('households')
    .description('家庭户查询 (population registry: households)');
  households
    .command('show')
    .argument('<householdNo>', '户编号 (household number)')
    .description('显示家庭户、现有成员及成员变动记录 (household, current members and membership history)')
    .option('--district <code>', '6位区代码，如 310110；仅当多个区有同一户编号时需要 (district code)')
    .option('--json', '以 JSON 输出 (JSON output)')
    .option('--unmask', '显示完整身份证号：管理操作，须填 --reason，记入审计日志 (administrative; audited)')
    .option('--reason <text>', '操作原因 (reason, required with --unmask)')
    .action((householdNo: string, opts: ShowOptions) => showHousehold(householdNo, opts));

  registerRegistryEditCommands(program, { actor: cliActor, fail });
}
