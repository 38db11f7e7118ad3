/** One model answer (grounded or plain Markdown) → blocks and lines of a page. */
import { buildBlocks, type BuildOptions, type BuiltBlocks } from './blocks.build.ts';
import { groundedToSegments, hasGrounding } from './grounding.parser.ts';
import { splitMarkdown } from './markdown.segments.ts';
import { stripControlTokens, unwrapAnswerFence } from './text.clean.ts';

export interface MarkupPage extends BuiltBlocks {
  /** True when the answer carried DeepSeek grounding tags (boxes from the model). */
  grounded: boolean;
}

/**
 * Parse a VLM answer for a page of `width`×`height` pixels. Grounded answers (DeepSeek
 * `<|ref|>…<|det|>…`) give boxed blocks; anything else is read as Markdown with HTML tables and
 * LaTeX, and its blocks are stacked (see `blocks.build.ts`).
 */
export function markupToBlocks(answer: string, opts: BuildOptions & { coordScale?: number }): MarkupPage {
  const text = unwrapAnswerFence(stripControlTokens(answer)).replace(/\r\n?/g, '\n');
  const grounded = hasGrounding(text);
  const segments = grounded ? groundedToSegments(text, opts, opts.coordScale ?? 999) : splitMarkdown(text);
  return { ...buildBlocks(segments, opts), grounded };
}
