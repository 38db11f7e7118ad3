/**
 * `format=pdf`: the searchable PDF of a document — every page as it was uploaded with the
 * recognised words as an invisible text layer. Needs the upload as well as the document model,
 * which is why it lives here and not among the pure outputs of core (it decodes images and opens
 * PDFs); the PDF syntax itself is core's (`outputs/pdf/`).
 */
import { imagesToSearchablePdf, OcrflowError, type OcrDocument } from '@ocrflow/core';
import { sniffMime } from '../pipeline/document.sniff.ts';
import { preparePageImage } from './page-image.prepare.ts';
import { overlayPdf } from './pdf-page.overlay.ts';

export async function renderSearchablePdf(doc: OcrDocument, source: Uint8Array): Promise<Buffer> {
  const mime = sniffMime(source);
  if (mime === 'application/pdf') return overlayPdf(doc, source);
  if (!mime) throw new OcrflowError('OCRFLOW_ERR_UNSUPPORTED_MEDIA', 'The source of this document is not an image or a PDF');
  // A partial result read before the page finished: nothing to place the text on yet.
  if (doc.pages.length === 0) throw new OcrflowError('OCRFLOW_ERR_RESULT_NOT_READY', 'The page has not been read yet; the searchable PDF is ready once it has');
  if (doc.pages.length !== 1) throw new OcrflowError('OCRFLOW_ERR_VALIDATION', `An image has one page; the document has ${doc.pages.length}`);
  return imagesToSearchablePdf(doc, [await preparePageImage(source, doc.pages[0])]);
}
