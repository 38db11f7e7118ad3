/**
 * Workbook versions of a task. Version 1 is generated from the stored OCR JSON
 * (`documentToSheets`); every save of edited sheets is a new version (old ones are kept, the OCR
 * JSON is never touched). A version is its sheets JSON (in the store) and its .xlsx (a blob under a
 * unique key written before the row, so two saves racing for the same number never share a file).
 * Saves use optimistic locking on the task row: `base_version` must still be the latest.
 */
import type { Readable } from 'node:stream';
import { OcrflowError, documentToSheets, isTableBlock, sheetsToXlsx, validateSheets, type OcrDocument, type Sheet } from '@ocrflow/core';
import type { TaskRecord, WorkbookVersion } from '../ports/task-store.port.ts';
import { newJobId } from '../util/ids.ts';
import { invalidState } from './task.state.ts';
import type { TasksService } from './tasks.service.ts';
import { taskKeys, type WorkbenchContext } from './workbench.context.ts';

export interface TablesView {
  version: number;
  versions: { version: number; created_at: string; source: 'ocr' | 'edit' }[];
  sheets: Sheet[];
}

const versionView = (v: WorkbookVersion) => ({ version: v.version, created_at: new Date(v.createdAt).toISOString(), source: v.source });

export class WorkbooksService {
  constructor(
    private readonly ctx: WorkbenchContext,
    private readonly tasks: TasksService,
  ) {}

  async readDocument(taskId: string): Promise<OcrDocument> {
    return JSON.parse((await this.ctx.blobs.get(taskKeys.document(taskId))).toString('utf8')) as OcrDocument;
  }

  /** `ocr_done → excel_generated → editable`, or `excel_failed` with the reason. */
  async generateFirst(task: TaskRecord): Promise<TaskRecord | null> {
    const { blobs, store, log } = this.ctx;
    let xlsxKey: string | null = null;
    try {
      const doc = await this.readDocument(task.id);
      const sheets = validateSheets(documentToSheets(doc));
      const tableCount = doc.pages.reduce((n, p) => n + p.blocks.filter(isTableBlock).length, 0);
      xlsxKey = taskKeys.xlsx(task.id, newJobId());
      await blobs.put(xlsxKey, await sheetsToXlsx(sheets));
      const r = await store.addVersion(task.id, {
        source: 'ocr', sheets: JSON.stringify(sheets), xlsxKey, baseVersion: null, requireStatus: ['ocr_done'], to: 'excel_generated', tableCount, now: this.ctx.now(),
      });
      if (!r.ok) {
        await blobs.delete(r.reason === 'missing' ? taskKeys.prefix(task.id) : xlsxKey);
        return null;
      }
      xlsxKey = null;
      await this.tasks.announce(r.task);
      return await this.makeEditable(r.task);
    } catch (e) {
      if (xlsxKey) await blobs.delete(xlsxKey).catch(() => {});
      log.warn({ task: task.id, err: e }, 'generating the workbook failed');
      const why = e instanceof Error ? e.message : String(e);
      await this.tasks.move(task.id, { from: ['ocr_done', 'excel_generated'], to: 'excel_failed', patch: { errorMessage: `The workbook could not be generated: ${why}` } });
      return null;
    }
  }

  /** `excel_generated → editable` once the sheets of the latest version read back valid. */
  async makeEditable(task: TaskRecord): Promise<TaskRecord | null> {
    const v = await this.ctx.store.getVersion(task.id, null);
    if (!v) {
      await this.tasks.move(task.id, { from: ['excel_generated'], to: 'excel_failed', patch: { errorMessage: 'The workbook version is missing' } });
      return null;
    }
    validateSheets(JSON.parse(v.sheets));
    return this.tasks.move(task.id, { from: ['excel_generated'], to: 'editable' });
  }

