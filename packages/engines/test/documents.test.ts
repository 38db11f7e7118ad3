import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import * as mupdf from 'mupdf';
import { isOcrflowError } from '@ocrflow/core';
import { inspectDocument, openDocument, sniffMime } from '../src/index.ts';
import { checkTextLayer } from '../src/pipeline/pdf.source.ts';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

async function rejects(p: Promise<unknown>, code: string) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(isOcrflowError(e), `not an OcrflowError: ${String(e)}`);
    assert.equal((e as { code: string }).code, code);
    return true;
  });
}

function crc32(buf: Buffer): number {
  let c = ~0;
  for (const b of buf) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** A PNG that only claims 30000×30000 pixels: header and a tiny IDAT, never the pixels. */
function pngBomb(): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(30000, 0);
  ihdr.writeUInt32BE(30000, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

test('magic bytes decide the type, not the name', async () => {
  assert.equal(sniffMime(fixture('receipt-header.jpg')), 'image/jpeg');
  assert.equal(sniffMime(await sharp(fixture('cn-title.jpg')).png().toBuffer()), 'image/png');
  assert.equal(sniffMime(await sharp(fixture('cn-title.jpg')).webp().toBuffer()), 'image/webp');
  assert.equal(sniffMime(await sharp(fixture('cn-title.jpg')).tiff().toBuffer()), 'image/tiff');
  assert.equal(sniffMime(Buffer.from('%PDF-1.7\n...')), 'application/pdf');
  assert.equal(sniffMime(Buffer.from('hello, I am text renamed to .png\n')), null);
});

test('inspect reads header dimensions of a real image', async () => {
  const info = await inspectDocument(fixture('receipt-header.jpg'));
  assert.deepEqual(info, { mime: 'image/jpeg', pageCount: 1, width: 461, height: 160 });
});

test('bad inputs give stable error codes', async () => {
  await rejects(inspectDocument(Buffer.alloc(0)), 'OCRFLOW_ERR_EMPTY_FILE');
  await rejects(inspectDocument(Buffer.from('just some text, saved as invoice.png\n')), 'OCRFLOW_ERR_UNSUPPORTED_MEDIA');
  const jpg = fixture('receipt-header.jpg');
  await rejects(inspectDocument(jpg.subarray(0, Math.floor(jpg.length / 2))), 'OCRFLOW_ERR_CORRUPT_FILE');
  const png = await sharp(jpg).png().toBuffer();
  await rejects(inspectDocument(png.subarray(0, Math.floor(png.length / 2))), 'OCRFLOW_ERR_CORRUPT_FILE');
  await rejects(inspectDocument(png.subarray(0, 20)), 'OCRFLOW_ERR_CORRUPT_FILE');
  await rejects(inspectDocument(Buffer.from('%PDF-1.4\n1 0 obj <</Type /Catalog>> garbage garbage\n')), 'OCRFLOW_ERR_CORRUPT_FILE');
  // The bomb is refused from its header, by inspect and by open, before any decoding.
  const rss0 = process.memoryUsage().rss;
  await rejects(inspectDocument(pngBomb()), 'OCRFLOW_ERR_IMAGE_TOO_LARGE');
  await rejects(openDocument(pngBomb()), 'OCRFLOW_ERR_IMAGE_TOO_LARGE');
  assert.ok(process.memoryUsage().rss - rss0 < 500e6, 'no 2.7 GB pixel buffer was allocated');
  await rejects(inspectDocument(fixture('receipt-header.jpg'), { maxPixels: 1000 }), 'OCRFLOW_ERR_IMAGE_TOO_LARGE');
});

test('EXIF orientation 6 (rotate 90° clockwise) is applied on open', async () => {
  // Store the upright fixture turned 90° counter-clockwise, with a tag saying "rotate 90° to view".
  const stored = await sharp(fixture('receipt-header.jpg')).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toBuffer();
  const info = await inspectDocument(stored);
  assert.deepEqual([info.width, info.height], [160, 461], 'inspect reports the stored size');
  const doc = await openDocument(stored);
  const page = await doc.renderPage(0);
  doc.close();
  assert.equal(page.exifRotation, 90);
  assert.deepEqual([page.image.width, page.image.height], [461, 160]);
  // Same pixels as the upright original (JPEG re-encoding aside).
  const orig = await sharp(fixture('receipt-header.jpg')).removeAlpha().raw().toBuffer();
  let diff = 0;
  for (let i = 0; i < orig.length; i++) diff += Math.abs(orig[i] - page.image.data[i]);
  assert.ok(diff / orig.length < 12, `mean abs difference ${diff / orig.length}`);
});

function makePdf(kind: 'text' | 'image', png?: Buffer): Buffer {
  const doc = new mupdf.PDFDocument();
  const resources = doc.newDictionary();
  let contents: string;
  if (kind === 'text') {
    const fonts = doc.newDictionary();
    fonts.put('F1', doc.addSimpleFont(new mupdf.Font('Helvetica')));
    resources.put('Font', fonts);
    contents = 'BT /F1 24 Tf 72 720 Td (Hello ocrflow text layer) Tj 0 -40 Td (Second line 42) Tj ET';
  } else {
    const xobj = doc.newDictionary();
    xobj.put('I0', doc.addImage(new mupdf.Image(png!)));
    resources.put('XObject', xobj);
    contents = 'q 461 0 0 160 50 600 cm /I0 Do Q';
  }
  const page = doc.addPage([0, 0, 612, 792], 0, resources, contents);
  doc.insertPage(-1, page);
  return Buffer.from(doc.saveToBuffer('compress').asUint8Array());
}

test('a PDF with a text layer uses it; an image-only PDF is rendered for OCR', async () => {
  const textPdf = makePdf('text');
  const info = await inspectDocument(textPdf);
  assert.equal(info.mime, 'application/pdf');
  assert.equal(info.pageCount, 1);
  assert.deepEqual([info.width, info.height], [Math.round((612 * 200) / 72), Math.round((792 * 200) / 72)]);
  const doc = await openDocument(textPdf);
  const page = await doc.renderPage(0);
  doc.close();
  assert.deepEqual(
    page.textLayer?.map((l) => l.text),
    ['Hello ocrflow text layer', 'Second line 42'],
  );
  // Text-layer boxes are in rendered pixels: 72 pt from the left at 200 dpi is 200 px.
  assert.ok(Math.abs(page.textLayer![0].bbox[0] - 200) < 3, String(page.textLayer![0].bbox));
  assert.deepEqual(
    page.textLayer![0].words.map((w) => w.text),
    ['Hello', 'ocrflow', 'text', 'layer'],
  );

  const png = await sharp(fixture('receipt-header.jpg')).png().toBuffer();
  const imgDoc = await openDocument(makePdf('image', png));
  const ip = await imgDoc.renderPage(0);
  imgDoc.close();
  assert.equal(ip.textLayer, undefined);
  assert.deepEqual([ip.image.width, ip.image.height], [1700, 2200]);
});

test('text layers made of replacement or private-use characters are rejected', () => {
  const l = (text: string) => ({ text, bbox: [0, 0, 10, 10] as [number, number, number, number], polygon: [], confidence: 1, words: [] });
  assert.equal(checkTextLayer([l('An ordinary text layer with enough words in it.')], 0).ok, true);
  assert.equal(checkTextLayer([l('\ue000\ue001\ue002\ue003 garbled')], 0).ok, false);
  assert.equal(checkTextLayer([l('Stamp')], 0.95).ok, false, 'a scan with a stray word');
});
