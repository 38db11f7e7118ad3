#!/usr/bin/env node
// `npm start`: the embedded ocrflow service (`ocrflow serve` with the defaults: http://127.0.0.1:8080,
// SQLite and files under ./data, worker threads in this process). Extra arguments are passed to
// `serve`, e.g. `npm start -- --port 9000 --workers 1`.
import { loadMain } from '../packages/cli/bin/load-main.mjs';

// ---- WEB UI BUILD HOOK -----------------------------------------------------------
// The workbench UI is served from packages/web/dist. Build it (vite build) when it is missing or
// older than its sources, so `npm start` on a fresh clone — or after a pull — serves the current
// UI at `/`. A failed build is reported and the service starts anyway (the API works; `/` then
// explains that the UI is not built). OCRFLOW_SKIP_WEB_BUILD=1 skips the check.
{
  const { existsSync, statSync, readdirSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const path = await import('node:path');
  const { fileURLToPath } = await import('node:url');
  const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../packages/web');
  const newest = (p) => {
    if (!existsSync(p)) return 0;
    const st = statSync(p);
    if (!st.isDirectory()) return st.mtimeMs;
    let t = 0;
    for (const name of readdirSync(p)) if (name !== 'node_modules' && name !== 'dist') t = Math.max(t, newest(path.join(p, name)));
    return t;
  };
  const built = path.join(web, 'dist', 'index.html');
  const sources = Math.max(
    ...['src', 'public', 'index.html', 'vite.config.ts', 'vite.config.js', 'package.json', 'tsconfig.json'].map((n) => newest(path.join(web, n))),
  );
  const stale = !existsSync(built) || statSync(built).mtimeMs < sources;
  if (process.env.OCRFLOW_SKIP_WEB_BUILD !== '1' && existsSync(path.join(web, 'package.json')) && sources > 0 && stale) {
    process.stderr.write(`ocrflow: building the web UI (${existsSync(built) ? 'sources changed' : 'not built yet'}) …\n`);
    const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '-w', 'packages/web'], {
      cwd: path.resolve(web, '../..'),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (r.status !== 0)
      process.stderr.write(`ocrflow: the web UI build failed (${r.error?.message ?? `exit ${r.status}`}); serving the API without a fresh UI\n`);
  }
}
// ---------------------------------------------------------------------------------------------

const main = await loadMain();
process.exitCode = await main(['serve', ...process.argv.slice(2)]);
