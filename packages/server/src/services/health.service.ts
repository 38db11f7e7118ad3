/**
 * What `/health`, `/ready` and `/engines` report about this process: the queue, the workers, the
 * data directory and the engines. Cheap, and never touching the OCR threads.
 */
import { readFileSync } from 'node:fs';
import { OcrflowError } from '@ocrflow/core';
import type { EngineStatus } from '../ports/pipeline.port.ts';
import type { JobRunner } from '../workers/job.runner.ts';
import type { WorkerPool } from '../workers/worker.pool.ts';
import type { ServiceContext } from './service.context.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
const started = Date.now();

/**
 * Where start-up is. `accepting`: the store is migrated and the queue initialised, so jobs are
 * taken (and wait in the queue); `ready`: also the workers (where they run) have started their engines.
 */
export interface ServiceState {
  ready: boolean;
  accepting: boolean;
}

export interface HealthView {
  ok: boolean;
  queue_len: number;
  worker_alive: boolean;
  version: string;
  role: string;
  ready: boolean;
  engines: string[];
  default_engine: string;
  workers: { size: number; alive: number; busy: number; processes?: number };
  store: string;
  queue: string;
  storage: string;
  uptime_s: number;
}

export interface ReadyView {
  ready: true;
  storage: 'ok';
  workers: 'ok' | 'starting' | 'none';
}

export class HealthService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly state: Readonly<ServiceState>,
    /** Null in processes without workers (`--role api|app`). */
    private readonly pool: Pick<WorkerPool, 'size' | 'aliveCount'> | null,
    private readonly runner: Pick<JobRunner, 'activeJobs'> | null,
  ) {}

  async health(): Promise<HealthView> {
    const { ctx, pool, runner, state } = this;
    const queueLen = await ctx.queue.size().catch(() => -1);
    const alive = pool ? pool.aliveCount() : 0;
    // A process without workers (`--role api|app`) asks the queue whether any worker process is taking jobs.
    const processes = !pool && ctx.queue.workerCount ? await ctx.queue.workerCount() : null;
    const workerAlive = pool ? alive > 0 : (processes ?? 0) > 0;
    const storage = (await ctx.blobs.probe()) ?? 'ok';
    return {
      ok: state.ready && queueLen >= 0 && (pool === null || workerAlive) && storage === 'ok',
      queue_len: Math.max(0, queueLen),
      worker_alive: workerAlive,
      version: VERSION,
      role: ctx.config.role,
      ready: state.ready,
      engines: ctx.pipeline.engineNames(),
      default_engine: ctx.config.engine,
      workers: { size: pool?.size ?? 0, alive, busy: runner?.activeJobs ?? 0, ...(processes !== null ? { processes } : {}) },
      store: ctx.store.kind,
      queue: ctx.queue.kind,
      storage,
      uptime_s: Math.round((Date.now() - started) / 1000),
    };
  }

  /** Ready to take jobs, or why not (OCRFLOW_ERR_NOT_READY, OCRFLOW_ERR_STORAGE_UNAVAILABLE). */
  async ready(): Promise<ReadyView> {
    if (!this.state.accepting) throw new OcrflowError('OCRFLOW_ERR_NOT_READY', 'Starting up: the store is not ready yet');
    const storage = await this.ctx.blobs.probe();
    if (storage) throw new OcrflowError('OCRFLOW_ERR_STORAGE_UNAVAILABLE', `The data directory is ${storage}`, { storage });
    return { ready: true, storage: 'ok', workers: this.pool ? (this.state.ready ? 'ok' : 'starting') : 'none' };
  }

  /** Every engine with its health (local ones by their model files, remote ones by a short request). */
  engines(): Promise<EngineStatus[]> {
    return this.ctx.pipeline.probeEngines();
  }
}
