/** The in-process EventBus of the embedded shape. */
import type { EventBus, EventListener, Unsubscribe } from '../ports/event-bus.port.ts';
import type { JobEvent } from '../ports/job.types.ts';

export class MemoryEventBus implements EventBus {
  readonly kind = 'memory' as const;
  private readonly listeners = new Map<string, Set<EventListener>>();

  constructor(private readonly onListenerError: (e: unknown) => void = () => {}) {}

  async publish(event: JobEvent): Promise<void> {
    for (const key of [event.jobId, '*']) {
      for (const l of [...(this.listeners.get(key) ?? [])]) {
        try {
          l(event);
        } catch (e) {
          // One broken listener must not keep the event from the others.
          this.onListenerError(e);
        }
      }
    }
  }

  subscribe(jobId: string, listener: EventListener): Unsubscribe {
    let set = this.listeners.get(jobId);
    if (!set) this.listeners.set(jobId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(jobId) === set) this.listeners.delete(jobId);
    };
  }

  /** Listeners of one job, or of all keys (tests check that finished long-polls unsubscribe). */
  listenerCount(jobId?: string): number {
    if (jobId !== undefined) return this.listeners.get(jobId)?.size ?? 0;
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
