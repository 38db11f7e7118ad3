/**
 * EventBus: tells waiting long-polls, SSE streams and workers that a job has a new event. Events
 * are durable in the store; the bus only wakes listeners, who re-read the store, so a missed
 * message delays a listener (until its timeout) but never loses an event. In-process now; Redis
 * pub/sub across processes in issue 8.
 */
import type { JobEvent } from './job.types.ts';

export type EventListener = (event: JobEvent) => void;
export type Unsubscribe = () => void;

export interface EventBus {
  readonly kind: 'memory' | 'redis';
  publish(event: JobEvent): Promise<void>;
  /** Events of one job, or of every job with '*'. */
  subscribe(jobId: string | '*', listener: EventListener): Unsubscribe;
  close(): Promise<void>;
}
