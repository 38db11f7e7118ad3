import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { canSee, listScope, loadConfig, parseTokenGrants, plainTokenTenant, tokenGrants, DEFAULT_TENANT } from '@ocrflow/core';

const hashName = (t: string) => `t-${createHash('sha256').update(t).digest('hex').slice(0, 8)}`;

test('named tokens belong to their name; plain tokens to a hash of themselves', () => {
  const g = parseTokenGrants(['billing:tokA', 'crm:tokB', 'plainC']);
  assert.deepEqual(g, [
    { token: 'tokA', tenant: 'billing', admin: false },
    { token: 'tokB', tenant: 'crm', admin: false },
    { token: 'plainC', tenant: hashName('plainC'), admin: false },
  ]);
  assert.equal(plainTokenTenant('plainC'), hashName('plainC'));
  assert.match(plainTokenTenant('plainC'), /^t-[0-9a-f]{8}$/);
});

test('a plain token that is the only one configured is the default tenant (existing rows stay visible)', () => {
  assert.deepEqual(parseTokenGrants(['only']), [{ token: 'only', tenant: DEFAULT_TENANT, admin: false }]);
  // The same token listed twice is still one token.
  assert.equal(parseTokenGrants(['only', 'only'])[0].tenant, DEFAULT_TENANT);
  assert.equal(parseTokenGrants(['only', 'other'])[0].tenant, hashName('only'));
  // A named single token keeps its name.
  assert.equal(parseTokenGrants(['billing:only'])[0].tenant, 'billing');
  assert.deepEqual(parseTokenGrants([]), []);
});

test('several tokens may share a tenant name (rotation)', () => {
  const g = parseTokenGrants(['billing:old', 'billing:new']);
  assert.deepEqual(
    g.map((x) => x.tenant),
    ['billing', 'billing'],
  );
});

test('admin entries mark tokens by tenant name or by token', () => {
  const g = parseTokenGrants(['billing:tokA', 'ops:tokB', 'plainC'], ['ops', 'plainC']);
  assert.deepEqual(
    g.map((x) => x.admin),
    [false, true, true],
  );
  const byToken = parseTokenGrants(['billing:tokA', 'ops:tokB'], ['tokA']);
  assert.deepEqual(
    byToken.map((x) => x.admin),
    [true, false],
  );
});

test('malformed entries refuse with a message that never shows a token', () => {
  for (const [tokens, admin, re] of [
    [[':secretX'], [], /OCRFLOW_TOKENS: entry 1: a tenant name/],
    [['bad name:secretX'], [], /OCRFLOW_TOKENS: entry 1/],
    [['billing:'], [], /must be non-empty/],
    [['billing:a:secretX'], [], /without ":"/],
    [['billing:secretX', 'crm:secretX'], [], /two tenants \(billing and crm\)/],
    [['billing:secretX'], ['nobody'], /OCRFLOW_ADMIN_TOKENS: an entry names no tenant/],
  ] as [string[], string[], RegExp][]) {
    assert.throws(
      () => parseTokenGrants(tokens, admin),
      (e: Error) => re.test(e.message) && !e.message.includes('secretX'),
    );
  }
});

test('the configuration validates tokens and admin names at load time', () => {
  const c = loadConfig({ env: { OCRFLOW_TOKENS: 'billing:tokA, crm:tokB', OCRFLOW_ADMIN_TOKENS: 'crm' } });
  assert.deepEqual(
    tokenGrants(c).map((g) => [g.tenant, g.admin]),
    [
      ['billing', false],
      ['crm', true],
    ],
  );
  assert.throws(() => loadConfig({ env: { OCRFLOW_TOKENS: 'tokA', OCRFLOW_ADMIN_TOKENS: 'ops' } }), /OCRFLOW_ADMIN_TOKENS/);
  assert.throws(() => loadConfig({ env: { OCRFLOW_TOKENS: 'x y:tok' } }), /OCRFLOW_TOKENS: entry 1/);
});

test('who sees what', () => {
  const billing = { tenant: 'billing', admin: false };
  const admin = { tenant: 'ops', admin: true };
  assert.equal(canSee(billing, 'billing'), true);
  assert.equal(canSee(billing, 'crm'), false);
  assert.equal(canSee(admin, 'crm'), true);
  assert.equal(listScope(billing), 'billing');
  assert.equal(listScope(admin), undefined);
});
