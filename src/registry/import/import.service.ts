/**
 * 台账导入: a roster file (.xlsx or .csv, one row per person) → households, persons and memberships.
 * Every problem in the file is collected (row, column, value, reason); any problem means nothing is
 * written. A clean file is written in one transaction with COPY, together with its one audit row.
 */
import { randomUUID } from 'node:crypto';
import { inScope, type DataScope } from '../../auth/scope.ts';
import { recordAudit } from '../../audit/audit.service.ts';
import { shanghaiToday } from '../../core/clock.ts';
import type { Session, Store } from '../../db/store.ts';
import { HEAD_RELATION } from '../codes.ts';
import { analyzeRegistryTables } from '../maintenance.repository.ts';
import { nameInitials } from '../pinyin.ts';
import { COLUMN_BY_KEY } from './columns.ts';
import { rosterFacts } from './roster-facts.ts';
import {
  copyFacts,
  copyHouseholds,
  copyMembers,
  copyPersons,
  findExistingHouseholdNos,
  findRegisteredPersons,
  lockImports,
  type HouseholdLoadRow,
  type MemberLoadRow,
  type PersonLoadRow,
} from './import.repository.ts';
import { DEFAULT_IMPORT_LIMITS, limitMessages, type ImportLimits } from './limits.ts';
import {
  IssueList,
  type ImportActor,
  type ImportAuditEvent,
  type ImportIssue,
  type ImportReport,
} from './report.ts';
import { groupHouseholds, type RosterHousehold } from './roster-households.ts';
import { isBlankRow, mapHeaders, parseRow, type HeaderMap, type RosterPerson } from './roster-rows.ts';
import { FileProblem, openSource, type ImportFile, type OpenedSource } from './source.ts';

export type { ImportFile } from './source.ts';
export type { ImportActor, ImportAuditEvent, ImportIssue, ImportReport } from './report.ts';

export interface ImportProgress {
  phase: 'read' | 'check' | 'write' | 'done';
  rows: number;
  bytesRead: number;
  totalBytes: number;
}

export interface ImportOptions {
  scope: DataScope;
  actor: ImportActor;
  dryRun?: boolean;
  /** The settings' caps (limits.ts, from src/config.ts); defaults where left out. */
  limits?: Partial<ImportLimits>;
  /** The upload folder (upload-folder.ts), where a stream is spooled. */
  uploadDir?: string;
  /** The day the import runs (YYYY-MM-DD): bounds birth and join dates, default for 入户日期. */
  today?: string;
  onProgress?: (progress: ImportProgress) => void;
}

const PROGRESS_EVERY_ROWS = 2000;

interface ReadResult {
  rows: number;
  persons: RosterPerson[];
  incomplete: Set<string>;
}

export async function importHouseholds(
  store: Store,
  file: ImportFile,
  options: ImportOptions,
): Promise<ImportReport> {
  const dryRun = options.dryRun ?? false;
  const issues = new IssueList();
  const report = (rows: number, households = 0, persons = 0, audit?: ImportAuditEvent): ImportReport => ({
    ok: issues.count === 0,
    dryRun,
    rows,
    households: issues.count === 0 ? households : 0,
    persons: issues.count === 0 ? persons : 0,
    errors: issues.list(),
    errorCount: issues.count,
    ...(audit ? { audit } : {}),
  });
  if (options.actor.reason.trim() === '') {
    issues.add({ row: null, column: null, value: null, reason: '请填写导入原因（写入审计日志）' });
    return report(0);
  }

  const limits: ImportLimits = { ...DEFAULT_IMPORT_LIMITS, ...options.limits };
  let source: OpenedSource;
  try {
    source = await openSource(file, {
      limits,
      ...(options.uploadDir === undefined ? {} : { uploadDir: options.uploadDir }),
    });
  } catch (error) {
    if (!(error instanceof FileProblem)) throw error;
    issues.add({ row: null, column: null, value: null, reason: error.message });
    return report(0);
  }
  try {
    const today = options.today ?? shanghaiToday();
    const read = await readRoster(source, options, { today, limits }, issues);
    if (read === undefined) return report(0);
    const households = groupHouseholds(read.persons, read.incomplete, (issue) => issues.add(issue));
    const progress = (phase: ImportProgress['phase']) =>
      options.onProgress?.({ phase, rows: read.rows, bytesRead: source.bytes, totalBytes: source.bytes });
    progress('check');
    const result = await store.transaction(async (tx) => {
      if (!dryRun) await lockImports(tx.db); // a dry run writes nothing and need not queue behind imports
      await checkAgainstRegistry(tx, read.persons, households, options.scope, (issue) => issues.add(issue));
      if (issues.count > 0 || dryRun) return undefined;
      progress('write');
      return writeRoster(tx, households, source, options);
    });
    if (result) await analyzeRegistryTables(store.db);
    progress('done');
    const personCount = households.reduce((n, h) => n + h.members.length, 0);
    return report(read.rows, households.length, personCount, result);
  } finally {
    await source.dispose();
  }
}

