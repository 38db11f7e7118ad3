/**
 * Event fan-out across processes over Redis pub/sub: the job EventBus and the
 * workbench's TaskEventBus. A worker in process B publishes a job event after its commit; every
 * API process gets it on one channel per kind and wakes its own waiting long-polls and SSE
 * streams, which then read the store.
 *
 * The store stays the truth, so pub/sub's weakness — a message sent while a subscriber is
 * reconnecting is gone — costs time, not events: `recheckMs` tells waiting listeners to re-read
 * the store at least that often. A publish never blocks or fails the job path: the commands
 * connection fails fast while Redis is away, and the error is only logged.
 *
 * Listeners in the publishing process are called at once, in-process (as with the memory bus);
 * the copy that comes back from Redis carries this process's origin id and is skipped, so each
 * listener sees each event once.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { EventBus, EventListener, Unsubscribe } from '../../ports/event-bus.port.ts';
import type { JobEvent } from '../../ports/job.types.ts';
import type { TaskChange, TaskEventBus, TaskListener } from '../../ports/task-bus.port.ts';

/** How often a waiting listener re-reads the store when no message woke it. */
export const REDIS_RECHECK_MS = 1000;

interface Envelope<T> {
  /** Origin process. */
  o: string;
  m: T;
}

/** Local listeners by key (a job or task id, or '*'), fed by local publishes and by the channel. */
export class RedisFanout<T> {
  private readonly listeners = new Map<string, Set<(m: T) => void>>();
  private readonly origin = randomBytes(8).toString('hex');
  private readonly onMessage = (channel: string, raw: string) => {
    if (channel !== this.channel) return;
    let env: Envelope<T>;
    try {
      env = JSON.parse(raw) as Envelope<T>;
    } catch {
      return;
    }
    if (env.o !== this.origin) this.deliver(env.m);
  };
  private closed = false;
  private failing = false;

  constructor(
    private readonly pub: Redis,
    private readonly sub: Redis,
    readonly channel: string,
    private readonly keyOf: (m: T) => string,
    private readonly log: Logger,
  ) {}

  /** Subscribe the channel; resolves once Redis confirmed (messages published after it arrive). */
  async start(): Promise<void> {
    this.sub.on('message', this.onMessage);
    await this.sub.subscribe(this.channel);
  }

  publish(m: T): void {
    if (this.closed) return;
    this.deliver(m);
    this.pub.publish(this.channel, JSON.stringify({ o: this.origin, m } satisfies Envelope<T>)).then(
      () => (this.failing = false),
      (err: unknown) => {
        // Other processes' listeners catch up at their next re-check. Logged once per outage.
        if (!this.failing) this.log.warn({ err, channel: this.channel }, 'publishing events to Redis fails; other processes see them at their next re-check');
        this.failing = true;
      },
    );
  }

  subscribe(key: string, listener: (m: T) => void): () => void {
    let set = this.listeners.get(key);
    if (!set) this.listeners.set(key, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(key) === set) this.listeners.delete(key);
    };
  }

  listenerCount(key?: string): number {
    if (key !== undefined) return this.listeners.get(key)?.size ?? 0;
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    this.sub.off('message', this.onMessage);
    // While Redis is away an UNSUBSCRIBE would wait for the reconnect; closing the connection ends it anyway.
    if (this.sub.status === 'ready')
      await this.sub
        .unsubscribe(this.channel)
        .catch((err) =>
          this.log.warn({ err, channel: this.channel }, 'unsubscribing from Redis at close failed; closing the connection ends the subscription'),
        );
  }

  private deliver(m: T): void {
    for (const key of [this.keyOf(m), '*']) {
      for (const l of [...(this.listeners.get(key) ?? [])]) {
        try {
          l(m);
        } catch (e) {
          // One broken listener must not keep the event from the others.
          this.log.error({ err: e, channel: this.channel }, 'event listener failed');
        }
      }
    }
  }
}

export class RedisEventBus implements EventBus {
  readonly kind = 'redis' as const;
  readonly recheckMs = REDIS_RECHECK_MS;

  constructor(private readonly fanout: RedisFanout<JobEvent>) {}

  async publish(event: JobEvent): Promise<void> {
    this.fanout.publish(event);
  }

  subscribe(jobId: string, listener: EventListener): Unsubscribe {
    return this.fanout.subscribe(jobId, listener);
  }

  /** Listeners in this process (tests check that finished long-polls unsubscribe). */
  listenerCount(jobId?: string): number {
    return this.fanout.listenerCount(jobId);
  }

  close(): Promise<void> {
    return this.fanout.close();
  }
}

export class RedisTaskBus implements TaskEventBus {
  readonly kind = 'redis' as const;
  readonly recheckMs = REDIS_RECHECK_MS;

  constructor(private readonly fanout: RedisFanout<TaskChange>) {}

  async publish(change: TaskChange): Promise<void> {
    this.fanout.publish(change);
  }

  subscribe(taskId: string, listener: TaskListener): () => void {
    return this.fanout.subscribe(taskId, listener);
  }

  listenerCount(taskId?: string): number {
    return this.fanout.listenerCount(taskId);
  }

  close(): Promise<void> {
    return this.fanout.close();
  }
}
