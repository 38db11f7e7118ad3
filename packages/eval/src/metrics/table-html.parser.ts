/**
 * A small, tolerant reader of table HTML as found in PubTabNet ground truth and PP-Structure output:
 * `<table>` → `<tr>` → `<td|th colspan rowspan>` with inline markup inside cells. It is written for
 * the metric, not for general HTML: `thead`/`tbody`/`tfoot` wrappers are dropped (TEDS here compares
 * table → tr → td trees, see teds.metric.ts), inline tags (`b`, `i`, `sup`, …) are removed from cell
 * text, `<br>` becomes a space, entities are decoded. A `<` that does not start a tag (`< 100 CFU/L`
 * in PubTabNet) stays text. Missing end tags are tolerated the way browsers do for tables.
 */

export interface HtmlCell {
  colspan: number;
  rowspan: number;
  /** Cell text with markup removed and white space collapsed. */
  text: string;
}

export interface HtmlTable {
  rows: HtmlCell[][];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (m, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : m;
    }
    return ENTITIES[name.toLowerCase()] ?? m;
  });
}

function spanAttr(attrs: string, name: string): number {
  const m = new RegExp(`\\b${name}\\s*=\\s*["']?\\s*(\\d+)`, 'i').exec(attrs);
  const n = m ? parseInt(m[1], 10) : 1;
  return Number.isFinite(n) && n >= 1 ? Math.min(n, 1000) : 1;
}

/** Tag names start with a letter right after `<` or `</`; anything else is text. */
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|<!--[\s\S]*?-->/g;

/** All top-level tables of an HTML string, in document order. */
export function parseHtmlTables(html: string): HtmlTable[] {
  const tables: HtmlTable[] = [];
  let table: HtmlTable | null = null;
  let row: HtmlCell[] | null = null;
  let cell: HtmlCell | null = null;
  let text = '';
  let depth = 0; // nested tables are flattened into the text of their cell

  const closeCell = () => {
    if (cell && row) {
      cell.text = text.replace(/\s+/g, ' ').trim();
      row.push(cell);
    }
    cell = null;
    text = '';
  };
  const closeRow = () => {
    closeCell();
    if (row && table) table.rows.push(row);
    row = null;
  };

  let last = 0;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m; m = TAG.exec(html)) {
    if (cell) text += decodeEntities(html.slice(last, m.index));
    last = TAG.lastIndex;
    if (!m[2]) continue; // a comment
    const closing = m[1] === '/';
    const name = m[2].toLowerCase();
    if (name === 'table') {
      if (!closing) {
        if (table) { depth++; continue; }
        table = { rows: [] };
      } else if (depth > 0) {
        depth--;
      } else if (table) {
        closeRow();
        tables.push(table);
        table = null;
      }
      continue;
    }
    if (!table || depth > 0) {
      if (cell && (name === 'br' || name === 'p' || name === 'div')) text += ' ';
      continue;
    }
    if (name === 'tr') {
      if (!closing) { closeRow(); row = []; }
      else closeRow();
    } else if (name === 'td' || name === 'th') {
      if (!closing) {
        closeCell();
        if (!row) row = [];
        cell = { colspan: spanAttr(m[3], 'colspan'), rowspan: spanAttr(m[3], 'rowspan'), text: '' };
      } else closeCell();
    } else if (cell && (name === 'br' || name === 'p' || name === 'div' || name === 'li')) {
      text += ' ';
    }
    // thead/tbody/tfoot/caption/colgroup and inline markup carry no structure for the metric
  }
  if (table) { closeRow(); tables.push(table); }
  return tables;
}
