/**
 * Markdown of a document. Tables without spans become pipe tables; tables with spans become HTML
 * inside the Markdown (pipe tables cannot express merged cells, and flattening them loses meaning).
 *
 * Document text is data, not markup: Markdown renderers pass raw HTML through, so `<`, `>` and `&`
 * in recognised text are written as entities (a `<script>` on a scanned page must not run in
 * whatever shows result.md), exactly as the HTML output escapes them. Code blocks stay verbatim
 * inside a fence longer than any backtick run in them, so they cannot be closed early.
 */
import type { Block, OcrDocument, Page, Table } from '../model.ts';
import { tableHasSpans, tableToRows } from './table-grid.ts';
import { tableToHtml } from './html.ts';
import { displayedTable } from '../tables-join.ts';

/** Text as Markdown source that renders as the same text, never as HTML. */
export function escapeMarkdownHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * LaTeX keeps `&` (column separator) and `a < b` as they are, so math renderers get the source
 * they expect; only a `<` that could open a tag (`<script`, `</x`, `<!--`) becomes `&lt;`.
 */
function escapeTagsOnly(s: string): string {
  return s.replace(/<(?=[A-Za-z/!?])/g, '&lt;');
}

function escapePipe(s: string): string {
  return escapeMarkdownHtml(s)
    .replace(/\\/g, '\\\\')
    .replace(/\|/g, '\\|')
    .replace(/\s*\n\s*/g, '<br>');
}

function fence(text: string): string {
  const longest = (text.match(/`+/g) ?? []).reduce((m, r) => Math.max(m, r.length), 0);
  const f = '`'.repeat(Math.max(3, longest + 1));
  return `${f}\n${text}\n${f}`;
}

export function tableToMarkdown(t: Table): string {
  if (t.n_rows === 0 || t.n_cols === 0) return '';
  if (tableHasSpans(t)) return tableToHtml(t);
  const rows = tableToRows(t).map((r) => r.map(escapePipe));
  const head = rows[0];
  const lines = [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`];
  for (const r of rows.slice(1)) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

export function blockToMarkdown(b: Block): string {
  const esc = escapeMarkdownHtml;
  switch (b.type) {
    case 'table':
      return (b.table.caption ? `${esc(b.table.caption)}\n\n` : '') + tableToMarkdown(b.table);
    case 'title':
      return `# ${esc(b.text.replace(/\s*\n\s*/g, ' '))}`;
    case 'heading':
      return `${'#'.repeat(Math.min(6, Math.max(2, b.level ?? 2)))} ${esc(b.text.replace(/\s*\n\s*/g, ' '))}`;
    case 'formula':
      return `$$\n${escapeTagsOnly(b.latex)}\n$$`;
    case 'figure':
      return b.caption ? `*${esc(b.caption)}*` : '';
    case 'code':
      return fence(b.text);
    case 'list':
      return b.lines.map((l) => (/^\s*([-*•]|\d+[.)])\s/.test(l.text) ? esc(l.text) : `- ${esc(l.text)}`)).join('\n');
    default:
      // Lines of one paragraph are joined with a space for Latin text, with nothing for CJK.
      return esc(b.lines.length ? joinParagraph(b.lines.map((l) => l.text)) : b.text);
  }
}

const CJK = /[\u3000-\u9fff\uac00-\ud7af\uff00-\uffef]/;
function joinParagraph(lines: string[]): string {
  let out = '';
  for (const l of lines) {
    if (!out) out = l;
    else out += CJK.test(out.slice(-1)) && CJK.test(l.slice(0, 1)) ? l : ' ' + l;
  }
  return out;
}

export function pageToMarkdown(p: Page, doc?: OcrDocument): string {
  return p.blocks
    .map((b) => {
      if (b.type !== 'table' || !doc) return blockToMarkdown(b);
      // A table joined across pages is shown once, whole, where it starts.
      const t = displayedTable(doc, b);
      return t ? blockToMarkdown({ ...b, table: t }) : '';
    })
    .filter((s) => s.length > 0)
    .join('\n\n');
}

export function documentToMarkdown(doc: OcrDocument): string {
  return doc.pages.map((p) => pageToMarkdown(p, doc)).join('\n\n---\n\n') + '\n';
}
