#!/usr/bin/env node
// The architecture's rules that a tool can check, run by `npm test` before the tests:
//   1. imports (dependency-cruiser, rules in .dependency-cruiser.cjs): packages depend downward only,
//      server layers routes → services → ports ← adapters, no runtime import cycles, nothing
//      unresolvable, no devDependency in shipped code;
//   2. dead code (knip, knip.json): unused files, exports, dependencies, and imports of packages
//      a package.json does not list;
//   3. lint and format (Biome, biome.jsonc): its recommended rules less the ones turned off there
//      with a reason, no source file over 400 lines (past that, split it by what its parts do), and
//      every file as the formatter writes it (lines within 160 characters; `npx biome format --write`);
//   4. comments say what code means, not who asked for it: no "issue N" in sources, tests or scripts.
// Known import violations being worked off are listed in .dependency-cruiser-known-violations.json.
// A violation not in that list fails, and so does a listed one that no longer occurs, so the list
// only ever shrinks. `node scripts/check-architecture.mjs --update-baseline` rewrites it.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const KNOWN = '.dependency-cruiser-known-violations.json';
const SOURCE = /\.(ts|tsx|mjs|cjs|js)$/;

const problems = [];

// 1. Imports.
const srcDirs = readdirSync('packages')
  .map((p) => path.join('packages', p, 'src'))
  .filter((d) => existsSync(d));
const cruise = spawnSync(
  process.execPath,
  ['node_modules/dependency-cruiser/bin/dependency-cruise.mjs', ...srcDirs, '--config', '.dependency-cruiser.cjs', '--output-type', 'json'],
  { encoding: 'utf8', maxBuffer: 256 << 20 },
);
if (cruise.status !== 0 && !cruise.stdout) {
  console.log(`✖ dependency-cruiser did not run: ${cruise.stderr.trim()}`);
  process.exit(1);
}
const key = (v) => `${v.rule.name}: ${v.from} → ${v.to}`;
const found = JSON.parse(cruise.stdout).summary.violations.map(key).sort();
if (process.argv.includes('--update-baseline')) {
  writeFileSync(KNOWN, JSON.stringify(found, null, 2) + '\n');
  console.log(`wrote ${found.length} known violations to ${KNOWN}`);
}
const known = existsSync(KNOWN) ? JSON.parse(readFileSync(KNOWN, 'utf8')) : [];
for (const v of found) if (!known.includes(v)) problems.push(`import rule broken — ${v}`);
for (const v of known) if (!found.includes(v)) problems.push(`fixed, so remove it from ${KNOWN} — ${v}`);

// 2. Dead code.
const knip = spawnSync(process.execPath, ['node_modules/knip/bin/knip.js', '--no-progress', '--no-config-hints'], { encoding: 'utf8', maxBuffer: 64 << 20 });
if (knip.status !== 0) problems.push(`knip found unused code or unlisted dependencies:\n${(knip.stdout + knip.stderr).trim().replace(/^/gm, '      ')}`);

// 3. Lint, file length included. Warnings fail too: a finding is fixed or its rule is turned off
// with a reason in biome.jsonc.
const biome = spawnSync(process.execPath, ['node_modules/@biomejs/biome/bin/biome', 'lint', '--error-on-warnings', '--max-diagnostics=50'], {
  encoding: 'utf8',
  maxBuffer: 64 << 20,
});
if (biome.status !== 0) problems.push(`biome lint found problems:\n${(biome.stdout + biome.stderr).trim().replace(/^/gm, '      ')}`);
const format = spawnSync(process.execPath, ['node_modules/@biomejs/biome/bin/biome', 'format', '--max-diagnostics=20'], {
  encoding: 'utf8',
  maxBuffer: 64 << 20,
});
if (format.status !== 0)
  problems.push(`files not formatted (run \`npx biome format --write\`):\n${(format.stdout + format.stderr).trim().replace(/^/gm, '      ')}`);

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (SOURCE.test(name)) out.push(p);
  }
  return out;
}
// 4. Provenance in comments.
const ISSUE_REF = /\b[Ii]ssue \d+\b/;
const commentDirs = [
  ...srcDirs,
  ...readdirSync('packages')
    .map((p) => path.join('packages', p, 'test'))
    .filter((d) => existsSync(d)),
  'scripts',
];
for (const dir of commentDirs)
  for (const f of walk(dir).filter((f) => !f.includes(`${path.sep}node_modules${path.sep}`))) {
    const text = readFileSync(f, 'utf8');
    const at = text.split('\n').findIndex((l) => ISSUE_REF.test(l));
    if (at >= 0) problems.push(`${f}:${at + 1} names an issue: say what the code means instead`);
  }

if (problems.length) {
  console.log(`✖ architecture check: ${problems.length} problem${problems.length > 1 ? 's' : ''}`);
  for (const p of problems) console.log(`  ✖ ${p}`);
  process.exit(1);
}
console.log(
  `✔ architecture check: import rules hold (${known.length} known violations left), no dead code, lint clean (no source file over 400 lines), formatted, no issue numbers in comments`,
);
