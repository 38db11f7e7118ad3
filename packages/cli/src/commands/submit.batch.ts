/**
 * `ocrflow submit <folder>`: the folder's documents go to the service as one batch (one request,
 * one webhook when all ended), and `--wait` follows the batch with one progress bar over its pages.
 * A repeated command with the same `--batch-id` finds the batch instead of submitting it again.
 */
import type { Batch, BatchSubmitOptions, Job, OcrflowClient } from '@ocrflow/client';
import { batchExit, errorInfo, printJson, type ErrorInfo } from './client.output.ts';
import type { BatchFile } from './files.expand.ts';
import { PagesProgress } from './progress.bar.ts';

export interface FolderBatchOptions extends Omit<BatchSubmitOptions, 'taskIds' | 'signal'> {
  /** Prefix of each document's task id: `<prefix>/<path in the folder>`. */
  taskIdPrefix?: string;
  wait?: boolean;
  timeoutMs?: number;
  json?: boolean;
  quiet?: boolean;
}

interface Row {
  file: string;
  job?: Pick<Job, 'id' | 'task_id' | 'status' | 'page_count' | 'done_pages' | 'result_url' | 'error'>;
  error?: ErrorInfo;
}

export async function submitFolderBatch(client: OcrflowClient, files: BatchFile[], o: FolderBatchOptions): Promise<number> {
  const log = (line: string) => !o.quiet && process.stderr.write(`${line}\n`);
  const rows: Row[] = files
    .filter((f) => f.missing)
    .map((f) => ({ file: f.path, error: { code: 'OCRFLOW_ERR_FILE_NOT_FOUND', message: `Cannot read ${f.path}: no such file or folder` } }));
  for (const r of rows) log(`ocrflow: ${r.error?.message} [${r.error?.code}]`);
  const docs = files.filter((f) => !f.missing);
  let batch: Batch | null = null;
  if (docs.length) {
    try {
      const created = await client.batches.submit(
        docs.map((f) => f.path),
        {
          ...o,
          taskIds: o.taskIdPrefix === undefined ? undefined : docs.map((f) => `${o.taskIdPrefix}/${f.rel.split(/[\\/]/).join('/')}`),
        },
      );
      batch = created.batch;
      log(`batch ${batch.id}${batch.batch_id ? ` (${batch.batch_id})` : ''}: ${batch.total} document(s)`);
      for (const [i, d] of created.documents.entries()) {
        rows.push({
          file: docs[i].path,
          job: { id: d.job_id, task_id: d.task_id, status: 'queued', page_count: 0, done_pages: 0, result_url: null, error: null },
        });
        if (!o.json && !o.wait) process.stdout.write(`${d.job_id}  queued  ${docs[i].path}\n`);
      }
    } catch (e) {
      const error = errorInfo(e);
      log(`ocrflow: the batch was refused: ${error.message} [${error.code}]`);
      for (const f of docs) rows.push({ file: f.path, error });
    }
  }
  if (batch && o.wait) {
    batch = await waitBatch(client, batch, o).catch((e: unknown) => {
      const error = errorInfo(e);
      log(`ocrflow: ${error.message} [${error.code}]`);
      for (const r of rows) if (r.job) r.error = error;
      return null;
    });
    // The documents' final states, for the summary.
    if (batch) for (const r of rows) if (r.job) r.job = await client.get(r.job.id).catch(() => r.job);
  }
  const ok = rows.filter((r) => r.job && !r.error && (!o.wait || r.job.status === 'finished')).length;
  const failed = rows.length - ok;
  if (o.json) {
    printJson({
      batch,
      jobs: rows.map((r) => ({
        file: r.file,
        ...(r.job
          ? {
              id: r.job.id,
              task_id: r.job.task_id,
              status: r.job.status,
              pages: r.job.page_count,
              done_pages: r.job.done_pages,
              result_url: r.job.result_url,
              error: r.error ?? r.job.error,
            }
          : { error: r.error }),
      })),
      total: rows.length,
      succeeded: ok,
      failed,
    });
  } else if (o.wait) {
    for (const r of rows)
      if (r.job) process.stdout.write(`${r.job.id}  ${r.job.status}${r.job.error ? ` (${r.job.error.message} [${r.job.error.code}])` : ''}  ${r.file}\n`);
  }
  log(`${rows.length} file(s): ${ok} ${o.wait ? 'finished' : 'submitted'}, ${failed} failed`);
  return batchExit(ok, failed);
}

/** Follow the batch's events with one bar over its pages (advanced as documents end). */
async function waitBatch(client: OcrflowClient, batch: Batch, o: FolderBatchOptions): Promise<Batch> {
  const progress = new PagesProgress({ total: batch.pages_total, enabled: !o.quiet });
  progress.setStatus(`0/${batch.total} documents`);
  let reading: Promise<void> = Promise.resolve();
  const refresh = () =>
    (reading = reading
      .then(async () => {
        const b = await client.batches.get(batch.id);
        progress.setTotal(b.pages_total);
        progress.advance(b.pages_done - progress.pagesDone, `${b.ended}/${b.total} documents`);
      })
      .catch(() => undefined));
  try {
    const done = await client.batches.waitFor(batch.id, {
      timeoutMs: o.timeoutMs,
      onEvent: (e) => {
        if (e.type === 'document_ended' && e.status !== 'finished') progress.log(`document ${e.position}: ${e.status}`);
        if (e.type !== 'created') void refresh();
      },
      onRetry: (err, attempt) => attempt === 1 && progress.log(`ocrflow: connection lost (${errorInfo(err).message.split('. ')[0]}); retrying`),
    });
    await reading;
    progress.advance(done.pages_done - progress.pagesDone, `${done.ended}/${done.total} documents`);
    return done;
  } finally {
    progress.stop();
  }
}
