/**
 * Reading a finished OCR job's outputs into the task's files, through `@ocrflow/client` like any
 * other program: the OCR JSON (written once, never replaced — a retry after a later failure reads
 * the stored copy) and the analysis (optional: off, or its step failed, the workbook needs none).
 * Transient failures (the OCR service restarting, a dropped connection) are tried a few times.
 */
import { isTransient } from '@ocrflow/client';
import { backoffDelay, documentToSheets, isTableBlock, reviewCount, type OcrDocument } from '@ocrflow/core';
import type { OcrLink } from './ocr.link.ts';
import { taskKeys, type WorkbenchContext } from './workbench.context.ts';

export interface ResultsFetch {
  ctx: WorkbenchContext;
  link: OcrLink;
  /** Aborted when the process stops: a fetch cut short leaves the task for the next start. */
  signal: AbortSignal;
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function transient<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= 4 || signal.aborted || !isTransient(e)) throw e;
      await abortableSleep(backoffDelay(attempt, { baseDelayMs: 250, maxDelayMs: 4000 }), signal);
    }
  }
}

/**
 * Fetch and store the OCR JSON (once) and the analysis; the number of tables in the document and
 * the cells to check in its first sheets (below the review threshold, see docs/review.md).
 */
export async function fetchOcrResults(f: ResultsFetch, taskId: string, jobId: string): Promise<{ tableCount: number; cellsToCheck: number }> {
  const client = f.link.client();
  const { blobs, log } = f.ctx;
  const docKey = taskKeys.document(taskId);
  let doc: OcrDocument;
  if (!(await blobs.exists(docKey))) {
    doc = (await transient(f.signal, () => client.result(jobId, 'json', { signal: f.signal }))) as OcrDocument;
    await blobs.put(docKey, JSON.stringify(doc));
  } else doc = JSON.parse((await blobs.get(docKey)).toString('utf8')) as OcrDocument;
  const analysisKey = taskKeys.analysis(taskId);
  if (!(await blobs.exists(analysisKey))) {
    try {
      const a = await transient(f.signal, () => client.analysis(jobId, { signal: f.signal }));
      await blobs.put(analysisKey, JSON.stringify(a));
    } catch (e) {
      if (f.signal.aborted) throw e;
      log.info({ task: taskId, err: e }, 'no analysis for this task');
    }
  }
  return {
    tableCount: doc.pages.reduce((n, p) => n + p.blocks.filter(isTableBlock).length, 0),
    cellsToCheck: reviewCount(documentToSheets(doc, { reviewThreshold: f.ctx.config.reviewThreshold })),
  };
}
