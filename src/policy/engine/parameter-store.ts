import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORE_SCHEMA, load } from 'js-yaml';
import type { z } from 'zod';
import type { BenefitMonth } from './month.ts';
import {
  datedFileSchema,
  reformFileSchema,
  yearlyFileSchema,
  type ParameterStatus,
  type ParameterUnit,
  type ReformFile,
} from './parameter.schema.ts';

/** One dated (or yearly) value of a parameter. `key` is the effective date, or the year for yearly series. */
export interface ParameterEntry {
  readonly key: string;
  readonly value: number;
  readonly status: ParameterStatus;
  readonly source: string;
  readonly decided?: string;
  readonly note?: string;
}

export interface ParameterSeries {
  readonly path: string;
  readonly description: string;
  readonly unit: ParameterUnit;
  readonly keyedBy: 'date' | 'year';
  /** Sorted by key, keys unique. */
  readonly entries: readonly ParameterEntry[];
  /** Districts with their own values (区级参数), each series sorted like `entries`. */
  readonly districts?: ReadonlyMap<string, readonly ParameterEntry[]>;
  readonly file: string;
}

/** A malformed parameter or reform file: names the file and the field. */
export class ParameterFileError extends Error {
  constructor(
    readonly file: string,
    readonly field: string,
    detail: string,
  ) {
    super(`参数文件 ${file} 字段 ${field || '(根)'}：${detail}`);
    this.name = 'ParameterFileError';
  }
}

function issuePath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function failOn(file: string, error: z.ZodError): never {
  const issue = error.issues[0];
  throw new ParameterFileError(file, issue ? issuePath(issue.path) : '', issue?.message ?? '格式错误');
}

function toEntries(
  file: string,
  keyedBy: 'date' | 'year',
  values: readonly ({ effective: string } | { year: number })[],
  raw: readonly {
    value: number;
    status: ParameterStatus;
    source: string;
    decided?: string | undefined;
    note?: string | undefined;
  }[],
): ParameterEntry[] {
  const entries = values.map((v, i): ParameterEntry => {
    const r = raw[i];
    if (!r) throw new ParameterFileError(file, `values[${i}]`, '缺少取值');
    const key = 'effective' in v ? v.effective : String(v.year);
    if (keyedBy === 'year' && !('year' in v))
      throw new ParameterFileError(file, `values[${i}].year`, '按年度的参数须写 year');
    if (keyedBy === 'date' && !('effective' in v))
      throw new ParameterFileError(file, `values[${i}].effective`, '按日期的参数须写 effective');
    return {
      key,
      value: r.value,
      status: r.status,
      source: r.source,
      ...(r.decided !== undefined ? { decided: r.decided } : {}),
      ...(r.note !== undefined ? { note: r.note } : {}),
    };
  });
  for (let i = 1; i < entries.length; i++) {
    const prev = entries[i - 1];
    const cur = entries[i];
    if (prev && cur && !(prev.key < cur.key))
      throw new ParameterFileError(file, `values[${i}]`, `生效日期须严格递增 (${prev.key} → ${cur.key})`);
  }
  return entries;
}

/**
 * YAML 1.2's core schema (dates stay strings). js-yaml parses the parameter files several times faster
 * than the `yaml` package when the process is cold, which is most of a one-household `calc`.
 */
const parseYaml = (text: string): unknown => load(text, { schema: CORE_SCHEMA });

