export * from './job.types.ts';
export * from './job-store.port.ts';
export * from './job-queue.port.ts';
export * from './blob-store.port.ts';
export * from './event-bus.port.ts';
export * from './pipeline.port.ts';
export * from './delivery-store.port.ts';
