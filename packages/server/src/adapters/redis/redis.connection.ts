/**
 * Redis connections of one process in the scaled shape. Each has one job, because
 * their failure modes differ:
 *
 * - `commands`: BullMQ's producer side (add, remove, counts) and the event publisher. It fails
 *   fast while Redis is unreachable (no offline queue, one retry), so a request never hangs on
 *   Redis: the store is the truth, and a job whose enqueue failed is put back into BullMQ by the
 *   queue's sync from the store.
 * - `subscriber`: pub/sub only (a subscribed connection can issue no other command); ioredis
 *   re-subscribes by itself after a reconnect.
 * - `worker` (only where jobs run): BullMQ's Worker, which needs `maxRetriesPerRequest: null`
 *   (retry for ever) and makes its own blocking duplicate.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';

export type ConnectionRole = 'commands' | 'subscriber' | 'worker';

const ROLE_OPTIONS: Record<ConnectionRole, RedisOptions> = {
  commands: { maxRetriesPerRequest: 1, enableOfflineQueue: false },
  subscriber: { maxRetriesPerRequest: null },
  worker: { maxRetriesPerRequest: null },
};

export class RedisConnections {
  private readonly clients: Redis[] = [];
  private closed = false;

  constructor(
    private readonly url: string,
    /** Key and channel prefix (OCRFLOW_REDIS_PREFIX). */
    readonly prefix: string,
    private readonly log: Logger,
    private readonly label = `ocrflow-${process.pid}`,
  ) {}

  /** A new client; the first `error` of an outage is logged, the rest until it recovers are not. */
  open(role: ConnectionRole): Redis {
    const client = new Redis(this.url, {
      ...ROLE_OPTIONS[role],
      connectionName: `${this.label}-${role}`,
      // Reconnect quickly at first, then every 2 s at most.
      retryStrategy: (times) => Math.min(2000, 50 * 2 ** Math.min(times, 6)),
    });
    let down = false;
    client.on('error', (err: Error) => {
      if (!down && !this.closed) this.log.warn({ err, redis: role }, 'Redis connection error; reconnecting');
      down = true;
    });
    client.on('ready', () => {
      if (down) this.log.info({ redis: role }, 'Redis connection is back');
      down = false;
    });
    this.clients.push(client);
    return client;
  }

  /** Wait until `client` is connected, or fail with a message naming the URL's host. */
  async ready(client: Redis, timeoutMs = 10_000): Promise<void> {
    if (client.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Redis at ${safeUrl(this.url)} is not reachable (waited ${timeoutMs} ms)`));
      }, timeoutMs);
      const onReady = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        clearTimeout(timer);
        client.off('ready', onReady);
      };
      client.on('ready', onReady);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.clients.splice(0).map(async (c) => {
        // QUIT lets queued replies arrive; a client that is not connected is just disconnected.
        if (c.status === 'ready') await c.quit().catch(() => c.disconnect());
        else c.disconnect();
      }),
    );
  }
}

/** The URL without its password, for messages. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'the configured URL';
  }
}
