// Bootstrap of the worker threads of shared.semaphore.test.ts: register tsx (as the server's OCR
// threads do), then load the TypeScript worker.
import { register } from 'tsx/esm/api';
register();
await import('./shared.worker.ts');
