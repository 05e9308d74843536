import { z } from 'zod';
import { scopeOf } from '../../auth/roles.ts';
import { divisionScope, inScope, type DataScope } from '../../auth/scope.ts';
import { isMonth } from '../../policy/engine/month.ts';
import {
  baselineParameters,
  buildPopulation,
  parseMonth,
  reformFromOverrides,
  ReformOverrideError,
  simulationReport,
  type ParameterOverride,
  type ParameterStore,
} from '../../policy/index.ts';
import { divisionIndex } from '../../registry/divisions.ts';
import { registryPolicySource, type AreaLevel } from '../../registry/policy-input.service.ts';
import { requirePermission, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { divisionCode } from '../schemas.ts';

const monthSchema = z.string().refine(isMonth, '月份格式应为 YYYY-MM');

const simulationTotals = z.object({
  households: z.number().int(),
  persons: z.number().int(),
  costFen: z.number().int(),
  error: z.string().optional().describe('该项目本月无法计算的原因（参数缺失）'),
});

const areaTotals = z.object({
  households: z.number().int(),
  persons: z.number().int(),
  costFen: z.number().int(),
});

/** The level below the scope: a city by district, a district by street, a street (or 居委会) by 居委会. */
function areaLevelOf(scope: DataScope): AreaLevel {
  if (scope.kind === 'all') return 'district';
  return scope.code.length === 6 ? 'street' : 'committee';
}

/**
 * Simulation over the registry, inside the request for now (the job runner comes later): one at a
 * time per server, since a district's population keeps a core busy for seconds.
 */
export function registerSimulateRoute(app: ZodApp, store: ServerDeps['store']): void {
  let running = false;
  app.post(
    '/api/policy/simulate',
    {
      schema: {
        tags: ['政策计算'],
        summary: '政策测算：按本人数据范围内的人口库，计算某月各项目的户数、人数与金额，可与调整方案对比',
        body: z.object({
          month: monthSchema,
          division: divisionCode.optional().describe('区、街道或居委会代码（须在本人数据范围内）'),
          reform: z
            .array(
              z.object({
                parameter: z.string().max(100).describe('参数名，如 dibao.standard'),
                value: z
                  .number()
                  .int('取值应为整数（金额以分计，比例以基点计）')
                  .min(0, '取值不能为负数')
                  .max(Number.MAX_SAFE_INTEGER),
              }),
            )
            .max(50)
            .optional()
            .describe('调整方案：参数在该月的取值（金额以分计，比例以基点计）'),
        }),
        response: {
          200: z.object({
            month: z.string(),
            divisionCode: z.string().nullable().describe('测算范围；null 为全市'),
            households: z.number().int(),
            persons: z.number().int(),
            areaLevel: z
              .enum(['district', 'street', 'committee'])
              .describe('分列的区划级别：全市按区，区按街道，街道与居委会按居委会'),
            reform: z.array(z.object({ parameter: z.string(), value: z.number().int() })).nullable(),
            rows: z.array(
              z.object({
                program: z.string(),
                name: z.string(),
                baseline: simulationTotals,
                reform: simulationTotals.optional(),
                delta: areaTotals.optional(),
                areas: z
                  .array(
                    z.object({
                      code: z.string(),
                      name: z.string(),
                      baseline: areaTotals,
                      reform: areaTotals.optional(),
                      delta: areaTotals.optional().describe('调整后 − 基线'),
                    }),
                  )
                  .describe('按下一级区划（区、街道或居委会）分列，按代码排序；无法计算的项目为空'),
              }),
            ),
            elapsedMs: z.number().int().describe('读取人口与计算所用的毫秒数'),
          }),
        },
      },
    },
    async (request) => {
      const user = requirePermission(request, 'policy.simulate');
      const { month, division, reform: overrides } = request.body;
      const own = scopeOf(user);
      if (division && !inScope(own, division))
        throw new AppError('NOT_FOUND', '区划不存在或不在您的数据范围内');
      const scope = division ? divisionScope(division) : own;
      const m = parseMonth(month);
      const baseline = baselineParameters();
      const reform = overrides && overrides.length > 0 ? reformOf(baseline, overrides, m) : null;
      if (running) throw new AppError('UNAVAILABLE', '已有一项政策测算正在进行，请稍后再试');
      running = true;
      try {
        const started = performance.now();
        const area = areaLevelOf(scope);
        const pop = await buildPopulation(registryPolicySource(store, scope, month, { area }));
        const report = simulationReport(pop, m, baseline, reform);
        const names = divisionIndex();
        return {
          month,
          divisionCode: scope.kind === 'division' ? scope.code : null,
          areaLevel: area,
          reform: reform ? (overrides ?? []) : null,
          households: report.households,
          persons: report.persons,
          rows: report.rows.map(({ areas, ...row }) => ({
            ...row,
            areas: (areas ?? []).map(({ area: code, ...figures }) => ({
              code,
              name: names.get(code)?.name ?? code,
              ...figures,
            })),
          })),
          elapsedMs: Math.round(performance.now() - started),
        };
      } finally {
        running = false;
      }
    },
  );
}

function reformOf(
  baseline: ParameterStore,
  overrides: readonly ParameterOverride[],
  month: ReturnType<typeof parseMonth>,
): ParameterStore {
  try {
    return reformFromOverrides(baseline, overrides, month);
  } catch (error) {
    if (error instanceof ReformOverrideError)
      throw new AppError('VALIDATION', `调整方案不合法：${error.message}`, {
        details: [{ field: error.field, reason: error.message }],
      });
    throw error;
  }
}
