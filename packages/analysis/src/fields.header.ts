/**
 * Company name and address from the header of a receipt or invoice, by layout:
 *
 * - the header is the top of the first page; the seller's name is among its first lines, usually
 *   printed larger, often with a legal-form suffix (SDN BHD, LTD, 有限公司) or a trade word;
 * - the address follows the name (after an optional registration-number line) and runs until a
 *   phone, tax-id, e-mail or title line, a wide vertical gap or a change of font size;
 * - a name may wrap (`HOME MASTER HARDWARE &` / `ELECTRICAL`, `ENTERPRISE (SETIA` / `ALAM) SDN BHD`):
 *   rows of the same height whose text is unfinished are joined.
 *
 * Lines above the name that are isolated by a wide gap, lower-case or digits only (stamps, a
 * handwritten name, a till number) lose to the line that sits right above the address.
 */
import { unionBBox } from '@ocrflow/core';
import type { TextField } from './analysis.schema.ts';
import { median, type VisualRow } from './layout.lines.ts';
import {
  BARE_PHONE,
  BUSINESS_WORD,
  COMPANY_SUFFIX,
  CONTACT_LINE,
  COUNTRY_END,
  LABELLED_NUMBER,
  PREAMBLE_LINE,
  REG_LINE,
  TAX_ID_LINE,
  TITLE_LINE,
  addressScore,
  isNoise,
  mostlyLowerCase,
  tidyText,
  unbalanced,
} from './text.cues.ts';
import { findDates } from './normalize.date.ts';
import { editDistance } from './fields.labels.ts';
import { repairAddressWords } from './address.words.ts';
import { repairCompanyWords } from './company.words.ts';

interface RowInfo {
  row: VisualRow;
  i: number;
  noise: boolean;
  reg: boolean;
  stop: boolean;
  title: boolean;
  addr: number;
}

const HEADER_MAX_ROWS = 18;
const TITLE_WORDS = ['INVOICE', 'RECEIPT', 'CASHIER', 'TERMINAL'];

