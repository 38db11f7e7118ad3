#!/usr/bin/env node
// Runs the whole test suite with Node's built-in runner and ends with "N passed, N failed".
//   npm test                       all packages
//   npm test -- packages/server    only test files under these paths
//   npm test -- --grep webhook     only test files whose path contains the words
// Test files: packages/*/test/**/*.test.ts. TypeScript runs through tsx; a typecheck
// and the architecture and lint check (scripts/check-architecture.mjs) run first (skip both with
// OCRFLOW_TEST_SKIP_TYPECHECK=1 while iterating).
//
// A second pass runs the packages/server suites that use a store, queue or bus (every file
// that starts a server or opens a store through the test helpers) again on PostgreSQL + Redis,
// plus the backend-only `*.pg.test.ts` files; both passes count in the final line. The services:
// OCRFLOW_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) and
// OCRFLOW_TEST_REDIS_URL (default redis://127.0.0.1:6379). When they are not reachable the pass is
// skipped with a notice — except in CI (CI=true), where that is a failure. OCRFLOW_TEST_SCALED=0
// skips it, OCRFLOW_TEST_SCALED=only runs only it.
import { spawnSync, spawn } from 'node:child_process';
import net from 'node:net';
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

// Backend-only files run only in the scaled pass; server suites that use a backend run in both.
const isPgOnly = (f) => f.endsWith('.pg.test.ts');
const usesBackend = (f) =>
  f.startsWith(path.join('packages', 'server', 'test') + path.sep) && (isPgOnly(f) || /helpers\/(server|workbench)\.helper\.ts'/.test(readFileSync(f, 'utf8')));
const scaledMode = process.env.OCRFLOW_TEST_SCALED ?? 'auto';
const embeddedFiles = scaledMode === 'only' ? [] : files.filter((f) => !isPgOnly(f));
const scaledFiles = scaledMode === '0' ? [] : files.filter(usesBackend);
const DB_URL = process.env.OCRFLOW_TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.OCRFLOW_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

let typecheckOk = true;
if (process.env.OCRFLOW_TEST_SKIP_TYPECHECK !== '1' && !roots.length && !grep.length) {
  console.log('› typecheck (tsc --noEmit)');
  const tc = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit'], { stdio: 'inherit' });
  // The web UI has its own tsconfig (JSX, DOM); it is excluded from the root one.
  const tcWeb = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'packages/web/tsconfig.json', '--noEmit'], { stdio: 'inherit' });
  typecheckOk = tc.status === 0 && tcWeb.status === 0;
  if (!typecheckOk) console.log('✖ typecheck failed');
}
// The architecture's checkable rules (imports between packages and layers, cycles, file size).
let architectureOk = true;
if (process.env.OCRFLOW_TEST_SKIP_TYPECHECK !== '1' && !roots.length && !grep.length) {
  console.log('› architecture check (dependency-cruiser, file size)');
  architectureOk = spawnSync(process.execPath, ['scripts/check-architecture.mjs'], { stdio: 'inherit' }).status === 0;
}

const tmp = mkdtempSync(path.join(tmpdir(), 'ocrflow-test-'));
const concurrency = process.env.OCRFLOW_TEST_CONCURRENCY ?? '1';
const testTimeoutMs = Number(process.env.OCRFLOW_TEST_TIMEOUT_MS ?? 10 * 60_000);
// Last resort for a runner that never ends (a test process stuck outside any test): kill the pass.
const passTimeoutMs = Number(process.env.OCRFLOW_TEST_PASS_TIMEOUT_MS ?? 40 * 60_000);

