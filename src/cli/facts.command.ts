import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { ALL } from '../auth/scope.ts';
import { shanghaiToday } from '../core/clock.ts';
import type { Db } from '../db/store.ts';
import { CATEGORY_LIST, CATEGORY_NAMES } from '../registry/codes.ts';
import {
  addFact,
  describeValue,
  endFact,
  listFacts,
  type SubjectRef,
} from '../registry/facts/facts.service.ts';
import {
  FACT_KIND_LIST,
  FACT_KINDS,
  isFactKind,
  SOURCE_KIND_LIST,
  SOURCE_KINDS,
  type FactKind,
} from '../registry/facts/facts.types.ts';
import type { NewFactInput } from '../registry/facts/facts.validation.ts';
import { maskIdNumber } from '../registry/id-number.ts';
import {
  getPerson,
  managingDistrictOf,
  RegistryError,
  RegistryValidationError,
  searchHouseholds,
  searchPersons,
} from '../registry/registry.service.ts';
import { inUnitOfWork, type ActingContext } from '../workflow/unit-of-work.ts';
import { WorkflowError } from '../workflow/workflow.errors.ts';
import { CliError, withStore } from './context.ts';
import { formatTable } from './table.ts';

/**
 * `minzheng facts list|add|end`: a person's or a household's 经济状况事实 at the terminal, through the facts
 * service the API and the console use. `add` and `end` run in one unit of work with the operator's reason
 * (audited as fact.added / fact.superseded / fact.ended); the operator acts for the city, as with
 * `registry death|correct|birth`. Corrections (rewriting history) stay in the console and the API.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ID_NUMBER = /^\d{17}[\dXx]$/;

/** The operator at the terminal: a city-level actor named by their login. */
function cliActor(reason: string): ActingContext {
  return { userId: `cli:${userInfo().username}`, divisionCode: null, reason };
}

/** The service's field names, as the options an operator typed. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  kind: '--kind',
  amountFen: '--value',
  quantity: '--value',
  flag: '--value',
  disabilityCategory: '--value',
  disabilityGrade: '--value',
  category: '--value',
  validFrom: '--from',
  validTo: '--to',
  sourceKind: '--source',
  sourceRef: '--ref',
  asOf: '--as-of',
};

function fail(error: unknown): never {
  if (error instanceof RegistryValidationError) {
    throw new CliError(
      error.problems.map((p) => `${FLAG_OF_FIELD[p.field] ?? p.field}：${p.message}`).join('；'),
    );
  }
  if (error instanceof RegistryError || error instanceof WorkflowError) throw new CliError(error.message);
  throw error;
}

function requireReason(reason: string | undefined): string {
  const text = reason?.trim();
  if (!text) throw new CliError('请用 --reason 说明原因（将记入审计日志）');
  return text;
}

function checkDistrict(district: string | undefined): void {
  if (district !== undefined && !/^\d{6}$/.test(district)) {
    throw new CliError(`--district 应为6位区代码：${district}`);
  }
}

interface Subject extends SubjectRef {
  /** How the output names it: 人员 张三（310110********1234）, 家庭户 310110D000000042（户主 张三）. */
  label: string;
}

/**
 * Whose facts: a person by 18-character ID number or person id, otherwise a household by 户编号 (unique in
 * its district; `--district` only when two districts have the same number).
 */
async function findSubject(db: Db, who: string, district: string | undefined): Promise<Subject> {
  const key = who.trim();
  if (ID_NUMBER.test(key) || UUID.test(key)) {
    const person = UUID.test(key)
      ? await personById(db, key)
      : (await searchPersons(db, ALL, { idNumber: key, includeDead: true, limit: 5 }).catch(fail)).rows[0];
    if (!person) {
      throw new CliError(
        UUID.test(key) ? `人员不存在：${key}` : `没有身份证号为 ${maskIdNumber(key.toUpperCase())} 的人员`,
      );
    }
    return {
      subjectType: 'person',
      districtCode: person.districtCode,
      subjectId: person.id,
      label: `人员 ${person.name}（${person.idNumber}）`,
    };
  }
  const page = await searchHouseholds(db, ALL, { householdNo: key, limit: 10 }).catch(fail);
  const matches = page.rows.filter((r) => district === undefined || r.districtCode === district);
  if (matches.length > 1) {
    throw new CliError(
      `户编号 ${key} 在 ${matches.map((m) => m.districtCode).join('、')} 各有一户，请用 --district 指定区`,
    );
  }
  const [household] = matches;
  if (!household) throw new CliError(`没有户编号为 ${key} 的家庭户（人员请用18位身份证号或人员ID）`);
  return {
    subjectType: 'household',
    districtCode: household.districtCode,
    subjectId: household.id,
    label: `家庭户 ${household.householdNo}${household.headName ? `（户主 ${household.headName}）` : ''}`,
  };
}

