/**
 * Straightening on real pages: the clean report scan and a ruled table page are photographed
 * honestly in simulation (a known homography, a bend, uneven light with a colour cast, a textured
 * desk, noise, JPEG), and the straightened page must bring every point back to where it was on the
 * original — checked through the mapping the result records and by finding the printed rules.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { Point } from '@ocrflow/core';
import { applyStraightening, openDocument, straighteningMap, straightenPage, STRAIGHTEN_FLAGS } from '../../src/index.ts';
import { resizeRaster } from '../../src/image/raster.ts';
import { pageEnlargement } from '../../src/image/page.straighten.ts';
import type { RasterImage } from '../../src/types.ts';
import { gridSvg, svgToRaster } from '../tables/render.helper.ts';
import { correlation, loadRaster, simulatePhoto, type SimulatedPhoto } from './photo.helper.ts';

const SCAN = new URL('../../../../../shared/datasets/cn-report-dev/report-scan.jpg', import.meta.url);

let scanP: Promise<RasterImage> | undefined;
const scan = () => (scanP ??= loadRaster(SCAN.pathname));
let reportPhotoP: Promise<SimulatedPhoto> | undefined;
/** The report on a wood desk: keystone and tilt, a 1.2% bend, light falling by 35% and a shadow band. */
const reportPhoto = async () =>
  (reportPhotoP ??= scan().then((s) =>
    simulatePhoto(s, {
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
    }),
  ));

/** Distances (in original pixels) between where straightened points came from and where they should be. */
function mappingErrors(
  page: { width: number; height: number },
  map: (x: number, y: number) => Point,
  photoToOriginal: (p: Point) => Point,
  ow: number,
  oh: number,
) {
  const errs: number[] = [];
  for (let fy = 0.03; fy <= 0.97; fy += 0.047) {
    for (let fx = 0.03; fx <= 0.97; fx += 0.047) {
      const [sx, sy] = photoToOriginal(map(fx * page.width, fy * page.height));
      errs.push(Math.hypot(sx - fx * ow, sy - fy * oh));
    }
  }
  return { max: Math.max(...errs), mean: errs.reduce((a, b) => a + b, 0) / errs.length };
}

test('the report photographed on a desk comes back onto the scan within a couple of pixels', async () => {
  const s = await scan();
  const photo = await reportPhoto();
  const r = await straightenPage(photo.image);
  assert.deepEqual(r.flags, [STRAIGHTEN_FLAGS.straightened]);
  assert.ok(r.straightened);
  assert.equal(r.image.width, r.straightened.width);
  assert.equal(r.straightened.source_width, photo.image.width);
  // The page keeps the photo's resolution: as wide as the sheet's longer side in the photo (bottom,
  // 943 px), enlarged because that sheet (about 1 200 px high) is under the smallest page side.
  const k = pageEnlargement(Math.hypot(1078 - 136, 48), Math.hypot(1078 - 1030, 1360 - 160));
  assert.ok(k > 1.2 && k < 1.4, `enlarged ${k}`);
  assert.ok(Math.abs(r.image.width - k * Math.hypot(1078 - 136, 48)) < 8 * k, `width ${r.image.width}`);
  assert.ok(r.straightened.bend_px > 5, `a 1.2% bend is seen (${r.straightened.bend_px} px)`);
  const e = mappingErrors(r.image, straighteningMap(r.straightened), photo.photoToScan, s.width, s.height);
  assert.ok(e.mean < 2 && e.max < 4, `mean ${e.mean.toFixed(2)} px, max ${e.max.toFixed(2)} px`);
  // The pixels agree with the scan too: the straightened page correlates with it, the photo does not.
  const back = await resizeRaster(r.image, s.width, s.height);
  const raw = await resizeRaster(photo.image, s.width, s.height);
  const cs = correlation(back, s),
    cp = correlation(raw, s);
  assert.ok(cs > 0.7 && cp < 0.2, `straightened ${cs.toFixed(3)}, photo ${cp.toFixed(3)}`);
});

test("a sheet photographed small is cut out larger, at most twice the photo's resolution; a large one is not", () => {
  assert.equal(pageEnlargement(2400, 3200), 1);
  assert.equal(pageEnlargement(1600, 1200), 1);
  assert.equal(pageEnlargement(1100, 1450), 1, 'a slight enlargement only blurs');
  assert.ok(Math.abs(pageEnlargement(900, 1200) - 1600 / 1200) < 1e-9);
  assert.equal(pageEnlargement(600, 800), 2);
  assert.equal(pageEnlargement(300, 400), 2);
});

