import { toleranceOn as reportTolerance } from '../report/report.build.ts';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import type { Db } from '../../db/store.ts';
import { declaredFiguresOn, type DeclaredFigures } from '../../registry/facts/declared.repository.ts';
import { parametersInForce } from '../../parameter-changes/parameters-in-force.ts';

/**
 * 模拟数据源的“真相”: what the simulated agencies know about a person, decided by a deterministic hash of
 * (seed, person id, kind) over the household's *declared* figures on the request's day — the planted
 * concealment — so that a test or a benchmark knows, without the report, which differences must be flagged
 * and which must not. The noise the simulated sources add on top (simulated.source.ts) is bounded so that it
 * never moves a planted item across the tolerance (docs/verification-sources.md gives the arithmetic).
 *
 * Money is integer fen throughout: shares are basis points, fractions of a range come from 32 hash bits
 * multiplied in BigInt and floor-divided by 2³².
 */

const numberEntry = z.object({
  value: z.number().int().min(0),
  status: z.enum(['assumption', 'confirmed']),
  source: z.string().min(1),
});

const modelSchema = z.object({
  description: z.string(),
  seed: z.string().min(1),
  noise: z.object({ income_bp: numberEntry, assets_bp: numberEntry }),
  planted: z.object({
    income_above_bp: numberEntry,
    income_within_bp: numberEntry,
    income_above_extra_fen: numberEntry,
    deposits_above_bp: numberEntry,
    deposits_within_bp: numberEntry,
    securities_above_bp: numberEntry,
    securities_within_bp: numberEntry,
    assets_above_extra_fen: numberEntry,
    homes_above_bp: numberEntry,
    vehicles_above_bp: numberEntry,
    business_above_bp: numberEntry,
  }),
});

/** The model's numbers (simulated.yaml), plain. */
export interface SimulationModel {
  seed: string;
  noise: { incomeBp: number; assetsBp: number };
  planted: {
    incomeAboveBp: number;
    incomeWithinBp: number;
    incomeAboveExtraFen: number;
    depositsAboveBp: number;
    depositsWithinBp: number;
    securitiesAboveBp: number;
    securitiesWithinBp: number;
    assetsAboveExtraFen: number;
    homesAboveBp: number;
    vehiclesAboveBp: number;
    businessAboveBp: number;
  };
}

export const simulationModelPath = new URL('./simulated.yaml', import.meta.url);

let cached: SimulationModel | undefined;

/** simulated.yaml, checked (a share over 10000 bp or above + within over 10000 is refused). */
export function simulationModel(): SimulationModel {
  if (cached) return cached;
  const raw = modelSchema.parse(parse(readFileSync(simulationModelPath, 'utf8')));
  const p = raw.planted;
  const model: SimulationModel = {
    seed: raw.seed,
    noise: { incomeBp: raw.noise.income_bp.value, assetsBp: raw.noise.assets_bp.value },
    planted: {
      incomeAboveBp: p.income_above_bp.value,
      incomeWithinBp: p.income_within_bp.value,
      incomeAboveExtraFen: p.income_above_extra_fen.value,
      depositsAboveBp: p.deposits_above_bp.value,
      depositsWithinBp: p.deposits_within_bp.value,
      securitiesAboveBp: p.securities_above_bp.value,
      securitiesWithinBp: p.securities_within_bp.value,
      assetsAboveExtraFen: p.assets_above_extra_fen.value,
      homesAboveBp: p.homes_above_bp.value,
      vehiclesAboveBp: p.vehicles_above_bp.value,
      businessAboveBp: p.business_above_bp.value,
    },
  };
  const sums = [
    p.income_above_bp.value + p.income_within_bp.value,
    p.deposits_above_bp.value + p.deposits_within_bp.value,
    p.securities_above_bp.value + p.securities_within_bp.value,
    p.homes_above_bp.value,
    p.vehicles_above_bp.value,
    p.business_above_bp.value,
  ];
  if (sums.some((bp) => bp > 10_000))
    throw new Error('simulated.yaml：同一类别的预置比例之和超过 100%（10000 bp）');
  cached = model;
  return model;
}

