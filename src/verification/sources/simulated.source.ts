import type { Db } from '../../db/store.ts';
import type { DeclaredFigures } from '../../registry/facts/declared.repository.ts';
import { personIdentities } from '../../registry/person.repository.ts';
import { requestSubjects } from '../gather.repository.ts';
import { SOURCES, type AnswerKind, type SourceCode } from './catalogue.ts';
import {
  allowed,
  declaredOfRequests,
  draw,
  holderOf,
  noiseBound,
  plantedItems,
  simulationModel,
  toleranceOn,
  type PlantedItem,
  type SimulatedRequest,
  type SimulationModel,
  type Tolerance,
} from './ground-truth.ts';
import type { AnswerRow, SendOutcome, SourceAdapter, SourceBatch } from './source.ts';

interface BatchReads {
  requests: SimulatedRequest[];
  declared: Map<string, DeclaredFigures>;
}

/**
 * The reads the simulated sources share: the sources of one batch are asked about the same requests at
 * once, so the households and declared figures are read once for all of them, not once per source.
 */
export class SimulatedReads {
  private readonly db: Db;
  private readonly recent = new Map<
    string,
    { requests: Promise<SimulatedRequest[]>; declared?: Promise<Map<string, DeclaredFigures>> }
  >();

  constructor(db: Db) {
    this.db = db;
  }

  async of(batch: SourceBatch, withFigures: boolean): Promise<BatchReads> {
    // One job batch (the batch reference without its source): a later batch reads afresh. Civil records need
    // no figures; the requests read for them serve the other sources, which add the figures once.
    const round = batch.batchRef.replace(/:[^:]*$/, '');
    const key = `${round}|${batch.queries.map((q) => `${q.requestId}@${q.asOf}`).join(',')}`;
    let entry = this.recent.get(key);
    if (!entry) {
      if (this.recent.size >= 4) this.recent.clear();
      entry = { requests: this.requestsOf(batch) };
      this.recent.set(key, entry);
    }
    const current = entry;
    if (withFigures && !current.declared) {
      current.declared = current.requests.then((requests) => declaredOfRequests(this.db, requests));
    }
    try {
      const requests = await current.requests;
      const declared = withFigures ? await current.declared! : new Map<string, DeclaredFigures>();
      return { requests, declared };
    } catch (error) {
      // A failed read is not kept: the next batch reads again.
      if (this.recent.get(key) === current) this.recent.delete(key);
      throw error;
    }
  }

  private async requestsOf(batch: SourceBatch): Promise<SimulatedRequest[]> {
    const subjects = await requestSubjects(
      this.db,
      batch.queries.map((q) => ({ districtCode: q.districtCode, requestId: q.requestId })),
    );
    return batch.queries.flatMap((q) => {
      const subject = subjects.get(q.requestId);
      return subject ? [{ ...subject, asOf: q.asOf, personIds: q.persons.map((p) => p.personId) }] : [];
    });
  }
}

/**
 * 模拟数据源: answers at once from the synthetic population — the members' declared figures on the
 * request's day, plus what ground-truth.ts planted (concealed income, undeclared deposits, securities,
 * homes, vehicles, business registrations), plus noise of at most N(d) fen (basis points of the declared
 * figure, floor division, never more than half the tolerance; docs/verification-sources.md). Civil records
 * (户籍, 婚姻, 死亡) come from the registry as they are. It only reads.
 *
 * An agency reports what it holds: a row for a non-zero amount, a count above zero, a flag that is true,
 * a civil record that exists; nothing on record is no row.
 */
export class SimulatedSource implements SourceAdapter {
  readonly source: SourceCode;
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  private readonly db: Db;
  private readonly model: SimulationModel;
  private readonly reads: SimulatedReads;

  constructor(
    source: SourceCode,
    db: Db,
    settings: { timeoutMs: number; maxAttempts: number },
    model: SimulationModel = simulationModel(),
    reads: SimulatedReads = new SimulatedReads(db),
  ) {
    this.source = source;
    this.db = db;
    this.timeoutMs = settings.timeoutMs;
    this.maxAttempts = settings.maxAttempts;
    this.model = model;
    this.reads = reads;
  }

  async send(batch: SourceBatch): Promise<SendOutcome> {
    const answered = new Map<string, AnswerRow[]>();
    const failed = new Map<string, string>();
    const { requests, declared } = await this.reads.of(batch, this.source !== 'civil');
    const found = new Set(requests.map((r) => r.requestId));
    for (const q of batch.queries) {
      if (!found.has(q.requestId)) failed.set(q.requestId, '模拟数据源：核对委托不存在');
    }
    const reference = `模拟-${this.source}-${batch.batchRef}`;
    if (this.source === 'civil') {
      for (const [requestId, rows] of await this.civil(requests, reference)) answered.set(requestId, rows);
      return { answered, failed, waiting: [] };
    }
    const tolerances = new Map<string, Tolerance>();
    for (const r of requests) {
      const tolerance = tolerances.get(r.asOf) ?? toleranceOn(r.asOf);
      tolerances.set(r.asOf, tolerance);
      const figures = declared.get(r.requestId)!;
      answered.set(
        r.requestId,
        simulatedAnswers(
          this.source,
          r,
          figures,
          tolerance,
          this.model,
          reference,
          plantedOnce(r, figures, tolerance, this.model),
        ),
      );
    }
    return { answered, failed, waiting: [] };
  }

