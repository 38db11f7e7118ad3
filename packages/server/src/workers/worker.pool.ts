/**
 * A fixed number of slots, each with its own OCR thread (so each thread keeps its engine sessions
 * warm across jobs). A slot's thread is replaced when it dies or when the runner recycles it
 * (after OCRFLOW_WORKER_RECYCLE_PAGES pages, or above OCRFLOW_WORKER_MAX_RSS_MB).
 */
import type { Logger } from 'pino';
import type { Config } from '@ocrflow/core';
import { engineOptionsFromConfig, remoteLimitsFromConfig, type EngineOptions, type SharedLimits } from '@ocrflow/engines';
import { EngineThread } from './engine.thread.ts';

export class WorkerPool {
  private readonly threads: (EngineThread | null)[];
  private closed = false;
  /** Threads started so far (first start and every replacement). */
  spawned = 0;
  /** Fault injection (tests): runs per slot that start on a thread told to crash first. */
  private readonly faults = new Map<number, number>();
  /**
   * OCRFLOW_VLM_CONCURRENCY per remote endpoint for the whole process: one buffer that every
   * thread — first ones and replacements — shares, so the limit does not grow with the threads.
   */
  readonly remoteLimits: SharedLimits;
  /** What every thread's engines are created with. */
  private readonly engineOptions: EngineOptions;

  constructor(
    readonly size: number,
    private readonly log: Logger,
    config: Config,
  ) {
    this.threads = Array.from({ length: size }, () => null);
    this.remoteLimits = remoteLimitsFromConfig(config);
    this.engineOptions = engineOptionsFromConfig(config);
  }

  /** Start every slot's thread and wait until they are up (the engines load lazily inside). */
  async start(): Promise<void> {
    await Promise.all(this.threads.map((_, i) => this.thread(i)));
  }

  /** The slot's live thread, starting a new one if it died. */
  async thread(slot: number): Promise<EngineThread> {
    if (this.closed) throw new Error('worker pool is closed');
    let t = this.threads[slot];
    if (!t || !t.alive || t.retiring) {
      const thread: EngineThread = new EngineThread(
        this.log,
        `ocr-${slot}`,
        this.engineOptions,
        () => {
          // Replace a crashed thread right away, so /health shows live workers again.
          if (!this.closed && this.threads[slot] === thread)
            this.thread(slot).catch((e) => this.log.error({ err: e, slot }, 'cannot restart OCR worker thread'));
        },
        this.remoteLimits,
      );
      t = thread;
      this.threads[slot] = t;
      this.spawned++;
    }
    await t.ready;
    return t;
  }

  /** The thread a run should use; applies pending fault injections (see `injectFaults`). */
  async acquire(slot: number): Promise<EngineThread> {
    const t = await this.thread(slot);
    const n = this.faults.get(slot) ?? 0;
    if (n > 0) {
      this.faults.set(slot, n - 1);
      // The fault message is handled before the run message: the thread dies before the run starts.
      t.injectFault();
    }
    return t;
  }

  /** Tests of crash handling: the next `runs` runs on `slot` find their thread crashing. */
  injectFaults(slot: number, runs: number): void {
    this.faults.set(slot, runs);
  }

  async recycle(slot: number, reason: string): Promise<void> {
    const t = this.threads[slot];
    this.log.info({ slot, reason, pages: t?.pages }, 'recycling OCR worker thread');
    this.threads[slot] = null;
    await t?.terminate();
  }

  /** The slot's current thread, if started (tests and diagnostics). */
  threadOf(slot: number): EngineThread | null {
    return this.threads[slot];
  }

  aliveCount(): number {
    return this.threads.filter((t) => t?.alive && !t.retiring).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    // Retiring threads terminate themselves when their page is over; never terminate mid-inference.
    await Promise.all(this.threads.map((t) => (t && !t.retiring ? t.terminate() : undefined)));
  }
}
