/**
 * The OCR service's health, read every 15 s (and at once when the tab becomes visible again), so
 * the page can say in plain words when text recognition is down instead of leaving a task to spin.
 */
import { useEffect, useState } from 'react';
import { api, ApiError } from './api.client.ts';
import type { Health } from './api.types.ts';

export type HealthState = { kind: 'unknown' } | { kind: 'ok'; health: Health } | { kind: 'down'; health: Health } | { kind: 'offline' };

export function useHealth(intervalMs = 15_000): HealthState {
  const [state, setState] = useState<HealthState>({ kind: 'unknown' });
  useEffect(() => {
    let alive = true;
    const read = () =>
      api.health().then(
        (h) => alive && setState(h.ok ? { kind: 'ok', health: h } : { kind: 'down', health: h }),
        (e: unknown) => {
          if (!alive) return;
          // 503 with an envelope still carries the health data's message; no answer at all is offline.
          setState(
            e instanceof ApiError && e.status > 0
              ? { kind: 'down', health: { ok: false, ocr_service: '', queue_len: 0, worker_alive: false, message: e.message } }
              : { kind: 'offline' },
          );
        },
      );
    void read();
    const timer = setInterval(read, intervalMs);
    const onVisible = () => document.visibilityState === 'visible' && void read();
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      alive = false;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [intervalMs]);
  return state;
}
