/**
 * One webhook attempt: check the target again (DNS may have changed since submission), sign, POST
 * with undici's `request` (not `fetch`: its WHATWG streams and header objects cost several times
 * the CPU per call, and a drain runs hundreds of attempts a second) through an Agent whose connector resolves through the guard (the connection
 * goes only to an address allowed at connect time), a per-attempt time-out covering connect,
 * headers and body, redirects not followed (a 3xx is a failed attempt: following it could lead to
 * an internal address, and a receiver that moved should be reconfigured), and at most
 * MAX_RESPONSE_BYTES of the answer read — a receiver cannot make us buffer a large or endless body.
 */
import { Agent, request } from 'undici';
import type { Readable } from 'node:stream';
import type { AttemptOutcome } from '../ports/delivery-store.port.ts';
import { REFUSED_CODE, TargetRefusedError, type TargetGuard } from './webhook.guard.ts';
import type { WebhookSigner } from './webhook.signing.ts';

export const MAX_RESPONSE_BYTES = 4096;
export const EXCERPT_CHARS = 1024;
const USER_AGENT = 'ocrflow-webhooks/0.1';

/** Thrown when the attempt was cut short by shutdown: nothing is recorded, the lease is handed back. */
export class AttemptAborted extends Error {
  constructor() {
    super('webhook attempt aborted by shutdown');
    this.name = 'AttemptAborted';
  }
}

function causeOf(e: unknown): { code?: string; message: string } {
  let c: unknown = e;
  // Network errors may come wrapped (an Error with a `cause`): the innermost says what happened.
  while (c && typeof c === 'object' && 'cause' in c && (c as { cause?: unknown }).cause) c = (c as { cause: unknown }).cause;
  const o = (c ?? {}) as { code?: string; message?: string };
  return { code: o.code, message: o.message ?? String(c) };
}

async function readCapped(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= MAX_RESPONSE_BYTES) break;
    }
  } finally {
    // Stop reading here: an endless or huge body is dropped with the connection (a body read to
    // its end is already released, and destroying it then does nothing).
    if (!body.readableEnded) body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8').slice(0, EXCERPT_CHARS);
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export class WebhookSender {
  private readonly agent: Agent;

  constructor(
    private readonly guard: TargetGuard,
    private readonly signer: WebhookSigner,
    private readonly timeoutMs: number,
  ) {
    this.agent = new Agent({
      connect: { lookup: guard.connectLookup() as never, timeout: Math.min(timeoutMs, 30_000) },
      keepAliveTimeout: 4000,
      // The per-attempt signal bounds each request; these only keep undici's own timers from firing first.
      headersTimeout: timeoutMs + 1000,
      bodyTimeout: timeoutMs + 1000,
    });
  }

  async send(url: string, body: string, messageId: string, stop: AbortSignal): Promise<AttemptOutcome> {
    const startedAt = Date.now();
    const t0 = performance.now();
    const done = (o: Omit<AttemptOutcome, 'startedAt' | 'durationMs'>): AttemptOutcome => ({
      ...o,
      startedAt,
      durationMs: Math.round((performance.now() - t0) * 10) / 10,
    });
    // One controller per attempt, aborted by its own timer or by shutdown; listeners are removed
    // afterwards, so the long-lived shutdown signal does not collect one per attempt.
    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort(new DOMException(`timeout after ${this.timeoutMs} ms`, 'TimeoutError'));
    }, this.timeoutMs);
    const onStop = () => ac.abort(stop.reason);
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
    const signal = ac.signal;
    try {
      await this.guard.check(url);
      const res = await request(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...this.signer.headers(messageId, body, new Date()) },
        maxRedirections: 0,
        dispatcher: this.agent,
        signal,
      });
      const excerpt = await readCapped(res.body);
      const status = res.statusCode;
      if (status >= 200 && status < 300) return done({ ok: true, httpStatus: status, error: null, responseExcerpt: excerpt || null });
      const location = header(res.headers.location);
      const error = status >= 300 && status < 400 ? `redirect (HTTP ${status}${location ? ` to ${location}` : ''}) not followed` : `HTTP ${status}`;
      return done({ ok: false, httpStatus: status, error, responseExcerpt: excerpt || null });
    } catch (e) {
      if (stop.aborted) throw new AttemptAborted();
      if (timedOut) return done({ ok: false, httpStatus: null, error: `timeout after ${this.timeoutMs} ms`, responseExcerpt: null });
      if (e instanceof TargetRefusedError) return done({ ok: false, httpStatus: null, error: `target refused: ${e.message}`, responseExcerpt: null });
      const c = causeOf(e);
      if (c.code === REFUSED_CODE) return done({ ok: false, httpStatus: null, error: `target refused: ${c.message}`, responseExcerpt: null });
      return done({ ok: false, httpStatus: null, error: c.code ? `${c.code}: ${c.message}` : c.message, responseExcerpt: null });
    } finally {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
    }
  }

  close(): Promise<void> {
    return this.agent.destroy();
  }
}
