/**
 * OCR benchmark, run by `npm run bench` (alone: `node --import tsx scripts/bench.ocr.ts
 * [--limit N] [--json]`; heavy: run under `flock /tmp/ocrflow-bench.lock`).
 *
 * Over sroie-dev (40 receipts, dataset README metrics) it measures, each in its own child process
 * of this one (so peak RSS is each system's own):
 *   1. ocrflow's default engine (`paddle`) through the same runner as `ocrflow eval`, and the same
 *      engine without its load-time graph rewrite (`fuseGraphs: false`), to show what that saves;
 *   2. ocrflow's `tesseract` engine (tesseract.js);
 *   3. the native Tesseract CLI (`tesseract IMG stdout -l eng --psm 4`, one thread), installed from
 *      Debian (`apt-get install -y tesseract-ocr`) when missing.
 * Then ocrflow's default engine on cn-report-dev: CER of the page text against the cell text of
 * `report-scan.ref.html` (the PP-StructureV3 reference; white space removed, so cell order = text order).
 * Reported: word F1, CER (and, as a diagnostic, CER with the truth lines in each system's reading
 * order: SROIE lists item tables column by column), seconds per page (median wall and median CPU
 * of all threads), peak RSS,
 * and ocrflow's speed as a ratio to each peer measured in the same run (peer s/page ÷ ocrflow s/page).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type EngineName } from '@ocrflow/core';
import { disposeEngines, engineOptionsFromConfig, parseHtmlTableRows } from '../packages/engines/src/index.ts';
import { runEvalDetailed, median, cerCounts, wordCounts, f1, loadDataset, textMetrics, readingOrderCerCounts } from '../packages/eval/src/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const datasets = path.resolve(root, '../shared/datasets');
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const limit = opt('--limit') ? Number(opt('--limit')) : undefined;
const asJson = args.includes('--json');
const r3 = (x: number) => Math.round(x * 1000) / 1000;

interface Row {
  system: string;
  word_f1: number | null;
  cer: number | null;
  cer_reading_order: number | null;
  s_per_page: number;
  cpu_s_per_page: number;
  peak_rss_mb: number;
  documents: number;
}

/** Child mode: one ocrflow engine over one dataset, result as JSON on stdout. */
async function child(engine: EngineName, dir: string, unfused: boolean): Promise<void> {
  const threads = Math.max(1, os.availableParallelism());
  const engineOptions = { intraOpNumThreads: threads, ...(unfused ? { fuseGraphs: false } : {}) };
  const ro = { edits: 0, chars: 0 };
  const onDocument = (sample: { truthText?: string }, _doc: unknown, text: string) => {
    if (sample.truthText === undefined) return;
    const c = readingOrderCerCounts(text, sample.truthText);
    ro.edits += c.edits;
    ro.chars += c.chars;
  };
  const { result, pageSeconds, pageCpuSeconds } = await runEvalDetailed(dir, {
    options: engineOptionsFromConfig(loadConfig()),
    analysis: loadConfig(),
    engine,
    limit,
    metrics: [textMetrics],
    engineOptions,
    onDocument,
  });
  await disposeEngines();
  process.stdout.write(
    JSON.stringify({
      ...result,
      cer_reading_order: ro.chars ? r3((ro.edits / ro.chars) * 10) / 10 : null,
      cpu_s_per_page: median(pageCpuSeconds),
      wall: pageSeconds,
    }) + '\n',
  );
}

function runChild(engine: EngineName, dir: string, unfused = false): Row {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      '--child',
      engine,
      dir,
      ...(limit ? ['--limit', String(limit)] : []),
      ...(unfused ? ['--unfused'] : []),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  if (r.status !== 0) throw new Error(`${engine} child failed: ${r.stderr}`);
  const j = JSON.parse(r.stdout.trim().split('\n').pop()!);
  return {
    system: `ocrflow ${engine}${unfused ? ' (model graphs as exported)' : ''}`,
    word_f1: j.word_f1,
    cer: j.cer,
    cer_reading_order: j.cer_reading_order,
    s_per_page: j.seconds_per_page,
    cpu_s_per_page: r3(j.cpu_s_per_page),
    peak_rss_mb: j.peak_rss_mb,
    documents: j.documents,
  };
}

function ensureTesseractCli(): boolean {
  if (spawnSync('tesseract', ['--version']).status === 0) return true;
  process.stderr.write('tesseract CLI missing: apt-get install -y tesseract-ocr\n');
  spawnSync('apt-get', ['update'], { stdio: 'inherit' });
  spawnSync('apt-get', ['install', '-y', 'tesseract-ocr'], { stdio: 'inherit' });
  return spawnSync('tesseract', ['--version']).status === 0;
}

