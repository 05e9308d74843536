// Every module's tables, for drizzle and drizzle-kit. Each module owns its schema file.
export * from '../registry/schema.ts';
export * from '../auth/schema.ts';
export * from '../audit/schema.ts';
export * from '../workflow/schema.ts';
export * from '../jobs/schema.ts';
export * from '../files/schema.ts';
export * from '../calendar/schema.ts';
export * from '../registry/facts/schema.ts';
export * from '../registry/transfer/schema.ts';
export * from '../verification/schema.ts';
export * from '../cases/schema.ts';
export * from '../cases/public/schema.ts';
export * from '../entitlements/schema.ts';
export * from '../relatives/schema.ts';
export * from '../advisers/schema.ts';
export * from '../payroll/schema.ts';
