/**
 * Checks that a change leaves the pipeline's outputs as they were, page for page:
 * `node --import tsx scripts/outputs-check.ts save|compare DIR [--only a,b] [--limit N]`.
 * Runs `runDocument` (the engine and mode of the config, `layout` mode, straightening as
 * configured) on each image of a data set directory and stores, per sample, the document JSON
 * without its timings, its HTML and its text in DIR (`save`), or compares them byte for byte
 * with what DIR holds (`compare`, exit 1 on any difference). Prints each sample's CPU seconds
 * (process.cpuUsage, all threads). Heavy: run it under `flock /tmp/ocrflow-bench.lock`.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { documentToHtml, documentToText, loadConfig, type OcrDocument } from '@ocrflow/core';
import { disposeEngines, engineOptionsFromConfig, runDocument } from '../packages/engines/src/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [action, dir] = process.argv.slice(2);
const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
if ((action !== 'save' && action !== 'compare') || !dir) {
  console.error('usage: outputs-check.ts save|compare DIR [--set table-photos-dev] [--only a,b] [--limit N]');
  process.exit(2);
}
const set = path.resolve(root, '../shared/datasets', arg('--set') ?? 'table-photos-dev');
const only = arg('--only')?.split(',');
let images = readdirSync(set)
  .filter((f) => /\.(jpe?g|png|pdf|tiff?)$/i.test(f))
  .sort();
if (only) images = images.filter((f) => only.some((o) => f.includes(o)));
if (arg('--limit')) images = images.slice(0, Number(arg('--limit')));
mkdirSync(dir, { recursive: true });

const withoutTimings = (doc: OcrDocument) => JSON.stringify({ ...doc, pages: doc.pages.map(({ timings_ms: _t, ...p }) => p) });
const options = engineOptionsFromConfig(loadConfig());
let differ = 0;
const cpu: number[] = [];
for (const f of images) {
  const data = readFileSync(path.join(set, f));
  const c0 = process.cpuUsage();
  const doc = await runDocument(data, { options, mode: 'layout', filename: f });
  const cu = process.cpuUsage(c0);
  cpu.push((cu.user + cu.system) / 1e6);
  const outputs: Record<string, string> = { json: withoutTimings(doc), html: documentToHtml(doc), txt: documentToText(doc) };
  const stages = Object.entries(doc.pages[0]?.timings_ms ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const diffs: string[] = [];
  for (const [ext, text] of Object.entries(outputs)) {
    const file = path.join(dir, `${f}.${ext}`);
    if (action === 'save') writeFileSync(file, text);
    else if (!existsSync(file) || readFileSync(file, 'utf8') !== text) diffs.push(ext);
  }
  if (diffs.length) differ++;
  console.log(`${f}: cpu ${cpu.at(-1)?.toFixed(2)} s | ${stages}${action === 'compare' ? (diffs.length ? ` | DIFFERS: ${diffs.join(', ')}` : ' | same') : ''}`);
}
await disposeEngines();
const sorted = [...cpu].sort((a, b) => a - b);
console.log(
  `${images.length} samples, cpu median ${sorted[sorted.length >> 1]?.toFixed(2)} s, total ${cpu.reduce((a, b) => a + b, 0).toFixed(1)} s${action === 'compare' ? `, ${differ} differ` : ''}`,
);
if (differ) process.exit(1);
