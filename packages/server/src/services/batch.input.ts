/**
 * The fields of `POST /v1/batches`: the batch's own (`batch_id`, `webhook_url`, `task_ids`,
 * `file_paths`) and those every document shares (engine, languages, mode, prompt, priority, …),
 * which `parseSubmitFields` judges exactly as for one job.
 */
import { OcrflowError, type Config } from '@ocrflow/core';
import { parseSubmitFields, type SubmitFields, type SubmitInput } from './submit.input.ts';

/** The most documents one batch may hold. */
export const MAX_BATCH_DOCUMENTS = 10_000;

export interface BatchInput {
  batchKey: string | null;
  webhookUrl: string | null;
  /** Per document, in order; null where the client gave none (and no batch_id to derive one from). */
  taskIds: (string | null)[];
  /** What every document shares; its taskId and webhookUrl are not used. */
  shared: SubmitInput;
}

const bad = (field: string, why: string) => new OcrflowError('OCRFLOW_ERR_VALIDATION', `${field}: ${why}`, { field });

/** A list field: a JSON array (JSON body, or a multipart field holding JSON) or one comma-separated string. */
export function parseList(raw: unknown, field: string): string[] | null {
  if (raw === undefined || raw === null || raw === '') return null;
  let v: unknown = raw;
  if (typeof v === 'string' && v.trim().startsWith('[')) {
    try {
      v = JSON.parse(v) as unknown;
    } catch {
      throw bad(field, 'is not a JSON array');
    }
  } else if (typeof v === 'string') v = v.split(',').map((s) => s.trim());
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw bad(field, 'must be an array of strings');
  return v as string[];
}

export function parseBatchFields(fields: SubmitFields, count: number, config: Config): BatchInput {
  if (count === 0)
    throw new OcrflowError(
      'OCRFLOW_ERR_MISSING_FILE',
      'A batch needs at least one document: send files in the multipart field "file", or "file_paths" in JSON',
    );
  if (count > MAX_BATCH_DOCUMENTS) throw bad('file', `a batch holds at most ${MAX_BATCH_DOCUMENTS} documents`);
  const { batch_id, task_ids, file_paths: _paths, ...rest } = fields;
  if (rest.webhook_events !== undefined && rest.webhook_events !== '')
    throw bad('webhook_events', "is for single jobs: a batch's webhook_url is called once, when every document has ended");
  // Checked like a job's task_id (length, no control characters).
  const batchKey = parseSubmitFields({ task_id: batch_id }, config).taskId;
  const shared = parseSubmitFields({ ...rest, task_id: undefined }, config);
  const given = parseList(task_ids, 'task_ids');
  if (given && given.length !== count) throw bad('task_ids', `gives ${given.length} task ids for ${count} documents`);
  if (given) {
    for (const t of given) parseSubmitFields({ task_id: t }, config);
    if (new Set(given).size !== given.length) throw bad('task_ids', 'must not repeat a task id');
  }
  // A batch_id gives each document a task_id of its own, so a repeated POST finds the documents already written.
  const taskIds = given ?? Array.from({ length: count }, (_, i) => (batchKey === null ? null : `${batchKey}#${i + 1}`));
  if (taskIds.some((t) => t !== null && t.length > 255)) throw bad('batch_id', 'is too long to derive task ids from');
  return { batchKey, webhookUrl: shared.webhookUrl, taskIds, shared };
}
