/**
 * A second recognition lane on its own thread. onnxruntime-node runs inferences of one JS thread
 * one after another, and one session spread over two intra-op threads scales poorly on the small
 * tensors of text lines (measured 1.15–1.6× for 2 threads on 48 × 480 crops). Two sessions of one
 * thread each, on two JS threads, run truly side by side: the engine reads half of a page's lines
 * here while the other half runs on its own thread (see `recognizeCrops`).
 *
 * The thread is unreferenced while idle, so it never keeps a CLI run alive, and referenced while an
 * inference is in flight, so an awaited result cannot be cut off by the process exiting.
 */
import { Worker } from 'node:worker_threads';
import type { SessionOptions, TensorOut } from './infer.session.ts';

export type LaneRequest = { type: 'run'; id: number; input: Float32Array; dims: number[] } | { type: 'release' };
export type LaneReply =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'out'; id: number; data: Float32Array; dims: number[] }
  | { type: 'error'; id: number; message: string };

/** What recognition needs of a model runner: an InferSession or a lane. */
export interface InferRunner {
  run(input: Float32Array, dims: number[]): Promise<TensorOut>;
}

const BOOTSTRAP = new URL('./infer.worker.mjs', import.meta.url);

export class InferLane implements InferRunner {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (o: TensorOut) => void; reject: (e: Error) => void }>();
  private dead: Error | null = null;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (m: LaneReply) => {
      if (m.type !== 'out' && m.type !== 'error') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (!this.pending.size) this.worker.unref();
      if (m.type === 'out') p.resolve({ data: m.data, dims: m.dims });
      else p.reject(new Error(`recognition lane: ${m.message}`));
    });
    const fail = (e: Error) => {
      this.dead = e;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
    worker.on('exit', () => fail(new Error('recognition lane thread exited')));
  }

  /** Start the thread and load the model in it; rejects if the thread cannot load it. */
  static async create(modelPath: string, options: SessionOptions): Promise<InferLane> {
    const worker = new Worker(BOOTSTRAP, { name: 'ocr-rec-lane', workerData: { modelPath, options } });
    await new Promise<void>((resolve, reject) => {
      const onMsg = (m: LaneReply) => {
        if (m.type === 'ready') resolve();
        else if (m.type === 'failed') reject(new Error(`recognition lane: ${m.message}`));
        else return;
        worker.off('message', onMsg);
      };
      worker.on('message', onMsg);
      worker.once('error', reject);
      worker.once('exit', () => reject(new Error('recognition lane thread exited while loading')));
    });
    worker.unref();
    return new InferLane(worker);
  }

  get alive(): boolean {
    return !this.dead;
  }

  run(input: Float32Array, dims: number[]): Promise<TensorOut> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ type: 'run', id, input, dims } satisfies LaneRequest, [input.buffer as ArrayBuffer]);
    });
  }

  /** Release the session and end the thread (only between pages: never with a run in flight). */
  async release(): Promise<void> {
    if (this.dead) return;
    const exited = new Promise<void>((r) => this.worker.once('exit', () => r()));
    this.worker.ref();
    this.worker.postMessage({ type: 'release' } satisfies LaneRequest);
    await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 5000).unref())]);
  }
}
