/**
 * Webhooks of jobs: which targets get which events, the outbox rows written in the
 * terminal transition's transaction (so a job never ends without its deliveries), progress
 * deliveries, the submission check of `webhook_url`/`webhook_events`, and the delivery log and
 * redelivery behind `GET|POST /v1/jobs/{id}/deliveries…`.
 *
 * Message ids (`webhook-id`) are `msg_<job id>_<event seq>`: one per event, the same for every
 * target, every retry and every redelivery of that event — which is what the Standard Webhooks
 * spec asks for ("the same when the same webhook is being resent") so receivers can deduplicate.
 */
import { createHash } from 'node:crypto';
import { OcrflowError, type Caller } from '@ocrflow/core';
import {
  DEFAULT_WEBHOOK_EVENTS,
  WEBHOOK_EVENTS,
  type AttemptRecord,
  type DeliveryStore,
  type DeliveryWithAttempts,
  type NewDelivery,
  type WebhookEvent,
} from '../ports/delivery-store.port.ts';
import type { TerminalHook } from '../ports/job-store.port.ts';
import { isTerminal, type JobEvent, type JobRecord } from '../ports/job.types.ts';
import { newJobId } from '../util/ids.ts';
import type { JobsService } from './jobs.service.ts';
import type { ServiceContext } from './service.context.ts';
import type { SubmitCheck } from './submission.service.ts';
import { TargetRefusedError, type TargetGuard } from './webhook.guard.ts';

export interface AttemptView {
  n: number;
  at: string;
  http_status: number | null;
  latency_ms: number;
  error: string | null;
  response_excerpt: string | null;
}

export interface DeliveryView {
  id: string;
  webhook_id: string;
  type: string;
  event_seq: number;
  url: string;
  source: string;
  state: string;
  attempt_count: number;
  next_attempt_at: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  redelivery_of: string | null;
  attempts: AttemptView[];
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Credentials in a URL's user-info are not shown back. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export function toDeliveryView(d: DeliveryWithAttempts): DeliveryView {
  return {
    id: d.id,
    webhook_id: d.messageId,
    type: d.source === 'batch' ? 'batch.ended' : `job.${d.eventType}`,
    event_seq: d.eventSeq,
    url: displayUrl(d.url),
    source: d.source,
    state: d.state,
    attempt_count: d.attemptCount,
    next_attempt_at: d.state === 'pending' ? iso(d.nextAttemptAt) : null,
    last_status: d.lastStatus,
    last_error: d.lastError,
    created_at: iso(d.createdAt) as string,
    delivered_at: iso(d.deliveredAt),
    redelivery_of: d.redeliveryOf,
    attempts: d.attempts.map((a: AttemptRecord) => ({
      n: a.n,
      at: iso(a.startedAt) as string,
      http_status: a.httpStatus,
      latency_ms: a.durationMs,
      error: a.error,
      response_excerpt: a.responseExcerpt,
    })),
  };
}

/** `webhook_events` as sent (a comma-separated string or an array); null when absent. */
export function parseWebhookEvents(raw: unknown): WebhookEvent[] | null {
  if (raw === undefined || raw === null || raw === '') return null;
  const list = typeof raw === 'string' ? raw.split(/[,\s]+/) : Array.isArray(raw) ? raw : null;
  if (!list || !list.every((x) => typeof x === 'string'))
    throw new OcrflowError('OCRFLOW_ERR_VALIDATION', 'webhook_events: a comma-separated string or an array of event names', { field: 'webhook_events' });
  const names = [
    ...new Set(
      (list as string[])
        .map((s) =>
          s
            .trim()
            .toLowerCase()
            .replace(/^job\./, ''),
        )
        .filter(Boolean),
    ),
  ];
  const bad = names.find((n) => !(WEBHOOK_EVENTS as readonly string[]).includes(n));
  if (bad)
    throw new OcrflowError('OCRFLOW_ERR_VALIDATION', `webhook_events: ${JSON.stringify(bad)} is not one of ${WEBHOOK_EVENTS.join(', ')}`, {
      field: 'webhook_events',
    });
  if (!names.length) throw new OcrflowError('OCRFLOW_ERR_VALIDATION', 'webhook_events: name at least one event', { field: 'webhook_events' });
  return names as WebhookEvent[];
}

export const messageIdOf = (jobId: string, seq: number): string => `msg_${jobId}_${seq}`;
const dedupeKey = (jobId: string, seq: number, url: string): string => `${jobId}:${seq}:${createHash('sha256').update(url).digest('hex').slice(0, 32)}`;

export class WebhooksService {
  private readonly globalEvents: readonly WebhookEvent[];
  private readonly noProgress = new Set<string>();

  constructor(
    private readonly ctx: ServiceContext,
    private readonly jobs: JobsService,
    private readonly deliveries: DeliveryStore,
    private readonly guard: TargetGuard,
    /** Called after this process committed deliveries that are due now. */
    private readonly onQueued: () => void = () => {},
  ) {
    this.globalEvents = parseWebhookEvents(ctx.config.webhookEvents.join(',')) ?? [...DEFAULT_WEBHOOK_EVENTS];
  }

  /** The job's own target (if it subscribed to the event) and the global endpoints (if they did). */
  targets(job: JobRecord, event: WebhookEvent): { url: string; source: 'job' | 'global' }[] {
    const out: { url: string; source: 'job' | 'global' }[] = [];
    const jobEvents = parseWebhookEvents(job.options.webhook_events) ?? DEFAULT_WEBHOOK_EVENTS;
    if (job.webhookUrl && jobEvents.includes(event)) out.push({ url: job.webhookUrl, source: 'job' });
    if (this.globalEvents.includes(event))
      for (const url of this.ctx.config.webhookUrls) if (!out.some((t) => t.url === url)) out.push({ url, source: 'global' });
    return out;
  }

