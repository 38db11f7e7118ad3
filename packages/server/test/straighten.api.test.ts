/**
 * A photographed page through the service over real HTTP: the result's page is the straightened
 * page (its size, its boxes, how it was cut from the photo), the page images of the results zip
 * are that page, and the job option `straighten=false` reads the photo as it is.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import type { OcrDocument } from '@ocrflow/core';
import { Api } from './helpers/api.helper.ts';
import { REPORT_SCAN, dataset } from './helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';
import { readZip } from './helpers/zip.helper.ts';
import { loadRaster, simulatePhoto } from '../../engines/test/image/photo.helper.ts';

let srv: TestServer;
let api: Api;
let photo: Buffer;

before(async () => {
  srv = await startTestServer();
  api = new Api(srv.url);
  const scan = await loadRaster(dataset(REPORT_SCAN));
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
  photo = await sharp(p.image.data, { raw: { width: p.image.width, height: p.image.height, channels: 3 } })
    .jpeg({ quality: 92 })
    .toBuffer();
});
after(() => srv?.close());

async function ocr(fields: Record<string, string> = {}): Promise<{ id: string; doc: OcrDocument }> {
  const job = await api.submit(photo, 'desk-photo.jpg', { mode: 'text', ...fields });
  const done = await api.waitDone(job.id, 180_000);
  assert.equal(done.status, 'finished', JSON.stringify(done.error));
  const r = await api.json<OcrDocument>(`/v1/jobs/${job.id}/result?format=json`);
  assert.equal(r.status, 200);
  return { id: job.id, doc: r.body };
}

test('the result and its page images are the straightened page; the photo stays behind it', async () => {
  const { id, doc } = await ocr();
  const page = doc.pages[0];
  assert.ok(page.straightened, `flags ${page.flags}`);
  assert.deepEqual([page.width, page.height], [page.straightened.width, page.straightened.height]);
  assert.deepEqual([page.straightened.source_width, page.straightened.source_height], [1200, 1520]);
  assert.equal(page.straightened.homography.length, 9);
  // The page is the sheet alone (its corners well inside the photo); a sheet this small in the
  // photo is cut out larger than shot, so the page's size says nothing about the desk.
  assert.ok(
    page.straightened.corners.every(([x, y]) => x > 60 && y > 60 && x < 1140 && y < 1460),
    'the desk is cut away',
  );
  const zr = await api.fetch(`/result/images/jobs/${id}`);
  assert.equal(zr.status, 200);
  const entry = readZip(Buffer.from(await zr.arrayBuffer())).find((e) => e.name === 'page_0001.jpg');
  assert.ok(entry);
  const meta = await sharp(entry.data).metadata();
  assert.deepEqual([meta.width, meta.height], [page.width, page.height]);
  // It is the straightened page, not the photo stretched to its size: the corner is paper, not desk.
  const { data } = await sharp(entry.data).extract({ left: 4, top: 4, width: 8, height: 8 }).raw().toBuffer({ resolveWithObject: true });
  const mean = data.reduce((s, v) => s + v, 0) / data.length;
  assert.ok(mean > 200, `top-left corner mean ${mean.toFixed(0)}`);
});

test('straighten=false reads the photo as it is', async () => {
  const { doc } = await ocr({ straighten: 'false' });
  const page = doc.pages[0];
  assert.equal(page.straightened, undefined);
  assert.deepEqual([page.width, page.height], [1200, 1520]);
});

test('a bad straighten value is refused', async () => {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'p.jpg');
  form.append('straighten', 'maybe');
  const r = await api.fetch('/v1/jobs', { method: 'POST', body: form });
  assert.equal(r.status, 400);
});
