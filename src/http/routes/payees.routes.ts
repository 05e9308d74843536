/**
 * 收款账户 over HTTP (docs/payroll.md 银行与对账): a person's accounts (masked unless payees.manage or
 * payroll.account), a new one (ends the current one on its first day and moves the person's open
 * entitlements to it), and ending one.
 */
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { scopeOf } from '../../auth/roles.ts';
import type { AuthUser } from '../../auth/user.ts';
import { requireUser, type ServerDeps, type ZodApp } from '../context.ts';
import { reasonText } from '../schemas.ts';
import { inUnitOfWork, type ActingContext } from '../../workflow/unit-of-work.ts';
import {
  addPayeeAccount,
  endPayeeAccount,
  listPayeeAccounts,
  type PayeeCaller,
} from '../../payees/payee.service.ts';

const TAG = '收款账户';
const int = z.number().int();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

const personParams = z.object({
  district: z.string().regex(/^\d{6}$/, '区代码应为 6 位数字'),
  id: z.uuid('编号格式不正确'),
});

const accountSchema = z.object({
  id: z.string(),
  districtCode: z.string(),
  personId: z.string(),
  kind: z.enum(['bank', 'social_security_card']),
  kindName: z.string(),
  bankCode: z.string(),
  bankName: z.string(),
  accountNo: z.string(),
  accountMasked: z.boolean(),
  holderName: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable().describe('终止日（不含）；null 为当前账户'),
  current: z.boolean(),
  version: int,
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  endReason: z.string().nullable(),
});

function callerOf(user: AuthUser): PayeeCaller {
  return { scope: scopeOf(user), role: user.role, userId: user.id };
}

function actor(request: FastifyRequest, user: AuthUser, reason: string): ActingContext {
  return { userId: user.id, divisionCode: user.divisionCode, requestId: request.id, reason };
}

export function registerPayeeRoutes(app: ZodApp, { store }: ServerDeps): void {
  const base = '/api/persons/:district/:id/payee-accounts';

  app.get(
    base,
    {
      schema: {
        tags: [TAG],
        summary: '人员的收款账户（当前在前；账号脱敏，payees.manage 或 payroll.account 可见完整账号）',
        params: personParams,
        response: { 200: z.array(accountSchema) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      return listPayeeAccounts(store.db, callerOf(user), {
        districtCode: request.params.district,
        personId: request.params.id,
      });
    },
  );

  app.post(
    base,
    {
      schema: {
        tags: [TAG],
        summary:
          '登记新的收款账户（银行账户或社会保障卡金融账户；校验账号位数与银行卡 Luhn 校验位、户名与本人一致）：当前账户于启用日终止，本人作为收款人的在发待遇改用新账户（待遇变动记录“收款人变更”）',
        params: personParams,
        body: z.object({
          kind: z.enum(['bank', 'social_security_card']),
          bankCode: z.string().regex(/^[A-Z]{2,8}$/, '银行代码格式不正确'),
          accountNo: z.string().regex(/^\d{8,32}$/, '账号应为 8–32 位数字'),
          holderName: z.string().min(1).max(40),
          validFrom: isoDate.optional().describe('启用日期，默认今天'),
          reason: reasonText(2, 200, '变更原因'),
        }),
        response: {
          200: z.object({
            account: accountSchema,
            endedAccountId: z.string().nullable(),
            entitlementsChanged: int,
          }),
        },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const b = request.body;
      return inUnitOfWork(store, actor(request, user, b.reason), (tx) =>
        addPayeeAccount(tx, callerOf(user), {
          districtCode: request.params.district,
          personId: request.params.id,
          kind: b.kind,
          bankCode: b.bankCode,
          accountNo: b.accountNo,
          holderName: b.holderName,
          validFrom: b.validFrom,
        }),
      );
    },
  );

  app.post(
    `${base}/:account/end`,
    {
      schema: {
        tags: [TAG],
        summary: '终止收款账户（不登记新账户：本人作为收款人的在发待遇不再有账户，发放时不进入银行文件）',
        params: personParams.extend({ account: z.uuid('编号格式不正确') }),
        body: z.object({
          version: int.min(1),
          validTo: isoDate.optional().describe('终止日（不含），默认今天'),
          reason: reasonText(2, 200, '终止原因'),
        }),
        response: { 200: z.object({ account: accountSchema, entitlementsChanged: int }) },
      },
    },
    async (request) => {
      const user = requireUser(request);
      const b = request.body;
      return inUnitOfWork(store, actor(request, user, b.reason), (tx) =>
        endPayeeAccount(tx, callerOf(user), {
          districtCode: request.params.district,
          personId: request.params.id,
          id: request.params.account,
          version: b.version,
          validTo: b.validTo,
        }),
      );
    },
  );
}