/** The Tesseract CLI per image under GNU time: wall, user+sys CPU and max RSS of that process. */
function tesseractCli(dir: string): Row {
  let samples = loadDataset(dir).filter((s) => s.truthText !== undefined);
  if (limit) samples = samples.slice(0, limit);
  const wall: number[] = [],
    cpu: number[] = [];
  let rss = 0;
  const cer = { edits: 0, chars: 0 },
    ro = { edits: 0, chars: 0 },
    w = { matched: 0, predicted: 0, truth: 0 };
  for (const s of samples) {
    const r = spawnSync('/usr/bin/time', ['-f', '@@%e %U %S %M', 'tesseract', s.imagePath, 'stdout', '-l', 'eng', '--psm', '4'], {
      encoding: 'utf8',
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
    });
    const m = /@@([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
    if (!m) throw new Error(`tesseract failed on ${s.name}: ${r.stderr}`);
    wall.push(Number(m[1]));
    cpu.push(Number(m[2]) + Number(m[3]));
    rss = Math.max(rss, Number(m[4]) / 1024);
    const c = cerCounts(r.stdout, s.truthText!);
    cer.edits += c.edits;
    cer.chars += c.chars;
    const o = readingOrderCerCounts(r.stdout, s.truthText!);
    ro.edits += o.edits;
    ro.chars += o.chars;
    const k = wordCounts(r.stdout, s.truthText!);
    w.matched += k.matched;
    w.predicted += k.predicted;
    w.truth += k.truth;
  }
  return {
    system: 'Tesseract 5 CLI (--psm 4, 1 thread)',
    word_f1: r3(f1(w) * 10) / 10,
    cer: r3((cer.edits / cer.chars) * 10) / 10,
    cer_reading_order: r3((ro.edits / ro.chars) * 10) / 10,
    s_per_page: r3(median(wall)),
    cpu_s_per_page: r3(median(cpu)),
    peak_rss_mb: Math.round(rss),
    documents: samples.length,
  };
}

/** CER of ocrflow's page text against the cell text of the PP-Structure reference tables. */
function cnReport(): { cer: number; seconds: number; cpu: number } {
  const dir = path.join(datasets, 'cn-report-dev');
  const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--cn-child', dir], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`cn-report child failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

async function cnChild(dir: string): Promise<void> {
  const ref = parseHtmlTableRows(readFileSync(path.join(dir, 'report-scan.ref.html'), 'utf8'));
  const truth = ref.flatMap((t) => t.rows.flatMap((row) => row.map((c) => c.text))).join('\n');
  let text = '';
  const { pageSeconds, pageCpuSeconds } = await runEvalDetailed(dir, {
    options: engineOptionsFromConfig(loadConfig()),
    analysis: loadConfig(),
    engine: 'paddle',
    metrics: [],
    engineOptions: { intraOpNumThreads: Math.max(1, os.availableParallelism()) },
    onDocument: (_s, _d, t) => {
      text = t;
    },
  });
  await disposeEngines();
  const c = cerCounts(text, truth);
  process.stdout.write(JSON.stringify({ cer: r3((c.edits / c.chars) * 10) / 10, seconds: r3(pageSeconds[0]), cpu: r3(pageCpuSeconds[0]) }) + '\n');
}

async function main(): Promise<void> {
  if (args[0] === '--child') return child(args[1] as EngineName, args[2], args.includes('--unfused'));
  if (args[0] === '--cn-child') return cnChild(args[1]);
  const sroie = path.join(datasets, 'sroie-dev');
  if (!existsSync(sroie) || !readdirSync(sroie).length) throw new Error(`no dataset at ${sroie}`);
  const load = os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ');
  const rows: Row[] = [];
  const log = (s: string) => process.stderr.write(s + '\n');
  log('ocrflow paddle on sroie-dev …');
  rows.push(runChild('paddle', sroie));
  // Ablation: the same engine without the load-time graph rewrite (same text, more CPU).
  log('ocrflow paddle, graphs as exported, on sroie-dev …');
  rows.push(runChild('paddle', sroie, true));
  log('ocrflow tesseract on sroie-dev …');
  rows.push(runChild('tesseract', sroie));
  if (ensureTesseractCli()) {
    log('tesseract CLI on sroie-dev …');
    rows.push(tesseractCli(sroie));
  }
  log('ocrflow paddle on cn-report-dev …');
  const cn = cnReport();
  const base = rows[0].s_per_page;
  const out = {
    load_average_at_start: load,
    load_average_at_end: os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' '),
    sroie: rows.map((r) => ({ ...r, ocrflow_speedup: r3(r.s_per_page / base) })),
    cn_report: cn,
  };
  if (asJson) {
    process.stdout.write(JSON.stringify(out, null, 2) + '\n');
    return;
  }
  const fmt = (v: number | null, d = 3) => (v === null ? '—' : v.toFixed(d));
  console.log(`OCR on sroie-dev (${rows[0].documents} receipts), load average ${load} → ${out.load_average_at_end}`);
  console.log(
    '| system | word F1 | CER | CER, truth lines in reading order* | s/page (median wall) | CPU s/page (median) | peak RSS MB | ocrflow paddle speed ×|',
  );
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const r of out.sroie)
    console.log(
      `| ${r.system} | ${fmt(r.word_f1)} | ${fmt(r.cer)} | ${fmt(r.cer_reading_order)} | ${fmt(r.s_per_page)} | ${fmt(r.cpu_s_per_page)} | ${r.peak_rss_mb} | ${r.system === rows[0].system ? '1 (baseline)' : r.ocrflow_speedup.toFixed(2)} |`,
    );
  console.log(
    "\n* a diagnostic, not the dataset metric: the ground-truth lines reordered to follow each system's text (packages/eval/src/metrics/line-order.ts)",
  );
  console.log(`\ncn-report-dev/report-scan.jpg (paddle, layout mode): CER vs reference cell text ${cn.cer}, ${cn.seconds} s wall, ${cn.cpu} s CPU`);
}

await main();