  /** Civil records of every member, one read per district. */
  private async civil(
    requests: readonly SimulatedRequest[],
    reference: string,
  ): Promise<Map<string, AnswerRow[]>> {
    const out = new Map<string, AnswerRow[]>();
    const districts = new Set(requests.map((r) => r.districtCode));
    for (const district of districts) {
      const inDistrict = requests.filter((r) => r.districtCode === district);
      const records = await personIdentities(
        this.db,
        district,
        inDistrict.flatMap((r) => r.personIds),
      );
      for (const r of inDistrict) {
        const rows: AnswerRow[] = [];
        for (const personId of r.personIds) {
          const c = records.get(personId);
          if (!c) continue;
          const row = { requestId: r.requestId, personId, reference };
          rows.push({ ...row, kind: 'hukou', textValue: c.hukouDivisionCode });
          if (c.maritalStatus) rows.push({ ...row, kind: 'marital', textValue: c.maritalStatus });
          if (c.deathDate) rows.push({ ...row, kind: 'death', textValue: c.deathDate });
        }
        out.set(r.requestId, rows);
      }
    }
    return out;
  }
}

/**
 * The planted items of a request, drawn once for all the sources of a batch (they share the declared figures
 * read, SimulatedReads): drawing hashes every member and kind, eight sources over again otherwise.
 */
const plantedCache = new WeakMap<DeclaredFigures, Map<string, PlantedItem[]>>();
function plantedOnce(
  r: SimulatedRequest,
  declared: DeclaredFigures,
  tolerance: Tolerance,
  model: SimulationModel,
): PlantedItem[] {
  let byRequest = plantedCache.get(declared);
  if (!byRequest) plantedCache.set(declared, (byRequest = new Map<string, PlantedItem[]>()));
  const key = `${r.requestId}@${r.asOf}@${model.seed}`;
  let items = byRequest.get(key);
  if (!items) byRequest.set(key, (items = plantedItems(r, declared, tolerance, model)));
  return items;
}

/**
 * What one simulated source answers about one request (every source but civil): pure, so that a test can
 * hold it to the ground truth over many random households.
 */
export function simulatedAnswers(
  source: Exclude<SourceCode, 'civil'>,
  r: SimulatedRequest,
  declared: DeclaredFigures,
  tolerance: Tolerance,
  model: SimulationModel,
  reference: string,
  planted: readonly PlantedItem[] = plantedItems(r, declared, tolerance, model),
): AnswerRow[] {
  const kinds = SOURCES[source].kinds as readonly AnswerKind[];
  const holder = holderOf(r.personIds);
  const household = declared.households.get(r.householdId);
  const out: AnswerRow[] = [];
  for (const personId of r.personIds) {
    const person = declared.persons.get(personId);
    const extra = (kind: string) =>
      planted.find((i) => i.personId === personId && i.kind === kind)?.trueValue ?? undefined;
    for (const kind of kinds) {
      const row = { requestId: r.requestId, personId, kind, reference };
      if (kind === 'wage' || kind === 'pension' || kind === 'other_income') {
        const d =
          kind === 'wage'
            ? person?.wageFen
            : kind === 'pension'
              ? person?.pensionFen
              : person?.otherIncomeFen;
        const truth = extra(kind) ?? d ?? 0;
        const t = allowed(d ?? 0, tolerance.incomeFen, tolerance.incomeBp);
        const value =
          truth +
          noise(model, source, personId, kind, r.asOf, d ?? 0, noiseBound(d ?? 0, model.noise.incomeBp, t));
        if (value > 0) out.push({ ...row, amountFen: value });
      } else if (kind === 'deposits' || kind === 'securities') {
        const d = kind === 'deposits' && personId === holder ? (household?.monetaryAssetsFen ?? 0) : 0;
        const truth = extra(kind) ?? d;
        const t = allowed(household?.monetaryAssetsFen ?? 0, tolerance.assetsFen, tolerance.assetsBp);
        const value =
          truth + noise(model, source, personId, kind, r.asOf, d, noiseBound(d, model.noise.assetsBp, t));
        if (value > 0) out.push({ ...row, amountFen: value });
      } else if (kind === 'homes' || kind === 'vehicles') {
        const d =
          personId === holder ? ((kind === 'homes' ? household?.homes : household?.vehicles) ?? 0) : 0;
        const value = extra(kind) !== undefined ? d + 1 : d;
        if (value > 0) out.push({ ...row, quantity: value });
      } else if (kind === 'business') {
        if (extra(kind) !== undefined) out.push({ ...row, flag: true });
      } else if (kind === 'employment') {
        if (person?.employed) out.push({ ...row, flag: true });
      }
    }
  }
  return out;
}

/**
 * The agency's deviation from the true figure: r basis points of the declared figure d (|r| ≤ noise_bp,
 * drawn from the person, kind, source and day), floor division on the magnitude, cut to ±bound.
 */
function noise(
  model: SimulationModel,
  source: SourceCode,
  personId: string,
  kind: string,
  asOf: string,
  d: number,
  bound: number,
): number {
  if (bound <= 0 || d <= 0) return 0;
  const noiseBp = kind === 'deposits' || kind === 'securities' ? model.noise.assetsBp : model.noise.incomeBp;
  const { fraction } = draw(model.seed, 'noise', source, personId, kind, asOf);
  const r = (fraction % (2 * noiseBp + 1)) - noiseBp;
  const magnitude = Math.min(Math.floor((d * Math.abs(r)) / 10_000), bound);
  return r < 0 ? -magnitude : magnitude;
}