// ---- tolerance and noise bounds ---------------------------------------------------------------------

/** The tolerance on a day: a difference ≤ max(fen, floor(declared × bp / 10000)) is not flagged. */
export interface Tolerance {
  incomeFen: number;
  incomeBp: number;
  assetsFen: number;
  assetsBp: number;
}

/** The tolerance in force on a day (the city's values: the report's own rule, report.build.ts). */
export function toleranceOn(day: string): Tolerance {
  return reportTolerance(parametersInForce(), day);
}

/** T(d): the largest difference not flagged for a declared amount d. */
export function allowed(declaredFen: number, fen: number, bp: number): number {
  return Math.max(fen, Math.floor((declaredFen * bp) / 10_000));
}

/**
 * N(d): the largest noise an agency's figure may carry — floor(d × noise_bp / 10000), and never more than
 * half the tolerance, whatever the two parameter files say, so that noise alone is never flagged.
 */
export function noiseBound(declaredFen: number, noiseBp: number, toleranceFen: number): number {
  return Math.min(Math.floor((declaredFen * noiseBp) / 10_000), Math.floor(toleranceFen / 2));
}

// ---- deterministic draws --------------------------------------------------------------------------------

/** Two 32-bit draws from SHA-256 of the parts: `share` in 0…9999 (basis points) and `fraction` in 0…2³²−1. */
export function draw(...parts: string[]): { share: number; fraction: number } {
  const digest = createHash('sha256').update(parts.join('\u001f')).digest();
  return { share: digest.readUInt32BE(0) % 10_000, fraction: digest.readUInt32BE(4) };
}

/** floor(fraction / 2³² × (span + 1)): an integer in 0…span, in BigInt so that no float touches money. */
export function scaled(fraction: number, span: number): number {
  if (span <= 0) return 0;
  return Number((BigInt(fraction) * BigInt(span + 1)) >> 32n);
}

// ---- what is planted --------------------------------------------------------------------------------------

export type PlantedKind =
  'wage' | 'pension' | 'other_income' | 'deposits' | 'securities' | 'homes' | 'vehicles' | 'business';

export interface PlantedItem {
  requestId: string;
  householdId: string;
  personId: string;
  kind: PlantedKind;
  /** This person's share of the declared figure (household kinds: the holder holds all of it). */
  declared: number;
  /** What the agency knows before noise: declared + concealed (fen, a count, or 1 for a registration). */
  trueValue: number;
  /** Whether the report must flag it: above the tolerance (counts and registrations always are). */
  aboveTolerance: boolean;
}

/** A request as the simulation sees it. */
export interface SimulatedRequest {
  districtCode: string;
  requestId: string;
  householdId: string;
  asOf: string;
  personIds: readonly string[];
}

/**
 * The member who holds the household's declared assets (deposits, homes, vehicles): the smallest person id
 * of the request, so that the answer does not depend on the order members are listed in.
 */
export function holderOf(personIds: readonly string[]): string | undefined {
  return [...personIds].sort()[0];
}

/**
 * Every item planted for one request (none for an honest person). Pure: the declared figures, the
 * tolerance and the model decide everything. A person has at most one draw per kind.
 */
