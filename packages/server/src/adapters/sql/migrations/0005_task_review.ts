/**
 * Review counts of workbench tasks: the table cells still to check (below the review threshold,
 * neither edited nor confirmed by a person) in the latest version — a column, so task lists show
 * it without reading any sheets. Null for tasks before OCR (and rows written before it existed).
 */
import type { Kysely, Migration } from 'kysely';

export const m0005_task_review: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('workbench_tasks').addColumn('cells_to_check', 'integer').execute();
  },
  async down(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable('workbench_tasks').dropColumn('cells_to_check').execute();
  },
};
