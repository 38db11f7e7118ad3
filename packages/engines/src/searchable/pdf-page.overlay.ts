/**
 * The searchable PDF of a PDF upload: the original file with our invisible text layer appended to
 * the pages that had none. The original content is left as it is — saved incrementally when the
 * file allows, so its bytes are kept and only our objects are appended — and wrapped in q/Q so a
 * graphics state it leaves behind cannot move our text. Pages whose own text layer was used (page
 * source `text-layer`) are not touched: their text is already searchable, a second copy would
 * double every word a reader copies or finds.
 */
import type * as Mupdf from 'mupdf';
import { deflateSync } from 'node:zlib';
import {
  GLYPHLESS_FONT_NAME,
  TEXT_LAYER_FONT,
  concatMatrix,
  glyphlessCidToGidMap,
  glyphlessToUnicode,
  glyphlessTtf,
  textLayerOps,
  type OcrDocument,
  type Page,
  type PdfMatrix,
} from '@ocrflow/core';

let mupdfModule: Promise<typeof Mupdf> | null = null;
const loadMupdf = (): Promise<typeof Mupdf> => (mupdfModule ??= import('mupdf'));

function addFont(pdf: Mupdf.PDFDocument): Mupdf.PDFObject {
  const flate = (b: Buffer) => deflateSync(b);
  const ttf = glyphlessTtf();
  const file = pdf.addRawStream(flate(ttf), { Length1: ttf.length, Filter: 'FlateDecode' });
  const map = pdf.addRawStream(flate(glyphlessCidToGidMap()), { Filter: 'FlateDecode' });
  const toUni = pdf.addRawStream(flate(Buffer.from(glyphlessToUnicode(), 'latin1')), { Filter: 'FlateDecode' });
  const desc = pdf.addObject({
    Type: 'FontDescriptor',
    FontName: GLYPHLESS_FONT_NAME,
    Flags: 5,
    FontBBox: [0, 0, 500, 1000],
    ItalicAngle: 0,
    Ascent: 1000,
    Descent: 0,
    CapHeight: 1000,
    StemV: 80,
    FontFile2: file,
  });
  const cid = pdf.addObject({
    Type: 'Font',
    Subtype: 'CIDFontType2',
    BaseFont: GLYPHLESS_FONT_NAME,
    CIDSystemInfo: { Registry: '(Adobe)', Ordering: '(Identity)', Supplement: 0 },
    FontDescriptor: desc,
    CIDToGIDMap: map,
    DW: 500,
  });
  return pdf.addObject({ Type: 'Font', Subtype: 'Type0', BaseFont: GLYPHLESS_FONT_NAME, Encoding: 'Identity-H', DescendantFonts: [cid], ToUnicode: toUni });
}

/** Inverse of the clockwise rotation the engine applied to a rendered page of w × h pixels. */
function unrotate(rot: Page['rotation'], w: number, h: number): PdfMatrix {
  switch (rot) {
    case 90:
      return [0, -1, 1, 0, 0, h];
    case 180:
      return [-1, 0, 0, -1, w, h];
    case 270:
      return [0, 1, -1, 0, w, 0];
    default:
      return [1, 0, 0, 1, 0, 0];
  }
}

export async function overlayPdf(doc: OcrDocument, source: Uint8Array): Promise<Buffer> {
  const mupdf = await loadMupdf();
  const pdf = mupdf.Document.openDocument(source, 'application/pdf').asPDF();
  if (!pdf) throw new Error('not a PDF');
  try {
    let font: Mupdf.PDFObject | null = null;
    for (const page of doc.pages) {
      if (page.source === 'text-layer' || page.index >= pdf.countPages()) continue;
      const pg = pdf.loadPage(page.index) as Mupdf.PDFPage;
      try {
        const b = pg.getBounds();
        // The page was rendered (then maybe rotated upright) to the document's pixel frame.
        const turned = page.rotation === 90 || page.rotation === 270;
        const w = turned ? page.height : page.width,
          h = turned ? page.width : page.height;
        const toPageSpace: PdfMatrix = [(b[2] - b[0]) / w, 0, 0, (b[3] - b[1]) / h, b[0], b[1]];
        const toUser = concatMatrix(concatMatrix(unrotate(page.rotation, w, h), toPageSpace), mupdf.Matrix.invert(pg.getTransform()) as PdfMatrix);
        const ops = textLayerOps(page, toUser);
        if (!ops) continue;
        font ??= addFont(pdf);
        const obj = pg.getObject();
        const before = pdf.addRawStream(deflateSync(Buffer.from('q\n', 'latin1')), { Filter: 'FlateDecode' });
        const after = pdf.addRawStream(deflateSync(Buffer.from(`Q\n${ops}`, 'latin1')), { Filter: 'FlateDecode' });
        const old = obj.get('Contents');
        const contents = pdf.newArray();
        contents.push(before);
        if (old.isArray()) for (let i = 0; i < old.length; i++) contents.push(old.get(i));
        else if (!old.isNull()) contents.push(old);
        contents.push(after);
        obj.put('Contents', contents);
        // Resources may be inherited from the page tree: the page gets its own copy with our font.
        const inherited = obj.getInheritable('Resources');
        const res = inherited.isNull() ? pdf.newDictionary() : inherited.resolve().isDictionary() ? copyDict(pdf, inherited.resolve()) : pdf.newDictionary();
        const fonts = res.get('Font').isNull() ? pdf.newDictionary() : copyDict(pdf, res.get('Font').resolve());
        fonts.put(TEXT_LAYER_FONT, font);
        res.put('Font', fonts);
        obj.put('Resources', res);
      } finally {
        pg.destroy();
      }
    }
    const incremental = pdf.canBeSavedIncrementally();
    return Buffer.from(pdf.saveToBuffer(incremental ? 'incremental' : 'compress').asUint8Array());
  } finally {
    pdf.destroy();
  }
}

function copyDict(pdf: Mupdf.PDFDocument, d: Mupdf.PDFObject): Mupdf.PDFObject {
  const out = pdf.newDictionary();
  d.forEach((v, k) => out.put(k, v));
  return out;
}
