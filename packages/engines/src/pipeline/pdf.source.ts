/**
 * PDFs with mupdf, one page at a time (memory stays flat on long documents). A page's embedded
 * text layer is used instead of OCR when it passes a sanity check (enough text, few replacement
 * or private-use characters — the signature of broken ToUnicode maps that turn CJK into garbage —
 * and not a scanned image with a few stray words on it); otherwise the rendered page is OCR'd.
 */
import type * as Mupdf from 'mupdf';
import { OcrflowError, polygonToBBox, roundBBox, type Line, type Point, type Word } from '@ocrflow/core';
import type { DocumentInfo, OpenOptions, SourceDocument, SourcePage } from '../types.ts';

/** Render resolution: 200 dpi reads small print well; very large pages are capped below. */
const RENDER_DPI = 200;
const MAX_RENDER_SIDE = 5000;

let mupdfModule: Promise<typeof Mupdf> | null = null;
function loadMupdf(): Promise<typeof Mupdf> {
  return (mupdfModule ??= import('mupdf'));
}

export function renderScale(pageW: number, pageH: number, maxPixels: number): number {
  let s = RENDER_DPI / 72;
  s = Math.min(s, MAX_RENDER_SIDE / Math.max(pageW, pageH));
  if (pageW * pageH * s * s > maxPixels) s = Math.sqrt(maxPixels / (pageW * pageH));
  return s;
}

export async function openPdf(data: Uint8Array, opts: OpenOptions): Promise<SourceDocument> {
  const mupdf = await loadMupdf();
  let doc: Mupdf.Document;
  let pageCount: number;
  try {
    doc = mupdf.Document.openDocument(data, 'application/pdf');
    pageCount = doc.countPages();
  } catch (e) {
    throw new OcrflowError('OCRFLOW_ERR_CORRUPT_FILE', 'The PDF cannot be opened: the file is corrupt or truncated', undefined, { cause: e });
  }
  if (doc.needsPassword()) {
    doc.destroy();
    throw new OcrflowError('OCRFLOW_ERR_UNSUPPORTED_MEDIA', 'The PDF is encrypted with a password');
  }
  if (pageCount < 1) {
    doc.destroy();
    throw new OcrflowError('OCRFLOW_ERR_CORRUPT_FILE', 'The PDF has no readable pages');
  }
  if (pageCount > opts.maxPages) {
    doc.destroy();
    throw new OcrflowError('OCRFLOW_ERR_TOO_MANY_PAGES', `The PDF has ${pageCount} pages, more than the limit of ${opts.maxPages}`, {
      pages: pageCount,
      max_pages: opts.maxPages,
    });
  }
  let first: [number, number, number, number];
  try {
    first = doc.loadPage(0).getBounds();
  } catch (e) {
    doc.destroy();
    throw new OcrflowError('OCRFLOW_ERR_CORRUPT_FILE', 'The first PDF page cannot be read', undefined, { cause: e });
  }
  const fw = first[2] - first[0],
    fh = first[3] - first[1];
  const s0 = renderScale(fw, fh, opts.maxPixels);
  const info: DocumentInfo = { mime: 'application/pdf', pageCount, width: Math.round(fw * s0), height: Math.round(fh * s0) };
  let closed = false;
  return {
    info,
    async renderPage(index: number): Promise<SourcePage> {
      if (closed) throw new Error('document closed');
      try {
        return renderPage(mupdf, doc, index, opts);
      } catch (e) {
        throw new OcrflowError('OCRFLOW_ERR_CORRUPT_FILE', `PDF page ${index + 1} cannot be rendered`, { page: index }, { cause: e });
      }
    },
    close() {
      if (!closed) doc.destroy();
      closed = true;
    },
  };
}

