/**
 * The report photographed, scored against its printed grid: `npm run bench -- report-photos`
 * (or `node --import tsx scripts/bench.report-photos.ts [--json]`; heavy: run it under
 * `flock /tmp/ocrflow-bench.lock`).
 *
 * The clean report scan (cn-report-dev) is laid onto a desk through a KNOWN homography and bend, lit
 * unevenly with a colour cast, given sensor noise and a JPEG round trip (the simulation the
 * straightening tests use, packages/engines/test/image/photo.helper.ts). Five photos differ in size
 * (800 px to 12 megapixels), tilt, keystone, bend, light and desk. Each goes through the whole
 * pipeline (paddle engine, `layout` mode, straightening on) and its tables are scored against the
 * hand-made `report-scan.gt.html`: TEDS, TEDS-S and adjacency F1, as `ocrflow eval` scores them.
 * The scan itself is scored first, for comparison (`--no-scan` skips it). `--dev` measures seven
 * other photos of the report instead (500 px to 8 megapixels, other corners, tilt, bend, light):
 * develop on those and keep the five for measuring.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { isTableBlock, loadConfig, tableToHtml, type OcrDocument } from '@ocrflow/core';
import { adjacencyF1OfDocument, tedsOfDocument } from '../packages/eval/src/index.ts';
import { disposeEngines, engineOptionsFromConfig, runDocument } from '../packages/engines/src/index.ts';
import { loadRaster, simulatePhoto, type PhotoSpec } from '../packages/engines/test/image/photo.helper.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dir = path.resolve(root, '../shared/datasets/cn-report-dev');
const scanFile = path.join(dir, 'report-scan.jpg');
const truth = readFileSync(path.join(dir, 'report-scan.gt.html'), 'utf8');
const asJson = process.argv.includes('--json');
/** `--dump DIR`: write each photo and its tables' HTML there, to look at what was missed. */
const dumpAt = process.argv.indexOf('--dump');
const dumpDir = dumpAt > 0 ? process.argv[dumpAt + 1] : undefined;
/** `--only N`: the N-th photo (1-based) alone; `--no-scan`: skip the scan. */
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? Number(process.argv[onlyAt + 1]) : 0;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Where the scan's corners land (tl, tr, br, bl), as fractions of the photo; turned by `deg` about the centre. */
function corners(w: number, h: number, q: [number, number][], deg: number): PhotoSpec['corners'] {
  const a = (deg * Math.PI) / 180,
    c = Math.cos(a),
    s = Math.sin(a);
  const pts = q.map(([fx, fy]) => {
    const x = (fx - 0.5) * w,
      y = (fy - 0.5) * h;
    return [w / 2 + x * c - y * s, h / 2 + x * s + y * c] as [number, number];
  });
  return [pts[0], pts[1], pts[2], pts[3]];
}

const photos: { name: string; spec: PhotoSpec }[] = [
  {
    name: 'keystone, wood, 1200×1520',
    spec: {
      width: 1200,
      height: 1520,
      corners: [
        [184, 208],
        [1030, 160],
        [1078, 1360],
        [136, 1312],
      ],
      bend: 0.012,
      falloff: 0.35,
      desk: 'wood',
    },
  },
  {
    name: 'turned 4°, cloth, 1600×2000',
    spec: {
      width: 1600,
      height: 2000,
      corners: corners(
        1600,
        2000,
        [
          [0.12, 0.1],
          [0.88, 0.1],
          [0.88, 0.9],
          [0.12, 0.9],
        ],
        4,
      ),
      bend: 0.02,
      falloff: 0.2,
      desk: 'cloth',
    },
  },
  {
    name: 'strong keystone, wood, 1000×1300',
    spec: {
      width: 1000,
      height: 1300,
      corners: [
        [200, 120],
        [800, 110],
        [930, 1230],
        [70, 1240],
      ],
      bend: 0.008,
      falloff: 0.45,
      desk: 'wood',
    },
  },
  {
    name: 'turned −3°, wood, 800×1000',
    spec: {
      width: 800,
      height: 1000,
      corners: corners(
        800,
        1000,
        [
          [0.1, 0.08],
          [0.9, 0.08],
          [0.9, 0.92],
          [0.1, 0.92],
        ],
        -3,
      ),
      bend: 0.01,
      falloff: 0.3,
      desk: 'wood',
    },
  },
  {
    name: 'keystone, cloth, 12 MP (3000×4000)',
    spec: {
      width: 3000,
      height: 4000,
      corners: [
        [420, 380],
        [2560, 300],
        [2700, 3640],
        [330, 3720],
      ],
      bend: 0.015,
      falloff: 0.3,
      desk: 'cloth',
    },
  },
];

/**
 * `--dev`: other photos of the same report (other sizes, corners, tilt, bend, light, desk) to
 * develop on, so that the five above stay a held-out measure.
 */
