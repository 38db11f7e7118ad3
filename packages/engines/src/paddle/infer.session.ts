/**
 * One inference-session interface over onnxruntime-node (after RapidOCR's inference_engine): the
 * stages only see `run(input, dims) -> {data, dims}`. A session is created once per engine
 * instance, i.e. once per worker thread, and reused for every page.
 */
import os from 'node:os';
import ort from 'onnxruntime-node';
import type { FuseStats } from './onnx/onnx.fuse.ts';
import { fusedModel } from './onnx/fused.cache.ts';

export interface SessionOptions {
  /** Threads inside one operator. Default: cores / worker threads (at least 1). */
  intraOpNumThreads?: number;
  /**
   * Rewrite the graph at load (onnx.fuse.ts: affine blocks into convolutions, hard-swish as one
   * HardSigmoid): same outputs within float rounding, about 30 % less CPU per run. Default true.
   */
  fuse?: boolean;
  /** Folder of rewritten models kept between processes (fused.cache.ts); null or absent: rewrite at every load. */
  cacheDir?: string | null;
  /**
   * Keep onnxruntime's CPU memory arena (default false: every run allocates and frees its
   * activations). Worth it for a model with large activations and a bounded input: the
   * detector's input is capped by its pixel budget, and on 1.5 MP pages with one thread the
   * arena takes a third off each run's CPU (fresh pages of memory are no longer faulted in and
   * zeroed at every run) with no more resident memory. Outputs are the same: only where the
   * activations live changes.
   */
  memArena?: boolean;
}

export interface TensorOut {
  data: Float32Array;
  dims: readonly number[];
}

export class InferSession {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly path: string,
    /** What the load-time rewrite did (null when it was off). */
    readonly fused: FuseStats | null,
    private readonly runOptions: ort.InferenceSession.RunOptions,
  ) {}

  static async create(modelPath: string, opts: SessionOptions = {}): Promise<InferSession> {
    const threads = opts.intraOpNumThreads ?? defaultThreads();
    let fused: FuseStats | null = null;
    const options: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      // Without the arena each run's activations are allocated and released (see `memArena`).
      enableCpuMemArena: opts.memArena === true,
    };
    let session: ort.InferenceSession;
    if (opts.fuse !== false) {
      const r = await fusedModel(modelPath, opts.cacheDir ?? null);
      fused = r.stats;
      session = await ort.InferenceSession.create(r.model, options);
    } else session = await ort.InferenceSession.create(modelPath, options);
    // With the arena, what a run grew it by is handed back when the run ends: the memory stays
    // with the allocator for the next run rather than with the session between pages.
    const runOptions = opts.memArena ? { extra: { memory: { enable_memory_arena_shrinkage: 'cpu:0' } } } : {};
    return new InferSession(session, modelPath, fused, runOptions);
  }

  async run(input: Float32Array, dims: number[]): Promise<TensorOut> {
    const feeds = { [this.session.inputNames[0]]: new ort.Tensor('float32', input, dims) };
    const out = await this.session.run(feeds, this.runOptions);
    const t = out[this.session.outputNames[0]];
    const data = t.data as Float32Array;
    const dimsOut = t.dims;
    return { data, dims: dimsOut };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

export function defaultThreads(workers = 1): number {
  const cores = Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  return Math.max(1, Math.floor(cores / Math.max(1, workers)));
}
