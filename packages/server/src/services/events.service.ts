/**
 * Following a job's events: long-poll and a stream for SSE. Events come from the store (durable,
 * ordered by seq); the bus only wakes us. We subscribe *before* reading so an event committed
 * between the read and the wait still wakes us (see util/wakeup.ts).
 */
import type { Caller } from '@ocrflow/core';
import { isTerminal, type JobEvent } from '../ports/job.types.ts';
import { Wakeup } from '../util/wakeup.ts';
import { toEventView, type EventView } from './job.view.ts';
import type { JobsService } from './jobs.service.ts';
import type { ServiceContext } from './service.context.ts';

export const LONGPOLL_MAX_MS = 60_000;
export const MAX_EVENTS_PER_CALL = 1000;

export interface PollResult {
  events: EventView[];
  last_seq: number;
  /** True when the job is in a terminal state and every event up to it has been returned. */
  done: boolean;
}

export type StreamItem = { kind: 'events'; events: EventView[] } | { kind: 'heartbeat' } | { kind: 'end' };

export class EventsService {
  constructor(
    private readonly ctx: ServiceContext,
    private readonly jobs: JobsService,
  ) {}

  async poll(caller: Caller, jobId: string, q: { sinceSeq: number; timeoutMs: number; maxEvents: number; signal?: AbortSignal }): Promise<PollResult> {
    await this.jobs.requireFor(caller, jobId);
    const max = Math.min(MAX_EVENTS_PER_CALL, Math.max(1, q.maxEvents));
    const deadline = Date.now() + Math.min(LONGPOLL_MAX_MS, Math.max(0, q.timeoutMs));
    const wake = new Wakeup();
    const unsubscribe = this.ctx.bus.subscribe(jobId, () => wake.notify());
    try {
      for (;;) {
        const events = await this.ctx.store.listEvents(jobId, q.sinceSeq, max);
        const job = await this.jobs.require(jobId);
        const lastSeq = events.length ? events[events.length - 1].seq : q.sinceSeq;
        const done = isTerminal(job.status) && lastSeq >= job.lastSeq;
        if (events.length || done || Date.now() >= deadline || q.signal?.aborted) return { events: events.map(toEventView), last_seq: lastSeq, done };
        // A bus that can drop messages (Redis) bounds the wait: the store is re-read at least every recheckMs.
        await wake.wait(Math.min(deadline - Date.now(), this.ctx.bus.recheckMs ?? Infinity), q.signal);
      }
    } finally {
      unsubscribe();
    }
  }

  /**
   * Events after `sinceSeq` as they happen, a heartbeat after `heartbeatMs` of silence, and `end`
   * once the job is terminal and its last event was yielded.
   */
  async *follow(caller: Caller, jobId: string, sinceSeq: number, opts: { heartbeatMs: number; signal: AbortSignal }): AsyncGenerator<StreamItem> {
    await this.jobs.requireFor(caller, jobId);
    const wake = new Wakeup();
    const unsubscribe = this.ctx.bus.subscribe(jobId, () => wake.notify());
    let since = sinceSeq;
    let lastSent = Date.now();
    try {
      while (!opts.signal.aborted) {
        let events: JobEvent[];
        do {
          events = await this.ctx.store.listEvents(jobId, since, MAX_EVENTS_PER_CALL);
          if (events.length) {
            since = events[events.length - 1].seq;
            lastSent = Date.now();
            yield { kind: 'events', events: events.map(toEventView) };
          }
        } while (events.length === MAX_EVENTS_PER_CALL);
        const job = await this.jobs.require(jobId);
        if (isTerminal(job.status) && since >= job.lastSeq) {
          yield { kind: 'end' };
          return;
        }
        // A heartbeat after heartbeatMs without output; meanwhile the store is re-read at least
        // every recheckMs when the bus can drop messages (Redis).
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
