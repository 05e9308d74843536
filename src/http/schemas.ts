import { z } from 'zod';
import { MENUS, PERMISSIONS, roleList } from '../auth/roles.ts';

/** Shapes several route modules share. */

export const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(20).describe('每页条数'),
  offset: z.coerce.number().int().min(0).max(10_000_000).default(0).describe('跳过条数'),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int().describe('匹配条数；totalExact 为 false 时表示“超过 total 条”'),
    totalExact: z.boolean().describe('total 是否为精确条数（查询结果只计数到上限）'),
  });

export const divisionCode = z
  .string()
  .regex(/^(\d{6}|\d{9}|\d{12})$/, '区划代码须为 6、9 或 12 位数字')
  .describe('区划代码');

export const uuidParam = z.object({ id: z.uuid('编号格式不正确') });

export const errorSchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    requestId: z.string(),
    details: z
      .array(
        z.object({
          field: z.string().optional(),
          row: z.number().optional(),
          column: z.string().optional(),
          value: z.string().optional(),
          reason: z.string(),
        }),
      )
      .optional(),
  }),
});

export const userSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(roleList),
  roleName: z.string(),
  divisionCode: z.string(),
  divisionName: z.string(),
  mustChangePassword: z.boolean(),
  permissions: z.array(z.enum(PERMISSIONS)),
  menus: z.array(z.enum(MENUS)),
});

/** Free text typed by staff: trimmed, bounded, no control characters. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `不能超过 ${max} 个字符`)
    .refine((value) => !hasControlCharacters(value), '包含不允许的控制字符');

/** C0 control characters (except tab, LF, CR) and DEL: never part of text a person typed. */
export function hasControlCharacters(value: string, allowWhitespace = true): boolean {
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    const whitespace = code === 9 || code === 10 || code === 13;
    if ((code < 32 && !(allowWhitespace && whitespace)) || code === 127) return true;
  }
  return false;
}

export function withoutControlCharacters(value: string): string {
  return [...value].filter((c) => !hasControlCharacters(c, false)).join('');
}
