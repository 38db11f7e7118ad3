/**
 * When text recognition is down, the workbench says so in plain words and a failed task can be
 * retried from the page. The workbench is pointed at a remote OCR service on a loopback port that
 * nothing listens on (a real refused connection, not a mock); no OCR runs, so this is quick.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../../server/test/helpers/server.helper.ts';
import { REPO_ROOT, launchChromium, openPage, screenshot, scriptErrors, startWorkbench } from './helpers/browser.helper.ts';

const SMALL_TABLE = path.resolve(REPO_ROOT, '../shared/datasets/pubtabnet-dev/pubtabnet-PMC3907710_006_00.png');

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

let server: TestServer;
let browser: Browser;
before(async () => {
  server = await startWorkbench({ OCRFLOW_OCR_SERVICE_URL: `http://127.0.0.1:${await closedPort()}` });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('OCR service down: a plain banner, the task fails with its reason, Retry tries again', { timeout: 60_000 }, async () => {
  const page = await openPage(browser);
  await page.goto(server.url);
  const banner = page.locator('[data-testid=health-banner]');
  await banner.waitFor();
  assert.match((await banner.textContent()) ?? '', /text recognition service is not reachable.*Try again/);

  await page.setInputFiles('[data-testid=upload-input]', SMALL_TABLE);
  await page.waitForURL(/#\/tasks\//);
  const id = decodeURIComponent(new URL(page.url()).hash.replace('#/tasks/', ''));
  await page.waitForSelector('[data-testid=status-badge][data-status=ocr_failed]', { timeout: 20_000 });
  assert.equal(await page.locator('[data-testid=status-badge]').textContent(), 'Reading the text failed');
  assert.match((await page.locator('[data-testid=status-panel] .message.error').textContent()) ?? '', /not reachable/);
  await screenshot(page, 'task-failed');

  const failures = async () => {
    const r = (await (await fetch(`${server.url}/api/v1/tasks/${id}`)).json()) as { data: { transitions: { status: string }[] } };
    return r.data.transitions.filter((t) => t.status === 'ocr_failed').length;
  };
  assert.equal(await failures(), 1);
  await page.click('[data-testid=retry]');
  // The retry really ran (a second failure is recorded) and the page shows the outcome by itself.
  for (let i = 0; i < 100 && (await failures()) < 2; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(await failures(), 2, 'Retry started OCR again');
  await page.waitForSelector('[data-testid=status-badge][data-status=ocr_failed]');
  assert.equal(await page.locator('[data-testid=retry]').isEnabled(), true, 'and can be retried again');
  assert.deepEqual(scriptErrors(page), []);
  await page.context().close();
});
