/** The workbench: tasks, their transitions and workbook versions. Schema builder only: SQLite and PostgreSQL. */
import type { Kysely, Migration } from 'kysely';

export const m0003_workbench: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable('workbench_tasks')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('filename', 'text', (c) => c.notNull())
      .addColumn('mime', 'varchar(100)', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('sha256', 'varchar(64)', (c) => c.notNull())
      .addColumn('source_key', 'text', (c) => c.notNull())
      .addColumn('status', 'varchar(20)', (c) => c.notNull())
      .addColumn('error_message', 'text')
      .addColumn('ocr_job_id', 'varchar(40)')
      .addColumn('page_count', 'integer')
      .addColumn('table_count', 'integer')
      .addColumn('workbook_version', 'integer')
      .addColumn('last_seq', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    // Start-up reconciliation asks for tasks by state.
    await db.schema.createIndex('workbench_tasks_status_idx').on('workbench_tasks').columns(['status', 'id']).execute();

    await db.schema
      .createTable('workbench_task_transitions')
      .addColumn('task_id', 'varchar(40)', (c) => c.notNull().references('workbench_tasks.id').onDelete('cascade'))
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('status', 'varchar(20)', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('workbench_task_transitions_pk', ['task_id', 'seq'])
      .execute();

    await db.schema
      .createTable('workbench_versions')
      .addColumn('task_id', 'varchar(40)', (c) => c.notNull().references('workbench_tasks.id').onDelete('cascade'))
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('source', 'varchar(8)', (c) => c.notNull())
      .addColumn('sheets', 'text', (c) => c.notNull())
      .addColumn('xlsx_key', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('workbench_versions_pk', ['task_id', 'version'])
      .execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropTable('workbench_versions').execute();
    await db.schema.dropTable('workbench_task_transitions').execute();
    await db.schema.dropTable('workbench_tasks').execute();
  },
};
