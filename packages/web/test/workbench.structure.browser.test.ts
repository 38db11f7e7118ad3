/**
 * Fixing a table's structure in the workbench, in real Chromium against a real ocrflow with real
 * OCR: merge two cells, split a merge OCR made, move a cell's text, undo by keyboard, save, reload,
 * download and read the .xlsx back with exceljs; the page image and the grid select each other's
 * cells; Chinese labels and a phone-width screen. Then a phone photo whose pixels lie on their side
 * with an EXIF Orientation tag (made here from the scanned report) gives the same sheet as the
 * upright upload. Two OCR runs of a full page on 2 cores: the flows share one server.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import type { Browser, Locator, Page } from 'playwright-core';
import type { OcrDocument, Sheet, SheetMerge } from '@ocrflow/core';
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
import { mergesOf, rangeOf, readXlsx, textAt } from './helpers/xlsx.helper.ts';

let server: TestServer;
let browser: Browser;
let uprightTask = '';
let uprightSheets: Sheet[] = [];
let uprightDoc: OcrDocument | null = null;

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

const td = (grid: Locator, row: number, col: number) => grid.locator(`tbody td[data-x="${col}"][data-y="${row}"]`);
const spanOf = async (cell: Locator, attr: 'rowspan' | 'colspan') => Number((await cell.getAttribute(attr)) ?? 1);
const str = (v: Sheet['rows'][number][number]) => (v === null ? '' : String(v).trim());
const coveredBy = (s: Sheet, r: number, c: number): SheetMerge | undefined =>
  s.merges.find((m) => r >= m.row && r < m.row + m.row_span && c >= m.col && c < m.col + m.col_span);
/** The sheet with the most merges: the report's big table with its spanning headers. */
const mainSheet = (sheets: Sheet[]) => sheets.reduce((best, s, i) => (s.merges.length > sheets[best].merges.length ? i : best), 0);

async function openSheet(page: Page, si: number): Promise<Locator> {
  if (si > 0) await page.locator('.sheet-tabs [role=tab]').nth(si).click();
  return page.locator('[data-testid=sheet-grid]');
}

