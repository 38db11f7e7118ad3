/**
 * The extension points other features plug into: a terminal hook inside the job's final
 * transaction (webhook outbox), post-job steps (analysis), submit checks, and shutdown handles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { OcrflowError } from '@ocrflow/core';
import { sqlTx } from '../src/adapters/sql/sql.schema.ts';
import type { ServiceExtension } from '../src/index.ts';
import { Api } from './helpers/api.helper.ts';
import { makePdf, textPage } from './helpers/fixtures.helper.ts';
import { startTestServer } from './helpers/server.helper.ts';

test('extensions: terminal hook in the final transaction, post-job steps, submit checks, close on shutdown', async () => {
  const seenInTx: string[] = [];
  let closed = false;
  const ext: ServiceExtension = {
    name: 'test-extension',
    install({ services, adapters }) {
      adapters.store.addTerminalHook(async (tx, change) => {
        const row = await sqlTx(tx).selectFrom('jobs').select(['status', 'result_key']).where('id', '=', change.job.id).executeTakeFirstOrThrow();
        seenInTx.push(`${change.event.type}:${row.status}:${row.result_key ? 'with-result' : 'no-result'}`);
      });
      services.submissions.addSubmitCheck((input) => {
        if (input.taskId === 'forbidden') throw new OcrflowError('OCRFLOW_ERR_VALIDATION', 'task_id: this one is refused by a check');
      });
      services.runner!.addPostJobStep({
        name: 'facts',
        async run({ job, document, resultKey, ctx }) {
          await ctx.blobs.put(`${resultKey}/facts.json`, JSON.stringify({ job: job.id, pages: document.pages.length }));
        },
      });
      services.runner!.addPostJobStep({
        name: 'flaky',
        async run() {
          throw new Error('the optional step broke');
        },
      });
      return { close: async () => void (closed = true) };
    },
  };
  const s = await startTestServer({ extensions: [ext] });
  try {
    const api = new Api(s.url);
    const refused = await api.submitRaw(makePdf([textPage(1)]), 'a.pdf', { task_id: 'forbidden' });
    assert.deepEqual([refused.status, refused.body.error.code], [400, 'OCRFLOW_ERR_VALIDATION']);
    const job = await api.submit(makePdf([textPage(1), textPage(2)]), 'b.pdf');
    const done = await api.waitDone(job.id);
    assert.equal(done.status, 'finished', 'a failing optional step does not fail the job');
    assert.deepEqual(Object.keys(done.metrics.steps_ms as object).sort(), ['facts', 'flaky']);
    assert.deepEqual(done.metrics.steps_failed, ['flaky']);
    const facts = JSON.parse(fs.readFileSync(path.join(s.service.config.blobDirAbs, 'jobs', job.id, 'result', 'facts.json'), 'utf8')) as { pages: number };
    assert.equal(facts.pages, 2);
    assert.deepEqual(seenInTx, ['finished:finished:with-result']);
    const other = await api.submit(makePdf([textPage(3)]), 'c.pdf');
    await api.fetch(`/v1/jobs/${other.id}`, { method: 'DELETE' });
    assert.equal(seenInTx.at(-1), 'canceled:canceled:no-result');
  } finally {
    await s.close();
  }
  assert.equal(closed, true);
});
