/**
 * Service extensions: features that need more than routes — a terminal hook in the store (the
 * webhook outbox row of issue 5, written in the same transaction as the job's final status), a
 * background loop (webhook delivery, the workbench's long-poll fallback), a submit check, a
 * post-job step. Each is one entry of SERVICE_EXTENSIONS (or passed to `startService` as
 * `extensions`); `install` runs once the store is migrated and before the workers start, and the
 * handle it returns is closed on shutdown before the store.
 */
import type { FastifyInstance } from 'fastify';
import type { Adapters } from './adapters/adapters.factory.ts';
import type { AppServices } from './http/app.services.ts';

export interface ExtensionHost {
  services: AppServices;
  adapters: Adapters;
  app: FastifyInstance;
}

export interface ExtensionHandle {
  close?(): Promise<void>;
}

export interface ServiceExtension {
  name: string;
  install(host: ExtensionHost): Promise<ExtensionHandle | void> | ExtensionHandle | void;
}

export const SERVICE_EXTENSIONS: ServiceExtension[] = [];