export function plantedItems(
  request: SimulatedRequest,
  declared: DeclaredFigures,
  tolerance: Tolerance,
  model: SimulationModel = simulationModel(),
): PlantedItem[] {
  const out: PlantedItem[] = [];
  const p = model.planted;
  const holder = holderOf(request.personIds);
  const household = declared.households.get(request.householdId) ?? {
    monetaryAssetsFen: 0,
    homes: 0,
    vehicles: 0,
  };
  const assetsT = allowed(household.monetaryAssetsFen, tolerance.assetsFen, tolerance.assetsBp);
  const assetsN = noiseBound(household.monetaryAssetsFen, model.noise.assetsBp, assetsT);
  // Deposits and securities of every member are summed against one declared figure: the room within the
  // tolerance is shared by 2 kinds × the members, so that within-plants never add up to a flag.
  const assetsWithin = Math.floor((assetsT - assetsN) / (2 * Math.max(1, request.personIds.length)));
  const item = (personId: string, kind: PlantedKind, share: number, concealed: number, above: boolean) =>
    out.push({
      requestId: request.requestId,
      householdId: request.householdId,
      personId,
      kind,
      declared: share,
      trueValue: share + concealed,
      aboveTolerance: above,
    });

  for (const personId of request.personIds) {
    const person = declared.persons.get(personId);
    const incomes = [
      ['wage', person?.wageFen ?? 0],
      ['pension', person?.pensionFen ?? 0],
      ['other_income', person?.otherIncomeFen ?? 0],
    ] as const;
    for (const [kind, d] of incomes) {
      const { share, fraction } = draw(model.seed, personId, kind);
      const t = allowed(d, tolerance.incomeFen, tolerance.incomeBp);
      const n = noiseBound(d, model.noise.incomeBp, t);
      if (share < p.incomeAboveBp) {
        item(personId, kind, d, t + n + 1 + scaled(fraction, p.incomeAboveExtraFen), true);
      } else if (share < p.incomeAboveBp + p.incomeWithinBp && t - n >= 1) {
        item(personId, kind, d, 1 + scaled(fraction, t - n - 1), false);
      }
    }
    const money = [
      [
        'deposits',
        p.depositsAboveBp,
        p.depositsWithinBp,
        personId === holder ? household.monetaryAssetsFen : 0,
      ],
      ['securities', p.securitiesAboveBp, p.securitiesWithinBp, 0],
    ] as const;
    for (const [kind, aboveBp, withinBp, d] of money) {
      const { share, fraction } = draw(model.seed, personId, kind);
      if (share < aboveBp) {
        item(personId, kind, d, assetsT + assetsN + 1 + scaled(fraction, p.assetsAboveExtraFen), true);
      } else if (share < aboveBp + withinBp && assetsWithin >= 1) {
        item(personId, kind, d, 1 + scaled(fraction, assetsWithin - 1), false);
      }
    }
    const counts = [
      ['homes', p.homesAboveBp, personId === holder ? household.homes : 0],
      ['vehicles', p.vehiclesAboveBp, personId === holder ? household.vehicles : 0],
      ['business', p.businessAboveBp, 0],
    ] as const;
    for (const [kind, aboveBp, d] of counts) {
      if (draw(model.seed, personId, kind).share < aboveBp) item(personId, kind, d, 1, true);
    }
  }
  return out;
}

/** Requests grouped by district and day: one declared-figures read per group. */
export function groupByDistrictDay<R extends { districtCode: string; asOf: string }>(
  requests: readonly R[],
): Map<string, R[]> {
  const groups = new Map<string, R[]>();
  for (const r of requests) {
    const key = `${r.districtCode}|${r.asOf}`;
    const list = groups.get(key);
    if (list) list.push(r);
    else groups.set(key, [r]);
  }
  return groups;
}

/** The declared figures of these requests' members and households (one statement per district and day). */
export async function declaredOfRequests(
  db: Db,
  requests: readonly SimulatedRequest[],
): Promise<Map<string, DeclaredFigures>> {
  const byRequest = new Map<string, DeclaredFigures>();
  for (const group of groupByDistrictDay(requests).values()) {
    const first = group[0]!;
    const figures = await declaredFiguresOn(
      db,
      first.districtCode,
      group.flatMap((r) => r.personIds),
      group.map((r) => r.householdId),
      first.asOf,
    );
    for (const r of group) byRequest.set(r.requestId, figures);
  }
  return byRequest;
}

/**
 * 预置真相 of these requests: every planted item, read from the declared figures as the simulated sources
 * read them. A test says from this what the report must flag (items above the tolerance) and what it must not.
 */
export async function groundTruth(
  db: Db,
  requests: readonly SimulatedRequest[],
  model: SimulationModel = simulationModel(),
): Promise<PlantedItem[]> {
  const declared = await declaredOfRequests(db, requests);
  return requests.flatMap((r) => plantedItems(r, declared.get(r.requestId)!, toleranceOn(r.asOf), model));
}
