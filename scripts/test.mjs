#!/usr/bin/env node
// Runs the whole test suite with Node's built-in runner and ends with "N passed, N failed".
//   npm test                       all packages
//   npm test -- packages/server    only test files under these paths
//   npm test -- --grep webhook     only test files whose path contains the words
// Test files: packages/*/test/**/*.test.ts. TypeScript runs through tsx; a typecheck runs first
// (skip with OCRFLOW_TEST_SKIP_TYPECHECK=1 while iterating).
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

const args = process.argv.slice(2);
const grep = [];
const roots = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--grep') grep.push(args[++i]);
  else roots.push(args[i]);
}

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts') || name.endsWith('.test.mjs')) out.push(p);
  }
  return out;
}
let files = [];
for (const pkg of readdirSync('packages')) walk(path.join('packages', pkg, 'test'), files);
if (roots.length) files = files.filter((f) => roots.some((r) => f.startsWith(path.normalize(r))));
if (grep.length) files = files.filter((f) => grep.some((g) => f.includes(g)));
files.sort();

let typecheckOk = true;
if (process.env.OCRFLOW_TEST_SKIP_TYPECHECK !== '1' && !roots.length && !grep.length) {
  console.log('› typecheck (tsc --noEmit)');
  const tc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], { stdio: 'inherit' });
  // The web UI has its own tsconfig (JSX, DOM); it is excluded from the root one.
  const tcWeb = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'packages/web/tsconfig.json', '--noEmit'], { stdio: 'inherit' });
  typecheckOk = tc.status === 0 && tcWeb.status === 0;
  if (!typecheckOk) console.log('✖ typecheck failed');
}

const tmp = mkdtempSync(path.join(tmpdir(), 'ocrflow-test-'));
const countFile = path.join(tmp, 'counts.json');
const concurrency = process.env.OCRFLOW_TEST_CONCURRENCY ?? '1';
const nodeArgs = [
  '--import', 'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=./scripts/count-reporter.mjs', `--test-reporter-destination=${countFile}`,
  ...files,
];
console.log(`› ${files.length} test files`);
const child = spawn(process.execPath, nodeArgs, { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test', OCRFLOW_LOG_LEVEL: process.env.OCRFLOW_LOG_LEVEL ?? 'silent' } });
child.on('exit', (code, signal) => {
  let counts = { passed: 0, failed: 0, failures: [] };
  try { counts = JSON.parse(readFileSync(countFile, 'utf8').trim().split('\n').pop()); } catch { /* runner died */ }
  rmSync(tmp, { recursive: true, force: true });
  const failed = counts.failed + (typecheckOk ? 0 : 1);
  if (counts.failures?.length) {
    console.log('\nFailed tests:');
    for (const f of counts.failures) console.log(`  ✖ ${f}`);
  }
  if (!typecheckOk) console.log('  ✖ typecheck');
  const runnerBroke = code !== 0 && failed === 0;
  if (runnerBroke) console.log(`✖ the test runner exited with ${signal ?? code} without reporting a failed test`);
  console.log(`${counts.passed} passed, ${failed + (runnerBroke ? 1 : 0)} failed`);
  process.exit(failed > 0 || runnerBroke || counts.passed === 0 ? 1 : 0);
});
