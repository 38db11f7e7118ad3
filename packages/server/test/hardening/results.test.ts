/**
 * Results under hostile content and concurrent readers: HTML in a document's text is escaped in
 * the Markdown output (as in the HTML output), and the page-images zip of the compatibility route
 * is built once when several clients ask for it at the same moment.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { Api, type Job } from '../helpers/api.helper.ts';
import { makePdf, textPage } from '../helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from '../helpers/server.helper.ts';

let srv: TestServer;
let api: Api;
let hostile: Job;
const SCRIPT = '<script>alert("owned")</script>';

before(async () => {
  srv = await startTestServer();
  api = new Api(srv.url);
  // A text-layer PDF: what the document says is known exactly, no OCR guesswork.
  const page = {
    text: [`Title line with ${SCRIPT} inside`, 'An image tag <img src=x onerror=alert(1)> and AT&T', ...(textPage(1) as { text: string[] }).text.slice(0, 6)],
  };
  hostile = await api.waitDone((await api.submit(makePdf([page, textPage(2)]), 'hostile.pdf')).id);
  assert.equal(hostile.status, 'finished', JSON.stringify(hostile.error));
});
after(async () => {
  await srv.close();
});

test('Markdown output escapes HTML in document text (API answer and result.md alike)', async () => {
  const md = await (await api.fetch(`/v1/jobs/${hostile.id}/result?format=markdown`)).text();
  assert.doesNotMatch(md, /<script|<img/i, 'no raw tags');
  assert.match(md, /&lt;script&gt;alert\("owned"\)&lt;\/script&gt;/);
  assert.match(md, /&lt;img src=x onerror=alert\(1\)&gt;/);
  assert.match(md, /AT&amp;T/);
  const file = fs.readFileSync(path.join(srv.service.config.blobDirAbs, 'jobs', hostile.id, 'result', 'result.md'), 'utf8');
  assert.equal(file, md, 'result.md is the same text');
  const html = await (await api.fetch(`/v1/jobs/${hostile.id}/result?format=html`)).text();
  assert.match(html, /&lt;script&gt;/, 'as the HTML output does');
  // The text itself is intact in the JSON.
  const json = await (await api.fetch(`/v1/jobs/${hostile.id}/result?format=json`)).text();
  assert.ok(json.includes(SCRIPT.replace(/"/g, '\\"')));
});

test('/result/images: concurrent first requests share one build and get the same zip', async () => {
  const n = 4;
  const answers = await Promise.all(Array.from({ length: n }, () => api.fetch(`/result/images/jobs/${hostile.id}`)));
  const bodies = await Promise.all(answers.map(async (r) => (assert.equal(r.status, 200), Buffer.from(await r.arrayBuffer()))));
  for (const b of bodies.slice(1)) assert.ok(b.equals(bodies[0]), 'the same bytes for every client');
  assert.equal(bodies[0].subarray(0, 2).toString('latin1'), 'PK');
  const metrics = await (await fetch(`${srv.url}/metrics`)).text();
  assert.match(metrics, /^ocrflow_artifacts_built_total\{artifact="images\.zip"\} 1$/m, 'built once');
  // Later requests read the stored zip: still one build.
  assert.equal((await api.fetch(`/result/images/jobs/${hostile.id}`)).status, 200);
  assert.match(await (await fetch(`${srv.url}/metrics`)).text(), /^ocrflow_artifacts_built_total\{artifact="images\.zip"\} 1$/m);
});