function renderPage(mupdf: typeof Mupdf, doc: Mupdf.Document, index: number, opts: OpenOptions): SourcePage {
  const page = doc.loadPage(index);
  try {
    const b = page.getBounds();
    const pw = b[2] - b[0],
      ph = b[3] - b[1];
    const s = renderScale(pw, ph, opts.maxPixels);
    // Translate so the page's own origin maps to pixel 0 (pages with a non-zero MediaBox origin).
    const m = mupdf.Matrix.concat(mupdf.Matrix.translate(-b[0], -b[1]), mupdf.Matrix.scale(s, s));
    const pix = page.toPixmap(m, mupdf.ColorSpace.DeviceRGB, false);
    const w = pix.getWidth(),
      h = pix.getHeight(),
      stride = pix.getStride();
    const px = pix.getPixels();
    const data = Buffer.allocUnsafe(w * h * 3);
    for (let y = 0; y < h; y++) data.set(px.subarray(y * stride, y * stride + w * 3), y * w * 3);
    pix.destroy();
    const flags: string[] = [];
    const layer = extractTextLayer(page, m);
    let textLayer: Line[] | undefined;
    if (layer.lines.length) {
      const verdict = checkTextLayer(layer.lines, layer.imageCover);
      if (verdict.ok) textLayer = layer.lines;
      else flags.push('text_layer_rejected');
    }
    return { index, kind: 'pdf', image: { data, width: w, height: h, channels: 3 }, exifRotation: 0, textLayer, flags };
  } finally {
    page.destroy();
  }
}

function apply(m: Mupdf.Matrix, x: number, y: number): Point {
  return [m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]];
}

/** Lines of the page's text layer in pixel coordinates, plus how much of the page images cover. */
export function extractTextLayer(page: Mupdf.Page, m: Mupdf.Matrix): { lines: Line[]; imageCover: number } {
  const b = page.getBounds();
  const pageArea = Math.max(1, (b[2] - b[0]) * (b[3] - b[1]));
  let imageArea = 0;
  const lines: Line[] = [];
  let chars: { c: string; quad: Point[] }[] = [];
  const endLine = () => {
    const words: Word[] = [];
    let cur: { c: string; quad: Point[] }[] = [];
    const flush = () => {
      if (!cur.length) return;
      words.push({ text: cur.map((x) => x.c).join(''), bbox: roundBBox(polygonToBBox(cur.flatMap((x) => x.quad))), confidence: 1 });
      cur = [];
    };
    for (const ch of chars) {
      if (/\s/.test(ch.c)) flush();
      else cur.push(ch);
    }
    flush();
    if (words.length) {
      const bbox = roundBBox(polygonToBBox(chars.flatMap((x) => x.quad)));
      lines.push({
        text: words.map((w) => w.text).join(' '),
        bbox,
        polygon: [
          [bbox[0], bbox[1]],
          [bbox[2], bbox[1]],
          [bbox[2], bbox[3]],
          [bbox[0], bbox[3]],
        ],
        confidence: 1,
        words,
      });
    }
    chars = [];
  };
  const st = page.toStructuredText('preserve-whitespace');
  try {
    st.walk({
      onImageBlock(bbox) {
        imageArea += Math.max(0, bbox[2] - bbox[0]) * Math.max(0, bbox[3] - bbox[1]);
      },
      beginLine() {
        chars = [];
      },
      onChar(c, _origin, _font, _size, q) {
        chars.push({ c, quad: [apply(m, q[0], q[1]), apply(m, q[2], q[3]), apply(m, q[6], q[7]), apply(m, q[4], q[5])] });
      },
      endLine,
    });
  } finally {
    st.destroy();
  }
  return { lines, imageCover: Math.min(1, imageArea / pageArea) };
}

/**
 * Is this text layer trustworthy? Rejects layers made of replacement/private-use/control
 * characters (broken font encodings) and scans where an image covers the page but the text layer
 * holds only a few words (a stamp or a header, not the page's content).
 */
export function checkTextLayer(lines: readonly Line[], imageCover: number): { ok: boolean; reason?: string } {
  const text = lines.map((l) => l.text).join('');
  const chars = [...text.replace(/\s+/g, '')];
  if (chars.length === 0) return { ok: false, reason: 'empty' };
  const bad = chars.filter((c) => /[\ufffd\ue000-\uf8ff\u0000-\u001f\u007f-\u009f]/u.test(c)).length;
  if (bad / chars.length > 0.05) return { ok: false, reason: 'garbled' };
  if (imageCover > 0.5 && chars.length < 40) return { ok: false, reason: 'scan_with_sparse_text' };
  return { ok: true };
}
