/**
 * The PaddleOCR PP-StructureV3 service's result JSON as a pure function of the document model —
 * what `GET /result/json/jobs/{id}` answers, so clients written for that service read ocrflow
 * unchanged: `{job_id, final:{…}, pages:[{width, height, page_index, parsing_res_list:[{block_label,
 * block_content, block_bbox, …}]}]}` with tables as HTML (`<td>` only, spans as rowspan/colspan) in
 * `block_content`. Field names and shapes follow the service's own answers (see
 * `datasets/cn-report-dev/report-scan.ppstructure.json`); values we do not have (layout scores,
 * model settings of PaddleX) are left out rather than invented.
 */
import type { Block, BlockType, OcrDocument, Page } from '../model.ts';
import { tableToHtml } from './html.ts';

/** PP-StructureV3 labels of our block types (the inverse of the engines' label map). */
export const PPSTRUCTURE_LABELS: Record<BlockType, string> = {
  title: 'doc_title',
  heading: 'paragraph_title',
  text: 'text',
  list: 'text',
  caption: 'figure_title',
  header: 'header',
  footer: 'footer',
  footnote: 'footnote',
  code: 'algorithm',
  table: 'table',
  figure: 'image',
  formula: 'formula',
};

/**
 * Labels PP-StructureV3 itself emits. A block that came from such a service (or a model using its
 * label set) keeps its original label when that label means the same block type.
 */
const KNOWN_PP_LABELS: Partial<Record<string, BlockType>> = {
  doc_title: 'title',
  paragraph_title: 'heading',
  text: 'text',
  abstract: 'text',
  content: 'text',
  reference: 'text',
  reference_content: 'text',
  aside_text: 'text',
  formula_number: 'text',
  figure_title: 'caption',
  table_title: 'caption',
  chart_title: 'caption',
  header: 'header',
  footer: 'footer',
  number: 'footer',
  footnote: 'footnote',
  vision_footnote: 'footnote',
  algorithm: 'code',
  table: 'table',
  image: 'figure',
  chart: 'figure',
  seal: 'figure',
  header_image: 'figure',
  footer_image: 'figure',
  formula: 'formula',
};

/** Labels the service leaves out of the reading order (`block_order: null`). */
const UNORDERED = new Set([
  'header',
  'footer',
  'number',
  'header_image',
  'footer_image',
  'footnote',
  'vision_footnote',
  'aside_text',
  'table',
  'image',
  'chart',
  'seal',
]);

export interface PpStructureBlockOut {
  block_label: string;
  block_content: string;
  /** Integer pixels [x0, y0, x1, y1] of the (upright) page image. */
  block_bbox: [number, number, number, number];
  block_id: number;
  block_order: number | null;
  group_id: number;
}

export interface PpStructurePageOut {
  input_path: string | null;
  /** Null for a single image (as the service answers), the 0-based page index for PDF pages. */
  page_index: number | null;
  page_count: number | null;
  width: number;
  height: number;
  parsing_res_list: PpStructureBlockOut[];
}

export interface PpStructureFinal {
  job_id: string;
  status: string;
  total_pages: number;
  done_pages: number;
  error_message: string;
  elapsed_seconds: number;
}

export interface PpStructureResultOut {
  job_id: string;
  final: PpStructureFinal;
  pages: PpStructurePageOut[];
}

export interface PpStructureJobInfo {
  jobId: string;
  /** The job's status as the service names it (`finished`, `failed`, `running`, …). */
  status: string;
  errorMessage?: string | null;
  totalPages: number;
  donePages: number;
  elapsedSeconds: number;
  /** Where the source document lives on the server, when it has a local path. */
  inputPath?: string | null;
}

/** The PP-Structure label of one block. */
export function ppStructureLabel(b: Block): string {
  const own = b.source_label?.trim().toLowerCase();
  // A page number is a header or a footer depending on where it sits (see the engines' label map).
  if (own === 'number' && (b.type === 'header' || b.type === 'footer')) return own;
  if (own && KNOWN_PP_LABELS[own] === b.type) return own;
  return PPSTRUCTURE_LABELS[b.type];
}

/** Table HTML in the service's dialect: one line, no thead/tbody, `<td>` cells only. */
export function ppTableHtml(b: Extract<Block, { type: 'table' }>): string {
  // Cell text is escaped by tableToHtml, so a literal "<th" can only be one of its own tags.
  return tableToHtml(b.table)
    .replace(/<th(?=[ >])/g, '<td')
    .replace(/<\/th>/g, '</td>');
}

const CJK = /[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]/;

/** Lines of a paragraph joined as the service does: a space between Latin words, nothing between CJK characters. */
function joinLines(lines: string[]): string {
  let out = '';
  for (const raw of lines) {
    const l = raw.trim();
    if (!l) continue;
    if (!out) out = l;
    else out += CJK.test(out.slice(-1)) && CJK.test(l.slice(0, 1)) ? l : ' ' + l;
  }
  return out;
}

export function ppBlockContent(b: Block): string {
  switch (b.type) {
    case 'table':
      return ppTableHtml(b);
    case 'formula':
      return b.latex;
    case 'figure':
      return b.caption ?? joinLines(b.lines.map((l) => l.text));
    default:
      return b.lines.length ? joinLines(b.lines.map((l) => l.text)) : b.text;
  }
}

function intBox(b: Block, page: Page): [number, number, number, number] {
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, Math.round(v)));
  const [x0, y0, x1, y1] = b.bbox;
  return [clamp(x0, page.width), clamp(y0, page.height), clamp(x1, page.width), clamp(y1, page.height)];
}

export function pageToPpStructure(page: Page, opts: { multiPage: boolean; pageCount: number; inputPath?: string | null }): PpStructurePageOut {
  let order = 0;
  const parsing_res_list = page.blocks.map((b, i): PpStructureBlockOut => {
    const label = ppStructureLabel(b);
    return {
      block_label: label,
      block_content: ppBlockContent(b),
      block_bbox: intBox(b, page),
      block_id: i,
      block_order: UNORDERED.has(label) ? null : ++order,
      group_id: i,
    };
  });
  return {
    input_path: opts.inputPath ?? null,
    page_index: opts.multiPage ? page.index : null,
    page_count: opts.multiPage ? opts.pageCount : null,
    width: page.width,
    height: page.height,
    parsing_res_list,
  };
}

/**
 * The whole answer. `doc` may hold only some pages (a job still running, or one that failed
 * part-way): `pages` lists those, `final` tells the client where the job stands.
 */
export function documentToPpStructure(doc: OcrDocument, job: PpStructureJobInfo): PpStructureResultOut {
  const multiPage = doc.meta.mime === 'application/pdf' || doc.meta.page_count > 1;
  return {
    job_id: job.jobId,
    final: {
      job_id: job.jobId,
      status: job.status,
      total_pages: job.totalPages,
      done_pages: job.donePages,
      error_message: job.errorMessage ?? '',
      elapsed_seconds: Math.round(job.elapsedSeconds * 100) / 100,
    },
    pages: doc.pages.map((p) => pageToPpStructure(p, { multiPage, pageCount: doc.meta.page_count, inputPath: job.inputPath })),
  };
}
