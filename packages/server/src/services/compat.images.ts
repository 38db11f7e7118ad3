/**
 * The PaddleOCR-compatible images answer: a zip with every page image with its detected blocks
 * drawn (an SVG overlay composited by sharp: one colour per PP-Structure label, the label and the
 * reading-order index at each box) and a crop of every table. Built once per finished job and kept
 * in its result directory (`images.zip`); PDF pages are rendered by mupdf, which runs on the event
 * loop, so caching matters for large documents.
 */
import sharp from 'sharp';
import yazl from 'yazl';
import { ppStructureLabel, type OcrDocument, type Page } from '@ocrflow/core';
import type { PageImages, RawImage } from './page.images.ts';

const COLOURS: Record<string, string> = {
  table: '#e53935',
  doc_title: '#8e24aa',
  paragraph_title: '#5e35b1',
  text: '#1e88e5',
  image: '#43a047',
  chart: '#43a047',
  seal: '#43a047',
  formula: '#fb8c00',
  figure_title: '#00897b',
  table_title: '#00897b',
  header: '#757575',
  footer: '#757575',
  number: '#757575',
  footnote: '#6d4c41',
  algorithm: '#3949ab',
};

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The overlay for one page, in the page image's pixels (`scale` maps model coordinates onto them). */
export function pageOverlaySvg(page: Page, width: number, height: number, scale: number): string {
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 600));
  const font = Math.max(12, Math.round(Math.max(width, height) / 90));
  const shapes = page.blocks.map((b, i) => {
    const label = ppStructureLabel(b);
    const c = COLOURS[label] ?? '#1e88e5';
    const [x0, y0, x1, y1] = b.bbox.map((v) => Math.round(v * scale));
    const tag = `${i + 1} ${label}`;
    const tw = Math.round(tag.length * font * 0.6) + 8;
    const ty = Math.max(0, y0 - font - 6);
    return (
      `<rect x="${x0}" y="${y0}" width="${Math.max(1, x1 - x0)}" height="${Math.max(1, y1 - y0)}" fill="${c}" fill-opacity="0.08" stroke="${c}" stroke-width="${stroke}"/>` +
      `<rect x="${x0}" y="${ty}" width="${tw}" height="${font + 6}" fill="${c}"/>` +
      `<text x="${x0 + 4}" y="${ty + font}" font-family="sans-serif" font-size="${font}" fill="#ffffff">${esc(tag)}</text>`
    );
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

const rawInput = (img: RawImage) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });

export interface ImagesZipEntry {
  name: string;
  kind: 'page' | 'table';
  page: number;
}

/** Build the zip; returns its bytes and what it holds. */
export async function buildImagesZip(doc: OcrDocument, pages: PageImages): Promise<{ zip: Buffer; entries: ImagesZipEntry[] }> {
  const zip = new yazl.ZipFile();
  const entries: ImagesZipEntry[] = [];
  for (const page of doc.pages) {
    const img = await pages.image(page);
    const scale = page.width > 0 ? img.width / page.width : 1;
    const n = String(page.index + 1).padStart(4, '0');
    const drawn = await rawInput(img)
      .composite([{ input: Buffer.from(pageOverlaySvg(page, img.width, img.height, scale)), top: 0, left: 0 }])
      .jpeg({ quality: 85 })
      .toBuffer();
    // JPEG and PNG are compressed already; storing them saves CPU for nothing lost.
    zip.addBuffer(drawn, `page_${n}.jpg`, { compress: false });
    entries.push({ name: `page_${n}.jpg`, kind: 'page', page: page.index });
    let t = 0;
    for (const b of page.blocks) {
      if (b.type !== 'table') continue;
      const [x0, y0, x1, y1] = b.bbox.map((v) => Math.round(v * scale));
      const left = Math.max(0, Math.min(img.width - 1, x0));
      const top = Math.max(0, Math.min(img.height - 1, y0));
      const width = Math.max(1, Math.min(img.width, x1) - left);
      const height = Math.max(1, Math.min(img.height, y1) - top);
      const crop = await rawInput(img).extract({ left, top, width, height }).png().toBuffer();
      const name = `tables/page_${n}_table_${String(++t).padStart(2, '0')}.png`;
      zip.addBuffer(crop, name, { compress: false });
      entries.push({ name, kind: 'table', page: page.index });
    }
  }
  zip.end();
  const chunks: Buffer[] = [];
  for await (const c of zip.outputStream as AsyncIterable<Buffer>) chunks.push(c);
  return { zip: Buffer.concat(chunks), entries };
}
