/**
 * A whole document in one call (CLI `scan`, `eval`): open, then pages one at a time (only one
 * decoded page is alive at once), then the document. `assembleDocument` is also what a job uses
 * to build the result from per-page results stored as they finished.
 */
import type { DocumentMeta, EngineName, OcrDocument, Page } from '@ocrflow/core';
import { DOCUMENT_SCHEMA, joinTablesAcrossPages } from '@ocrflow/core';
import type { OcrMode, OpenOptions } from '../types.ts';
import type { EngineCreateOptions, EngineOptions } from '../engine.options.ts';
import { openDocument } from './document.open.ts';
import { ocrPage } from './page.ocr.ts';
import { PagePrefetch } from './page.prefetch.ts';

export interface RunOptions {
  engine?: EngineName;
  languages?: string[];
  mode?: OcrMode;
  prompt?: string;
  autoRotate?: boolean;
  /** Straighten photographed pages (default: `options.straighten`). */
  straighten?: boolean;
  signal?: AbortSignal;
  filename?: string;
  /** The engines' options (`engineOptionsFromConfig`). */
  options: EngineOptions;
  engineOptions?: EngineCreateOptions;
  open?: Partial<OpenOptions>;
  /** Decode the next page while the current one is read (default: `options.prefetchPages`). */
  prefetch?: boolean;
  /** Called after each page with the page and the page count. */
  onPage?: (page: Page, pageCount: number) => void;
}

export async function runDocument(data: Uint8Array, opts: RunOptions): Promise<OcrDocument> {
  const o = opts.options;
  const engine = opts.engine ?? o.engine;
  const languages = opts.languages ?? o.languages;
  const doc = await openDocument(data, { maxPixels: o.maxPixels, maxPages: o.maxPages, ...opts.open });
  try {
    const pages: Page[] = [];
    const popts = {
      engine,
      languages,
      mode: opts.mode ?? 'layout',
      prompt: opts.prompt,
      signal: opts.signal,
      autoRotate: opts.autoRotate,
      straighten: opts.straighten,
      options: o,
      engineOptions: opts.engineOptions,
    } as const;
    const pre = new PagePrefetch(doc, popts);
    for (let i = 0; i < doc.info.pageCount; i++) {
      opts.signal?.throwIfAborted();
      const rendered = pre.take(i);
      if ((opts.prefetch ?? o.prefetchPages) && i + 1 < doc.info.pageCount) pre.prefetch(i + 1);
      const page = await ocrPage(doc, i, popts, await rendered);
      pages.push(page);
      opts.onPage?.(page, doc.info.pageCount);
    }
    return assembleDocument(pages, { engine, languages, mime: doc.info.mime, filename: opts.filename }, { joinTables: o.joinTables });
  } finally {
    doc.close();
  }
}

/** `joinTables` (default on, `OCRFLOW_JOIN_TABLES`): mark tables that continue on the next page. */
export function assembleDocument(
  pages: readonly Page[],
  meta: Omit<DocumentMeta, 'page_count'> & { page_count?: number },
  opts: { joinTables?: boolean } = {},
): OcrDocument {
  const sorted = pages.slice().sort((a, b) => a.index - b.index);
  const doc: OcrDocument = { schema: DOCUMENT_SCHEMA, meta: { ...meta, page_count: meta.page_count ?? sorted.length }, pages: sorted };
  return opts.joinTables === false ? doc : joinTablesAcrossPages(doc);
}