test('a small photo of the report: the page is enlarged, and still maps back onto the scan', async () => {
  const s = await scan();
  const photo = await simulatePhoto(
    s,
    {
      width: 620,
      height: 800,
      corners: [
        [70, 60],
        [560, 75],
        [590, 760],
        [40, 740],
      ],
      bend: 0.01,
      falloff: 0.3,
      desk: 'cloth',
    },
    3,
  );
  const r = await straightenPage(photo.image);
  assert.ok(r.straightened);
  const long = Math.max(r.image.width, r.image.height);
  assert.ok(long > 1.8 * 700 && long <= 1600 + 2, `page ${r.image.width} × ${r.image.height}`);
  const e = mappingErrors(r.image, straighteningMap(r.straightened), photo.photoToScan, s.width, s.height);
  assert.ok(e.mean < 3 && e.max < 6, `mean ${e.mean.toFixed(2)} px, max ${e.max.toFixed(2)} px`);
  const again = await applyStraightening(photo.image, JSON.parse(JSON.stringify(r.straightened)));
  assert.ok(again.data.equals(r.image.data), 'the stored parameters rebuild the enlarged page');
});

test('the stored parameters rebuild exactly the page the engine read', async () => {
  const photo = await reportPhoto();
  const r = await straightenPage(photo.image);
  const again = await applyStraightening(photo.image, JSON.parse(JSON.stringify(r.straightened)));
  assert.equal(again.width, r.image.width);
  assert.ok(again.data.equals(r.image.data));
});

test('light is flattened: paper comes out even across the fall-off and the shadow', async () => {
  const photo = await reportPhoto();
  const r = await straightenPage(photo.image);
  const { width: w, height: h, data } = r.image;
  // Paper brightness (90th percentile of a patch) in the left and right margins, top and bottom.
  const paper = (x0: number, y0: number) => {
    const v: number[] = [];
    for (let y = y0; y < y0 + 30; y++)
      for (let x = x0; x < x0 + 20; x++) {
        const i = (y * w + x) * 3;
        v.push((data[i] + data[i + 1] + data[i + 2]) / 3);
      }
    return v.sort((a, b) => a - b)[Math.floor(v.length * 0.9)];
  };
  const samples = [paper(10, Math.round(h * 0.3)), paper(w - 30, Math.round(h * 0.3)), paper(10, Math.round(h * 0.8)), paper(w - 30, Math.round(h * 0.8))];
  assert.ok(Math.max(...samples) - Math.min(...samples) < 20, `paper ${samples.map(Math.round)}`);
  // And neutral: the warm cast is gone (blue within a few levels of red on paper).
  const i = (Math.round(h * 0.3) * w + 15) * 3;
  assert.ok(Math.abs(data[i] - data[i + 2]) < 16, `rgb ${data[i]},${data[i + 1]},${data[i + 2]}`);
});

test('a ruled table page on dark cloth: the printed rules come back where they were printed', async () => {
  const spec = {
    colWidths: [110, 190, 150, 150, 130],
    rowHeights: Array<number>(14).fill(46),
    x0: 70,
    y0: 140,
    width: 900,
    height: 1270,
    fontSize: 17,
    cells: Array.from({ length: 14 * 5 }, (_, k) => ({ row: Math.floor(k / 5), col: k % 5, text: `R${Math.floor(k / 5)}C${k % 5} ${(k * 37) % 1000}` })),
  };
  const page = await svgToRaster(gridSvg(spec));
  const xs = [spec.x0];
  for (const w of spec.colWidths) xs.push(xs[xs.length - 1] + w);
  const ys = [spec.y0];
  for (const h of spec.rowHeights) ys.push(ys[ys.length - 1] + h);
  const photo = await simulatePhoto(
    page,
    {
      width: 1200,
      height: 1600,
      corners: [
        [190, 150],
        [1040, 236],
        [1000, 1460],
        [120, 1384],
      ],
      bend: 0.015,
      falloff: 0.3,
      desk: 'cloth',
    },
    11,
  );
  const r = await straightenPage(photo.image);
  assert.ok(r.straightened, `flags ${r.flags}`);
  const e = mappingErrors(r.image, straighteningMap(r.straightened), photo.photoToScan, page.width, page.height);
  assert.ok(e.mean < 2 && e.max < 4, `mean ${e.mean.toFixed(2)} px, max ${e.max.toFixed(2)} px`);
  // Find the rules on the straightened page (brought to the printed page's size) by projection.
  const back = await resizeRaster(r.image, page.width, page.height);
  const dark = (x: number, y: number) => 255 - back.data[(y * back.width + x) * 3 + 1];
  const peak = (at: number, horizontal: boolean) => {
    let best = at,
      bestV = -1;
    for (let p = at - 8; p <= at + 8; p++) {
      let v = 0;
      if (horizontal) for (let x = xs[0] + 5; x < xs[xs.length - 1] - 5; x++) v += dark(x, p);
      else for (let y = ys[0] + 5; y < ys[ys.length - 1] - 5; y++) v += dark(p, y);
      if (v > bestV) {
        bestV = v;
        best = p;
      }
    }
    return best;
  };
  for (const y of ys) assert.ok(Math.abs(peak(y, true) - y) <= 3, `row rule at ${y} found at ${peak(y, true)}`);
  for (const x of xs) assert.ok(Math.abs(peak(x, false) - x) <= 3, `column rule at ${x} found at ${peak(x, false)}`);
});

