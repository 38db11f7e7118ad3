/**
 * Confidence you can review, and the searchable PDF, in real Chromium against a real ocrflow with
 * real OCR of the scanned report: the low-confidence cells are marked in the grid and on the page
 * image, "next cell to check" walks to them, a confirmed or edited cell loses its mark, and what is
 * left is saved with the version (and counted on the task). The task's searchable PDF downloads
 * under the upload's name, holds the recognised text, and opens in Chromium's own PDF viewer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { OcrDocument, Sheet } from '@ocrflow/core';
import { documentToText } from '@ocrflow/core';
import type { TestServer } from '../../server/test/helpers/server.helper.ts';
import {
  OCR_TIMEOUT,
  REPORT_SCAN,
  launchChromium,
  openPage,
  screenshot,
  scriptErrors,
  startWorkbench,
  uploadFile,
  waitReady,
} from './helpers/browser.helper.ts';

let server: TestServer;
let browser: Browser;

before(async () => {
  server = await startWorkbench();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

async function apiData<T>(p: string): Promise<T> {
  const r = await fetch(`${server.url}/api/v1/${p}`);
  const body = (await r.json()) as { success: boolean; data: T; message: string };
  assert.ok(r.ok && body.success, `${p}: ${r.status} ${body.message}`);
  return body.data;
}

const marksOf = (sheets: Sheet[]) => sheets.reduce((n, s) => n + (s.review?.length ?? 0), 0);

test('marked cells: next, confirm and edit remove marks; what is left is saved with the version; the searchable PDF downloads and opens', {
  timeout: OCR_TIMEOUT + 120_000,
}, async () => {
  const page = await openPage(browser);
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=dropzone]');
  const id = await uploadFile(page, REPORT_SCAN);
  await waitReady(page);

  const task = await apiData<{ cells_to_check: number | null; ocr_job_id: string }>(`tasks/${id}`);
  const v1 = await apiData<{ sheets: Sheet[] }>(`tasks/${id}/tables`);
  const n = marksOf(v1.sheets);
  assert.equal(task.cells_to_check, n, 'the task counts the marks of its sheets');
  assert.ok(n >= 2, `the report has cells below the review threshold (${n})`);
  await page.waitForFunction((want) => document.querySelector('[data-testid=review-count]')?.getAttribute('data-count') === String(want), n);

  // Marked in the grid (the active sheet's marks) and on the page image.
  const grid = page.locator('[data-testid=sheet-grid]');
  const active = v1.sheets[0].review?.length ?? 0;
  if (active) {
    await page.waitForFunction((k) => document.querySelectorAll('[data-testid=sheet-grid] td.needs-review').length === k, active);
    assert.equal(await page.locator('[data-testid=overlay-svg] rect.ov-review').count(), active, 'the same cells are marked on the page image');
  }

  // "Next cell to check" selects a marked cell, which "Confirm cell" then unmarks.
  assert.ok(await page.locator('[data-testid=review-confirm]').isDisabled(), 'nothing to confirm before a marked cell is selected');
  await page.click('[data-testid=review-next]');
  await page.waitForFunction(() => !(document.querySelector('[data-testid=review-confirm]') as HTMLButtonElement | null)?.disabled);
  assert.match((await page.locator('[data-testid=grid-announce]').textContent()) ?? '', /[A-Z]+\d+ to check \(confidence \d+ %\)/);
  await screenshot(page, 'task-review', { fullPage: true });
  await page.click('[data-testid=review-confirm]');
  await page.waitForFunction((want) => document.querySelector('[data-testid=review-count]')?.getAttribute('data-count') === String(want), n - 1);
  await page.waitForSelector('[data-testid=unsaved]');

  // Editing a marked cell removes its mark.
  await page.click('[data-testid=review-next]');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=sheet-grid] td.needs-review').length > 0);
  const td = grid.locator('td.needs-review').first();
  const [x, y] = [await td.getAttribute('data-x'), await td.getAttribute('data-y')];
  await td.dblclick();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('CHECKED-7');
  await page.keyboard.press('Enter');
  await page.waitForFunction((want) => document.querySelector('[data-testid=review-count]')?.getAttribute('data-count') === String(want), n - 2);
  assert.equal(await grid.locator(`td[data-x="${x}"][data-y="${y}"].needs-review`).count(), 0, 'the edited cell is no longer marked');

  // Saved with the version: the task counts what is left, and a reload shows the same marks.
  await page.click('[data-testid=save]');
  await page.waitForSelector('[data-testid=saved]');
  const v2 = await apiData<{ version: number; sheets: Sheet[] }>(`tasks/${id}/tables`);
  assert.equal(v2.version, 2);
  assert.equal(marksOf(v2.sheets), n - 2);
  assert.equal((await apiData<{ cells_to_check: number }>(`tasks/${id}`)).cells_to_check, n - 2);
  await page.reload();
  await waitReady(page);
  await page.waitForFunction((want) => document.querySelector('[data-testid=review-count]')?.getAttribute('data-count') === String(want), n - 2);
  assert.deepEqual(scriptErrors(page), []);

  // The searchable PDF: named after the upload, with the recognised text in it.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download-pdf]')]);
  assert.equal(download.suggestedFilename(), 'report-scan.pdf');
  const pdfPath = (await download.path())!;
  execFileSync('qpdf', ['--check', pdfPath]);
  // Every recognised character is in the text layer (compared as bags: reading order may differ).
  const bag = (t: string) => {
    const m = new Map<string, number>();
    for (const ch of t.normalize('NFKC').replace(/\s+/g, '')) m.set(ch, (m.get(ch) ?? 0) + 1);
    return m;
  };
  const doc = await apiData<OcrDocument>(`tasks/${id}/document`);
  const want = bag(documentToText(doc)),
    got = bag(execFileSync('pdftotext', [pdfPath, '-'], { encoding: 'utf8' }));
  let common = 0,
    total = 0;
  for (const [ch, k] of want) {
    total += k;
    common += Math.min(k, got.get(ch) ?? 0);
  }
  assert.ok(common / total >= 0.98, `${common} of ${total} recognised characters are in the PDF's text`);

  // Chromium's own PDF viewer opens it (the job API serves it inline) with its page and no error.
  const viewer = await browser.newPage();
  await viewer.goto(`${server.url}/v1/jobs/${task.ocr_job_id}/result?format=pdf`);
  const ext = await (async () => {
    for (let i = 0; i < 100; i++) {
      const f = viewer.frames().find((fr) => fr.url().startsWith('chrome-extension://'));
      if (f) return f;
      await viewer.waitForTimeout(100);
    }
    return null;
  })();
  assert.ok(ext, 'the PDF viewer loaded');
  // Plain JavaScript text: the viewer's elements live in shadow roots.
  const probe = `(() => { let pages = -1, error = false; const walk = (n) => { if (n.shadowRoot) walk(n.shadowRoot); for (const c of (n.children || [])) walk(c); if (n.tagName === 'VIEWER-PAGE-SELECTOR') pages = Number(n.docLength); if (n.tagName === 'VIEWER-ERROR-DIALOG') error = true; }; walk(document); return { pages, error }; })()`;
  let state = { pages: -1, error: false };
  for (let i = 0; i < 100 && state.pages < 1 && !state.error; i++) {
    state = (await ext!.evaluate(probe)) as typeof state;
    if (state.pages < 1) await viewer.waitForTimeout(100);
  }
  assert.deepEqual(state, { pages: 1, error: false });
  await screenshot(viewer, 'searchable-pdf');
  await viewer.close();
});

test('a table printed over two pages opens as one sheet, header once, every row', { timeout: OCR_TIMEOUT }, async () => {
  const rows = Array.from({ length: 60 }, (_, i) => [String(2001 + i), `Part ${i}`, (i * 1.25).toFixed(2)]);
  const html = `<html><head><style>table{border-collapse:collapse;width:100%}td,th{border:1px solid #000;padding:5px;font:15px sans-serif}</style></head><body><h1>Parts list</h1><table><thead><tr><th>No</th><th>Part</th><th>Weight</th></tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table></body></html>`;
  const printer = await browser.newPage();
  await printer.setContent(html);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-join-')), 'parts-list.pdf');
  fs.writeFileSync(file, await printer.pdf({ format: 'A4' }));
  await printer.close();

  const page = await openPage(browser);
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=dropzone]');
  const id = await uploadFile(page, file);
  await waitReady(page);
  const doc = await apiData<OcrDocument>(`tasks/${id}/document`);
  assert.ok(doc.pages.length >= 2, 'printed over more than one page');
  const tables = await apiData<{ sheets: Sheet[] }>(`tasks/${id}/tables`);
  assert.equal(tables.sheets.length, 1, 'one sheet for the joined table');
  assert.deepEqual(
    tables.sheets[0].rows.map((r) => r.map((v) => String(v ?? ''))),
    [['No', 'Part', 'Weight'], ...rows],
  );
  assert.equal(await page.locator('.sheet-tabs [role=tab]').count(), 1);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=sheet-grid] tbody tr').length === n, rows.length + 1);
  await screenshot(page, 'task-joined-table', { fullPage: true });
  assert.deepEqual(scriptErrors(page), []);
});
