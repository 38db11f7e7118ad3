/**
 * Result formats: each a pure function of the document (from `@ocrflow/core`). Adding a format is
 * one entry here; `file` formats are also written into the job's result directory when the job
 * finishes (that directory is the `result_dir` DeepSeek-compatible clients get), the others are
 * rendered on request from `result.json`.
 */
import { documentToHtml, documentToMarkdown, documentToText, documentToXlsx, type OcrDocument } from '@ocrflow/core';

/** What a renderer may need besides the document (only the searchable PDF uses it). */
export interface RenderContext {
  /** The document's pages as uploaded with the recognised words as an invisible text layer. */
  searchablePdf(doc: OcrDocument): Promise<Buffer>;
}

export interface ResultFormat {
  /** Content-Type of the answer. */
  mime: string;
  /** File name in the result directory; omit to render on request only. */
  file?: string;
  render(doc: OcrDocument, ctx: RenderContext): string | Buffer | Promise<string | Buffer>;
}

export const RESULT_FORMATS: Record<string, ResultFormat> = {
  json: { mime: 'application/json; charset=utf-8', file: 'result.json', render: (d) => JSON.stringify(d) },
  markdown: { mime: 'text/markdown; charset=utf-8', file: 'result.md', render: documentToMarkdown },
  text: { mime: 'text/plain; charset=utf-8', file: 'result.txt', render: documentToText },
  // Tables: HTML with rowspan/colspan; XLSX with one sheet per table (named result.xlsx → <upload>.xlsx).
  html: { mime: 'text/html; charset=utf-8', file: 'result.html', render: documentToHtml },
  xlsx: { mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', file: 'result.xlsx', render: documentToXlsx },
  // Searchable PDF: rendered on request from result.json and the upload (not a result-directory
  // file: it would double the job's storage, and an image's PDF takes milliseconds to write).
  pdf: { mime: 'application/pdf', render: (doc, ctx) => ctx.searchablePdf(doc) },
};

export const resultFormatNames = (): string[] => Object.keys(RESULT_FORMATS);

/**
 * The format named by a client, or undefined. `Object.hasOwn`: a name such as `__proto__`,
 * `constructor` or `toString` must not reach Object.prototype's members.
 */
export const resultFormat = (name: string): ResultFormat | undefined => (Object.hasOwn(RESULT_FORMATS, name) ? RESULT_FORMATS[name] : undefined);
