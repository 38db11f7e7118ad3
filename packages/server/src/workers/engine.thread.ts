/**
 * One OCR worker thread seen from the main thread: starts it, runs one document at a time and
 * turns its messages into callbacks (handled strictly in order, so pages are stored in the order
 * they were finished), and turns a thread that dies into an OCRFLOW_ERR_WORKER_CRASHED rejection.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import { OcrflowError, deserializeError, type Page } from '@ocrflow/core';
import { releaseOwner, type EngineOptions, type SharedLimits } from '@ocrflow/engines';
import type { FromThread, RunOptions, RunOutcome, ToThread } from './worker.messages.ts';

const BOOTSTRAP = new URL('./ocr.worker.mjs', import.meta.url);

/** What the runner does after each page: go on, stop (job canceled / lease lost) or pause (recycle). */
export type PageVerdict = 'continue' | 'stop' | 'pause';

export interface RunHandlers {
  onOpened(pageCount: number, ms: number): Promise<void>;
  onPage(index: number, page: Page, ms: number, rss: number): Promise<PageVerdict>;
}

interface ActiveRun {
  runId: number;
  handlers: RunHandlers;
  resolve: (o: RunOutcome) => void;
  reject: (e: unknown) => void;
  chain: Promise<unknown>;
}

let nextRunId = 1;
/** Owner ids in the shared remote-engine limits: unique per thread ever started, never reused. */
let nextOwner = 1;

export class EngineThread {
  /** Pages processed since the thread started (for recycling). */
  pages = 0;
  alive = true;
  /** Gave up waiting for it to stop: the pool replaces it; it is terminated once idle. */
  retiring = false;
  /** terminate() was called: its exit is expected. */
  private stopping = false;
  readonly ready: Promise<void>;
  private readonly worker: Worker;
  private run: ActiveRun | null = null;
  private onDisposed: (() => void) | null = null;
  /** This thread's id in the shared remote-engine limits (diagnostics and tests). */
  readonly limitsOwner = nextOwner++;

  constructor(
    private readonly log: Logger,
    readonly name: string,
    /** The engines' options, as the pool mapped them from the configuration. */
    options: EngineOptions,
    /** Called once when the thread dies without being asked to (crash, OOM, kill). */
    private readonly onDeath: () => void = () => {},
    /** The process-wide limits of the remote engines, the same buffer for every thread of the pool. */
    limits?: SharedLimits,
  ) {
    const owner = this.limitsOwner;
    this.worker = new Worker(BOOTSTRAP, { name, workerData: { options, limits: limits ? { limits, owner } : undefined } });
    this.ready = new Promise((resolve, reject) => {
      const onMsg = (m: FromThread) => {
        if (m.type === 'ready') {
          this.worker.off('message', onMsg);
          resolve();
        }
      };
      this.worker.on('message', onMsg);
      this.worker.once('exit', () => reject(new OcrflowError('OCRFLOW_ERR_WORKER_CRASHED', 'The OCR worker thread failed to start')));
    });
    this.ready.catch(() => {});
    this.worker.on('message', (m: FromThread) => this.onMessage(m));
    this.worker.on('error', (e) => {
      this.log.error({ err: e, thread: name }, 'OCR worker thread crashed');
      this.die();
    });
    this.worker.on('exit', (code) => {
      // A thread that crashed, or was terminated after retiring, mid-request still holds its slots
      // in the shared limits; it can no longer give them back, so free them for the others now.
      const freed = limits ? releaseOwner(limits, owner) : 0;
      if (freed) this.log.warn({ thread: name, freed }, 'freed remote-engine slots held by an exited OCR worker thread');
      const unexpected = !this.stopping;
      if (unexpected) this.log.warn({ code, thread: name }, 'OCR worker thread exited');
      this.die();
      if (unexpected) this.onDeath();
    });
  }

