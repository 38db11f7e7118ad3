/**
 * Kysely table types of batches, added to `Database` by declaration merging (see `sql.schema.ts`).
 * Times as epoch ms in bigint columns, JSON as text.
 */
import type { Int8 } from './sql.schema.ts';

export interface BatchesTable {
  id: string;
  tenant: string;
  batch_key: string | null;
  content_hash: string;
  webhook_url: string | null;
  state: string;
  total: number;
  last_seq: number;
  created_at: Int8;
  ended_at: Int8 | null;
}

export interface BatchDocumentsTable {
  batch_id: string;
  position: number;
  job_id: string;
  task_id: string | null;
}

export interface BatchEventsTable {
  batch_id: string;
  seq: number;
  type: string;
  /** JSON object. */
  data: string;
  created_at: Int8;
}

declare module './sql.schema.ts' {
  interface Database {
    batches: BatchesTable;
    batch_documents: BatchDocumentsTable;
    batch_events: BatchEventsTable;
  }
}
