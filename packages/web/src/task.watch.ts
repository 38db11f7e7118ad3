/**
 * Keep a task up to date by itself while it is being worked on: server-sent events first (one
 * connection, instant), long-poll when SSE does not work (a proxy that buffers, an old gateway):
 * after two stream errors without a single event, or when the stream is refused outright.
 * Watching stops once its tables can be read (`ocr_done` on) or it failed; a retry makes it work
 * again and the watch restarts. The first read is a plain GET so the page shows something at once after a reload.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, ApiError, urls } from './api.client.ts';
import { isWorking, type Task } from './api.types.ts';

export interface TaskWatch {
  task: Task | null;
  error: ApiError | null;
  /** 'sse' or 'poll' while watching, null when idle (useful to tests and to debugging). */
  channel: 'sse' | 'poll' | null;
  replace(t: Task): void;
}

const newer = (a: Task | null, b: Task) => !a || a.id !== b.id || b.updated_at >= a.updated_at;

export function useTaskWatch(id: string): TaskWatch {
  const [task, setTask] = useState<Task | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [channel, setChannel] = useState<'sse' | 'poll' | null>(null);
  const latest = useRef<Task | null>(null);

  const accept = useCallback((t: Task) => {
    if (!newer(latest.current, t)) return; // an older event arriving late never rolls the status back
    latest.current = t;
    setTask(t);
    setError(null);
  }, []);

  useEffect(() => {
    latest.current = null;
    setTask(null);
    setError(null);
    let alive = true;
    api.task(id).then(
      (t) => alive && accept(t),
      (e: unknown) => alive && setError(e instanceof ApiError ? e : new ApiError(0, String(e), null)),
    );
    return () => {
      alive = false;
    };
  }, [id, accept]);

  const working = task ? isWorking(task.status) : false;

  useEffect(() => {
    if (!working) {
      setChannel(null);
      return;
    }
    let stopped = false;
    let source: EventSource | null = null;
    const ac = new AbortController();

    const poll = async () => {
      setChannel('poll');
      let delay = 1000;
      while (!stopped) {
        const since = latest.current?.updated_at ?? '';
        try {
          const t = await api.poll(id, since, 25_000, ac.signal);
          accept(t);
          delay = 1000;
          if (!isWorking(t.status)) return;
        } catch (e) {
          if (stopped) return;
          if (e instanceof ApiError && e.status === 404) {
            setError(e);
            return;
          }
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 15_000);
        }
      }
    };

    if (typeof EventSource === 'undefined') {
      void poll();
    } else {
      setChannel('sse');
      let events = 0;
      let errors = 0;
      source = new EventSource(urls.events(id));
      source.addEventListener('task', (ev) => {
        events++;
        try {
          accept(JSON.parse((ev as MessageEvent<string>).data) as Task);
        } catch {
          /* a malformed event is skipped; the next one carries the full task again */
        }
      });
      source.onerror = () => {
        errors++;
        // CLOSED: the server answered without an event stream; repeated errors before any event:
        // something in between breaks streaming. Either way, long-poll instead.
        if (source && (source.readyState === EventSource.CLOSED || (errors >= 2 && events === 0))) {
          source.close();
          source = null;
          void poll();
        } else {
          // The stream dropped (server restart, network blip). The browser reconnects by itself;
          // read the task once so a change during the gap is not missed.
          api.task(id).then(accept, () => undefined);
        }
      };
    }
    return () => {
      stopped = true;
      ac.abort();
      source?.close();
    };
  }, [id, working, accept]);

  return { task, error, channel, replace: accept };
}
