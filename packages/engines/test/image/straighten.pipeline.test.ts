/**
 * Straightening inside the page pipeline with the real paddle engine: the straightened page is what
 * the engine reads and what the page's size and boxes refer to; it can be turned off; a photo
 * whose sheet cannot be found is still read, with a warning flag, never an error.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import sharp from 'sharp';
import { loadConfig, type Page } from '@ocrflow/core';
import { openDocument, processPage, disposeEngines, engineOptionsFromConfig, useEngine, STRAIGHTEN_FLAGS } from '../../src/index.ts';
import { PaddleEngine } from '../../src/paddle/paddle.engine.ts';
import { loadRaster, simulatePhoto } from './photo.helper.ts';

const options = engineOptionsFromConfig(loadConfig({ env: {} }));
useEngine('paddle', PaddleEngine.create({ intraOpNumThreads: Math.min(2, os.availableParallelism()) }));
after(() => disposeEngines());

const SCAN = new URL('../../../../../shared/datasets/cn-report-dev/report-scan.jpg', import.meta.url);

let jpegP: Promise<Buffer> | undefined;
/** The report photographed on a desk, as the JPEG a phone would send. */
const photoJpeg = () =>
  (jpegP ??= (async () => {
    const scan = await loadRaster(SCAN.pathname);
    const p = await simulatePhoto(scan, {
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
    });
    return sharp(p.image.data, { raw: { width: p.image.width, height: p.image.height, channels: 3 } })
      .jpeg({ quality: 92 })
      .toBuffer();
  })());

async function run(data: Buffer, straighten?: boolean): Promise<Page> {
  const doc = await openDocument(data);
  try {
    return await processPage(await doc.renderPage(0), { engine: 'paddle', languages: ['ch', 'en'], mode: 'text', options, straighten });
  } finally {
    doc.close();
  }
}
const text = (p: Page) => p.blocks.map((b) => ('text' in b ? b.text : '')).join('\n');
const boxesInside = (p: Page) => p.blocks.every((b) => b.bbox[0] >= -1 && b.bbox[1] >= -1 && b.bbox[2] <= p.width + 1 && b.bbox[3] <= p.height + 1);

test('a photographed report is read from its straightened page, and the page says so', async () => {
  const page = await run(await photoJpeg());
  assert.ok(page.flags.includes(STRAIGHTEN_FLAGS.straightened), `flags ${page.flags}`);
  assert.ok(page.straightened);
  assert.equal(page.width, page.straightened.width);
  assert.equal(page.height, page.straightened.height);
  assert.equal(page.straightened.source_width, 1200);
  assert.ok(typeof page.timings_ms.straighten === 'number');
  assert.ok(boxesInside(page));
  const t = text(page);
  assert.ok(t.includes('桌面运维服务报告'), t);
  // The report's top-left text sits at the top-left of the straightened page, not where the photo had it.
  const first = page.blocks.find((b) => 'text' in b && b.text.includes('呈报'));
  assert.ok(first, t);
  assert.ok(first.bbox[0] < page.width * 0.15 && first.bbox[1] < page.height * 0.08, `呈报 at ${first.bbox}`);
});

test('straightening can be turned off for a job: the photo is read as it is', async () => {
  const page = await run(await photoJpeg(), false);
  assert.equal(page.straightened, undefined);
  assert.equal(page.width, 1200);
  assert.ok(!page.flags.includes(STRAIGHTEN_FLAGS.straightened));
});

test('a photo whose sheet runs off the frame is still read, with the warning flag', async () => {
  const cropped = await sharp(await photoJpeg())
    .extract({ left: 0, top: 0, width: 900, height: 1100 })
    .jpeg()
    .toBuffer();
  const page = await run(cropped);
  assert.equal(page.straightened, undefined);
  assert.ok(page.flags.includes(STRAIGHTEN_FLAGS.notStraightened), `flags ${page.flags}`);
  assert.equal(page.width, 900);
  assert.ok(text(page).length > 20, 'the page was read');
});
