import { formatYuan } from '../../policy/engine/exact.ts';
import { ANSWER_KINDS, SOURCES } from '../sources/catalogue.ts';
import {
  FIGURE_KINDS,
  FLAG_CODES,
  type FigureKind,
  type FigureRow,
  type Flag,
  type FlagCode,
  type Gap,
  type QueryOutcome,
  type ReportMember,
  type Tolerance,
  type VerifiedValue,
} from './report.types.ts';

/**
 * 信息核对 (pure): declared against verified, per member and kind, and the flags a caseworker must look at.
 *
 * The tolerance (dated parameters verification.tolerance.*): a difference d = verified − declared is not
 * flagged when d ≤ max(tolerance_fen, declared × tolerance_bp / 10000). Compared in integers, without the
 * division: d ≤ tolerance_fen or d × 10000 ≤ declared × tolerance_bp. Incomes use the income tolerance (per
 * member and month), the household's money the assets tolerance. Only verified figures above the declared
 * are flagged: the report looks for concealment; less than declared is shown, not flagged.
 */

export interface ComparedFigure {
  personId: string | null;
  kind: FigureKind;
  declared: number;
  verified: VerifiedValue;
  corrected?: boolean;
}

export interface CivilFinding {
  personId: string;
  business: boolean | null;
  deathDate: string | null;
}

export interface FindingsInput {
  members: readonly ReportMember[];
  figures: readonly ComparedFigure[];
  civil: readonly CivilFinding[];
  queries: readonly QueryOutcome[];
  tolerance: Tolerance;
  /** The engine's dibao property test fails on the verified figures (DIBAO_ASSETS_OVER_LIMIT). */
  assetTestFails: boolean;
}

export interface Findings {
  figures: FigureRow[];
  flags: Flag[];
  gaps: Gap[];
}

/** Whether a difference lies within the tolerance: d ≤ max(fen, declared × bp / 10000), in integers. */
export function withinTolerance(difference: number, declared: number, fen: number, bp: number): boolean {
  return difference <= fen || difference * 10_000 <= declared * bp;
}

function valueText(kind: FigureKind, value: number): string {
  const unit = FIGURE_KINDS[kind].unit;
  if (unit === 'fen') return `${formatYuan(value)} 元`;
  if (unit === 'flag') return value ? '是' : '否';
  return `${value}`;
}

function flagsOf(f: ComparedFigure, verified: number, t: Tolerance): FlagCode[] {
  const d = verified - f.declared;
  if (d <= 0) return [];
  const info = FIGURE_KINDS[f.kind];
  if (info.income) {
    if (withinTolerance(d, f.declared, t.incomeFen, t.incomeBp)) return [];
    return [f.declared === 0 ? 'unreported_income' : 'underreported'];
  }
  switch (f.kind) {
    case 'monetary_assets':
      return withinTolerance(d, f.declared, t.assetsFen, t.assetsBp) ? [] : ['underreported'];
    case 'homes':
      return ['homes'];
    case 'vehicles':
      return ['vehicles'];
    case 'wage':
    case 'pension':
    case 'other_income':
    case 'employment':
      return [];
  }
}

export function compareFigures(input: FindingsInput): Findings {
  const names = new Map(input.members.map((m) => [m.personId, m.name]));
  const who = (personId: string | null) => (personId === null ? '家庭' : (names.get(personId) ?? '成员'));
  const figures: FigureRow[] = [];
  const flags: Flag[] = [];
  for (const f of input.figures) {
    const v = f.verified.value;
    const rowFlags = v === null ? [] : flagsOf(f, v, input.tolerance);
    figures.push({
      personId: f.personId,
      kind: f.kind,
      declared: f.declared,
      verified: v,
      difference: v === null ? null : v - f.declared,
      complete: f.verified.complete,
      sources: [...f.verified.sources],
      flags: rowFlags,
      ...(f.corrected ? { corrected: true } : {}),
    });
    for (const code of rowFlags) {
      const label = FIGURE_KINDS[f.kind].label;
      flags.push({
        code,
        label: FLAG_CODES[code],
        personId: f.personId,
        kind: f.kind,
        text: `${who(f.personId)}${label}申报 ${valueText(f.kind, f.declared)}，核对 ${valueText(f.kind, v!)}${
          FIGURE_KINDS[f.kind].unit === 'fen' ? `，相差 ${formatYuan(v! - f.declared)} 元` : ''
        }`,
      });
    }
  }
  if (input.assetTestFails) {
    const assets = input.figures.find((f) => f.kind === 'monetary_assets');
    flags.push({
      code: 'assets_over_limit',
      label: FLAG_CODES.assets_over_limit,
      personId: null,
      kind: 'monetary_assets',
      text: `按核对结果，家庭财产不符合最低生活保障的财产规定${
        assets?.verified.value != null ? `（货币财产 ${formatYuan(assets.verified.value)} 元）` : ''
      }`,
    });
  }
  for (const c of input.civil) {
    if (c.business) {
      flags.push({
        code: 'business',
        label: FLAG_CODES.business,
        personId: c.personId,
        kind: null,
        text: `${who(c.personId)}有工商登记记录`,
      });
    }
    if (c.deathDate) {
      flags.push({
        code: 'deceased',
        label: FLAG_CODES.deceased,
        personId: c.personId,
        kind: null,
        text: `${who(c.personId)}有死亡登记（${c.deathDate}）`,
      });
    }
  }
  return { figures, flags, gaps: gapsOf(input.queries) };
}

/** The sources that failed or timed out, and what they would have confirmed. */
export function gapsOf(queries: readonly QueryOutcome[]): Gap[] {
  const gaps: Gap[] = [];
  for (const q of queries) {
    if (q.state !== 'failed' && q.state !== 'timed_out') continue;
    const source = SOURCES[q.source];
    const kinds = [...source.kinds];
    gaps.push({
      source: q.source,
      sourceName: source.name,
      state: q.state,
      kinds,
      text: `${source.name}${q.state === 'timed_out' ? '未在规定时间内答复' : '查询失败'}${
        q.error && q.state === 'failed' ? `（${q.error}）` : ''
      }，以下内容未能核对：${kinds.map((k) => ANSWER_KINDS[k].label).join('、')}`,
    });
  }
  return gaps;
}
