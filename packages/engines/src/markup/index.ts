/** Parsers shared by the remote engines: Markdown + HTML tables + LaTeX → document model blocks. */
export { parseHtmlTable, parseHtmlTables, containsHtmlTable } from './html-table.parser.ts';
export { parseMarkdownTable, isMarkdownTable } from './markdown-table.parser.ts';
export { splitMarkdown, type MarkupSegment } from './markdown.segments.ts';
export { hasGrounding, parseGrounded, groundedToSegments, type GroundedBlock } from './grounding.parser.ts';
export { buildBlocks, layoutLines, stripMathDelimiters, type BuildOptions, type BuiltBlocks } from './blocks.build.ts';
export { blockTypeForLabel } from './labels.map.ts';
export { decodeEntities, stripControlTokens, unwrapAnswerFence, cleanInlineText } from './text.clean.ts';
export { markupToBlocks } from './markup.page.ts';
