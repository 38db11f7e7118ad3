/**
 * Browser tests of the workbench: the built UI (vite build, only when a source is newer than
 * dist/), a real ocrflow server on a temporary data dir (real SQLite, real OCR worker threads,
 * loopback HTTP on port 0) and Debian's Chromium driven by playwright-core. Nothing is mocked.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../../server/test/helpers/server.helper.ts';

export const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_ROOT = path.resolve(WEB_ROOT, '../..');
export const REPORT_SCAN = path.resolve(REPO_ROOT, '../shared/datasets/cn-report-dev/report-scan.jpg');
const SHOTS_DIR = path.join(REPO_ROOT, 'docs/screenshots');

function newestMtime(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let max = 0;
  for (const name of fs.readdirSync(p)) max = Math.max(max, newestMtime(path.join(p, name)));
  return max;
}

/** Build packages/web/dist when it is missing or older than the sources (≈2 s with Vite 8). */
export function ensureUiBuilt(): void {
  const built = path.join(WEB_ROOT, 'dist/index.html');
  const sources = Math.max(
    newestMtime(path.join(WEB_ROOT, 'src')),
    newestMtime(path.join(WEB_ROOT, 'index.html')),
    newestMtime(path.join(WEB_ROOT, 'vite.config.ts')),
  );
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources) return;
  const vite = path.join(REPO_ROOT, 'node_modules/vite/bin/vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'error'], { cwd: WEB_ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`vite build failed:\n${r.stdout}\n${r.stderr}`);
}

export async function startWorkbench(env: Record<string, string> = {}): Promise<TestServer> {
  ensureUiBuilt();
  // Analysis on, so the key-facts panel has something to show.
  const server = await startTestServer({ env: { OCRFLOW_ANALYSIS: '1', ...env } });
  const health = await fetch(`${server.url}/api/v1/ocr/health`);
  if (health.status === 404) {
    await server.close();
    throw new Error('the workbench API (/api/v1) is not served by this ocrflow build');
  }
  return server;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.OCRFLOW_CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export async function openPage(browser: Browser, opts: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', acceptDownloads: true, ...opts });
  const page = await context.newPage();
  // A script error in the page fails the test that caused it, with the message.
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  (page as Page & { scriptErrors?: string[] }).scriptErrors = errors;
  return page;
}

export function scriptErrors(page: Page): string[] {
  return (page as Page & { scriptErrors?: string[] }).scriptErrors ?? [];
}

/** Screenshots for the docs only when asked (OCRFLOW_SCREENSHOTS=1), so CI never dirties the tree. */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  if (process.env.OCRFLOW_SCREENSHOTS !== '1') return;
  fs.mkdirSync(SHOTS_DIR, { recursive: true });
  // Let the spinner and fonts settle so the picture is stable.
  await page.evaluate(() => document.fonts.ready);
  await page.screenshot({ path: path.join(SHOTS_DIR, `${name}.png`), fullPage: opts.fullPage ?? false, animations: 'disabled' });
}

/** Upload through the page's own file input (the same code path as a click or a drop). */
export async function uploadFile(page: Page, file: string): Promise<string> {
  await page.setInputFiles('[data-testid=upload-input]', file);
  await page.waitForURL(/#\/tasks\/[^/]+$/, { timeout: 30_000 });
  return decodeURIComponent(new URL(page.url()).hash.replace('#/tasks/', ''));
}

export const OCR_TIMEOUT = 180_000;

/** The states in which the page shows the tables (OCR done; the workbook made or edited, or not yet). */
export const READY_BADGE = ['ocr_done', 'excel_generated', 'editable'].map((s) => `[data-testid=status-badge][data-status=${s}]`).join(', ');

export async function waitReady(page: Page): Promise<void> {
  await page.waitForSelector(READY_BADGE, { timeout: OCR_TIMEOUT });
  await page.waitForSelector('[data-testid=sheet-grid] tbody td[data-x]', { timeout: 30_000 });
}
