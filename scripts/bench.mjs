#!/usr/bin/env node
// `npm run bench`: runs every benchmark one after another, each in its own process under tsx —
// scripts/bench.*.ts and packages/*/bench/*.bench.ts — and prints what each reports.
//   npm run bench                       all of them
//   npm run bench -- webhooks tables    only those whose file name contains a word
//   npm run bench -- webhooks --jobs 200   options starting with -- go to every selected script
// The machine is shared: run it as `flock /tmp/ocrflow-bench.lock npm run bench`.
// Each benchmark documents its method and options in its header; numbers go to docs/benchmarks.md.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const words = [];
const passThrough = [];
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i].startsWith('--')) {
    passThrough.push(args[i]);
    if (i + 1 < args.length && !args[i + 1].startsWith('--')) passThrough.push(args[++i]);
  } else words.push(args[i]);
}

let files = readdirSync('scripts')
  .filter((f) => /^bench\..+\.ts$/.test(f))
  .map((f) => path.join('scripts', f));
for (const pkg of readdirSync('packages')) {
  const dir = path.join('packages', pkg, 'bench');
  if (existsSync(dir))
    files.push(
      ...readdirSync(dir)
        .filter((f) => f.endsWith('.bench.ts'))
        .map((f) => path.join(dir, f)),
    );
}
files.sort();
if (words.length) files = files.filter((f) => words.some((w) => path.basename(f).includes(w)));
if (!files.length) {
  console.error(`no benchmark matches ${words.join(', ')}`);
  process.exit(1);
}

let failed = 0;
for (const f of files) {
  console.log(`\n› ${f}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', f, ...passThrough], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
  console.log(`  (${((Date.now() - t0) / 1000).toFixed(1)} s${r.status !== 0 ? `, exit ${r.status ?? r.signal}` : ''})`);
}
console.log(`\n${files.length - failed} benchmarks ran, ${failed} failed`);
process.exit(failed ? 1 : 0);
