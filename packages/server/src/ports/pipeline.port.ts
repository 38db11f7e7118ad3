/**
 * What the service needs from the OCR pipeline on the API side (cheap, main thread): validation
 * at submission and assembling stored pages into a document. The heavy part (open, render,
 * recognise) runs in worker threads (`workers/ocr.worker.ts`) and never on the event loop.
 */
import type { DocumentMeta, OcrDocument, Page } from '@ocrflow/core';
import type { DocumentInfo, EngineHealth, OpenOptions } from '@ocrflow/engines';
import type { EngineStatus } from '@ocrflow/engines';

export interface DocumentPipeline {
  inspect(data: Buffer, opts: OpenOptions): Promise<DocumentInfo>;
  assemble(pages: Page[], meta: DocumentMeta): OcrDocument;
  /** Names of the engines that are configured in this process (for /health and validation). */
  engineNames(): string[];
  /**
   * The searchable PDF of a document from its source file: the uploaded pages with an invisible
   * text layer. Cheap for images (the JPEG is copied, not decoded); PDFs are opened with mupdf.
   */
  searchablePdf(doc: OcrDocument, source: Buffer): Promise<Buffer>;
  /** Every engine with its health, cheaply (no model sessions on the API thread). */
  probeEngines(): Promise<EngineStatus[]>;
}

export type { DocumentInfo, EngineHealth, EngineStatus, OpenOptions };
