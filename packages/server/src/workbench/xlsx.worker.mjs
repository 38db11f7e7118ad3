// Bootstrap of the workbook thread: worker threads do not inherit the tsx loader, so register it,
// then load the TypeScript worker (as ocr.worker.mjs does).
import { register } from 'tsx/esm/api';
register();
await import('./xlsx.worker.ts');
