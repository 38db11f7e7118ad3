/**
 * Kysely table types. Portable across SQLite and PostgreSQL: JSON as text, times as epoch
 * milliseconds in `bigint` columns (pg returns int8 as a string, so mappers use Number()), booleans
 * as integers. Other features add their tables by augmenting `Database` (declaration merging) and
 * appending a migration to `migrations/index.ts`.
 */
import type { ColumnType, Kysely } from 'kysely';
import type { StoreTx } from '../../ports/job-store.port.ts';

/** bigint/int8 columns: numbers in, number (SQLite) or string (pg) out. */
export type Int8 = ColumnType<number | string, number, number>;

export interface JobsTable {
  id: string;
  /** Owner (migration 0006); rows from before it are `default`. */
  tenant: string;
  task_id: string | null;
  status: string;
  engine: string;
  mode: string;
  /** JSON array. */
  languages: string;
  prompt: string | null;
  webhook_url: string | null;
  filename: string | null;
  mime: string;
  size_bytes: Int8;
  sha256: string;
  content_hash: string;
  source_key: string;
  result_key: string | null;
  page_count: number;
  done_pages: number;
  attempts: number;
  error_code: string | null;
  error_message: string | null;
  /** JSON object. */
  metrics: string;
  /** JSON object. */
  options: string;
  last_seq: number;
  lease_owner: string | null;
  lease_until: Int8 | null;
  created_at: Int8;
  queued_at: Int8;
  started_at: Int8 | null;
  finished_at: Int8 | null;
  updated_at: Int8;
}

export interface JobEventsTable {
  job_id: string;
  seq: number;
  type: string;
  status: string;
  /** JSON object. */
  data: string;
  created_at: Int8;
}

export interface JobPagesTable {
  job_id: string;
  page_index: number;
  /** JSON of the `Page`. */
  page: string;
  created_at: Int8;
}

export interface Database {
  jobs: JobsTable;
  job_events: JobEventsTable;
  job_pages: JobPagesTable;
}

/**
 * The port's opaque unit of work is, in the SQL stores, the Kysely transaction: these two are the
 * only places it changes form (out to the hooks, back in the delivery store).
 */
export const asStoreTx = (tx: Kysely<Database>): StoreTx => tx as unknown as StoreTx;
export const sqlTx = (tx: StoreTx): Kysely<Database> => tx as unknown as Kysely<Database>;
