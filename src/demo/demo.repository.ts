import { and, eq, like, sql } from 'drizzle-orm';
import { selectRows } from '../db/sql.ts';
import type { CsvChunks, Db, Session } from '../db/store.ts';
import { households } from '../registry/schema.ts';
import { TABLE_COLUMNS, type PopulationTable } from './csv.ts';

/**
 * Data access for the demo population: the "already generated?" check, a per-district lock and the
 * bulk COPY of generated rows. Generated households are recognised by their 户编号 prefix
 * `<district>D` (see householdNumber in generator.ts).
 */
export async function hasDemoHouseholds(db: Db, district: string): Promise<boolean> {
  const rows = await db
    .select({ id: households.id })
    .from(households)
    .where(and(eq(households.districtCode, district), like(households.householdNo, `${district}D%`)))
    .limit(1);
  return rows.length > 0;
}

/**
 * Serialises concurrent loads into one district until the transaction ends. Advisory locks are
 * database-wide, so the key includes the schema (test files share a database, one schema each).
 */
export async function lockDemoDistrict(db: Db, district: string): Promise<void> {
  await db.execute(
    sql`select pg_advisory_xact_lock(hashtext('minzheng-demo:' || current_schema() || ':' || ${district}))`,
  );
}

export function copyPopulationRows(
  session: Session,
  table: PopulationTable,
  chunks: CsvChunks,
): Promise<number> {
  return session.copyFrom(table, TABLE_COLUMNS[table], chunks);
}

export interface IndexDefinition {
  name: string;
  /** The table that owns it (a primary key is dropped and added through its table). */
  table: string;
  primaryKey: boolean;
  /** CREATE INDEX … for an index; the constraint's definition (PRIMARY KEY (…)) for a primary key. */
  definition: string;
}

/**
 * Every index of the population tables, primary keys and unique indexes included, with their exact
 * definitions, so that a bulk load can drop them and build them again after the rows are in: one
 * sorted build per index instead of a random insert per row. The unique ones still guard the data:
 * a duplicate makes their build fail and the load's transaction roll back.
 */
export async function populationIndexes(db: Db, tables: readonly string[]): Promise<IndexDefinition[]> {
  return selectRows<IndexDefinition>(
    db,
    sql`
    select i.relname as name, t.relname as "table", x.indisprimary as "primaryKey",
      case when x.indisprimary then pg_get_constraintdef(c.oid) else pg_get_indexdef(x.indexrelid) end
        as definition
    from pg_index x
    join pg_class i on i.oid = x.indexrelid
    join pg_class t on t.oid = x.indrelid
    left join pg_constraint c on c.conindid = x.indexrelid and c.contype = 'p'
    where t.oid in (${sql.join(
      tables.map((table) => sql`to_regclass(${table})`),
      sql`, `,
    )})
    order by t.relname, i.relname`,
  );
}

export interface ForeignKeyDefinition {
  name: string;
  /** The referencing table (cases, entitlements, …: the modules that point at persons and households). */
  table: string;
  definition: string;
}

/**
 * The foreign keys of other tables that point at the population tables: they stand on the primary keys a
 * bulk load drops, so they are dropped before and added again (and so checked) after the rows are in.
 */
export async function foreignKeysInto(db: Db, tables: readonly string[]): Promise<ForeignKeyDefinition[]> {
  return selectRows<ForeignKeyDefinition>(
    db,
    sql`
    select c.conname as name, t.relname as "table", pg_get_constraintdef(c.oid) as definition
    from pg_constraint c
    join pg_class t on t.oid = c.conrelid
    where c.contype = 'f' and c.confrelid in (${sql.join(
      tables.map((table) => sql`to_regclass(${table})`),
      sql`, `,
    )})
    order by t.relname, c.conname`,
  );
}

export async function dropForeignKeys(db: Db, keys: readonly ForeignKeyDefinition[]): Promise<void> {
  for (const key of keys) {
    await db.execute(
      sql`alter table ${sql.identifier(key.table)} drop constraint ${sql.identifier(key.name)}`,
    );
  }
}