test('merge, split and move text through the UI, undo by keyboard, save: reload shows it and the xlsx has the merges and texts', {
  timeout: OCR_TIMEOUT + 180_000,
}, async () => {
  const page = await openPage(browser);
  await page.goto(server.url);
  const id = await uploadFile(page, REPORT_SCAN);
  await waitReady(page);
  uprightTask = id;
  const v1 = await apiData<{ version: number; sheets: Sheet[] }>(`tasks/${id}/tables`);
  uprightSheets = v1.sheets;
  uprightDoc = await apiData<OcrDocument>(`tasks/${id}/document`);
  const si = mainSheet(v1.sheets);
  const sheet = v1.sheets[si];
  const grid = await openSheet(page, si);
  const plainFilled = (r: number, c: number) => r < sheet.rows.length && str(sheet.rows[r][c] ?? null) !== '' && !coveredBy(sheet, r, c);

  // 1. Merge two filled cells one above the other: select with a click and a Shift+click.
  let pair: [number, number] | null = null;
  for (let r = 1; r < sheet.rows.length - 1 && !pair; r++)
    for (let c = 0; c < sheet.rows[r].length && !pair; c++) if (plainFilled(r, c) && plainFilled(r + 1, c)) pair = [r, c];
  assert.ok(pair, 'two filled plain cells one above the other');
  const [mr, mc] = pair;
  const joined = `${str(sheet.rows[mr][mc])}\n${str(sheet.rows[mr + 1][mc])}`;
  assert.ok(await page.locator('[data-testid=merge-cells]').isDisabled(), 'nothing to merge before a selection');
  await td(grid, mr, mc).click();
  await td(grid, mr + 1, mc).click({ modifiers: ['Shift'] });
  assert.equal(await page.locator('[data-testid=merge-cells]').isEnabled(), true);
  // Through the grid's context menu (the toolbar button does the same; the phone test uses it).
  await td(grid, mr, mc).click({ button: 'right' });
  await page.locator('.jss_contextmenu').getByText('Merge cells', { exact: true }).click();
  await page.waitForFunction(
    ([r, c]) => document.querySelector(`[data-testid=sheet-grid] tbody td[data-x="${c}"][data-y="${r}"]`)?.getAttribute('rowspan') === '2',
    [mr, mc],
  );
  assert.equal(
    // biome-ignore lint/performance/useDomNodeTextContent: innerText shows the line break between the merged texts as rendered
    await td(grid, mr, mc).evaluate((el) => (el as HTMLElement).innerText.replace(/\r/g, '')),
    joined,
    'the two texts, one per line, in the merged cell',
  );
  assert.match((await page.locator('[data-testid=grid-announce]').textContent()) ?? '', /^Merged [A-Z]+\d+:[A-Z]+\d+ into one cell\.$/);
  await page.waitForSelector('[data-testid=unsaved]');

  // 2. The keyboard: Alt+S splits the merged cell, Alt+Z undoes that split.
  await td(grid, mr, mc).click();
  await page.keyboard.press('Alt+KeyS');
  await page.waitForFunction(
    ([r, c]) =>
      !document.querySelector(`[data-testid=sheet-grid] tbody td[data-x="${c}"][data-y="${r}"]`)?.hasAttribute('rowspan') ||
      document.querySelector(`[data-testid=sheet-grid] tbody td[data-x="${c}"][data-y="${r}"]`)?.getAttribute('rowspan') === '1',
    [mr, mc],
  );
  assert.equal(await td(grid, mr + 1, mc).isVisible(), true, 'the freed slot is a cell again');
  assert.equal(((await td(grid, mr + 1, mc).textContent()) ?? '').trim(), '', 'split: the text stays in the top-left slot');
  assert.equal(await page.locator('[data-testid=undo-structure]').textContent(), '↶ Undo: Split cell');
  await page.keyboard.press('Alt+KeyZ');
  await page.waitForFunction(
    ([r, c]) => document.querySelector(`[data-testid=sheet-grid] tbody td[data-x="${c}"][data-y="${r}"]`)?.getAttribute('rowspan') === '2',
    [mr, mc],
  );
  assert.equal(await page.locator('[data-testid=undo-structure]').textContent(), '↶ Undo: Merge cells', 'the merge is next in line');
  // Esc hands the keyboard back to the page: the selection goes, and Tab then leaves the grid.
  await page.keyboard.press('Escape');
  assert.equal(await grid.locator('td.highlight').count(), 0);
  // (Chromium stops once on the grid's scroll box, which keyboard users can scroll; then out.)
  const inGrid = () => page.evaluate(() => !!document.activeElement?.closest('[data-testid=sheet-grid]'));
  for (let i = 0; i < 2 && (await inGrid()); i++) await page.keyboard.press('Tab');
  assert.equal(await inGrid(), false, 'focus moved on');
  assert.equal(await grid.locator('td.highlight').count(), 0, 'Tab did not move a cell selection');

  // 3. Split a merge OCR made, with the button.
  const ocrMerge = sheet.merges.find((m) => m.col_span > 1 && !(mc >= m.col && mc < m.col + m.col_span && mr + 1 >= m.row && mr < m.row + m.row_span));
  assert.ok(ocrMerge, 'a column-spanning merge from OCR');
  await td(grid, ocrMerge.row, ocrMerge.col).click();
  assert.equal(await page.locator('[data-testid=merge-cells]').isDisabled(), true, 'one merged cell selected: nothing to merge');
  await page.click('[data-testid=split-cell]');
  await page.waitForFunction(
    ([r, c]) => (document.querySelector(`[data-testid=sheet-grid] tbody td[data-x="${c}"][data-y="${r}"]`)?.getAttribute('colspan') ?? '1') === '1',
    [ocrMerge.row, ocrMerge.col],
  );
  assert.equal(await td(grid, ocrMerge.row, ocrMerge.col + 1).isVisible(), true);

  // 4. Move a cell's text into an empty cell: pick with the button, place with Alt+V.
  const used = (r: number, c: number) =>
    (c === mc && (r === mr || r === mr + 1)) ||
    (r >= ocrMerge.row && r < ocrMerge.row + ocrMerge.row_span && c >= ocrMerge.col && c < ocrMerge.col + ocrMerge.col_span);
  let src: [number, number] | null = null;
  let dst: [number, number] | null = null;
  for (let r = 1; r < sheet.rows.length && !(src && dst); r++) {
    for (let c = 0; c < sheet.rows[r].length; c++) {
      if (used(r, c) || coveredBy(sheet, r, c)) continue;
      if (!src && plainFilled(r, c)) src = [r, c];
      else if (!dst && str(sheet.rows[r][c]) === '') dst = [r, c];
    }
  }
  assert.ok(src && dst, 'a filled cell and an empty cell');
  const moved = str(sheet.rows[src[0]][src[1]]);
  await td(grid, src[0], src[1]).click();
  await page.click('[data-testid=move-text]');
  assert.match((await page.locator('[data-testid=move-pending]').textContent()) ?? '', /^Moving ".+" from [A-Z]+\d+: select the cell/);
  assert.ok(await td(grid, src[0], src[1]).evaluate((el) => el.classList.contains('move-source')), 'the source cell is marked');
  await screenshot(page, 'task-structure-move');
  await td(grid, dst[0], dst[1]).click();
  await page.keyboard.press('Alt+KeyV');
  await page.waitForSelector('[data-testid=move-pending]', { state: 'detached' });
  assert.equal(((await td(grid, dst[0], dst[1]).textContent()) ?? '').trim(), moved);
  assert.equal(((await td(grid, src[0], src[1]).textContent()) ?? '').trim(), '');

  // 5. The page image and the grid follow each other (this sheet still has the table's rows and columns).
  const tableCells = uprightDoc.pages.flatMap((p) => p.blocks).filter((b) => b.type === 'table')[si];
  assert.ok(tableCells && tableCells.type === 'table');
  const boxCell = tableCells.table.cells.find((c) => c.bbox && c.row_span === 1 && c.col_span === 1 && !used(c.row, c.col) && c.row > 0);
  assert.ok(boxCell, 'a plain cell with a box');
  await page.locator(`[data-testid=overlay-svg] rect.ov-link[data-table="${si}"][data-row="${boxCell.row}"][data-col="${boxCell.col}"]`).click();
  await page.waitForFunction(
    ([r, c]) => document.querySelector(`[data-testid=sheet-grid] tbody td[data-x="${c}"][data-y="${r}"]`)?.classList.contains('highlight-selected'),
    [boxCell.row, boxCell.col],
  );
  assert.equal(await page.locator('[data-testid=overlay-selected]').getAttribute('data-range'), `${boxCell.row},${boxCell.col},${boxCell.row},${boxCell.col}`);
  await td(grid, mr, mc).click();
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid=overlay-selected]')?.getAttribute('data-range') === want,
    `${mr},${mc},${mr + 1},${mc}`,
  );
  await screenshot(page, 'task-structure', { fullPage: true });

  // 6. Save: a new version; reload shows the structure as saved.
  await page.click('[data-testid=save]');
  await page.waitForSelector('[data-testid=saved]');
  const expectedMerges = new Set([...sheet.merges.filter((m) => m !== ocrMerge).map(rangeOf), rangeOf({ row: mr, col: mc, row_span: 2, col_span: 1 })]);
  const v2 = await apiData<{ version: number; sheets: Sheet[] }>(`tasks/${id}/tables`);
  assert.equal(v2.version, 2);
  assert.deepEqual(new Set(v2.sheets[si].merges.map(rangeOf)), expectedMerges);
  assert.equal(v2.sheets[si].rows[mr][mc], joined);
  assert.equal(v2.sheets[si].rows[mr + 1][mc], null);
  assert.equal(str(v2.sheets[si].rows[dst[0]][dst[1]]), moved);
  assert.equal(v2.sheets[si].rows[src[0]][src[1]], null);

  await page.reload();
  await waitReady(page);
  const again = await openSheet(page, si);
  assert.equal(await spanOf(td(again, mr, mc), 'rowspan'), 2, 'the new merge after a reload');
  assert.equal(await spanOf(td(again, ocrMerge.row, ocrMerge.col), 'colspan'), 1, 'the split merge stays split');
  assert.equal(((await td(again, dst[0], dst[1]).textContent()) ?? '').trim(), moved);

  // 7. Download Excel: the merges and texts as saved; version 1 untouched.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=download]')]);
  const ws = (await readXlsx((await download.path())!)).worksheets[si];
  assert.deepEqual(mergesOf(ws), expectedMerges);
  assert.equal(textAt(ws, mr, mc), joined);
  assert.equal(textAt(ws, dst[0], dst[1]), moved);
  assert.equal(textAt(ws, src[0], src[1]), '');
  const base = (await readXlsx(Buffer.from(await (await fetch(`${server.url}/api/v1/tasks/${id}/excel?version=1`)).arrayBuffer()))).worksheets[si];
  assert.deepEqual(mergesOf(base), new Set(sheet.merges.map(rangeOf)));
  assert.deepEqual(scriptErrors(page), []);
  await page.context().close();
});

