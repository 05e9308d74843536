import type { Claim, Report, ReportFigure } from '../../api/verifications.ts';
import { formatFen, parseYuan } from '../../utils/money.ts';
import type { Option, TagType } from './data.ts';

/**
 * The report page's pure helpers: the figures grouped by member, the findings an objection may contest and
 * the claimed value read from what the applicant typed (元 for money, a count, 是/否), in the server's units
 * (fen, quantity, flag). The kinds are the server's (report.types.ts FIGURE_KINDS), copied because that module
 * reaches the policy engine's types; data.test.ts checks the copy.
 */

export type ClaimUnit = 'fen' | 'quantity' | 'flag';

export const FIGURE_KINDS: Readonly<Record<string, { label: string; unit: ClaimUnit }>> = {
  wage: { label: '工资性收入（月）', unit: 'fen' },
  pension: { label: '养老金（月）', unit: 'fen' },
  other_income: { label: '经营性及其他收入（月）', unit: 'fen' },
  employment: { label: '在职参保', unit: 'flag' },
  monetary_assets: { label: '货币财产（存款、证券及理财）', unit: 'fen' },
  homes: { label: '房产（套）', unit: 'quantity' },
  vehicles: { label: '机动车（辆）', unit: 'quantity' },
};

export function claimUnit(kind: string): ClaimUnit {
  return FIGURE_KINDS[kind]?.unit ?? 'quantity';
}

/** The key of one finding: member (empty for the household) and kind. */
export function findingKey(f: Pick<ReportFigure, 'personId' | 'kind'>): string {
  return `${f.personId ?? ''}/${f.kind}`;
}

/** The findings an applicant may contest: every figure of the report, flagged ones first. */
export function findingOptions(report: Pick<Report, 'figures'>): Option[] {
  const sorted = [...report.figures].sort((a, b) => Number(b.flags.length > 0) - Number(a.flags.length > 0));
  return sorted.map((f) => ({
    value: findingKey(f),
    label: `${f.memberName} · ${f.kindName}（核对 ${f.verifiedText}，申报 ${f.declaredText}）`,
  }));
}

/** The claimed value in the server's unit, or a sentence saying what is wrong with the text. */
export function claimValueOf(kind: string, text: string): { value: number } | { problem: string } {
  const unit = claimUnit(kind);
  const t = text.trim();
  if (unit === 'fen') {
    const fen = parseYuan(t);
    return fen === null ? { problem: '金额应为元，最多两位小数' } : { value: fen };
  }
  if (unit === 'flag') {
    if (t === '是') return { value: 1 };
    if (t === '否') return { value: 0 };
    return { problem: '请选择“是”或“否”' };
  }
  return /^\d{1,4}$/.test(t) ? { value: Number(t) } : { problem: '应为不小于 0 的整数' };
}

/** A figure's value in the table (the header says 元): money from fen, counts with their unit, 是/否. */
export function figureText(kind: string, value: number | null): string {
  if (value === null) return '未核实';
  const unit = claimUnit(kind);
  if (unit === 'fen') return formatFen(value);
  if (unit === 'flag') return value ? '是' : '否';
  return kind === 'homes' ? `${value} 套` : `${value} 辆`;
}

/** verified − declared, signed; 一致/不一致 for a flag; a dash when nothing was verified. */
export function differenceText(kind: string, difference: number | null): string {
  if (difference === null) return '—';
  const unit = claimUnit(kind);
  if (unit === 'flag') return difference === 0 ? '一致' : '不一致';
  const sign = difference > 0 ? '+' : '';
  return unit === 'fen' ? `${sign}${formatFen(difference)}` : `${sign}${difference}`;
}

/** A claimed value as the caseworker reads it. */
export function claimText(claim: Pick<Claim, 'kind' | 'claimedValue'>): string {
  const unit = claimUnit(claim.kind);
  if (unit === 'fen') return `${formatFen(claim.claimedValue)} 元`;
  if (unit === 'flag') return claim.claimedValue ? '是' : '否';
  return claim.kind === 'homes' ? `${claim.claimedValue} 套` : `${claim.claimedValue} 辆`;
}

/** "张伟 · 工资性收入（月）" for a claim, from the report's members and kinds. */
export function claimSubject(
  report: Pick<Report, 'members'>,
  claim: Pick<Claim, 'personId' | 'kind'>,
): string {
  const who =
    claim.personId === null
      ? '家庭'
      : (report.members.find((m) => m.personId === claim.personId)?.name ?? '');
  const what = FIGURE_KINDS[claim.kind]?.label ?? claim.kind;
  return `${who} · ${what}`;
}

/** The figures of one member (or of the household), in the report's order. */
export function figureGroups(report: Pick<Report, 'figures'>): { title: string; rows: ReportFigure[] }[] {
  const groups = new Map<string, { title: string; rows: ReportFigure[] }>();
  for (const f of report.figures) {
    const key = f.personId ?? '';
    const group = groups.get(key) ?? { title: f.personId === null ? '家庭财产' : f.memberName, rows: [] };
    group.rows.push(f);
    groups.set(key, group);
  }
  return [...groups.values()];
}

export function flagTagType(code: string): TagType {
  return code === 'assets_over_limit' || code === 'unreported_income' || code === 'deceased'
    ? 'danger'
    : 'warning';
}

/** 符合 / 不符合 and the monthly amount when there is one. */
export function conclusionText(p: { eligible: boolean; amountFen: number; error?: string }): string {
  if (p.error) return '无法测算';
  if (!p.eligible) return '不符合';
  return p.amountFen > 0 ? `符合，${formatFen(p.amountFen)} 元/月` : '符合';
}

/** The 工商登记 and 死亡 findings that the figures table has no column for, in words. */
export function civilLines(report: Pick<Report, 'civil'>): string[] {
  return report.civil.flatMap((c) => {
    const lines: string[] = [];
    if (c.business === true) lines.push(`${c.name}：有工商登记（企业法定代表人或经营者）`);
    if (c.deathDate) lines.push(`${c.name}：户籍登记死亡日期 ${c.deathDate}`);
    return lines;
  });
}
