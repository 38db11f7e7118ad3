/**
 * Builds workbooks on a worker thread of their own, so a big save (hundreds of thousands of cells,
 * seconds of ExcelJS work) never blocks the event loop: /health, uploads and every other request
 * keep being answered meanwhile. One thread, started on first use and kept (unref'd, so it never
 * holds the process open); builds are queued to it in order. A thread that dies fails the builds
 * it held and is started again for the next one.
 */
import { Worker } from 'node:worker_threads';
import { deserializeError, type SerializedError } from '@ocrflow/core';

export interface XlsxRequest {
  id: number;
  /** The sheets as JSON text: cheap to hand to a thread (a string is copied, not walked). */
  sheetsJson: string;
}

export type XlsxReply = { id: number; ok: true; bytes: Uint8Array } | { id: number; ok: false; error: SerializedError };

const BOOTSTRAP = new URL('./xlsx.worker.mjs', import.meta.url);

interface Pending {
  resolve: (b: Buffer) => void;
  reject: (e: unknown) => void;
}

export class XlsxBuilder {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  /** Builds asked for and not finished yet (`ocrflow_workbooks_building`). */
  get building(): number {
    return this.pending.size;
  }

  /** The .xlsx of sheets given as JSON text (validated again in the thread). */
  build(sheetsJson: string): Promise<Buffer> {
    if (this.closed) return Promise.reject(new Error('the workbook builder is closed'));
    const w = this.thread();
    const id = this.nextId++;
    return new Promise<Buffer>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ id, sheetsJson } satisfies XlsxRequest);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
    this.failAll(new Error('the workbook builder was closed'));
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(BOOTSTRAP);
    w.on('message', (m: XlsxReply) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) w.unref();
      if (m.ok) p.resolve(Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength));
      else p.reject(deserializeError(m.error));
    });
    const gone = (e: unknown) => {
      if (this.worker === w) this.worker = null;
      this.failAll(e instanceof Error ? e : new Error(`the workbook thread stopped (${String(e)})`));
    };
    w.on('error', gone);
    w.on('exit', (code) => gone(new Error(`the workbook thread exited with code ${code}`)));
    w.unref();
    this.worker = w;
    return w;
  }

  private failAll(e: unknown): void {
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }
}
