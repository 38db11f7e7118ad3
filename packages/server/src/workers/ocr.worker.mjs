// Bootstrap of an OCR worker thread: register tsx (worker threads do not inherit the loader the
// `ocrflow` bin registered with `register()`), then load the TypeScript worker.
import { register } from 'tsx/esm/api';
register();
await import('./ocr.worker.ts');
