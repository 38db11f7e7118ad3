// Where `main` comes from. Normally the plain JavaScript build in dist/ (scripts/build.mjs, made
// by `npm ci` and remade here when a source is newer): no TypeScript is compiled at start-up.
// OCRFLOW_FROM_SOURCE=1 (the test runner sets it), or a build that cannot be made, runs the
// TypeScript sources through tsx instead.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export async function loadMain() {
  if (process.env.OCRFLOW_FROM_SOURCE !== '1') {
    try {
      const b = await import('../../../scripts/build.mjs');
      if (!b.isFresh()) await b.build({ quiet: true });
      const dir = b.currentBuild();
      if (!dir) throw new Error('dist/build.json names no build');
      return (await import(pathToFileURL(path.join(dir, 'cli.mjs')).href)).main;
    } catch (e) {
      process.stderr.write(`ocrflow: running from the TypeScript sources (no build: ${e?.message ?? e})\n`);
    }
  }
  const { register } = await import('tsx/esm/api');
  register();
  return (await import('../src/main.ts')).main;
}