for (const orientation of [6, 8] as const) {
  test(`a photo stored sideways with EXIF orientation ${orientation} is turned upright first, then straightened`, async () => {
    const s = await scan();
    const photo = await reportPhoto();
    // Store the pixels turned the other way, with the tag saying how to turn them upright.
    const stored = await sharp(photo.image.data, { raw: { width: photo.image.width, height: photo.image.height, channels: 3 } })
      .rotate(orientation === 6 ? 270 : 90)
      .jpeg({ quality: 92 })
      .withMetadata({ orientation })
      .toBuffer();
    const meta = await sharp(stored).metadata();
    assert.equal(meta.orientation, orientation);
    assert.equal(meta.width, photo.image.height, 'stored sideways');
    const doc = await openDocument(stored);
    const src = await doc.renderPage(0);
    doc.close();
    assert.equal(src.image.width, photo.image.width);
    const r = await straightenPage(src.image);
    assert.ok(r.straightened, `flags ${r.flags}`);
    assert.ok(r.image.height > r.image.width, 'the page is portrait');
    const e = mappingErrors(r.image, straighteningMap(r.straightened), photo.photoToScan, s.width, s.height);
    assert.ok(e.mean < 2.5 && e.max < 5, `mean ${e.mean.toFixed(2)} px, max ${e.max.toFixed(2)} px`);
  });
}

test("a photo whose sheet runs off the picture is squared to the table's printed frame", async () => {
  const s = await scan();
  // The sheet's right and bottom edges leave the picture (the desk shows on the other two sides);
  // the report's ruled frame stays inside, tilted and in perspective.
  const photo = await simulatePhoto(
    s,
    {
      width: 1100,
      height: 1450,
      corners: [
        [120, 90],
        [1130, 120],
        [1110, 1480],
        [95, 1460],
      ],
      bend: 0,
      falloff: 0.3,
      desk: 'wood',
    },
    5,
  );
  const r = await straightenPage(photo.image);
  assert.deepEqual(r.flags, [STRAIGHTEN_FLAGS.straightened]);
  assert.equal(r.straightened?.method, 'frame');
  // Squared to the frame, the page maps onto the scan by a scale and a shift alone: fit them and
  // every point must sit within a pixel or two of the fit.
  const m = straighteningMap(r.straightened!);
  const pts: [number, number, number, number][] = [];
  for (let fy = 0.15; fy <= 0.85; fy += 0.05)
    for (let fx = 0.15; fx <= 0.85; fx += 0.05) {
      const x = fx * r.image.width,
        y = fy * r.image.height;
      const [sx, sy] = photo.photoToScan(m(x, y));
      pts.push([x, y, sx, sy]);
    }
  const residual = (a: number[], b: number[]) => {
    const n = a.length,
      ma = a.reduce((t, v) => t + v, 0) / n,
      mb = b.reduce((t, v) => t + v, 0) / n;
    let sab = 0,
      saa = 0;
    for (let i = 0; i < n; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) ** 2;
    }
    return Math.max(...a.map((v, i) => Math.abs(mb + (sab / saa) * (v - ma) - b[i])));
  };
  const rx = residual(
      pts.map((p) => p[0]),
      pts.map((p) => p[2]),
    ),
    ry = residual(
      pts.map((p) => p[1]),
      pts.map((p) => p[3]),
    );
  assert.ok(rx < 2.5 && ry < 2.5, `residual x ${rx.toFixed(2)}, y ${ry.toFixed(2)}`);
});

test('a plain scan is left exactly as it is', async () => {
  const s = await scan();
  const r = await straightenPage(s);
  assert.equal(r.image, s);
  assert.equal(r.straightened, undefined);
  assert.deepEqual(r.flags, []);
});

test('a photo whose sheet runs off the frame is read as it is, with a warning flag', async () => {
  const photo = await reportPhoto();
  // Crop so the sheet's right and bottom edges leave the frame: no four corners to find.
  const { data, info } = await sharp(photo.image.data, { raw: { width: photo.image.width, height: photo.image.height, channels: 3 } })
    .extract({ left: 0, top: 0, width: 900, height: 1100 })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const img: RasterImage = { data, width: info.width, height: info.height, channels: 3 };
  const r = await straightenPage(img);
  assert.equal(r.image, img);
  assert.equal(r.straightened, undefined);
  assert.deepEqual(r.flags, [STRAIGHTEN_FLAGS.notStraightened]);
});
