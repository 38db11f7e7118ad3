/**
 * The bridge between a task and its OCR job. The task is submitted through `@ocrflow/client` with
 * `task_id` = the task id and `webhook_url` = this app's receiver; it learns that OCR ended from
 * whichever comes first of
 *   - the signed webhook (`onWebhook`), and
 *   - the long-poll fallback (`follow`: the client's `waitFor`, which rides out restarts),
 * and both end in `onJobEnded`, whose first store write is the conditional
 * `ocr_processing → ocr_done`: the loser's write matches no row and it stops there — no second
 * transition, no second workbook version.
 *
 * Then the OCR JSON and the analysis are fetched through the client and stored (the JSON is
 * written once and never changed), and version 1 of the workbook is generated.
 *
 * After a restart `reconcile` picks up every task that was in flight: `uploaded` ones are
 * submitted, `ocr_processing` ones followed again (or their job found by task_id when the
 * process died before recording it), `ocr_done`/`excel_generated` ones finished. While shutting
 * down nothing is failed: a fetch cut short by the closing server leaves the task for the next start.
 */
import { OcrflowApiError, OcrflowNetworkError, isTerminalStatus, isTransient, backoffMs, type Job, type WebhookPayload } from '@ocrflow/client';
import { OcrflowError } from '@ocrflow/core';
import type { TaskRecord } from '../ports/task-store.port.ts';
import type { OcrLink } from './ocr.link.ts';
import { IN_FLIGHT, invalidState } from './task.state.ts';
import type { TasksService } from './tasks.service.ts';
import { taskKeys, type WorkbenchContext } from './workbench.context.ts';
import type { WorkbooksService } from './workbooks.service.ts';

export type WebhookOutcome = 'completed' | 'failed' | 'ignored';