/** A person by id, in the district that manages them now (ID number masked). */
async function personById(db: Db, id: string) {
  const districtCode = await managingDistrictOf(db, id);
  if (!districtCode) return undefined;
  const person = await getPerson(db, ALL, { districtCode, id }).catch(fail);
  return { districtCode, id, name: person.name, idNumber: person.idNumber };
}

/** 元 with at most two decimals → integer 分, by string arithmetic (no float in between). */
export function yuanToFen(text: string): number | undefined {
  const match = /^(\d{1,13})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

const YES = new Set(['是', 'yes', 'y', 'true', '1']);
const NO = new Set(['否', 'no', 'n', 'false', '0']);

/** `--value` read by the kind's shape into the service's value fields. */
export function factValue(kind: FactKind, value: string | undefined): Partial<NewFactInput> {
  const info = FACT_KINDS[kind];
  const text = value?.trim() ?? '';
  if (text === '') throw new CliError(`请用 --value 给出「${info.name}」的值`);
  const bad = (what: string): never => {
    throw new CliError(`--value：「${info.name}」${what}：${text}`);
  };
  switch (info.shape) {
    case 'money':
      return { amountFen: yuanToFen(text) ?? bad('应为金额（元，最多两位小数，如 3500 或 3500.50）') };
    case 'count':
      return /^\d{1,4}$/.test(text) ? { quantity: Number(text) } : bad('应为整数');
    case 'flag': {
      const lower = text.toLowerCase();
      if (YES.has(lower)) return { flag: true };
      if (NO.has(lower)) return { flag: false };
      return bad('应为“是”或“否”');
    }
    case 'disability': {
      if (text === '无' || text.toLowerCase() === 'none') {
        return { disabilityCategory: null, disabilityGrade: null };
      }
      const match = /^(\d)-(\d)$/.exec(text);
      return match
        ? { disabilityCategory: Number(match[1]), disabilityGrade: Number(match[2]) }
        : bad('应为“类别-等级”（GB/T 26341，如 1-2 为视力残疾二级）或“无”');
    }
    case 'category': {
      const code = CATEGORY_LIST.find((c) => c === text || CATEGORY_NAMES[c] === text);
      return code ? { category: code } : bad(`应为 ${CATEGORY_LIST.join('、')} 之一`);
    }
  }
}

function parseVersion(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new CliError(`--expected-version 应为正整数：${value}`);
  return Number(value);
}

interface ListOptions {
  asOf?: string;
  district?: string;
}

interface AddOptions {
  kind: string;
  value?: string;
  from: string;
  to?: string;
  source: string;
  ref?: string;
  reason: string;
  district?: string;
}

interface EndOptions {
  date: string;
  reason: string;
  expectedVersion?: string;
  district?: string;
}

const KIND_HELP = FACT_KIND_LIST.map((k) => `${k} ${FACT_KINDS[k].name}`).join('；');
const SOURCE_HELP = SOURCE_KIND_LIST.map((s) => `${s} ${SOURCE_KINDS[s]}`).join('；');

async function list(who: string, opts: ListOptions): Promise<void> {
  checkDistrict(opts.district);
  const asOf = opts.asOf ?? shanghaiToday();
  const { subject, facts } = await withStore(async (store) => {
    const found = await findSubject(store.db, who, opts.district);
    return { subject: found, facts: await listFacts(store.db, ALL, found, asOf).catch(fail) };
  });
  const state = (f: (typeof facts.facts)[number]) =>
    f.voidedAt !== null ? '已作废' : f.counts ? '计入' : f.validOnDate ? '有效（未计入）' : '';
  const table = formatTable(
    ['类型', '数值', '起始', '结束', '来源', '依据', '状态', '版本', '事实ID'],
    facts.facts.map((f) => [
      f.kindName,
      f.valueText,
      f.validFrom,
      FACT_KINDS[f.kind].spending ? '（支出）' : (f.validTo ?? '至今'),
      f.sourceKindName,
      f.sourceRef,
      state(f),
      String(f.version),
      f.id,
    ]),
  );
  const counted = facts.facts.filter((f) => f.counts).length;
  process.stdout.write(
    `${subject.label}的经济状况事实（${asOf}）\n${table}\n` +
      `共 ${facts.facts.length} 条，${asOf} 计入 ${counted} 条（结束日期不含当日；“计入”即该日所在月份测算所用）\n`,
  );
}

async function add(who: string, opts: AddOptions): Promise<void> {
  const reason = requireReason(opts.reason);
  checkDistrict(opts.district);
  if (!isFactKind(opts.kind))
    throw new CliError(`--kind：未知的事实类型「${opts.kind}」，应为：${KIND_HELP}`);
  const input: NewFactInput = {
    kind: opts.kind,
    ...factValue(opts.kind, opts.value),
    validFrom: opts.from,
    validTo: opts.to ?? null,
    sourceKind: opts.source,
    ...(opts.ref === undefined ? {} : { sourceRef: opts.ref }),
  };
  const { subject, result } = await withStore(async (store) => {
    const found = await findSubject(store.db, who, opts.district);
    const done = await inUnitOfWork(store, cliActor(reason), (tx) => addFact(tx, ALL, found, input)).catch(
      fail,
    );
    return { subject: found, result: done };
  });
  const f = result.fact;
  const info = FACT_KINDS[f.kind];
  const when = info.spending
    ? `支出日期 ${f.validFrom}`
    : `${f.validFrom} 起${f.validTo ? `至 ${f.validTo}（不含）` : ''}`;
  process.stdout.write(
    `已新增：${subject.label}的「${info.name}」：${describeValue(f)}，${when}，来源 ${SOURCE_KINDS[f.sourceKind]}（事实ID ${f.id}）\n`,
  );
  if (result.superseded) {
    process.stdout.write(
      `同类型、同来源的上一条（自 ${result.superseded.after.validFrom} 起）于 ${result.superseded.after.validTo} 结束，保留为历史\n`,
    );
  }
}

async function end(who: string, factId: string, opts: EndOptions): Promise<void> {
  const reason = requireReason(opts.reason);
  checkDistrict(opts.district);
  if (!UUID.test(factId.trim()))
    throw new CliError(`事实ID格式不正确：${factId}（见 facts list 的最后一列）`);
  const expected = parseVersion(opts.expectedVersion);
  const { subject, ended } = await withStore(async (store) => {
    const found = await findSubject(store.db, who, opts.district);
    const ref = { ...found, factId: factId.trim().toLowerCase() };
    const done = await inUnitOfWork(store, cliActor(reason), async (tx) => {
      // Without --expected-version the operator ends the fact as it is now (they named it by its id).
      const version =
        expected ??
        (await listFacts(tx.db, ALL, found, shanghaiToday(tx.now))).facts.find((f) => f.id === ref.factId)
          ?.version;
      if (version === undefined) throw new RegistryError('not_found', `该人员或家庭户没有事实 ${ref.factId}`);
      return endFact(tx, ALL, ref, { validTo: opts.date, version });
    }).catch(fail);
    return { subject: found, ended: done };
  });
  process.stdout.write(
    `已结束：${subject.label}的「${FACT_KINDS[ended.kind].name}」（自 ${ended.validFrom} 起），${ended.validTo} 起不再计入\n`,
  );
}

export function registerFactsCommands(program: Command): void {
  const facts = program.command('facts').description('经济状况事实：查看、新增、结束 (dated economic facts)');

  facts
    .command('list')
    .argument('<subject>', '18位身份证号或人员ID；家庭户用户编号 (ID number, person id or household number)')
    .description('列出人员或家庭户的全部经济状况事实，标明某日计入的记录 (list a subject’s facts)')
    .option('--as-of <YYYY-MM-DD>', '查看日期，默认今天（上海） (as of)')
    .option('--district <code>', '6位区代码；仅当多个区有同一户编号时需要')
    .action((who: string, opts: ListOptions) => list(who, opts));

  facts
    .command('add')
    .argument('<subject>', '18位身份证号或人员ID；家庭户用户编号')
    .description('新增事实：同类型、同来源的上一条于新记录起始日前一天结束 (add a fact)')
    .requiredOption('--kind <kind>', `事实类型：${KIND_HELP}`)
    .option(
      '--value <value>',
      '值：金额为元（如 3500.50），数量为整数，是/否，残疾为“类别-等级”或“无”，特殊对象类别为代码',
    )
    .requiredOption('--from <YYYY-MM-DD>', '起始日期（含）；支出为支出日期')
    .option('--to <YYYY-MM-DD>', '结束日期（不含）；不填为持续')
    .requiredOption('--source <source>', `来源：${SOURCE_HELP}`)
    .option('--ref <text>', '来源依据：申报表编号、部门及批次、核对报告编号、认定文书号')
    .requiredOption('--reason <text>', '原因 (reason; audited)')
    .option('--district <code>', '6位区代码；仅当多个区有同一户编号时需要')
    .action((who: string, opts: AddOptions) => add(who, opts));

  facts
    .command('end')
    .argument('<subject>', '18位身份证号或人员ID；家庭户用户编号')
    .argument('<factId>', '事实ID（facts list 的最后一列）')
    .description('结束一条持续的事实：自结束日期起不再成立 (end a fact)')
    .requiredOption('--date <YYYY-MM-DD>', '结束日期（不含，即不再成立的第一天）')
    .requiredOption('--reason <text>', '原因 (reason; audited)')
    // Not --version: that is the program's own option (it would print the version and do nothing).
    .option('--expected-version <n>', '核对时读到的版本号（facts list 的“版本”列）；已被他人修改则拒绝')
    .option('--district <code>', '6位区代码；仅当多个区有同一户编号时需要')
    .action((who: string, factId: string, opts: EndOptions) => end(who, factId, opts));
}
