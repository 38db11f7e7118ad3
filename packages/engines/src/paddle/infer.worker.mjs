// Bootstrap of a recognition lane's thread (infer.lane.ts): register tsx (worker threads do not
// inherit the loader of the thread that started them), then load the TypeScript worker.
import { register } from 'tsx/esm/api';
register();
await import('./infer.worker.ts');
