import { z } from 'zod';

/** Statuses of SPEC.md: given/found are used silently; every other status puts a warning on results. */
export const PARAMETER_STATUSES = [
  'given',
  'found',
  'secondary',
  'inferred',
  'unverified',
  'assumption',
] as const;
export type ParameterStatus = (typeof PARAMETER_STATUSES)[number];

export function isTrusted(status: ParameterStatus): boolean {
  return status === 'given' || status === 'found';
}

/**
 * Units. `fen` money, `fen_per_year` yearly money (keyed by year), `years` ages in completed years,
 * `bp` rates in basis points (1/10000) so that rates stay integers; whole numbers say what they count
 * (`persons`, `homes`, `vehicles`, `months`, `days`, `working_days` time limits counted on the working-day
 * calendar, `grade` a disability grade), else `count`.
 */
export const PARAMETER_UNITS = [
  'fen',
  'fen_per_year',
  'years',
  'bp',
  'persons',
  'homes',
  'vehicles',
  'months',
  'days',
  'working_days',
  'grade',
  'count',
] as const;
export type ParameterUnit = (typeof PARAMETER_UNITS)[number];

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '应为 YYYY-MM-DD 日期 (expected a YYYY-MM-DD date)')
  .refine(
    (s) =>
      !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s),
    {
      message: '不是有效日期 (not a calendar date)',
    },
  );

const integerValue = z
  .number()
  .int('应为整数 (must be an integer)')
  .min(0, '不能为负数 (must not be negative)')
  .max(Number.MAX_SAFE_INTEGER, '超出 2^53−1 (too large)');

const common = {
  value: integerValue,
  status: z.enum(PARAMETER_STATUSES),
  source: z.string().min(1, '必须注明来源 (source is required)'),
  decided: isoDate.optional(),
  note: z.string().optional(),
};

export const datedValueSchema = z.strictObject({ effective: isoDate, ...common });
export const yearValueSchema = z.strictObject({ year: z.number().int().min(1900).max(9999), ...common });

/** A district's own values of a parameter (区级参数): keyed by the six-digit district code. */
const districtValues = <T extends z.ZodType>(value: T) =>
  z.record(
    z.string().regex(/^31\d{4}$/, '应为上海市的 6 位区代码 (expected a district code)'),
    z.array(value),
  );

export const datedFileSchema = z.strictObject({
  description: z.string().min(1),
  unit: z.enum(PARAMETER_UNITS),
  keyedBy: z.literal('date').optional(),
  /** The city's values; empty when only districts set the parameter (a district's own rule). */
  values: z.array(datedValueSchema),
  /**
   * A district whose own values are listed here uses them, and only them, for this parameter; every
   * other district uses the city's `values`.
   */
  districts: districtValues(datedValueSchema).optional(),
});
export const yearlyFileSchema = z.strictObject({
  description: z.string().min(1),
  unit: z.literal('fen_per_year'),
  keyedBy: z.literal('year'),
  values: z.array(yearValueSchema),
});
export type ParameterFile = z.infer<typeof datedFileSchema> | z.infer<typeof yearlyFileSchema>;
export type DatedValue = z.infer<typeof datedValueSchema>;
export type YearValue = z.infer<typeof yearValueSchema>;

/** A reform: parameter path → dated values merged over the baseline (same effective date replaces). */
export const reformFileSchema = z.strictObject({
  description: z.string().min(1),
  parameters: z.record(
    z.string().regex(/^[a-z0-9_]+(\.[a-z0-9_]+)+$/, '参数路径格式错误 (bad parameter path)'),
    z.strictObject({ values: z.array(z.union([datedValueSchema, yearValueSchema])) }),
  ),
});
export type ReformFile = z.infer<typeof reformFileSchema>;
