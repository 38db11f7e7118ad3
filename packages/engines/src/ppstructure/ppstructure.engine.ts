/**
 * The `ppstructure` engine: delegates a page to an existing PaddleOCR PP-StructureV3 (or
 * PaddleOCR-VL) job service and maps its layout blocks, HTML tables and boxes into the document
 * model. For teams that already run such a service on a GPU; nothing runs locally.
 */
import { OcrflowError } from '@ocrflow/core';
import type { EngineHealth, EnginePageResult, OcrEngine, RasterImage, RecognizeOptions } from '../types.ts';
import { encodeRaster } from '../vlm/image.encode.ts';
import { endpointSemaphore } from '../remote/endpoint.semaphore.ts';
import type { EngineOptions } from '../engine.options.ts';
import type { PpStructureEngineOptions } from './ppstructure.types.ts';
import { ppStructureHealth, runPpStructureJob } from './ppstructure.client.ts';
import { ppPageToBlocks } from './ppstructure.mapper.ts';

export type { PpStructureEngineOptions } from './ppstructure.types.ts';

/**
 * Layout models downscale internally anyway; 4096 px keeps small print legible on A4 at 400+ dpi
 * while bounding the upload. PNG up to 8 MB, JPEG q90 above.
 */
const UPLOAD_MAX_SIDE = 4096;
const UPLOAD_MAX_PNG_BYTES = 8 * 1024 * 1024;

const HEALTH_CACHE_MS = 5000;

export class PpStructureEngine implements OcrEngine {
  readonly name = 'ppstructure' as const;
  private lastHealth: { at: number; value: EngineHealth } | null = null;

  constructor(private readonly o: PpStructureEngineOptions) {}

  private notConfigured(): OcrflowError {
    return new OcrflowError(
      'OCRFLOW_ERR_ENGINE_UNAVAILABLE',
      'The ppstructure engine is not configured: set OCRFLOW_PPSTRUCTURE_URL (and OCRFLOW_PPSTRUCTURE_TOKEN)',
    );
  }

  async recognize(image: RasterImage, opts: RecognizeOptions): Promise<EnginePageResult> {
    if (!this.o.baseUrl) throw this.notConfigured();
    const timings: Record<string, number> = {};
    let t = performance.now();
    const enc = await encodeRaster(image, { maxSide: UPLOAD_MAX_SIDE, maxPngBytes: UPLOAD_MAX_PNG_BYTES });
    timings.ppstructure_encode = Math.round(performance.now() - t);
    t = performance.now();
    let release: () => void;
    try {
      release = await endpointSemaphore(this.o.baseUrl, this.o.concurrency).acquire(opts.signal);
    } catch (e) {
      throw new OcrflowError('OCRFLOW_ERR_CANCELED', 'The page was canceled while waiting for the ppstructure service', undefined, { cause: e });
    }
    timings.ppstructure_queue = Math.round(performance.now() - t);
    t = performance.now();
    let result;
    try {
      result = await runPpStructureJob(
        { data: enc.data, mime: enc.mime, filename: enc.mime === 'image/png' ? 'page.png' : 'page.jpg' },
        { baseUrl: this.o.baseUrl, token: this.o.token, timeoutMs: this.o.timeoutMs, retry: this.o.retry, signal: opts.signal, pollMs: this.o.pollMs },
      );
    } finally {
      release();
    }
    timings.ppstructure_request = Math.round(performance.now() - t);
    t = performance.now();
    const page = result.pages?.[0];
    const built = page
      ? ppPageToBlocks(page, { width: image.width, height: image.height, sentWidth: enc.width, sentHeight: enc.height })
      : { blocks: [], lines: [], flags: [] };
    const flags = [...built.flags];
    if (!built.blocks.length) flags.push('ppstructure_empty');
    timings.ppstructure_parse = Math.round(performance.now() - t);
    return { lines: built.lines, blocks: built.blocks, timings_ms: timings, flags };
  }

  /** Cheap and honest: `GET /health` with a short time-out, no retries, cached for 5 s. */
  async health(): Promise<EngineHealth> {
    if (!this.o.baseUrl) return { name: 'ppstructure', ok: false, detail: this.notConfigured().message };
    if (this.lastHealth && Date.now() - this.lastHealth.at < HEALTH_CACHE_MS) return this.lastHealth.value;
    let value: EngineHealth;
    try {
      value = { name: 'ppstructure', ...(await ppStructureHealth(this.o.baseUrl, this.o.token, this.o.healthTimeoutMs)) };
    } catch (e) {
      value = { name: 'ppstructure', ok: false, detail: (e as Error).message };
    }
    this.lastHealth = { at: Date.now(), value };
    return value;
  }

  async dispose(): Promise<void> {
    this.lastHealth = null;
  }
}

export function createPpStructureEngine(o: PpStructureEngineOptions): PpStructureEngine {
  return new PpStructureEngine(o);
}

/** Registry entry point (`registry.ts` LOADERS). */
export async function createEngine(options: EngineOptions): Promise<OcrEngine> {
  return new PpStructureEngine(options.ppstructure);
}
