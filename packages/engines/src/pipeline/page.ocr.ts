/**
 * One page of an open document, read at the resolution its text needs rather than the one the
 * file has. A 600-dpi scan holds 35 MP; its text needs a fraction of that. When the page is much
 * bigger than what the engine's detector looks at and the engine can plan (`planPage`), a copy at
 * detector size is decoded first (JPEGs shrink on load, nearly free), the engine measures the
 * text on it and names a working scale, and the page is decoded once at that scale. Everything
 * after — detection, orientation, line crops, tables — then works on the smaller raster; the
 * result is scaled back to the stored page's pixels. Small pages and PDFs go straight through.
 */
import type { Page } from '@ocrflow/core';
import type { SourceDocument, SourcePage, TextBoxHint } from '../types.ts';
import { getEngine } from '../registry.ts';
import { processPage, type ProcessOptions } from './page.process.ts';
import { scalePage } from './page.rescale.ts';

/** Pages up to this many times the engine's preview size are decoded whole: a preview would save nothing. */
const PLAN_ABOVE = 2;
/** Scales this close to 1 are not worth a resampling pass. */
const MIN_GAIN = 0.85;

export interface PageRender {
  source: SourcePage;
  textBoxes?: TextBoxHint[];
  /** Milliseconds spent decoding (preview included) and planning. */
  decodeMs: number;
  planMs?: number;
}

/** Decode page `index` at its working scale (see the header). */
export async function renderForOcr(doc: SourceDocument, index: number, opts: ProcessOptions): Promise<PageRender> {
  const t0 = performance.now();
  const px = doc.info.width * doc.info.height;
  if (opts.options.workingScale && doc.info.mime !== 'application/pdf' && doc.info.pageCount === 1) {
    const engine = await getEngine(opts.engine, opts.options, opts.engineOptions);
    if (engine.planPage && engine.previewPixels && px > PLAN_ABOVE * engine.previewPixels) {
      const preview = await doc.renderPage(index, { scale: Math.sqrt(engine.previewPixels / px) });
      const full = preview.fullSize ?? { width: preview.image.width, height: preview.image.height };
      const t1 = performance.now();
      const plan = await engine.planPage(preview.image, full.width, full.height, opts);
      const t2 = performance.now();
      const source = await doc.renderPage(index, plan.scale < MIN_GAIN ? { scale: plan.scale } : {});
      return { source, textBoxes: plan.textBoxes, decodeMs: Math.round(t1 - t0 + performance.now() - t2), planMs: Math.round(t2 - t1) };
    }
  }
  const source = await doc.renderPage(index);
  return { source, decodeMs: Math.round(performance.now() - t0) };
}

/** Render and process page `index`; the page comes back in the stored page's pixel coordinates. */
export async function ocrPage(doc: SourceDocument, index: number, opts: ProcessOptions, rendered?: PageRender): Promise<Page> {
  const r = rendered ?? (await renderForOcr(doc, index, opts));
  let page = await processPage(r.source, r.textBoxes ? { ...opts, textBoxes: r.textBoxes } : opts);
  const full = r.source.fullSize;
  if (full && page.straightened) {
    // A page cut out of a photo has its own pixels (those of the cut, read from the working
    // copy); only where it was cut from is given in the photo's stored pixels.
    const kx = full.width / r.source.image.width,
      ky = full.height / r.source.image.height;
    const st = page.straightened;
    page = { ...page, straightened: { ...st, source_width: full.width, source_height: full.height, corners: st.corners.map(([x, y]) => [x * kx, y * ky]) } };
  } else if (full) {
    const turned = (page.rotation - r.source.exifRotation + 360) % 180 !== 0;
    const kx = full.width / r.source.image.width,
      ky = full.height / r.source.image.height;
    page = scalePage(page, Math.round((turned ? ky : kx) * page.width), Math.round((turned ? kx : ky) * page.height));
  }
  page.timings_ms = { decode: r.decodeMs, ...(r.planMs !== undefined ? { plan: r.planMs } : {}), ...page.timings_ms };
  return page;
}
