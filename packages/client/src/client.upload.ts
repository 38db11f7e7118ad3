/**
 * The multipart body of `POST /v1/jobs` from whatever the caller has: a local path (read lazily
 * with `fs.openAsBlob`, never fully into memory), bytes, a Blob/File, or a stream. Streams are
 * sent as a hand-built multipart body with a streamed request (`duplex: 'half'`), so a large file
 * piped in is not buffered either. Fields go before the file so the server can refuse bad fields
 * without waiting for the upload.
 */
import { OcrflowInputError } from './client.errors.ts';
import type { SubmitOptions } from './client.types.ts';

/** A path on this machine, bytes (Buffer is a Uint8Array), a Blob or File, or a byte stream. */
export type SubmitInput = string | Uint8Array | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

export interface UploadBody {
  body: BodyInit;
  headers: Record<string, string>;
  duplex?: 'half';
}

export function submitFields(o: SubmitOptions): [string, string][] {
  const f: [string, string][] = [];
  if (o.taskId !== undefined) f.push(['task_id', o.taskId]);
  if (o.webhookUrl !== undefined) f.push(['webhook_url', o.webhookUrl]);
  if (o.webhookEvents?.length) f.push(['webhook_events', o.webhookEvents.join(',')]);
  if (o.engine !== undefined) f.push(['engine', o.engine]);
  if (o.mode !== undefined) f.push(['mode', o.mode]);
  if (o.languages?.length) f.push(['languages', o.languages.join(',')]);
  if (o.prompt !== undefined) f.push(['prompt', o.prompt]);
  if (o.priority !== undefined) f.push(['priority', String(o.priority)]);
  return f;
}

const baseName = (p: string): string => p.split(/[\\/]/).filter(Boolean).pop() ?? 'upload';

async function blobOfPath(p: string): Promise<Blob> {
  const fs = await import('node:fs');
  try {
    return await fs.openAsBlob(p);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new OcrflowInputError(`Cannot read ${p}${code ? ` (${code})` : ''}`, { cause: e });
  }
}

function isAsyncIterable(x: unknown): x is AsyncIterable<Uint8Array> {
  return typeof x === 'object' && x !== null && Symbol.asyncIterator in x;
}

export async function buildUpload(input: SubmitInput, o: SubmitOptions): Promise<UploadBody> {
  const fields = submitFields(o);
  if (typeof input === 'string' || input instanceof Uint8Array || input instanceof Blob) {
    let blob: Blob;
    let name = o.filename;
    if (typeof input === 'string') {
      blob = await blobOfPath(input);
      name ??= baseName(input);
    } else if (input instanceof Uint8Array) {
      blob = new Blob([input as Uint8Array<ArrayBuffer>]);
    } else {
      blob = input;
      name ??= (input as Blob & { name?: string }).name || undefined;
    }
    const form = new FormData();
    for (const [k, v] of fields) form.append(k, v);
    form.append('file', blob, name ?? 'upload');
    return { body: form, headers: {} };
  }
  if (input instanceof ReadableStream || isAsyncIterable(input)) return streamedMultipart(input, fields, o.filename ?? 'upload');
  throw new TypeError('submit() takes a path, a Uint8Array/Buffer, a Blob, a ReadableStream or an async iterable of bytes');
}

/** As undici's FormData writes names: quotes and line breaks percent-encoded, the rest UTF-8. */
const quoted = (s: string): string => s.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

function streamedMultipart(input: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, fields: [string, string][], filename: string): UploadBody {
  const boundary = `----ocrflow${Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
  const enc = new TextEncoder();
  let head = '';
  for (const [k, v] of fields) head += `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(k)}"\r\n\r\n${v}\r\n`;
  head += `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quoted(filename)}"\r\nContent-Type: application/octet-stream\r\n\r\n`;
  const tail = `\r\n--${boundary}--\r\n`;
  const source: AsyncIterator<Uint8Array> | ReadableStreamDefaultReader<Uint8Array> =
    input instanceof ReadableStream ? input.getReader() : input[Symbol.asyncIterator]();
  let stage: 'head' | 'file' | 'done' = 'head';
  const body = new ReadableStream<Uint8Array>({
    async pull(ctrl) {
      if (stage === 'head') {
        stage = 'file';
        ctrl.enqueue(enc.encode(head));
        return;
      }
      if (stage === 'done') return;
      let r: IteratorResult<Uint8Array> | ReadableStreamReadResult<Uint8Array>;
      try {
        r = 'read' in source ? await source.read() : await source.next();
      } catch (e) {
        ctrl.error(new OcrflowInputError(`Reading the input stream failed: ${(e as Error)?.message ?? e}`, { cause: e }));
        return;
      }
      if (r.done) {
        stage = 'done';
        ctrl.enqueue(enc.encode(tail));
        ctrl.close();
      } else if (r.value?.byteLength) ctrl.enqueue(r.value instanceof Uint8Array ? r.value : new Uint8Array(r.value));
    },
    async cancel(reason) {
      if ('cancel' in source) await source.cancel(reason);
      else await source.return?.();
    },
  });
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, duplex: 'half' };
}