  private rows(job: JobRecord, event: JobEvent, type: WebhookEvent, now: number): NewDelivery[] {
    return this.targets(job, type).map((t) => ({
      id: newJobId(now),
      tenant: job.tenant,
      messageId: messageIdOf(job.id, event.seq),
      jobId: job.id,
      eventSeq: event.seq,
      eventType: type,
      eventTime: event.createdAt,
      url: t.url,
      source: t.source,
      dedupeKey: dedupeKey(job.id, event.seq, t.url),
      payload: null,
      redeliveryOf: null,
      now,
    }));
  }

  /** Registered on the JobStore: the outbox rows join the terminal transition's transaction. */
  readonly terminalHook: TerminalHook = async (tx, change) => {
    const type = change.event.type as WebhookEvent;
    if (!isTerminal(change.job.status) || !(WEBHOOK_EVENTS as readonly string[]).includes(type)) return;
    await this.deliveries.insertInTx(tx, this.rows(change.job, change.event, type, change.event.createdAt));
  };

  /**
   * Every event published on the bus: terminal ones wake the dispatcher (their rows are already
   * committed); page progress becomes `job.progress` deliveries for targets that asked for them.
   * Progress rows are written after the page's commit, not inside it: a crash in between loses a
   * progress notification (the terminal one that follows is never lost). The dedupe key keeps a
   * bus that delivers an event to several processes from queueing it twice.
   */
  async onEvent(e: JobEvent): Promise<void> {
    if (isTerminal(e.status)) return this.onQueued();
    if (e.type !== 'running' || e.data.phase !== 'page') return;
    // Whether a job wants progress never changes: remember it instead of reading the job per page.
    if (this.noProgress.has(e.jobId)) return;
    const job = await this.ctx.store.getJob(e.jobId);
    if (!job || !this.targets(job, 'progress').length) {
      if (this.noProgress.size >= 10_000) this.noProgress.clear();
      this.noProgress.add(e.jobId);
      return;
    }
    if (await this.deliveries.insert(this.rows(job, e, 'progress', this.ctx.now()))) this.onQueued();
  }

  /** Submission check: `webhook_events` into the job options, and the target refused unless it is safe. */
  readonly submitCheck: SubmitCheck = async (input) => {
    const events = parseWebhookEvents(input.raw.webhook_events);
    if (events) {
      if (!input.webhookUrl) throw new OcrflowError('OCRFLOW_ERR_VALIDATION', 'webhook_events needs a webhook_url', { field: 'webhook_events' });
      input.options.webhook_events = events;
    }
    if (!input.webhookUrl) return;
    try {
      await this.guard.check(input.webhookUrl);
    } catch (e) {
      if (e instanceof TargetRefusedError)
        throw new OcrflowError('OCRFLOW_ERR_WEBHOOK_URL_REFUSED', `webhook_url refused: ${e.message}`, { field: 'webhook_url' });
      throw e;
    }
  };

  async list(caller: Caller, jobId: string): Promise<DeliveryView[]> {
    const job = await this.jobs.requireFor(caller, jobId);
    return (await this.deliveries.listForJob(job.id)).map(toDeliveryView);
  }

  /**
   * Send the job's terminal event again, now, as new deliveries: to every URL that had a delivery
   * of that event (whatever became of it — dead ones included), or to the job's current targets
   * when none had. Same message id and, when the first delivery had built it, the same body.
   */
  async redeliver(caller: Caller, jobId: string): Promise<DeliveryView[]> {
    const job = await this.jobs.requireFor(caller, jobId);
    if (!isTerminal(job.status))
      throw new OcrflowError('OCRFLOW_ERR_INVALID_STATE', `The job is ${job.status}; only its terminal event can be redelivered`, { status: job.status });
    const type = job.status as WebhookEvent;
    const [event] = await this.ctx.store.listEvents(job.id, job.lastSeq - 1, 1);
    if (!event || event.type !== job.status) throw new OcrflowError('OCRFLOW_ERR_INVALID_STATE', 'The terminal event of this job was not found');
    const previous = (await this.deliveries.listForJob(job.id)).filter((d) => d.eventSeq === event.seq);
    const byUrl = new Map<string, DeliveryWithAttempts>();
    for (const d of previous) byUrl.set(d.url, d); // oldest first: the last one per URL wins
    const urls = byUrl.size ? [...byUrl.keys()] : this.targets(job, type).map((t) => t.url);
    if (!urls.length)
      throw new OcrflowError('OCRFLOW_ERR_INVALID_STATE', 'This job has no webhook target for its terminal event (no webhook_url, no OCRFLOW_WEBHOOK_URLS)');
    const now = this.ctx.now();
    const rows: NewDelivery[] = urls.map((url) => {
      const prev = byUrl.get(url);
      return {
        id: newJobId(now),
        tenant: job.tenant,
        messageId: messageIdOf(job.id, event.seq),
        jobId: job.id,
        eventSeq: event.seq,
        eventType: type,
        eventTime: event.createdAt,
        url,
        source: 'redeliver',
        dedupeKey: null,
        payload: prev?.payload ?? null,
        redeliveryOf: prev?.id ?? null,
        now,
      };
    });
    await this.deliveries.insert(rows);
    this.onQueued();
    const ids = new Set(rows.map((r) => r.id));
    return (await this.deliveries.listForJob(job.id)).filter((d) => ids.has(d.id)).map(toDeliveryView);
  }
}
