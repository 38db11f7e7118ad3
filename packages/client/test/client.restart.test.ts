/**
 * `waitFor` across a server restart: the service is killed (-9) while the job runs, started again
 * on the same data dir and port a moment later, and the same `waitFor` call — which meanwhile
 * saw its stream cut and connections refused — resolves with the finished job. No event is lost
 * or delivered twice.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { dataset, makePdf, SLOW_TABLE } from '../../server/test/helpers/fixtures.helper.ts';
import { spawnServer, tempDataDir, type ChildServer } from '../../server/test/helpers/server.helper.ts';
import { OcrflowClient, OcrflowNetworkError, type JobEvent } from '../src/index.ts';

const dirs: string[] = [];
const children: ChildServer[] = [];
after(async () => {
  for (const c of children) if (c.child.exitCode === null && c.child.signalCode === null) await c.kill('SIGKILL');
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

for (const transport of ['sse', 'longpoll'] as const) {
  test(`waitFor (${transport}) survives kill -9 and a restart on the same port mid-job`, async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const first = await spawnServer(dataDir);
    children.push(first);
    const port = new URL(first.url).port;
    const ocr = new OcrflowClient({ baseUrl: first.url, timeoutMs: 10_000 });
    const page = { image: dataset(SLOW_TABLE) };
    const job = await ocr.submit(makePdf([page, page, page, page]), { filename: 'four.pdf', mode: 'text' });

    const events: JobEvent[] = [];
    const retryErrors: unknown[] = [];
    let restarted: Promise<void> | null = null;
    const restart = async () => {
      await first.kill('SIGKILL');
      // Down for a while: the client must meet refused connections, not just a cut stream.
      await new Promise((r) => setTimeout(r, 1500));
      const second = await spawnServer(dataDir, { OCRFLOW_PORT: port });
      children.push(second);
      assert.equal(second.url, first.url);
    };
    const done = await ocr.waitFor(job, {
      transport,
      maxBackoffMs: 1000,
      onRetry: (e) => retryErrors.push(e),
      onEvent: (e) => {
        events.push(e);
        if (!restarted && e.type === 'running' && e.phase === 'page') restarted = restart();
      },
    });
    await restarted;
    assert.equal(done.status, 'finished');
    assert.equal(done.done_pages, 4);
    assert.equal(done.attempts, 2, 'the job was running when the server died and was picked up again');
    assert.deepEqual(
      events.map((e) => e.seq),
      events.map((_, i) => i + 1),
      'every event once, in order',
    );
    assert.deepEqual(
      events.filter((e) => e.type === 'queued').map((e) => e.reason),
      ['submitted', 'recovered'],
    );
    assert.equal(events.at(-1)?.type, 'finished');
    assert.ok(retryErrors.length >= 1, 'connection failures were met and retried');
    assert.ok(
      retryErrors.some((e) => e instanceof OcrflowNetworkError),
      'at least one was a refused or cut connection',
    );
    assert.match(await ocr.result(done.id, 'text'), /\S/);
  });
}
