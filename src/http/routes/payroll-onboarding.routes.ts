/**
 * 在保对象导入 over HTTP (docs/payroll-onboarding.md): the template, and the upload — checked only
 * (`dryRun` "true") or imported — answered at once with the report (a file with errors: 400 IMPORT_INVALID
 * with the report, nothing written). Inline, not a job: a district's current recipients are a few thousand
 * rows, read and written in seconds (the roster import, millions of rows, is a job). finance: payroll.prepare.
 */
import { z } from 'zod';
import { scopeDistrict } from '../../auth/scope.ts';
import { scopeOf } from '../../auth/roles.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { requirePermission, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { receive, type Upload } from './import.routes.ts';
import { importLimits } from '../../registry/import/limits.ts';
import { removeUpload, uploadFolder } from '../../registry/import/upload-folder.ts';
import { normaliseText } from '../../core/text.ts';
import { importRecipients } from '../../payroll/onboarding/onboarding.service.ts';
import { RECIPIENT_TEMPLATE_NAME, recipientTemplate } from '../../payroll/onboarding/template.ts';

const TAG = '发放';

const reportSchema = z.object({
  ok: z.boolean(),
  dryRun: z.boolean(),
  rows: z.number().int(),
  entitlements: z.number().int(),
  payeeAccounts: z.number().int(),
  openingEntries: z.number().int(),
  openingFen: z.number().int(),
  errors: z.array(
    z.object({
      row: z.number().int().nullable(),
      column: z.string().nullable(),
      value: z.string().nullable(),
      reason: z.string(),
    }),
  ),
  errorCount: z.number().int(),
});

export function registerOnboardingRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  const uploadDir = uploadFolder(config.MINZHENG_DATA_DIR);
  const limits = importLimits(config);

  app.get(
    '/api/payroll/onboarding/template',
    {
      schema: {
        tags: [TAG],
        summary: '下载在保对象导入模板（.xlsx：表头、示例行与说明）',
        produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
      },
    },
    async (request, reply) => {
      requirePermission(request, 'payroll.prepare');
      const body = await recipientTemplate();
      return reply
        .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
        .header(
          'content-disposition',
          `attachment; filename="recipients-template.xlsx"; filename*=UTF-8''${encodeURIComponent(RECIPIENT_TEMPLATE_NAME)}`,
        )
        .send(body);
    },
  );

  app.post(
    '/api/payroll/onboarding/import',
    {
      schema: {
        tags: [TAG],
        summary:
          '导入在保对象（multipart：file、dryRun "true"/"false"、reason，市级用户另填 districtCode）：有错误时 400 并返回错误表（行、列、原因），不写入任何数据',
        consumes: ['multipart/form-data'],
        response: { 200: reportSchema },
      },
    },
    async (request) => {
      const user = requirePermission(request, 'payroll.prepare');
      if (!request.isMultipart())
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请以 multipart/form-data 上传文件');
      const upload: Upload = { path: '', name: 'upload', fields: {} };
      try {
        await receive(request, upload, uploadDir, config.MINZHENG_MAX_UPLOAD_MB);
        if (!upload.path) throw new AppError('VALIDATION', '缺少上传文件（字段 file）');
        const dryRun = upload.fields.dryRun ?? 'false';
        if (dryRun !== 'true' && dryRun !== 'false')
          throw new AppError('VALIDATION', 'dryRun 只能是 "true" 或 "false"');
        const scope = scopeOf(user);
        const districtCode = scopeDistrict(scope) ?? upload.fields.districtCode ?? '';
        const reason = normaliseText(upload.fields.reason ?? '').slice(0, 500);
        const report = await importRecipients(
          store,
          { path: upload.path, name: upload.name },
          {
            districtCode,
            scope,
            actor: { userId: user.id, divisionCode: user.divisionCode, reason, requestId: request.id },
            dryRun: dryRun === 'true',
            limits,
            today: shanghaiToday(),
          },
        );
        if (!report.ok) {
          throw new AppError('IMPORT_INVALID', '在保对象文件有错误，未导入任何数据', {
            payload: { ...report },
          });
        }
        return report;
      } finally {
        if (upload.path) await removeUpload(upload.path);
      }
    },
  );
}
