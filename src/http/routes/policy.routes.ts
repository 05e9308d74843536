import { z } from 'zod';
import { householdPolicy } from '../../auth/policies/household.policy.ts';
import { hasPermission, scopeOf } from '../../auth/roles.ts';
import { scopeDistrict } from '../../auth/scope.ts';
import type { DataScope } from '../../auth/scope.ts';
import { shanghaiMonth } from '../../core/clock.ts';
import type { Db } from '../../db/store.ts';
import { isMonth } from '../../policy/engine/month.ts';
import {
  evaluateHousehold,
  HouseholdValidationError,
  isProgramCode,
  PROGRAM_CODES,
  PROGRAMS,
  validateHousehold,
  type ProgramCode,
} from '../../policy/index.ts';
import { findHousehold } from '../../registry/household.repository.ts';
import { policyHouseholdOf } from '../../registry/policy-input.service.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { presentParameters } from '../presenters/parameters.presenter.ts';
import { registerSimulateRoute } from './policy-simulate.routes.ts';
import { parametersInForce } from '../../parameter-changes/parameters-in-force.ts';

const monthSchema = z.string().refine(isMonth, '月份格式应为 YYYY-MM');
const parameterValue = z.object({
  from: z.string(),
  value: z.number(),
  status: z.string(),
  source: z.string(),
  decided: z.string().optional(),
  note: z.string().optional(),
});
const parameterInForce = parameterValue.extend({
  month: z.string(),
  wanted: z.string().optional().describe('按年度的统计数据回退时，本应使用的年度'),
  warning: z.string().optional().describe('使用该取值的计算结果所带的提示'),
});
const programList = z
  .array(z.string().refine(isProgramCode, '未知的救助项目'))
  .max(PROGRAM_CODES.length)
  .optional()
  .describe(`项目代码：${PROGRAM_CODES.join('、')}`);

function programsOf(codes: readonly string[] | undefined): ProgramCode[] | undefined {
  return codes?.filter(isProgramCode);
}

/** A registered household, read in the user's scope (404 outside it), as the engine's input for a month. */
export async function registeredPolicyHousehold(
  db: Db,
  scope: DataScope,
  districtCode: string,
  id: string,
  month: string,
) {
  const household = await findHousehold(db, scope, { districtCode, id });
  if (!household) throw new AppError('NOT_FOUND');
  return { household, input: await policyHouseholdOf(db, household, month) };
}

export function registerPolicyRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  app.get(
    '/api/policy/programs',
    {
      schema: {
        tags: ['政策计算'],
        summary: '救助与津贴项目',
        response: {
          200: z.array(
            z.object({ code: z.string(), name: z.string(), level: z.enum(['household', 'person']) }),
          ),
        },
      },
    },
    (request) => {
      requireUser(request);
      return PROGRAM_CODES.map((code) => ({ code, name: PROGRAMS[code].name, level: PROGRAMS[code].level }));
    },
  );

  app.post(
    '/api/policy/calculate',
    {
      schema: {
        tags: ['政策计算'],
        summary: '按 SPEC.md 交换格式计算一户某月的各项目资格与金额（分）',
        body: z.object({
          month: monthSchema,
          household: z.record(z.string(), z.unknown()).describe('家庭（SPEC.md 交换格式）'),
          programs: programList,
          explain: z.boolean().optional(),
        }),
      },
    },
    (request) => {
      const user = requireUser(request);
      if (!hasPermission(user.role, 'policy.calculate')) throw new AppError('FORBIDDEN');
      let validated: ReturnType<typeof validateHousehold>;
      try {
        validated = validateHousehold({ month: request.body.month, household: request.body.household });
      } catch (error) {
        if (error instanceof HouseholdValidationError) {
          throw new AppError('VALIDATION', `家庭数据不合法：${error.message}`, {
            details: [{ field: error.path, reason: error.detail }],
          });
        }
        throw error;
      }
      const programs = programsOf(request.body.programs);
      return evaluateHousehold(validated.household, validated.month, {
        explain: request.body.explain ?? false,
        ...(programs ? { programs } : {}),
      });
    },
  );

  app.get(
    '/api/policy/households/:id/calculate',
    {
      schema: {
        tags: ['政策计算'],
        summary: '为登记的家庭户计算某月各项目（不在数据范围内时 404）',
        params: z.object({ id: z.uuid('编号格式不正确') }),
        querystring: z.object({
          month: monthSchema,
          district: z
            .string()
            .regex(/^\d{6}$/)
            .optional(),
          explain: z.enum(['true', 'false']).optional(),
        }),
      },
    },
    async (request) => {
      const user = requireUser(request);
      const scope = scopeOf(user);
      const district = scopeDistrict(scope) ?? request.query.district ?? config.MINZHENG_DEMO_DISTRICT;
      const { household, input } = await registeredPolicyHousehold(
        store.db,
        scope,
        district,
        request.params.id,
        request.query.month,
      );
      if (!householdPolicy.canCalculate(user, household)) throw new AppError('NOT_FOUND');
      if (input.members.length === 0) {
        throw new AppError('VALIDATION', `该户在 ${request.query.month} 没有在册成员`);
      }
      return evaluateHousehold(input, request.query.month, {
        parameters: parametersInForce(),
        explain: request.query.explain === 'true',
        district: household.districtCode,
      });
    },
  );

  app.get(
    '/api/policy/parameters',
    {
      schema: {
        tags: ['政策计算'],
        summary: '政策参数：按生效日期的取值、来源与状态，以及某月计算时实际使用的取值',
        querystring: z.object({
          month: monthSchema.optional().describe('现行值按哪个月计算，默认本月（上海时间）'),
        }),
        response: {
          200: z.array(
            z.object({
              name: z.string(),
              description: z.string(),
              unit: z.string(),
              keyedBy: z.enum(['date', 'year']),
              values: z.array(parameterValue).describe('全市取值（仅由区设定的参数为空）'),
              current: parameterInForce
                .nullable()
                .describe('该月计算时使用的取值（与计算引擎同一规则）；无取值时为 null'),
              districts: z
                .array(
                  z.object({
                    code: z.string().describe('区代码'),
                    name: z.string().describe('区名'),
                    values: z.array(parameterValue),
                    current: parameterInForce.nullable().describe('该区该月计算时使用的取值'),
                  }),
                )
                .optional()
                .describe('区级参数：自行设定该参数的区及其取值；其他区使用全市取值'),
            }),
          ),
        },
      },
    },
    (request) => {
      const user = requireUser(request);
      if (!hasPermission(user.role, 'policy.view')) throw new AppError('FORBIDDEN');
      return presentParameters(parametersInForce(), request.query.month ?? shanghaiMonth());
    },
  );

  registerSimulateRoute(app, store);
}
