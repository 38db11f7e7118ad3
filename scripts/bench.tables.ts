/**
 * Table benchmark (issue 4), run by `npm run bench` (or alone:
 * `node --import tsx scripts/bench.tables.ts [--json]`; heavy: run it under
 * `flock /tmp/ocrflow-bench.lock`).
 *
 * 1. quality: `ocrflow eval` on pubtabnet-dev (ground truth) and cn-report-dev (against the
 *    PP-StructureV3 reference): TEDS and TEDS-S.
 * 2. time per table page (paddle engine, `layout` mode): wall and CPU seconds of the whole page and
 *    of the `tables` stage alone (`page.timings_ms.tables`), median and max.
 * 3. the table stage on a 600-dpi-sized page (the report upscaled to 5 016 × 7 040) with the lines
 *    the engine read on the original, scaled: wall, CPU and RSS, so large scans stay bounded.
 * CPU time is process.cpuUsage (all threads of the process).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Line, OcrDocument } from '@ocrflow/core';
import { runEvalDetailed } from '../packages/eval/src/index.ts';
import { disposeEngines, getEngine } from '../packages/engines/src/index.ts';
import { detectTables } from '../packages/engines/src/tables/tables.detect.ts';
import { loadConfig } from '@ocrflow/core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const datasets = path.resolve(root, '../shared/datasets');
const asJson = process.argv.includes('--json');
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN; };

async function quality(name: string) {
  const tables: number[] = [];
  const d = await runEvalDetailed(path.join(datasets, name), {
    onDocument: (_s, doc: OcrDocument) => { for (const p of doc.pages) tables.push((p.timings_ms.tables ?? 0) / 1000); },
  });
  return {
    dataset: name,
    documents: d.result.documents,
    teds: d.result.teds,
    teds_s: d.result.teds_s,
    page_seconds_median: r3(median(d.pageSeconds)),
    page_seconds_max: r3(Math.max(...d.pageSeconds)),
    page_cpu_seconds_median: r3(median(d.pageCpuSeconds)),
    page_cpu_seconds_max: r3(Math.max(...d.pageCpuSeconds)),
    tables_stage_seconds_median: r3(median(tables)),
    tables_stage_seconds_max: r3(Math.max(...tables)),
  };
}

async function largePage() {
  const file = path.join(datasets, 'cn-report-dev/report-scan.jpg');
  const src = await sharp(readFileSync(file)).rotate().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const engine = await getEngine('paddle', loadConfig());
  const { lines } = await engine.recognize({ data: src.data, width: src.info.width, height: src.info.height, channels: 3 }, { languages: ['ch', 'en'], mode: 'layout', autoRotate: false });
  const k = 5.5;
  const big = await sharp(readFileSync(file)).rotate().resize(Math.round(src.info.width * k)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const scale = (b: number[]) => b.map((v) => v * k);
  const scaled: Line[] = lines.map((l) => ({ ...l, bbox: scale(l.bbox) as Line['bbox'], polygon: l.polygon.map((p) => scale(p) as [number, number]), words: l.words.map((w) => ({ ...w, bbox: scale(w.bbox) as Line['bbox'] })) }));
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

const out = {
  pubtabnet: await quality('pubtabnet-dev'),
  cn_report: await quality('cn-report-dev'),
  large_page: await largePage(),
};
await disposeEngines();
if (asJson) console.log(JSON.stringify(out));
else {
  console.log('tables (issue 4)');
  for (const q of [out.pubtabnet, out.cn_report]) {
    console.log(`  ${q.dataset}: TEDS ${q.teds} TEDS-S ${q.teds_s} | page ${q.page_seconds_median} s median (${q.page_seconds_max} max), cpu ${q.page_cpu_seconds_median} s (${q.page_cpu_seconds_max} max) | tables stage ${q.tables_stage_seconds_median} s (${q.tables_stage_seconds_max} max)`);
  }
  const l = out.large_page;
  console.log(`  ${l.page} page: tables ${l.tables.join(', ')} | stage ${l.tables_stage_seconds} s, cpu ${l.tables_stage_cpu_seconds} s, rss ${l.rss_mb} MB`);
}
