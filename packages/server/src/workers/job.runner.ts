/**
 * The job runner: OCRFLOW_WORKERS slots, each taking the next queued job, claiming it in the store
 * with a lease, and running it page by page on its worker thread. Leases are renewed by heartbeats;
 * jobs whose lease expired (their worker died) are reclaimed; at start-up of the single-process
 * shape every job left `running` by a crash is re-queued and resumes after its last stored page.
 *
 * A job ends in exactly one of: finished; failed (the document's error, or the thread crashed
 * more than OCRFLOW_JOB_MAX_ATTEMPTS times); canceled (by the API); queued again (shutdown
 * hand-back, crashed thread with attempts left, lease lost to the reaper).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { cellsToCheck, isOcrflowError, serializeError, type Page } from '@ocrflow/core';
import type { SettleOutcome } from '../ports/job-queue.port.ts';
import type { JobMetrics, JobRecord, Transition } from '../ports/job.types.ts';
import type { ResultsService } from '../services/results.service.ts';
import type { ServiceContext } from '../services/service.context.ts';
import type { PostJobStep } from './post-job.steps.ts';
import type { PageVerdict } from './engine.thread.ts';
import type { WorkerPool } from './worker.pool.ts';

/** Optional observers (Prometheus metrics). */
export interface RunnerObserver {
  pageDone?(engine: string, ms: number): void;
  jobEnded?(status: string, ms: number, tenant: string): void;
}

type AbortReason = 'canceled' | 'lease_lost' | 'shutdown';
const STOP_GRACE_MS = 5000;
const round = (ms: number) => Math.round(ms * 10) / 10;

