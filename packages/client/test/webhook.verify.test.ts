/**
 * verifyWebhook: a body signed the Standard Webhooks way verifies and parses; a changed byte, a
 * wrong secret, a stale timestamp or a missing header is refused with OCRFLOW_ERR_BAD_SIGNATURE.
 * (The end-to-end check against the server's real deliveries is in the CLI's submit --wait test.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { OcrflowWebhookError, verifyWebhook } from '../src/index.ts';

const secret = `whsec_${randomBytes(32).toString('base64')}`;
const body = JSON.stringify({
  type: 'job.finished',
  job_id: '01J',
  task_id: 't-1',
  status: 'finished',
  result_url: 'http://x/v1/jobs/01J/result',
  result_dir: '/d',
  error: null,
  timestamp: new Date().toISOString(),
  total_pages: 1,
  done_pages: 1,
  event_seq: 4,
});

function sign(payload: string, at = new Date(), key = secret, id = 'msg_1') {
  return { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': new Webhook(key).sign(id, at, payload) };
}

const refused = (re: RegExp) => (e: unknown) => e instanceof OcrflowWebhookError && e.code === 'OCRFLOW_ERR_BAD_SIGNATURE' && re.test(e.message);

test('a correctly signed body verifies, from a string, bytes, a header map or a Headers object', () => {
  const h = sign(body);
  const p = verifyWebhook(body, h, secret);
  assert.equal(p.type, 'job.finished');
  assert.equal(p.task_id, 't-1');
  assert.equal(p.event_seq, 4);
  assert.equal(verifyWebhook(new TextEncoder().encode(body), new Headers(h), secret).job_id, '01J');
  // Node hands headers lower-cased, possibly as arrays; other frameworks may keep the case.
  assert.equal(
    verifyWebhook(
      Buffer.from(body),
      { 'Webhook-Id': h['webhook-id'], 'WEBHOOK-TIMESTAMP': [h['webhook-timestamp']], 'webhook-signature': h['webhook-signature'] },
      secret,
    ).status,
    'finished',
  );
});

test('tampered body, wrong secret, stale timestamp, missing header: refused', () => {
  const h = sign(body);
  assert.throws(() => verifyWebhook(body.replace('"t-1"', '"t-2"'), h, secret), refused(/verification failed/));
  assert.throws(() => verifyWebhook(body, h, `whsec_${randomBytes(32).toString('base64')}`), refused(/verification failed/));
  const old = sign(body, new Date(Date.now() - 10 * 60_000));
  assert.throws(() => verifyWebhook(body, old, secret), refused(/old|timestamp/i));
  const { 'webhook-signature': _s, ...noSig } = h;
  assert.throws(() => verifyWebhook(body, noSig, secret), refused(/Missing webhook header\(s\): webhook-signature/));
  assert.throws(() => verifyWebhook(body, h, ''), refused(/No webhook secret/));
});
