/** What every workbench service gets (built once by `workbench.ts`). */
import type { Logger } from 'pino';
import type { Config } from '@ocrflow/core';
import type { BlobStore } from '../ports/blob-store.port.ts';
import type { DocumentPipeline } from '../ports/pipeline.port.ts';
import type { TaskEventBus } from '../ports/task-bus.port.ts';
import type { TaskStore } from '../ports/task-store.port.ts';

export interface WorkbenchContext {
  readonly config: Config;
  readonly log: Logger;
  readonly blobs: BlobStore;
  /** `inspect` at upload (the same sniffing the job submission does) and the searchable PDF — never OCR. */
  readonly pipeline: DocumentPipeline;
  readonly store: TaskStore;
  readonly bus: TaskEventBus;
  now(): number;
}

/** Blob keys of a task: everything under one prefix, so deleting the task removes every file. */
export const taskKeys = {
  prefix: (id: string) => `workbench/${id}`,
  source: (id: string) => `workbench/${id}/source`,
  /** The OCR document JSON as the OCR service returned it; written once, never changed. */
  document: (id: string) => `workbench/${id}/ocr/document.json`,
  analysis: (id: string) => `workbench/${id}/ocr/analysis.json`,
  /** PDF uploads: the first page as PNG (what `/image` shows). */
  preview: (id: string) => `workbench/${id}/preview.png`,
  /** Page N as the OCR saw it (upright), for `/image?page=N`. */
  page: (id: string, n: number, ext: 'png' | 'jpg') => `workbench/${id}/pages/${n}.${ext}`,
  xlsx: (id: string, unique: string) => `workbench/${id}/xlsx/${unique}.xlsx`,
};
