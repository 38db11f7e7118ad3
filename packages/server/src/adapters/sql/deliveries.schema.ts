/**
 * Kysely table types of the webhook outbox, added to `Database` by declaration merging (the
 * mechanism `sql.schema.ts` asks features to use). Portable: times as epoch ms in bigint columns,
 * JSON as text.
 */
import type { Int8 } from './sql.schema.ts';

export interface WebhookDeliveriesTable {
  id: string;
  /** The job's tenant (migration 0006). */
  tenant: string;
  message_id: string;
  job_id: string;
  event_seq: number;
  event_type: string;
  event_time: Int8;
  url: string;
  source: string;
  /** Unique when not null (NULLs are distinct on SQLite and PostgreSQL). */
  dedupe_key: string | null;
  state: string;
  attempt_count: number;
  next_attempt_at: Int8 | null;
  lease_owner: string | null;
  lease_until: Int8 | null;
  payload: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: Int8;
  updated_at: Int8;
  delivered_at: Int8 | null;
  redelivery_of: string | null;
}

export interface WebhookAttemptsTable {
  delivery_id: string;
  n: number;
  started_at: Int8;
  duration_ms: number;
  http_status: number | null;
  error: string | null;
  response_excerpt: string | null;
  owner: string;
}

declare module './sql.schema.ts' {
  interface Database {
    webhook_deliveries: WebhookDeliveriesTable;
    webhook_attempts: WebhookAttemptsTable;
  }
}
