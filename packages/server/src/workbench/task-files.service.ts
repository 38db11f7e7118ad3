/**
 * The files of a task, reachable only through the API and only while the task exists: the upload
 * (first page as PNG for PDFs), page N as the OCR saw it (upright, in the document's pixel
 * coordinates, so the UI can draw boxes over it), the OCR JSON, its text and Markdown, and the
 * analysis. Rendered images are cached under the task's prefix (deleted with it).
 */
import type { Readable } from 'node:stream';
import sharp from 'sharp';
import { OcrflowError, documentToMarkdown, documentToText } from '@ocrflow/core';
import { openDocument } from '@ocrflow/engines';
import { openPageImages } from '../services/page.images.ts';
import type { TaskRecord } from '../ports/task-store.port.ts';
import { HAS_DOCUMENT } from './task.state.ts';
import type { TasksService } from './tasks.service.ts';
import { taskKeys, type WorkbenchContext } from './workbench.context.ts';
import type { WorkbooksService } from './workbooks.service.ts';

export interface FileBody {
  mime: string;
  body: Readable | Buffer;
}

export class TaskFilesService {
  constructor(
    private readonly ctx: WorkbenchContext,
    private readonly tasks: TasksService,
    private readonly workbooks: WorkbooksService,
  ) {}

  private get openOpts() {
    return { maxPixels: this.ctx.config.maxPixels, maxPages: this.ctx.config.maxPages };
  }

  /** The upload as it was sent; a PDF's first page rendered as PNG. */
  async image(taskId: string): Promise<FileBody> {
    const task = await this.tasks.require(taskId);
    if (task.mime !== 'application/pdf') return { mime: task.mime, body: this.ctx.blobs.stream(task.sourceKey) };
    const key = taskKeys.preview(task.id);
    if (!(await this.ctx.blobs.exists(key))) {
      const doc = await openDocument(await this.ctx.blobs.get(task.sourceKey), this.openOpts);
      try {
        const { image } = await doc.renderPage(0);
        await this.ctx.blobs.put(
          key,
          await sharp(image.data, { raw: { width: image.width, height: image.height, channels: 3 } })
            .png()
            .toBuffer(),
        );
      } finally {
        doc.close();
      }
    }
    return { mime: 'image/png', body: this.ctx.blobs.stream(key) };
  }

  /** Page `n` (0-based) upright as the OCR saw it: `page.width × page.height` pixels. 404 before OCR produced it. */
  async page(taskId: string, n: number): Promise<FileBody> {
    const task = await this.tasks.require(taskId);
    const doc = await this.documentOrNull(task);
    const page = doc?.pages.find((p) => p.index === n);
    if (!page)
      throw new OcrflowError(
        'OCRFLOW_ERR_NOT_FOUND',
        doc
          ? `The document has no page ${n} (pages are numbered from 0; it has ${doc.pages.length})`
          : `OCR has not produced page ${n} yet (the task is ${task.status})`,
        { page: n },
      );
    const jpeg = task.mime === 'image/jpeg';
    const key = taskKeys.page(task.id, n, jpeg ? 'jpg' : 'png');
    if (!(await this.ctx.blobs.exists(key))) {
      const images = await openPageImages(await this.ctx.blobs.get(task.sourceKey), this.openOpts);
      try {
        const img = await images.image(page);
        let s = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
        // The document's coordinates are authoritative: match its size if a renderer differs.
        if (img.width !== page.width || img.height !== page.height) s = s.resize(page.width, page.height, { fit: 'fill' });
        await this.ctx.blobs.put(key, await (jpeg ? s.jpeg({ quality: 90 }) : s.png()).toBuffer());
      } finally {
        images.close();
      }
    }
    return { mime: jpeg ? 'image/jpeg' : 'image/png', body: this.ctx.blobs.stream(key) };
  }

  /** The OCR JSON as stored (text; the route wraps it in the envelope without re-parsing). */
  async documentJson(taskId: string): Promise<string> {
    const task = await this.tasks.require(taskId);
    await this.requireDocument(task);
    return (await this.ctx.blobs.get(taskKeys.document(task.id))).toString('utf8');
  }

  async text(taskId: string): Promise<{ text: string; markdown: string }> {
    const task = await this.tasks.require(taskId);
    await this.requireDocument(task);
    const doc = await this.workbooks.readDocument(task.id);
    return { text: documentToText(doc), markdown: documentToMarkdown(doc) };
  }

  async analysisJson(taskId: string): Promise<string> {
    const task = await this.tasks.require(taskId);
    await this.requireDocument(task);
    const key = taskKeys.analysis(task.id);
    if (!(await this.ctx.blobs.exists(key)))
      throw new OcrflowError('OCRFLOW_ERR_NOT_FOUND', 'This task has no analysis (the OCR service did not produce one: OCRFLOW_ANALYSIS may be off)');
    return (await this.ctx.blobs.get(key)).toString('utf8');
  }

  /**
   * The searchable PDF of the upload: its pages with the OCR words as an invisible text layer
   * (the OCR document as the service returned it: edits to the sheets change the workbook, not
   * what was read on the page). 409 before OCR is done.
   */
  async searchablePdf(taskId: string): Promise<{ task: TaskRecord; body: Buffer }> {
    const task = await this.tasks.require(taskId);
    await this.requireDocument(task);
    const doc = await this.workbooks.readDocument(task.id);
    return { task, body: await this.ctx.pipeline.searchablePdf(doc, await this.ctx.blobs.get(task.sourceKey)) };
  }

  private async requireDocument(task: TaskRecord): Promise<void> {
    if (!HAS_DOCUMENT.includes(task.status) || !(await this.ctx.blobs.exists(taskKeys.document(task.id))))
      throw new OcrflowError('OCRFLOW_ERR_RESULT_NOT_READY', `The task is ${task.status}; the OCR result is ready once OCR is done`, { status: task.status });
  }

  private async documentOrNull(task: TaskRecord) {
    if (!HAS_DOCUMENT.includes(task.status) || !(await this.ctx.blobs.exists(taskKeys.document(task.id)))) return null;
    return this.workbooks.readDocument(task.id);
  }
}
