/**
 * The PP-OCR text-direction classifier (ch_ppocr_mobile_v2.0_cls): for each line crop, the
 * probability that it is upside down. Input 3×48×192, same normalisation as the recogniser.
 */
import type { InferSession } from '../infer.session.ts';
import type { RecCrop } from '../recognise/rec.model.ts';
import { recTensor, REC_HEIGHT } from '../recognise/rec.model.ts';

const CLS_WIDTH = 192;

/** Returns P(rotated 180°) per crop. Crops are already 48 px high; wider ones are squeezed. */
export async function classifyCrops(session: InferSession, crops: readonly RecCrop[], batchSize = 16): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < crops.length; i += batchSize) {
    const batch = crops.slice(i, i + batchSize).map(squeeze);
    const res = await session.run(recTensor(batch, CLS_WIDTH), [batch.length, 3, REC_HEIGHT, CLS_WIDTH]);
    for (let j = 0; j < batch.length; j++) out.push(res.data[j * 2 + 1]);
  }
  return out;
}

/** Nearest-neighbour horizontal squeeze to at most 192 columns (direction survives any resampling). */
function squeeze(c: RecCrop): RecCrop {
  if (c.width <= CLS_WIDTH) return c;
  const data = Buffer.allocUnsafe(CLS_WIDTH * REC_HEIGHT * 3);
  for (let y = 0; y < REC_HEIGHT; y++) {
    for (let x = 0; x < CLS_WIDTH; x++) {
      const sx = Math.min(c.width - 1, Math.floor(((x + 0.5) * c.width) / CLS_WIDTH));
      const s = (y * c.width + sx) * 3,
        d = (y * CLS_WIDTH + x) * 3;
      data[d] = c.data[s];
      data[d + 1] = c.data[s + 1];
      data[d + 2] = c.data[s + 2];
    }
  }
  return { data, width: CLS_WIDTH, height: REC_HEIGHT };
}
