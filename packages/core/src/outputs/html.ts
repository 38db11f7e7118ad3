/** HTML of tables and documents. Cell text is escaped; spans become rowspan/colspan. */
import type { Block, OcrDocument, Table } from '../model.ts';
import { cellsInOrder } from './table-grid.ts';
import { displayedTable } from '../tables-join.ts';

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch] as string);
}

/** One `<table>` on one line, the shape of PubTabNet / PP-Structure HTML (no thead/tbody). */
export function tableToHtml(t: Table): string {
  const rows: string[][] = Array.from({ length: t.n_rows }, () => []);
  for (const c of cellsInOrder(t)) {
    const tag = c.header ? 'th' : 'td';
    const attrs = (c.row_span > 1 ? ` rowspan="${c.row_span}"` : '') + (c.col_span > 1 ? ` colspan="${c.col_span}"` : '');
    rows[c.row]?.push(`<${tag}${attrs}>${escapeHtml(c.text).replace(/\n/g, '<br>')}</${tag}>`);
  }
  return `<table>${rows.map((r) => `<tr>${r.join('')}</tr>`).join('')}</table>`;
}

export function blockToHtml(b: Block): string {
  switch (b.type) {
    case 'table':
      return (b.table.caption ? `<p class="caption">${escapeHtml(b.table.caption)}</p>` : '') + tableToHtml(b.table);
    case 'title':
      return `<h1>${escapeHtml(b.text)}</h1>`;
    case 'heading':
      return `<h${Math.min(6, Math.max(2, b.level ?? 2))}>${escapeHtml(b.text)}</h${Math.min(6, Math.max(2, b.level ?? 2))}>`;
    case 'formula':
      return `<div class="formula">${escapeHtml(b.latex)}</div>`;
    case 'figure':
      return `<figure>${b.caption ? `<figcaption>${escapeHtml(b.caption)}</figcaption>` : ''}</figure>`;
    case 'code':
      return `<pre>${escapeHtml(b.text)}</pre>`;
    default:
      return `<p>${escapeHtml(b.text).replace(/\n/g, '<br>')}</p>`;
  }
}

export function documentToHtml(doc: OcrDocument): string {
  // A table joined across pages is shown once, whole, where it starts.
  const shown = (b: Block): string => {
    if (b.type !== 'table') return blockToHtml(b);
    const t = displayedTable(doc, b);
    return t ? blockToHtml({ ...b, table: t }) : '';
  };
  const body = doc.pages
    .map((p) => `<section class="page" data-page="${p.index + 1}">\n${p.blocks.map(shown).filter(Boolean).join('\n')}\n</section>`)
    .join('\n');
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(doc.meta.filename ?? 'ocrflow result')}</title></head>\n<body>\n${body}\n</body></html>\n`;
}
