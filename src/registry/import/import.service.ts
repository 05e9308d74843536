/**
 * 台账导入: a roster file (.xlsx or .csv, one row per person) → households, persons and memberships.
 * Every problem in the file is collected (row, column, value, reason); any problem means nothing is
 * written. An import is two steps: `readImport` reads and checks the file outside any transaction (the
 * slow part: requests go on meanwhile), then `writeImport` checks it against the registry and writes it
 * with COPY in the unit of work its caller opened (the import job's batch, the CLI's or the dry-run
 * route's unit), with its one audit record: a batch record with the rows' digest (`tx.recordBatch`).
 *
 *   const read = await readImport(file, options);
 *   try {
 *     return read.refused ?? (await inUnitOfWork(store, actor, (tx) => writeImport(tx, read)));
 *   } finally {
 *     await read.dispose();
 *   }
 */
import { randomUUID } from 'node:crypto';
import { inScope, type DataScope } from '../../auth/scope.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { visibleLength } from '../../core/text.ts';
import type { Session } from '../../db/store.ts';
import { CopyDigest, digestingCopies } from '../../workflow/copy-digest.ts';
import type { WorkTx } from '../../workflow/unit-of-work.ts';
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
  /** Who imports and why (the report's audit event; the reason is required before the file is read). */
  actor: ImportActor;
  dryRun?: boolean;
  /** The settings' caps (limits.ts, from src/config.ts); defaults where left out. */
  limits?: Partial<ImportLimits>;
  /** The upload folder (upload-folder.ts), where a stream is spooled. */
  uploadDir?: string;
  /** The day the import runs (YYYY-MM-DD): bounds birth and join dates, default for 入户日期. */
  today?: string;
  /** The job this import is the batch of: named in its audit record. */
  jobId?: string;
  onProgress?: (progress: ImportProgress) => void;
}

const PROGRESS_EVERY_ROWS = 2000;

interface ReadResult {
  rows: number;
  persons: RosterPerson[];
  incomplete: Set<string>;
}

/** A roster file read and checked on its own (step 1), waiting for its unit of work (step 2). */
export interface ImportRead {
  /** The report of a file refused as read (unreadable, no reason, over a cap): nothing is left to check. */
  readonly refused: ImportReport | undefined;
  /** Removes the spooled copy of the file: always, whatever happened (it holds ID numbers). */
  dispose(): Promise<void>;
}

interface ReadRoster {
  options: ImportOptions;
  source: OpenedSource;
  read: ReadResult;
  households: RosterHousehold[];
}

class RosterRead implements ImportRead {
  private written = false;
  constructor(
    readonly issues: IssueList,
    readonly options: ImportOptions,
    readonly refused: ImportReport | undefined,
    private readonly roster: ReadRoster | undefined,
  ) {}

  /** The roster, once: a second unit would add the registry's duplicates to the issues again. */
  take(): ReadRoster | undefined {
    if (this.written) throw new Error('an import is written once: read the file again');
    this.written = true;
    return this.roster;
  }

  async dispose(): Promise<void> {
    await this.roster?.source.dispose();
  }
}

function reportOf(
  issues: IssueList,
  dryRun: boolean,
  rows: number,
  households = 0,
  persons = 0,
  audit?: ImportAuditEvent,
): ImportReport {
  return {
    ok: issues.count === 0,
    dryRun,
    rows,
    households: issues.count === 0 ? households : 0,
    persons: issues.count === 0 ? persons : 0,
    errors: issues.list(),
    errorCount: issues.count,
    ...(audit ? { audit } : {}),
  };
}

/**
 * Step 1, outside any transaction: the reason, the file's type and caps, every row validated, the rows
 * grouped into households. A file refused here has its report in `refused`; otherwise the problems found
 * so far wait for step 2, which adds the registry's and reports them all at once.
 */
