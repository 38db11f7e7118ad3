/**
 * One webhook attempt: check the target again (DNS may have changed since submission), sign, POST
 * with undici's fetch through an Agent whose connector resolves through the guard (the connection
 * goes only to an address allowed at connect time), a per-attempt time-out covering connect,
 * headers and body, redirects not followed (a 3xx is a failed attempt: following it could lead to
 * an internal address, and a receiver that moved should be reconfigured), and at most
 * MAX_RESPONSE_BYTES of the answer read — a receiver cannot make us buffer a large or endless body.
 */
import { Agent, fetch } from 'undici';
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
  // fetch wraps network errors: TypeError('fetch failed', { cause }) — the cause says what happened.
  while (c && typeof c === 'object' && 'cause' in c && (c as { cause?: unknown }).cause) c = (c as { cause: unknown }).cause;
  const o = (c ?? {}) as { code?: string; message?: string };
  return { code: o.code, message: o.message ?? String(c) };
}

async function readCapped(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (!body) return '';
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < MAX_RESPONSE_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
  } finally {
    // Stop reading here: an endless or huge body is dropped with the connection. A cancel that
    // fails means the stream already ended, which is what was wanted.
    await reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8').slice(0, EXCERPT_CHARS);
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
    const done = (o: Omit<AttemptOutcome, 'startedAt' | 'durationMs'>): AttemptOutcome => ({ ...o, startedAt, durationMs: Math.round((performance.now() - t0) * 10) / 10 });
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
      const res = await fetch(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, ...this.signer.headers(messageId, body, new Date()) },
        redirect: 'manual',
        dispatcher: this.agent,
        signal,
      });
      const excerpt = await readCapped(res.body as ReadableStream<Uint8Array> | null);
      if (res.status >= 200 && res.status < 300) return done({ ok: true, httpStatus: res.status, error: null, responseExcerpt: excerpt || null });
      const error =
        res.status >= 300 && res.status < 400
          ? `redirect (HTTP ${res.status}${res.headers.get('location') ? ` to ${res.headers.get('location')}` : ''}) not followed`
          : `HTTP ${res.status}`;
      return done({ ok: false, httpStatus: res.status, error, responseExcerpt: excerpt || null });
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
