/**
 * Workbook versions of a task. Version 1 is the sheets of the stored OCR JSON
 * (`documentToSheets`): while the task is `ocr_done` it is derived on demand for reading, and it is
 * stored (`ocr_done → excel_generated`) when the workbook is first asked for — a download,
 * `generate`, or the first save, which then stores the edit as version 2 (`→ editable`). Every
 * save of edited sheets is a new version (old ones are kept, the OCR JSON is never touched). A
 * version is its sheets JSON (in the store) and its .xlsx (a blob under a unique key written before
 * the row, so two saves racing for the same number never share a file). Saves use optimistic
 * locking on the task row: `base_version` must still be the latest.
 */
import type { Readable } from 'node:stream';
import { OcrflowError, documentToSheets, reviewCount, validateSheets, type OcrDocument, type Sheet } from '@ocrflow/core';
import type { TaskRecord, TaskStatus, WorkbookVersion } from '../ports/task-store.port.ts';
import { newJobId } from '../util/ids.ts';
import { HAS_TABLES, invalidState } from './task.state.ts';
import { isoTime } from './task.view.ts';
import type { TasksService } from './tasks.service.ts';
import { taskKeys, type WorkbenchContext } from './workbench.context.ts';
import type { XlsxBuilder } from './xlsx.builder.ts';

export interface TablesView {
  version: number;
  versions: { version: number; created_at: string; source: 'ocr' | 'edit' }[];
  sheets: Sheet[];
}

const versionView = (v: WorkbookVersion) => ({ version: v.version, created_at: isoTime(v.createdAt), source: v.source });

const notReady = (status: TaskStatus, what: string) =>
  new OcrflowError(
    'OCRFLOW_ERR_RESULT_NOT_READY',
    `The task is ${status}; ${what} ${status === 'excel_failed' ? 'after a retry (POST /api/v1/ocr/retry/{id})' : 'once OCR is done'}`,
    { status },
  );

export class WorkbooksService {
  constructor(
    private readonly ctx: WorkbenchContext,
    private readonly tasks: TasksService,
    /** Workbooks are built on a thread of their own (a big one is seconds of work). */
    private readonly xlsx: XlsxBuilder,
  ) {}

  close(): Promise<void> {
    return this.xlsx.close();
  }

  /** Workbooks being built now. */
  get building(): number {
    return this.xlsx.building;
  }

  async readDocument(taskId: string): Promise<OcrDocument> {
    return JSON.parse((await this.ctx.blobs.get(taskKeys.document(taskId))).toString('utf8')) as OcrDocument;
  }

  /** Version 1: the sheets of the stored OCR JSON (the same every time it is derived). */
  private async firstSheets(taskId: string): Promise<Sheet[]> {
    return validateSheets(documentToSheets(await this.readDocument(taskId), { reviewThreshold: this.ctx.config.reviewThreshold }));
  }

  /** `ocr_done → excel_generated` with version 1 stored, or `excel_failed` with the reason; null when it did not happen here. */
  async generateFirst(task: TaskRecord): Promise<TaskRecord | null> {
    const { blobs, store, log } = this.ctx;
    let xlsxKey: string | null = null;
    try {
      const sheets = await this.firstSheets(task.id);
      const sheetsJson = JSON.stringify(sheets);
      xlsxKey = taskKeys.xlsx(task.id, newJobId());
      await blobs.put(xlsxKey, await this.xlsx.build(sheetsJson));
      const r = await store.addVersion(task.id, {
        source: 'ocr',
        sheets: sheetsJson,
        xlsxKey,
        baseVersion: null,
        requireStatus: ['ocr_done'],
        to: 'excel_generated',
        cellsToCheck: reviewCount(sheets),
        now: this.ctx.now(),
      });
      if (!r.ok) {
        await blobs.delete(r.reason === 'missing' ? taskKeys.prefix(task.id) : xlsxKey);
        return null;
      }
      xlsxKey = null;
      await this.tasks.announce(r.task);
      return r.task;
    } catch (e) {
      if (xlsxKey) await blobs.delete(xlsxKey).catch((err) => log.warn({ err, key: xlsxKey }, 'removing a partly written workbook failed'));
      log.warn({ task: task.id, err: e }, 'generating the workbook failed');
      const why = e instanceof Error ? e.message : String(e);
      await this.tasks.move(task.id, { from: ['ocr_done'], to: 'excel_failed', patch: { errorMessage: `The workbook could not be generated: ${why}` } });
      return null;
    }
  }

