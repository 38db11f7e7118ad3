/**
 * Builds the webhooks of one process: the outbox store on the job store's database, the target
 * guard, the dispatcher, bus wake-ups and Prometheus metrics. Its terminal hook and submission
 * check (`service.terminalHook`, `service.submitCheck`) are registered by `service.runtime.ts`,
 * beside every other step of a job. `start` runs after migrations; `stop` before the store closes.
 */
import client from 'prom-client';
import { ConfigError } from '@ocrflow/core';
import { DELIVERY_STATES, type DeliveryStore } from '../ports/delivery-store.port.ts';
import type { JobsService } from './jobs.service.ts';
import type { ServiceContext } from './service.context.ts';
import { WebhookDispatcher } from './webhook.dispatcher.ts';
import { TargetGuard, type Resolver } from './webhook.guard.ts';
import { renderWebhookBodies } from './webhook.payload.ts';
import { parseSchedule } from './webhook.schedule.ts';
import { WebhookSender } from './webhook.sender.ts';
import { loadWebhookSecret, WebhookSigner } from './webhook.signing.ts';
import { WebhooksService } from './webhooks.service.ts';

export interface Webhooks {
  readonly service: WebhooksService;
  readonly dispatcher: WebhookDispatcher;
  readonly store: DeliveryStore;
  readonly guard: TargetGuard;
  /** After migrations: recover leases left by a dead process (single-process shape), start dispatching. */
  start(opts: { singleProcess: boolean }): Promise<void>;
  stop(): Promise<void>;
}

export interface WebhooksOptions {
  jobs: JobsService;
  /** The process's Prometheus registry (ServerMetrics.registry). */
  registry?: client.Registry;
  /** Tests only: a stand-in DNS resolver. */
  resolver?: Resolver;
}

export async function setupWebhooks(ctx: ServiceContext, o: WebhooksOptions): Promise<Webhooks> {
  const { config, log } = ctx;
  const store = ctx.deliveries;
  const schedule = parseSchedule(config.webhookSchedule);
  let guard: TargetGuard;
  try {
    guard = new TargetGuard({ allowPrivate: config.webhookAllowPrivate, allowHosts: config.webhookAllowHosts }, o.resolver);
  } catch (e) {
    throw new ConfigError((e as Error).message, 'webhookAllowHosts');
  }
  const secret = await loadWebhookSecret(config);
  if (secret.source === 'generated') log.info({ file: secret.file }, 'generated the webhook signing secret (set OCRFLOW_WEBHOOK_SECRET to choose one)');

  const registers = o.registry ? [o.registry] : [];
  const attempts = new client.Counter({
    name: 'ocrflow_webhook_attempts_total',
    help: 'Webhook attempts made by this process, by result',
    labelNames: ['result'],
    registers,
  });
  const latency = new client.Histogram({
    name: 'ocrflow_webhook_delivery_seconds',
    help: 'From the job event to the receiver accepting its webhook (retries included)',
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60, 600, 3600, 86400],
    registers,
  });
  new client.Gauge({
    name: 'ocrflow_webhook_deliveries',
    help: 'Webhook deliveries in the outbox by state',
    labelNames: ['state'],
    registers,
    async collect() {
      const counts = await store.countByState();
      for (const s of DELIVERY_STATES) this.set({ state: s }, counts[s]);
    },
  });

  const dispatcher = new WebhookDispatcher({
    store,
    sender: new WebhookSender(guard, new WebhookSigner(secret.secret), config.webhookTimeoutMs),
    render: (ds) => renderWebhookBodies(ctx, ds),
    schedule,
    concurrency: config.webhookConcurrency,
    timeoutMs: config.webhookTimeoutMs,
    log,
    observer: {
      attempt(d, outcome, next) {
        attempts.inc({ result: next.state === 'delivered' ? 'delivered' : next.state === 'dead' ? 'dead' : 'retry' });
        if (outcome.ok) latency.observe(Math.max(0, Date.now() - d.eventTime) / 1000);
      },
    },
  });
  const service = new WebhooksService(ctx, o.jobs, store, guard, () => dispatcher.nudge());

  let unsubscribe: (() => void) | null = null;
  return {
    service,
    dispatcher,
    store,
    guard,
    async start({ singleProcess }) {
      // In the embedded shape this process is the only one: a delivery still `sending` was being
      // attempted by a process that died (kill -9); it is due again now rather than at lease expiry.
      if (singleProcess) {
        const n = await store.reclaimAll(ctx.now());
        if (n) log.warn({ deliveries: n }, 'webhook deliveries left in flight by a previous process are due again');
      }
      unsubscribe = ctx.bus.subscribe('*', (e) => void service.onEvent(e).catch((err) => log.error({ err, job: e.jobId }, 'webhook progress enqueue failed')));
      dispatcher.start();
    },
    async stop() {
      unsubscribe?.();
      await dispatcher.stop();
    },
  };
}
