/**
 * DeepSeek-OCR-Web compatibility (the FastAPI back-end its web UI and scripts talk to):
 *   POST /api/start {file_path, prompt, task_id?, webhook_url?} → {"status": "running", "task_id"}
 *   GET  /api/progress/{task_id} → {"status": "success", task_id, state: running|finished|error|cancelled, progress: 0..100}
 *   GET  /api/result/{task_id}   → finished: {"status": "success", task_id, state: "finished", result_dir, files, runtime};
 *                                  running: {"status": "running", task_id}; failed: {"status": "error", message}
 * Submissions go through the native submission service (OCRFLOW_INPUT_DIRS, task_id idempotency,
 * webhook checks); the client's own `task_id` is kept as the job's task_id (one is made up when it
 * sends none, as the original does), and the webhook body carries `task_id` and `result_dir`.
 */
import { randomUUID } from 'node:crypto';
import { OcrflowError, type Caller } from '@ocrflow/core';
import type { JobRecord } from '../ports/job.types.ts';
import { isJobId } from '../util/ids.ts';
import type { JobsService } from './jobs.service.ts';
import { RESULT_FORMATS } from './result.formats.ts';
import type { ServiceContext } from './service.context.ts';
import type { SubmissionService } from './submission.service.ts';
import { parseSubmitFields, type SubmitFields } from './submit.input.ts';
import { ANALYSIS_RESULT_FILE } from './webhook.payload.ts';

export interface DeepSeekStartBody extends SubmitFields {
  file_path?: string;
  original_filename?: string;
}

const STATE: Record<JobRecord['status'], string> = { queued: 'running', running: 'running', finished: 'finished', failed: 'error', canceled: 'cancelled' };

export class DeepSeekCompatService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly jobs: JobsService,
    private readonly submissions: SubmissionService,
  ) {}

  async start(caller: Caller, body: DeepSeekStartBody): Promise<{ status: 'running'; task_id: string; job_id: string; created: boolean }> {
    const fields: SubmitFields = { ...body, task_id: body.task_id || randomUUID() };
    delete fields.file_path;
    delete fields.original_filename;
    parseSubmitFields(fields, this.ctx.config); // refuse bad fields before reading the file
    await this.submissions.assertCapacity();
    const t0 = performance.now();
    const { temp, filename } = await this.submissions.receivePath(String(body.file_path ?? ''));
    const input = parseSubmitFields(fields, this.ctx.config);
    const name = typeof body.original_filename === 'string' && body.original_filename.trim() ? body.original_filename.trim().split(/[\\/]/).pop()! : filename;
    const r = await this.submissions.submit(caller, temp, input, { filename: name, receiveMs: performance.now() - t0 });
    return { status: 'running', task_id: r.job.taskId ?? r.job.id, job_id: r.job.id, created: r.created };
  }

  /** A task by the client's task_id (in its tenant), or by job id (tasks started without one answer with their job id). */
  async find(caller: Caller, taskId: string): Promise<JobRecord> {
    const byTask = await this.ctx.store.getJobByTaskId(caller.tenant, taskId);
    if (byTask) return byTask;
    if (isJobId(taskId)) return this.jobs.requireFor(caller, taskId);
    throw new OcrflowError('OCRFLOW_ERR_TASK_NOT_FOUND', `No task with task_id ${JSON.stringify(taskId)}`);
  }

  async progress(
    caller: Caller,
    taskId: string,
  ): Promise<{ status: 'success'; task_id: string; state: string; progress: number; job_id: string; job_status: string }> {
    const job = await this.find(caller, taskId);
    const progress = job.status === 'finished' ? 100 : job.pageCount > 0 ? Math.min(99, Math.floor((job.donePages / job.pageCount) * 100)) : 0;
    return { status: 'success', task_id: taskId, state: STATE[job.status], progress, job_id: job.id, job_status: job.status };
  }

  async result(caller: Caller, taskId: string): Promise<Record<string, unknown>> {
    const job = await this.find(caller, taskId);
    if (job.status === 'queued' || job.status === 'running') return { status: 'running', task_id: taskId, job_id: job.id };
    if (job.status !== 'finished' || !job.resultKey)
      return { status: 'error', task_id: taskId, state: STATE[job.status], message: job.error?.message ?? `The task is ${job.status}`, error: job.error };
    const names = [...Object.values(RESULT_FORMATS).flatMap((f) => (f.file ? [f.file] : [])), ANALYSIS_RESULT_FILE, 'images.zip'];
    const files: string[] = [];
    for (const n of names) if (await this.ctx.blobs.exists(`${job.resultKey}/${n}`)) files.push(n);
    return {
      status: 'success',
      task_id: taskId,
      job_id: job.id,
      state: 'finished',
      result_dir: this.ctx.blobs.localPath(job.resultKey),
      result_url: `${this.ctx.baseUrl()}/v1/jobs/${job.id}/result`,
      files,
      runtime: job.finishedAt !== null ? Math.round((job.finishedAt - job.createdAt) / 10) / 100 : null,
    };
  }
}
