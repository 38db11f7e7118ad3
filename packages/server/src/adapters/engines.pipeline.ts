/** The API-side pipeline port on `@ocrflow/engines` (engines load lazily: only worker threads create sessions). */
import { assembleDocument, inspectDocument, registeredEngines } from '@ocrflow/engines';
import type { DocumentPipeline } from '../ports/pipeline.port.ts';

export const enginesPipeline: DocumentPipeline = {
  inspect: (data, opts) => inspectDocument(data, opts),
  assemble: (pages, meta) => assembleDocument(pages, meta),
  engineNames: () => registeredEngines(),
};
