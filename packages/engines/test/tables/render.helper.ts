/**
 * Test images of tables drawn with sharp from SVG: ruled grids with merged cells (separators left
 * out where cells merge), booktabs tables (horizontal rules only), plain text pages, and
 * pathological rule patterns.
 */
import sharp from 'sharp';
import type { RasterImage } from '../../src/types.ts';
import { cropQuad } from '../../src/image/raster.ts';

export interface SpecCell {
  row: number;
  col: number;
  row_span?: number;
  col_span?: number;
  text: string;
}

export interface GridSpec {
  colWidths: number[];
  rowHeights: number[];
  cells: SpecCell[];
  x0?: number;
  y0?: number;
  width?: number;
  height?: number;
  fontSize?: number;
  /** Extra SVG (text outside the table, other tables). */
  extra?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function gridSvg(g: GridSpec): string {
  const x0 = g.x0 ?? 40,
    y0 = g.y0 ?? 40,
    fs = g.fontSize ?? 18;
  const xs = [x0];
  for (const w of g.colWidths) xs.push(xs[xs.length - 1] + w);
  const ys = [y0];
  for (const h of g.rowHeights) ys.push(ys[ys.length - 1] + h);
  const W = g.width ?? xs[xs.length - 1] + 40,
    H = g.height ?? ys[ys.length - 1] + 40;
  let body = '';
  for (const c of g.cells) {
    const r1 = c.row + (c.row_span ?? 1),
      c1 = c.col + (c.col_span ?? 1);
    const [a, b, t, u] = [xs[c.col], xs[c1], ys[c.row], ys[r1]];
    body += `<rect x="${a}" y="${t}" width="${b - a}" height="${u - t}" fill="none" stroke="black" stroke-width="2"/>`;
    body += `<text x="${(a + b) / 2}" y="${(t + u) / 2 + fs * 0.35}" font-size="${fs}" font-family="DejaVu Sans, sans-serif" text-anchor="middle">${esc(c.text)}</text>`;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="white"/>${body}${g.extra ?? ''}</svg>`;
}

export async function svgToRaster(svg: string): Promise<RasterImage> {
  const { data, info } = await sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).flatten({ background: '#ffffff' }).png().toBuffer();
}

/**
 * A phone photo of `file`: seen slightly from below (keystone: the top edge wider than the bottom),
 * rotated by `deg`, lit by a gradient (bright top-left, dim bottom-right), slightly blurred.
 */
export async function phonePhoto(file: string, deg: number): Promise<RasterImage> {
  const src = await sharp(file).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const W = src.info.width,
    H = src.info.height;
  // cropQuad maps this source quad onto the whole output: a quad wider at the top shrinks the top.
  const quad: [number, number][] = [
    [-0.07 * W, -0.02 * H],
    [1.07 * W, 0],
    [0.99 * W, 1.01 * H],
    [0.03 * W, 0.995 * H],
  ];
  const keystone = cropQuad({ data: src.data, width: W, height: H, channels: 3 }, quad, W, H);
  const img = sharp(keystone, { raw: { width: W, height: H, channels: 3 } });
  const rad = (deg * Math.PI) / 180;
  const rotated = await img
    .affine(
      [
        [Math.cos(rad), -Math.sin(rad)],
        [Math.sin(rad), Math.cos(rad)],
      ],
      { background: '#f4f1ea', interpolator: 'bilinear' },
    )
    .png()
    .toBuffer({ resolveWithObject: true });
  const { width, height } = rotated.info;
  const shade = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#ffffff"/><stop offset="1" stop-color="#7a7368"/></linearGradient></defs><rect width="${width}" height="${height}" fill="url(#g)"/></svg>`;
  const { data, info } = await sharp(rotated.data)
    .composite([{ input: Buffer.from(shade), blend: 'multiply' }])
    .blur(0.6)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}
