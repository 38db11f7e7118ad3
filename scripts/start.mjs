#!/usr/bin/env node
// `npm start`: the embedded ocrflow service (`ocrflow serve` with the defaults: http://127.0.0.1:8080,
// SQLite and files under ./data, worker threads in this process). Extra arguments are passed to
// `serve`, e.g. `npm start -- --port 9000 --workers 1`.
import { register } from 'tsx/esm/api';

// ---- WEB UI BUILD HOOK (issue 6) -----------------------------------------------------------
// When the workbench lands: if packages/web/dist is missing, build it here (vite build) before
// serving, so `npm start` on a fresh clone serves the UI at `/`.
// ---------------------------------------------------------------------------------------------

register();
const { main } = await import('../packages/cli/src/main.ts');
process.exitCode = await main(['serve', ...process.argv.slice(2)]);
