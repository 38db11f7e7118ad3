/**
 * EventBus: tells waiting long-polls, SSE streams and workers that a job has a new event. Events
 * are durable in the store; the bus only wakes listeners, who re-read the store, so a missed
 * message delays a listener (until its timeout) but never loses an event. In-process (embedded) or
 * Redis pub/sub across processes (scaled, `adapters/redis/redis.bus.ts`).
 */
import type { JobEvent } from './job.types.ts';

export type EventListener = (event: JobEvent) => void;
export type Unsubscribe = () => void;

export interface EventBus {
  readonly kind: 'memory' | 'redis';
  /**
   * A bus that can drop messages (Redis pub/sub across a reconnect) sets how often a waiting
   * listener should re-read the store anyway, in ms; undefined = never needed (in-process).
   */
  readonly recheckMs?: number;
  publish(event: JobEvent): Promise<void>;
  /** Events of one job, or of every job with '*'. */
  subscribe(jobId: string | '*', listener: EventListener): Unsubscribe;
  close(): Promise<void>;
}
