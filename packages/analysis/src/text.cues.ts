/**
 * Word cues shared by the field extractors: what a company name, an address, a phone line or a
 * registration line looks like on receipts and invoices (English, Malay, Chinese). These are
 * properties of the document kind, not of any one sample; each list says where it comes from.
 */

/** Legal-form suffixes (company law of MY/SG/UK/US/DE/CN/JP); `5/B` is `S/B` as OCR often reads it after a name. */
export const COMPANY_SUFFIX =
  /(\bSDN\.?\s*B[HN]D\b|\bS\s*\/\s*B\b|(?<=[A-Z]{2}\s)5\s*\/\s*B\b(?=\s*(\(|\d{4,}|$))|\bBHD\b|\bBERHAD\b|\bLTD\b|\bLIMITED\b|\bINC\b|\bCORP(ORATION)?\b|\bCO\.?,?\s*(LTD|INC)?\.?$|\bCOMPANY$|\bLLC\b|\bLLP\b|\bGMBH\b|\bPTE\b|\bPLC\b|\bPTY\b|\bS\.?A\.?R\.?L\b|有限公司|股份|公司|株式会社)/i;

/** Words naming a kind of business (shop signs). */
export const BUSINESS_WORD =
  /\b(ENTERPRISES?|TRADING|TRADERS?|RESTAURANTS?|RESTORAN|CAFE|KAFE|BAKERY|HARDWARE|MART|MARKET|SUPERMARKET|MINIMARKET|STORES?|SHOP|STATIONERY|BOOKS?|PHARMACY|FARMASI|HOTEL|MOTORS?|MACHINERY|ELECTRICAL|GALLERY|DELIGHTS?|KITCHEN|FOOD|PERNIAGAAN|KEDAI|SYARIKAT|INDUSTRIES|SERVICES?|CENTRE|CENTER|AGENCY|HOLDINGS|GROUP|INTERNATIONAL|PETRO|STATION|BOUTIQUE|OUTLET)\b|店|餐厅|餐馆|超市|商行|酒店|药房|书局/i;

/** Registration numbers: `(65351-M)`, `822737-X`, `CO.REG : 933109-X`, `ROC NO.`, `BR NO.`, `002643278-A` after a misread label. */
export const REG_LINE =
  /(\b\d{6,}-[A-Z]\b|CO\.?\s*REG|COMPANY\s*(REG|NO)|REG(ISTRATION)?\.?\s*(NO|NUM)|\bROC\b|\bBR\s*NO|\bSSM\b|BUSINESS\s*REG|^\(?\s*[A-Z]{0,3}\d{4,}[\s-]*[A-Z]?\s*\)?[.,]?$|\(\s*[A-Z]{0,3}\d{4,}\s*-\s*[A-Z]\s*\)$)/i;

/** Tax identifiers. */
export const TAX_ID_LINE = /(\bGST(ID|NO|REG)?\b|\bSST\b|\bVAT\b|\bTAX\s*ID\b|\bTIN\b|\bABN\b|\bNPWP\b|\bUEN\b|税号|纳税人|统一社会信用代码)/i;

/** Phone, fax and other contact lines. */
export const CONTACT_LINE = /(\bTEL\b|\bTEL[.:]|TELEPHONE|\bPHONE|\bFAX\b|\bH\/?P\b|MOBILE|WHATSAPP|E-?MAIL|@|\bWWW\.|HTTPS?:|\.COM\b|电话|传真|手机)/i;

/** A phone number without a label: `07-355 2616`, `03-3279 1851`, `+603-62629219`. */
export const BARE_PHONE = /^\+?\(?\d{2,4}\)?[\s-]+\d{3,4}[\s-]?\d{3,5}[,.]?$/;

/** Document titles and other lines that close the header. */
export const TITLE_LINE =
  /\b(TAX\s*INVOICE|INVOICE|RECEIPT|CASH\s*BILL|BILL|GUEST\s*CHECK|CHECK|CREDIT\s*NOTE|DEBIT\s*NOTE|QUOTATION|DELIVERY\s*ORDER|ORDER|WELCOME|CASHIER|TERMINAL|TABLE|SALES|STATEMENT)\b|发票|收据|收款|小票/i;

/** Lines that introduce an older or parent name before the real one. */
export const PREAMBLE_LINE = /\b(FORMERLY|LICEN[SC]EE|FRANCHISEE|A\s+MEMBER\s+OF|A\s+SUBSIDIARY)\b/i;

/** Street-address words (MY/SG/UK/US/CN). */
export const ADDRESS_WORD =
  /\b(JALAN|JLN|JL|LORONG|LRG|TAMAN|TMN|LOT|NO\.?|BATU|KAMPUNG|KG|PERSIARAN|LEBUH|LEBUHRAYA|BANDAR|KAWASAN|PERINDUSTRIAN|SEKSYEN|SECTION|PUSAT|WISMA|MENARA|BANGUNAN|ROAD|RD|STREET|ST|AVENUE|AVE|BLVD|BOULEVARD|LANE|DRIVE|HIGHWAY|FLOOR|FLR|LEVEL|BLOCK|BLK|UNIT|SUITE|BUILDING|BLDG|PLAZA|MALL|COMPLEX|INDUSTRIAL|ESTATE|PARK|SQUARE|P\.?O\.?\s*BOX)\b|[路街号區区市省县縣镇鎮村]|大道|大厦|大廈|楼|樓|地址/i;

/** Countries: an address line that ends with one ends the address. */
export const COUNTRY_END = /\b(MALAYSIA|SINGAPORE|INDONESIA|THAILAND|BRUNEI|CHINA|USA|UNITED\s*KINGDOM)\s*[.,]?\s*$/i;

/**
 * A labelled number (`Site: 2395`, `Company No: SA0127959-D`, `CARELINE: 1800 88 1231`): a short label,
 * a colon or hash, then a code with digits. Such a row is data, never a name or part of an address.
 */
export const LABELLED_NUMBER = /^\s*[\p{L}][\p{L} .'/]{1,24}\s*[:#]\s*[\p{L}\d -]{0,6}\d[\d -]*[A-Z]?\s*$/u;

/** Regions that end addresses (Malaysian states, Singapore, common country names). */
export const REGION_WORD =
  /\b(JOHOR|SELANGOR|KUALA\s*LUMPUR|PUTRAJAYA|PERAK|PENANG|PULAU\s*PINANG|KEDAH|KELANTAN|TERENGGANU|PAHANG|MELAKA|MALACCA|NEGERI\s*SEMBILAN|SABAH|SARAWAK|PERLIS|LABUAN|DARUL\s*\w+|MALAYSIA|SINGAPORE|INDONESIA|THAILAND|CHINA|USA|UNITED\s*KINGDOM|D\.\s*E\.?|W\.\s*P\.?)\b/i;

/** A postal code standing on its own (4 to 6 digits). */
export const POSTCODE = /(^|[\s,])\d{5,6}([\s,.]|$)|(^|\s)\d{4}\s+[A-Z]{2,}/;

/** Lines that are decoration or scanner noise: no letters worth the name. */
export function isNoise(t: string): boolean {
  const letters = (t.match(/\p{L}/gu) ?? []).length;
  return letters < 2 || /^[\s\W\d_]*$/u.test(t) || /^[*=\-_.~#]{3,}/.test(t.trim());
}

/** How address-like a line is: 0 (not) upwards. */
export function addressScore(t: string): number {
  let s = 0;
  const words = t.match(ADDRESS_WORD_G);
  if (words) s += Math.min(2, words.length) * 1.5;
  if (POSTCODE.test(t)) s += 2;
  if (/^\s*(NO\.?\s*)?\d+[A-Z]?[-\d]*\s*[,.]/i.test(t)) s += 1;
  if (REGION_WORD.test(t)) s += 1;
  if ((t.match(/,/g) ?? []).length >= 1) s += 0.5;
  return s;
}
const ADDRESS_WORD_G = new RegExp(ADDRESS_WORD.source, 'gi');

/**
 * Letters of a line are mostly lower case (printed receipts use capitals or title case; stamps and
 * handwriting do not): most of its words begin with a lower-case letter.
 */
export function mostlyLowerCase(t: string): boolean {
  const lower = (t.match(/\p{Ll}/gu) ?? []).length;
  const words = t.match(/\p{L}[\p{L}'’]*/gu) ?? [];
  const lowerStart = words.filter((w) => /^\p{Ll}/u.test(w)).length;
  return lower >= 4 && lowerStart * 2 > words.length;
}

/** Parentheses left open (`ENTERPRISE (SETIA`): the name continues on the next line. */
export function unbalanced(t: string): number {
  return (t.match(/\(/g) ?? []).length - (t.match(/\)/g) ?? []).length;
}

/**
 * Typographic clean-up of a name or address as OCR returns it: full-width forms folded (NFKC), a
 * middle dot between letters read as the space it was,
 * no space before `,` `.` `)` or after `(`, spaced initials joined (`D . I .Y .` → `D.I.Y.`, `D. E,` → `D.E,`),
 * lone quote marks dropped,
 * and a zero between letters read as the letter O (`L0T`, `J0HOR`, `C0.`).
 */
export function tidyText(t: string): string {
  return (
    t
      .normalize('NFKC')
      // A middle dot between Latin letters is a recognition slip for a space.
      .replace(/(?<=[A-Za-z])[·•](?=[A-Za-z])/g, ' ')
      .replace(/\s+([,.)])/g, '$1')
      // A possessive's `s` is never a word of its own: `NANDO' S` is NANDO'S.
      .replace(/(?<=\p{L})(['’])\s+(S)\b/giu, '$1$2')
      .replace(/\(\s+/g, '(')
      // Stray quote marks standing alone between words are specks, not text.
      .replace(/(^|\s)['`´‘’"]+(?=\s|$)/g, '$1')
      // Spaced initials: `D . I .Y .` → `D.I.Y.`, `SELANGOR D. E,` → `D.E,`.
      .replace(/\b([A-Z])\.\s+(?=[A-Z](?:\.|,|\)|\s*$))/g, '$1.')
      .replace(/(?<=\p{Lu})0(?=\p{Lu}|\.|\b)|(?<=\b)0(?=\p{Lu}{2})/gu, (z, off: number, str: string) => {
        // Only inside words that are otherwise letters: `L0T`, but not `A0123`.
        const word = /[\p{L}\d]*$/u.exec(str.slice(0, off))![0] + z + /^[\p{L}\d]*/u.exec(str.slice(off + 1))![0];
        return (word.match(/\d/g) ?? []).length === 1 ? 'O' : z;
      })
      .replace(/\s+/g, ' ')
      .trim()
  );
}
