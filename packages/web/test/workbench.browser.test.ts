/**
 * The workbench as a person uses it, in real Chromium against a real ocrflow with real OCR:
 * upload the scanned report, watch it finish by itself, fix a cell, add a row, save, download, and
 * read the workbook back; leave mid-OCR and come back; switch language; a phone-width screen.
 * Slow (two OCR runs of a full page on 2 cores), so the flows share one server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import ExcelJS from 'exceljs';
import type { Browser, FileChooser, Page } from 'playwright-core';
import type { Sheet } from '@ocrflow/core';
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
let finishedTask = '';

before(async () => {
  server = await startWorkbench();
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

interface Tables {
  version: number;
  sheets: Sheet[];
}
async function apiData<T>(p: string): Promise<T> {
  const r = await fetch(`${server.url}/api/v1/${p}`);
  const body = (await r.json()) as { success: boolean; data: T; message: string };
  assert.ok(r.ok && body.success, `${p}: ${r.status} ${body.message}`);
  return body.data;
}

async function readXlsx(buf: Buffer | string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  if (typeof buf === 'string') await wb.xlsx.readFile(buf);
  else await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

const colName = (i: number) => {
  let n = i + 1;
  let s = '';
  while (n > 0) {
    s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
    n = Math.floor((n - 1) / 26);
  }
  return s;
};
const rangeOf = (m: { row: number; col: number; row_span: number; col_span: number }) =>
  `${colName(m.col)}${m.row + 1}:${colName(m.col + m.col_span - 1)}${m.row + m.row_span}`;
const mergesOf = (ws: ExcelJS.Worksheet) => new Set((ws.model as unknown as { merges: string[] }).merges);
/**
 * Enter on the focused drop zone opens the file chooser. On a browser's very first start the first
 * key press can be handled before Playwright's file-chooser interception is in place (the dialog
 * then opens natively, headless, and is dismissed); a person would press again, so the test does.
 */
async function chooserByKeyboard(page: Page): Promise<FileChooser> {
  for (let attempt = 1; ; attempt++) {
    try {
      const [chooser] = await Promise.all([page.waitForEvent('filechooser', { timeout: 10_000 }), page.keyboard.press('Enter')]);
      return chooser;
    } catch (e) {
      if (attempt >= 3) throw e;
    }
  }
}
/** A cell's text; '' for an empty one, also inside a merged range whose top-left is empty (exceljs's own `text` throws there). */
const textAt = (ws: ExcelJS.Worksheet, r: number, c: number) => {
  const cell = ws.getRow(r + 1).getCell(c + 1);
  const value = cell.isMerged ? cell.master.value : cell.value;
  return value === null || value === undefined ? '' : cell.text;
};

