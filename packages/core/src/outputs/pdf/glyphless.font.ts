/**
 * The glyph-less TrueType font of the invisible text layer: two empty glyphs, 572 bytes. Every
 * character code maps to the same empty glyph (CIDToGIDMap), and the ToUnicode CMap maps each code
 * back to its Unicode value, so any script (Chinese as well as English) can be searched and copied
 * without a font file that knows its shapes. Text in render mode 3 is never drawn, so the shapes
 * would not matter anyway.
 *
 * The bytes are `pdf.ttf` of Tesseract (Apache License 2.0, https://github.com/tesseract-ocr/tesseract,
 * `tessdata/pdf.ttf`), whose PDF renderer uses the same scheme.
 */

const TTF_BASE64 =
  'AAEAAAAKAIAAAwAgT1MvMlbeyJQAAAEoAAAAYGNtYXAACgA0AAABkAAAAB5nbHlmFSJBJAAAAbgAAAAYaGVhZAt48WUAAACsAAAANmhoZWEMAgQCAAAA5AAAACRobXR4BAAAAAAAAYgAAAAIbG9jYQAMAAAAAAGwAAAABm1heHAABAAFAAABCAAAACBuYW1l8usW2gAAAdAAAABLcG9zdAABAAEAAAIcAAAAIAABAAAAAQAAsJRxEF8PPPUEBwgAAAAAAM+a/G4AAAAA1MOn8gAAAAAEAAgAAAAAEAACAAAAAAAAAAEAAAgA//8AAAQAAAAAAAQAAAEAAAAAAAAAAAAAAAAAAAACAAEAAAACAAQAAQAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAwAAAZAABQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAUAAQABAAAAAAAAAAAAAAAAAAAAAAAAAAAAR09PRwBAAAAAAAAB//8AAAABAAGAAAAAAAAAAAAAAAAAAAABAAAAAAAABAAAAAAAAAIAAQAAAAAAFAADAAAAAAAUAAYACgAAAAAAAAAAAAAAAAAMAAAAAQAAAAAEAAgAAAMAADEhESEEAPwACAAAAAADACoAAAADAAAABQAWAAAAAQAAAAAABQALABYAAwABBAkABQAWAAAAVgBlAHIAcwBpAG8AbgAgADEALgAwVmVyc2lvbiAxLjAAAAEAAAAAAAAAAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAA=';

export const GLYPHLESS_FONT_NAME = 'GlyphLessFont';

/** Advance width of every glyph, in 1/1000 text-space units. */
export const GLYPHLESS_ADVANCE = 500;

export function glyphlessTtf(): Buffer {
  return Buffer.from(TTF_BASE64, 'base64');
}

/** CIDToGIDMap: 65536 big-endian 16-bit glyph ids, every code to glyph 1 (the empty one). */
export function glyphlessCidToGidMap(): Buffer {
  const b = Buffer.alloc(65536 * 2);
  for (let i = 0; i < 65536; i++) b[i * 2 + 1] = 1;
  return b;
}

/**
 * ToUnicode CMap: two-byte codes are UTF-16 code units (Identity-H), mapped to themselves. Ranges
 * are split per high byte because a bfrange may only vary its last byte; at most 100 entries per
 * block, as the CMap format requires.
 */
export function glyphlessToUnicode(): string {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, '0');
  const ranges: string[] = [];
  for (let hi = 0; hi < 256; hi++) ranges.push(`<${hex(hi)}00> <${hex(hi)}FF> <${hex(hi)}00>`);
  const blocks: string[] = [];
  for (let i = 0; i < ranges.length; i += 100) {
    const part = ranges.slice(i, i + 100);
    blocks.push(`${part.length} beginbfrange\n${part.join('\n')}\nendbfrange`);
  }
  return [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
    ...blocks,
    'endcmap',
    'CMapName currentdict /CMap defineresource pop',
    'end',
    'end',
    '',
  ].join('\n');
}
