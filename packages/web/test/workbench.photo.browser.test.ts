/**
 * A phone photo of the printed report on a desk — in perspective, bent, unevenly lit, stored sideways
 * with an EXIF Orientation tag — uploaded through the UI in real Chromium against a real ocrflow:
 * the workbench shows the straightened page with the cell boxes over it, the sheet has the report's
 * rows, and the photo as uploaded is one link away.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser } from 'playwright-core';
import type { OcrDocument, Sheet } from '@ocrflow/core';
import type { TestServer } from '../../server/test/helpers/server.helper.ts';
import { loadRaster, simulatePhoto } from '../../engines/test/image/photo.helper.ts';
import { OCR_TIMEOUT, REPORT_SCAN, launchChromium, openPage, scriptErrors, startWorkbench, uploadFile, waitReady } from './helpers/browser.helper.ts';

let server: TestServer;
let browser: Browser;

before(async () => {
  server = await startWorkbench();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function apiData<T>(p: string): Promise<T> {
  const r = await fetch(`${server.url}/api/v1/${p}`);
  const body = (await r.json()) as { success: boolean; data: T; message: string };
  assert.ok(r.ok && body.success, `${p}: ${r.status} ${body.message}`);
  return body.data;
}

test("a sideways desk photo of the report: the straightened page with its cells, the report's rows, and the original one click away", {
  timeout: OCR_TIMEOUT + 120_000,
}, async () => {
  const scan = await loadRaster(REPORT_SCAN);
  const shot = await simulatePhoto(scan, {
    width: 1300,
    height: 1700,
    corners: [
      [190, 230],
      [1120, 170],
      [1170, 1520],
      [150, 1470],
    ],
    bend: 0.01,
    falloff: 0.35,
    desk: 'wood',
  });
  // Stored as a phone held sideways stores it: pixels turned, Orientation 6 says turn 90° clockwise.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-desk-'));
  const file = path.join(dir, 'desk-photo.jpg');
  await sharp(shot.image.data, { raw: { width: shot.image.width, height: shot.image.height, channels: 3 } })
    .rotate(270)
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 92 })
    .toFile(file);

  const page = await openPage(browser);
  await page.goto(server.url);
  const id = await uploadFile(page, file);
  await waitReady(page);
  const doc = await apiData<OcrDocument>(`tasks/${id}/document`);
  const p0 = doc.pages[0];
  assert.ok(p0.straightened, `flags ${p0.flags}`);
  assert.deepEqual([p0.straightened.source_width, p0.straightened.source_height], [1300, 1700], 'cut from the upright photo');
  // Portrait, and the sheet alone: its corners lie well inside the photo (a sheet this small in the
  // photo is cut out larger than shot, so the page's size says nothing about the desk).
  assert.ok(p0.height > p0.width && p0.straightened.corners.every(([x, y]) => x > 60 && y > 60 && x < 1240 && y < 1640), 'a portrait page without the desk');

  // The page image is the straightened page, and every cell box is drawn over it.
  const img = page.locator('[data-testid=page-image]');
  await page.waitForFunction(() => ((document.querySelector('[data-testid=page-image]') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0);
  assert.deepEqual(await img.evaluate((el) => [(el as HTMLImageElement).naturalWidth, (el as HTMLImageElement).naturalHeight]), [p0.width, p0.height]);
  const cellBoxes = doc.pages.flatMap((p) => p.blocks).flatMap((b) => (b.type === 'table' ? b.table.cells.filter((c) => c.bbox) : [])).length;
  assert.ok(cellBoxes > 20, `cell boxes found (${cellBoxes})`);
  assert.equal(await page.locator('[data-testid=overlay-svg] rect.ov-cell').count(), cellBoxes);

  // The report's ticket-count row, its three periods left to right.
  const sheets = (await apiData<{ sheets: Sheet[] }>(`tasks/${id}/tables`)).sheets;
  const cells = sheets.flatMap((s) => s.rows);
  const row = cells.find((r) => r.some((v) => String(v ?? '').includes('工单总量')));
  assert.ok(row, 'the 工单总量 row');
  assert.deepEqual(
    row
      .map((v) => String(v ?? '').trim())
      .filter((x) => /^\d+$/.test(x))
      .slice(0, 3),
    ['1457', '1510', '1391'],
  );

  // The original photo: the link serves the upload byte for byte.
  const link = page.locator('[data-testid=original-photo]');
  assert.equal(await link.count(), 1);
  const href = await link.getAttribute('href');
  assert.ok(href);
  const orig = Buffer.from(await (await fetch(new URL(href, server.url))).arrayBuffer());
  assert.ok(orig.equals(fs.readFileSync(file)), 'the uploaded file');
  assert.deepEqual(scriptErrors(page), []);
  await page.context().close();
});
