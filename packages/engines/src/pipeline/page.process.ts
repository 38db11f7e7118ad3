/**
 * One page through the pipeline: text layer or engine (which also finds the page orientation),
 * layout stages (tables, ...) in `layout` mode, reading order, blocks. Called by the CLI and eval
 * through `runDocument`, and by the server's worker threads page by page.
 */
import type { Block, Config, Line, Page } from '@ocrflow/core';
import { annotateCellConfidence, loadConfig } from '@ocrflow/core';
import type { PageOptions, SourcePage } from '../types.ts';
import { getEngine, type EngineCreateOptions } from '../registry.ts';
import { LAYOUT_STAGES } from '../layout/layout.stages.ts';
import { buildBlocks } from '../layout/page.layout.ts';
import { rotateRaster, type Rotation } from '../image/raster.ts';
import { straightenPage } from '../image/page.straighten.ts';
import { VLM_FLAGS, fallbackEngineFor } from '../vlm/vlm.flags.ts';

export interface ProcessOptions extends PageOptions {
  config?: Config;
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
  if (page.kind === 'image' && !page.textLayer && (opts.straighten ?? (opts.config ?? loadConfig()).straighten)) {
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
    const config = opts.config ?? loadConfig();
    const engine = await getEngine(opts.engine, config, opts.engineOptions);
    let r = await engine.recognize(image, opts);
    // vlm guard rail: an answer that looped to its end, stopped at max_tokens or came
    // back empty asks for a re-read with the CPU fallback engine (OCRFLOW_VLM_FALLBACK_ENGINE); the
    // page keeps the vlm flags plus `vlm_fallback`. If the fallback fails too, the trimmed vlm
    // result stands, flagged `vlm_fallback_failed`.
    const fallback = opts.engine === 'vlm' ? fallbackEngineFor(r, config) : null;
    if (fallback) {
      try {
        const fr = await (await getEngine(fallback, config, opts.engineOptions)).recognize(image, opts);
        r = { ...fr, timings_ms: { ...r.timings_ms, ...fr.timings_ms }, flags: [...(r.flags ?? []).filter((f) => f.startsWith('vlm_')), ...(fr.flags ?? []), VLM_FLAGS.fallback] };
        engineName = fallback;
      } catch (e) {
        if (opts.signal?.aborted) throw e;
        r = { ...r, flags: [...(r.flags ?? []), VLM_FLAGS.fallbackFailed] };
      }
    }
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
    let remaining: readonly Line[] = lines;
    const stageBlocks: Block[] = [];
    for (const stage of LAYOUT_STAGES) {
      if (!stage.modes.includes(opts.mode)) continue;
      const ts = performance.now();
      const res = await stage.run({ pageIndex: page.index, image, lines: remaining, opts });
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
  return { index: page.index, width: image.width, height: image.height, rotation, ...(straightened ? { straightened } : {}), source, engine: engineName, blocks, flags, timings_ms: timings };
}
