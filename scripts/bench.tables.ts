/**
 * Table benchmark, run by `npm run bench -- tables` (or alone:
 * `node --import tsx scripts/bench.tables.ts [--json] [--sets a,b]`; heavy: run it under
 * `flock /tmp/ocrflow-bench.lock`).
 *
 * 1. quality and speed per data set (table-photos-dev, pubtabnet-dev, cn-report-dev) through
 *    `ocrflow eval`'s runner (paddle engine, `layout` mode): TEDS, TEDS-S and adjacency F1 against
 *    `gt.html`, seconds per page (median wall and CPU) and the process's peak RSS so far. Where a
 *    sample also has PP-StructureV3's answer (`ref.html`), that answer is scored against the same
 *    truth: the peer, in the same table.
 * 2. table-photos-dev split the way the tables work was developed: photos 001–020 and 031–035 were
 *    looked at while developing, 021–030 and 036–040 were not (held out); both are reported.
 * 3. the table stage on a 600-dpi-sized page (the report upscaled to 5 016 × 7 040) with the lines
 *    the engine read on the original, scaled: wall, CPU and RSS, so large scans stay bounded.
 * CPU time is process.cpuUsage (all threads of the process).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Line, OcrDocument } from '@ocrflow/core';
import { adjacencyF1OfDocument, peakRssMb, runEvalDetailed, tedsOfDocument } from '../packages/eval/src/index.ts';
import { disposeEngines, engineOptionsFromConfig, getEngine } from '../packages/engines/src/index.ts';
import { detectTables } from '../packages/engines/src/tables/tables.detect.ts';
import { isTableBlock, loadConfig, tableToHtml } from '@ocrflow/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const datasets = path.resolve(root, '../shared/datasets');
const asJson = process.argv.includes('--json');
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

interface Scores {
  n: number;
  teds: number;
  teds_s: number;
  adj_f1: number;
}
const mean = (xs: Scores[]): Scores | null => {
  if (!xs.length) return null;
  const f = (k: 'teds' | 'teds_s' | 'adj_f1') => Math.round((xs.reduce((s, x) => s + x[k], 0) / xs.length) * 10000) / 10000;
  return { n: xs.length, teds: f('teds'), teds_s: f('teds_s'), adj_f1: f('adj_f1') };
};
function score(pred: readonly string[], truth: string): Scores | null {
  const t = tedsOfDocument(pred, truth);
  const a = adjacencyF1OfDocument(pred, truth);
  return t && a !== null ? { n: 1, teds: t.teds, teds_s: t.teds_s, adj_f1: a } : null;
}
/** Photos looked at while developing the table stage; the others are held out. */
const developedOn = (name: string) => {
  const k = Number(/(\d+)$/.exec(name)?.[1]);
  return (k >= 1 && k <= 20) || (k >= 31 && k <= 35);
};

async function quality(name: string) {
  const tables: number[] = [];
  const ours: { name: string; s: Scores }[] = [];
  const peer: Scores[] = [];
  const d = await runEvalDetailed(path.join(datasets, name), {
    options: engineOptionsFromConfig(loadConfig()),
    analysis: loadConfig(),
    onDocument: (sample, doc: OcrDocument) => {
      for (const p of doc.pages) tables.push((p.timings_ms.tables ?? 0) / 1000);
      if (!sample.truthHtml) return;
      const s = score(
        doc.pages.flatMap((p) => p.blocks.filter(isTableBlock).map((b) => tableToHtml(b.table))),
        sample.truthHtml,
      );
      if (s) ours.push({ name: sample.name, s });
      const r = sample.refHtml ? score([sample.refHtml], sample.truthHtml) : null;
      if (r) peer.push(r);
    },
  });
  const split =
    name === 'table-photos-dev'
      ? {
          developed_on: mean(ours.filter((o) => developedOn(o.name)).map((o) => o.s)),
          held_out: mean(ours.filter((o) => !developedOn(o.name)).map((o) => o.s)),
        }
      : {};
  return {
    dataset: name,
    documents: d.result.documents,
    teds: d.result.teds,
    teds_s: d.result.teds_s,
    adj_f1: d.result.adj_f1,
    ...split,
    peer_ppstructure_v3: mean(peer),
    page_seconds_median: r3(median(d.pageSeconds)),
    page_seconds_max: r3(Math.max(...d.pageSeconds)),
    page_cpu_seconds_median: r3(median(d.pageCpuSeconds)),
    page_cpu_seconds_max: r3(Math.max(...d.pageCpuSeconds)),
    tables_stage_seconds_median: r3(median(tables)),
    tables_stage_seconds_max: r3(Math.max(...tables)),
    peak_rss_mb: Math.round(peakRssMb()),
  };
}

