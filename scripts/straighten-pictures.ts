/**
 * The before/after pictures of docs/tables.md ("Photographs: finding and straightening the page"):
 * each photo with the sheet outline that was found drawn on it, beside the straightened page.
 *
 *   node --import tsx scripts/straighten-pictures.ts [photo.jpg ...]
 *
 * Default photos: two of ../shared/datasets/table-photos-dev (a bent sheet on cloth, a shadow across
 * a sheet on a grey desk). Writes docs/img/straighten-<name>.png, 720 px wide.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mkdirSync } from 'node:fs';
import sharp from 'sharp';
import { openDocument, straightenPage } from '../packages/engines/src/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const photos = process.argv.slice(2);
if (!photos.length) for (const n of ['033', '031']) photos.push(path.resolve(root, `../shared/datasets/table-photos-dev/photo-${n}.jpg`));
const outDir = path.join(root, 'docs/img');
mkdirSync(outDir, { recursive: true });

const HALF = 360;
for (const file of photos) {
  const doc = await openDocument(await sharp(file).toBuffer());
  const src = await doc.renderPage(0);
  doc.close();
  const r = await straightenPage(src.image);
  const raw = (img: { data: Buffer; width: number; height: number }) => sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  const s = HALF / src.image.width;
  const bh = Math.round(src.image.height * s);
  let before = raw(src.image).resize(HALF, bh);
  if (r.straightened) {
    const pts = r.straightened.corners.map(([x, y]) => `${(x * s).toFixed(1)},${(y * s).toFixed(1)}`).join(' ');
    before = before.composite([
      {
        input: Buffer.from(
          `<svg xmlns="http://www.w3.org/2000/svg" width="${HALF}" height="${bh}"><polygon points="${pts}" fill="none" stroke="#e53935" stroke-width="2"/></svg>`,
        ),
      },
    ]);
  }
  const left = await before.png().toBuffer();
  const ah = Math.round((r.image.height * HALF) / r.image.width);
  const right = await raw(r.image).resize(HALF, ah).png().toBuffer();
  const h = Math.max(bh, ah);
  const name = path.basename(file).replace(/\.[^.]+$/, '');
  const out = path.join(outDir, `straighten-${name}.png`);
  await sharp({ create: { width: 2 * HALF, height: h, channels: 3, background: '#ffffff' } })
    .composite([
      { input: left, left: 0, top: 0 },
      { input: right, left: HALF, top: 0 },
    ])
    .png({ palette: true, quality: 80 })
    .toFile(out);
  console.log(`${out}: ${r.flags.join(',') || 'unchanged'}${r.straightened ? `, ${r.image.width}×${r.image.height}, bend ${r.straightened.bend_px} px` : ''}`);
}
