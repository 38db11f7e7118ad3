/**
 * The bridge between a task and its OCR job. The task is submitted through `@ocrflow/client` with
 * `task_id` = the task id and `webhook_url` = this app's receiver; it learns that OCR ended from
 * whichever comes first of
 *   - the signed webhook (`onWebhook`), and
 *   - the long-poll fallback (`follow`: the client's `waitFor`, which rides out restarts),
 *   - `poll` (`POST /ocr/poll/{id}`: a client asking, which reads the job once),
 * and all end in `onJobEnded`. It first fetches the OCR JSON and the analysis through the client and
 * stores them (the JSON is written once and never changed), then makes the conditional
 * `ocr_processing → ocr_done`: so `ocr_done` always means "the tables can be read", and the loser
 * of a race writes no row — no second transition. Workbook version 1 is not made here: it is
 * generated when first asked for (WorkbooksService).
 *
 * After a restart `reconcile` picks up every task that was in flight: `uploaded` ones are
 * submitted, `ocr_processing` ones followed again (or their job found by task_id when the
 * process died before recording it), and `ocr_done` ones an older process left without their OCR
 * JSON get it. While shutting down nothing is failed: a fetch cut short by the closing server
 * leaves the task `ocr_processing` for the next start.
 */
import { isTerminalStatus, type Job, type WebhookPayload } from '@ocrflow/client';
import { OcrflowError } from '@ocrflow/core';
import type { TaskRecord } from '../ports/task-store.port.ts';
import type { OcrLink } from './ocr.link.ts';
import { abortableSleep as sleep, fetchOcrResults } from './task-ocr.results.ts';
import { describeOcrError, stepMessage } from './task-ocr.text.ts';
import { IN_FLIGHT, invalidState } from './task.state.ts';
import type { TasksService } from './tasks.service.ts';
import { taskKeys, type WorkbenchContext } from './workbench.context.ts';
import type { WorkbooksService } from './workbooks.service.ts';

export type WebhookOutcome = 'completed' | 'failed' | 'ignored';

/** What `POST /ocr/start` and `POST /ocr/poll` answer besides the task: a sentence for people. */
export interface OcrStep {
  task: TaskRecord;
  message: string;
}