export class JobRunner {
  readonly owner = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly stopping = new AbortController();
  private readonly active = new Map<string, AbortController>();
  private readonly steps: PostJobStep[] = [];
  private loops: Promise<void>[] = [];
  private reaper: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly results: ResultsService,
    private readonly pool: WorkerPool,
    private readonly observer: RunnerObserver = {},
  ) {}

  addPostJobStep(step: PostJobStep): void {
    this.steps.push(step);
  }

  get activeJobs(): number {
    return this.active.size;
  }

  async start(): Promise<void> {
    await this.pool.start();
    // The API (maybe in another process) cancels through the store and announces it on the bus.
    this.unsubscribe = this.ctx.bus.subscribe('*', (e) => {
      if (e.type === 'canceled') this.active.get(e.jobId)?.abort('canceled' satisfies AbortReason);
    });
    const every = Math.max(200, Math.floor(this.ctx.config.leaseMs / 2));
    this.reaper = setInterval(() => void this.reclaim(false).catch((e) => this.ctx.log.error({ err: e }, 'lease reaper failed')), every);
    this.reaper.unref();
    this.loops = Array.from({ length: this.pool.size }, (_, slot) => this.loop(slot));
  }

  /** Re-queue (or fail, past the attempt limit) running jobs whose lease expired — or all of them at start-up. */
  async reclaim(all: boolean): Promise<Transition[]> {
    const ts = await this.ctx.store.reclaimJobs({ all, maxAttempts: this.ctx.config.jobMaxAttempts }, this.ctx.now());
    for (const t of ts) {
      this.ctx.log.warn({ job: t.job.id, status: t.job.status, reason: t.event.data.reason }, 'reclaimed a job left running');
      await this.ctx.bus.publish(t.event);
      if (t.job.status === 'queued') await this.ctx.queue.enqueue(t.job.id);
    }
    return ts;
  }

  /** Stop taking jobs, hand running ones back to the queue, stop the threads. */
  async stop(): Promise<void> {
    this.stopping.abort();
    for (const ac of this.active.values()) ac.abort('shutdown' satisfies AbortReason);
    clearInterval(this.reaper);
    this.unsubscribe?.();
    await Promise.all(this.loops);
    await this.pool.close();
  }

  private async loop(slot: number): Promise<void> {
    const signal = this.stopping.signal;
    while (!signal.aborted) {
      try {
        const id = await this.ctx.queue.next(signal);
        if (!id) break;
        let outcome: SettleOutcome = 'done';
        try {
          const now = this.ctx.now();
          const claim = await this.ctx.store.claimJob(id, this.owner, now + this.ctx.config.leaseMs, now);
          if (!claim) continue; // canceled (or taken) while it waited
          await this.ctx.bus.publish(claim.event);
          outcome = await this.runJob(slot, claim.job);
        } finally {
          await this.settle(id, outcome);
        }
      } catch (e) {
        // Nothing may end a slot's loop but shutdown; back off briefly on unexpected errors.
        this.ctx.log.error({ err: e, slot }, 'job runner slot error');
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /**
   * End the queue's turn with the job (BullMQ completes or retries its job and releases
   * the lock). If the store queued the job again meanwhile (shutdown hand-back, lease reclaimed by
   * another process), the queue's entry just went away, so put it back: the store is the truth.
   */
  private async settle(id: string, outcome: SettleOutcome): Promise<void> {
    const { queue, store, log } = this.ctx;
    if (!queue.settle) return;
    try {
      await queue.settle(id, outcome);
      if (outcome === 'done' && (await store.getJob(id))?.status === 'queued') await queue.enqueue(id);
    } catch (e) {
      log.warn({ err: e, job: id }, 'settling a job with the queue failed; the queue sync will repair it');
    }
  }

  private async runJob(slot: number, job: JobRecord): Promise<SettleOutcome> {
    const { store, blobs, config, log } = this.ctx;
    const ac = new AbortController();
    this.active.set(job.id, ac);
    const started = performance.now();
    const metrics: JobMetrics = { ...job.metrics, queue_wait_ms: Math.max(0, (job.startedAt ?? job.queuedAt) - job.queuedAt) };
    const heartbeat = setInterval(
      () => {
        const now = this.ctx.now();
        store
          .renewLease(job.id, this.owner, now + config.leaseMs, now)
          .then((ok) => !ok && ac.abort('lease_lost' satisfies AbortReason))
          .catch((e) => log.warn({ err: e, job: job.id }, 'lease renewal failed'));
      },
      Math.max(100, Math.floor(config.leaseMs / 3)),
    );
    try {
      const data = await blobs.get(job.sourceKey);
      let pageCount = job.pageCount;
      for (;;) {
        const done = await store.listPageIndexes(job.id);
        if (ac.signal.aborted || done.length >= pageCount) break;
        const thread = await this.pool.acquire(slot);
        const budget = Math.max(1, config.workerRecyclePages - thread.pages);
        const outcome = await thread.runDocument(
          data,
          {
            engine: job.engine,
            mode: job.mode,
            languages: job.languages,
            prompt: job.prompt ?? undefined,
            straighten: typeof job.options.straighten === 'boolean' ? job.options.straighten : undefined,
            maxPixels: config.maxPixels,
            maxPages: config.maxPages,
          },
          done,
          budget,
          {
            onOpened: async (n, ms) => {
              metrics.open_ms = round((metrics.open_ms ?? 0) + ms);
              if (n !== pageCount && (await store.setPageCount(job.id, this.owner, n, this.ctx.now()))) pageCount = n;
            },
            onPage: (index, page, ms, rss) => this.savePage(job, index, page, ms, rss, metrics, ac),
          },
          ac.signal,
          STOP_GRACE_MS,
        );
        if (outcome !== 'paused') break;
        metrics.recycles = (metrics.recycles ?? 0) + 1;
        await this.pool.recycle(slot, thread.pages >= config.workerRecyclePages ? 'pages' : 'rss');
      }
      if (ac.signal.aborted) return await this.afterAbort(job, ac.signal.reason as AbortReason, metrics);
      await this.complete(job, metrics, started, ac.signal);
      return 'done';
    } catch (e) {
      if (ac.signal.aborted) return await this.afterAbort(job, ac.signal.reason as AbortReason, metrics);
      return await this.afterError(job, e, metrics, started);
    } finally {
      clearInterval(heartbeat);
      this.active.delete(job.id);
    }
  }

  private async savePage(job: JobRecord, index: number, page: Page, ms: number, rss: number, metrics: JobMetrics, ac: AbortController): Promise<PageVerdict> {
    metrics.pages_ms = round((metrics.pages_ms ?? 0) + ms);
    const stages = (metrics.stages_ms ??= {});
    for (const [k, v] of Object.entries(page.timings_ms ?? {})) stages[k] = round((stages[k] ?? 0) + v);
    const t = await this.ctx.store.savePage(job.id, this.owner, { index, json: JSON.stringify(page) }, metrics, this.ctx.now());
    if (!t) {
      // Canceled or reclaimed meanwhile: the store refused the write; stop working on it.
      if (!ac.signal.aborted) ac.abort('lease_lost' satisfies AbortReason);
      return 'stop';
    }
    await this.ctx.bus.publish(t.event);
    this.observer.pageDone?.(job.engine, ms);
    return rss > this.ctx.config.workerMaxRssMb * 1024 * 1024 ? 'pause' : 'continue';
  }

  private async complete(job: JobRecord, metrics: JobMetrics, started: number, signal: AbortSignal): Promise<void> {
    const { store, bus, log } = this.ctx;
    const fresh = (await store.getJob(job.id)) ?? job;
    let t0 = performance.now();
    const document = await this.results.assemble(fresh);
    metrics.assemble_ms = round(performance.now() - t0);
    metrics.cells_to_check = cellsToCheck(document, this.ctx.config.reviewThreshold);
    t0 = performance.now();
    const resultKey = await this.results.write(fresh, document);
    metrics.write_results_ms = round(performance.now() - t0);
    for (const step of this.steps) {
      const ts = performance.now();
      try {
        await step.run({ job: fresh, document, resultKey, ctx: this.ctx, signal });
      } catch (e) {
        if (step.critical) throw e;
        log.warn({ err: e, job: job.id, step: step.name }, 'post-job step failed; the job finishes without it');
        (metrics as Record<string, unknown>).steps_failed = [...(((metrics as Record<string, unknown>).steps_failed as string[]) ?? []), step.name];
      } finally {
        (metrics.steps_ms ??= {})[step.name] = round(performance.now() - ts);
      }
    }
    const now = this.ctx.now();
    metrics.run_ms = round(performance.now() - started);
    metrics.total_ms = now - fresh.createdAt;
    const t = await store.finishJob(job.id, this.owner, { resultKey, metrics }, now);
    if (!t) {
      // Canceled during the last moments: the result files of a canceled job are not served.
      await this.ctx.blobs
        .delete(resultKey)
        .catch((err) => this.ctx.log.warn({ err, job: job.id }, 'removing the results of a job canceled at the end failed'));
      return;
    }
    await bus.publish(t.event);
    this.ctx.stats.record(metrics.run_ms);
    this.observer.jobEnded?.('finished', metrics.run_ms, t.job.tenant);
  }

  private async afterAbort(job: JobRecord, reason: AbortReason, metrics: JobMetrics): Promise<SettleOutcome> {
    if (reason !== 'shutdown') return 'done'; // canceled / reclaimed: the store already says what happened
    const t = await this.ctx.store.requeueJob(job.id, this.owner, 'shutdown', { refundAttempt: true, metrics }, this.ctx.now());
    if (t) await this.ctx.bus.publish(t.event);
    return 'done';
  }

  /** 'retry' when the job was queued again after its thread crashed (the queue applies its back-off). */
  private async afterError(job: JobRecord, e: unknown, metrics: JobMetrics, started: number): Promise<SettleOutcome> {
    const { store, bus, log, config } = this.ctx;
    const crashed = isOcrflowError(e) && e.code === 'OCRFLOW_ERR_WORKER_CRASHED';
    const now = this.ctx.now();
    if (crashed && job.attempts < config.jobMaxAttempts) {
      log.warn({ job: job.id, attempts: job.attempts }, 'OCR worker thread crashed; job re-queued');
      const t = await store.requeueJob(job.id, this.owner, 'worker_crashed', { refundAttempt: false, metrics }, now);
      if (t) {
        await bus.publish(t.event);
        await this.ctx.queue.enqueue(job.id);
        return 'retry';
      }
      return 'done';
    }
    if (!isOcrflowError(e)) log.error({ err: e, job: job.id }, 'job failed with an unexpected error');
    metrics.run_ms = round(performance.now() - started);
    metrics.total_ms = now - job.createdAt;
    const t = await store.failJob(job.id, this.owner, serializeError(e), metrics, now);
    if (t) {
      await bus.publish(t.event);
      this.observer.jobEnded?.('failed', metrics.run_ms, t.job.tenant);
    }
    return 'done';
  }
}
