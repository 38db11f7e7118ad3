import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, isOcrflowError, loadConfig } from '@ocrflow/core';

test('defaults give the embedded shape', () => {
  const c = loadConfig({ env: {}, cwd: '/srv/x' });
  assert.equal(c.host, '127.0.0.1');
  assert.equal(c.port, 8080);
  assert.equal(c.storeKind, 'sqlite');
  assert.equal(c.queueKind, 'local');
  assert.equal(c.dataDirAbs, '/srv/x/data');
  assert.equal(c.blobDirAbs, '/srv/x/data/files');
  assert.deepEqual(c.tokens, []);
  assert.equal(c.webhookAllowPrivate, false);
  assert.equal(c.engine, 'paddle');
});

test('environment and overrides are parsed and typed', () => {
  const c = loadConfig({ env: { OCRFLOW_PORT: '9000', OCRFLOW_TOKENS: 'a, b,,', OCRFLOW_WEBHOOK_ALLOW_PRIVATE: '1' }, overrides: { port: '9100' } });
  assert.equal(c.port, 9100);
  assert.deepEqual(c.tokens, ['a', 'b']);
  assert.equal(c.webhookAllowPrivate, true);
});

test('bad values and contradictory settings refuse with a clear message', () => {
  assert.throws(() => loadConfig({ env: { OCRFLOW_PORT: 'eighty' } }), /OCRFLOW_PORT .*expected a number/);
  assert.throws(() => loadConfig({ env: { OCRFLOW_ENGINE: 'magic' } }), /expected one of paddle/);
  assert.throws(() => loadConfig({ env: { OCRFLOW_ROLE: 'worker' } }), /needs OCRFLOW_DATABASE_URL/);
  assert.throws(() => loadConfig({ env: { OCRFLOW_REDIS_URL: 'redis://127.0.0.1:6379' } }), /needs OCRFLOW_DATABASE_URL/);
  assert.throws(() => loadConfig({ env: { OCRFLOW_ENGINE: 'vlm' } }), /needs OCRFLOW_VLM_BASE_URL/);
  assert.throws(() => loadConfig({ env: { OCRFLOW_WEBHOOK_SECRET: 'plain' } }), /whsec_/);
});

test('a bad setting is a start-up error naming the setting, not an HTTP error', () => {
  for (const [env, setting] of [
    [{ OCRFLOW_PORT: 'eighty' }, 'port'],
    [{ OCRFLOW_TOKENS: 'x y:tok' }, 'OCRFLOW_TOKENS'],
    [{ OCRFLOW_ROLE: 'worker' }, undefined],
  ] as [Record<string, string>, string | undefined][]) {
    assert.throws(
      () => loadConfig({ env }),
      (e: unknown) => e instanceof ConfigError && !isOcrflowError(e) && e.setting === setting,
    );
  }
});