const devPhotos: { name: string; spec: PhotoSpec }[] = [
  {
    name: 'dev: turned 2°, cloth, 560×720',
    spec: {
      width: 560,
      height: 720,
      corners: corners(
        560,
        720,
        [
          [0.08, 0.07],
          [0.92, 0.06],
          [0.93, 0.94],
          [0.07, 0.93],
        ],
        2,
      ),
      bend: 0.01,
      falloff: 0.25,
      desk: 'cloth',
    },
  },
  {
    name: 'dev: keystone, wood, 700×900',
    spec: {
      width: 700,
      height: 900,
      corners: [
        [120, 90],
        [590, 80],
        [660, 840],
        [50, 830],
      ],
      bend: 0.012,
      falloff: 0.3,
      desk: 'wood',
    },
  },
  {
    name: 'dev: turned −5°, cloth, 900×1150',
    spec: {
      width: 900,
      height: 1150,
      corners: corners(
        900,
        1150,
        [
          [0.1, 0.08],
          [0.9, 0.08],
          [0.9, 0.92],
          [0.1, 0.92],
        ],
        -5,
      ),
      bend: 0.015,
      falloff: 0.4,
      desk: 'cloth',
    },
  },
  {
    name: 'dev: keystone narrow bottom, cloth, 1100×1400',
    spec: {
      width: 1100,
      height: 1400,
      corners: [
        [90, 110],
        [1010, 120],
        [900, 1300],
        [190, 1290],
      ],
      bend: 0.01,
      falloff: 0.2,
      desk: 'cloth',
    },
  },
  {
    name: 'dev: keystone sideways, wood, 1400×1800',
    spec: {
      width: 1400,
      height: 1800,
      corners: [
        [160, 200],
        [1240, 120],
        [1250, 1700],
        [170, 1600],
      ],
      bend: 0.018,
      falloff: 0.35,
      desk: 'wood',
    },
  },
  {
    name: 'dev: turned 1.5°, wood, 2000×2600',
    spec: {
      width: 2000,
      height: 2600,
      corners: corners(
        2000,
        2600,
        [
          [0.1, 0.09],
          [0.9, 0.09],
          [0.9, 0.91],
          [0.1, 0.91],
        ],
        1.5,
      ),
      bend: 0.01,
      falloff: 0.3,
      desk: 'wood',
    },
  },
  {
    name: 'dev: keystone, cloth, 2400×3200',
    spec: {
      width: 2400,
      height: 3200,
      corners: [
        [380, 260],
        [2050, 300],
        [2200, 3000],
        [230, 2950],
      ],
      bend: 0.02,
      falloff: 0.25,
      desk: 'cloth',
    },
  },
];
const dev = process.argv.includes('--dev');

const options = engineOptionsFromConfig(loadConfig());
function score(doc: OcrDocument) {
  const pred = doc.pages.flatMap((p) => p.blocks.filter(isTableBlock).map((b) => tableToHtml(b.table)));
  const t = tedsOfDocument(pred, truth);
  const adj = adjacencyF1OfDocument(pred, truth);
  const grids = doc.pages.flatMap((p) => p.blocks.filter(isTableBlock).map((b) => `${b.table.n_rows}×${b.table.n_cols}`));
  return { teds: r3(t?.teds ?? 0), teds_s: r3(t?.teds_s ?? 0), adj_f1: r3(adj ?? 0), tables: grids.join(' ') };
}

const rows: { name: string; teds: number; teds_s: number; adj_f1: number; tables: string; seconds: number }[] = [];
async function measure(name: string, tag: string, data: Buffer): Promise<void> {
  const t0 = performance.now();
  const doc = await runDocument(data, { options, engine: 'paddle', mode: 'layout', filename: 'photo.jpg' });
  rows.push({ name, ...score(doc), seconds: r3((performance.now() - t0) / 1000) });
  if (dumpDir) {
    const base = path.join(dumpDir, tag);
    writeFileSync(`${base}.jpg`, data);
    writeFileSync(`${base}.html`, doc.pages.flatMap((p) => p.blocks.filter(isTableBlock).map((b) => tableToHtml(b.table))).join('\n'));
  }
  if (!asJson) console.error(`${name}: ${JSON.stringify(rows[rows.length - 1])}`);
}

try {
  if (dumpDir) mkdirSync(dumpDir, { recursive: true });
  if (!only && !process.argv.includes('--no-scan')) await measure('scan (912×1280)', 'scan', readFileSync(scanFile));
  const scan = await loadRaster(scanFile);
  for (const [i, p] of (dev ? devPhotos : photos).entries()) {
    if (only && only !== i + 1) continue;
    const sim = await simulatePhoto(scan, p.spec);
    const jpeg = await sharp(sim.image.data, { raw: { width: sim.image.width, height: sim.image.height, channels: 3 } })
      .jpeg({ quality: 90 })
      .toBuffer();
    await measure(p.name, `${dev ? 'dev' : 'photo'}-${i + 1}`, jpeg);
  }
} finally {
  await disposeEngines();
}
const photoRows = rows.filter((r) => !r.name.startsWith('scan'));
const mean = (k: 'teds' | 'teds_s' | 'adj_f1') => r3(photoRows.reduce((s, r) => s + r[k], 0) / Math.max(1, photoRows.length));
const summary = { photos: photoRows.length, teds: mean('teds'), teds_s: mean('teds_s'), adj_f1: mean('adj_f1') };
if (asJson) console.log(JSON.stringify({ rows, photos_mean: summary }));
else {
  console.log('| image | tables | TEDS | TEDS-S | adj F1 | s |\n| --- | --- | --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.name} | ${r.tables} | ${r.teds} | ${r.teds_s} | ${r.adj_f1} | ${r.seconds} |`);
  console.log(`| photos, mean | | ${summary.teds} | ${summary.teds_s} | ${summary.adj_f1} | |`);
}
