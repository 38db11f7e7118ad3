/** The API-side pipeline port on `@ocrflow/engines` (engines load lazily: only worker threads create sessions). */
import type { Config } from '@ocrflow/core';
import { assembleDocument, engineOptionsFromConfig, inspectDocument, probeEngines, registeredEngines, renderSearchablePdf } from '@ocrflow/engines';
import type { DocumentPipeline } from '../ports/pipeline.port.ts';

export function createEnginesPipeline(config: Config): DocumentPipeline {
  const options = engineOptionsFromConfig(config);
  return {
    inspect: (data, opts) => inspectDocument(data, opts),
    assemble: (pages, meta) => assembleDocument(pages, meta, { joinTables: options.joinTables }),
    engineNames: () => registeredEngines(),
    searchablePdf: (doc, source) => renderSearchablePdf(doc, source),
    probeEngines: () => probeEngines(options),
  };
}
