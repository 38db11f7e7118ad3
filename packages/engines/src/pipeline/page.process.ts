/**
 * One page through the pipeline: text layer or engine (which also finds the page orientation),
 * layout stages (tables, ...) in `layout` mode, reading order, blocks. Called by the CLI and eval
 * through `runDocument`, and by the server's worker threads page by page.
 */
import type { Block, Line, Page } from '@ocrflow/core';
import { annotateCellConfidence } from '@ocrflow/core';
import type { PageOptions, SourcePage } from '../types.ts';
import type { EngineCreateOptions, EngineOptions } from '../engine.options.ts';
import { getEngine } from '../registry.ts';
import { LAYOUT_STAGES } from '../layout/layout.stages.ts';
import { buildBlocks } from '../layout/page.layout.ts';
import { rotateRaster, type Rotation } from '../image/raster.ts';
import { straightenPage } from '../image/page.straighten.ts';

export interface ProcessOptions extends PageOptions {
  /** The engines' options (`engineOptionsFromConfig`); `engine` names which one reads the page. */
  options: EngineOptions;
  engineOptions?: EngineCreateOptions;
}

export async function processPage(page: SourcePage, opts: ProcessOptions): Promise<Page> {
  const timings: Record<string, number> = {};
  const flags = [...page.flags];
  let image = page.image;
  let lines: Line[];
  let engineBlocks: Block[] | undefined;
  let rotation: Rotation = page.exifRotation;
  let source: Page['source'] = 'ocr';
  let engineName: string = opts.engine;
  let straightened: Page['straightened'];
  if (page.kind === 'image' && !page.textLayer && (opts.straighten ?? opts.options.straighten)) {
    // The straightened page is the page: the engine, the tables and every box of the result see it.
    const ts = performance.now();
    const s = await straightenPage(image);
    timings.straighten = Math.round(performance.now() - ts);
    // Text boxes planned on the unstraightened copy (page.ocr.ts) do not fit a cut-out page.
    if (s.image !== image) opts = { ...opts, textBoxes: undefined };
    image = s.image;
    straightened = s.straightened;
    flags.push(...s.flags);
  }
  if (page.textLayer) {
    lines = page.textLayer;
    source = 'text-layer';
    engineName = 'text-layer';
  } else {
    const engine = await getEngine(opts.engine, opts.options, opts.engineOptions);
    const r = await engine.recognize(image, opts);
    // A wrapper may have handed the page to another engine (withFallback: vlm → paddle).
    if (r.engine) engineName = r.engine;
    Object.assign(timings, r.timings_ms);
    if (r.flags) flags.push(...r.flags);
    if (r.rotation) {
      image = rotateRaster(image, r.rotation);
      rotation = ((rotation + r.rotation) % 360) as Rotation;
    }
    lines = r.lines;
    engineBlocks = r.blocks;
    if (engineName === 'vlm' || engineName === 'ppstructure') source = engineName === 'vlm' ? 'vlm' : 'remote';
  }
  opts.signal?.throwIfAborted();
  const t0 = performance.now();
  let blocks: Block[];
  if (engineBlocks) {
    blocks = engineBlocks.map((b, i) => ({ ...b, id: `p${page.index}-b${i}` }));
  } else {
    const pageEngine = () => getEngine(opts.engine, opts.options, opts.engineOptions);
    let remaining: readonly Line[] = lines;
    const stageBlocks: Block[] = [];
    for (const stage of LAYOUT_STAGES) {
      if (!stage.modes.includes(opts.mode)) continue;
      const ts = performance.now();
      const res = await stage.run({ pageIndex: page.index, image, lines: remaining, opts, engine: pageEngine });
      timings[stage.name] = Math.round(performance.now() - ts);
      if (!res) continue;
      stageBlocks.push(...res.blocks);
      if (res.flags) flags.push(...res.flags);
      const used = new Set(res.consumed);
      remaining = remaining.filter((l) => !used.has(l));
    }
    blocks = buildBlocks(page.index, remaining, stageBlocks);
  }
  // Scores exist only where this process read the page (paddle, tesseract): a VLM or a remote
  // service gives none, a PDF text layer is not a reading. Their cells say null.
  annotateCellConfidence(blocks, source === 'ocr');
  timings.layout = Math.round(performance.now() - t0);
  return {
    index: page.index,
    width: image.width,
    height: image.height,
    rotation,
    ...(straightened ? { straightened } : {}),
    source,
    engine: engineName,
    blocks,
    flags,
    timings_ms: timings,
  };
}
