import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { householdPolicy } from '../../auth/policies/household.policy.ts';
import { scopeOf } from '../../auth/roles.ts';
import { exportHouseholds, type HouseholdExportQuery } from '../../registry/export/export.service.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { todayIso } from '../presenters/registry.presenter.ts';
import { divisionCode, text } from '../schemas.ts';

const CONTENT_TYPES = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
} as const;

/** The list's `q` as an export filter: a household number, or a member's name / pinyin initials. */
export function exportQuery(q: string | undefined, division: string | undefined): HouseholdExportQuery {
  const query: HouseholdExportQuery = division ? { divisionCode: division } : {};
  if (!q) return query;
  if (/\d/.test(q) && /^[A-Za-z0-9-]+$/.test(q)) return { ...query, householdNos: [q] };
  return { ...query, name: q };
}

export function registerExportRoutes(app: ZodApp, { store }: ServerDeps): void {
  app.get(
    '/api/households/export',
    {
      schema: {
        tags: ['人口信息'],
        summary:
          '导出户籍台账 .xlsx 或 .csv（与列表相同的筛选；身份证号与电话脱敏；不会被电子表格当作公式执行；记入审计日志）',
        querystring: z.object({
          q: text(60).optional().describe('户编号，或成员姓名/拼音首字母前缀'),
          division: divisionCode.optional(),
          format: z
            .enum(['xlsx', 'csv'], '格式只能是 xlsx 或 csv')
            .optional()
            .describe('文件格式，默认 xlsx'),
        }),
        produces: Object.values(CONTENT_TYPES),
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      if (!householdPolicy.canExport(user)) throw new AppError('FORBIDDEN');
      const query = exportQuery(request.query.q, request.query.division);
      const format = request.query.format ?? 'xlsx';
      const output = new PassThrough();
      const done = exportHouseholds(
        store,
        query,
        {
          scope: scopeOf(user),
          unmask: false,
          format,
          actor: {
            userId: user.id,
            divisionCode: user.divisionCode,
            reason: '台账导出（脱敏）',
            requestId: request.id,
          },
        },
        output,
      );
      // Headers go out with the first bytes; a failure after that can only cut the download short.
      done.catch((error: unknown) => {
        request.log.error({ err: error instanceof Error ? { name: error.name } : {} }, 'export failed');
        output.destroy(error instanceof Error ? error : new Error('export failed'));
      });
      const filename = `户籍台账-${todayIso()}.${format}`;
      return reply
        .header('content-type', CONTENT_TYPES[format])
        .header(
          'content-disposition',
          `attachment; filename="households.${format}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
        )
        .send(output);
    },
  );
}
