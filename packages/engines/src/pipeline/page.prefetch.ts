/**
 * Pages of a document one ahead: while page i is processed, page i+1 is decoded (and, for a big
 * image, planned — its text found on a small copy, see page.ocr.ts). Decoding runs in libvips'
 * or mupdf's own time and the models in onnxruntime's threads, so the next page is usually ready
 * when the current one is done. The look-ahead starts on the next turn of the event loop, after
 * the current page has started: a PDF page renders synchronously and must not hold it up.
 * At most two decoded pages are alive at once.
 */
import type { SourceDocument } from '../types.ts';
import { renderForOcr, type PageRender } from './page.ocr.ts';
import type { ProcessOptions } from './page.process.ts';

export class PagePrefetch {
  private ahead: { index: number; render: Promise<PageRender> } | null = null;

  constructor(
    private readonly doc: SourceDocument,
    private readonly opts: ProcessOptions,
  ) {}

  /** Page `index`, decoded: the look-ahead when it was for this page, else decoded now. */
  take(index: number): Promise<PageRender> {
    const a = this.ahead;
    this.ahead = null;
    return a && a.index === index ? a.render : renderForOcr(this.doc, index, this.opts);
  }

  /**
   * Wait for a look-ahead nobody will take. A worker thread must not be ended with a decode in
   * flight: a native module's callback into a terminated thread aborts the whole process.
   */
  async drain(): Promise<void> {
    const a = this.ahead;
    this.ahead = null;
    if (a)
      await a.render.then(
        () => {},
        () => {},
      );
  }

  /** Start decoding page `index` in the background (it is taken next). */
  prefetch(index: number): void {
    const render = new Promise<void>((resolve) => setImmediate(resolve)).then(() => renderForOcr(this.doc, index, this.opts));
    // Taken later, or dropped when the run stops early: never an unhandled rejection.
    render.catch(() => {});
    this.ahead = { index, render };
  }
}
