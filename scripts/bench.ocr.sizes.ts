/**
 * OCR speed by page size, run by `npm run bench -- ocr` (alone: `node --import tsx
 * scripts/bench.ocr.sizes.ts [--per-bucket N] [--cold-runs N] [--only buckets|cold|pdf] [--json]`; heavy: run under
 * `flock /tmp/ocrflow-bench.lock`).
 *
 * Pages, per size bucket (N each, default 8):
 *   ≤ 2 MP and 2–8 MP: real receipts of sroie-dev as they are;
 *   > 8 MP: the ≤ 2 MP receipts made into A4 scans at 300 dpi (2480 × 3508, 8.7 MP) and 600 dpi
 *   (4961 × 7016, 34.8 MP): each receipt upscaled with lanczos3 (the resampling a scanner's
 *   driver does, not a blur) to fit the sheet, on white, saved as JPEG q90. Same ground truth.
 * Systems, each bucket in its own child process (peak RSS is that bucket's own): ocrflow's default
 * engine (`paddle`) through the runner of `ocrflow eval`; the same with OCRFLOW_WORKING_SCALE=0
 * (every image read at its stored size, as before the working scale) on the buckets above 2 MP; and the
 * Debian Tesseract CLI (`--psm 4`, one thread, under GNU time). Then a cold single-file run of the
 * installed command (`ocrflow scan RECEIPT -f text`, median of --cold-runs) beside `tesseract`'s.
 * Last, the look-ahead on a multi-page PDF (the ≤ 2 MP receipts, one per page, embedded as PNG at
 * 150 dpi): one process, engine loaded and warm, the document read with and without the look-ahead
 * in turn (A B A B), seconds per page and CPU seconds per page of each.
 * Seconds per page are medians of wall time; word F1 and CER as in ../shared/datasets/README.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import * as mupdf from 'mupdf';
import { loadConfig } from '@ocrflow/core';
import { disposeEngines, engineOptionsFromConfig, getEngine, runDocument } from '../packages/engines/src/index.ts';
import { runEvalDetailed, median, cerCounts, wordCounts, f1, loadDataset, textMetrics } from '../packages/eval/src/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sroie = path.resolve(root, '../shared/datasets/sroie-dev');
const work = path.join(os.tmpdir(), 'ocrflow-bench-sizes');
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const perBucket = Number(opt('--per-bucket') ?? 8);
const coldRuns = Number(opt('--cold-runs') ?? 3);
const asJson = args.includes('--json');
/** `--only buckets|cold|pdf`: one part of the benchmark. */
const only = opt('--only');
const part = (p: string) => !only || only === p;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const log = (s: string) => process.stderr.write(s + '\n');

interface Row {
  bucket: string;
  system: string;
  pages: number;
  s_per_page: number;
  cpu_s_per_page: number;
  peak_rss_mb: number;
  word_f1: number;
  cer: number;
}

/** Child mode: ocrflow over one folder, the runner's result as JSON on stdout. */
async function child(dir: string): Promise<void> {
  const { result, pageCpuSeconds } = await runEvalDetailed(dir, {
    options: engineOptionsFromConfig(loadConfig()),
    analysis: loadConfig(),
    engine: 'paddle',
    metrics: [textMetrics],
    engineOptions: { intraOpNumThreads: Math.max(1, os.availableParallelism()) },
  });
  await disposeEngines();
  process.stdout.write(JSON.stringify({ ...result, cpu_s_per_page: median(pageCpuSeconds) }) + '\n');
}

/** Child mode: a PDF of `images`, read with and without the look-ahead in turn. */
async function pdfChild(images: string[]): Promise<void> {
  const doc = new mupdf.PDFDocument();
  for (const f of images) {
    const png = await sharp(f).rotate().png().toBuffer();
    const m = await sharp(png).metadata();
    const resources = doc.newDictionary(),
      xobj = doc.newDictionary();
    xobj.put('I0', doc.addImage(new mupdf.Image(png)));
    resources.put('XObject', xobj);
    const w = (m.width! * 72) / 150,
      h = (m.height! * 72) / 150;
    doc.insertPage(-1, doc.addPage([0, 0, w, h], 0, resources, `q ${w} 0 0 ${h} 0 0 cm /I0 Do Q`));
  }
  const pdf = Buffer.from(doc.saveToBuffer('compress').asUint8Array());
  const options = engineOptionsFromConfig(loadConfig());
  const engineOptions = { intraOpNumThreads: Math.max(1, os.availableParallelism()) };
  const engine = await getEngine('paddle', options, engineOptions);
  await (engine as { ready?: () => Promise<void> }).ready?.();
  await runDocument(pdf, { options, engineOptions }); // warm-up
  const res: Record<string, { wall: number[]; cpu: number[] }> = { ahead: { wall: [], cpu: [] }, plain: { wall: [], cpu: [] } };
  for (const mode of ['ahead', 'plain', 'ahead', 'plain'] as const) {
    const t0 = performance.now(),
      c0 = process.cpuUsage();
    await runDocument(pdf, { options, engineOptions, prefetch: mode === 'ahead' });
    const c = process.cpuUsage(c0);
    res[mode].wall.push((performance.now() - t0) / 1000 / images.length);
    res[mode].cpu.push((c.user + c.system) / 1e6 / images.length);
  }
  await disposeEngines();
  const mean = (xs: number[]) => r3(xs.reduce((a, b) => a + b, 0) / xs.length);
  process.stdout.write(
    JSON.stringify({
      pages: images.length,
      ahead: { s_per_page: mean(res.ahead.wall), cpu_s_per_page: mean(res.ahead.cpu) },
      plain: { s_per_page: mean(res.plain.wall), cpu_s_per_page: mean(res.plain.cpu) },
    }) + '\n',
  );
}

