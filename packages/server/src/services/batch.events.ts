/**
 * Following a batch's events (`created`, one `document_ended` per document end, `ended`): long-poll
 * and a stream for SSE, as for a job. The events are durable in the store; any job's terminal
 * event on the bus wakes the waiters, who re-read the batch's log (we subscribe before reading, so
 * nothing committed in between is missed).
 */
import type { Caller } from '@ocrflow/core';
import { isTerminal } from '../ports/job.types.ts';
import { Wakeup } from '../util/wakeup.ts';
import type { BatchesService } from './batches.service.ts';
import { toBatchEventView, type BatchEventView } from './batch.view.ts';
import { LONGPOLL_MAX_MS, MAX_EVENTS_PER_CALL } from './events.service.ts';
import type { ServiceContext } from './service.context.ts';

export interface BatchPollResult {
  events: BatchEventView[];
  last_seq: number;
  /** True when the batch ended and every event up to its end has been returned. */
  done: boolean;
}

export type BatchStreamItem = { kind: 'events'; events: BatchEventView[] } | { kind: 'heartbeat' } | { kind: 'end' };

export class BatchEventsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly batches: BatchesService,
  ) {}

  private subscribe(wake: Wakeup): () => void {
    return this.ctx.bus.subscribe('*', (e) => {
      if (isTerminal(e.status)) wake.notify();
    });
  }

  /** Whether the batch ended and `since` is at or after its `ended` event. */
  private async done(batchId: string, since: number): Promise<boolean> {
    const b = await this.ctx.batches.get(batchId);
    return !b || (b.state === 'ended' && since >= b.lastSeq);
  }

  async poll(caller: Caller, idOrKey: string, q: { sinceSeq: number; timeoutMs: number; maxEvents: number; signal?: AbortSignal }): Promise<BatchPollResult> {
    const batch = await this.batches.requireFor(caller, idOrKey);
    const max = Math.min(MAX_EVENTS_PER_CALL, Math.max(1, q.maxEvents));
    const deadline = Date.now() + Math.min(LONGPOLL_MAX_MS, Math.max(0, q.timeoutMs));
    const wake = new Wakeup();
    const unsubscribe = this.subscribe(wake);
    try {
      for (;;) {
        const events = await this.ctx.batches.listEvents(batch.id, q.sinceSeq, max);
        const lastSeq = events.length ? events[events.length - 1].seq : q.sinceSeq;
        const done = await this.done(batch.id, lastSeq);
        if (events.length || done || Date.now() >= deadline || q.signal?.aborted) return { events: events.map(toBatchEventView), last_seq: lastSeq, done };
        // A bus that can drop messages (Redis) bounds the wait: the store is re-read at least every recheckMs.
        await wake.wait(Math.min(deadline - Date.now(), this.ctx.bus.recheckMs ?? Infinity), q.signal);
      }
    } finally {
      unsubscribe();
    }
  }

  /** Events after `sinceSeq` as they happen, a heartbeat after `heartbeatMs` of silence, and `end` once the batch ended. */
  async *follow(caller: Caller, idOrKey: string, sinceSeq: number, opts: { heartbeatMs: number; signal: AbortSignal }): AsyncGenerator<BatchStreamItem> {
    const batch = await this.batches.requireFor(caller, idOrKey);
    const wake = new Wakeup();
    const unsubscribe = this.subscribe(wake);
    let since = sinceSeq;
    let lastSent = Date.now();
    try {
      while (!opts.signal.aborted) {
        for (;;) {
          const events = await this.ctx.batches.listEvents(batch.id, since, MAX_EVENTS_PER_CALL);
          if (!events.length) break;
          since = events[events.length - 1].seq;
          lastSent = Date.now();
          yield { kind: 'events', events: events.map(toBatchEventView) };
          if (events.length < MAX_EVENTS_PER_CALL) break;
        }
        if (await this.done(batch.id, since)) {
          yield { kind: 'end' };
          return;
        }
        const untilHeartbeat = Math.max(0, opts.heartbeatMs - (Date.now() - lastSent));
        const woken = await wake.wait(Math.min(untilHeartbeat, this.ctx.bus.recheckMs ?? Infinity), opts.signal);
        if (!woken && !opts.signal.aborted && Date.now() - lastSent >= opts.heartbeatMs) {
          lastSent = Date.now();
          yield { kind: 'heartbeat' };
        }
      }
    } finally {
      unsubscribe();
    }
  }
}
