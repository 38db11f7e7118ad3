/**
 * The workbench of one process: its store (on the job store's database), task bus, the
 * link to the OCR service, its services, and the service extension that, once the server listens,
 * learns this process's loopback address, lets the OCR service's webhook reach it, loads the
 * shared webhook secret and reconciles the tasks left in flight by a previous process.
 * `service.runtime.ts` builds it; the routes (`workbench.routes.ts`, `web.static.ts`) use it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../services/service.context.ts';
import type { TargetGuard } from '../services/webhook.guard.ts';
import { loadWebhookSecret } from '../services/webhook.signing.ts';
import { WorkbenchAuth } from './auth.service.ts';
import { loopbackBase, OcrLink, type OcrLinkOptions } from './ocr.link.ts';
import { TaskEventsService } from './task-events.service.ts';
import { TaskFilesService } from './task-files.service.ts';
import { TaskOcrService } from './task-ocr.service.ts';
import { TasksService } from './tasks.service.ts';
import type { WorkbenchContext } from './workbench.context.ts';
import { WorkbooksService } from './workbooks.service.ts';
import { XlsxBuilder } from './xlsx.builder.ts';
import { FailureLimiter } from '../http/auth.limiter.ts';

export interface WorkbenchOptions extends OcrLinkOptions {
  /** The built web UI (default `packages/web/dist`). */
  webDir?: string;
}

export interface OcrHealthView {
  ok: boolean;
  ocr_service: string;
  queue_len: number | null;
  worker_alive: boolean;
  message: string;
  max_upload_mb: number;
  /** OCRFLOW_TOKENS is set: the UI must sign in (or send a Bearer token) before anything but health. */
  auth_required: boolean;
}

/** How often, and after how long without a change, tasks nobody here works on are picked up (see TaskOcrService.sweep). */
const SWEEP_EVERY_MS = 60_000;
const SWEEP_STALE_MS = 120_000;

export const DEFAULT_WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

export class Workbench {
  readonly ctx: WorkbenchContext;
  readonly link: OcrLink;
  readonly tasks: TasksService;
  readonly taskEvents: TaskEventsService;
  readonly workbooks: WorkbooksService;
  readonly ocr: TaskOcrService;
  readonly files: TaskFilesService;
  readonly webDir: string;
  readonly auth: WorkbenchAuth;
  private secret: string | null = null;

  constructor(
    service: ServiceContext,
    private readonly guard: TargetGuard | null,
    options: WorkbenchOptions = {},
    /** Failed-token counts shared with the service API, so guessing cannot switch surfaces. */
    limiter: FailureLimiter = new FailureLimiter(),
  ) {
    this.ctx = {
      config: service.config,
      log: service.log.child({ feature: 'workbench' }),
      blobs: service.blobs,
      pipeline: service.pipeline,
      store: service.tasks,
      bus: service.taskBus,
      now: service.now,
    };
    this.link = new OcrLink(service.config, options);
    this.tasks = new TasksService(this.ctx);
    this.taskEvents = new TaskEventsService(this.ctx, this.tasks);
    this.workbooks = new WorkbooksService(this.ctx, this.tasks, new XlsxBuilder());
    this.ocr = new TaskOcrService(this.ctx, this.tasks, this.workbooks, this.link);
    this.files = new TaskFilesService(this.ctx, this.tasks, this.workbooks);
    this.webDir = options.webDir ?? DEFAULT_WEB_DIR;
    this.auth = new WorkbenchAuth(service.config, service.sessions, () => service.now(), limiter);
  }

  /** The shared Standard Webhooks secret; null until `start` loaded it. */
  get webhookSecret(): string | null {
    return this.secret;
  }

  /**
   * Called by `startService` after migrations (the server already listens): learn this process's
   * loopback address, let the OCR service's webhook reach it, load the shared webhook secret, and
   * reconcile the tasks a previous process left in flight once the service is `ready`.
   */
  async start(app: FastifyInstance, host: { closing: AbortSignal; ready: () => boolean }): Promise<void> {
    const { config } = this.ctx;
    const addr = app.server.address();
    // The address actually bound (OCRFLOW_HOST=localhost may bind ::1 only), as an IP literal.
    this.link.attach(addr && typeof addr === 'object' ? loopbackBase(addr.address, addr.port) : null);
    const hook = this.link.webhookUrl();
    // Embedded: the OCR service calls this very process on loopback; allow exactly that target.
    if (hook && this.link.mode === 'embedded' && this.guard) this.guard.allowExactTarget(hook);
    await this.auth.init();
    const secret = await loadWebhookSecret(config);
    this.secret = secret.secret;
    if (this.link.mode === 'remote' && secret.source !== 'config')
      this.ctx.log.warn('OCRFLOW_WEBHOOK_SECRET is not set: webhooks from the remote OCR service cannot be verified; tasks finish by long-poll only');
    host.closing.addEventListener('abort', () => void this.ocr.close(0), { once: true });
    void this.ocr
      .reconcile(host.ready)
      .then(() => this.ocr.startSweeping(SWEEP_EVERY_MS, SWEEP_STALE_MS))
      .catch((e) => this.ctx.log.error({ err: e }, 'workbench reconciliation failed'));
  }

  /** Before the stores close: let the task followers finish or hand back their work. */
  async stop(): Promise<void> {
    await this.ocr.close();
    await this.workbooks.close();
    await this.ctx.bus.close();
  }

  async health(): Promise<OcrHealthView> {
    const base = { ocr_service: this.link.label, max_upload_mb: this.ctx.config.workbenchMaxUploadMb, auth_required: this.auth.required };
    const where = this.link.mode === 'embedded' ? 'The built-in OCR service' : `The OCR service at ${this.link.baseUrl}`;
    try {
      const h = await this.link.client().health({ signal: AbortSignal.timeout(3000) });
      const message = h.ok
        ? 'OCR is ready'
        : h.ready === false
          ? `${where} is starting; try again in a moment`
          : !h.worker_alive
            ? `${where} has no running OCR worker: uploads wait until one is back`
            : `${where} reports a problem`;
      return { ...base, ok: h.ok, queue_len: h.queue_len, worker_alive: h.worker_alive, message };
    } catch (e) {
      const starting = e instanceof Error && 'status' in e && (e as { status?: number }).status === 503;
      return {
        ...base,
        ok: false,
        queue_len: null,
        worker_alive: false,
        message: starting
          ? `${where} is starting; try again in a moment`
          : `OCR is not available right now: ${where.charAt(0).toLowerCase()}${where.slice(1)} cannot be reached. Uploaded files cannot be read until it is back.`,
      };
    }
  }
}