  /** Run a document; resolves with how it ended, rejects with the document's error or a crash. */
  runDocument(
    data: Uint8Array,
    opts: RunOptions,
    skip: number[],
    budget: number,
    handlers: RunHandlers,
    signal: AbortSignal,
    stopGraceMs: number,
  ): Promise<RunOutcome> {
    if (!this.alive) return Promise.reject(new OcrflowError('OCRFLOW_ERR_WORKER_CRASHED', 'The OCR worker thread is not running'));
    if (this.run) return Promise.reject(new Error('EngineThread is busy'));
    const runId = nextRunId++;
    return new Promise<RunOutcome>((resolve, reject) => {
      let graceTimer: NodeJS.Timeout | undefined;
      const settle = () => {
        clearTimeout(graceTimer);
        signal.removeEventListener('abort', onAbort);
        this.run = null;
      };
      const onAbort = () => {
        this.send({ type: 'stop', runId });
        // An engine that does not listen to the signal finishes its page first. Past the grace
        // period the thread is retired rather than terminated: terminating a thread while
        // onnxruntime-node has an inference in flight aborts the whole process. The pool starts a
        // fresh thread for the slot; this one is terminated once its page is over.
        graceTimer = setTimeout(() => {
          if (this.run?.runId !== runId) return;
          this.log.warn({ thread: this.name }, 'OCR worker thread did not stop in time; retiring it');
          this.retiring = true;
          this.run.resolve('stopped');
        }, stopGraceMs);
      };
      this.run = {
        runId,
        handlers,
        chain: Promise.resolve(),
        resolve: (o) => {
          settle();
          resolve(o);
        },
        reject: (e) => {
          settle();
          reject(e);
        },
      };
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
      this.send({ type: 'run', runId, data, opts, skip, budget });
    });
  }

  /** Release the engine sessions, then stop the thread. */
  async terminate(graceMs = 2000): Promise<void> {
    this.stopping = true;
    if (!this.alive) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, graceMs);
      this.onDisposed = () => {
        clearTimeout(timer);
        resolve();
      };
      this.send({ type: 'dispose' });
    });
    this.alive = false;
    await this.worker.terminate();
    this.die();
  }

  /** Make the thread crash before its next page (tests of crash handling; see `fault` in worker.messages.ts). */
  injectFault(): void {
    this.send({ type: 'fault' });
  }

  private send(m: ToThread): void {
    try {
      this.worker.postMessage(m);
    } catch (e) {
      this.log.error({ err: e, thread: this.name }, 'cannot post to OCR worker thread');
    }
  }

  private onMessage(m: FromThread): void {
    if (m.type === 'disposed') {
      this.onDisposed?.();
      return;
    }
    if (this.retiring && !this.run && (m.type === 'done' || m.type === 'error')) return void this.terminate();
    const run = this.run;
    if (!run || !('runId' in m) || m.runId !== run.runId) {
      // A page of a run we gave up on (retired thread): let it unwind instead of waiting forever.
      if (m.type === 'page') this.send({ type: 'verdict', runId: m.runId, verdict: 'stop' });
      return;
    }
    // Handlers are async (they write to the store); keep them strictly ordered.
    run.chain = run.chain
      .then(async () => {
        if (this.run !== run) {
          if (m.type === 'page') this.send({ type: 'verdict', runId: m.runId, verdict: 'stop' });
          return;
        }
        switch (m.type) {
          case 'opened':
            return run.handlers.onOpened(m.pageCount, m.ms);
          case 'page': {
            this.pages++;
            let verdict: PageVerdict = 'stop';
            try {
              verdict = await run.handlers.onPage(m.index, m.page, m.ms, m.rss);
            } finally {
              // Always answer: the thread waits for it (a failing handler stops the run).
              this.send({ type: 'verdict', runId: run.runId, verdict });
            }
            return;
          }
          case 'done':
            return run.resolve(m.outcome);
          case 'error':
            if (m.detail) this.log.warn({ thread: this.name, code: m.error.code, detail: m.detail }, 'document failed in OCR worker thread');
            return run.reject(deserializeError(m.error));
        }
      })
      .catch((e) => run.reject(e));
  }

  private die(): void {
    this.alive = false;
    const run = this.run;
    if (run) {
      // Let already-queued page callbacks land first, then report the crash.
      void run.chain.then(() => run.reject(new OcrflowError('OCRFLOW_ERR_WORKER_CRASHED', 'The OCR worker thread stopped unexpectedly')));
    }
  }
}