test('upload the report, see it finish by itself, edit a cell, add a row, save, download: the xlsx holds all of it and the merges', {
  timeout: OCR_TIMEOUT + 120_000,
}, async () => {
  const page = await openPage(browser);
  await page.goto(server.url);
  await page.waitForSelector('[data-testid=dropzone]');

  // A file that is not a picture is refused before sending, in plain words, and nothing is created.
  const txt = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-web-')), 'notes.txt');
  fs.writeFileSync(txt, 'not an image');
  await page.setInputFiles('[data-testid=upload-input]', txt);
  const refusal = await page.locator('[data-testid=upload-message]').textContent();
  assert.match(refusal ?? '', /notes\.txt.*PNG, JPG, WebP or PDF/);
  assert.equal((await apiData<{ total: number }>('tasks?page=1&page_size=5')).total, 0);

  // Dropping a file over the limit: refused before sending, with its size and the limit.
  const dropped = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(11 * 1024 * 1024)], 'big.jpg', { type: 'image/jpeg' }));
    return dt;
  });
  await page.dispatchEvent('[data-testid=dropzone]', 'drop', { dataTransfer: dropped });
  await page.waitForFunction(() => /big\.jpg/.test(document.querySelector('[data-testid=upload-message]')?.textContent ?? ''));
  assert.match((await page.locator('[data-testid=upload-message]').textContent()) ?? '', /big\.jpg" is 11 MB; the limit is 10 MB/);
  assert.equal((await apiData<{ total: number }>('tasks?page=1&page_size=5')).total, 0, 'nothing was sent');
  await screenshot(page, 'home-upload-refused');

  // The real upload by keyboard: focus the drop zone, Enter opens the file chooser.
  await page.focus('[data-testid=dropzone]');
  const chooser = await chooserByKeyboard(page);
  await chooser.setFiles(REPORT_SCAN);
  await page.waitForURL(/#\/tasks\/[^/]+$/, { timeout: 30_000 });
  const id = decodeURIComponent(new URL(page.url()).hash.replace('#/tasks/', ''));
  // The status moves on by itself (no reload, no button): first a working state with a spinner…
  await page.waitForSelector('[data-testid=status-badge][data-status=ocr_processing]', { timeout: 30_000 });
  assert.ok(await page.locator('[data-testid=status-badge] .spinner').count(), 'a spinner while OCR runs');
  assert.equal(await page.locator('[data-testid=task-page]').getAttribute('data-channel'), 'sse', 'updates come over server-sent events');
  await screenshot(page, 'task-processing');
  // …then the tables.
  await waitReady(page);
  finishedTask = id;

  const v1 = await apiData<Tables>(`tasks/${id}/tables`);
  // The sheet with the most merges: the report's big table with its spanning headers.
  const si = v1.sheets.reduce((best, s, i) => (s.merges.length > v1.sheets[best].merges.length ? i : best), 0);
  const sheet = v1.sheets[si];
  assert.ok(sheet.merges.some((m) => m.col_span > 1) && sheet.merges.some((m) => m.row_span > 1), 'the report has column and row merges');
  const covered = (r: number, c: number) => sheet.merges.some((m) => r >= m.row && r < m.row + m.row_span && c >= m.col && c < m.col + m.col_span);
  // The merges show merged in the grid: one <td> with colspan/rowspan per merge.
  if (si > 0) await page.locator('.sheet-tabs [role=tab]').nth(si).click();
  const grid = page.locator('[data-testid=sheet-grid]');
  assert.equal(await page.locator('[data-testid=sheet-grid] table.jss_worksheet').count(), 1, 'one grid on the page');
  for (const m of sheet.merges.slice(0, 5)) {
    const td = grid.locator(`td[data-x="${m.col}"][data-y="${m.row}"]`);
    assert.equal(Number((await td.getAttribute('colspan')) ?? 1), m.col_span, `merge ${rangeOf(m)} colspan`);
    assert.equal(Number((await td.getAttribute('rowspan')) ?? 1), m.row_span, `merge ${rangeOf(m)} rowspan`);
  }
  await screenshot(page, 'task-result', { fullPage: true });

  // Edit a plain (unmerged) filled cell below the first row.
  let er = -1;
  let ec = -1;
  for (let r = 1; r < sheet.rows.length && er < 0; r++) {
    for (let c = 0; c < sheet.rows[r].length; c++) {
      if (sheet.rows[r][c] !== null && !covered(r, c)) {
        er = r;
        ec = c;
        break;
      }
    }
  }
  assert.ok(er > 0, 'a plain filled cell to edit');
  await grid.locator(`td[data-x="${ec}"][data-y="${er}"]`).dblclick();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('EDITED-42');
  await page.keyboard.press('Enter');
  await page.waitForSelector('[data-testid=unsaved]');
  assert.equal(await page.locator('.sheet-tabs [role=tab][data-dirty=true]').count(), 1, 'the sheet tab carries the unsaved dot');

  // Add a row below a row no merge crosses (so the expected merges are plain arithmetic here).
  const rows = sheet.rows.length;
  let ar = -1;
  for (let r = Math.floor(rows / 2); r < rows - 1 && ar < 0; r++) {
    if (!sheet.merges.some((m) => m.row <= r && r + 1 < m.row + m.row_span)) ar = r;
  }
  assert.ok(ar > 0, 'a row boundary no merge crosses');
  const ac = sheet.rows[ar].findIndex((_, c) => !covered(ar, c) || sheet.merges.some((m) => m.row === ar && m.col === c && m.row_span === 1));
  await grid.locator(`td[data-x="${ac}"][data-y="${ar}"]`).click();
  await page.click('[data-testid=add-row]');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=sheet-grid] tbody tr').length === n, rows + 1, { timeout: 10_000 });

  await page.click('[data-testid=save]');
  await page.waitForSelector('[data-testid=saved]');
  assert.equal(await page.locator('[data-testid=unsaved]').count(), 0, 'saved: no longer marked unsaved');
  assert.equal(await page.locator('[data-testid=version-picker] option').count(), 2, 'v1 (as read) and v2 (edited)');
  // The first save stored the workbook and the edit: the badge follows without a reload.
  await page.waitForSelector('[data-testid=status-badge][data-status=editable]', { timeout: 10_000 });

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
  assert.equal(download.suggestedFilename(), 'report-scan.xlsx');
  const got = (await readXlsx((await download.path())!)).worksheets[si];
  const base = (await readXlsx(Buffer.from(await (await fetch(`${server.url}/api/v1/tasks/${id}/excel?version=1`)).arrayBuffer()))).worksheets[si];

  assert.equal(textAt(got, er, ec), 'EDITED-42', 'the edit');
  const width = Math.max(...sheet.rows.map((r) => r.length));
  for (let c = 0; c < width; c++) assert.equal(textAt(got, ar + 1, c), '', `the new row is empty (column ${c + 1})`);
  for (let r = 0; r < rows; r++) {
    const to = r > ar ? r + 1 : r;
    for (let c = 0; c < width; c++) {
      if (r === er && c === ec) continue;
      assert.equal(textAt(got, to, c), textAt(base, r, c), `cell ${colName(c)}${r + 1} kept (now row ${to + 1})`);
    }
  }
  const expected = new Set(sheet.merges.map((m) => rangeOf(m.row > ar ? { ...m, row: m.row + 1 } : m)));
  assert.deepEqual(mergesOf(got), expected, 'the merges, those below the new row moved down by one');
  assert.deepEqual(mergesOf(base), new Set(sheet.merges.map(rangeOf)), 'version 1 is unchanged');

  // Key facts and the text tab are there too.
  await page.waitForSelector('[data-testid=analysis-panel] dd');
  await page.click('#view-tab-text');
  assert.match((await page.locator('[data-testid=text-output]').textContent({ timeout: 10_000 })) ?? '', /\S/);
  assert.deepEqual(scriptErrors(page), []);
  await page.context().close();
});