/** A plain sentence for people (the task's error_message). */
export function describeOcrError(e: unknown): string {
  if (e instanceof OcrflowNetworkError) return `The OCR service is not reachable (${e.message.replace(/^Cannot reach the ocrflow service at /, '')})`;
  if (e instanceof OcrflowApiError) return e.status === 503 ? `The OCR service is not available: ${e.message}` : e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export class TaskOcrService {
  private readonly waiters = new Map<string, AbortController>();
  private readonly inflight = new Set<Promise<unknown>>();
  /** Tasks whose results this process is fetching or whose workbook it is generating. */
  private readonly finishing = new Set<string>();
  private readonly stopper = new AbortController();
  private sweeper: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly ctx: WorkbenchContext,
    private readonly tasks: TasksService,
    private readonly workbooks: WorkbooksService,
    private readonly link: OcrLink,
  ) {}

  get stopping(): boolean {
    return this.stopper.signal.aborted;
  }

  /**
   * `POST /ocr/start/{id}` and the upload: `created|uploaded → ocr_processing`, then submit.
   * `orCurrent`: when someone else started it first, answer with the task as it is now instead of
   * 409 — the upload wants "OCR is running", not "I was the one who started it". (Right after a
   * start, `reconcile` may pick up an upload whose request is still on its way to this call.)
   */
  async start(id: string, opts: { orCurrent?: boolean } = {}): Promise<TaskRecord> {
    const task = await this.tasks.require(id);
    if (task.status !== 'created' && task.status !== 'uploaded') {
      if (opts.orCurrent) return task;
      throw invalidState(task.status, 'OCR can only be started for a task that is created or uploaded');
    }
    if (!(await this.ctx.blobs.exists(task.sourceKey))) throw invalidState(task.status, 'no file has been uploaded for it');
    const moved = await this.tasks.move(id, { from: ['created', 'uploaded'], to: 'ocr_processing', patch: { errorMessage: null } });
    if (!moved) {
      const now = await this.tasks.require(id);
      if (opts.orCurrent) return now;
      throw invalidState(now.status, 'OCR was started meanwhile');
    }
    return this.submit(moved, false);
  }

  /** `POST /ocr/retry/{id}`: OCR again after `ocr_failed`, the workbook again after `excel_failed`. */
  async retry(id: string): Promise<TaskRecord> {
    const task = await this.tasks.require(id);
    if (task.status === 'ocr_failed') {
      const moved = await this.tasks.move(id, { from: ['ocr_failed'], to: 'ocr_processing', patch: { errorMessage: null } });
      if (!moved) throw invalidState((await this.tasks.require(id)).status, 'it was retried meanwhile');
      return this.submit(moved, true);
    }
    if (task.status === 'excel_failed') {
      const moved = await this.tasks.move(id, { from: ['excel_failed'], to: 'ocr_done', patch: { errorMessage: null } });
      if (!moved) throw invalidState((await this.tasks.require(id)).status, 'it was retried meanwhile');
      this.background(() => this.finish(moved));
      return moved;
    }
    throw invalidState(task.status, 'only a task in ocr_failed or excel_failed can be retried');
  }

  /** Cancel the task's OCR job if it still runs and stop following it (task deletion). */
  async cancel(task: TaskRecord): Promise<void> {
    this.waiters.get(task.id)?.abort();
    if (!task.ocrJobId || task.status !== 'ocr_processing') return;
    try {
      await this.link.client().cancel(task.ocrJobId, { signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      // Already ended (409), gone (404) or unreachable: the task goes anyway; the job cannot hurt it.
      this.ctx.log.info({ task: task.id, job: task.ocrJobId, err: e }, 'canceling the OCR job of a deleted task did not succeed');
    }
  }

  /** Find the task's job (a previous attempt, or a submission whose answer was lost) or submit it; then follow it. */
  private async submit(task: TaskRecord, retrying: boolean): Promise<TaskRecord> {
    try {
      const client = this.link.client();
      let job: Job | undefined = (await client.list({ taskId: task.id, limit: 1 })).jobs[0];
      if (job && retrying && (job.status === 'failed' || job.status === 'canceled')) job = await client.retry(job.id);
      if (!job) {
        const webhookUrl = this.link.webhookUrl();
        job = await client.submit(await this.ctx.blobs.get(task.sourceKey), { filename: task.filename, taskId: task.id, ...(webhookUrl ? { webhookUrl } : {}) });
      }
      const withJob = (await this.tasks.patch(task.id, ['ocr_processing'], { ocrJobId: job.id })) ?? (await this.tasks.require(task.id));
      if (isTerminalStatus(job.status)) {
        const ended = job;
        this.background(() => this.onJobEnded(task.id, ended));
      } else this.follow(task.id, job.id);
      return withJob;
    } catch (e) {
      if (this.stopping) throw e;
      this.ctx.log.warn({ task: task.id, err: e }, 'submitting the task to the OCR service failed');
      const failed = await this.tasks.move(task.id, { from: ['ocr_processing'], to: 'ocr_failed', patch: { errorMessage: describeOcrError(e) } });
      return failed ?? this.tasks.require(task.id);
    }
  }

  /** The long-poll fallback: wait for the job to end (across OCR service restarts), then finish the task. */
  follow(taskId: string, jobId: string): void {
    if (this.stopping || this.waiters.has(taskId)) return;
    const ac = new AbortController();
    this.waiters.set(taskId, ac);
    const signal = AbortSignal.any([ac.signal, this.stopper.signal]);
    this.background(async () => {
      try {
        const job = await this.link.client().waitFor(jobId, { signal, maxBackoffMs: 5000 });
        if (!signal.aborted) await this.onJobEnded(taskId, job);
      } catch (e) {
        if (signal.aborted) return;
        // Not transient (waitFor retries those): the job is gone (404) or the token is refused (401).
        this.ctx.log.warn({ task: taskId, job: jobId, err: e }, 'following the OCR job failed');
        await this.tasks.move(taskId, { from: ['ocr_processing'], to: 'ocr_failed', jobId, patch: { errorMessage: describeOcrError(e) } });
      } finally {
        if (this.waiters.get(taskId) === ac) this.waiters.delete(taskId);
      }
    });
  }

  /**
   * The signed webhook (already verified by the route). The job is read back through the client:
   * the webhook only says "look now", so a late `failed` delivery of a job that has been retried
   * since cannot fail the task again.
   */
  async onWebhook(p: WebhookPayload): Promise<{ outcome: WebhookOutcome; reason: string }> {
    const taskId = p.task_id;
    if (!taskId || !/^tsk_/.test(taskId)) return { outcome: 'ignored', reason: 'not a workbench task' };
    const task = await this.tasks.get(taskId);
    if (!task) return { outcome: 'ignored', reason: 'no such task (deleted?)' };
    if (task.ocrJobId && task.ocrJobId !== p.job_id) return { outcome: 'ignored', reason: 'the task follows another OCR job' };
    if (task.status !== 'ocr_processing') return { outcome: 'ignored', reason: `the task is already ${task.status}` };
    if (!['job.finished', 'job.failed', 'job.canceled'].includes(p.type)) return { outcome: 'ignored', reason: `${p.type} does not end the job` };
    const job = await this.link.client().get(p.job_id);
    if (!isTerminalStatus(job.status)) return { outcome: 'ignored', reason: `the job is ${job.status} now` };
    return this.onJobEnded(taskId, job);
  }

  /** Both paths end here; the conditional `ocr_processing → ocr_done|ocr_failed` picks the winner. */
  async onJobEnded(taskId: string, job: Job): Promise<{ outcome: WebhookOutcome; reason: string }> {
    if (job.status === 'finished') {
      const claimed = await this.tasks.move(taskId, {
        from: ['ocr_processing'],
        to: 'ocr_done',
        jobId: job.id,
        patch: { ocrJobId: job.id, pageCount: job.page_count, errorMessage: null },
      });
      if (!claimed) return { outcome: 'ignored', reason: 'the task was already moved on' };
      this.background(() => this.finish(claimed));
      return { outcome: 'completed', reason: 'OCR finished' };
    }
    if (job.status === 'failed' || job.status === 'canceled') {
      const message = job.status === 'canceled' ? 'The OCR job was canceled' : `OCR failed: ${job.error?.message ?? 'unknown error'}`;
      const failed = await this.tasks.move(taskId, { from: ['ocr_processing'], to: 'ocr_failed', jobId: job.id, patch: { errorMessage: message } });
      return failed ? { outcome: 'failed', reason: message } : { outcome: 'ignored', reason: 'the task was already moved on' };
    }
    // Retried between its end and our read: keep following it.
    this.follow(taskId, job.id);
    return { outcome: 'ignored', reason: `the job is ${job.status} now` };
  }

  /** From `ocr_done`: fetch and store the OCR JSON and analysis, then generate workbook version 1. */
  private async finish(task: TaskRecord): Promise<void> {
    if (this.finishing.has(task.id)) return;
    this.finishing.add(task.id);
    try {
      await this.finishOnce(task);
    } finally {
      this.finishing.delete(task.id);
    }
  }

  private async finishOnce(task: TaskRecord): Promise<void> {
    try {
      await this.fetchResults(task);
    } catch (e) {
      if (this.stopping) return; // left in ocr_done: the next start finishes it
      this.ctx.log.warn({ task: task.id, err: e }, 'reading the OCR result failed');
      await this.tasks.move(task.id, { from: ['ocr_done'], to: 'ocr_failed', patch: { errorMessage: `The OCR result could not be read: ${describeOcrError(e)}` } });
      return;
    }
    if (!(await this.tasks.get(task.id))) {
      await this.ctx.blobs.delete(taskKeys.prefix(task.id)); // deleted while we fetched
      return;
    }
    await this.workbooks.generateFirst(task);
  }

  private async fetchResults(task: TaskRecord): Promise<void> {
    const jobId = task.ocrJobId;
    if (!jobId) throw new OcrflowError('OCRFLOW_ERR_INTERNAL', 'the task has no OCR job');
    const client = this.link.client();
    const { blobs } = this.ctx;
    const docKey = taskKeys.document(task.id);
    // Written once: a retry after a failure later on never replaces the OCR JSON.
    if (!(await blobs.exists(docKey))) {
      const doc = await this.transient(() => client.result(jobId, 'json', { signal: this.stopper.signal }));
      await blobs.put(docKey, JSON.stringify(doc));
    }
    const analysisKey = taskKeys.analysis(task.id);
    if (!(await blobs.exists(analysisKey))) {
      try {
        const a = await this.transient(() => client.analysis(jobId, { signal: this.stopper.signal }));
        await blobs.put(analysisKey, JSON.stringify(a));
      } catch (e) {
        if (this.stopping) throw e;
        // Analysis off (OCRFLOW_ANALYSIS=0) or its step failed: the workbook does not need it.
        this.ctx.log.info({ task: task.id, err: e }, 'no analysis for this task');
      }
    }
  }

  /** A few tries on transient failures (the OCR service restarting, a dropped connection). */
  private async transient<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (attempt >= 4 || this.stopping || !isTransient(e)) throw e;
        await sleep(backoffMs(attempt, 4000), this.stopper.signal);
      }
    }
  }

  /** After (re)start: pick up every task that was in flight. Runs once the OCR service answers. */
  async reconcile(ready: () => boolean): Promise<number> {
    while (!ready() && !this.stopping) await sleep(50, this.stopper.signal);
    if (this.stopping) return 0;
    const tasks = await this.ctx.store.listByStatus(IN_FLIGHT, 100_000);
    for (const t of tasks) {
      if (this.stopping) break;
      try {
        if (t.status === 'uploaded') await this.start(t.id, { orCurrent: true });
        else if (t.status === 'ocr_processing') {
          if (t.ocrJobId) this.follow(t.id, t.ocrJobId);
          else await this.submit(t, false);
        } else if (t.status === 'ocr_done') this.background(() => this.finish(t));
        else if (t.status === 'excel_generated') this.background(() => this.workbooks.makeEditable(t));
      } catch (e) {
        this.ctx.log.warn({ task: t.id, err: e }, 'reconciling a task failed');
      }
    }
    if (tasks.length) this.ctx.log.info({ tasks: tasks.length }, 'workbench tasks in flight picked up after start');
    return tasks.length;
  }

  /**
   * Work nobody in this process is doing: a task `ocr_processing` without a follower here, or
   * `ocr_done`/`excel_generated` not being finished here, unchanged for `staleMs`. In the embedded
   * shape every such task has its follower, so this finds nothing; with several processes
   * (issue 8) it picks up what a process that died was following. The conditional transitions
   * make a task picked up twice harmless.
   */
  async sweep(staleMs: number): Promise<number> {
    if (this.stopping) return 0;
    const now = this.ctx.now();
    let n = 0;
    for (const t of await this.ctx.store.listByStatus(['ocr_processing', 'ocr_done', 'excel_generated'], 10_000)) {
      if (now - t.updatedAt < staleMs) continue;
      if (t.status === 'ocr_processing') {
        if (!t.ocrJobId || this.waiters.has(t.id)) continue;
        this.follow(t.id, t.ocrJobId);
      } else {
        if (this.finishing.has(t.id)) continue;
        if (t.status === 'ocr_done') this.background(() => this.finish(t));
        else this.background(() => this.workbooks.makeEditable(t));
      }
      n++;
    }
    if (n) this.ctx.log.info({ tasks: n }, 'workbench tasks without a worker in this process picked up');
    return n;
  }

  /** Sweep every `intervalMs` (the timer does not keep the process alive). */
  startSweeping(intervalMs: number, staleMs: number): void {
    if (this.sweeper || this.stopping) return;
    this.sweeper = setInterval(() => void this.sweep(staleMs).catch((e) => this.ctx.log.warn({ err: e }, 'workbench sweep failed')), intervalMs);
    this.sweeper.unref();
  }

  /** Tests and shutdown: resolves when no background work is left. */
  async settled(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** Waiters currently following a job (tests). */
  get following(): number {
    return this.waiters.size;
  }

  /** Stop following jobs; let work in flight end (bounded), failing nothing because of the shutdown. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.stopper.abort();
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    for (const w of this.waiters.values()) w.abort();
    await Promise.race([this.settled(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
  }

  private background(fn: () => Promise<unknown>): void {
    const p: Promise<unknown> = fn()
      .catch((e) => this.ctx.log.error({ err: e }, 'workbench background work failed'))
      .finally(() => this.inflight.delete(p));
    this.inflight.add(p);
  }
}
