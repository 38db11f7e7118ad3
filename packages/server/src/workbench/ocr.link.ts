/**
 * How the workbench reaches the OCR service — only ever through `@ocrflow/client`:
 * - embedded (no OCRFLOW_OCR_SERVICE_URL): this same process over loopback HTTP, with the first of
 *   OCRFLOW_TOKENS when tokens are configured; webhooks come back to this process's loopback
 *   address (allowed as that one exact target in the webhook guard, see webhook.guard.ts);
 * - remote: OCRFLOW_OCR_SERVICE_URL with OCRFLOW_OCR_SERVICE_TOKEN; webhooks go to
 *   OCRFLOW_PUBLIC_URL when it is set (the remote service must be able to reach it), otherwise the
 *   long-poll fallback alone finishes tasks.
 * The loopback address is known only once the server listens (port 0 in tests): `attach` sets it.
 */
import { OcrflowClient, type FetchLike } from '@ocrflow/client';
import { tokenGrants, type Config } from '@ocrflow/core';

export const WEBHOOK_PATH = '/api/v1/ocr/webhook';

export interface OcrLinkOptions {
  /** A fetch for the client (tests hold some requests back to order races). */
  fetch?: FetchLike;
  /** Overrides the webhook target (null: none, long-poll only). */
  webhookUrl?: string | null;
}

export function loopbackBase(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

export class OcrLink {
  readonly mode: 'embedded' | 'remote';
  private base: string | null;
  private cached: OcrflowClient | null = null;

  constructor(
    private readonly config: Config,
    private readonly opts: OcrLinkOptions = {},
  ) {
    this.mode = config.ocrServiceUrl ? 'remote' : 'embedded';
    this.base = config.ocrServiceUrl ? config.ocrServiceUrl.replace(/\/+$/, '') : null;
  }

  /** Embedded: the address this process listens on (null when it does not listen). */
  attach(selfBase: string | null): void {
    if (this.mode === 'embedded') {
      this.base = selfBase;
      this.cached = null;
    }
  }

  get baseUrl(): string | null {
    return this.base;
  }

  /** What /api/v1/ocr/health reports as `ocr_service`. */
  get label(): string {
    return this.mode === 'embedded' ? 'embedded' : (this.base as string);
  }

  client(): OcrflowClient {
    if (!this.base) throw new Error('the OCR service address is not known yet (the server does not listen)');
    this.cached ??= new OcrflowClient({
      baseUrl: this.base,
      // Embedded: the first configured token, so the OCR jobs of every task belong to its tenant;
      // the tasks themselves belong to whoever uploaded them, and are what the workbench shows.
      token: this.mode === 'remote' ? this.config.ocrServiceToken || undefined : tokenGrants(this.config)[0]?.token,
      fetch: this.opts.fetch,
      userAgent: 'ocrflow-workbench/0.1',
    });
    return this.cached;
  }

  /** Where the OCR service should send the job's webhook, or null (long-poll fallback only). */
  webhookUrl(): string | null {
    if (this.opts.webhookUrl !== undefined) return this.opts.webhookUrl;
    if (this.mode === 'embedded') return this.base ? `${this.base}${WEBHOOK_PATH}` : null;
    return this.config.publicUrl ? `${this.config.publicUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}` : null;
  }
}
