import { z } from 'zod';
import { scopeOf } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { calendarOf } from '../../calendar/calendar.service.ts';
import type { CaseCaller } from '../../cases/case.deps.ts';
import {
  CASE_NOTICE_KINDS,
  CASE_NOTICE_NAMES,
  caseNoticeDocument,
  publicityListDocument,
} from '../../cases/notices/index.ts';
import { caseNoticeData } from '../../cases/notices/notice.data.ts';
import { publicityListData } from '../../cases/notices/publicity.data.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { renderPdf } from '../../documents/pdf.renderer.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { sendPdf } from './documents.routes.ts';

/**
 * 救助申请的通知书 (docs/notices.md): each notice of a case and a street's publicity list as PDF. Reads only:
 * scoped like the case (404 outside the scope), refused before the notice's event (409).
 */

const TAG = '救助申请通知书';

const noticeParams = z.object({
  district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
  id: z.uuid('救助申请编号格式不正确'),
  kind: z
    .enum(CASE_NOTICE_KINDS)
    .describe(CASE_NOTICE_KINDS.map((k) => `${k} ${CASE_NOTICE_NAMES[k]}`).join('；')),
});

const publicityQuery = z.object({
  street: z
    .string()
    .regex(/^\d{6}(\d{3})?$/, '应为 9 位街道（镇）代码或 6 位区代码')
    .optional()
    .describe('街道（镇）代码；省略时为本人的街道或区'),
  place: z
    .string()
    .trim()
    .min(2)
    .max(100)
    .optional()
    .describe('异议反映地点（默认：该街道社区事务受理服务中心）'),
  phone: z
    .string()
    .regex(/^[0-9-]{5,20}$/, '联系电话只能包含数字和连字符')
    .optional()
    .describe('异议反映联系电话'),
});

function caller(user: AuthUser): CaseCaller {
  return { scope: scopeOf(user), role: user.role, userId: user.id };
}

export function registerCaseNoticeRoutes(app: ZodApp, { store }: ServerDeps): void {
  app.get(
    '/api/cases/:district/:id/notices/:kind.pdf',
    {
      schema: {
        tags: [TAG],
        summary: '救助申请的通知书（PDF）：受理、不予受理、审批（确认）、不予批准（确认）；未到该环节时 409',
        params: noticeParams,
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const { district, id, kind } = request.params;
      const notice = await caseNoticeData(store.db, caller(user), { districtCode: district, id }, kind, {
        calendar: await calendarOf(store),
        today: shanghaiToday(),
      });
      const doc = caseNoticeDocument(notice);
      return sendPdf(reply, doc, await renderPdf(doc));
    },
  );

  app.get(
    '/api/cases/publicity.pdf',
    {
      schema: {
        tags: [TAG],
        summary: '公示名单（PDF）：本街道今天在公示期内的救助申请，姓名遮蔽；须能查看整个街道',
        querystring: publicityQuery,
      },
    },
    async (request, reply) => {
      const user = requireUser(request);
      const { street, place, phone } = request.query;
      const data = await publicityListData(
        store.db,
        caller(user),
        { division: street, objectionPlace: place, contact: phone },
        shanghaiToday(),
      );
      const doc = publicityListDocument(data);
      return sendPdf(reply, doc, await renderPdf(doc));
    },
  );
}
