/**
 * The picture of docs/tables.md ("Ruled tables"): the rules found on a page (red: horizontal,
 * blue: vertical), the junctions where grid lines meet and a rule is printed (black dots), and the
 * cells built from them (green), over the page's working image.
 *
 *   node --import tsx scripts/tables-pictures.ts [image ...]
 *
 * Default: ../shared/datasets/cn-report-dev/report-scan.jpg. Writes docs/img/tables-grid-<name>.png.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import { loadConfig, type Point } from '@ocrflow/core';
import { disposeEngines, engineOptionsFromConfig, getEngine } from '../packages/engines/src/index.ts';
import { hollowFills, sauvola, toWorkingGray } from '../packages/engines/src/tables/ink.binarize.ts';
import { detectRulings } from '../packages/engines/src/tables/ruling.detect.ts';
import { buildGrids } from '../packages/engines/src/tables/grid.build.ts';
import { textQuad } from '../packages/engines/src/tables/ruling.filter.ts';
import { medianTextHeight } from '../packages/engines/src/tables/tables.detect.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const files = process.argv.slice(2);
if (!files.length) files.push(path.resolve(root, '../shared/datasets/cn-report-dev/report-scan.jpg'));
const outDir = path.join(root, 'docs/img');
mkdirSync(outDir, { recursive: true });
const engine = await getEngine('paddle', engineOptionsFromConfig(loadConfig()));

for (const file of files) {
  const src = await sharp(readFileSync(file)).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const image = { data: src.data, width: src.info.width, height: src.info.height, channels: 3 as const };
  const { lines } = await engine.recognize(image, { languages: ['ch', 'en'], mode: 'layout', autoRotate: false });
  const { gray, scale } = await toWorkingGray(image, 2000);
  // The same settings as tables.detect.ts.
  const th = Math.max(4, medianTextHeight(lines, 12) * scale);
  const W = gray.width,
    H = gray.height;
  const maxThickness = Math.max(5, th * 0.45);
  const mask = hollowFills(sauvola(gray), W, H, maxThickness);
  const rulings = detectRulings(mask, W, H, {
    minRun: Math.max(12, Math.round(th * 1.3)),
    minLength: Math.max(16, th * 1.6),
    maxThickness,
    maxGap: Math.max(5, th * 0.6),
    maxSegments: 1500,
  });
  const texts = lines.map((l) => textQuad(l.polygon.map(([x, y]) => [x * scale, y * scale] as Point)));
  const grids = buildGrids(rulings, { textHeight: th, mask, width: W, height: H, texts });
  let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">`;
  for (const g of grids)
    for (const c of g.cells) svg += `<polygon points="${c.quad.map((p) => p.join(',')).join(' ')}" fill="rgba(0,200,0,0.10)" stroke="#0a0" stroke-width="1"/>`;
  for (const s of rulings.horizontal)
    svg += `<line x1="${s.a0}" y1="${s.c + s.slope * s.a0}" x2="${s.a1}" y2="${s.c + s.slope * s.a1}" stroke="red" stroke-width="1.5" opacity="0.8"/>`;
  for (const s of rulings.vertical)
    svg += `<line y1="${s.a0}" x1="${s.c + s.slope * s.a0}" y2="${s.a1}" x2="${s.c + s.slope * s.a1}" stroke="blue" stroke-width="1.5" opacity="0.8"/>`;
  // Junctions: the distinct corners of the cells (where a row line and a column line meet).
  const seen = new Set<string>();
  for (const g of grids)
    for (const c of g.cells)
      for (const [x, y] of c.quad) {
        const k = `${Math.round(x)},${Math.round(y)}`;
        if (seen.has(k)) continue;
        seen.add(k);
        svg += `<circle cx="${x}" cy="${y}" r="2.2" fill="black"/>`;
      }
  svg += '</svg>';
  const base = await sharp(Buffer.from(gray.data), { raw: { width: W, height: H, channels: 1 } })
    .toColourspace('srgb')
    .png()
    .toBuffer();
  const drawn = await sharp(base)
    .composite([{ input: Buffer.from(svg) }])
    .png()
    .toBuffer();
  const name = path.basename(file).replace(/\.[^.]+$/, '');
  const out = path.join(outDir, `tables-grid-${name}.png`);
  await sharp(drawn).resize(Math.min(W, 900)).png({ palette: true, quality: 80 }).toFile(out);
  console.log(out, `${grids.length} grid(s):`, grids.map((g) => `${g.rows.length - 1} rows × ${g.cols.length - 1} columns before compaction`).join(', '));
}
await disposeEngines();
