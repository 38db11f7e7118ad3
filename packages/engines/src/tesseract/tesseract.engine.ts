/**
 * The `tesseract` engine: tesseract.js (Tesseract 5 LSTM compiled to WebAssembly, in its own worker
 * thread) with language data from the `@tesseract.js-data/*` packages. Languages follow each job's
 * `languages` (the worker is re-initialised when they change); languages whose data package is not
 * installed are skipped and flagged.
 */
import sharp from 'sharp';
import { createWorker, OEM, PSM, type Worker } from 'tesseract.js';
import { OcrflowError, bboxToPolygon, type Line, type BBox } from '@ocrflow/core';
import type { EngineHealth, EnginePageResult, OcrEngine, RasterImage, RecognizeOptions } from '../types.ts';
import type { EngineOptions } from '../engine.options.ts';
import { prepareLanguages } from './tesseract.languages.ts';

export interface TesseractOptions {
  languages: string[];
  /** Page segmentation mode; 3 (automatic) suits mixed documents. */
  psm?: string;
}

interface TBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}
const toBBox = (b: TBox): BBox => [b.x0, b.y0, b.x1, b.y1];

export class TesseractEngine implements OcrEngine {
  readonly name = 'tesseract' as const;
  private worker: Worker | null = null;
  private langKey = '';
  private missing: string[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: TesseractOptions) {}

  private async ensureWorker(languages: readonly string[]): Promise<void> {
    let prep = prepareLanguages(languages.length ? languages : this.opts.languages);
    const missing = prep.missing;
    if (!prep.codes.length) prep = prepareLanguages(['eng']);
    if (!prep.codes.length) throw new OcrflowError('OCRFLOW_ERR_ENGINE_UNAVAILABLE', 'No tesseract language data is installed (@tesseract.js-data/eng)');
    const key = prep.codes.join('+');
    this.missing = missing;
    if (this.worker && key === this.langKey) return;
    if (this.worker) await this.worker.terminate();
    // langPath is a local directory: tesseract.js reads the files and never goes to its CDN.
    this.worker = await createWorker(prep.codes, OEM.LSTM_ONLY, { langPath: prep.langPath, cacheMethod: 'none', gzip: true });
    await this.worker.setParameters({ tessedit_pageseg_mode: (this.opts.psm ?? PSM.AUTO) as PSM, preserve_interword_spaces: '0' });
    this.langKey = key;
  }

  recognize(image: RasterImage, opts: RecognizeOptions): Promise<EnginePageResult> {
    // One tesseract worker reads one page at a time; calls queue up.
    const run = this.queue.then(() => this.recognizeNow(image, opts));
    this.queue = run.catch(() => {});
    return run;
  }

  private async recognizeNow(image: RasterImage, opts: RecognizeOptions): Promise<EnginePageResult> {
    const t0 = performance.now();
    await this.ensureWorker(opts.languages);
    const png = await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
      .png({ compressionLevel: 1 })
      .toBuffer();
    const t1 = performance.now();
    const { data } = await this.worker!.recognize(png, {}, { blocks: true, text: false });
    const lines: Line[] = [];
    for (const block of data.blocks ?? []) {
      for (const para of block.paragraphs) {
        for (const l of para.lines) {
          const words = l.words
            .filter((w) => w.text.trim())
            .map((w) => ({ text: w.text.trim(), bbox: toBBox(w.bbox), confidence: Math.round(w.confidence * 10) / 1000 }));
          if (!words.length) continue;
          const bbox = toBBox(l.bbox);
          lines.push({ text: words.map((w) => w.text).join(' '), bbox, polygon: bboxToPolygon(bbox), confidence: Math.round(l.confidence * 10) / 1000, words });
        }
      }
    }
    const flags = this.missing.map((m) => `language_unavailable:${m}`);
    return { lines, timings_ms: { encode: Math.round(t1 - t0), recognise: Math.round(performance.now() - t1) }, flags };
  }

  async health(): Promise<EngineHealth> {
    const { codes, missing } = prepareLanguages(this.opts.languages);
    return {
      name: 'tesseract',
      ok: codes.length > 0,
      detail: `tesseract.js, languages ${codes.join('+') || 'none'}${missing.length ? ` (not installed: ${missing.join(', ')})` : ''}`,
    };
  }

  async dispose(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

export async function createEngine(options: EngineOptions): Promise<OcrEngine> {
  return new TesseractEngine({ languages: options.languages });
}
