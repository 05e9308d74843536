import { z } from 'zod';
import { archiveDocument } from '../../archives/archive.document.ts';
import { getArchive, type ArchiveCaller } from '../../archives/archive.service.ts';
import { scopeOf } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { shanghaiToday } from '../../core/clock.ts';
import { renderPdf } from '../../documents/pdf.renderer.ts';
import { recordOnly } from '../../workflow/unit-of-work.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { sendPdf } from './documents.routes.ts';

/**
 * 电子档案 (docs/archives.md): one recipient's whole record — cases and their steps, visits, verification
 * reports, decision lines, notices, entitlements and their changes, payments and recovery items — as JSON
 * (the console's page) and as one PDF. Scoped like the recipient (404 outside the caller's division); ID
 * numbers masked, accounts masked unless entitlements.account; each PDF download is an audit record.
 */

const TAG = '电子档案';

const keyParams = z.object({
  district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
  id: z.uuid('编号格式不正确'),
});

const KINDS = { persons: 'person', households: 'household' } as const;

function caller(user: AuthUser): ArchiveCaller {
  return { scope: scopeOf(user), role: user.role, userId: user.id };
}

export function registerArchiveRoutes(app: ZodApp, { store }: ServerDeps): void {
  for (const [segment, kind] of Object.entries(KINDS)) {
    const who = kind === 'person' ? '个人（特困等个人项目）' : '家庭（低保等家庭项目）';
    app.get(
      `/api/archives/${segment}/:district/:id`,
      {
        schema: {
          tags: [TAG],
          summary: `救助对象电子档案：${who}的申请与办理环节、入户调查、核对报告、决定明细、通知书、待遇与变动、发放、追缴，按日期排列`,
          params: keyParams,
        },
      },
      async (request) => {
        const user = requireUser(request);
        return getArchive(store.db, caller(user), {
          kind,
          districtCode: request.params.district,
          id: request.params.id,
        });
      },
    );

    app.get(
      `/api/archives/${segment}/:district/:id/archive.pdf`,
      {
        schema: {
          tags: [TAG],
          summary: `救助对象电子档案（PDF）：${who}的全部记录为一个文件；每次下载留痕`,
          params: keyParams,
        },
      },
      async (request, reply) => {
        const user = requireUser(request);
        const { district, id } = request.params;
        const view = await getArchive(store.db, caller(user), { kind, districtCode: district, id });
        const doc = archiveDocument(view, shanghaiToday());
        const pdf = await renderPdf(doc);
        await recordOnly(
          store,
          { userId: user.id, divisionCode: user.divisionCode, requestId: request.id },
          '下载电子档案（PDF）',
          {
            action: 'archive.exported',
            entityType: kind,
            entityId: `${district}/${id}`,
            district,
            after: { items: view.items.length, counts: view.counts, accountsUnmasked: view.accountsUnmasked },
          },
        );
        return sendPdf(reply, doc, pdf);
      },
    );
  }
}
