/**
 * The workbook thread: turns sheets (as the JSON text the store keeps) into .xlsx bytes. ExcelJS
 * builds a big workbook in seconds of synchronous work; here it does not stop the HTTP server.
 */
import { parentPort } from 'node:worker_threads';
import { serializeError, sheetsToXlsx, type Sheet } from '@ocrflow/core';
import type { XlsxReply, XlsxRequest } from './xlsx.builder.ts';

const port = parentPort;
if (!port) throw new Error('xlsx.worker.ts runs only as a worker thread');

port.on('message', (m: XlsxRequest) => {
  void (async () => {
    try {
      const buf = await sheetsToXlsx(JSON.parse(m.sheetsJson) as Sheet[]);
      // A copy that owns its memory, so transferring it cannot detach a buffer shared with others.
      const bytes = new Uint8Array(buf);
      port.postMessage({ id: m.id, ok: true, bytes } satisfies XlsxReply, [bytes.buffer as ArrayBuffer]);
    } catch (e) {
      port.postMessage({ id: m.id, ok: false, error: serializeError(e) } satisfies XlsxReply);
    }
  })();
});