export async function readImport(file: ImportFile, options: ImportOptions): Promise<ImportRead> {
  const dryRun = options.dryRun ?? false;
  const issues = new IssueList();
  const refuse = (reason: string | undefined) => {
    if (reason !== undefined) issues.add({ row: null, column: null, value: null, reason });
    return new RosterRead(issues, options, reportOf(issues, dryRun, 0), undefined);
  };
  if (visibleLength(options.actor.reason) === 0) return refuse('请填写导入原因（写入审计日志）');

  const limits: ImportLimits = { ...DEFAULT_IMPORT_LIMITS, ...options.limits };
  let source: OpenedSource;
  try {
    source = await openSource(file, {
      limits,
      ...(options.uploadDir === undefined ? {} : { uploadDir: options.uploadDir }),
    });
  } catch (error) {
    if (!(error instanceof FileProblem)) throw error;
    return refuse(error.message);
  }
  try {
    const today = options.today ?? shanghaiToday();
    const read = await readRoster(source, options, { today, limits }, issues);
    if (read === undefined) {
      await source.dispose();
      return refuse(undefined);
    }
    const households = groupHouseholds(read.persons, read.incomplete, (issue) => issues.add(issue));
    options.onProgress?.({
      phase: 'check',
      rows: read.rows,
      bytesRead: source.bytes,
      totalBytes: source.bytes,
    });
    return new RosterRead(issues, options, undefined, { options, source, read, households });
  } catch (error) {
    await source.dispose();
    throw error;
  }
}

/**
 * Step 2, in the caller's unit of work: the duplicates against the registry, then (no problem anywhere,
 * not a dry run) the COPY loads and the import's one audit record, `registry.import`, a batch record with
 * the digest of the rows written and their counts per table. A dry run or a refused file writes nothing
 * and records nothing. Call it once per `readImport`.
 */
export async function writeImport(tx: WorkTx, imported: ImportRead): Promise<ImportReport> {
  if (!(imported instanceof RosterRead)) throw new Error('writeImport takes what readImport returned');
  if (imported.refused) return imported.refused;
  const { issues, options } = imported;
  const roster = imported.take()!;
  const { read, households, source } = roster;
  const dryRun = options.dryRun ?? false;
  const progress = (phase: ImportProgress['phase']) =>
    options.onProgress?.({ phase, rows: read.rows, bytesRead: source.bytes, totalBytes: source.bytes });
  if (!dryRun) await lockImports(tx.db); // a dry run writes nothing and need not queue behind imports
  await checkAgainstRegistry(tx, read.persons, households, options.scope, (issue) => issues.add(issue));
  const personCount = households.reduce((n, h) => n + h.members.length, 0);
  if (issues.count > 0 || dryRun) {
    progress('done');
    return reportOf(issues, dryRun, read.rows, households.length, personCount);
  }
  progress('write');
  const audit = await writeRoster(tx, roster);
  // Statistics commit with the rows: the planner must not keep believing the tables are empty.
  await analyzeRegistryTables(tx.db);
  progress('done');
  return reportOf(issues, dryRun, read.rows, households.length, personCount, audit);
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
  tx: WorkTx,
  { households, source, options }: ReadRoster,
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
    recordedBy: tx.actor.userId,
  });
  // Every COPY below is digested as it streams: the audit record's digest is of the rows as written.
  const digest = new CopyDigest();
  const load = digestingCopies(tx, digest);
  const counts = {
    households: await copyHouseholds(load, householdRows),
    persons: await copyPersons(load, personRows),
    memberships: await copyMembers(load, memberRows),
    facts: await copyFacts(load, factRows),
  };
  const audit: ImportAuditEvent = {
    action: 'registry.import',
    actor: options.actor,
    scope: options.scope,
    file: { name: source.name, bytes: source.bytes, sha256: source.sha256, kind: source.kind },
    counts,
    districts: [...new Set(households.map((h) => h.districtCode))].sort(),
    digest: digest.hex(),
  };
  tx.recordBatch({
    action: 'registry.import',
    entityType: 'household_roster',
    entityId: source.sha256,
    district: audit.districts.length === 1 ? audit.districts[0] : null,
    digest,
    summary: {
      file: audit.file,
      counts,
      districts: audit.districts,
      scope: options.scope,
      ...(options.jobId === undefined ? {} : { job: options.jobId }),
    },
  });
  return audit;
}