test('a save in between is reported, not overwritten', { timeout: 120_000 }, async () => {
  assert.ok(finishedTask, 'needs the finished task of the first test');
  const [a, b] = [await openPage(browser), await openPage(browser)];
  for (const p of [a, b]) {
    await p.goto(`${server.url}/#/tasks/${finishedTask}`);
    await waitReady(p);
  }
  const edit = async (p: Page, text: string) => {
    await p.locator('[data-testid=sheet-grid] td[data-x="0"][data-y="0"]').dblclick();
    await p.keyboard.press('Control+A');
    await p.keyboard.type(text);
    await p.keyboard.press('Enter');
    await p.click('[data-testid=save]');
  };
  await edit(a, 'first');
  await a.waitForSelector('[data-testid=saved]');
  await edit(b, 'second');
  await b.waitForSelector('[data-testid=conflict]');
  assert.equal(await b.locator('[data-testid=unsaved]').count(), 1, 'the person keeps their edit until they choose to reload');
  await b.click('[data-testid=conflict] button');
  await b.waitForSelector('[data-testid=unsaved]', { state: 'detached' });
  // The grid is rebuilt in an effect after the reload's render: wait for it rather than read once.
  await b.waitForFunction(() => document.querySelector('[data-testid=sheet-grid] td[data-x="0"][data-y="0"]')?.textContent === 'first', null, {
    timeout: 10_000,
  });
  await a.context().close();
  await b.context().close();
});

