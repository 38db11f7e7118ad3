/**
 * Batches: many documents submitted as one. Each document becomes an ordinary job (through
 * SubmissionService, so size limits, content checks, durability and task_id idempotency are the
 * single job's), marked with its batch and queued one priority step below the submission's, so
 * single jobs submitted after a big batch are not stuck behind it. The batch ends — its `ended`
 * event and its one webhook outbox row — in the transaction of its last document's terminal
 * transition.
 *
 * A batch is written document by document (`creating`) and opened when all are in. A client whose
 * POST was cut short (a crash, a dropped connection) sends the same POST again: the same
 * `batch_id` and content find the batch, and each document's task_id finds its job, so nothing is
 * written twice.
 */
import { createHash } from 'node:crypto';
import { canSee, OcrflowError, type Caller } from '@ocrflow/core';
import { BatchKeyTakenError, type BatchCounts, type BatchEndedHook, type BatchRecord } from '../ports/batch-store.port.ts';
import type { TempBlob } from '../ports/blob-store.port.ts';
import type { NewDelivery } from '../ports/delivery-store.port.ts';
import type { TerminalHook } from '../ports/job-store.port.ts';
import { DEFAULT_PRIORITY, PRIORITY_MIN } from '../ports/job.priority.ts';
import type { JobRecord } from '../ports/job.types.ts';
import { isJobId, newJobId } from '../util/ids.ts';
import type { BatchInput } from './batch.input.ts';
import { batchWebhookBody, toBatchDocumentView, toBatchView, type BatchDocumentView, type BatchView } from './batch.view.ts';
import type { ServiceContext } from './service.context.ts';
import type { SubmissionService, SubmitCheck } from './submission.service.ts';

export interface BatchDocumentInput {
  temp: TempBlob;
  filename: string | null;
}

export interface CreatedBatch {
  batch: BatchView;
  documents: BatchDocumentView[];
  /** false when an existing batch with the same batch_id and content was returned. */
  created: boolean;
}