  async tables(taskId: string, version: number | null): Promise<TablesView> {
    const task = await this.tasks.require(taskId);
    if (task.workbookVersion === null) throw new OcrflowError('OCRFLOW_ERR_RESULT_NOT_READY', `The task is ${task.status}; its tables are ready once it is editable`, { status: task.status });
    const v = await this.ctx.store.getVersion(taskId, version);
    if (!v) throw new OcrflowError('OCRFLOW_ERR_NOT_FOUND', `The task has no workbook version ${version} (latest: ${task.workbookVersion})`, { version, latest: task.workbookVersion });
    const versions = await this.ctx.store.listVersions(taskId);
    return { version: v.version, versions: versions.map(versionView), sheets: JSON.parse(v.sheets) as Sheet[] };
  }

  /** Save edited sheets as a new version. 409 when not editable or when `baseVersion` is not the latest. */
  async save(taskId: string, input: unknown, baseVersion: number | undefined): Promise<{ version: number; task: TaskRecord }> {
    const task = await this.tasks.require(taskId);
    if (task.status !== 'editable') throw invalidState(task.status, 'sheets can be saved once the task is editable');
    if (baseVersion !== undefined && baseVersion !== task.workbookVersion)
      throw new OcrflowError('OCRFLOW_ERR_INVALID_STATE', `Version ${task.workbookVersion} was saved since version ${baseVersion} that you edited; reload the tables and apply your changes again`, {
        base_version: baseVersion,
        latest: task.workbookVersion,
      });
    const sheets = validateSheets(input);
    const xlsx = await sheetsToXlsx(sheets);
    const xlsxKey = taskKeys.xlsx(taskId, newJobId());
    await this.ctx.blobs.put(xlsxKey, xlsx);
    const r = await this.ctx.store.addVersion(taskId, {
      source: 'edit', sheets: JSON.stringify(sheets), xlsxKey, baseVersion: baseVersion ?? task.workbookVersion, requireStatus: ['editable'], now: this.ctx.now(),
    });
    if (!r.ok) {
      await this.ctx.blobs.delete(r.reason === 'missing' ? taskKeys.prefix(taskId) : xlsxKey);
      if (r.reason === 'missing') throw new OcrflowError('OCRFLOW_ERR_TASK_NOT_FOUND', `No task with id ${taskId}`);
      if (r.reason === 'state') throw invalidState(r.task?.status ?? task.status, 'sheets can be saved once the task is editable');
      throw new OcrflowError('OCRFLOW_ERR_INVALID_STATE', `Another save created version ${r.task?.workbookVersion} meanwhile; reload the tables and apply your changes again`, {
        base_version: baseVersion ?? task.workbookVersion,
        latest: r.task?.workbookVersion ?? null,
      });
    }
    await this.tasks.announce(r.task);
    return { version: r.version, task: r.task };
  }

  /** The .xlsx of a version (latest by default), regenerated from its sheets if its file was lost. */
  async excel(taskId: string, version: number | null): Promise<{ body: Readable; version: number; task: TaskRecord }> {
    const task = await this.tasks.require(taskId);
    if (task.workbookVersion === null) throw new OcrflowError('OCRFLOW_ERR_RESULT_NOT_READY', `The task is ${task.status}; the workbook is ready once it is editable`, { status: task.status });
    const v = await this.ctx.store.getVersion(taskId, version);
    if (!v) throw new OcrflowError('OCRFLOW_ERR_NOT_FOUND', `The task has no workbook version ${version} (latest: ${task.workbookVersion})`, { version, latest: task.workbookVersion });
    if (!(await this.ctx.blobs.exists(v.xlsxKey))) {
      this.ctx.log.warn({ task: taskId, version: v.version }, 'workbook file missing; regenerated from its sheets');
      await this.ctx.blobs.put(v.xlsxKey, await sheetsToXlsx(JSON.parse(v.sheets) as Sheet[]));
    }
    return { body: this.ctx.blobs.stream(v.xlsxKey), version: v.version, task };
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
