/** The webhook outbox: deliveries and their attempts. Schema builder only: SQLite and PostgreSQL. */
import type { Kysely, Migration } from 'kysely';

export const m0002_webhooks: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('webhook_deliveries')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('message_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('job_id', 'varchar(40)', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('event_seq', 'integer', (c) => c.notNull())
      .addColumn('event_type', 'varchar(16)', (c) => c.notNull())
      .addColumn('event_time', 'bigint', (c) => c.notNull())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('source', 'varchar(16)', (c) => c.notNull())
      .addColumn('dedupe_key', 'varchar(400)')
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('attempt_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint')
      .addColumn('lease_owner', 'varchar(100)')
      .addColumn('lease_until', 'bigint')
      .addColumn('payload', 'text')
      .addColumn('last_status', 'integer')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('delivered_at', 'bigint')
      .addColumn('redelivery_of', 'varchar(40)')
      .execute();
    await db.schema.createIndex('webhook_deliveries_dedupe_uq').on('webhook_deliveries').column('dedupe_key').unique().execute();
    // The dispatcher's two questions: what is due (pending by time), whose lease expired (sending by lease).
    await db.schema.createIndex('webhook_deliveries_due_idx').on('webhook_deliveries').columns(['state', 'next_attempt_at']).execute();
    await db.schema.createIndex('webhook_deliveries_lease_idx').on('webhook_deliveries').columns(['state', 'lease_until']).execute();
    await db.schema.createIndex('webhook_deliveries_job_idx').on('webhook_deliveries').columns(['job_id', 'created_at']).execute();

    await db.schema
      .createTable('webhook_attempts')
      .addColumn('delivery_id', 'varchar(40)', (c) => c.notNull().references('webhook_deliveries.id').onDelete('cascade'))
      .addColumn('n', 'integer', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('duration_ms', 'integer', (c) => c.notNull())
      .addColumn('http_status', 'integer')
      .addColumn('error', 'text')
      .addColumn('response_excerpt', 'text')
      .addColumn('owner', 'varchar(100)', (c) => c.notNull())
      .addPrimaryKeyConstraint('webhook_attempts_pk', ['delivery_id', 'n'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('webhook_attempts').execute();
    await db.schema.dropTable('webhook_deliveries').execute();
  },
};
