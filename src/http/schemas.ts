import { z } from 'zod';
import { textProblem, visibleLength } from '../core/text.ts';
import { PERMISSIONS, roleList } from '../auth/roles.ts';

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
  menus: z
    .array(
      z.object({
        id: z.string().describe('菜单编号（控制台路由据此授权页面）'),
        title: z.string().describe('菜单名称'),
        path: z.string().describe('控制台路径'),
        group: z.string().optional().describe('菜单分组标题'),
      }),
    )
    .describe('本角色可见的侧边菜单，按顺序（src/auth 中各模块声明）'),
});

/**
 * Free text typed by staff: trimmed and bounded. NUL, lone surrogates and control characters are refused
 * for every request part before any schema runs (`validation.ts`), and strings arrive in NFC.
 */
export const text = (max: number) => z.string().trim().max(max, `不能超过 ${max} 个字符`);

/**
 * A reason or purpose that goes into the audit log: at least `min` characters a reader can see, so blank,
 * zero-width or other invisible characters cannot stand in for an explanation.
 */
export const reasonText = (min: number, max: number, what: string) =>
  text(max).refine((value) => visibleLength(value) >= min, `请说明${what}（至少 ${min} 个可见字符）`);

/** A label built from client text (an upload's file name): control and invalid characters dropped. */
export function withoutControlCharacters(value: string): string {
  return [...value]
    .filter((c) => textProblem(c) === undefined && c !== '\t' && c !== '\n' && c !== '\r')
    .join('');
}

/** One step of a workflow's timeline as the API answers it (src/workflow/timeline.ts presentTimeline). */
export const timelineEvent = z.object({
  id: z.number().int(),
  action: z.string(),
  actionLabel: z.string(),
  fromState: z.string().nullable(),
  fromStateLabel: z.string().nullable(),
  toState: z.string(),
  toStateLabel: z.string(),
  actorName: z.string(),
  actorDivision: z.string().nullable(),
  reason: z.string(),
  attachments: z.array(z.string()),
  at: z.string().describe('ISO 时间；控制台按上海时间显示'),
});