test('leave mid-OCR (reload, now without SSE) and the task still finishes by itself over long-poll; it is in the list', {
  timeout: OCR_TIMEOUT + 60_000,
}, async () => {
  const page = await openPage(browser);
  await page.goto(server.url);
  const id = await uploadFile(page, REPORT_SCAN);
  await page.waitForSelector('[data-testid=status-badge][data-status=ocr_processing]', { timeout: 30_000 });
  // Come back with a browser (or a proxy in between) where server-sent events do not work: the page
  // must fall back to long-polling and still see the task finish.
  await page.context().addInitScript(() => {
    delete (window as { EventSource?: unknown }).EventSource;
  });
  await page.reload();
  const atReload = (await apiData<{ status: string }>(`tasks/${id}`)).status;
  assert.equal(atReload, 'ocr_processing', 'the reload happened while OCR was still running');
  await page.waitForSelector('[data-testid=task-page][data-channel=poll]', { timeout: 10_000 });
  await waitReady(page);
  await page.click('a.back');
  await page.waitForSelector(`[data-task-id="${id}"] [data-status=ocr_done]`);
  const rows = await page.locator('[data-testid=task-list] li').evaluateAll((els) => els.map((e) => e.getAttribute('data-task-id')));
  assert.deepEqual(rows.slice(0, 2), [id, finishedTask].filter(Boolean), 'newest first');
  await screenshot(page, 'home-list');
  assert.deepEqual(scriptErrors(page), []);
  await page.context().close();
});

test('Chinese for a Chinese browser, switchable and remembered; phone width stacks and the grid scrolls', { timeout: 120_000 }, async () => {
  assert.ok(finishedTask, 'needs the finished task of the first test');
  const page = await openPage(browser, { locale: 'zh-CN' });
  await page.goto(`${server.url}/#/tasks/${finishedTask}`);
  await waitReady(page);
  assert.equal(await page.locator('.brand strong').textContent(), 'ocrflow 工作台');
  assert.equal(await page.locator('[data-testid=status-badge]').textContent(), '可以核对和编辑了');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'zh-CN');
  await screenshot(page, 'task-result-zh');
  await page.selectOption('[data-testid=lang-select]', 'en');
  assert.equal(await page.locator('[data-testid=save]').textContent(), 'Save');
  await page.reload();
  await waitReady(page);
  assert.equal(await page.locator('.brand strong').textContent(), 'ocrflow workbench', 'the choice outlives a reload');

  await page.setViewportSize({ width: 375, height: 812 });
  await page.waitForTimeout(300);
  const layout = await page.evaluate(() => {
    const side = document.querySelector('.result-side')!.getBoundingClientRect();
    const main = document.querySelector('.result-main')!.getBoundingClientRect();
    const grid = document.querySelector('[data-testid=sheet-grid] .jss_content') as HTMLElement;
    return {
      pageWidth: document.documentElement.scrollWidth,
      stacked: main.top >= side.bottom - 1,
      gridScrolls: grid.scrollWidth > grid.clientWidth,
      gridWidth: grid.getBoundingClientRect().width,
    };
  });
  assert.ok(layout.pageWidth <= 375, `no sideways scrolling of the page (${layout.pageWidth}px)`);
  assert.ok(layout.stacked, 'the page image and the tables stack');
  assert.ok(layout.gridScrolls && layout.gridWidth <= 375, 'the wide table scrolls inside its box');
  await page.locator('.result-main').scrollIntoViewIfNeeded();
  await screenshot(page, 'phone-result');
  await page.goto(`${server.url}/#/`);
  await page.waitForSelector('[data-testid=task-list]');
  await screenshot(page, 'phone-home');
  assert.deepEqual(scriptErrors(page), []);
  await page.context().close();
});
