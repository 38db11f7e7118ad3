/**
 * Layout labels of remote models → the document model's closed set of block types. Covers
 * DeepSeek-OCR grounding labels (`title`, `sub_title`, `text`, `table`, `image`, `equation`, …) and
 * PP-StructureV3 / PaddleOCR-VL labels (`doc_title`, `paragraph_title`, `figure_title`, `formula`,
 * `number`, `aside_text`, `seal`, …). Unknown labels become `text`: the content is still kept, and
 * the block's `source_label` says what the model called it.
 */
import type { BlockType } from '@ocrflow/core';

const LABELS: Record<string, BlockType> = {
  title: 'title',
  doc_title: 'title',
  document_title: 'title',

  sub_title: 'heading',
  subtitle: 'heading',
  paragraph_title: 'heading',
  section_title: 'heading',
  section_header: 'heading',
  heading: 'heading',

  text: 'text',
  plain_text: 'text',
  paragraph: 'text',
  abstract: 'text',
  content: 'text',
  reference: 'text',
  reference_content: 'text',
  aside_text: 'text',
  formula_number: 'text',
  text_block: 'text',

  list: 'list',
  list_item: 'list',

  table: 'table',

  image: 'figure',
  figure: 'figure',
  picture: 'figure',
  chart: 'figure',
  seal: 'figure',
  header_image: 'figure',
  footer_image: 'figure',

  equation: 'formula',
  formula: 'formula',
  isolate_formula: 'formula',
  interline_equation: 'formula',
  display_formula: 'formula',

  caption: 'caption',
  table_caption: 'caption',
  table_title: 'caption',
  image_caption: 'caption',
  figure_caption: 'caption',
  figure_title: 'caption',
  chart_title: 'caption',
  chart_caption: 'caption',

  footnote: 'footnote',
  table_footnote: 'footnote',
  image_footnote: 'footnote',
  vision_footnote: 'footnote',
  page_footnote: 'footnote',

  header: 'header',
  page_header: 'header',
  footer: 'footer',
  page_footer: 'footer',

  code: 'code',
  code_block: 'code',
  algorithm: 'code',
};

/**
 * Block type of a model label. `number` (a page number) is a header or a footer depending on where
 * it sits, so the vertical centre of its box relative to the page height decides (`yCentre` 0..1).
 */
export function blockTypeForLabel(label: string, yCentre?: number): BlockType {
  const key = label
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (key === 'number' || key === 'page_number') return yCentre !== undefined && yCentre < 0.5 ? 'header' : 'footer';
  return LABELS[key] ?? 'text';
}