test('Chinese labels; at phone width the structure tools wrap and merging works by touch-sized buttons', { timeout: 120_000 }, async () => {
  assert.ok(uprightTask, 'needs the task of the first test');
  const page = await openPage(browser, { locale: 'zh-CN', viewport: { width: 375, height: 812 }, hasTouch: true, isMobile: true });
  await page.goto(`${server.url}/#/tasks/${uprightTask}`);
  await waitReady(page);
  assert.equal(await page.locator('[data-testid=merge-cells]').textContent(), '合并单元格');
  assert.equal(await page.locator('[data-testid=split-cell]').textContent(), '拆分单元格');
  assert.equal(await page.locator('[data-testid=move-text]').textContent(), '移动文字');
  const si = mainSheet(uprightSheets);
  const grid = await openSheet(page, si);
  const sheet = (await apiData<{ sheets: Sheet[] }>(`tasks/${uprightTask}/tables`)).sheets[si];
  // Two plain cells side by side, as low in the table as there are.
  let r = sheet.rows.length - 1;
  let c = -1;
  for (; r >= 0 && c < 0; r--) c = sheet.rows[r].findIndex((_, i) => i + 1 < sheet.rows[r].length && !coveredBy(sheet, r, i) && !coveredBy(sheet, r, i + 1));
  r++;
  assert.ok(c >= 0, 'two plain cells side by side');
  await td(grid, r, c).scrollIntoViewIfNeeded();
  await td(grid, r, c).click();
  await td(grid, r, c + 1).click({ modifiers: ['Shift'] });
  await page.locator('[data-testid=merge-cells]').click();
  await page.waitForFunction(
    ([y, x]) => document.querySelector(`[data-testid=sheet-grid] tbody td[data-x="${x}"][data-y="${y}"]`)?.getAttribute('colspan') === '2',
    [r, c],
  );
  assert.match((await page.locator('[data-testid=grid-announce]').textContent()) ?? '', /^已将 [A-Z]+\d+:[A-Z]+\d+ 合并为一个单元格。$/);
  const layout = await page.evaluate(() => {
    const buttons = [...document.querySelectorAll('.structure-bar button')].map((b) => b.getBoundingClientRect());
    return {
      pageWidth: document.documentElement.scrollWidth,
      right: Math.max(...buttons.map((b) => b.right)),
      minHeight: Math.min(...buttons.map((b) => b.height)),
    };
  });
  assert.ok(layout.pageWidth <= 375, `no sideways scrolling of the page (${layout.pageWidth}px)`);
  assert.ok(layout.right <= 375, `every structure button is on screen (${layout.right}px)`);
  assert.ok(layout.minHeight >= 30, `buttons big enough to tap (${layout.minHeight}px)`);
  await page.locator('.structure-bar').scrollIntoViewIfNeeded();
  await screenshot(page, 'phone-structure');
  assert.deepEqual(scriptErrors(page), []);
  await page.context().close(); // unsaved: nothing is kept
});