export class BatchesService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly submissions: SubmissionService,
    /** The webhook target check of single jobs (safety of the URL). */
    private readonly webhookCheck: SubmitCheck,
  ) {}

  /** Registered on the JobStore: a document's end is recorded with its batch in the same transaction. */
  readonly terminalHook: TerminalHook = async (tx, change) => {
    const { batch, batch_position: position } = change.job.options;
    if (typeof batch !== 'string') return;
    const member = typeof position === 'number' && Number.isInteger(position) && position > 0 ? { batchId: batch, position } : null;
    await this.ctx.batches.onDocumentEndedInTx(tx, change, member, this.onEnded);
  };

  /** The batch's one webhook: an outbox row with its body fixed now, delivered like any job's. */
  private readonly onEnded: BatchEndedHook = async (tx, batch, lastJobId, counts) => {
    if (!batch.webhookUrl) return;
    const url = batch.webhookUrl;
    const row: NewDelivery = {
      id: newJobId(),
      tenant: batch.tenant,
      messageId: `msg_batch_${batch.id}`,
      jobId: lastJobId,
      eventSeq: 0,
      eventType: 'finished',
      eventTime: batch.endedAt ?? this.ctx.now(),
      url,
      source: 'batch',
      dedupeKey: `batch:${batch.id}:${createHash('sha256').update(url).digest('hex').slice(0, 32)}`,
      payload: batchWebhookBody(batch, counts, this.ctx.baseUrl()),
      redeliveryOf: null,
      now: this.ctx.now(),
    };
    await this.ctx.deliveries.insertInTx(tx, [row]);
  };

  /** Validate every document, then write the batch and its jobs. Always consumes the temps. */
  async create(caller: Caller, docs: BatchDocumentInput[], input: BatchInput): Promise<CreatedBatch> {
    const { ctx } = this;
    let next = 0;
    try {
      await this.webhookCheck({ ...input.shared, webhookUrl: input.webhookUrl, taskId: null });
      // Refuse a batch the queue cannot take before writing any of it.
      const size = await ctx.queue.size();
      if (size + docs.length > ctx.config.queueMax)
        throw new OcrflowError(
          'OCRFLOW_ERR_QUEUE_FULL',
          `The job queue has room for ${Math.max(0, ctx.config.queueMax - size)} more jobs; this batch has ${docs.length}`,
          { retry_after_s: 60, queue_len: size },
        );
      // Every document is judged before any is written: one bad file refuses the batch, naming it.
      for (const [i, d] of docs.entries()) {
        if (d.temp.size === 0) throw new OcrflowError('OCRFLOW_ERR_EMPTY_FILE', `Document ${i + 1} (${d.filename ?? 'unnamed'}) is empty`, { position: i + 1 });
        try {
          await ctx.pipeline.inspect(await ctx.blobs.readTemp(d.temp), { maxPixels: ctx.config.maxPixels, maxPages: ctx.config.maxPages });
        } catch (e) {
          if (e instanceof OcrflowError)
            throw new OcrflowError(e.code, `Document ${i + 1} (${d.filename ?? 'unnamed'}): ${e.message}`, { ...e.details, position: i + 1 });
          throw e;
        }
      }
      const contentHash = batchHash(docs, input);
      let batch = input.batchKey === null ? null : await ctx.batches.getByKey(caller.tenant, input.batchKey);
      if (!batch) {
        // A new batch's documents are new jobs: a task_id already taken in the tenant would stop it half-written.
        for (const [i, taskId] of input.taskIds.entries()) {
          const taken = taskId === null ? null : await ctx.store.getJobByTaskId(caller.tenant, taskId);
          if (taken)
            throw new OcrflowError('OCRFLOW_ERR_TASK_ID_CONFLICT', `Document ${i + 1}: a job with task_id ${JSON.stringify(taskId)} exists already`, {
              job_id: taken.id,
              position: i + 1,
            });
        }
        try {
          batch = await ctx.batches.insert({
            id: newJobId(),
            tenant: caller.tenant,
            batchKey: input.batchKey,
            contentHash,
            webhookUrl: input.webhookUrl,
            total: docs.length,
            now: ctx.now(),
          });
        } catch (e) {
          if (!(e instanceof BatchKeyTakenError)) throw e;
          batch = await ctx.batches.getByKey(e.tenant, e.batchKey);
          if (!batch) throw e;
        }
      } else if (batch.contentHash === contentHash && batch.state !== 'creating') {
        return { ...(await this.viewWithDocuments(batch)), created: false };
      }
      if (batch.contentHash !== contentHash)
        throw new OcrflowError('OCRFLOW_ERR_BATCH_ID_CONFLICT', `A batch with batch_id ${JSON.stringify(batch.batchKey)} exists with different content`, {
          id: batch.id,
        });
      const priority = Math.max(PRIORITY_MIN, (input.shared.priority ?? DEFAULT_PRIORITY) - 1);
      const batchId = batch.id;
      const docInput = (i: number) => ({
        ...input.shared,
        taskId: input.taskIds[i],
        webhookUrl: null,
        options: { ...input.shared.options, batch: batchId, batch_position: i + 1 },
        priority,
      });
      for (; next < docs.length; next++) {
        const d = docs[next];
        const position = next + 1;
        const link = (job: JobRecord) => ctx.batches.addDocument(batch.id, { position, jobId: job.id, taskId: job.taskId });
        // A new job is linked before it is queued (its end then always finds its batch); an existing one (a resumed POST) after.
        const r = await this.submissions.submit(caller, d.temp, docInput(next), { filename: d.filename, receiveMs: 0, linked: link });
        if (!r.created) await link(r.job);
      }
      const opened = (await ctx.batches.open(batch.id, ctx.now(), this.onEnded)) ?? batch;
      return { ...(await this.viewWithDocuments(opened)), created: true };
    } finally {
      // Documents not handed to submit (which consumes its temp) are removed here.
      for (const d of docs.slice(next))
        await ctx.blobs.discard(d.temp).catch((err) => ctx.log.warn({ err }, "removing a batch upload's temporary file failed"));
    }
  }

  /** The batch by its id or its client's `batch_id`, if `caller` may see it. */
  async requireFor(caller: Caller, idOrKey: string): Promise<BatchRecord> {
    let batch = isJobId(idOrKey) ? await this.ctx.batches.get(idOrKey) : null;
    if (!batch || !canSee(caller, batch.tenant)) batch = await this.ctx.batches.getByKey(caller.tenant, idOrKey);
    if (!batch || !canSee(caller, batch.tenant)) throw new OcrflowError('OCRFLOW_ERR_BATCH_NOT_FOUND', `No batch with id ${JSON.stringify(idOrKey)}`);
    return batch;
  }

  async view(batch: BatchRecord): Promise<BatchView> {
    return toBatchView(batch, await this.counts(batch));
  }

  counts(batch: BatchRecord): Promise<BatchCounts> {
    return this.ctx.batches.counts(batch.id);
  }

  async get(caller: Caller, idOrKey: string): Promise<BatchView> {
    return this.view(await this.requireFor(caller, idOrKey));
  }

  async documents(
    caller: Caller,
    idOrKey: string,
    q: { after: number; limit: number },
  ): Promise<{ documents: BatchDocumentView[]; next_after: number | null }> {
    const batch = await this.requireFor(caller, idOrKey);
    const limit = Math.min(1000, Math.max(1, q.limit));
    const docs = await this.ctx.batches.listDocuments(batch.id, q.after, limit + 1);
    const page = docs.slice(0, limit);
    return { documents: page.map(toBatchDocumentView), next_after: docs.length > limit ? page[page.length - 1].position : null };
  }

  /** Cancel every document that has not started; running ones run to their end. */
  async cancel(caller: Caller, idOrKey: string): Promise<{ batch: BatchView; canceled: number }> {
    const batch = await this.requireFor(caller, idOrKey);
    let canceled = 0;
    for (const id of await this.ctx.batches.queuedJobIds(batch.id)) {
      const r = await this.ctx.store.cancelJob(id, this.ctx.now(), undefined, { onlyQueued: true });
      if (!r?.event) continue;
      canceled++;
      await this.ctx.queue.remove(id);
      await this.ctx.bus.publish(r.event);
    }
    return { batch: await this.view((await this.ctx.batches.get(batch.id)) ?? batch), canceled };
  }

  private async viewWithDocuments(batch: BatchRecord): Promise<{ batch: BatchView; documents: BatchDocumentView[] }> {
    const docs = await this.ctx.batches.listDocuments(batch.id, 0, batch.total);
    return { batch: await this.view(batch), documents: docs.map(toBatchDocumentView) };
  }
}

/** What "the same batch" means for batch_id idempotency: every document's bytes and task_id, in order, and the shared options. */
function batchHash(docs: BatchDocumentInput[], i: BatchInput): string {
  const s = i.shared;
  const canonical = JSON.stringify({
    docs: docs.map((d, n) => [d.temp.sha256, i.taskIds[n]]),
    engine: s.engine,
    mode: s.mode,
    languages: s.languages,
    prompt: s.prompt,
    webhook_url: i.webhookUrl,
    options: s.options,
    priority: s.priority ?? null,
  });
  return createHash('sha256').update(canonical).digest('hex');
}
