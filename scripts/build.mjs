#!/usr/bin/env node
// Builds the command line and the service to plain JavaScript in dist/, so that `ocrflow` and
// `npm start` compile no TypeScript when they start (tsx costs ~0.3 s per process and per worker
// thread). Run by `npm ci`/`npm install` (the root `prepare` script) and again by the bin when a
// source is newer than the build; tests and `node --import tsx` keep running the TS sources.
//
// esbuild bundles the workspace packages (node_modules packages stay external: native addons,
// wasm, their own workers) into ES modules in one folder per build, dist/build-<time>/:
//   cli.mjs            main(argv) of packages/cli/src/main.ts
//   ocr.worker.mjs     the service's OCR worker thread
//   infer.worker.mjs   a recognition lane's thread
//   chunk-*.mjs        code shared by them, loaded on demand (each command is its own chunk)
// dist/build.json names the current folder and is replaced last. A service started from the
// previous build keeps loading its chunks and workers while a new build is made: the previous
// folder is kept, older ones are removed.
// `import.meta.url` in a bundled file is the bundle's; every source that uses it to find a file
// next to itself (models, package.json, the web UI) gets its own source location instead, except
// `new URL('./x.worker.mjs', import.meta.url)`, which must find the built worker beside the bundle.
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = path.join(root, 'dist');
const STAMP = path.join(DIST, 'build.json');
/** Packages whose sources end up in the bundle (web has its own vite build). */
const PACKAGES = ['core', 'engines', 'analysis', 'eval', 'server', 'client', 'cli'];
const ENTRIES = {
  cli: 'packages/cli/src/main.ts',
  'ocr.worker': 'packages/server/src/workers/ocr.worker.ts',
  'infer.worker': 'packages/engines/src/paddle/infer.worker.ts',
};

function newestSource() {
  let t = 0;
  const walk = (p) => {
    const st = statSync(p);
    if (!st.isDirectory()) {
      t = Math.max(t, st.mtimeMs);
      return;
    }
    for (const n of readdirSync(p)) walk(path.join(p, n));
  };
  for (const pkg of PACKAGES) {
    const dir = path.join(root, 'packages', pkg);
    if (existsSync(path.join(dir, 'src'))) walk(path.join(dir, 'src'));
    if (existsSync(path.join(dir, 'package.json'))) t = Math.max(t, statSync(path.join(dir, 'package.json')).mtimeMs);
  }
  return t;
}

/** True when dist/ holds a build at least as new as every bundled source. */
export function isFresh() {
  if (!existsSync(STAMP)) return false;
  return statSync(STAMP).mtimeMs >= newestSource();
}

const WORKER_URL = /new URL\((['"])\.\/([\w.-]+\.worker\.mjs)\1,\s*import\.meta\.url\)/g;

/** Gives every bundled source its own `import.meta.url` (see the header). */
function sourceUrls(outdir) {
  return {
    name: 'source-urls',
    setup(b) {
      b.onLoad({ filter: /[\\/]packages[\\/].*\.ts$/ }, (a) => {
        let text = readFileSync(a.path, 'utf8');
        if (!text.includes('import.meta.url')) return undefined;
        const kept = [];
        text = text.replace(WORKER_URL, (m) => `__KEEP_WORKER_URL_${kept.push(m) - 1}__`);
        const rel = path.relative(outdir, a.path).split(path.sep).join('/');
        text = text.replace(/import\.meta\.url/g, `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
        text = text.replace(/__KEEP_WORKER_URL_(\d+)__/g, (_, i) => kept[Number(i)]);
        return { contents: text, loader: 'ts' };
      });
    },
  };
}

/** Bare imports other than the workspace's own packages stay imports of node_modules. */
const externals = {
  name: 'externals',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (a) => (a.path.startsWith('@ocrflow/') ? undefined : { path: a.path, external: true }));
  },
};

/** The folder of the current build (absolute), or null when there is none. */
export function currentBuild() {
  try {
    const { dir } = JSON.parse(readFileSync(STAMP, 'utf8'));
    return typeof dir === 'string' && existsSync(path.join(DIST, dir, 'cli.mjs')) ? path.join(DIST, dir) : null;
  } catch {
    return null;
  }
}

export async function build({ quiet = false } = {}) {
  const { build: esbuild } = await import('esbuild');
  const name = `build-${Date.now().toString(36)}-${process.pid}`;
  const out = path.join(DIST, name);
  const previous = currentBuild();
  mkdirSync(out, { recursive: true });
  const t0 = Date.now();
  try {
    await esbuild({
      absWorkingDir: root,
      entryPoints: ENTRIES,
      outdir: out,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunk-[hash]',
      sourcemap: 'linked',
      logLevel: 'error',
      plugins: [externals, sourceUrls(out)],
    });
  } catch (e) {
    rmSync(out, { recursive: true, force: true });
    throw e;
  }
  const tmp = `${STAMP}.${process.pid}`;
  writeFileSync(tmp, JSON.stringify({ dir: name, built_at: new Date().toISOString(), entries: ENTRIES }, null, 2) + '\n');
  renameSync(tmp, STAMP);
  for (const d of readdirSync(DIST)) {
    const p = path.join(DIST, d);
    // Older builds, and the loose files of builds made before builds had folders.
    if (d !== 'build.json' && d !== name && p !== previous && !d.startsWith('build.json.')) rmSync(p, { recursive: true, force: true });
  }
  if (!quiet) process.stderr.write(`ocrflow: built dist/ in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await build();
  } catch (e) {
    // `npm ci` runs this as `prepare --if-possible`: an install never fails for want of the build
    // (the bin then runs the sources through tsx, and the dist test in `npm test` reports it).
    if (!process.argv.includes('--if-possible')) throw e;
    process.stderr.write(`ocrflow: dist/ not built (${e?.message ?? e}); the command will run the TypeScript sources\n`);
  }
}