  /** The task with version 1 stored (generated now when it is `ocr_done` without it). */
  private async withFirstVersion(task: TaskRecord): Promise<TaskRecord> {
    if (task.workbookVersion !== null) return task;
    if (task.status !== 'ocr_done') throw notReady(task.status, 'the workbook can be made');
    const made = (await this.generateFirst(task)) ?? (await this.tasks.require(task.id));
    if (made.workbookVersion !== null) return made; // made here, or by someone else meanwhile
    if (made.status === 'excel_failed')
      throw new OcrflowError(
        'OCRFLOW_ERR_INTERNAL',
        `The workbook could not be generated; the task is now excel_failed (POST /api/v1/ocr/retry/${task.id} tries again)`,
        { status: made.status },
      );
    throw invalidState(made.status, 'the workbook cannot be made now');
  }

  async tables(taskId: string, version: number | null): Promise<TablesView> {
    const task = await this.tasks.require(taskId);
    if (!HAS_TABLES.includes(task.status)) throw notReady(task.status, 'its tables are ready');
    if (task.workbookVersion === null) {
      // ocr_done: version 1 as it will be stored, derived from the OCR JSON without storing it.
      if (version !== null && version !== 1)
        throw new OcrflowError('OCRFLOW_ERR_NOT_FOUND', `The task has no workbook version ${version} (latest: 1)`, { version, latest: 1 });
      return { version: 1, versions: [{ version: 1, created_at: isoTime(task.updatedAt), source: 'ocr' }], sheets: await this.firstSheets(taskId) };
    }
    const v = await this.ctx.store.getVersion(taskId, version);
    if (!v)
      throw new OcrflowError('OCRFLOW_ERR_NOT_FOUND', `The task has no workbook version ${version} (latest: ${task.workbookVersion})`, {
        version,
        latest: task.workbookVersion,
      });
    const versions = await this.ctx.store.listVersions(taskId);
    return { version: v.version, versions: versions.map(versionView), sheets: JSON.parse(v.sheets) as Sheet[] };
  }

  /**
   * Save edited sheets as a new version (`→ editable`). 409 before OCR is done or when `baseVersion`
   * is not the latest; 422 for malformed sheets, checked before anything is stored. Without
   * `baseVersion` the save goes on top of whatever is latest.
   */
  async save(taskId: string, input: unknown, baseVersion: number | undefined): Promise<{ version: number; task: TaskRecord }> {
    let task = await this.tasks.require(taskId);
    if (!HAS_TABLES.includes(task.status)) throw invalidState(task.status, 'sheets can be saved once OCR is done');
    const sheets = validateSheets(input);
    // Version 1 (derived until now) goes first, so the edit is version 2 on top of it.
    if (task.workbookVersion === null) {
      if (baseVersion !== undefined && baseVersion !== 1) throw this.conflict(baseVersion, 1, 'is the latest, not version');
      task = await this.withFirstVersion(task);
    }
    const sheetsJson = JSON.stringify(sheets);
    const xlsx = await this.xlsx.build(sheetsJson);
    for (let attempt = 0; ; attempt++) {
      const base = baseVersion ?? task.workbookVersion;
      if (base !== task.workbookVersion) throw this.conflict(base, task.workbookVersion, 'was saved since version');
      const xlsxKey = taskKeys.xlsx(taskId, newJobId());
      await this.ctx.blobs.put(xlsxKey, xlsx);
      const from = task.status;
      const r = await this.ctx.store.addVersion(taskId, {
        source: 'edit',
        sheets: sheetsJson,
        xlsxKey,
        baseVersion: base,
        requireStatus: [from],
        ...(from === 'editable' ? {} : { to: 'editable' as const }),
        cellsToCheck: reviewCount(sheets),
        now: this.ctx.now(),
      });
      if (r.ok) {
        await this.tasks.announce(r.task);
        return { version: r.version, task: r.task };
      }
      await this.ctx.blobs.delete(r.reason === 'missing' ? taskKeys.prefix(taskId) : xlsxKey);
      if (r.reason === 'missing') throw new OcrflowError('OCRFLOW_ERR_TASK_NOT_FOUND', `No task with id ${taskId}`);
      // Moved on between our read and our write (another save): once more, where the rules allow it.
      const again = attempt === 0 && r.task && HAS_TABLES.includes(r.task.status) && (baseVersion === undefined || r.reason === 'state');
      if (!again || !r.task) {
        if (r.reason === 'state') throw invalidState(r.task?.status ?? from, 'sheets can be saved once OCR is done');
        throw this.conflict(base, r.task?.workbookVersion ?? null, 'was saved meanwhile on top of version');
      }
      task = r.task;
    }
  }