async function largePage() {
  const file = path.join(datasets, 'cn-report-dev/report-scan.jpg');
  const src = await sharp(readFileSync(file)).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const engine = await getEngine('paddle', engineOptionsFromConfig(loadConfig()));
  const { lines } = await engine.recognize(
    { data: src.data, width: src.info.width, height: src.info.height, channels: 3 },
    { languages: ['ch', 'en'], mode: 'layout', autoRotate: false },
  );
  const k = 5.5;
  const big = await sharp(readFileSync(file))
    .rotate()
    .resize(Math.round(src.info.width * k))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const scale = (b: number[]) => b.map((v) => v * k);
  const scaled: Line[] = lines.map((l) => ({
    ...l,
    bbox: scale(l.bbox) as Line['bbox'],
    polygon: l.polygon.map((p) => scale(p) as [number, number]),
    words: l.words.map((w) => ({ ...w, bbox: scale(w.bbox) as Line['bbox'] })),
  }));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const found = await detectTables({ data: big.data, width: big.info.width, height: big.info.height, channels: 3 }, scaled);
  const cu = process.cpuUsage(c0);
  return {
    page: `${big.info.width}x${big.info.height}`,
    tables: found.map((t) => `${t.table.n_rows}x${t.table.n_cols}`),
    tables_stage_seconds: r3((performance.now() - t0) / 1000),
    tables_stage_cpu_seconds: r3((cu.user + cu.system) / 1e6),
    rss_mb: Math.round(process.memoryUsage().rss / 1e6),
  };
}

const SETS = ['table-photos-dev', 'pubtabnet-dev', 'cn-report-dev'];
const setsArg = process.argv.indexOf('--sets');
const sets = setsArg > 0 ? process.argv[setsArg + 1].split(',') : SETS;
const qualities = [];
for (const name of sets) qualities.push(await quality(name));
const out = { datasets: qualities, large_page: await largePage(), load_average: os.loadavg().map((x) => Math.round(x * 10) / 10) };
await disposeEngines();
if (asJson) console.log(JSON.stringify(out));
else {
  const f = (x: number | null | undefined) => (x === null || x === undefined ? '—' : x.toFixed(3));
  const row = (cells: string[]) => `  | ${cells.join(' | ')} |`;
  console.log('tables: quality against gt.html, time per page (paddle engine, layout mode)');
  console.log(row(['data set', 'system', 'docs', 'TEDS', 'TEDS-S', 'adj F1', 's/page wall (median)', 's/page CPU (median)', 'peak RSS MB']));
  console.log(row(['---', '---', '---', '---', '---', '---', '---', '---', '---']));
  for (const q of out.datasets) {
    console.log(
      row([
        q.dataset,
        'ocrflow',
        String(q.documents),
        f(q.teds),
        f(q.teds_s),
        f(q.adj_f1),
        f(q.page_seconds_median),
        f(q.page_cpu_seconds_median),
        String(q.peak_rss_mb),
      ]),
    );
    for (const [label, s] of [
      ['ocrflow, developed on', q.developed_on],
      ['ocrflow, held out', q.held_out],
      ['PP-StructureV3 (ref.html)', q.peer_ppstructure_v3],
    ] as const) {
      if (s) console.log(row([q.dataset, label, String(s.n), f(s.teds), f(s.teds_s), f(s.adj_f1), '', '', '']));
    }
  }
  for (const q of out.datasets)
    console.log(
      `  ${q.dataset}: page ${q.page_seconds_max} s max, cpu ${q.page_cpu_seconds_max} s max | tables stage ${q.tables_stage_seconds_median} s median (${q.tables_stage_seconds_max} max)`,
    );
  const l = out.large_page;
  console.log(`  ${l.page} page: tables ${l.tables.join(', ')} | stage ${l.tables_stage_seconds} s, cpu ${l.tables_stage_cpu_seconds} s, rss ${l.rss_mb} MB`);
  console.log(`  load average at the end: ${out.load_average.join(' ')}`);
}
