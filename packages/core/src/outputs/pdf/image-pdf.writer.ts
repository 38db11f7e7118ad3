/**
 * A searchable PDF made of page images: each page draws its image (a JPEG passed through as
 * DCTDecode, other images as Flate-compressed samples) and the invisible text layer on top. The
 * objects are written here directly — a PDF of images and one font is a few dozen lines of syntax,
 * and doing it ourselves keeps a JPEG's bytes untouched, which PDF libraries tend not to promise.
 */
import { deflateSync } from 'node:zlib';
import type { OcrDocument } from '../../model.ts';
import { GLYPHLESS_FONT_NAME, glyphlessCidToGidMap, glyphlessToUnicode, glyphlessTtf } from './glyphless.font.ts';
import { TEXT_LAYER_FONT, concatMatrix, textLayerOps, type PdfMatrix } from './text-layer.ts';

export interface PdfPageImage {
  /** `DCTDecode`: the JPEG file as it is; `FlateDecode`: 8-bit samples, row by row, deflated here. */
  filter: 'DCTDecode' | 'FlateDecode';
  data: Buffer;
  /** Pixel size of the stored image (before any rotation). */
  width: number;
  height: number;
  colorSpace: 'DeviceRGB' | 'DeviceGray' | 'DeviceCMYK';
  /** Clockwise rotation that makes the stored image upright (the page as the document model sees it). */
  rotation: 0 | 90 | 180 | 270;
  /** Resolution in dots per inch: sets the page size in points. */
  dpi: number;
  /** Adobe CMYK JPEGs store inverted samples. */
  invertCmyk?: boolean;
}

/** The `cm` that draws the unit-square image upright on a page of pw × ph points. */
export function imagePlacement(rotation: PdfPageImage['rotation'], pw: number, ph: number): PdfMatrix {
  switch (rotation) {
    case 90:
      return [0, -ph, pw, 0, 0, ph];
    case 180:
      return [-pw, 0, 0, -ph, pw, ph];
    case 270:
      return [0, ph, -pw, 0, pw, 0];
    default:
      return [pw, 0, 0, ph, 0, 0];
  }
}

class PdfObjects {
  private readonly chunks: Buffer[] = [];
  private readonly offsets: number[] = [];
  private length = 0;

  constructor() {
    // The binary comment tells transfer tools the file is binary (PDF 32000-1, 7.5.2).
    this.push(Buffer.from('%PDF-1.5\n%\xE2\xE3\xCF\xD3\n', 'latin1'));
  }

  private push(b: Buffer): void {
    this.chunks.push(b);
    this.length += b.length;
  }

  /** Reserve an object number (objects may refer forward). */
  reserve(): number {
    this.offsets.push(-1);
    return this.offsets.length;
  }

  dict(n: number, body: string): void {
    this.offsets[n - 1] = this.length;
    this.push(Buffer.from(`${n} 0 obj\n${body}\nendobj\n`, 'latin1'));
  }

  stream(n: number, dict: string, data: Buffer): void {
    this.offsets[n - 1] = this.length;
    this.push(Buffer.from(`${n} 0 obj\n<< ${dict} /Length ${data.length} >>\nstream\n`, 'latin1'));
    this.push(data);
    this.push(Buffer.from('\nendstream\nendobj\n', 'latin1'));
  }

  finish(root: number): Buffer {
    const xref = this.length;
    const rows = this.offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('');
    this.push(
      Buffer.from(
        `xref\n0 ${this.offsets.length + 1}\n0000000000 65535 f \n${rows}trailer\n<< /Size ${this.offsets.length + 1} /Root ${root} 0 R >>\nstartxref\n${xref}\n%%EOF\n`,
        'latin1',
      ),
    );
    return Buffer.concat(this.chunks);
  }
}

