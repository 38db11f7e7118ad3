/**
 * The report scan end to end over loopback HTTP with the real models: upload the Chinese
 * service report, long-poll to `finished`, read the text. The API keeps answering while the page is
 * recognised on the worker thread (latencies are reported as diagnostics, not asserted).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { RESULT_FORMATS } from '../src/index.ts';
import { Api, type Job } from './helpers/api.helper.ts';
import { dataset, REPORT_SCAN } from './helpers/fixtures.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';

let srv: TestServer;
let api: Api;
let job: Job;

before(async () => {
  srv = await startTestServer();
  api = new Api(srv.url);
});
after(() => srv.close());

test('report-scan.jpg: submit, long-poll to finished, text contains the company name', async (t) => {
  job = await api.submit(dataset(REPORT_SCAN), 'report-scan.jpg');
  assert.equal(job.mime, 'image/jpeg');
  // While the page is recognised, health and long-polls are answered.
  const latencies: number[] = [];
  let polling = true;
  const prober = (async () => {
    while (polling) {
      const t0 = performance.now();
      const h = await fetch(`${srv.url}/health`);
      assert.equal(h.status, 200);
      await h.arrayBuffer();
      latencies.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const events = await api.follow(job.id, { maxMs: 300_000 });
  polling = false;
  await prober;
  assert.equal(events.at(-1)?.type, 'finished');
  assert.deepEqual(
    events.map((e) => e.seq),
    events.map((_, i) => i + 1),
  );
  latencies.sort((a, b) => a - b);
  t.diagnostic(
    `/health during OCR: ${latencies.length} probes, p50 ${latencies[Math.floor(latencies.length / 2)]?.toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`,
  );

  const text = await (await api.fetch(`/v1/jobs/${job.id}/result?format=text`)).text();
  assert.match(text, /长城汽车股份有限公司/);
  const md = await (await api.fetch(`/v1/jobs/${job.id}/result?format=markdown`)).text();
  assert.match(md, /长城汽车股份有限公司/);
});

test('the finished job: result files in its directory, metrics per stage, json document', async () => {
  const done = await api.job(job.id);
  assert.equal(done.status, 'finished');
  assert.equal(done.done_pages, 1);
  const stages = done.metrics.stages_ms as Record<string, number>;
  for (const s of ['decode', 'detect', 'recognise']) assert.ok(stages[s] > 0, `stage ${s}`);
  const dir = path.join(srv.service.config.blobDirAbs, 'jobs', job.id, 'result');
  // Every file format of the registry is written (json, md, txt, and what other features added).
  const expected = Object.values(RESULT_FORMATS)
    .flatMap((f) => (f.file ? [f.file] : []))
    .sort();
  assert.ok(['result.json', 'result.md', 'result.txt'].every((f) => expected.includes(f)));
  assert.deepEqual(fs.readdirSync(dir).sort(), expected);
  assert.match(fs.readFileSync(path.join(dir, 'result.txt'), 'utf8'), /长城汽车股份有限公司/);
  const doc = JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8')) as {
    schema: string;
    meta: { filename: string; mime: string };
    pages: { width: number; blocks: unknown[] }[];
  };
  assert.equal(doc.schema, 'ocrflow.document/1');
  assert.equal(doc.meta.filename, 'report-scan.jpg');
  assert.ok(doc.pages[0].width > 500 && doc.pages[0].blocks.length > 0);
  assert.match(JSON.stringify(doc.pages[0].blocks), /长城汽车股份有限公司/);
  const served = await api.json<typeof doc>(`/v1/jobs/${job.id}/result?format=json`);
  assert.deepEqual(served.body, doc);
  assert.match(served.res.headers.get('content-disposition') ?? '', /report-scan\.json/);
});