export async function addForeignKeys(db: Db, keys: readonly ForeignKeyDefinition[]): Promise<void> {
  for (const key of keys) {
    await db.execute(
      sql`alter table ${sql.identifier(key.table)} add constraint ${sql.identifier(key.name)} ${sql.raw(key.definition)}`,
    );
  }
}

export async function dropIndexes(db: Db, indexes: readonly IndexDefinition[]): Promise<void> {
  for (const index of indexes) {
    await db.execute(
      index.primaryKey
        ? sql`alter table ${sql.identifier(index.table)} drop constraint ${sql.identifier(index.name)}`
        : sql`drop index ${sql.identifier(index.name)}`,
    );
  }
}

export async function createIndexes(db: Db, indexes: readonly IndexDefinition[]): Promise<void> {
  for (const index of indexes) {
    await db.execute(
      index.primaryKey
        ? sql`alter table ${sql.identifier(index.table)} add constraint ${sql.identifier(index.name)} ${sql.raw(index.definition)}`
        : sql.raw(index.definition),
    );
  }
}

/** Whether the district already has any 救助申请 (the demo cases are added once, to a district without any). */
export async function hasCases(db: Db, district: string): Promise<boolean> {
  const rows = await selectRows<{ one: number }>(
    db,
    sql`select 1 as one from cases where district_code = ${district} limit 1`,
  );
  return rows.length > 0;
}

export interface CaseCandidate {
  id: string;
  householdNo: string;
  committeeCode: string;
}

/**
 * The demo households that may apply for 低保 in the streets given: those with a standing 低保 授权书 in force,
 * signed by `signedBy` and no member joining or leaving since (so a request opened on any day from then on
 * is covered: the 授权书 names the adults of the population's day), in 户编号 order — the same households on
 * every run of the same seed and day.
 */
export function caseCandidates(
  db: Db,
  district: string,
  streets: readonly string[],
  signedBy: string,
): Promise<CaseCandidate[]> {
  return selectRows<CaseCandidate>(
    db,
    sql`
    select h.id, h.household_no as "householdNo", h.committee_code as "committeeCode"
      from households h
      join verification_authorisations a on a.district_code = h.district_code and a.household_id = h.id
     where h.district_code = ${district} and h.household_no like ${`${district}D%`}
       and h.street_code in (${sql.join(
         streets.map((s) => sql`${s}`),
         sql`, `,
       )})
       and a.purpose = 'dibao' and a.standing and a.ended_on is null and a.signed_on <= ${signedBy}::date
       and not exists (
         select 1 from household_members m
          where m.district_code = h.district_code and m.household_id = h.id
            and (m.valid_from > ${signedBy}::date or m.valid_to > ${signedBy}::date))
     order by h.household_no`,
  );
}

/** The latest case of a household: the demo follows its own application from step to step. */
export async function latestCaseOf(
  db: Db,
  district: string,
  householdId: string,
): Promise<{ id: string; version: number; state: string } | undefined> {
  const rows = await selectRows<{ id: string; version: number; state: string }>(
    db,
    sql`select id, version, state from cases
         where district_code = ${district} and household_id = ${householdId}::uuid
         order by created_at desc limit 1`,
  );
  return rows[0];
}

/** Any demo households of a street, in 户编号 order: applicants whose case has not reached 核对 yet. */
export function streetHouseholds(
  db: Db,
  district: string,
  street: string,
  limit: number,
): Promise<CaseCandidate[]> {
  return selectRows<CaseCandidate>(
    db,
    sql`
    select h.id, h.household_no as "householdNo", h.committee_code as "committeeCode"
      from households h
     where h.district_code = ${district} and h.household_no like ${`${district}D%`} and h.street_code = ${street}
       and h.head_name is not null
     order by h.household_no
     limit ${limit}`,
  );
}
