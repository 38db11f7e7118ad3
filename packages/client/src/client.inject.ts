/**
 * A `fetch` over an in-process HTTP app's `inject` (Fastify's light-my-request), so the SDK can
 * talk to a service in the same process without a socket — what the workbench does in the
 * embedded shape. Typed structurally: no dependency on Fastify. `inject` answers once the whole
 * reply is written, so it cannot stream: use it with `eventTransport: 'longpoll'`.
 *
 *   const ocr = new OcrflowClient({ baseUrl: 'http://in-process', fetch: injectFetch(service.app), eventTransport: 'longpoll' });
 */
import type { FetchLike } from './client.http.ts';

export interface InjectRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: Buffer | Uint8Array | string;
}

export interface InjectResponse {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  rawPayload: Buffer | Uint8Array;
}

export interface Injectable {
  inject(req: InjectRequest): Promise<InjectResponse>;
}

export function injectFetch(app: Injectable): FetchLike {
  return async (input, init) => {
    // Request serialises every body kind (FormData with its boundary, streams, strings) for us.
    const req = new Request(input, init);
    const u = new URL(req.url);
    const headers: Record<string, string> = {};
    req.headers.forEach((v, k) => (headers[k] = v));
    const payload = req.body ? Buffer.from(await req.arrayBuffer()) : undefined;
    init?.signal?.throwIfAborted();
    const res = await app.inject({ method: req.method, url: u.pathname + u.search, headers, payload });
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers)) {
      if (v === undefined) continue;
      for (const one of Array.isArray(v) ? v : [String(v)]) out.append(k, one);
    }
    const status = res.statusCode;
    const body = status === 204 || status === 304 ? null : new Uint8Array(res.rawPayload);
    return new Response(body, { status, headers: out });
  };
}