export class TaskOcrService {
  private readonly waiters = new Map<string, AbortController>();
  private readonly inflight = new Set<Promise<unknown>>();
  /** Tasks whose OCR results this process is fetching. */
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
      // Another start (the reconcile after boot, a second click) may have moved it a moment ago.
      if (opts.orCurrent) return this.afterSubmitOf(task);
      throw invalidState(task.status, 'OCR can only be started for a task that is created or uploaded');
    }
    if (!(await this.ctx.blobs.exists(task.sourceKey))) throw invalidState(task.status, 'no file has been uploaded for it');
    const moved = await this.tasks.move(id, { from: ['created', 'uploaded'], to: 'ocr_processing', patch: { errorMessage: null } });
    if (!moved) {
      const now = await this.tasks.require(id);
      if (opts.orCurrent) return this.afterSubmitOf(now);
      throw invalidState(now.status, 'OCR was started meanwhile');
    }
    return this.submit(moved, false);
  }

  /**
   * The task as the start that won the race leaves it: it moved the task first and submits the job
   * next, so for a moment the task is `ocr_processing` without its job. Wait briefly for the job id
   * so the loser answers with the same job as the winner (the upload's answer names its job).
   */
  private async afterSubmitOf(task: TaskRecord): Promise<TaskRecord> {
    let now = task;
    // Bounded: a submission that takes longer (a slow OCR service) answers with the task as it is.
    const deadline = Date.now() + 10_000;
    while (now.status === 'ocr_processing' && !now.ocrJobId && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      now = await this.tasks.require(task.id);
    }
    return now;
  }

  /** `POST /ocr/retry/{id}`: OCR again after `ocr_failed`, the workbook again after `excel_failed`. */
  async retry(id: string): Promise<TaskRecord> {
    const task = await this.tasks.require(id);
    if (task.status === 'ocr_failed') return this.retryOcr(id);
    if (task.status === 'excel_failed') {
      const moved = await this.tasks.move(id, { from: ['excel_failed'], to: 'ocr_done', patch: { errorMessage: null } });
      if (!moved) throw invalidState((await this.tasks.require(id)).status, 'it was retried meanwhile');
      this.background(() => this.workbooks.generateFirst(moved));
      return moved;
    }
    throw invalidState(task.status, 'only a task in ocr_failed or excel_failed can be retried');
  }

  private async retryOcr(id: string): Promise<TaskRecord> {
    const moved = await this.tasks.move(id, { from: ['ocr_failed'], to: 'ocr_processing', patch: { errorMessage: null } });
    if (!moved) throw invalidState((await this.tasks.require(id)).status, 'it was retried meanwhile');
    return this.submit(moved, true);
  }

  /**
   * `POST /ocr/start/{id}`, idempotent: the upload already started OCR, so a start of a running
   * task answers with its job; `created`/`uploaded` start it, `ocr_failed` starts it again, and a
   * task past OCR answers as it is. Never a 409 for a task that exists.
   */
  async ensureStarted(id: string): Promise<OcrStep> {
    let task = await this.tasks.require(id);
    if (task.status === 'created' || task.status === 'uploaded') task = await this.start(id, { orCurrent: true });
    else if (task.status === 'ocr_failed') {
      try {
        task = await this.retryOcr(id);
      } catch (e) {
        if (!(e instanceof OcrflowError && e.code === 'OCRFLOW_ERR_INVALID_STATE')) throw e;
        task = await this.tasks.require(id); // started again by someone else meanwhile
      }
    }
    return { task, message: stepMessage(task) };
  }

  /**
   * `POST /ocr/poll/{id}`: the task after checking its OCR job once. The webhook or the long-poll
   * fallback normally finish the task by themselves; a client asking moves it on too when the job
   * has ended (the same `onJobEnded`, so still one transition). Never fails because the OCR service
   * cannot be asked: the answer is the task as it is, with a message saying so.
   */
  async poll(id: string): Promise<OcrStep> {
    const task = await this.tasks.require(id);
    if (task.status !== 'ocr_processing' || !task.ocrJobId) return { task, message: stepMessage(task) };
    try {
      const job = await this.link.client().get(task.ocrJobId, { signal: AbortSignal.timeout(10_000) });
      if (isTerminalStatus(job.status)) await this.onJobEnded(id, job);
      else this.follow(id, job.id);
    } catch (e) {
      this.ctx.log.info({ task: id, err: e }, 'polling the OCR job failed');
      const now = await this.tasks.require(id);
      return { task: now, message: `${stepMessage(now)} (the OCR job could not be checked just now: ${describeOcrError(e)})` };
    }
    const now = await this.tasks.require(id);
    return { task: now, message: stepMessage(now) };
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
        job = await client.submit(await this.ctx.blobs.get(task.sourceKey), {
          filename: task.filename,
          taskId: task.id,
          ...(webhookUrl ? { webhookUrl } : {}),
        });
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

  /**
   * Every path ends here. A finished job: its results are stored first, then the conditional
   * `ocr_processing → ocr_done` picks the winner. Failed or canceled: `ocr_processing → ocr_failed`.
   */
  async onJobEnded(taskId: string, job: Job): Promise<{ outcome: WebhookOutcome; reason: string }> {
    if (job.status === 'finished') {
      if (this.finishing.has(taskId)) return { outcome: 'ignored', reason: 'the task is being finished' };
      this.finishing.add(taskId);
      try {
        return await this.finish(taskId, job);
      } finally {
        this.finishing.delete(taskId);
      }
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

  /** A finished job: store its results, then `ocr_processing → ocr_done` (or `ocr_failed` when they cannot be read). */
  private async finish(taskId: string, job: Job): Promise<{ outcome: WebhookOutcome; reason: string }> {
    const task = await this.tasks.get(taskId);
    if (!task) return { outcome: 'ignored', reason: 'no such task (deleted?)' };
    if (task.status !== 'ocr_processing') return { outcome: 'ignored', reason: 'the task was already moved on' };
    if (task.ocrJobId && task.ocrJobId !== job.id) return { outcome: 'ignored', reason: 'the task follows another OCR job' };
    let counts: { tableCount: number; cellsToCheck: number };
    try {
      counts = await fetchOcrResults({ ctx: this.ctx, link: this.link, signal: this.stopper.signal }, task.id, job.id);
    } catch (e) {
      if (this.stopping) return { outcome: 'ignored', reason: 'shutting down' }; // left ocr_processing: the next start follows the job again
      this.ctx.log.warn({ task: task.id, err: e }, 'reading the OCR result failed');
      const message = `The OCR result could not be read: ${describeOcrError(e)}`;
      const failed = await this.tasks.move(task.id, { from: ['ocr_processing'], to: 'ocr_failed', jobId: job.id, patch: { errorMessage: message } });
      return failed ? { outcome: 'failed', reason: message } : { outcome: 'ignored', reason: 'the task was already moved on' };
    }
    const done = await this.tasks.move(task.id, {
      from: ['ocr_processing'],
      to: 'ocr_done',
      jobId: job.id,
      patch: { ocrJobId: job.id, pageCount: job.page_count, ...counts, errorMessage: null },
    });
    if (done) return { outcome: 'completed', reason: 'OCR finished' };
    if (!(await this.tasks.get(task.id))) await this.ctx.blobs.delete(taskKeys.prefix(task.id)); // deleted while we fetched
    return { outcome: 'ignored', reason: 'the task was already moved on' };
  }

  /** An `ocr_done` task an older process left without its OCR JSON: fetch it now, or `ocr_failed`. */
  private async repairDocument(task: TaskRecord): Promise<void> {
    if (this.finishing.has(task.id) || (await this.ctx.blobs.exists(taskKeys.document(task.id)))) return;
    this.finishing.add(task.id);
    try {
      if (!task.ocrJobId) throw new OcrflowError('OCRFLOW_ERR_INTERNAL', 'the task has no OCR job');
      await this.tasks.patch(
        task.id,
        ['ocr_done'],
        await fetchOcrResults({ ctx: this.ctx, link: this.link, signal: this.stopper.signal }, task.id, task.ocrJobId),
      );
    } catch (e) {
      if (this.stopping) return;
      this.ctx.log.warn({ task: task.id, err: e }, 'reading the OCR result failed');
      await this.tasks.move(task.id, {
        from: ['ocr_done'],
        to: 'ocr_failed',
        patch: { errorMessage: `The OCR result could not be read: ${describeOcrError(e)}` },
      });
    } finally {
      this.finishing.delete(task.id);
    }
  }

  /** After (re)start: pick up every task that was in flight. Runs once the OCR service answers. */
  async reconcile(ready: () => boolean): Promise<number> {
    while (!ready() && !this.stopping) await sleep(50, this.stopper.signal);
    if (this.stopping) return 0;
    const tasks = await this.ctx.store.listByStatus(IN_FLIGHT, 100_000);
    let n = 0;
    for (const t of tasks) {
      if (this.stopping) break;
      try {
        if (t.status === 'uploaded') await this.start(t.id, { orCurrent: true });
        else if (t.status === 'ocr_processing') {
          if (t.ocrJobId) this.follow(t.id, t.ocrJobId);
          else await this.submit(t, false);
        } else if (!(await this.ctx.blobs.exists(taskKeys.document(t.id)))) this.background(() => this.repairDocument(t));
        else continue; // ocr_done with its OCR JSON: at rest
        n++;
      } catch (e) {
        this.ctx.log.warn({ task: t.id, err: e }, 'reconciling a task failed');
      }
    }
    if (n) this.ctx.log.info({ tasks: n }, 'workbench tasks in flight picked up after start');
    return n;
  }

  /**
   * Work nobody in this process is doing: a task `ocr_processing` without a follower here,
   * unchanged for `staleMs`. In the embedded
   * shape every such task has its follower, so this finds nothing; with several processes
   * it picks up what a process that died was following. The conditional transitions
   * make a task picked up twice harmless.
   */
  async sweep(staleMs: number): Promise<number> {
    if (this.stopping) return 0;
    const now = this.ctx.now();
    let n = 0;
    for (const t of await this.ctx.store.listByStatus(['ocr_processing'], 10_000)) {
      if (now - t.updatedAt < staleMs || !t.ocrJobId || this.waiters.has(t.id) || this.finishing.has(t.id)) continue;
      this.follow(t.id, t.ocrJobId);
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
