/**
 * For webhook receivers: check a delivery's Standard Webhooks signature (`webhook-id`,
 * `webhook-timestamp`, `webhook-signature`; HMAC-SHA256 over `id.timestamp.body` with the
 * server's `whsec_…` secret) and its timestamp (refused when more than 5 minutes off, against
 * replays), then parse the body. Verify the *raw* body bytes as received: a body re-serialised by
 * a JSON parser no longer matches its signature.
 *
 *   app.post('/hooks/ocr', { config: { rawBody: true } }, (req, reply) => {
 *     const event = verifyWebhook(req.rawBody, req.headers, process.env.OCRFLOW_WEBHOOK_SECRET);
 *     // deduplicate on req.headers['webhook-id']: retries of one event carry the same id
 *   });
 */
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { OcrflowWebhookError } from './client.errors.ts';
import type { WebhookPayload } from './client.types.ts';

export type HeadersLike = Headers | Record<string, string | string[] | undefined>;

const NAMES = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function pick(headers: HeadersLike): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof (headers as Headers).get === 'function') {
    for (const n of NAMES) {
      const v = (headers as Headers).get(n);
      if (v !== null) out[n] = v;
    }
    return out;
  }
  // Node's IncomingHttpHeaders are lower-case already; other maps may not be.
  for (const [k, v] of Object.entries(headers as Record<string, string | string[] | undefined>)) {
    const n = k.toLowerCase();
    if ((NAMES as readonly string[]).includes(n) && v !== undefined) out[n] = Array.isArray(v) ? v[0] : v;
  }
  return out;
}

/**
 * The verified, parsed webhook body. Throws `OcrflowWebhookError` (code OCRFLOW_ERR_BAD_SIGNATURE)
 * when a header is missing, the signature does not match, or the timestamp is too old or new.
 */
export function verifyWebhook(payload: string | Uint8Array, headers: HeadersLike, secret: string): WebhookPayload {
  if (!secret) throw new OcrflowWebhookError("No webhook secret given: use the server's OCRFLOW_WEBHOOK_SECRET (or <data-dir>/webhook-secret)");
  const h = pick(headers);
  const missing = NAMES.filter((n) => !h[n]);
  if (missing.length) throw new OcrflowWebhookError(`Missing webhook header(s): ${missing.join(', ')}`);
  const body = typeof payload === 'string' ? payload : new TextDecoder().decode(payload);
  try {
    return new Webhook(secret).verify(body, h) as WebhookPayload;
  } catch (e) {
    if (e instanceof WebhookVerificationError) throw new OcrflowWebhookError(`Webhook verification failed: ${e.message}`, { cause: e });
    throw new OcrflowWebhookError(`Webhook verification failed: ${(e as Error)?.message ?? e}`, { cause: e });
  }
}
