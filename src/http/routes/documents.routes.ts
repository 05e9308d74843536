import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { householdPolicy } from '../../auth/policies/household.policy.ts';
import { personPolicy } from '../../auth/policies/person.policy.ts';
import { hasPermission, scopeOf } from '../../auth/roles.ts';
import { scopeDistrict, type DataScope } from '../../auth/scope.ts';
import type { AuthUser } from '../../auth/user.ts';
import type { Config } from '../../config.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { gatherCalculation } from '../../documents/calculation.data.ts';
import { calculationDocument } from '../../documents/calculation.document.ts';
import type { PrintDocument } from '../../documents/document.ts';
import { gatherInfoSheet, type InfoSheetData } from '../../documents/info-sheet.data.ts';
import { infoSheetDocument } from '../../documents/info-sheet.document.ts';
import { issuerFor } from '../../documents/issuer.ts';
import { renderPdf } from '../../documents/pdf.renderer.ts';
import { isMonth } from '../../policy/engine/month.ts';
import {
  HouseholdValidationError,
  isProgramCode,
  PROGRAM_CODES,
  validateHousehold,
} from '../../policy/index.ts';
import { getHouseholdDetail } from '../../registry/registry.service.ts';
import { inUnitOfWork } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { reasonText } from '../schemas.ts';
import { registeredPolicyHousehold } from './policy.routes.ts';

/**
 * 打印文书: each document at two addresses, the same document either way: `…/info-sheet` answers the
 * document as JSON (the console shows it as a page) and `…/info-sheet.pdf` the A4 PDF rendered on the
 * server. Reads are scoped like the record they print (404 outside the scope); full ID numbers on a sheet
 * are an unmask, with its permission, its stated purpose and one audit record per person shown.
 */

const PDF = 'application/pdf';

const fieldSchema = z.object({ label: z.string(), value: z.string(), span: z.boolean().optional() });
const blockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('heading'), text: z.string() }),
  z.object({ type: z.literal('fields'), columns: z.number().int(), fields: z.array(fieldSchema) }),
  z.object({
    type: z.literal('table'),
    columns: z.array(
      z.object({
        header: z.string(),
        width: z.number().optional(),
        align: z.enum(['left', 'center', 'right']).optional(),
      }),
    ),
    rows: z.array(z.array(z.string())),
    empty: z.string().optional(),
    small: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('paragraphs'),
    items: z.array(z.string()),
    style: z.enum(['normal', 'note', 'warning']).optional(),
    numbered: z.boolean().optional(),
  }),
  z.object({
    type: z.literal('signatures'),
    items: z.array(z.object({ label: z.string(), value: z.string().optional() })),
  }),
]);
const printDocumentSchema = z
  .object({
    kind: z.string(),
    issuer: z.string(),
    title: z.string(),
    subtitle: z.string().optional(),
    blocks: z.array(blockSchema),
    footer: z.string(),
    fileName: z.string().describe('下载文件名（不含 .pdf）'),
    watermark: z.string().optional(),
  })
  .describe('文书（与 PDF 同一内容，供控制台显示与打印）');

const idParams = z.object({ id: z.uuid('编号格式不正确') });
const district = z
  .string()
  .regex(/^\d{6}$/)
  .optional()
  .describe('所在区代码；区级以下用户可省略（取其数据范围所在区）');
const monthSchema = z.string().refine(isMonth, '月份格式应为 YYYY-MM');

const infoSheetQuery = z.object({
  district,
  unmask: z
    .enum(['true', 'false'])
    .optional()
    .describe('true：完整显示身份证号（须有 person.unmask 权限并说明用途；每人记一条审计日志）'),
  purpose: reasonText(4, 200, '用途').optional().describe('完整显示身份证号的用途'),
});

const calculationBody = z.object({
  month: monthSchema,
  household: z.record(z.string(), z.unknown()).describe('家庭（SPEC.md 交换格式）'),
  programs: z.array(z.string().refine(isProgramCode, '未知的救助项目')).max(PROGRAM_CODES.length).optional(),
  explain: z.boolean().optional().describe('测算单总是附计算说明；此项被忽略'),
});
const registeredCalculationQuery = z.object({ month: monthSchema, district });

