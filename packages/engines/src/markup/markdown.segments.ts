/**
 * Splits Markdown (with HTML tables and LaTeX in it, the way VLMs write pages) into segments: one
 * per paragraph, heading, list, table, display formula, code block or image. The segments carry no
 * geometry; `blocks.build.ts` gives them boxes.
 */
import type { BBox } from '@ocrflow/core';
import { isMarkdownTable, isPipeRow } from './markdown-table.parser.ts';

/** A piece of a page's markup, before it becomes a block of the document model. */
export interface MarkupSegment {
  /** The model's layout label (grounded output, PP-Structure) or one derived from the Markdown. */
  label: string;
  /** True when `label` is the model's own (it is kept as the block's `source_label`). */
  modelLabel: boolean;
  /** Boxes in page pixels; empty when the model gave none. */
  boxes: BBox[];
  /** Raw content: Markdown, HTML, LaTeX. */
  content: string;
}

const LIST_ITEM = /^\s*([-*+•]|\d{1,3}[.)])\s+\S/;
const HEADING = /^\s{0,3}(#{1,6})\s+\S/;
const IMAGE_ONLY = /^\s*!\[[^\]]*\]\([^)]*\)\s*$/;

/** The delimiters of a display formula starting this (trimmed) line, or null. */
function displayMathOpener(t: string): { open: string; close: string } | null {
  if (t.startsWith('$$')) return { open: '$$', close: '$$' };
  if (t.startsWith('\\[')) return { open: '\\[', close: '\\]' };
  if (/^\\begin\{(equation|align|gather|multline|eqnarray)\*?\}/.test(t)) {
    const env = /^\\begin\{([a-z]+\*?)\}/.exec(t)![1];
    return { open: `\\begin{${env}}`, close: `\\end{${env}}` };
  }
  return null;
}

export function splitMarkdown(text: string): MarkupSegment[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: MarkupSegment[] = [];
  let para: string[] = [];
  let paraLabel: 'text' | 'list' = 'text';
  const push = (label: string, content: string) => {
    if (content.trim()) out.push({ label, modelLabel: false, boxes: [], content });
  };
  const flush = () => {
    if (para.length) push(paraLabel, para.join('\n'));
    para = [];
    paraLabel = 'text';
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    const t = line.trim();
    if (!t) {
      flush();
      continue;
    }
    if (t.startsWith('```')) {
      flush();
      const body: string[] = [];
      let j = i + 1;
      while (j < lines.length && !lines[j].trim().startsWith('```')) body.push(lines[j++]);
      push('code', body.join('\n'));
      i = j;
      continue;
    }
    if (/<table[\s>]/i.test(t)) {
      flush();
      const body: string[] = [line];
      let j = i;
      while (!/<\/table\s*>/i.test(lines[j]) && j + 1 < lines.length) body.push(lines[++j]);
      push('table', body.join('\n'));
      i = j;
      continue;
    }
    const math = displayMathOpener(t);
    if (math) {
      flush();
      const body: string[] = [line];
      let j = i;
      const closedOnFirst = t.length > math.open.length && t.slice(math.open.length).includes(math.close);
      // An unclosed formula (a truncated answer) runs to the end of the text.
      while (!closedOnFirst && j + 1 < lines.length) {
        body.push(lines[++j]);
        if (lines[j].includes(math.close)) break;
      }
      push('formula', body.join('\n'));
      i = j;
      continue;
    }
    const h = HEADING.exec(line);
    if (h) {
      flush();
      push(h[1].length === 1 ? 'title' : 'heading', t);
      continue;
    }
    if (isPipeRow(t) && isMarkdownTable([t, lines[i + 1] ?? ''])) {
      flush();
      const body: string[] = [];
      let j = i;
      while (j < lines.length && lines[j].trim() && isPipeRow(lines[j].trim())) body.push(lines[j++].trim());
      push('table', body.join('\n'));
      i = j - 1;
      continue;
    }
    if (IMAGE_ONLY.test(t)) {
      flush();
      push('figure', t);
      continue;
    }
    if (LIST_ITEM.test(line)) {
      if (paraLabel !== 'list') flush();
      paraLabel = 'list';
      para.push(line);
      continue;
    }
    // An indented line continues a list item; anything else ends the list.
    if (paraLabel === 'list' && !/^\s{2,}\S/.test(line)) flush();
    para.push(line);
  }
  flush();
  return out;
}
