/** Input geometry of the PP-OCRv4 recogniser. */
export const REC_HEIGHT = 48;
/** The model downsamples the width by 8: one output frame per 8 input columns. */
export const REC_STRIDE = 8;