test('a phone photo with an EXIF rotation, uploaded through the UI, gives the sheet of the upright page', { timeout: OCR_TIMEOUT + 120_000 }, async () => {
  assert.ok(uprightTask && uprightDoc, 'needs the upright task of the first test');
  // The scan's pixels turned 90° clockwise, tagged Orientation 8 ("turn 90° anticlockwise to view"):
  // what a phone held sideways stores. A viewer, and ocrflow, must show it upright.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-exif-'));
  const photo = path.join(dir, 'report-photo.jpg');
  await sharp(REPORT_SCAN).rotate(90).withMetadata({ orientation: 8 }).jpeg({ quality: 92 }).toFile(photo);
  const meta = await sharp(photo).metadata();
  const scan = await sharp(REPORT_SCAN).metadata();
  assert.deepEqual([meta.width, meta.height, meta.orientation], [scan.height, scan.width, 8], 'stored sideways with the tag');

  const page = await openPage(browser);
  await page.goto(server.url);
  const id = await uploadFile(page, photo);
  await waitReady(page);
  const doc = await apiData<OcrDocument>(`tasks/${id}/document`);
  const p0 = doc.pages[0];
  const u0 = uprightDoc.pages[0];
  assert.deepEqual([p0.width, p0.height], [u0.width, u0.height], 'the page is the upright one');
  assert.ok(p0.height > p0.width, 'portrait, as the report is printed');
  // The page image the workbench shows is that upright page, with the cell boxes over it.
  const img = page.locator('[data-testid=page-image]');
  await page.waitForFunction(() => ((document.querySelector('[data-testid=page-image]') as HTMLImageElement | null)?.naturalWidth ?? 0) > 0);
  assert.deepEqual(await img.evaluate((el) => [(el as HTMLImageElement).naturalWidth, (el as HTMLImageElement).naturalHeight]), [p0.width, p0.height]);
  const cellBoxes = doc.pages.flatMap((p) => p.blocks).flatMap((b) => (b.type === 'table' ? b.table.cells.filter((c) => c.bbox) : [])).length;
  assert.ok(cellBoxes > 20, `cell boxes found (${cellBoxes})`);
  assert.equal(await page.locator('[data-testid=overlay-svg] rect.ov-cell').count(), cellBoxes, 'every cell box drawn');
  // Nothing is selected until the person selects: no tool offered, nothing outlined on the page.
  assert.equal(await page.locator('[data-testid=split-cell]').isDisabled(), true);
  assert.equal(await page.locator('[data-testid=overlay-selected]').count(), 0);
  assert.equal(await page.locator('[data-testid=sheet-grid] td.highlight').count(), 0);

  // The same sheet as the upright upload: the same tables, sizes and (nearly all) cell texts.
  const got = (await apiData<{ sheets: Sheet[] }>(`tasks/${id}/tables`)).sheets;
  assert.equal(got.length, uprightSheets.length, 'as many tables');
  const si = mainSheet(uprightSheets);
  const want = uprightSheets[si];
  const have = got[si];
  assert.deepEqual([have.rows.length, have.rows[0].length], [want.rows.length, want.rows[0].length], 'the main table has the same rows and columns');
  let filled = 0;
  let same = 0;
  want.rows.forEach((row, r) =>
    row.forEach((v, c) => {
      if (str(v) === '') return;
      filled++;
      if (str(have.rows[r]?.[c] ?? null) === str(v)) same++;
    }),
  );
  assert.ok(same / filled >= 0.9, `cell texts agree with the upright upload: ${same}/${filled}`);
  assert.ok(new Set(have.merges.map(rangeOf)).size >= want.merges.length * 0.9, 'the merges are found again');
  // Known cells of the printed report, read in the right place: the ticket-count row and its
  // three periods, left to right, and its box above the rating row's on the page.
  const rowOf = (s: Sheet, label: string) => s.rows.findIndex((row) => row.some((v) => str(v).includes(label)));
  const tickets = rowOf(have, '工单总量');
  assert.ok(tickets >= 0, 'the 工单总量 row');
  assert.deepEqual(
    have.rows[tickets]
      .map(str)
      .filter((x) => /^\d+$/.test(x))
      .slice(0, 3),
    ['1457', '1510', '1391'],
  );
  const table = doc.pages[0].blocks.filter((b) => b.type === 'table')[si];
  assert.ok(table && table.type === 'table');
  const boxOf = (text: string) => table.table.cells.find((c) => c.text.includes(text))?.bbox;
  const [label, first, rating] = [boxOf('工单总量'), boxOf('1457'), boxOf('好评量')];
  assert.ok(label && first && rating, 'boxes of known cells');
  assert.ok(label[2] <= first[0] + 2, 'the label is left of its first number');
  assert.ok(label[3] <= rating[1] + 2, 'the ticket row is above the rating row');
  await screenshot(page, 'task-exif-photo');
  assert.deepEqual(scriptErrors(page), []);
  await page.context().close();
});
