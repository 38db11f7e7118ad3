/** Batches: a batch row, its documents (job ids in submission order) and its event log. Schema builder only: SQLite and PostgreSQL. */
import type { Kysely, Migration } from 'kysely';

export const m0007_batches: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('batches')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('tenant', 'varchar(64)', (c) => c.notNull())
      .addColumn('batch_key', 'varchar(255)')
      .addColumn('content_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('webhook_url', 'text')
      .addColumn('state', 'varchar(16)', (c) => c.notNull())
      .addColumn('total', 'integer', (c) => c.notNull())
      .addColumn('last_seq', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('ended_at', 'bigint')
      .execute();
    // NULL batch_keys stay distinct (both databases): batches without one coexist in a tenant.
    await db.schema.createIndex('batches_tenant_key_uq').on('batches').columns(['tenant', 'batch_key']).unique().execute();

    await db.schema
      .createTable('batch_documents')
      .addColumn('batch_id', 'varchar(40)', (c) => c.notNull().references('batches.id').onDelete('cascade'))
      .addColumn('position', 'integer', (c) => c.notNull())
      .addColumn('job_id', 'varchar(40)', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('task_id', 'varchar(255)')
      .addPrimaryKeyConstraint('batch_documents_pk', ['batch_id', 'position'])
      .execute();
    // A job's batch, asked at each of its terminal transitions.
    await db.schema.createIndex('batch_documents_job_idx').on('batch_documents').column('job_id').execute();

    await db.schema
      .createTable('batch_events')
      .addColumn('batch_id', 'varchar(40)', (c) => c.notNull().references('batches.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('type', 'varchar(32)', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('batch_events_pk', ['batch_id', 'seq'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('batch_events').execute();
    await db.schema.dropTable('batch_documents').execute();
    await db.schema.dropTable('batches').execute();
  },
};
