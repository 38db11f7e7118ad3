/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com, the `standardwebhooks` package):
 * `webhook-id` (the message id, the same on every retry so receivers can deduplicate),
 * `webhook-timestamp` (seconds, fresh on every attempt so receivers can refuse replays) and
 * `webhook-signature` (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`).
 *
 * The secret is OCRFLOW_WEBHOOK_SECRET, or else one generated at first start and kept in a file
 * (`webhook-secret`, mode 0600) so it survives restarts. Creation is exclusive (`wx`): two
 * processes starting at once on one directory end up with the same secret. Embedded, the file is
 * in the data dir; in the scaled shape (PostgreSQL) each process may have its own data dir, so the
 * file lives in the blob dir, which every process shares by design — otherwise workers would sign
 * with secrets the workbench receivers do not know.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { ConfigError, type Config } from '@ocrflow/core';
import { readOrCreateSecret } from '../util/secret.file.ts';

export const SECRET_FILE = 'webhook-secret';
const SECRET_RE = /^whsec_[A-Za-z0-9+/]{16,}={0,2}$/;

/** Where a generated secret is kept: the data dir when embedded, the shared blob dir when scaled. */
export function secretFilePath(config: Config): string {
  return path.join(config.storeKind === 'postgres' ? config.blobDirAbs : config.dataDirAbs, SECRET_FILE);
}

export async function loadWebhookSecret(config: Config): Promise<{ secret: string; source: 'config' | 'file' | 'generated'; file: string | null }> {
  if (config.webhookSecret) return { secret: config.webhookSecret, source: 'config', file: null };
  const file = secretFilePath(config);
  const { value, created } = await readOrCreateSecret(file, () => `whsec_${randomBytes(32).toString('base64')}`);
  if (!SECRET_RE.test(value)) throw new ConfigError(`${file} does not hold a whsec_… secret; fix or delete it (a new one is then generated)`, 'webhookSecret');
  return { secret: value, source: created ? 'generated' : 'file', file };
}

export class WebhookSigner {
  private readonly wh: Webhook;

  constructor(secret: string) {
    this.wh = new Webhook(secret);
  }

  headers(messageId: string, body: string, at: Date): Record<string, string> {
    return {
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': this.wh.sign(messageId, at, body),
    };
  }
}
