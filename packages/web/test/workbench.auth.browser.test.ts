/**
 * The workbench with access tokens configured, in real Chromium against a real ocrflow: the page
 * asks to sign in, a wrong token is refused in plain words, the right one leads to the list; upload
 * and the task's live status and image work on the session cookie alone; a reload keeps the
 * session; sign-out returns to the sign-in screen and signing in again returns to the same task;
 * a session that ends while the page is open brings the sign-in dialog. One small table is read.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { TestServer } from '../../server/test/helpers/server.helper.ts';
import { OCR_TIMEOUT, REPO_ROOT, launchChromium, openPage, screenshot, scriptErrors, startWorkbench, uploadFile } from './helpers/browser.helper.ts';

const SMALL_TABLE = path.resolve(REPO_ROOT, '../shared/datasets/pubtabnet-dev/pubtabnet-PMC3907710_006_00.png');
const TOKEN = 'browser-test-token-5b7c1e';

let server: TestServer;
let browser: Browser;
before(async () => {
  server = await startWorkbench({ OCRFLOW_TOKENS: TOKEN, OCRFLOW_ANALYSIS: '0' });
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('sign in (wrong token refused), upload, live status and image on the cookie, reload keeps the session, sign out and back', {
  timeout: OCR_TIMEOUT + 60_000,
}, async () => {
  const page = await openPage(browser);
  await page.goto(server.url);
  const form = page.locator('[data-testid=signin-form]');
  await form.waitFor();
  assert.equal(await page.locator('[data-testid=dropzone]').count(), 0, 'no documents before signing in');
  assert.equal(await page.locator('[data-testid=signout]').count(), 0);
  assert.equal(await page.locator('label[for=signin-token]').textContent(), 'Access token');
  assert.equal(await page.locator('[data-testid=signin-token]').getAttribute('type'), 'password');
  await screenshot(page, 'sign-in');

  // The same screen in Chinese.
  await page.selectOption('[data-testid=lang-select]', 'zh');
  assert.equal(await page.locator('#signin-title').textContent(), '登录');
  assert.equal(await page.locator('label[for=signin-token]').textContent(), '访问令牌');
  await page.selectOption('[data-testid=lang-select]', 'en');

  await page.fill('[data-testid=signin-token]', 'not-the-token');
  await page.click('[data-testid=signin-submit]');
  assert.equal(await page.locator('[data-testid=signin-error]').textContent(), 'That access token is not valid. Check it and try again.');
  assert.equal(await page.locator('[data-testid=dropzone]').count(), 0);

  await page.fill('[data-testid=signin-token]', TOKEN);
  await page.click('[data-testid=signin-submit]');
  await page.waitForSelector('[data-testid=dropzone]');
  await page.waitForSelector('#tasks-title');
  assert.equal(await form.count(), 0);
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === 'ocrflow_session');
  assert.ok(session, 'the session cookie is set');
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.notEqual(session.value, TOKEN);
  assert.equal(await page.evaluate(() => document.cookie.includes('ocrflow_session')), false, 'scripts cannot read it');

  // Upload through the page (XHR + CSRF header), then the status updates by itself (EventSource
  // on the cookie) and the page image loads (<img> on the cookie).
  const id = await uploadFile(page, SMALL_TABLE);
  await page.waitForSelector('[data-testid=status-badge][data-status=ocr_done]', { timeout: OCR_TIMEOUT });
  await page.waitForFunction(
    () => [...document.querySelectorAll('main img')].some((i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0),
    null,
    { timeout: 30_000 },
  );
  // The event stream the page uses, opened here so the check does not depend on how fast OCR was.
  const streamed = await page.evaluate(
    (taskId) =>
      new Promise<string>((resolve, reject) => {
        const es = new EventSource(`api/v1/tasks/${taskId}/events`);
        es.addEventListener('task', (ev) => {
          es.close();
          resolve((JSON.parse((ev as MessageEvent<string>).data) as { status: string }).status);
        });
        es.onerror = () => {
          es.close();
          reject(new Error('the event stream was refused'));
        };
      }),
    id,
  );
  assert.equal(streamed, 'ocr_done');

  // A reload keeps the session and the place.
  await page.reload();
  await page.waitForSelector('[data-testid=status-badge][data-status=ocr_done]');
  assert.equal(await form.count(), 0);
  assert.equal(await page.locator('[data-testid=task-page]').getAttribute('data-task-id'), id);

  // Sign out: back to the sign-in screen, the cookie gone and the API closed to this browser.
  await page.click('[data-testid=signout]');
  await form.waitFor();
  assert.equal(await page.locator('[data-testid=task-page]').count(), 0);
  assert.equal(
    (await page.context().cookies()).some((c) => c.name === 'ocrflow_session'),
    false,
  );
  assert.equal(await page.evaluate(async () => (await fetch('api/v1/tasks')).status), 401);
  // Signing in again returns to the task the person was looking at.
  await page.fill('[data-testid=signin-token]', TOKEN);
  await page.click('[data-testid=signin-submit]');
  await page.waitForSelector(`[data-testid=task-page][data-task-id="${id}"]`);

  // The session ends while the page is open (cookie gone): the next API call brings the sign-in
  // dialog over the page; signing in there reloads the page's data.
  await page.context().clearCookies();
  await page.evaluate(() => (location.hash = '#/'));
  const dialog = page.locator('[role=dialog] [data-testid=signin-form]');
  await dialog.waitFor();
  assert.match((await dialog.textContent()) ?? '', /sign-in has ended/);
  await page.fill('[data-testid=signin-token]', TOKEN);
  await page.click('[data-testid=signin-submit]');
  await dialog.waitFor({ state: 'detached' });
  await page.waitForSelector(`[data-testid=task-list] [data-task-id="${id}"]`);
  assert.deepEqual(scriptErrors(page), []);
  await page.context().close();
});
