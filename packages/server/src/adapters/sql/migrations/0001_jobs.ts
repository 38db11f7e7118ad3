/** Jobs, their events and per-page results. Written with the schema builder: runs on SQLite and PostgreSQL. */
import type { Kysely, Migration } from 'kysely';

export const m0001_jobs: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('jobs')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('task_id', 'varchar(255)')
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('engine', 'varchar(32)', (c) => c.notNull())
      .addColumn('mode', 'varchar(16)', (c) => c.notNull())
      .addColumn('languages', 'text', (c) => c.notNull())
      .addColumn('prompt', 'text')
      .addColumn('webhook_url', 'text')
      .addColumn('filename', 'text')
      .addColumn('mime', 'varchar(100)', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
      .addColumn('content_hash', 'varchar(64)', (c) => c.notNull())
      .addColumn('source_key', 'text', (c) => c.notNull())
      .addColumn('result_key', 'text')
      .addColumn('page_count', 'integer', (c) => c.notNull())
      .addColumn('done_pages', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error_code', 'varchar(64)')
      .addColumn('error_message', 'text')
      .addColumn('metrics', 'text', (c) => c.notNull())
      .addColumn('options', 'text', (c) => c.notNull())
      .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('lease_owner', 'varchar(100)')
      .addColumn('lease_until', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('queued_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    // NULLs are distinct in unique indexes on both SQLite and PostgreSQL: jobs without task_id coexist.
    await db.schema.createIndex('jobs_task_id_uq').on('jobs').column('task_id').unique().execute();
    await db.schema.createIndex('jobs_status_queued_idx').on('jobs').columns(['status', 'queued_at', 'id']).execute();
    await db.schema.createIndex('jobs_status_lease_idx').on('jobs').columns(['status', 'lease_until']).execute();

    await db.schema
      .createTable('job_events')
      .addColumn('job_id', 'varchar(40)', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('type', 'varchar(16)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('data', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('job_events_pk', ['job_id', 'seq'])
      .execute();

    await db.schema
      .createTable('job_pages')
      .addColumn('job_id', 'varchar(40)', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
      .addColumn('page_index', 'integer', (c) => c.notNull())
      .addColumn('page', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('job_pages_pk', ['job_id', 'page_index'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('job_pages').execute();
    await db.schema.dropTable('job_events').execute();
    await db.schema.dropTable('jobs').execute();
  },
};
