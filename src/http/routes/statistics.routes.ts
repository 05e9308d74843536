import { z } from 'zod';
import { hasPermission, scopeOf } from '../../auth/roles.ts';
import { divisionScope, inScope } from '../../auth/scope.ts';
import { cachedPopulationFigures } from '../../registry/registry.service.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { todayIso } from '../presenters/registry.presenter.ts';
import { divisionCode } from '../schemas.ts';

const count = z.number().int();
const area = z.object({ code: z.string(), name: z.string().nullable(), persons: count, households: count });

const sizeLabel = (size: number) => (size >= 6 ? `${size}人及以上户` : `${size}人户`);

export function registerStatisticsRoutes(app: ZodApp, { store }: ServerDeps): void {
  app.get(
    '/api/statistics/population',
    {
      schema: {
        tags: ['统计'],
        summary: '人口概况：年龄金字塔、老年人口、残疾、特殊类别、各街道人数（本人数据范围内）',
        querystring: z.object({
          division: divisionCode.optional().describe('区、街道或居委会代码（须在本人数据范围内）'),
          asOf: z.iso.date().optional().describe('统计日期，默认今天'),
        }),
        response: {
          200: z.object({
            asOf: z.string(),
            computedAt: z.string().describe('统计时间（ISO 8601）'),
            fresh: z.boolean().describe('false：统计之后人口库有变动，新结果正在计算，稍后重新请求即可得到'),
            totals: z.object({
              persons: count.describe('常住人口：居住在本范围内的登记人口（不论户籍）'),
              hukouPersons: count.describe('其中本市户籍人口'),
              households: count,
            }),
            pyramid: z.array(z.object({ band: z.string(), male: count, female: count, other: count })),
            elderly: z.object({
              count: count,
              share60: z.number().describe('60 岁及以上占比（0–1）'),
              share60PerMille: count,
              bands: z.array(z.object({ band: z.string(), count, sharePerMille: count })),
            }),
            disability: z.object({
              total: count,
              byCategory: z.array(z.object({ code: count, name: z.string(), count })),
              byGrade: z.array(z.object({ code: count, name: z.string(), count })),
            }),
            categories: z.array(z.object({ code: z.string(), name: z.string(), count })),
            byStreet: z.array(area),
            areas: z
              .object({ level: z.enum(['street', 'committee']), items: z.array(area) })
              .describe('下一级区划：区或全市按街道，街道与居委会按居委会'),
            householdSizes: z
              .array(z.object({ size: count, label: z.string(), households: count }))
              .nullable()
              .describe('家庭户规模（仅居委会范围）：1人户 … 6人及以上户'),
          }),
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      if (!hasPermission(user.role, 'statistics.view')) throw new AppError('FORBIDDEN');
      const own = scopeOf(user);
      const { division } = request.query;
      if (division && !inScope(own, division))
        throw new AppError('NOT_FOUND', '区划不存在或不在您的数据范围内');
      const scope = division ? divisionScope(division) : own;
      const asOf = request.query.asOf ?? todayIso();
      const { figures: f, computedAt, fresh } = await cachedPopulationFigures(store.db, scope, asOf);
      return {
        asOf: f.asOf,
        computedAt,
        fresh,
        totals: { persons: f.persons, hukouPersons: f.hukouPersons, households: f.households },
        pyramid: f.pyramid,
        elderly: {
          count: f.elderly.aged60plus,
          share60: f.elderly.sharePerMille / 1000,
          share60PerMille: f.elderly.sharePerMille,
          bands: f.elderly.bands,
        },
        disability: {
          total: f.disability.total,
          byCategory: f.disability.byCategory.map((c) => ({
            code: c.category,
            name: c.name,
            count: c.count,
          })),
          byGrade: f.disability.byGrade.map((g) => ({ code: g.grade, name: g.name, count: g.count })),
        },
        categories: f.categories.map((c) => ({ code: c.category, name: c.name, count: c.count })),
        byStreet: f.byStreet.map((s) => ({
          code: s.streetCode,
          name: s.streetName,
          persons: s.persons,
          households: s.households,
        })),
        areas: f.areas,
        householdSizes: f.householdSizes?.map((s) => ({ ...s, label: sizeLabel(s.size) })) ?? null,
      };
    },
  );
}
