import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { ServerDeps, ZodApp } from '../context.ts';
import { AppError } from '../errors.ts';

export function registerHealthRoutes(app: ZodApp, { store, version }: ServerDeps): void {
  app.get(
    '/api/health',
    {
      schema: {
        tags: ['系统'],
        summary: '健康检查',
        response: {
          200: z.object({
            status: z.literal('ok'),
            database: z.enum(['pglite', 'postgres']),
            version: z.string(),
          }),
        },
      },
    },
    async () => {
      try {
        await store.db.execute(sql`select 1`);
      } catch {
        throw new AppError('UNAVAILABLE', '数据库不可用');
      }
      return { status: 'ok' as const, database: store.kind, version };
    },
  );
}
