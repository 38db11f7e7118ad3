/**
 * The parts of webhook delivery that need no job: the retry schedule, the signing secret kept in
 * the data dir, the target guard's ranges and allow-list, and DNS rebinding — a host that resolves
 * to a public address when checked and to loopback when connected is refused by the connector.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { loadConfig } from '@ocrflow/core';
import { TargetGuard, TargetRefusedError, type ResolvedAddress } from '../src/services/webhook.guard.ts';
import { parseDuration, parseSchedule, retryDelay } from '../src/services/webhook.schedule.ts';
import { WebhookSender } from '../src/services/webhook.sender.ts';
import { loadWebhookSecret, SECRET_FILE, WebhookSigner } from '../src/services/webhook.signing.ts';
import { displayUrl, parseWebhookEvents } from '../src/services/webhooks.service.ts';
import { Receiver } from './helpers/receiver.helper.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test('schedule: units, attempts = entries + 1, ±20 % jitter', () => {
  assert.deepEqual(['200ms', '5s', '2m', '1h', '1.5s', '3'].map(parseDuration), [200, 5000, 120_000, 3_600_000, 1500, 3000]);
  assert.throws(() => parseDuration('soon'), /not a duration/);
  assert.throws(() => parseDuration('-5s'));
  const s = parseSchedule(['5s', '30s', '2m', '10m', '30m', '1h', '2h', '4h', '6h', '8h']);
  const total = s.reduce((a, b) => a + b, 0);
  assert.ok(total > 20 * 3_600_000 && total < 26 * 3_600_000, 'the default spreads 11 attempts over about a day');
  assert.equal(
    retryDelay(s, 1, () => 0.5),
    5000,
  );
  assert.equal(
    retryDelay(s, 1, () => 0),
    4000,
  );
  assert.equal(
    retryDelay(s, 1, () => 1),
    6000,
  );
  assert.equal(
    retryDelay(s, 10, () => 0.5),
    8 * 3_600_000,
  );
  assert.equal(retryDelay(s, 11), null, 'after the last attempt: dead');
  assert.equal(retryDelay([], 1), null, 'an empty schedule: one attempt only');
});

test('signing secret: generated once with mode 0600, reused across restarts; OCRFLOW_WEBHOOK_SECRET wins', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-secret-'));
  dirs.push(dir);
  const config = loadConfig({ env: { OCRFLOW_DATA_DIR: dir } });
  const first = await loadWebhookSecret(config);
  assert.equal(first.source, 'generated');
  assert.match(first.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(fs.statSync(path.join(dir, SECRET_FILE)).mode & 0o777, 0o600);
  const again = await loadWebhookSecret(config);
  assert.deepEqual([again.source, again.secret], ['file', first.secret]);
  const both = await Promise.all([loadWebhookSecret(config), loadWebhookSecret(config)]);
  assert.ok(both.every((b) => b.secret === first.secret));
  const given = `whsec_${Buffer.from('a configured secret of enough len').toString('base64')}`;
  assert.equal((await loadWebhookSecret(loadConfig({ env: { OCRFLOW_DATA_DIR: dir, OCRFLOW_WEBHOOK_SECRET: given } }))).secret, given);
  fs.writeFileSync(path.join(dir, SECRET_FILE), 'garbage');
  await assert.rejects(loadWebhookSecret(config), /does not hold a whsec_/);
  // Signatures made with it verify with the standard library.
  const h = new WebhookSigner(first.secret).headers('msg_1', '{"a":1}', new Date());
  assert.deepEqual(new Webhook(first.secret).verify('{"a":1}', h), { a: 1 });
});

test('guard: public unicast passes; private, loopback, link-local, CGNAT, metadata, multicast and wrapped forms do not', () => {
  const g = new TargetGuard({ allowPrivate: false, allowHosts: [] });
  for (const ip of ['8.8.8.8', '93.184.216.34', '2606:4700:4700::1111']) assert.equal(g.refusal(ip), null, ip);
  const refused: [string, RegExp][] = [
    ['10.0.0.1', /private/],
    ['172.16.5.4', /private/],
    ['192.168.0.1', /private/],
    ['127.0.0.1', /loopback/],
    ['::1', /loopback/],
    ['169.254.10.1', /linkLocal/],
    ['fe80::1', /linkLocal/],
    ['100.64.0.1', /carrierGradeNat/],
    ['fd12:3456::1', /uniqueLocal/],
    ['169.254.169.254', /metadata/],
    ['fd00:ec2::254', /metadata/],
    ['0.0.0.0', /unspecified/],
    ['::', /unspecified/],
    ['224.0.0.251', /multicast/],
    ['ff02::1', /multicast/],
    ['255.255.255.255', /broadcast/],
    ['::ffff:127.0.0.1', /loopback/],
    ['::ffff:a9fe:a9fe', /metadata/],
    ['64:ff9b::a00:1', /private/],
    ['2002:c0a8:0101::1', /private/],
  ];
  for (const [ip, why] of refused) assert.match(g.refusal(ip) ?? 'allowed', why, ip);
  const priv = new TargetGuard({ allowPrivate: true, allowHosts: [] });
  for (const ip of ['10.0.0.1', '127.0.0.1', '::1', 'fd12::1', '100.64.0.1']) assert.equal(priv.refusal(ip), null, ip);
  for (const ip of ['169.254.169.254', '0.0.0.0', '224.0.0.1']) assert.notEqual(priv.refusal(ip), null, `${ip} stays refused with ALLOW_PRIVATE`);
  const listed = new TargetGuard({ allowPrivate: false, allowHosts: ['10.1.0.0/16', '127.0.0.1', 'hooks.internal', '*.corp.example'] });
  assert.equal(listed.refusal('10.1.200.3'), null);
  assert.notEqual(listed.refusal('10.2.0.1'), null);
  assert.equal(listed.refusal('127.0.0.1'), null);
  assert.notEqual(listed.refusal('127.0.0.2'), null);
  assert.throws(() => new TargetGuard({ allowPrivate: false, allowHosts: ['10.0.0.0/99'] }), /not a valid CIDR/);
});

test('guard: host names resolve; every address must pass unless the name is allow-listed; only http(s)', async () => {
  const dnsTable: Record<string, string[]> = {
    'public.example': ['93.184.216.34'],
    'mixed.example': ['10.0.0.5', '93.184.216.34'],
    'inside.example': ['10.0.0.5'],
    'hooks.internal': ['10.9.9.9'],
    'a.corp.example': ['192.168.7.7'],
  };
  const resolver = async (h: string): Promise<ResolvedAddress[]> => (dnsTable[h] ?? []).map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  const g = new TargetGuard({ allowPrivate: false, allowHosts: ['hooks.internal', '*.corp.example'] }, resolver);
  assert.deepEqual(await g.check('https://public.example/x'), [{ address: '93.184.216.34', family: 4 }]);
  assert.deepEqual(
    (await g.check('http://mixed.example/')).map((a) => a.address),
    ['93.184.216.34'],
    'only the allowed addresses are used',
  );
  await assert.rejects(g.check('http://inside.example/'), (e: Error) => e instanceof TargetRefusedError && /10\.0\.0\.5 is in a private range/.test(e.message));
  await assert.rejects(g.check('http://nowhere.example/'), /resolves to no address/);
  assert.equal((await g.check('http://hooks.internal:8080/h')).length, 1);
  assert.equal((await g.check('http://A.Corp.Example/h')).length, 1, 'host names compare case-insensitively');
  await assert.rejects(g.check('file:///etc/passwd'), /only http and https/);
  await assert.rejects(g.check('gopher://public.example/'), /only http and https/);
  await assert.rejects(g.check('http://[::1]:80/'), /loopback/);
});

test('DNS rebinding: checked public, connected private — the connector refuses, the receiver is never called', async () => {
  const rx = await Receiver.start();
  try {
    let calls = 0;
    // The first answer (the check) is public; later answers (the connect) point at loopback.
    const resolver = async (): Promise<ResolvedAddress[]> => [{ address: calls++ === 0 ? '93.184.216.34' : '127.0.0.1', family: 4 }];
    const guard = new TargetGuard({ allowPrivate: false, allowHosts: [] }, resolver);
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const sender = new WebhookSender(guard, new WebhookSigner(secret), 2000);
    const url = `http://rebind.test:${new URL(rx.url).port}/hook`;
    const out = await sender.send(url, '{}', 'msg_x', new AbortController().signal);
    assert.equal(out.ok, false);
    assert.match(out.error ?? '', /^target refused: .*127\.0\.0\.1 is in a loopback range/);
    assert.ok(calls >= 2, 'resolved again at connect time');
    assert.equal(rx.received.length, 0);
    // The same sender reaches the receiver when the name is allowed to resolve to loopback.
    const open = new WebhookSender(
      new TargetGuard({ allowPrivate: false, allowHosts: ['rebind.test'] }, async () => [{ address: '127.0.0.1', family: 4 }]),
      new WebhookSigner(secret),
      2000,
    );
    const ok = await open.send(url, '{"x":1}', 'msg_y', new AbortController().signal);
    assert.equal(ok.ok, true, JSON.stringify(ok));
    assert.equal(rx.received[0].headers.host, `rebind.test:${new URL(rx.url).port}`, 'the Host header keeps the name');
    await sender.close();
    await open.close();
  } finally {
    await rx.close();
  }
});

test('the response body read is capped', async () => {
  const rx = await Receiver.start();
  try {
    rx.on('/big', () => ({ status: 500, body: 'x'.repeat(5_000_000) }));
    const sender = new WebhookSender(
      new TargetGuard({ allowPrivate: true, allowHosts: [] }),
      new WebhookSigner(`whsec_${Buffer.alloc(32, 1).toString('base64')}`),
      5000,
    );
    const out = await sender.send(`${rx.url}/big`, '{}', 'msg_big', new AbortController().signal);
    assert.equal(out.httpStatus, 500);
    assert.equal(out.responseExcerpt?.length, 1024);
    await sender.close();
  } finally {
    await rx.close();
  }
});

test('webhook_events: strings or arrays, job. prefixes tolerated, unknown names refused', () => {
  assert.equal(parseWebhookEvents(undefined), null);
  assert.equal(parseWebhookEvents(''), null);
  assert.deepEqual(parseWebhookEvents('finished, failed'), ['finished', 'failed']);
  assert.deepEqual(parseWebhookEvents(['job.progress', 'finished', 'progress']), ['progress', 'finished']);
  assert.throws(() => parseWebhookEvents('finished,done'), /"done" is not one of/);
  assert.throws(() => parseWebhookEvents([1, 2]), /comma-separated string or an array/);
  assert.throws(() => parseWebhookEvents(','), /at least one/);
  assert.equal(displayUrl('https://user:s3cret@hooks.example/x?a=1'), 'https://user:***@hooks.example/x?a=1');
});

test('scaled shape: processes with their own data dirs share the generated secret through the blob dir', async () => {
  const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-blobs-'));
  const a = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-proc-a-'));
  const b = fs.mkdtempSync(path.join(os.tmpdir(), 'ocrflow-proc-b-'));
  dirs.push(shared, a, b);
  // Only the settings matter here; nothing connects to the database.
  const env = (dataDir: string) => ({ OCRFLOW_DATA_DIR: dataDir, OCRFLOW_BLOB_DIR: shared, OCRFLOW_DATABASE_URL: 'postgres://127.0.0.1/none' });
  const [fromA, fromB] = await Promise.all([loadWebhookSecret(loadConfig({ env: env(a) })), loadWebhookSecret(loadConfig({ env: env(b) }))]);
  assert.equal(fromA.secret, fromB.secret);
  assert.equal(fromA.file, path.join(shared, SECRET_FILE));
  assert.ok(!fs.existsSync(path.join(a, SECRET_FILE)) && !fs.existsSync(path.join(b, SECRET_FILE)), 'nothing per process');
});