/** Streams the rows: header first, then every data row validated. Undefined when the file cannot be read on. */
async function readRoster(
  source: OpenedSource,
  options: ImportOptions,
  { today, limits }: { today: string; limits: ImportLimits },
  issues: IssueList,
): Promise<ReadResult | undefined> {
  const addIssue = (issue: ImportIssue) => issues.add(issue);
  const fileProblem = (reason: string) => addIssue({ row: null, column: null, value: null, reason });
  let headers: HeaderMap | undefined;
  const result: ReadResult = { rows: 0, persons: [], incomplete: new Set() };
  let bytesRead = 0;
  let seen = 0;
  try {
    for await (const { row, cells } of source.rows((n) => (bytesRead = n))) {
      // Blank rows count too: ten million empty lines cost as much to read as ten million rows.
      if (++seen > limits.maxRows + 1) {
        issues.clear(); // the file must be split anyway: the one problem is its size
        fileProblem(limitMessages.rows(limits));
        return undefined;
      }
      if (isBlankRow(cells)) continue;
      if (headers === undefined) {
        const mapped = mapHeaders(row, cells);
        if (Array.isArray(mapped)) {
          mapped.forEach(addIssue);
          return undefined;
        }
        headers = mapped;
        continue;
      }
      result.rows++;
      const parsed = parseRow(row, cells, headers, {
        scope: options.scope,
        today,
        maxCellChars: limits.maxCellChars,
      });
      if ('person' in parsed) result.persons.push(parsed.person);
      else {
        parsed.issues.forEach(addIssue);
        result.incomplete.add(parsed.householdNo);
      }
      if (options.onProgress && result.rows % PROGRESS_EVERY_ROWS === 0) {
        options.onProgress({ phase: 'read', rows: result.rows, bytesRead, totalBytes: source.bytes });
      }
    }
  } catch (error) {
    if (!(error instanceof FileProblem)) throw error;
    issues.clear(); // a file that cannot be read to the end is reported by that one problem
    fileProblem(error.message);
    return undefined;
  }
  if (headers === undefined) {
    fileProblem('文件为空：没有表头行和数据行');
    return undefined;
  }
  if (result.rows === 0) {
    fileProblem('文件没有数据行（只有表头）');
    return undefined;
  }
  return result;
}

/** Duplicates against what is already registered: 身份证号 (city-wide) and 户编号 (per district). */
async function checkAgainstRegistry(
  tx: Session,
  persons: readonly RosterPerson[],
  households: readonly RosterHousehold[],
  scope: DataScope,
  addIssue: (issue: ImportIssue) => void,
): Promise<void> {
  const registered = await findRegisteredPersons(
    tx.db,
    persons.map((p) => p.idNumber),
  );
  const byId = new Map(registered.map((r) => [r.idNumber, r]));
  for (const person of persons) {
    const found = byId.get(person.idNumber);
    if (!found) continue;
    // Outside the caller's own scope, only that the person exists elsewhere: not where, not which household.
    const reason = !inScope(scope, found.divisionCode)
      ? '此人已在其他地方登记（不在您的数据范围内）：不能重复导入；如需迁入，请联系其现居住地办理迁出'
      : found.currentHouseholdNo === null
        ? '身份证号已登记：不能重复导入'
        : `身份证号已登记，且已是户 ${found.currentHouseholdNo} 的现有成员：不能重复导入`;
    addIssue({ row: person.row, column: COLUMN_BY_KEY.idNumber.header, value: person.idNumber, reason });
  }
  const existing = await findExistingHouseholdNos(tx.db, households);
  const taken = new Set(existing.map((e) => `${e.districtCode}/${e.householdNo}`));
  for (const household of households) {
    if (!taken.has(`${household.districtCode}/${household.householdNo}`)) continue;
    addIssue({
      row: household.members[0]!.row,
      column: COLUMN_BY_KEY.householdNo.header,
      value: household.householdNo,
      reason: `户编号 ${household.householdNo} 已登记：不能重复导入`,
    });
  }
}

