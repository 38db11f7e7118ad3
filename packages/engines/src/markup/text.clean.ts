/** Small text clean-ups for VLM and PP-Structure answers (Markdown with bits of HTML in it). */

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ensp: ' ',
  emsp: ' ',
  thinsp: ' ',
  shy: '',
  middot: '·',
  times: '×',
  divide: '÷',
  deg: '°',
  plusmn: '±',
  le: '≤',
  ge: '≥',
  ne: '≠',
  minus: '−',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  laquo: '«',
  raquo: '»',
  bull: '•',
  euro: '€',
  copy: '©',
  reg: '®',
};

/**
 * Decode HTML character references in running text. Models escape `<`, `>` and `&` in Markdown
 * paragraphs (DeepSeek writes `(a &gt; 0)`); tables go through the HTML parser instead. Unknown
 * named references are left as written rather than guessed.
 */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z][a-z0-9]{1,31});/gi, (m, ref: string) => {
    if (ref[0] === '#') {
      const cp = ref[1] === 'x' || ref[1] === 'X' ? Number.parseInt(ref.slice(2), 16) : Number.parseInt(ref.slice(1), 10);
      return Number.isFinite(cp) && cp > 0 && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) ? String.fromCodePoint(cp) : m;
    }
    return NAMED_ENTITIES[ref] ?? NAMED_ENTITIES[ref.toLowerCase()] ?? m;
  });
}

/**
 * Remove the model's control tokens from an answer: DeepSeek's `<｜end▁of▁sentence｜>` (full-width
 * bars, visible when the server keeps special tokens, which grounding needs) and `<|…|>` tokens other
 * than the grounding tags `<|ref|>`, `<|/ref|>`, `<|det|>`, `<|/det|>` that the parser reads.
 */
export function stripControlTokens(s: string): string {
  return s.replace(/<｜[^｜\n]{1,40}｜>/g, '').replace(/<\|(?!\/?(?:ref|det)\|>)[a-z_/▁]{1,40}\|>/gi, '');
}

/**
 * Chat models like to wrap the whole answer in a code fence (```markdown … ```) even when told
 * not to; unwrap it so the content parses as Markdown. Fences inside the answer are kept.
 */
export function unwrapAnswerFence(s: string): string {
  const m = /^\s*```[a-z]*[ \t]*\n([\s\S]*?)\n```\s*$/i.exec(s);
  return m ? m[1] : s;
}

/** Inline Markdown/HTML that carries no text of its own, removed from running text. */
export function cleanInlineText(s: string): string {
  return decodeEntities(
    s
      .replace(/<br\s*\/?>/gi, '\n')
      .replace(/<\/?(?:b|i|u|strong|em|sup|sub|span|div|p|center|font|mark|s|del|ins|small|big)(?:\s[^<>]*)?>/gi, '')
      .replace(/<img\b[^<>]*>/gi, '')
      .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
      // **bold** and __bold__; single * or _ are left alone (they occur in formulas and identifiers).
      .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '$1')
      .replace(/__(?=\S)([\s\S]*?\S)__/g, '$1'),
  );
}

/** Text lines of a block: trailing spaces removed, blank lines dropped. */
export function textLines(s: string): string[] {
  return s
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+$/g, '').replace(/^[ \t\u00a0]+/, ''))
    .filter((l) => l.length > 0);
}