/** A title word OCR misread by one letter (`INUOICE`, `RECEIPI`). */
function fuzzyTitle(t: string): boolean {
  return t
    .toUpperCase()
    .split(/[^A-Z]+/)
    .some((w) => w.length >= 6 && TITLE_WORDS.some((v) => editDistance(w, v, 1) <= 1));
}
/** `DOCUMENT NO : TD01167104`, `INVOICE # : OR18…`: the header ends where the document's own data begins. */
const DOC_NUMBER_LINE = /\b(DOC(UMENT)?|INVOICE|INV|RECEIPT|RCPT|BILL|ORDER|SLIP|TRANS(ACTION)?|CHECK|SERIAL)\s*(NO|NUMBER|#)\b/i;

function describeRow(row: VisualRow, i: number): RowInfo {
  const t = row.text;
  const noise = isNoise(t);
  // A registration number glued after a name (`AEON CO. (M) BHD (126926-H)`) leaves the name.
  const reg = !noise && (REG_LINE.test(t) || TAX_ID_LINE.test(t)) && (!COMPANY_SUFFIX.test(t) || (cleanCompany(t).match(/\p{L}/gu) ?? []).length < 4);
  const contact = CONTACT_LINE.test(t) || BARE_PHONE.test(t.trim()) || DOC_NUMBER_LINE.test(t) || LABELLED_NUMBER.test(t);
  // A time of day, not the `5:55` of an OCR'd `NO.53 55,57`.
  const dated = findDates(t).length > 0 || /(?<![\d.:])\d{1,2}:\d{2}(?::\d{2})?(?![\d,.])/.test(t);
  // Titles, also when OCR garbled the word: a short line framed by dashes or stars (`-INVOTCE-`, `* GUEST CHECK *`).
  const title =
    ((TITLE_LINE.test(t) || fuzzyTitle(t)) && t.split(/\s+/).length <= 5 && !COMPANY_SUFFIX.test(t)) ||
    /^\s*[-*=~#]+\s*[\p{L}\s]{3,30}\s*[-*=~#]+\s*$/u.test(t);
  // Address words are recognised after their OCR slips are repaired (`Ja ian` → Jalan).
  return { row, i, noise, reg, stop: contact || dated || title || reg, title, addr: addressScore(repairAddressWords(t)) };
}

/** Letters of a name outside its legal form and trade words. */
function distinctiveLetters(t: string): number {
  const rest = t
    .replace(new RegExp(COMPANY_SUFFIX.source, 'gi'), ' ')
    .replace(new RegExp(BUSINESS_WORD.source, 'gi'), ' ')
    // `CO. (M)`: company, of Malaysia — part of the legal form.
    .replace(/\bCO\b\.?|\(M\)/gi, ' ');
  return (rest.match(/\p{L}/gu) ?? []).length;
}

/** Remove a registration number or tax id glued to a name: `99 SPEED MART S/B (519537-X)`. */
export function cleanCompany(t: string): string {
  return (
    cutAfterLegalForm(t.normalize('NFKC'))
      .replace(/\s*\(\s*(CO\W*)?(REG|ROC|GST|SST|COMPANY|CO\W*NO)[^)]*\)?\s*$/i, '')
      .replace(/\s*\(\s*[A-Z]{0,3}\d{4,}[\s\-·.]*[A-Z]?\s*\)\s*$/i, '')
      // The same number when OCR lost a parenthesis: `99 SPEED MART S/B 519537-X)`.
      .replace(/\s*\(?\s*\d{5,}-[A-Z]\s*\)?\s*$/i, '')
      // `5/B` after a name is the `S/B` (Sendirian Berhad) OCR misread.
      .replace(/(?<=[A-Z]{2}\s)5\s*\/\s*B\b/gi, 'S/B')
      .replace(/\s*\b(CO\.?\s*REG|COMPANY\s*(NO|REG)|(BR|REG|ROC)\s*NO|ROC|GST|SST)\b.*$/i, '')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

/**
 * Initials in a name are printed alike (`D.I.Y.`): when OCR kept the dots of some and lost the
 * others (`D.I Y`), the run of three or more single capitals is written with all of them. A run
 * without any dot (`Q U`) is left alone.
 */
export function completeInitials(t: string): string {
  return t.replace(/(?<![\p{L}\d.])[A-Z](?:(?:\.\s?|\s)[A-Z](?![\p{L}\d]))+\.?(?![\p{L}\d])/gu, (run) => {
    const letters = run.match(/[A-Z]/g) ?? [];
    return letters.length >= 3 && run.includes('.') ? letters.join('.') + '.' : run;
  });
}

/**
 * A name ends with its legal form: when OCR merged the next printed line into the name's line
 * (`LIGHTROOM GALLERY SDN BHD No: 28, JALAN ASTANA 1C,`), the address part is cut off.
 */
function cutAfterLegalForm(t: string): string {
  const re = new RegExp(COMPANY_SUFFIX.source, 'gi');
  let m: RegExpExecArray | null;
  while ((m = re.exec(t))) {
    const end = m.index + m[0].length;
    const rest = t.slice(end).replace(/^[.)\s]*/, '');
    // A registration number after the legal form closes the name, whatever OCR joined after it
    // (`… SDN BHD (417940-M), A-G-06, DATARAN …`).
    const regThenMore = /^\(?\s*[A-Z]{0,3}\d{4,}[\s\-·.]*[A-Z]?\s*\)?\s*[,;]?\s*\S/i.test(rest);
    if (rest && (addressScore(rest) >= 1.5 || regThenMore)) return t.slice(0, end + (t.slice(end).match(/^\.?/)?.[0].length ?? 0));
    if (m[0].length === 0) re.lastIndex++;
  }
  return t;
}

/**
 * What follows a name's legal form and registration number on the same row when it is the start of
 * the address (`URBAN IDEA SDN BHD (417940-M), A-G-06, DATARAN GLOMAC,`): OCR read two printed
 * lines as one, or the shop printed its unit on the name's line. Empty when nothing such follows.
 */
export function addressAfterName(t: string): string {
  const re = new RegExp(COMPANY_SUFFIX.source, 'gi');
  const m = re.exec(t);
  if (!m) return '';
  const rest = t
    .slice(m.index + m[0].length)
    .replace(/^\s*\.?\s*/, '')
    .replace(/^\(?\s*[A-Z]{0,3}\d{4,}[\s\-·.]*[A-Z]?\s*\)?\s*[,;]?\s*/i, '')
    .trim();
  if (!rest || (rest.match(/\p{L}/gu) ?? []).length < 3) return '';
  if (CONTACT_LINE.test(rest) || TAX_ID_LINE.test(rest) || REG_LINE.test(rest) || findDates(rest).length) return '';
  // An address part: a unit or lot number, or address words.
  return /^(NO\.?\s*)?(?=[-A-Z\d/]*\d)[-A-Z\d/]+\s*[,.]/i.test(rest) || addressScore(rest) >= 1.5 ? rest : '';
}

function field(rows: VisualRow[], value: string, confidence: number): TextField {
  const text = rows.map((r) => r.text).join('\n');
  return {
    value,
    text,
    page: rows[0].page,
    bbox: unionBBox(rows.map((r) => r.bbox)),
    confidence: Math.round(Math.max(0, Math.min(1, confidence)) * 100) / 100,
  };
}

/** An owner's label (`OWNED BY`, `OPERATED BY`, `DIMILIKI OLEH`) and the legal name after it on its row or the next. */
const OWNER_LABEL = /^\s*(OWNED|OPERATED|MANAGED)\s+BY\b|^\s*DIMILIKI(\s+OLEH)?\b/i;
function ownerRows(rows: readonly VisualRow[]): { rows: VisualRow[]; name: string } | null {
  for (let k = 0; k < rows.length; k++) {
    const m = OWNER_LABEL.exec(rows[k].text);
    if (!m) continue;
    const rest = rows[k].text.slice(m[0].length).replace(/^[\s:]+/, '');
    if (COMPANY_SUFFIX.test(rest)) return { rows: [rows[k]], name: rest };
    const next = rows[k + 1];
    if (!rest && next && COMPANY_SUFFIX.test(next.text) && next.bbox[1] - rows[k].bbox[3] < 1.5 * Math.max(rows[k].height, next.height))
      return { rows: [next], name: next.text };
  }
  return null;
}

export interface HeaderFields {
  company?: TextField;
  address?: TextField;
}

/** The row where the address starts: the first clearly address-like row of the header. */
function findAddressStart(info: RowInfo[], from: number): number {
  for (let k = from; k < info.length; k++) {
    const r = info[k];
    if (r.noise || r.reg || r.title) continue;
    if (r.stop) continue;
    if (r.addr >= 1.5 && !COMPANY_SUFFIX.test(r.row.text)) return k;
  }
  return -1;
}

/**
 * A row's lines split where a wide horizontal gap separates them: an invoice prints its issuer at
 * the left and `INVOICE` at the right of one row; they are different texts.
 */
function segments(rows: readonly VisualRow[]): VisualRow[] {
  const out: VisualRow[] = [];
  for (const r of rows) {
    let cur: VisualRow['lines'] = [];
    const flush = () => {
      if (!cur.length) return;
      out.push({ ...r, lines: cur, bbox: unionBBox(cur.map((l) => l.bbox)), text: cur.map((l) => l.text).join(' '), height: median(cur.map((l) => l.height)) });
      cur = [];
    };
    for (const l of r.lines) {
      const prev = cur[cur.length - 1];
      if (prev && l.bbox[0] - prev.bbox[2] > 2 * Math.max(r.height, 1)) flush();
      cur.push(l);
    }
    flush();
  }
  return out;
}

export function extractHeader(allRows: readonly VisualRow[], pageHeight: number): HeaderFields {
  const rows = segments(allRows.filter((r) => r.page === allRows[0]?.page));
  const first = rows;
  if (!first.length) return {};
  const limit = Math.max(8, first.filter((r) => r.bbox[3] < pageHeight * 0.45).length);
  const header = first.slice(0, Math.min(HEADER_MAX_ROWS, limit));
  const info = header.map(describeRow);
  const medH = median(info.filter((r) => !r.noise).map((r) => r.row.height)) || 1;

  const addrStart = findAddressStart(info, 0);
  // The row right above the address, skipping registration/tax lines and noise.
  let aboveAddr = -1;
  if (addrStart > 0) {
    for (let k = addrStart - 1; k >= 0; k--) {
      const r = info[k];
      if (r.noise || r.reg || PREAMBLE_LINE.test(r.row.text)) continue;
      aboveAddr = k;
      break;
    }
  }

  let best = -1;
  let bestScore = -Infinity;
  let seen = 0;
  for (const r of info) {
    if (addrStart >= 0 && r.i > addrStart + 1 && best >= 0) break;
    if (r.noise || r.reg || r.stop || PREAMBLE_LINE.test(r.row.text)) continue;
    const t = r.row.text;
    let s = 0;
    if (COMPANY_SUFFIX.test(t)) s += 6;
    if (BUSINESS_WORD.test(t)) s += 2;
    if (r.i === aboveAddr) s += 2.5;
    // The name after `FORMERLY KNOWN AS` / `LICENSEE OF` is the old or parent name.
    if (r.i > 0 && PREAMBLE_LINE.test(info[r.i - 1].row.text) && !/\bOF\s+\S/i.test(info[r.i - 1].row.text.replace(/.*\b(LICEN[SC]EE|FRANCHISEE)\b/i, '')))
      s -= 3;
    s += Math.max(-1, Math.min(2, 2 * (r.row.height / medH - 1)));
    s -= 0.4 * seen;
    if (r.addr >= 2 && !COMPANY_SUFFIX.test(t)) s -= 3;
    if (mostlyLowerCase(t)) s -= 2;
    const next = header[r.i + 1];
    if (next && next.bbox[1] - r.row.bbox[3] > 3 * r.row.height && !COMPANY_SUFFIX.test(t)) s -= 1.5;
    if ((t.match(/\p{L}/gu) ?? []).length < 3) s -= 2;
    seen++;
    if (s > bestScore) {
      bestScore = s;
      best = r.i;
    }
  }

  const out: HeaderFields = {};
  let companyLast = -1;
  // The start of the address when OCR read it into the name's row.
  let carried = '';
  if (best >= 0) {
    const picked = [info[best].row];
    const similar = (a: VisualRow, b: VisualRow) => a.height / b.height > 0.75 && a.height / b.height < 1.33;
    const close = (upper: VisualRow, lower: VisualRow) => lower.bbox[1] - upper.bbox[3] < 1.2 * Math.max(upper.height, lower.height);
    // Rows of one name share their print: a lower-case stamp or handwriting above is not part of it.
    const pickedLower = mostlyLowerCase(info[best].row.text);
    const joinable = (r: RowInfo | undefined) =>
      !!r && !r.noise && !r.stop && !(r.addr >= 2 && !COMPANY_SUFFIX.test(r.row.text)) && mostlyLowerCase(r.row.text) === pickedLower;
    // Upwards: a name wrapped over rows of the same (large) print whose last row we picked.
    for (let k = best - 1; k >= 0; k--) {
      const up = info[k];
      const cur = picked[0];
      const openAbove = /[&,\-(]$|\bAND$/i.test(up.row.text.trim()) || unbalanced(up.row.text) > 0;
      const large = cur.height > 1.15 * medH && up.row.height > 1.15 * medH;
      // A parenthesis opened above and closed here (`ENTERPRISE (SETIA` / `ALAM) SDN BHD`) joins the
      // rows whatever their measured heights (OCR may have merged two rows above into one tall line).
      const paired = unbalanced(up.row.text) > 0 && unbalanced(picked.map((r) => r.text).join(' ')) < 0;
      const gapOk = up.row.bbox[3] > cur.bbox[1] - 1.2 * Math.max(cur.height, 1);
      // A name is a distinctive part before its trade words and legal form: a row holding only
      // those (`SDN BHD`, `RESTAURANT SDN BHD`) ends a name printed above it.
      const incomplete = distinctiveLetters(picked.map((r) => r.text).join(' ')) < 3;
      if (
        (paired || (incomplete && up.row.height / cur.height > 0.6 && up.row.height / cur.height < 1.67 && close(up.row, cur))) &&
        joinable(up) &&
        gapOk &&
        !COMPANY_SUFFIX.test(up.row.text)
      ) {
        picked.unshift(up.row);
        continue;
      }
      if (!joinable(up) || !similar(up.row, cur) || !close(up.row, cur) || !(openAbove || large) || COMPANY_SUFFIX.test(up.row.text)) break;
      picked.unshift(up.row);
    }
    // Downwards: while the name is unfinished (open parenthesis, trailing `&`) or continues in the same large print.
    for (let k = best + 1; k < info.length && picked.length < 4; k++) {
      const down = info[k];
      const cur = picked[picked.length - 1];
      const text = picked.map((r) => r.text).join(' ');
      // Unfinished above, or the row below opens with a joining word (`TEO HENG STATIONERY` / `& BOOKS`).
      const open = /[&,\-(]$|\bAND$/i.test(text.trim()) || unbalanced(text) > 0 || /^\s*(&|AND\b)/i.test(down.row.text);
      const large = cur.height > 1.15 * medH && down.row.height > 1.15 * medH && !COMPANY_SUFFIX.test(text);
      if (!joinable(down) || !similar(down.row, cur) || !close(cur, down.row) || !(open || large)) break;
      picked.push(down.row);
    }
    companyLast = best + picked.length - 1 - picked.indexOf(info[best].row);
    const joined = picked.map((r) => r.text).join(' ');
    const value = repairCompanyWords(completeInitials(tidyText(cleanCompany(joined))));
    carried = addressAfterName(joined.normalize('NFKC'));
    if (value) out.company = field(picked, value, Math.min(0.95, 0.35 + 0.08 * bestScore));
  }
  // A shop sign without a legal form in the header, and the legal owner named elsewhere (`Owned by` /
  // `Dommal Food Services Sdn Bhd` in the footer): the issuer is the owner.
  if (!out.company || !COMPANY_SUFFIX.test(out.company.value)) {
    const owner = ownerRows(rows.slice(Math.max(companyLast, 0) + 1));
    if (owner) out.company = field(owner.rows, repairCompanyWords(completeInitials(tidyText(cleanCompany(owner.name)))), 0.6);
  }

  // Address: from the first address-like row after the name, until a stop row or a gap.
  const start = findAddressStart(info, companyLast + 1);
  if (start >= 0 && start - Math.max(companyLast, 0) <= 5) {
    const picked = [info[start].row];
    for (let k = start + 1; k < info.length && picked.length < 6; k++) {
      const r = info[k];
      const prev = picked[picked.length - 1];
      if (r.noise || r.stop) {
        // A tax id or phone glued after the address on the same row ends it; keep the part before.
        break;
      }
      const gap = r.row.bbox[1] - prev.bbox[3];
      if (gap > 1.8 * Math.max(prev.height, r.row.height)) break;
      if (r.row.height / prev.height > 1.6 || r.row.height / prev.height < 0.6) break;
      // A continuation needs no address words of its own (`SEKSYEN U13`, `(MR DIY TESCO TERBAU)`), but a
      // long line without any is prose or an item.
      const words = r.row.text.split(/\s+/).length;
      if (r.addr <= 0.5 && words > 8) break;
      if (COMPANY_SUFFIX.test(r.row.text) && r.addr < 2) break;
      // The country is the last part of an address: what follows is a mall, a branch or a slogan.
      if (COUNTRY_END.test(prev.text)) break;
      picked.push(r.row);
    }
    const texts = picked.map((r) => r.text.replace(/\s*(\b(TEL|FAX|PHONE|GST(ID|NO|REG)?|EMAIL)\b|\b[TF]\s*:\s*[\d(+]).*$/i, ''));
    if (carried && start === companyLast + 1) texts.unshift(carried);
    const value = repairAddressWords(tidyText(texts.join(' ')));
    const strength = picked.reduce((a, r) => a + addressScore(r.text), 0);
    if (value) out.address = field(picked, value, Math.min(0.95, 0.3 + 0.1 * strength));
  }
  return out;
}
