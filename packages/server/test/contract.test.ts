/**
 * The wire contract must not drift between the places that state it: the server's view types,
 * the route schemas Fastify serialises with (which silently drop a field they do not list), the
 * SDK's types and the web UI's types.
 *
 * - At compile time (the typecheck is part of `npm test`): the SDK's Job and Delivery have exactly
 *   the server views' fields (and its events their fixed ones), the web UI's Task the task view's.
 * - At run time, over loopback HTTP: a finished job with a webhook, a task_id and a priority, its
 *   events and its deliveries come out of the serialiser equal to the view built from the store,
 *   so every field the view has is in the route's schema.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { JOB_STATUSES as CLIENT_JOB_STATUSES, type Delivery, type Job, type JobEvent } from '@ocrflow/client';
import type { Task } from '../../web/src/api.types.ts';
import { OPEN_CALLER } from '@ocrflow/core';
import { JOB_STATUSES } from '../src/ports/job.types.ts';
import { toJobView, type EventView, type JobView } from '../src/services/job.view.ts';
import type { DeliveryView } from '../src/services/webhooks.service.ts';
import type { TaskView } from '../src/workbench/task.view.ts';
import { Api } from './helpers/api.helper.ts';
import { dataset, SMALL_TABLE } from './helpers/fixtures.helper.ts';
import { Receiver } from './helpers/receiver.helper.ts';
import { startTestServer, type TestServer } from './helpers/server.helper.ts';

/** `true` only when A and B name the same fields. */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : { onlyLeft: Exclude<keyof A, keyof B>; onlyRight: Exclude<keyof B, keyof A> };
const sdkJob: SameKeys<Job, JobView> = true;
/** An event's fixed fields (both have an index signature for the fields its type adds). */
type Fixed<T> = Pick<T, Extract<keyof T, 'seq' | 'type' | 'job_id' | 'status' | 'time'>>;
const sdkEvent: SameKeys<Fixed<JobEvent>, Fixed<EventView>> = true;
const sdkDelivery: SameKeys<Delivery, DeliveryView> = true;
const webTask: SameKeys<Task, TaskView> = true;

const SECRET = `whsec_${Buffer.from('ocrflow contract test secret 0123456789').toString('base64')}`;
let rx: Receiver;
let srv: TestServer;
let api: Api;

before(async () => {
  rx = await Receiver.start();
  srv = await startTestServer({ env: { OCRFLOW_WEBHOOK_SECRET: SECRET, OCRFLOW_WEBHOOK_ALLOW_HOSTS: '127.0.0.1', OCRFLOW_WEBHOOK_SCHEDULE: '200ms' } });
  api = new Api(srv.url);
});
after(async () => {
  await srv?.close();
  await rx?.close();
});

test('the SDK, the web UI and the server name the same fields, and the same job statuses', () => {
  assert.deepEqual([sdkJob, sdkEvent, sdkDelivery, webTask], [true, true, true, true]);
  assert.deepEqual([...CLIENT_JOB_STATUSES], [...JOB_STATUSES]);
});

test('a finished job, its events and deliveries come out of the serialiser with every field of the views', async () => {
  const hook = `${rx.url}/contract`;
  const submitted = await api.submit(dataset(SMALL_TABLE), 'contract.png', { task_id: 'contract-1', webhook_url: hook, priority: '3', mode: 'text' });
  let job = await api.job(submitted.id);
  for (const end = Date.now() + 60_000; job.status !== 'finished' && Date.now() < end; ) {
    await new Promise((r) => setTimeout(r, 100));
    job = await api.job(submitted.id);
  }
  assert.equal(job.status, 'finished', JSON.stringify(job));
  const record = await srv.service.adapters.store.getJob(submitted.id);
  assert.ok(record);
  const view = JSON.parse(JSON.stringify(toJobView(record, { queuePosition: null, baseUrl: srv.url }))) as Record<string, unknown>;
  assert.deepEqual(job, view, 'GET /v1/jobs/{id} is the view, field for field');
  assert.ok(Object.values(view).every((v) => v !== undefined));

  const events = await api.json<{ events: Record<string, unknown>[] }>(`/v1/jobs/${submitted.id}/events?since=0&timeout_ms=0`);
  assert.equal(events.status, 200, JSON.stringify(events.body));
  const stored = (await srv.service.adapters.store.listEvents(submitted.id, 0, 1000)).map((e) => e.seq);
  assert.deepEqual(
    events.body.events.map((e) => e.seq),
    stored,
  );
  for (const e of events.body.events) for (const k of ['seq', 'type', 'job_id', 'status', 'time']) assert.ok(k in e, `event field ${k}`);

  for (const end = Date.now() + 20_000; rx.received.length === 0 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300)); // the attempt is recorded just after the receiver answered
  const deliveries = await api.json<{ deliveries: Record<string, unknown>[] }>(`/v1/jobs/${submitted.id}/deliveries`);
  assert.equal(deliveries.status, 200);
  assert.ok(
    deliveries.body.deliveries.some((x) => x.state === 'delivered'),
    JSON.stringify(deliveries.body),
  );
  const views = await srv.service.services.webhooks!.list(OPEN_CALLER, submitted.id);
  assert.deepEqual(deliveries.body.deliveries, JSON.parse(JSON.stringify(views)), 'the deliveries are the views, field for field');
});
