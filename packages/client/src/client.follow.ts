/**
 * Following a job's events until it ends, through anything short of the job disappearing:
 * server-sent events when the server (and every proxy between) streams them, long-poll otherwise;
 * reconnecting with `Last-Event-ID` / `since_seq` after a dropped connection, a server restart
 * (connection refused, 503 while it starts) or a silent socket, with exponential back-off and
 * jitter. Events are delivered once each, in `seq` order.
 */
import { OcrflowClientError, OcrflowNetworkError, isTransient } from './client.errors.ts';
import type { Transport } from './client.http.ts';
import { parseSse } from './client.sse.ts';
import type { EventsPage, JobEvent } from './client.types.ts';
import { isTerminalStatus } from './client.types.ts';

export type EventTransport = 'auto' | 'sse' | 'longpoll';

export interface FollowOptions {
  /** Events after this seq (default 0: every event of the job). */
  sinceSeq?: number;
  signal?: AbortSignal;
  /** `auto` (default): SSE, falling back to long-poll when the answer is not an event stream. */
  transport?: EventTransport;
  /** An SSE connection with no byte (events or heartbeats) for this long is treated as dead. Default 60 s. */
  idleTimeoutMs?: number;
  /** How long one long-poll waits on the server. Default 25 s. */
  longPollMs?: number;
  /** Longest pause between reconnection attempts. Default 5 s. */
  maxBackoffMs?: number;
  /** Called before each pause after a transient failure (for logs and progress displays). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/**
 * The wait before reconnection attempt `attempt`: the formula of core's `backoffDelay`, copied
 * because the SDK depends on nothing of ours at run time (a test checks the two agree).
 */
export function backoffMs(attempt: number, maxMs = 5000, baseMs = 250, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  // "Equal jitter": at least half the ceiling, so a restarting server is not polled in a tight loop.
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The answer was not an event stream (a proxy stripped the Accept header, an in-process fetch). */
class SseUnavailable extends Error {}

async function* sseConnection(t: Transport, id: string, since: number, o: FollowOptions, onRetryField: (ms: number) => void): AsyncGenerator<JobEvent> {
  const idleMs = o.idleTimeoutMs ?? 60_000;
  const watchdog = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(
      () => watchdog.abort(new OcrflowNetworkError(`The event stream was silent for ${idleMs} ms`, { method: 'GET', url: t.url(`/v1/jobs/${id}/events`) })),
      idleMs,
    );
  };
  const signal = o.signal ? AbortSignal.any([o.signal, watchdog.signal]) : watchdog.signal;
  const path = `/v1/jobs/${encodeURIComponent(id)}/events`;
  arm();
  try {
    const res = await t.request('GET', path, {
      query: { since_seq: since },
      headers: { accept: 'text/event-stream', ...(since > 0 ? { 'last-event-id': String(since) } : {}) },
      signal,
      timeoutMs: null,
    });
    if (!/text\/event-stream/i.test(res.headers.get('content-type') ?? '') || !res.body) {
      await res.body?.cancel().catch(() => undefined);
      throw new SseUnavailable();
    }
    try {
      for await (const item of parseSse(res.body)) {
        arm();
        if (item.kind === 'retry') onRetryField(item.ms);
        if (item.kind !== 'message' || !item.message.data) continue;
        yield JSON.parse(item.message.data) as JobEvent;
      }
    } catch (e) {
      if (watchdog.signal.aborted && !o.signal?.aborted) throw watchdog.signal.reason;
      throw t.mapFailure(e, 'GET', t.url(path), o.signal, null, null);
    }
  } catch (e) {
    if (watchdog.signal.aborted && !o.signal?.aborted && !(e instanceof SseUnavailable)) throw watchdog.signal.reason;
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Every event of the job after `sinceSeq`, ending after the job's terminal event. Throws only for
 * non-transient errors (404 unknown job, 401 bad token) or the caller's abort.
 */
export async function* followEvents(t: Transport, id: string, o: FollowOptions = {}): AsyncGenerator<JobEvent> {
  let since = o.sinceSeq ?? 0;
  let mode: EventTransport = o.transport ?? 'auto';
  let last: JobEvent | null = null;
  let failures = 0;
  let reconnectMs = 1000;
  for (;;) {
    o.signal?.throwIfAborted();
    try {
      if (mode !== 'longpoll') {
        try {
          for await (const ev of sseConnection(t, id, since, o, (ms) => (reconnectMs = ms))) {
            failures = 0;
            if (ev.seq <= since) continue;
            since = ev.seq;
            last = ev;
            yield ev;
          }
        } catch (e) {
          if (!(e instanceof SseUnavailable)) throw e;
          if (mode === 'sse') throw new OcrflowClientError(`The server did not answer ${t.baseUrl}/v1/jobs/${id}/events with an event stream`);
          mode = 'longpoll';
          continue;
        }
        // The server ends the stream after the terminal event; any other clean end is a
        // restart or a proxy's cut: resume after the server's suggested delay.
        if (last && isTerminalStatus(last.type)) return;
        await sleep(reconnectMs, o.signal);
      } else {
        const longPollMs = o.longPollMs ?? 25_000;
        const page = await t.json<EventsPage>('GET', `/v1/jobs/${encodeURIComponent(id)}/events`, {
          query: { since_seq: since, timeout_ms: longPollMs },
          signal: o.signal,
          timeoutMs: longPollMs + t.timeoutMs,
        });
        failures = 0;
        for (const ev of page.events) {
          if (ev.seq <= since) continue;
          since = ev.seq;
          last = ev;
          yield ev;
        }
        if (page.done) return;
      }
    } catch (e) {
      if (o.signal?.aborted) throw o.signal.reason;
      if (!isTransient(e)) throw e;
      const delay = backoffMs(failures++, o.maxBackoffMs);
      o.onRetry?.(e, failures, delay);
      await sleep(delay, o.signal);
    }
  }
}