/** The glyph-less Type0 font objects; returns the number of the font dictionary. */
export function writeGlyphlessFont(w: { reserve(): number; dict(n: number, body: string): void; stream(n: number, dict: string, data: Buffer): void }): number {
  const [type0, cid, map, toUni, desc, file] = [w.reserve(), w.reserve(), w.reserve(), w.reserve(), w.reserve(), w.reserve()];
  const ttf = glyphlessTtf();
  w.dict(
    type0,
    `<< /Type /Font /Subtype /Type0 /BaseFont /${GLYPHLESS_FONT_NAME} /Encoding /Identity-H /DescendantFonts [${cid} 0 R] /ToUnicode ${toUni} 0 R >>`,
  );
  w.dict(
    cid,
    `<< /Type /Font /Subtype /CIDFontType2 /BaseFont /${GLYPHLESS_FONT_NAME} /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor ${desc} 0 R /CIDToGIDMap ${map} 0 R /DW 500 >>`,
  );
  w.stream(map, '/Filter /FlateDecode', deflateSync(glyphlessCidToGidMap()));
  w.stream(toUni, '/Filter /FlateDecode', deflateSync(Buffer.from(glyphlessToUnicode(), 'latin1')));
  w.dict(
    desc,
    `<< /Type /FontDescriptor /FontName /${GLYPHLESS_FONT_NAME} /Flags 5 /FontBBox [0 0 500 1000] /ItalicAngle 0 /Ascent 1000 /Descent 0 /CapHeight 1000 /StemV 80 /FontFile2 ${file} 0 R >>`,
  );
  w.stream(file, `/Length1 ${ttf.length} /Filter /FlateDecode`, deflateSync(ttf));
  return type0;
}

/**
 * The searchable PDF of a document whose pages are images: `images[i]` is page i's image as it
 * was uploaded. Page sizes come from the image resolution; the text layer is mapped from the
 * document's pixel coordinates (which may be of a resized image) onto the page.
 */
export function imagesToSearchablePdf(doc: OcrDocument, images: readonly PdfPageImage[]): Buffer {
  if (images.length !== doc.pages.length) throw new Error(`${doc.pages.length} pages but ${images.length} images`);
  const w = new PdfObjects();
  const catalog = w.reserve();
  const pagesObj = w.reserve();
  const font = writeGlyphlessFont(w);
  const kids: number[] = [];
  doc.pages.forEach((page, i) => {
    const img = images[i];
    const upW = img.rotation === 90 || img.rotation === 270 ? img.height : img.width;
    const upH = img.rotation === 90 || img.rotation === 270 ? img.width : img.height;
    const pw = (upW * 72) / img.dpi,
      ph = (upH * 72) / img.dpi;
    const pageObj = w.reserve(),
      contents = w.reserve(),
      xobj = w.reserve();
    const bpc = 8;
    const decode = img.colorSpace === 'DeviceCMYK' && img.invertCmyk ? ' /Decode [1 0 1 0 1 0 1 0]' : '';
    const data = img.filter === 'FlateDecode' ? deflateSync(img.data) : img.data;
    w.stream(
      xobj,
      `/Type /XObject /Subtype /Image /Width ${img.width} /Height ${img.height} /ColorSpace /${img.colorSpace} /BitsPerComponent ${bpc} /Filter /${img.filter}${decode}`,
      data,
    );
    const toUser = concatMatrix([pw / page.width, 0, 0, -ph / page.height, 0, 0], [1, 0, 0, 1, 0, ph]);
    const cm = imagePlacement(img.rotation, pw, ph)
      .map((v) => Math.round(v * 10000) / 10000)
      .join(' ');
    const ops = `q\n${cm} cm\n/Im0 Do\nQ\n${textLayerOps(page, toUser)}`;
    w.stream(contents, '/Filter /FlateDecode', deflateSync(Buffer.from(ops, 'latin1')));
    w.dict(
      pageObj,
      `<< /Type /Page /Parent ${pagesObj} 0 R /MediaBox [0 0 ${round2(pw)} ${round2(ph)}] /Resources << /XObject << /Im0 ${xobj} 0 R >> /Font << /${TEXT_LAYER_FONT} ${font} 0 R >> >> /Contents ${contents} 0 R >>`,
    );
    kids.push(pageObj);
  });
  w.dict(pagesObj, `<< /Type /Pages /Kids [${kids.map((k) => `${k} 0 R`).join(' ')}] /Count ${kids.length} >>`);
  w.dict(catalog, `<< /Type /Catalog /Pages ${pagesObj} 0 R >>`);
  return w.finish(catalog);
}

const round2 = (v: number) => Math.round(v * 100) / 100;