/** A download: the Chinese file name for browsers (RFC 5987), an ASCII one for the rest. */
export function sendPdf(reply: FastifyReply, doc: PrintDocument, pdf: Buffer): FastifyReply {
  const ascii = doc.kind.replace(/[^a-z0-9]+/gi, '-');
  return reply
    .header('content-type', PDF)
    .header(
      'content-disposition',
      `attachment; filename="${ascii}.pdf"; filename*=UTF-8''${encodeURIComponent(`${doc.fileName}.pdf`)}`,
    )
    .send(pdf);
}

/** As the registry's routes: below district level the scope's district; city users name one. */
function districtOf(scope: DataScope, requested: string | undefined, config: Config): string {
  const own = scopeDistrict(scope);
  if (own) {
    if (requested && requested !== own) throw new AppError('NOT_FOUND');
    return own;
  }
  return requested ?? config.MINZHENG_DEMO_DISTRICT;
}

export function registerDocumentRoutes(app: ZodApp, { store, config }: ServerDeps): void {
  /** 家庭基本信息表: read in scope; with `unmask`, the full ID numbers the user may see, each audited. */
  async function infoSheet(
    user: AuthUser,
    requestId: string,
    id: string,
    query: z.infer<typeof infoSheetQuery>,
  ): Promise<PrintDocument> {
    if (!householdPolicy.canList(user)) throw new AppError('FORBIDDEN');
    const scope = scopeOf(user);
    const ref = { districtCode: districtOf(scope, query.district, config), id };
    const asOf = shanghaiToday();
    const visible = (data: InfoSheetData) => {
      if (!householdPolicy.canView(user, data.household)) throw new AppError('NOT_FOUND');
      return data;
    };
    if (query.unmask !== 'true') {
      return infoSheetDocument(visible(await gatherInfoSheet(store.db, scope, ref, { asOf })));
    }
    if (!hasPermission(user.role, 'person.unmask'))
      throw new AppError('FORBIDDEN', '您没有查看完整身份信息的权限');
    if (!query.purpose)
      throw new AppError('VALIDATION', '请说明完整显示身份证号的用途', {
        details: [{ field: 'purpose', reason: '请说明用途（至少 4 个可见字符）' }],
      });
    const actor = { userId: user.id, divisionCode: user.divisionCode, reason: query.purpose, requestId };
    const data = await inUnitOfWork(store, actor, async (tx) => {
      const sheet = visible(
        await gatherInfoSheet(tx.db, scope, ref, {
          asOf,
          unmask: (member) => personPolicy.canUnmask(user, member),
        }),
      );
      for (const member of sheet.members) {
        if (member.idNumberMasked) continue;
        tx.record({
          action: 'person.unmask',
          entityType: 'person',
          entityId: member.personId,
          district: sheet.household.districtCode,
          after: {
            districtCode: sheet.household.districtCode,
            fields: ['idNumber'],
            document: 'household.info_sheet',
            householdId: sheet.household.id,
          },
        });
      }
      return sheet;
    });
    return infoSheetDocument(data);
  }

  const infoSheetSchema = {
    tags: ['打印文书'],
    params: idParams,
    querystring: infoSheetQuery,
  };

  app.get(
    '/api/households/:id/documents/info-sheet',
    {
      schema: {
        ...infoSheetSchema,
        summary: '家庭基本信息表（文书内容，供控制台显示）；身份证号默认脱敏；不在数据范围内时 404',
        response: { 200: printDocumentSchema },
      },
    },
    (request) => infoSheet(requireUser(request), request.id, request.params.id, request.query),
  );

  app.get(
    '/api/households/:id/documents/info-sheet.pdf',
    {
      schema: {
        ...infoSheetSchema,
        summary: '家庭基本信息表 PDF（A4）；身份证号默认脱敏；不在数据范围内时 404',
        produces: [PDF],
      },
    },
    async (request, reply) => {
      const doc = await infoSheet(requireUser(request), request.id, request.params.id, request.query);
      return sendPdf(reply, doc, await renderPdf(doc));
    },
  );

  /** 测算单 of a household typed into the calculator (the calculator's own request body). */
  function calculation(user: AuthUser, body: z.infer<typeof calculationBody>): PrintDocument {
    if (!hasPermission(user.role, 'policy.calculate')) throw new AppError('FORBIDDEN');
    let validated: ReturnType<typeof validateHousehold>;
    try {
      validated = validateHousehold({ month: body.month, household: body.household });
    } catch (error) {
      if (error instanceof HouseholdValidationError) {
        throw new AppError('VALIDATION', `家庭数据不合法：${error.message}`, {
          details: [{ field: error.path, reason: error.detail }],
        });
      }
      throw error;
    }
    const programs = body.programs?.filter(isProgramCode);
    const data = gatherCalculation({
      month: validated.month,
      asOf: shanghaiToday(),
      household: validated.household,
      source: { kind: 'manual' },
      ...(programs ? { programs } : {}),
    });
    return calculationDocument(data, { issuer: issuerFor(user.divisionCode) });
  }

  const calculationSchema = { tags: ['打印文书'], body: calculationBody };

  app.post(
    '/api/policy/calculate/document',
    {
      schema: {
        ...calculationSchema,
        summary: '测算单（文书内容）：请求体与 /api/policy/calculate 相同',
        response: { 200: printDocumentSchema },
      },
    },
    (request) => calculation(requireUser(request), request.body),
  );

  app.post(
    '/api/policy/calculate/document.pdf',
    {
      schema: {
        ...calculationSchema,
        summary: '测算单 PDF（A4）：请求体与 /api/policy/calculate 相同；注明是测算，不是决定',
        produces: [PDF],
      },
    },
    async (request, reply) => {
      const doc = calculation(requireUser(request), request.body);
      return sendPdf(reply, doc, await renderPdf(doc));
    },
  );

  /** 测算单 of a registered household, read as the calculator reads it (404 outside the scope). */
  async function registeredCalculation(
    user: AuthUser,
    id: string,
    query: z.infer<typeof registeredCalculationQuery>,
  ): Promise<PrintDocument> {
    const scope = scopeOf(user);
    const districtCode = districtOf(scope, query.district, config);
    const { household, input } = await registeredPolicyHousehold(
      store.db,
      scope,
      districtCode,
      id,
      query.month,
    );
    if (!householdPolicy.canCalculate(user, household)) throw new AppError('NOT_FOUND');
    if (input.members.length === 0) throw new AppError('VALIDATION', `该户在 ${query.month} 没有在册成员`);
    // Members are named with their relation to the head, as on the household page.
    const detail = await getHouseholdDetail(store.db, scope, household, { unmask: false });
    const relations = new Map(detail.history.map((row) => [row.personId, row.relationName]));
    const names = Object.fromEntries(
      input.members.map((m) => [m.id, `${m.name ?? '家庭成员'}（${relations.get(m.id) ?? '成员'}）`]),
    );
    const data = gatherCalculation({
      month: query.month,
      asOf: shanghaiToday(),
      household: input,
      source: { kind: 'registered', householdNo: household.householdNo, address: household.address },
      names,
      district: household.districtCode,
    });
    return calculationDocument(data, { issuer: issuerFor(household.committeeCode) });
  }

  const registeredSchema = { tags: ['打印文书'], params: idParams, querystring: registeredCalculationQuery };

  app.get(
    '/api/policy/households/:id/calculate/document',
    {
      schema: {
        ...registeredSchema,
        summary: '登记家庭户某月的测算单（文书内容）；不在数据范围内时 404',
        response: { 200: printDocumentSchema },
      },
    },
    (request) => registeredCalculation(requireUser(request), request.params.id, request.query),
  );

  app.get(
    '/api/policy/households/:id/calculate/document.pdf',
    {
      schema: {
        ...registeredSchema,
        summary: '登记家庭户某月的测算单 PDF（A4）；不在数据范围内时 404',
        produces: [PDF],
      },
    },
    async (request, reply) => {
      const doc = await registeredCalculation(requireUser(request), request.params.id, request.query);
      return sendPdf(reply, doc, await renderPdf(doc));
    },
  );
}