/** One `node --test` run; resolves to its counts (a runner that died reports none). */
function runPass(label, passFiles, env) {
  const countFile = path.join(tmp, `counts-${label}.json`);
  const nodeArgs = [
    '--import',
    'tsx',
    '--test',
    `--test-concurrency=${concurrency}`,
    // A hung test fails after this long instead of stalling CI. (--test-force-exit would also end
    // files that leave a handle open, but it cuts off the counting reporter's final write.)
    `--test-timeout=${testTimeoutMs}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=./scripts/count-reporter.mjs',
    `--test-reporter-destination=${countFile}`,
    ...passFiles,
  ];
  console.log(`› ${passFiles.length} test files${label === 'embedded' ? '' : ` (${label})`}`);
  return new Promise((resolve) => {
    // Tests run the TypeScript sources, also where they start the `ocrflow` bin (OCRFLOW_FROM_SOURCE;
    // the dist/ build has its own test).
    const child = spawn(process.execPath, nodeArgs, {
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'test', OCRFLOW_LOG_LEVEL: process.env.OCRFLOW_LOG_LEVEL ?? 'silent', OCRFLOW_FROM_SOURCE: '1', ...env },
    });
    const watchdog = setTimeout(() => {
      console.log(`✖ the ${label} pass ran longer than ${passTimeoutMs / 60_000} min: killing it`);
      child.kill('SIGKILL');
    }, passTimeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(watchdog);
      let counts = { passed: 0, failed: 0, failures: [] };
      try {
        counts = JSON.parse(readFileSync(countFile, 'utf8').trim().split('\n').pop());
      } catch {
        /* runner died */
      }
      const runnerBroke = code !== 0 && counts.failed === 0;
      if (runnerBroke) console.log(`✖ the ${label} test runner exited with ${signal ?? code} without reporting a failed test`);
      resolve({ ...counts, label, failures: (counts.failures ?? []).map((f) => (label === 'embedded' ? f : `[${label}] ${f}`)), runnerBroke });
    });
  });
}

/** Can we open a TCP connection to the URL's host and port? */
function reachable(url, defaultPort) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const sock = net.connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) });
    const done = (ok) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(2000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

const results = [];
// The embedded pass is the embedded shape even when the shell exported the scaled URLs.
if (embeddedFiles.length) results.push(await runPass('embedded', embeddedFiles, { OCRFLOW_TEST_DATABASE_URL: '', OCRFLOW_TEST_REDIS_URL: '' }));
let scaledMissing = false;
if (scaledFiles.length) {
  const up = (await reachable(DB_URL, 5432)) && (await reachable(REDIS_URL, 6379));
  if (up) {
    // Schemas and key prefixes left by killed runs more than an hour ago.
    const sweep = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import('./packages/server/test/helpers/backend.helper.ts').then((m) => m.sweepStaleTestBackends(${JSON.stringify(DB_URL)}, ${JSON.stringify(REDIS_URL)})).then((r) => { if (r.schemas || r.keys) console.log('swept stale test backends', JSON.stringify(r)); process.exit(0); })`,
      ],
      { stdio: 'inherit' },
    );
    if (sweep.status !== 0) console.log('! sweeping stale test schemas failed (ignored)');
    results.push(await runPass('pg+redis', scaledFiles, { OCRFLOW_TEST_DATABASE_URL: DB_URL, OCRFLOW_TEST_REDIS_URL: REDIS_URL }));
  } else if (process.env.CI === 'true') {
    scaledMissing = true;
    console.log(`✖ PostgreSQL (${DB_URL.replace(/:[^:@/]*@/, ':***@')}) or Redis (${REDIS_URL}) is not reachable: the PostgreSQL + Redis pass cannot run`);
  } else console.log(`! PostgreSQL or Redis not reachable: skipping the PostgreSQL + Redis pass (${scaledFiles.length} files)`);
}
rmSync(tmp, { recursive: true, force: true });

const passed = results.reduce((n, r) => n + r.passed, 0);
const failures = results.flatMap((r) => r.failures ?? []);
const broke = results.filter((r) => r.runnerBroke).length;
const failed = results.reduce((n, r) => n + r.failed, 0) + (typecheckOk ? 0 : 1) + (architectureOk ? 0 : 1) + (scaledMissing ? 1 : 0);
if (failures.length) {
  console.log('\nFailed tests:');
  for (const f of failures) console.log(`  ✖ ${f}`);
}
if (!typecheckOk) console.log('  ✖ typecheck');
if (!architectureOk) console.log('  ✖ architecture check');
if (results.length > 1) console.log(results.map((r) => `${r.label}: ${r.passed} passed, ${r.failed} failed`).join(' · '));
console.log(`${passed} passed, ${failed + broke} failed`);
process.exit(failed > 0 || broke > 0 || passed === 0 ? 1 : 0);
