/** A new job row as the store takes it, for tests that drive the store directly. */
import type { NewJob } from '../../src/index.ts';
import { newJobId } from '../../src/util/ids.ts';

export function newJob(over: Partial<NewJob> = {}): NewJob {
  const id = newJobId();
  return {
    id,
    tenant: 'default',
    taskId: null,
    engine: 'paddle',
    mode: 'text',
    languages: ['en'],
    prompt: null,
    webhookUrl: null,
    filename: 'a.png',
    mime: 'image/png',
    sizeBytes: 10,
    sha256: 'x'.repeat(64),
    contentHash: 'h'.repeat(64),
    sourceKey: `jobs/${id}/source`,
    pageCount: 1,
    metrics: {},
    options: {},
    now: Date.now(),
    ...over,
  };
}
