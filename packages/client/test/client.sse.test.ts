/** The SSE parser on hand-made streams: line endings split across chunks, multi-line data, ids, comments, retry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSse, type SseItem } from '../src/index.ts';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(c) {
      for (const s of chunks) c.enqueue(enc.encode(s));
      c.close();
    },
  });
}

async function collect(chunks: string[]): Promise<SseItem[]> {
  const out: SseItem[] = [];
  for await (const item of parseSse(streamOf(chunks))) out.push(item);
  return out;
}

test('events with ids, types and data; comments and retry reported; CRLF split across chunks', async () => {
  const items = await collect([
    'retry: 2000\r',
    '\n\r\n: keep-alive\n\nid: 1\nevent: queued\ndata: {"seq":1}\r',
    '\n\r\nid: 2\nevent: running\ndata: {"seq":2}\n\n',
  ]);
  assert.deepEqual(items, [
    { kind: 'retry', ms: 2000 },
    { kind: 'comment' },
    { kind: 'message', message: { id: '1', event: 'queued', data: '{"seq":1}' } },
    { kind: 'message', message: { id: '2', event: 'running', data: '{"seq":2}' } },
  ]);
});

test('multi-line data joins with newlines; no event name means "message"; an unterminated event is dropped', async () => {
  const items = await collect(['data: a\ndata:b\n', 'data:  c\n\n', 'id: 7\ndata: never dispatched']);
  assert.deepEqual(items, [{ kind: 'message', message: { id: '', event: 'message', data: 'a\nb\n c' } }]);
});

test('a multi-byte character split between chunks survives; the id persists to later events', async () => {
  const bytes = new TextEncoder().encode('id: 3\ndata: 报告\n\ndata: x\n\n');
  const cut = 12; // inside the first Chinese character
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      c.enqueue(bytes.subarray(0, cut));
      c.enqueue(bytes.subarray(cut));
      c.close();
    },
  });
  const out: SseItem[] = [];
  for await (const i of parseSse(stream)) out.push(i);
  assert.deepEqual(out, [
    { kind: 'message', message: { id: '3', event: 'message', data: '报告' } },
    { kind: 'message', message: { id: '3', event: 'message', data: 'x' } },
  ]);
});
