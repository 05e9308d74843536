/**
 * 银行文件与对账 over HTTP (docs/payroll.md 银行与对账): the run's banks with counts and totals, the payment
 * file of a bank in either layout (finance: payroll.prepare; audited, the first export marks the run
 * exported), the return file upload (multipart, field `file`; refused whole with each row's problem in
 * `details`, 422 CHECK_FAILED), the reconciliation and the accounting voucher (JSON and CSV).
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { scopeOf } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { requirePermission, type ServerDeps, type ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';
import { now } from '../../core/clock.ts';
import { inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import { importReturnFile } from '../../payroll/bank/bank.edge.ts';
import {
  bankFilesOf,
  exportBankFile,
  reconciliationOf,
  type BankCaller,
} from '../../payroll/bank/bank.service.ts';
import { voucherCsv, voucherOf } from '../../payroll/bank/voucher.ts';

const TAG = '发放';
const MAX_RETURN_BYTES = 20 * 1024 * 1024;

const keyParams = z.object({
  district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
  id: z.uuid('编号格式不正确'),
});

const int = z.number().int();

const bankFilesSchema = z.object({
  runState: z.string(),
  month: z.string(),
  unbankedCount: int.describe('开户行不在代发银行目录中的明细（不在任何银行文件中）'),
  unbankedFen: int,
  banks: z.array(
    z.object({
      bankCode: z.string(),
      bankName: z.string(),
      layout: z.enum(['csv', 'fixed']).describe('该银行默认的文件格式'),
      count: int.describe('待发放（下一次下载的）笔数'),
      totalFen: int,
      paidCount: int,
      paidFen: int,
      failedCount: int,
      failedFen: int,
    }),
  ),
});

const reconciliationSchema = z.object({
  sentCount: int,
  sentFen: int,
  paidCount: int,
  paidFen: int,
  failedCount: int,
  failedFen: int,
  outstandingCount: int,
  outstandingFen: int,
  differenceFen: int.describe('已发送 − 成功 − 失败 − 待回盘（应为 0）'),
  unsentCount: int.describe('未能发送的明细（无可用收款账户：首次导出时转为发放失败，下月重发）'),
  unsentFen: int,
  ledgerPaidFen: int,
  ledgerDifferenceFen: int.describe('成功 − 分类账已付（应为 0）'),
  returnedFen: int,
  returnDifferenceFen: int.describe('回盘文件合计 − 已回盘明细合计（应为 0）'),
  reconciled: z.boolean(),
  imports: z.array(
    z.object({
      seq: int,
      bankCode: z.string(),
      bankName: z.string(),
      fileName: z.string(),
      importedAt: z.string(),
      importedBy: z.string().nullable(),
      paidCount: int,
      paidFen: int,
      failedCount: int,
      failedFen: int,
    }),
  ),
});

const voucherSchema = z.object({
  voucherNo: z.string(),
  date: z.string(),
  districtCode: z.string(),
  month: z.string(),
  lines: z.array(
    z.object({
      no: int,
      kind: z.string(),
      summary: z.string(),
      account: z.string(),
      accountName: z.string(),
      debitFen: int,
      creditFen: int,
    }),
  ),
  totalDebitFen: int,
  totalCreditFen: int,
});

function callerOf(user: AuthUser): BankCaller {
  return { scope: scopeOf(user), role: user.role, userId: user.id };
}

function actor(request: FastifyRequest, user: AuthUser, reason: string): ActingContext {
  return { userId: user.id, divisionCode: user.divisionCode, requestId: request.id, reason };
}

const attachment = (name: string) =>
  `attachment; filename="${name}"; filename*=UTF-8''${encodeURIComponent(name)}`;

export function registerBankRoutes(app: ZodApp, { store }: ServerDeps): void {
  const base = '/api/payroll/runs/:district/:id';

  app.get(
    `${base}/bank-files`,
    {
      schema: {
        tags: [TAG],
        summary: '发放批次按代发银行的笔数与金额（待发放、成功、失败）',
        params: keyParams,
        response: { 200: bankFilesSchema },
      },
    },
    async (request) => {
      const user = requirePermission(request, 'payroll.view');
      return bankFilesOf(store.db, callerOf(user), {
        districtCode: request.params.district,
        runId: request.params.id,
      });
    },
  );

  app.get(
    `${base}/bank-files/:bank`,
    {
      schema: {
        tags: [TAG],
        summary:
          '下载一家银行的代发文件（待发放的明细；csv：UTF-8，fixed：GBK 定长 150 字节；金额单位分；含文件头与文件尾的笔数、金额）。仅已审批或已导出的批次；首次下载使批次变为已导出；记入审计日志（笔数、金额、摘要值）',
        params: keyParams.extend({ bank: z.string().regex(/^[A-Z]{2,8}$/, '银行代码格式不正确') }),
        querystring: z.object({ layout: z.enum(['csv', 'fixed'], '格式只能是 csv 或 fixed').optional() }),
        produces: ['text/csv', 'text/plain'],
      },
    },
    async (request, reply) => {
      const user = requirePermission(request, 'payroll.prepare');
      const out = await inUnitOfWork(store, actor(request, user, '导出银行代发文件'), (tx) =>
        exportBankFile(tx, callerOf(user), {
          districtCode: request.params.district,
          runId: request.params.id,
          bankCode: request.params.bank,
          layout: request.query.layout ?? 'csv',
        }),
      );
      return reply
        .header('content-type', out.contentType)
        .header('content-disposition', attachment(out.fileName))
        .header('x-file-digest', out.digest)
        .send(out.bytes);
    },
  );

  app.post(
    `${base}/bank-returns`,
    {
      schema: {
        tags: [TAG],
        summary:
          '导入银行回盘文件（multipart：file；CSV，UTF-8 或 GBK）：逐行核对（本批次、本银行、账号与金额、未重复、文件尾笔数与金额），有任何问题则整份拒绝（422，details 列出各行问题，不作任何修改，记入审计日志）；通过则标记成功/失败、记入分类账付款，全部结清时办结批次',
        params: keyParams,
        consumes: ['multipart/form-data'],
        response: {
          200: z.object({
            bankCode: z.string(),
            paidCount: int,
            paidFen: int,
            failedCount: int,
            failedFen: int,
            closed: z.boolean(),
            reconciliation: reconciliationSchema,
          }),
        },
      },
    },
    async (request) => {
      const user = requirePermission(request, 'payroll.prepare');
      if (!request.isMultipart())
        throw new AppError('UNSUPPORTED_MEDIA_TYPE', '请以 multipart/form-data 上传回盘文件');
      const part = await request.file({ limits: { fileSize: MAX_RETURN_BYTES, files: 1 } });
      if (!part || part.fieldname !== 'file') throw new AppError('VALIDATION', '缺少上传文件（字段 file）');
      const bytes = await part.toBuffer();
      if (part.file.truncated) throw new AppError('PAYLOAD_TOO_LARGE', '回盘文件超过 20 MB');
      const fileName = (part.filename || 'return.csv').slice(0, 200);
      return importReturnFile(store, actor(request, user, `导入银行回盘文件：${fileName}`), callerOf(user), {
        districtCode: request.params.district,
        runId: request.params.id,
        fileName,
        bytes,
      });
    },
  );

  app.get(
    `${base}/reconciliation`,
    {
      schema: {
        tags: [TAG],
        summary: '对账：已发送、成功、失败、待回盘的笔数与金额，与分类账和回盘文件核对到分',
        params: keyParams,
        response: { 200: reconciliationSchema },
      },
    },
    async (request) => {
      const user = requirePermission(request, 'payroll.view');
      return reconciliationOf(store.db, callerOf(user), {
        districtCode: request.params.district,
        runId: request.params.id,
      });
    },
  );

  app.get(
    `${base}/voucher`,
    {
      schema: {
        tags: [TAG],
        summary: '会计凭证：本批次分类账分录按类型、项目与科目汇总的借贷分录（金额单位分）',
        params: keyParams,
        response: { 200: voucherSchema },
      },
    },
    async (request) => {
      const user = requirePermission(request, 'payroll.view');
      return voucherOf(
        store.db,
        callerOf(user),
        { districtCode: request.params.district, runId: request.params.id },
        now(),
      );
    },
  );

  app.get(
    `${base}/voucher.csv`,
    {
      schema: {
        tags: [TAG],
        summary: '下载会计凭证 CSV（UTF-8 带 BOM，金额单位元；记入审计日志）',
        params: keyParams,
        produces: ['text/csv'],
      },
    },
    async (request, reply) => {
      const user = requirePermission(request, 'payroll.view');
      const key = { districtCode: request.params.district, runId: request.params.id };
      const voucher = await voucherOf(store.db, callerOf(user), key, now());
      await inUnitOfWork(store, actor(request, user, '导出会计凭证'), (tx) => {
        tx.record({
          action: 'payroll.voucher_exported',
          entityType: 'payroll_run',
          entityId: key.runId,
          district: key.districtCode,
          after: {
            voucherNo: voucher.voucherNo,
            lines: voucher.lines.length,
            totalDebitFen: voucher.totalDebitFen,
          },
        });
        return Promise.resolve();
      });
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', attachment(`voucher-${voucher.voucherNo}.csv`))
        .send(voucherCsv(voucher));
    },
  );
}
