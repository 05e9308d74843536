import { z } from 'zod';
import { AUDIT_ENTITY_TYPES } from '../audit/actions.ts';

/** Response shapes of the audit routes (OpenAPI and serialisation). */

export const entityTypes = Object.keys(AUDIT_ENTITY_TYPES) as [keyof typeof AUDIT_ENTITY_TYPES];

export const auditRowSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().describe('操作人：姓名（用户名）'),
  actorDivision: z.string().nullable(),
  actorDivisionName: z.string().nullable(),
  district: z.string().describe('记录所属区（310000 为市级）'),
  districtName: z.string(),
  action: z.string(),
  actionName: z.string(),
  entityType: z.string(),
  entityTypeName: z.string(),
  entityId: z.string().nullable(),
  entityLabel: z.string().nullable().describe('对象：人员姓名与脱敏身份证号、户编号等'),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
  requestId: z.string().nullable(),
  hash: z.string(),
});

const problem = z.object({
  kind: z.string(),
  fromId: z.number().int(),
  toId: z.number().int(),
  message: z.string(),
});

export const checkpointSchema = z.object({
  v: z.number().int(),
  at: z.string(),
  count: z.number().int(),
  lastId: z.number().int(),
  lastHash: z.string(),
  keyId: z.string(),
  signature: z.string(),
});

export const verifyAnswer = z.object({
  chain: z.object({
    ok: z.boolean(),
    count: z.number().int(),
    lastId: z.number().int(),
    lastHash: z.string(),
    problems: z.array(problem),
    undiagnosed: z.number().int(),
  }),
  checkpoints: z
    .object({
      checked: z.number().int(),
      keyId: z.string(),
      problems: z.array(z.object({ line: z.number().int(), message: z.string() })),
      latest: checkpointSchema.nullable(),
    })
    .nullable()
    .describe('没有检查点（或服务器上没有密钥）时为 null'),
  checkpointSource: z.enum(['server', 'submitted']),
});

export type VerifyAnswer = z.infer<typeof verifyAnswer>;

export const checkpointAnswer = z.object({
  latest: checkpointSchema.nullable(),
  keyId: z.string().nullable(),
  publicKey: z.string().nullable().describe('签名公钥（PEM）'),
  intervalMinutes: z.number().int().describe('服务器自动签署的间隔（分钟，0 为不自动签署）'),
});