  private conflict(base: number | null, latest: number | null, how: string): OcrflowError {
    return new OcrflowError('OCRFLOW_ERR_INVALID_STATE', `Version ${latest} ${how} ${base} that you edited; reload the tables and apply your changes again`, {
      base_version: base,
      latest,
    });
  }

  /** The .xlsx of a version (latest by default), regenerated from its sheets if its file was lost. Version 1 is made when first asked for. */
  async excel(taskId: string, version: number | null): Promise<{ body: Readable; version: number; task: TaskRecord }> {
    let task = await this.tasks.require(taskId);
    if (task.workbookVersion === null) {
      if (task.status !== 'ocr_done') throw notReady(task.status, 'the workbook is ready');
      if (version === null || version === 1) task = await this.withFirstVersion(task);
    }
    const v = await this.ctx.store.getVersion(taskId, version);
    if (!v)
      throw new OcrflowError('OCRFLOW_ERR_NOT_FOUND', `The task has no workbook version ${version} (latest: ${task.workbookVersion ?? 1})`, {
        version,
        latest: task.workbookVersion ?? 1,
      });
    if (!(await this.ctx.blobs.exists(v.xlsxKey))) {
      this.ctx.log.warn({ task: taskId, version: v.version }, 'workbook file missing; regenerated from its sheets');
      await this.ctx.blobs.put(v.xlsxKey, await this.xlsx.build(v.sheets));
    }
    return { body: this.ctx.blobs.stream(v.xlsxKey), version: v.version, task };
  }

  /**
   * Write the workbook of the latest version again from its sheets (`POST /excel/generate`):
   * version 1 is stored first when the task is `ocr_done`; after `excel_failed` it is retried
   * (`excel_failed → ocr_done → excel_generated`). The file is replaced atomically, so a download
   * running meanwhile reads the old bytes or the new ones, never half of either.
   */
  async generate(taskId: string): Promise<{ version: number; task: TaskRecord }> {
    let task = await this.tasks.require(taskId);
    if (task.status === 'excel_failed')
      task = (await this.tasks.move(taskId, { from: ['excel_failed'], to: 'ocr_done', patch: { errorMessage: null } })) ?? (await this.tasks.require(taskId));
    if (task.workbookVersion === null) {
      task = await this.withFirstVersion(task);
      return { version: task.workbookVersion as number, task };
    }
    const v = await this.ctx.store.getVersion(taskId, null);
    if (!v) throw new OcrflowError('OCRFLOW_ERR_INTERNAL', 'The latest workbook version is missing');
    await this.ctx.blobs.put(v.xlsxKey, await this.xlsx.build(v.sheets));
    return { version: v.version, task };
  }
}

/** `报表.jpg` → `报表.xlsx`, with an ASCII fallback for old clients. */
export function downloadNames(uploadName: string, ext: string): { utf8: string; ascii: string } {
  const base = uploadName.replace(/\.[^./\\]*$/, '') || 'report';
  const ascii = base
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/["\\;]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return { utf8: `${base}.${ext}`, ascii: `${/[A-Za-z0-9]/.test(ascii) ? ascii : 'report'}.${ext}` };
}

/** RFC 6266 / RFC 5987: `attachment; filename="report.xlsx"; filename*=UTF-8''%E6%8A%A5%E8%A1%A8.xlsx`. */
export function contentDisposition(uploadName: string, ext: string): string {
  const { utf8, ascii } = downloadNames(uploadName, ext);
  const encoded = encodeURIComponent(utf8).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