function pdfRun(images: string[]): {
  pages: number;
  ahead: { s_per_page: number; cpu_s_per_page: number };
  plain: { s_per_page: number; cpu_s_per_page: number };
} {
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--pdf-child', ...images], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  if (r.status !== 0) throw new Error(`pdf child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

function ocrflow(bucket: string, dir: string, storedSize = false): Row {
  const env = { ...process.env, ...(storedSize ? { OCRFLOW_WORKING_SCALE: '0' } : {}) };
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', dir], { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`ocrflow child failed on ${bucket}: ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return {
    bucket,
    system: storedSize ? 'ocrflow paddle, stored size' : 'ocrflow paddle',
    pages: j.documents,
    s_per_page: j.seconds_per_page,
    cpu_s_per_page: r3(j.cpu_s_per_page),
    peak_rss_mb: j.peak_rss_mb,
    word_f1: j.word_f1,
    cer: j.cer,
  };
}

function tesseract(bucket: string, dir: string): Row {
  const samples = loadDataset(dir).filter((s) => s.truthText !== undefined);
  const wall: number[] = [],
    cpu: number[] = [];
  let rss = 0;
  const cer = { edits: 0, chars: 0 },
    w = { matched: 0, predicted: 0, truth: 0 };
  for (const s of samples) {
    const r = spawnSync('/usr/bin/time', ['-f', '@@%e %U %S %M', 'tesseract', s.imagePath, 'stdout', '-l', 'eng', '--psm', '4'], {
      encoding: 'utf8',
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      maxBuffer: 1 << 26,
    });
    const m = /@@([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
    if (!m) throw new Error(`tesseract failed on ${s.name}: ${r.stderr}`);
    wall.push(Number(m[1]));
    cpu.push(Number(m[2]) + Number(m[3]));
    rss = Math.max(rss, Number(m[4]) / 1024);
    const c = cerCounts(r.stdout, s.truthText!);
    cer.edits += c.edits;
    cer.chars += c.chars;
    const k = wordCounts(r.stdout, s.truthText!);
    w.matched += k.matched;
    w.predicted += k.predicted;
    w.truth += k.truth;
  }
  return {
    bucket,
    system: 'Tesseract 5 CLI (--psm 4, 1 thread)',
    pages: samples.length,
    s_per_page: r3(median(wall)),
    cpu_s_per_page: r3(median(cpu)),
    peak_rss_mb: Math.round(rss),
    word_f1: r3(f1(w)),
    cer: r3(cer.edits / cer.chars),
  };
}

/** A folder of links to the dataset's files (image + truth) for one bucket. */
function linkFolder(name: string, images: string[]): string {
  const dir = path.join(work, `${name}-${images.length}`);
  mkdirSync(dir, { recursive: true });
  for (const img of images) {
    const base = path.basename(img).replace(/\.(jpg|png)$/, '');
    for (const f of [path.basename(img), `${base}.gt.txt`]) {
      const to = path.join(dir, f);
      if (!existsSync(to) && existsSync(path.join(sroie, f))) symlinkSync(path.join(sroie, f), to);
    }
  }
  return dir;
}

/** The receipts as A4 scans at `dpi`: lanczos3 upscale to fit the sheet, white around, JPEG q90. */
async function a4Folder(dpi: 300 | 600, images: string[]): Promise<string> {
  const dir = path.join(work, `a4-${dpi}dpi-${images.length}`);
  mkdirSync(dir, { recursive: true });
  const [w, h] = dpi === 300 ? [2480, 3508] : [4961, 7016];
  for (const img of images) {
    const base = path.basename(img).replace(/\.(jpg|png)$/, '');
    const out = path.join(dir, `${base}.jpg`);
    if (!existsSync(out)) {
      await sharp(img)
        .rotate()
        .resize(w, h, { fit: 'contain', background: '#ffffff', kernel: 'lanczos3' })
        .flatten({ background: '#ffffff' })
        .jpeg({ quality: 90 })
        .toFile(out);
    }
    const gt = path.join(dir, `${base}.gt.txt`);
    if (!existsSync(gt)) symlinkSync(path.join(sroie, `${base}.gt.txt`), gt);
  }
  return dir;
}

/** Median wall seconds of `cmd` run `n` times, each a fresh process. */
function coldWall(cmd: string, argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const walls: number[] = [];
  for (let i = 0; i < coldRuns; i++) {
    const r = spawnSync('/usr/bin/time', ['-f', '@@%e', cmd, ...argv], { encoding: 'utf8', env, maxBuffer: 1 << 26 });
    const m = /@@([\d.]+)/.exec(r.stderr);
    if (r.status !== 0 || !m) throw new Error(`${cmd} failed: ${r.stderr}`);
    walls.push(Number(m[1]));
  }
  return r3(median(walls));
}

async function main(): Promise<void> {
  if (args[0] === '--child') return child(args[1]);
  if (args[0] === '--pdf-child') return pdfChild(args.slice(1));
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  const sizes = await Promise.all(
    readdirSync(sroie)
      .filter((f) => /\.(jpg|png)$/.test(f))
      .sort()
      .map(async (f) => {
        const m = await sharp(path.join(sroie, f)).metadata();
        return { file: path.join(sroie, f), mp: ((m.width ?? 0) * (m.height ?? 0)) / 1e6 };
      }),
  );
  const small = sizes
    .filter((s) => s.mp <= 2)
    .slice(0, perBucket)
    .map((s) => s.file);
  const medium = sizes
    .filter((s) => s.mp > 2 && s.mp <= 8)
    .slice(0, perBucket)
    .map((s) => s.file);
  const folders: [string, string, boolean][] = [
    ['≤ 2 MP (sroie-dev)', linkFolder('small', small), false],
    ['2–8 MP (sroie-dev)', linkFolder('medium', medium), true],
    ['> 8 MP: A4 300 dpi, 8.7 MP (made from the ≤ 2 MP pages)', await a4Folder(300, small), true],
    ['> 8 MP: A4 600 dpi, 34.8 MP (made from the ≤ 2 MP pages)', await a4Folder(600, small), true],
  ];
  const rows: Row[] = [];
  for (const [bucket, dir, big] of part('buckets') ? folders : []) {
    log(`${bucket}: ocrflow …`);
    rows.push(ocrflow(bucket, dir));
    if (big) {
      log(`${bucket}: ocrflow at stored size …`);
      rows.push(ocrflow(bucket, dir, true));
    }
    log(`${bucket}: tesseract CLI …`);
    rows.push(tesseract(bucket, dir));
  }
  if (part('cold')) log('cold single-file runs …');
  const receipt = small[0];
  const cold = part('cold')
    ? {
        file: path.basename(receipt),
        ocrflow: coldWall(process.execPath, [path.join(root, 'packages/cli/bin/ocrflow.mjs'), 'scan', receipt, '-f', 'text', '--quiet']),
        tesseract: coldWall('tesseract', [receipt, 'stdout', '-l', 'eng', '--psm', '4'], { ...process.env, OMP_THREAD_LIMIT: '1' }),
      }
    : null;
  if (part('pdf')) log('look-ahead on a multi-page PDF …');
  const pdf = part('pdf') ? pdfRun(small) : null;
  const out = {
    load_average_at_start: load,
    load_average_at_end: os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' '),
    rows,
    cold,
    pdf,
  };
  if (asJson) {
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  console.log(`OCR by page size, ${perBucket} pages a bucket, load average ${load} → ${out.load_average_at_end}`);
  console.log('| bucket | system | pages | s/page (median wall) | CPU s/page | peak RSS MB | word F1 | CER | ÷ Tesseract s/page |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of rows) {
    const tess = rows.find((t) => t.bucket === r.bucket && t.system.startsWith('Tesseract'))!;
    console.log(
      `| ${r.bucket} | ${r.system} | ${r.pages} | ${r.s_per_page.toFixed(3)} | ${r.cpu_s_per_page.toFixed(3)} | ${r.peak_rss_mb} | ${r.word_f1.toFixed(3)} | ${r.cer.toFixed(3)} | ${(r.s_per_page / tess.s_per_page).toFixed(2)} |`,
    );
  }
  if (pdf)
    console.log(
      `\nmulti-page PDF (${pdf.pages} receipts, 150 dpi): with look-ahead ${pdf.ahead.s_per_page} s/page (${pdf.ahead.cpu_s_per_page} CPU s), without ${pdf.plain.s_per_page} s/page (${pdf.plain.cpu_s_per_page} CPU s)`,
    );
  if (cold)
    console.log(`\ncold single file (${cold.file}, median of ${coldRuns} fresh processes): ocrflow scan ${cold.ocrflow} s, tesseract ${cold.tesseract} s`);
  writeFileSync(path.join(work, 'last.json'), JSON.stringify(out, null, 2));
}

await main();