async function writeRoster(
  tx: Session,
  households: readonly RosterHousehold[],
  source: OpenedSource,
  options: ImportOptions,
): Promise<ImportAuditEvent> {
  const householdRows: HouseholdLoadRow[] = [];
  const personRows: PersonLoadRow[] = [];
  const memberRows: MemberLoadRow[] = [];
  // Names repeat a lot in a district; pinyin conversion is the costly part of a row.
  const initials = new Map<string, string>();
  const initialsOf = (name: string) => {
    let value = initials.get(name);
    if (value === undefined) initials.set(name, (value = nameInitials(name)));
    return value;
  };
  for (const h of households) {
    const householdId = randomUUID();
    const head = h.members.find((m) => m.relationCode === HEAD_RELATION);
    householdRows.push({
      districtCode: h.districtCode,
      id: householdId,
      householdNo: h.householdNo,
      streetCode: h.streetCode,
      committeeCode: h.committeeCode,
      address: h.address,
      headName: head?.name ?? null,
      headInitials: head ? initialsOf(head.name) : null,
      monetaryAssetsFen: h.monetaryAssetsFen,
      vehicles: h.vehicles,
      homes: h.homes,
      perCapitaFloorAreaBelowAverage: h.floorAreaBelowAverage,
    });
    h.members.forEach((m, seq) => {
      const personId = randomUUID();
      personRows.push({
        districtCode: h.districtCode,
        id: personId,
        idNumber: m.idNumber,
        name: m.name,
        nameInitials: initialsOf(m.name),
        sex: m.sex,
        birthDate: m.birthDate,
        phone: m.phone,
        hukouDivisionCode: m.hukouDivisionCode,
        residenceDivisionCode: h.committeeCode,
        disabilityCategory: m.disabilityCategory,
        disabilityGrade: m.disabilityGrade,
        employed: m.employed,
        categories: m.categories,
        wageFen: m.wageFen,
        pensionFen: m.pensionFen,
        otherIncomeFen: m.otherIncomeFen,
      });
      memberRows.push({
        districtCode: h.districtCode,
        householdId,
        personId,
        relationCode: m.relationCode,
        validFrom: m.joinDate,
        seq,
      });
    });
  }
  // The economic columns of the roster become dated facts (declared; categories are 认定), valid from the
  // members' 入户日期: the persons and households columns above are their projection.
  const factRows = rosterFacts(households, householdRows, personRows, memberRows, {
    sourceRef: `台账导入：${source.name}（SHA-256 ${source.sha256.slice(0, 12)}）`,
    recordedBy: options.actor.userId,
  });
  const counts = {
    households: await copyHouseholds(tx, householdRows),
    persons: await copyPersons(tx, personRows),
    memberships: await copyMembers(tx, memberRows),
    facts: await copyFacts(tx, factRows),
  };
  const audit: ImportAuditEvent = {
    action: 'registry.import',
    actor: options.actor,
    scope: options.scope,
    file: { name: source.name, bytes: source.bytes, sha256: source.sha256, kind: source.kind },
    counts,
    districts: [...new Set(households.map((h) => h.districtCode))].sort(),
  };
  await recordAudit(tx, {
    actor: {
      userId: options.actor.userId,
      divisionCode: options.actor.divisionCode,
      requestId: options.actor.requestId,
    },
    action: 'registry.import',
    entityType: 'household_roster',
    entityId: source.sha256,
    district: audit.districts.length === 1 ? audit.districts[0] : null,
    after: { file: audit.file, counts, districts: audit.districts, scope: options.scope },
    reason: options.actor.reason,
  });
  return audit;
}
