/**
 * Reading and steering jobs: get, list (cursor, newest first), cancel, retry.
 *
 * Cancel semantics (documented in the README): queued or running → `canceled` at once (a running
 * job's worker sees it at the next page boundary, or its thread is stopped, and its later writes
 * are refused by the lease check); already `canceled` → no-op, 200 with the job (DELETE is
 * idempotent); `finished` or `failed` → 409 OCRFLOW_ERR_INVALID_STATE, because the caller would
 * otherwise believe a job was stopped that in fact completed.
 */
import { canSee, listScope, OcrflowError, type Caller } from '@ocrflow/core';
import { JOB_STATUSES, type JobRecord, type JobStatus } from '../ports/job.types.ts';
import { decodeCursor, encodeCursor, isJobId } from '../util/ids.ts';
import { toJobView, type JobView } from './job.view.ts';
import type { ServiceContext } from './service.context.ts';

export interface ListQuery {
  task_id?: string;
  /** One status or several, comma-separated. */
  status?: string;
  cursor?: string;
  limit?: number;
}

export class JobsService {
  constructor(private readonly ctx: ServiceContext) {}

  async view(job: JobRecord): Promise<JobView> {
    const pos = job.status === 'queued' ? await this.ctx.queue.position(job.id) : null;
    return toJobView(job, { queuePosition: pos, baseUrl: this.ctx.baseUrl() });
  }

  /** The job, whoever owns it: for work already checked against its caller (or done for nobody). */
  async require(id: string): Promise<JobRecord> {
    const job = isJobId(id) ? await this.ctx.store.getJob(id) : null;
    if (!job) throw notFound(id);
    return job;
  }

  /** The job if `caller` may see it. Another tenant's job is "not found", the same answer as none: its existence is not revealed. */
  async requireFor(caller: Caller, id: string): Promise<JobRecord> {
    const job = isJobId(id) ? await this.ctx.store.getJob(id) : null;
    if (!job || !canSee(caller, job.tenant)) throw notFound(id);
    return job;
  }

  async get(caller: Caller, id: string): Promise<JobView> {
    return this.view(await this.requireFor(caller, id));
  }

  async list(caller: Caller, q: ListQuery): Promise<{ jobs: JobView[]; next_cursor: string | null }> {
    const limit = Math.min(100, Math.max(1, q.limit ?? 20));
    let statuses: JobStatus[] | undefined;
    if (q.status) {
      statuses = q.status.split(',').map((s) => s.trim()) as JobStatus[];
      const badOne = statuses.find((s) => !JOB_STATUSES.includes(s));
      if (badOne)
        throw new OcrflowError('OCRFLOW_ERR_VALIDATION', `status: ${JSON.stringify(badOne)} is not one of ${JOB_STATUSES.join(', ')}`, { field: 'status' });
    }
    let beforeId: string | undefined;
    if (q.cursor) {
      const id = decodeCursor(q.cursor);
      if (!id) throw new OcrflowError('OCRFLOW_ERR_VALIDATION', 'cursor: not a cursor this service issued', { field: 'cursor' });
      beforeId = id;
    }
    const rows = await this.ctx.store.listJobs({ tenant: listScope(caller), taskId: q.task_id, statuses, beforeId, limit: limit + 1 });
    const page = rows.slice(0, limit);
    return { jobs: await Promise.all(page.map((j) => this.view(j))), next_cursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null };
  }

  async cancel(caller: Caller, id: string): Promise<{ job: JobView; changed: boolean }> {
    const job = await this.requireFor(caller, id);
    const r = await this.ctx.store.cancelJob(job.id, this.ctx.now());
    if (!r) throw new OcrflowError('OCRFLOW_ERR_JOB_NOT_FOUND');
    if (!r.event) {
      if (r.job.status === 'canceled') return { job: await this.view(r.job), changed: false };
      throw new OcrflowError('OCRFLOW_ERR_INVALID_STATE', `The job is ${r.job.status} and cannot be canceled`, { status: r.job.status });
    }
    await this.ctx.queue.remove(job.id);
    // Workers listen on the bus: the one running this job stops it.
    await this.ctx.bus.publish(r.event);
    return { job: await this.view(r.job), changed: true };
  }

  async retry(caller: Caller, id: string): Promise<JobView> {
    const job = await this.requireFor(caller, id);
    const r = await this.ctx.store.retryJob(job.id, this.ctx.now());
    if (!r) throw new OcrflowError('OCRFLOW_ERR_JOB_NOT_FOUND');
    if (!r.event)
      throw new OcrflowError('OCRFLOW_ERR_INVALID_STATE', `Only failed or canceled jobs can be retried; this one is ${r.job.status}`, { status: r.job.status });
    await this.ctx.bus.publish(r.event);
    await this.ctx.queue.enqueue(job.id);
    return this.view(r.job);
  }
}

const notFound = (id: string) => new OcrflowError('OCRFLOW_ERR_JOB_NOT_FOUND', `No job with id ${JSON.stringify(id)}`);
