/**
 * Markdown of a document. Tables without spans become pipe tables; tables with spans become HTML
 * inside the Markdown (pipe tables cannot express merged cells, and flattening them loses meaning).
 */
import type { Block, OcrDocument, Page, Table } from '../model.ts';
import { tableHasSpans, tableToRows } from './table-grid.ts';
import { tableToHtml } from './html.ts';
import { displayedTable } from '../tables-join.ts';

function escapePipe(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s*\n\s*/g, '<br>');
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
  switch (b.type) {
    case 'table':
      return (b.table.caption ? `${b.table.caption}\n\n` : '') + tableToMarkdown(b.table);
    case 'title':
      return `# ${b.text.replace(/\s*\n\s*/g, ' ')}`;
    case 'heading':
      return `${'#'.repeat(Math.min(6, Math.max(2, b.level ?? 2)))} ${b.text.replace(/\s*\n\s*/g, ' ')}`;
    case 'formula':
      return `$$\n${b.latex}\n$$`;
    case 'figure':
      return b.caption ? `*${b.caption}*` : '';
    case 'code':
      return '```\n' + b.text + '\n```';
    case 'list':
      return b.lines.map((l) => (/^\s*([-*•]|\d+[.)])\s/.test(l.text) ? l.text : `- ${l.text}`)).join('\n');
    default:
      // Lines of one paragraph are joined with a space for Latin text, with nothing for CJK.
      return b.lines.length ? joinParagraph(b.lines.map((l) => l.text)) : b.text;
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
