/**
 * The PostgreSQL flavour of the SQL store (scaled shape): the same `SqlJobStore` code and the same
 * migrations as SQLite, on Kysely's PostgresDialect over a `pg` connection pool shared by every
 * request of the process.
 *
 * `schema` (OCRFLOW_DATABASE_SCHEMA) puts every ocrflow table — Kysely's migration bookkeeping
 * included — into one PostgreSQL schema, set as the `search_path` of each pooled connection at
 * connect time (the `options` startup parameter, no extra round trip). Several deployments, or
 * parallel test runs, can then share one database without seeing each other's rows.
 */
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ConfigError } from '@ocrflow/core';
import { migrationProvider } from './migrations/index.ts';
import type { Database } from './sql.schema.ts';
import { SqlJobStore } from './sql.store.ts';

export interface PostgresOptions {
  url: string;
  /** Empty: the server's default search_path (usually `public`). */
  schema: string;
  /** Connections in the pool. */
  poolMax: number;
  /** Label in pg_stat_activity (which process holds which connection). */
  applicationName?: string;
  /** An idle pooled connection failed (server restart); the pool replaces it on the next checkout. */
  onIdleError?: (e: Error) => void;
}

/** Unquoted PostgreSQL identifiers only: the name goes into a startup parameter and DDL. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): void {
  if (!SCHEMA_NAME.test(schema))
    throw new ConfigError(`OCRFLOW_DATABASE_SCHEMA must be a lower-case identifier (a-z, 0-9, _), not ${JSON.stringify(schema)}`, 'databaseSchema');
}

/** A SqlJobStore on PostgreSQL whose `migrate()` first creates the schema when there is one. */
class PostgresJobStore extends SqlJobStore {
  constructor(
    db: Kysely<Database>,
    private readonly schema: string,
  ) {
    super(db, 'postgres');
  }

  override async migrate(): Promise<void> {
    if (!this.schema) return super.migrate();
    try {
      await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(this.schema)}`.execute(this.db);
    } catch (e) {
      // IF NOT EXISTS is not race-free: processes starting together may both try to create it.
      const code = (e as { code?: string }).code;
      if (code !== '23505' && code !== '42P06') throw e;
    }
    // The Migrator must be told the schema: it looks for its bookkeeping tables among the tables
    // of *every* schema, and would find another deployment's in the same database.
    const migrator = new Migrator({ db: this.db, provider: migrationProvider, migrationTableSchema: this.schema });
    const { error, results } = await migrator.migrateToLatest();
    const failed = results?.find((r) => r.status === 'Error');
    if (error || failed)
      throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`, { cause: error });
  }
}

export function openPostgresStore(o: PostgresOptions): SqlJobStore {
  if (o.schema) assertSchemaName(o.schema);
  const pool = new pg.Pool({
    connectionString: o.url,
    max: o.poolMax,
    // `$user` first would let a same-named schema shadow ours; ours alone, then public for extensions.
    ...(o.schema ? { options: `-c search_path=${o.schema},public` } : {}),
    application_name: o.applicationName ?? 'ocrflow',
    // Fail fast when the server is unreachable instead of hanging a request for ever.
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process (an unhandled 'error' event would).
  pool.on('error', (e) => o.onIdleError?.(e));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return new PostgresJobStore(db, o.schema);
}
