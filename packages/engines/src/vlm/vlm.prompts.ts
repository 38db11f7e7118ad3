/**
 * Prompts of the vlm engine per mode. DeepSeek-OCR was trained on two fixed prompts (its model
 * card): `<|grounding|>Convert the document to markdown.` gives blocks with labels and boxes,
 * `Free OCR.` gives plain text. The `<image>` placeholder is written out as the model card does;
 * vLLM's chat front-end only inserts a placeholder for an image part when the text lacks one, so
 * it is not doubled. Other VLMs get an instruction for Markdown with HTML tables (spans survive
 * HTML, not pipe tables). A job's `prompt` replaces the prompt as given.
 */
import type { OcrMode } from '../types.ts';

export type PromptStyle = 'deepseek' | 'generic';

export const DEEPSEEK_PROMPTS: Record<OcrMode, string> = {
  layout: '<image>\n<|grounding|>Convert the document to markdown.',
  text: '<image>\nFree OCR.',
};

export const GENERIC_PROMPTS: Record<OcrMode, string> = {
  layout:
    'Convert this document page to Markdown. Keep the reading order. Write headings with #, ' +
    'every table as an HTML <table> (use rowspan and colspan for merged cells, one <tr> per row, ' +
    'no empty rows or columns you cannot see), formulas as LaTeX ($$…$$ for display, \\(…\\) inline). ' +
    'Copy the text exactly as printed, do not translate, summarise or add commentary, and do not ' +
    'wrap the answer in a code block.',
  text:
    'Transcribe all text of this document page in reading order, one printed line per line. ' +
    'Copy it exactly, do not translate, summarise or add commentary, and do not wrap the answer in a code block.',
};

/** `auto`: DeepSeek-OCR models are recognised by name (deepseek-ai/DeepSeek-OCR, …-OCR-2, forks). */
export function resolvePromptStyle(setting: 'auto' | PromptStyle, model: string): PromptStyle {
  if (setting !== 'auto') return setting;
  return /deepseek/i.test(model) ? 'deepseek' : 'generic';
}

export function promptFor(style: PromptStyle, mode: OcrMode, override?: string): string {
  if (override && override.trim()) return override;
  return (style === 'deepseek' ? DEEPSEEK_PROMPTS : GENERIC_PROMPTS)[mode];
}
