/**
 * Test documents: real dataset images read by path (never copied into the repo), PDFs built with
 * mupdf at test time (text-layer pages are fast: no OCR; image pages are really OCR'd), and the
 * bad inputs (empty, truncated, corrupt, renamed text, pixel bomb).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import * as mupdf from 'mupdf';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const DATASETS = path.resolve(REPO_ROOT, '../shared/datasets');

export const dataset = (rel: string): Buffer => fs.readFileSync(path.join(DATASETS, rel));

/** The Chinese service report's "done when" (large: ~15 s of OCR on one thread). */
export const REPORT_SCAN = 'cn-report-dev/report-scan.jpg';
/** A 3.5 KB table image: real text, OCR'd in well under a second once models are loaded. */
export const SMALL_TABLE = 'pubtabnet-dev/pubtabnet-PMC3907710_006_00.png';
/** A table image that takes a couple of seconds a page: for jobs that must be seen running. */
export const SLOW_TABLE = 'pubtabnet-dev/pubtabnet-PMC5198506_004_00.png';

export type PdfPage = { text: string[] } | { image: Buffer };

/** A PDF whose pages carry a text layer (no OCR needed) or one full-page image (OCR'd). */
export function makePdf(pages: PdfPage[]): Buffer {
  const doc = new mupdf.PDFDocument();
  const font = doc.addSimpleFont(new mupdf.Font('Helvetica'));
  for (const p of pages) {
    if ('text' in p) {
      const ops = p.text.map((line, i) => `BT /F1 14 Tf 56 ${760 - i * 22} Td (${line.replace(/[()\\]/g, '\\$&')}) Tj ET`).join('\n');
      const resources = doc.addObject({ Font: { F1: font } });
      doc.insertPage(-1, doc.addPage([0, 0, 595, 842], 0, resources, ops));
    } else {
      const img = new mupdf.Image(p.image);
      const w = img.getWidth(),
        h = img.getHeight();
      const resources = doc.addObject({ XObject: { Im0: doc.addImage(img) } });
      doc.insertPage(-1, doc.addPage([0, 0, w, h], 0, resources, `q ${w} 0 0 ${h} 0 0 cm /Im0 Do Q`));
    }
  }
  const out = Buffer.from(doc.saveToBuffer('compress').asUint8Array());
  doc.destroy();
  return out;
}

/** Text lines enough for the text-layer sanity check. */
export function textPage(n: number): PdfPage {
  return { text: Array.from({ length: 8 }, (_, i) => `Page ${n} line ${i + 1}: the quick brown fox jumps over the lazy dog`) };
}

function pngChunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(td) >>> 0);
  return Buffer.concat([len, td, crc]);
}

/**
 * A valid-looking PNG of width × height whose IDAT holds only a few rows: tiny on disk, gigantic
 * when decoded. It must be refused from its header alone.
 */
export function pixelBombPng(width = 30000, height = 30000): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  const rows = Buffer.alloc((width + 1) * 4); // 4 rows of zeros (filter byte + pixels)
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', zlib.deflateSync(rows)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export const BAD_INPUTS = {
  empty: () => ({ name: 'empty.png', data: Buffer.alloc(0) }),
  truncatedJpeg: () => {
    const j = dataset(REPORT_SCAN);
    return { name: 'truncated.jpg', data: j.subarray(0, 40_000) };
  },
  corruptPng: () => {
    const p = Buffer.from(dataset(SMALL_TABLE));
    // Keep the signature and IHDR, scramble everything after them.
    for (let i = 40; i < p.length; i++) p[i] = (p[i] * 31 + i) & 0xff;
    return { name: 'corrupt.png', data: p };
  },
  truncatedPdf: () => {
    const pdf = makePdf([textPage(1), textPage(2)]);
    return { name: 'truncated.pdf', data: pdf.subarray(0, 200) };
  },
  corruptPdf: () => ({ name: 'corrupt.pdf', data: Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(4000, 0x41), Buffer.from('\n%%EOF\n')]) }),
  textAsPng: () => ({ name: 'notes.png', data: Buffer.from('These are my meeting notes, not an image.\n'.repeat(20)) }),
  pixelBomb: () => ({ name: 'bomb.png', data: pixelBombPng() }),
};
