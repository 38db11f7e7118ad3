import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import * as mupdf from 'mupdf';
import { documentToText, loadConfig, pageLines, type OcrDocument, type Page } from '@ocrflow/core';
import { engineOptionsFromConfig, renderSearchablePdf, runDocument, useEngine } from '../src/index.ts';
import { PaddleEngine } from '../src/paddle/paddle.engine.ts';

const options = engineOptionsFromConfig(loadConfig());

useEngine('paddle', PaddleEngine.create({ intraOpNumThreads: Math.min(2, os.availableParallelism()) }));

const datasets = new URL('../../../../shared/datasets/', import.meta.url);
const dataset = (rel: string) => readFileSync(new URL(rel, datasets));
const dir = mkdtempSync(path.join(os.tmpdir(), 'ocrflow-spdf-'));
let n = 0;

function save(pdf: Buffer): string {
  const p = path.join(dir, `out-${n++}.pdf`);
  writeFileSync(p, pdf);
  return p;
}

function qpdfCheck(file: string): void {
  const r = spawnSync('qpdf', ['--check', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, `qpdf --check failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /No syntax or stream encoding errors/);
}

/**
 * Chinese and Japanese have no spaces between words, so white-space tokens of CJK text are whole
 * lines or whole blocks, and whether two lines end up as one token or two says nothing about the
 * text. Word F1 here counts each CJK character as a word; other scripts keep white-space words.
 */
const cjkWords = (s: string) => s.replace(/([\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])/gu, ' $1 ');
/** Word F1 as datasets/README.md defines it: NFKC, upper case, white-space tokens as multisets. */
function wordF1(pred: string, truth: string): number {
  const tokens = (s: string) => cjkWords(s).normalize('NFKC').toUpperCase().split(/\s+/u).filter(Boolean);
  const bag = new Map<string, number>();
  const t = tokens(truth),
    p = tokens(pred);
  for (const w of t) bag.set(w, (bag.get(w) ?? 0) + 1);
  let matched = 0;
  for (const w of p) {
    const k = bag.get(w) ?? 0;
    if (k > 0) {
      matched++;
      bag.set(w, k - 1);
    }
  }
  return p.length + t.length === 0 ? 1 : (2 * matched) / (p.length + t.length);
}

const pdftotext = (file: string, ...args: string[]) => execFileSync('pdftotext', [...args, file, '-'], { encoding: 'utf8' });

interface BoxWord {
  text: string;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  page: number;
}

/** `pdftotext -bbox`: every word with its box in points, per page. */
function bboxWords(file: string): { words: BoxWord[]; pages: { w: number; h: number }[] } {
  const xml = pdftotext(file, '-bbox');
  const pages: { w: number; h: number }[] = [];
  const words: BoxWord[] = [];
  for (const m of xml.matchAll(
    /<page width="([\d.]+)" height="([\d.]+)">|<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g,
  )) {
    if (m[1]) pages.push({ w: Number(m[1]), h: Number(m[2]) });
    else
      words.push({
        text: m[7]
          .replace(/&amp;/g, '&')
          .replace(/&lt;/g, '<')
          .replace(/&gt;/g, '>')
          .replace(/&quot;/g, '"')
          .replace(/&apos;/g, "'"),
        x0: Number(m[3]),
        y0: Number(m[4]),
        x1: Number(m[5]),
        y1: Number(m[6]),
        page: pages.length - 1,
      });
  }
  return { words, pages };
}

/** Share of the PDF's words whose centre lies inside the box of a recognised word with the same text. */
function shareInsideBoxes(file: string, doc: OcrDocument): number {
  const { words, pages } = bboxWords(file);
  let inside = 0;
  for (const w of words) {
    const page = doc.pages[w.page];
    const sx = page.width / pages[w.page].w,
      sy = page.height / pages[w.page].h;
    const cx = ((w.x0 + w.x1) / 2) * sx,
      cy = ((w.y0 + w.y1) / 2) * sy;
    const hit = pageLines(page).some((l) =>
      l.words.some((rw) => rw.text === w.text && cx >= rw.bbox[0] && cx <= rw.bbox[2] && cy >= rw.bbox[1] && cy <= rw.bbox[3]),
    );
    if (hit) inside++;
  }
  return words.length ? inside / words.length : 0;
}

async function checkImage(rel: string): Promise<void> {
  const source = dataset(rel);
  const doc = await runDocument(source, { options, engine: 'paddle', mode: 'layout' });
  const pdf = await renderSearchablePdf(doc, source);
  const file = save(pdf);
  qpdfCheck(file);
  // The JPEG is embedded as it was uploaded: its bytes are inside the PDF unchanged.
  assert.ok(pdf.includes(source), 'the JPEG is passed through byte for byte');
  const score = wordF1(pdftotext(file), documentToText(doc));
  assert.ok(score >= 0.98, `${rel}: word F1 of pdftotext against the JSON text ${score.toFixed(4)}`);
  const share = shareInsideBoxes(file, doc);
  assert.ok(share >= 0.98, `${rel}: only ${(share * 100).toFixed(1)}% of the PDF's words lie inside their boxes`);
}

test('a receipt becomes a searchable PDF whose text is the recognised text, word by word in place', async () => {
  await checkImage('sroie-dev/sroie-000.jpg');
});

test('the Chinese report becomes a searchable PDF with the same text', async () => {
  await checkImage('cn-report-dev/report-scan.jpg');
});

/** A one-page document written by hand on a blank image: exact words, exact boxes. */
async function syntheticDoc(
  words: { text: string; bbox: [number, number, number, number] }[],
  rotation: Page['rotation'] = 0,
): Promise<{ doc: OcrDocument; png: Buffer }> {
  const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#ffffff' } })
    .png()
    .toBuffer();
  const line = {
    text: words.map((w) => w.text).join(' '),
    bbox: [words[0].bbox[0], words[0].bbox[1], words.at(-1)!.bbox[2], words.at(-1)!.bbox[3]] as [number, number, number, number],
    polygon: [],
    confidence: 0.9,
    words: words.map((w) => ({ ...w, confidence: 0.9 })),
  };
  const page: Page = {
    index: 0,
    width: 800,
    height: 600,
    rotation,
    source: 'ocr',
    engine: 'paddle',
    flags: [],
    timings_ms: {},
    blocks: [{ id: 'p0-b0', type: 'text', bbox: line.bbox, lines: [line], text: line.text }],
  };
  return { doc: { schema: 'ocrflow.document/1', meta: { engine: 'paddle', languages: ['ch'], mime: 'image/png', page_count: 1 }, pages: [page] }, png };
}

test('Chinese, English and other scripts round-trip through the glyph-less font', async () => {
  const { doc, png } = await syntheticDoc([
    { text: '营业收入', bbox: [40, 40, 200, 80] },
    { text: '同比增长12.5%', bbox: [220, 40, 460, 80] },
    { text: 'Ünïcode—ok', bbox: [480, 40, 700, 80] },
  ]);
  const file = save(await renderSearchablePdf(doc, png));
  qpdfCheck(file);
  assert.equal(pdftotext(file).trim(), '营业收入 同比增长12.5% Ünïcode—ok');
  assert.equal(shareInsideBoxes(file, doc), 1);
});

test('a PDF keeps its own text layer (not doubled); its scanned pages get ours', async () => {
  const jpg = dataset('sroie-dev/sroie-000.jpg');
  const meta = await sharp(jpg).metadata();
  const src = new mupdf.PDFDocument();
  const fonts = src.newDictionary();
  fonts.put('F1', src.addSimpleFont(new mupdf.Font('Helvetica')));
  const textRes = src.newDictionary();
  textRes.put('Font', fonts);
  src.insertPage(
    -1,
    src.addPage([0, 0, 612, 792], 0, textRes, 'BT /F1 24 Tf 72 720 Td (Hello ocrflow text layer) Tj 0 -40 Td (Second line with enough words to pass) Tj ET'),
  );
  const xobj = src.newDictionary();
  xobj.put('I0', src.addImage(new mupdf.Image(jpg)));
  const imgRes = src.newDictionary();
  imgRes.put('XObject', xobj);
  const w = (meta.width! * 72) / 150,
    h = (meta.height! * 72) / 150;
  src.insertPage(-1, src.addPage([0, 0, w, h], 0, imgRes, `q ${w} 0 0 ${h} 0 0 cm /I0 Do Q`));
  const input = Buffer.from(src.saveToBuffer('compress').asUint8Array());

  const doc = await runDocument(input, { options, engine: 'paddle', mode: 'layout' });
  assert.deepEqual(
    doc.pages.map((p) => p.source),
    ['text-layer', 'ocr'],
  );
  const file = save(await renderSearchablePdf(doc, input));
  qpdfCheck(file);
  const [first, second] = pdftotext(file).split('\f');
  const count = (s: string, word: string) => s.split(/\s+/).filter((t) => t === word).length;
  assert.equal(count(first, 'ocrflow'), 1, `the text layer is not doubled:\n${first}`);
  assert.equal(count(first, 'Second'), 1);
  const score = wordF1(second, documentToText({ ...doc, pages: [doc.pages[1]] }));
  assert.ok(score >= 0.98, `scanned page of the PDF: word F1 ${score.toFixed(4)}`);
  assert.ok(shareInsideBoxes(file, doc) >= 0.98);
  // The original objects are kept: saved incrementally, the input is a prefix of the output.
  assert.ok(readFileSync(file).subarray(0, input.length).equals(input), 'the original bytes are kept');
});

test('a rotated page is drawn upright and its words land on it', async () => {
  // A photo stored sideways with an EXIF tag: the JPEG is kept and turned by the page matrix.
  const base = await sharp({ create: { width: 600, height: 400, channels: 3, background: '#ffffff' } })
    .composite([
      {
        input: Buffer.from(
          '<svg xmlns="http://www.w3.org/2000/svg" width="600" height="400"><text x="40" y="120" font-size="60" font-family="sans-serif">Upright words</text></svg>',
        ),
        top: 0,
        left: 0,
      },
    ])
    .jpeg()
    .toBuffer();
  // Stored rotated 90° counter-clockwise; EXIF 6 says "turn 90° clockwise to view".
  const sideways = await sharp(base).rotate(-90).withMetadata({ orientation: 6 }).jpeg().toBuffer();
  const doc = await runDocument(sideways, { options, engine: 'paddle', mode: 'layout', autoRotate: false });
  assert.equal(doc.pages[0].rotation, 90);
  assert.equal(doc.pages[0].width, 600);
  const pdf = await renderSearchablePdf(doc, sideways);
  const file = save(pdf);
  qpdfCheck(file);
  assert.ok(pdf.includes(sideways), 'the sideways JPEG is embedded unchanged');
  const { pages } = bboxWords(file);
  assert.ok(pages[0].w > pages[0].h, `the page is landscape like the upright photo (${pages[0].w}×${pages[0].h})`);
  assert.match(pdftotext(file), /Upright\s+words/);
  assert.ok(shareInsideBoxes(file, doc) >= 0.98);
  // Rendered by poppler, the top-left of the page is the photo's top-left: text pixels on the
  // left third near the top, as in the upright photo.
  execFileSync('pdftoppm', ['-png', '-r', '72', '-singlefile', file, path.join(dir, 'rotated')]);
  const { data, info } = await sharp(path.join(dir, 'rotated.png')).greyscale().raw().toBuffer({ resolveWithObject: true });
  const dark = (x0: number, y0: number, x1: number, y1: number) => {
    let d = 0;
    for (let y = Math.floor(y0 * info.height); y < y1 * info.height; y++)
      for (let x = Math.floor(x0 * info.width); x < x1 * info.width; x++) if (data[y * info.width + x] < 128) d++;
    return d;
  };
  assert.ok(dark(0, 0.1, 0.5, 0.35) > 50 * dark(0, 0.6, 0.5, 0.95) + 20, 'the text is at the top-left, as photographed');
});
