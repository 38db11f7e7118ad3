/**
 * Prometheus metrics (prom-client), one registry per service instance so several instances in one
 * process (tests) do not collide. Job and queue gauges are read from the store and queue at
 * scrape time, so they are right in every process of the scaled shape. Job counts are labelled by
 * tenant (the operator's view: `/metrics` shows tenant names, never tokens).
 */
import client from 'prom-client';
import { DEFAULT_TENANT, tokenGrants } from '@ocrflow/core';
import { JOB_STATUSES } from '../ports/job.types.ts';
import type { ServiceContext } from '../services/service.context.ts';
import type { RunnerObserver } from '../workers/job.runner.ts';

export class ServerMetrics implements RunnerObserver {
  readonly registry = new client.Registry();
  private readonly http: client.Histogram<'method' | 'route' | 'status'>;
  private readonly pages: client.Histogram<'engine'>;
  private readonly ended: client.Counter<'status' | 'tenant'>;
  private readonly built: client.Counter<'artifact'>;
  private readonly refusedStreams: client.Counter<'scope'>;
  private workbookBuilds: () => number = () => 0;

  constructor(ctx: ServiceContext, workersAlive: () => number) {
    const registers = [this.registry];
    client.collectDefaultMetrics({ register: this.registry, prefix: 'ocrflow_' });
    this.http = new client.Histogram({
      name: 'ocrflow_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 60],
      registers,
    });
    this.pages = new client.Histogram({
      name: 'ocrflow_page_duration_seconds',
      help: 'Time to OCR one page in a worker thread',
      labelNames: ['engine'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64],
      registers,
    });
    this.ended = new client.Counter({
      name: 'ocrflow_jobs_ended_total',
      help: 'Jobs this process ran to a terminal state',
      labelNames: ['status', 'tenant'],
      registers,
    });
    this.built = new client.Counter({
      name: 'ocrflow_artifacts_built_total',
      help: 'Derived files built on request (e.g. the page-images zip), counted once per build',
      labelNames: ['artifact'],
      registers,
    });
    this.refusedStreams = new client.Counter({
      name: 'ocrflow_streams_refused_total',
      help: 'Long-polls and event streams refused with 429 past OCRFLOW_MAX_STREAMS (scope=global) or OCRFLOW_MAX_STREAMS_PER_CLIENT (scope=client)',
      labelNames: ['scope'],
      registers,
    });
    const metrics = this;
    new client.Gauge({
      name: 'ocrflow_workbooks_building',
      help: 'Workbench workbooks being built right now (on their own thread)',
      registers,
      collect() {
        this.set(metrics.workbookBuilds());
      },
    });
    // Configured tenants show zeros before their first job; tenants only in the store (tokens since removed) still show.
    const configured = [...new Set(tokenGrants(ctx.config).map((g) => g.tenant))];
    new client.Gauge({
      name: 'ocrflow_jobs',
      help: 'Jobs in the store by status and tenant',
      labelNames: ['status', 'tenant'],
      registers,
      async collect() {
        const rows = await ctx.store.countByTenantStatus();
        const tenants = new Set([...(configured.length ? configured : [DEFAULT_TENANT]), ...rows.map((r) => r.tenant)]);
        this.reset();
        for (const tenant of tenants) for (const s of JOB_STATUSES) this.set({ status: s, tenant }, 0);
        for (const r of rows) this.set({ status: r.status, tenant: r.tenant }, r.count);
      },
    });
    new client.Gauge({
      name: 'ocrflow_queue_length',
      help: 'Jobs waiting for a worker',
      registers,
      async collect() {
        this.set(await ctx.queue.size());
      },
    });
    new client.Gauge({
      name: 'ocrflow_worker_threads_alive',
      help: 'OCR worker threads alive in this process',
      registers,
      collect() {
        this.set(workersAlive());
      },
    });
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.http.observe({ method, route, status: String(status) }, seconds);
  }

  pageDone(engine: string, ms: number): void {
    this.pages.observe({ engine }, ms / 1000);
  }

  jobEnded(status: string, _ms: number, tenant: string): void {
    this.ended.inc({ status, tenant });
  }

  /** Where the workbench's count of workbooks in the making comes from. */
  observeWorkbookBuilds(count: () => number): void {
    this.workbookBuilds = count;
  }

  artifactBuilt(artifact: string): void {
    this.built.inc({ artifact });
  }

  streamRefused(scope: 'global' | 'client'): void {
    this.refusedStreams.inc({ scope });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
