/**
 * Extensions a program embedding the service passes to `startService` (`extensions`): a feature
 * that needs more than routes — a terminal hook in the store (written in the same transaction as
 * the job's final status), a background loop, a submit check, a post-job step. `install` runs once
 * the store is migrated and before the workers start; the handle it returns is closed on shutdown
 * before the store. ocrflow's own features (webhooks, analysis, the workbench) are not extensions:
 * `service.runtime.ts` wires them by name.
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