/** Parses one parameter file's YAML text; throws ParameterFileError naming the file and field. */
export function parseParameterFile(file: string, path: string, text: string): ParameterSeries {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ParameterFileError(
      file,
      '',
      `YAML 解析失败：${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const yearly = typeof raw === 'object' && raw !== null && (raw as { keyedBy?: unknown }).keyedBy === 'year';
  if (yearly) {
    const parsed = yearlyFileSchema.safeParse(raw);
    if (!parsed.success) failOn(file, parsed.error);
    const f = parsed.data;
    return {
      path,
      description: f.description,
      unit: f.unit,
      keyedBy: 'year',
      entries: toEntries(file, 'year', f.values, f.values),
      file,
    };
  }
  const parsed = datedFileSchema.safeParse(raw);
  if (!parsed.success) failOn(file, parsed.error);
  const f = parsed.data;
  if (f.unit === 'fen_per_year')
    throw new ParameterFileError(file, 'keyedBy', 'fen_per_year 参数须按年度 (keyedBy: year)');
  const districts = Object.entries(f.districts ?? {}).map(
    ([code, values]) => [code, toEntries(file, 'date', values, values)] as const,
  );
  return {
    path,
    description: f.description,
    unit: f.unit,
    keyedBy: 'date',
    entries: toEntries(file, 'date', f.values, f.values),
    ...(districts.length > 0 ? { districts: new Map(districts) } : {}),
    file,
  };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.name.endsWith('.yaml')) out.push(full);
  }
  return out.sort();
}

/** Index of the last key ≤ `key` in sorted `entries`, or −1: binary search, O(log k). */
export function lastAtOrBefore(entries: readonly ParameterEntry[], key: string): number {
  let lo = 0;
  let hi = entries.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const e = entries[mid];
    if (e !== undefined && e.key <= key) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** What a parameter resolves to for one month: the entry in force, or null (no value: a gap). */
export interface Resolution {
  readonly series: ParameterSeries;
  /** The date (or year) looked up. */
  readonly at: string;
  readonly entry: ParameterEntry | null;
}

/** A yearly statistic resolved to an earlier year than the one looked up (SPEC.md v1.1): warn. */
export function isYearFallback(r: Resolution): boolean {
  return r.series.keyedBy === 'year' && r.entry !== null && r.entry.key !== r.at;
}

/** The warning text SPEC.md v1.1 prescribes for a yearly fallback. */
export function yearFallbackMessage(r: Resolution): string {
  return `${r.series.path}：${r.at} 年数值未录入，使用 ${r.entry?.key ?? ''} 年数值`;
}

/** All parameters, loaded once and immutable; reforms derive new stores. */
export class ParameterStore {
  private readonly byPath: ReadonlyMap<string, ParameterSeries>;
  private readonly monthCache = new Map<string, Map<string, Resolution>>();
  private readonly districtViews = new Map<string, ParameterStore>();

  constructor(
    series: Iterable<ParameterSeries>,
    readonly label = 'baseline',
  ) {
    const map = new Map<string, ParameterSeries>();
    for (const s of series) map.set(s.path, s);
    this.byPath = map;
  }

  static loadDir(dir: string): ParameterStore {
    const files = walk(dir);
    return new ParameterStore(
      files.map((full) => {
        const rel = relative(dir, full);
        const path = rel.slice(0, -'.yaml'.length).split(sep).join('.');
        return parseParameterFile(rel, path, readFileSync(full, 'utf8'));
      }),
    );
  }

  series(path: string): ParameterSeries | undefined {
    return this.byPath.get(path);
  }

  list(): ParameterSeries[] {
    return [...this.byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * The value in force for a month — the one rule the engine and the parameters page share. Dated
   * series: the last value effective on or before the 1st of the month (a value effective mid-month
   * applies from the next month). Yearly statistics (SPEC.md v1.1): the previous calendar year's
   * value, else the latest earlier year's, since the bureau publishes a year's figure weeks into the
   * next; `at` keeps the year looked for, so that a fallback can be told apart and warned about.
   */
  resolve(path: string, month: BenefitMonth): Resolution {
    let cache = this.monthCache.get(month.month);
    if (!cache) {
      cache = new Map();
      this.monthCache.set(month.month, cache);
    }
    const hit = cache.get(path);
    if (hit) return hit;
    const series = this.byPath.get(path);
    if (!series) throw new Error(`未定义的参数 (unknown parameter)：${path}`);
    let resolution: Resolution;
    if (series.keyedBy === 'year') {
      const at = String(month.year - 1);
      const i = lastAtOrBefore(series.entries, at);
      resolution = { series, at, entry: i >= 0 ? (series.entries[i] ?? null) : null };
    } else {
      const i = lastAtOrBefore(series.entries, month.firstDay);
      resolution = { series, at: month.firstDay, entry: i >= 0 ? (series.entries[i] ?? null) : null };
    }
    cache.set(path, resolution);
    return resolution;
  }

  /**
   * The parameters as one district sees them: a parameter the district sets itself (its `districts`
   * entry) takes the district's values only; every other parameter keeps the city's. The engine stays
   * pure: callers pass the district's store for the household's district.
   */
  forDistrict(districtCode: string): ParameterStore {
    const district = districtCode.slice(0, 6);
    let view = this.districtViews.get(district);
    if (!view) {
      const series = [...this.byPath.values()].map((s) => {
        const own = s.districts?.get(district);
        return own ? { ...s, entries: own } : s;
      });
      view = new ParameterStore(series, `${this.label}@${district}`);
      this.districtViews.set(district, view);
    }
    return view;
  }

  /** A new store with the reform's values merged in (a value at an existing date replaces it). */
  withReform(reform: ReformFile, label: string): ParameterStore {
    const next = new Map(this.byPath);
    for (const [path, override] of Object.entries(reform.parameters)) {
      const base = this.byPath.get(path);
      if (!base)
        throw new ParameterFileError(label, `parameters.${path}`, '未定义的参数 (unknown parameter)');
      const added = toEntries(label, base.keyedBy, override.values, override.values);
      const merged = new Map(base.entries.map((e) => [e.key, e]));
      for (const e of added) merged.set(e.key, e);
      const entries = [...merged.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      next.set(path, { ...base, entries });
    }
    return new ParameterStore(next.values(), label);
  }
}

export function parseReformFile(file: string, text: string): ReformFile {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ParameterFileError(
      file,
      '',
      `YAML 解析失败：${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const parsed = reformFileSchema.safeParse(raw);
  if (!parsed.success) failOn(file, parsed.error);
  return parsed.data;
}

export const PARAMETERS_DIR = fileURLToPath(new URL('../../parameters', import.meta.url));

let loaded: ParameterStore | undefined;

/** The baseline parameters of src/parameters, loaded and validated on first use, then shared. */
export function baselineParameters(): ParameterStore {
  loaded ??= ParameterStore.loadDir(PARAMETERS_DIR);
  return loaded;
}
