/**
 * Fitted calibration of the built-in analyser's field confidences (see confidence.calibrate.ts).
 * Written by `npm run bench -- analysis --fit`; do not edit by hand. Fitted on: sroie-dev, 160 development receipts (the final holdout excluded).
 */
import type { Calibration } from './confidence.calibrate.ts';

export const CALIBRATION: Calibration = {
  company: [
    { score: 1.2129, p: 0.1667 },
    { score: 2.1168, p: 0.6707 },
    { score: 7.3003, p: 0.8125 },
    { score: 7.589, p: 0.8796 },
    { score: 9.6998, p: 0.875 },
    { score: 10.1135, p: 0.9896 },
  ],
  date: [
    { score: 0.2819, p: 0.9531 },
    { score: 0.7538, p: 0.99 },
  ],
  address: [
    { score: 0.5494, p: 0.125 },
    { score: 2.2382, p: 0.1875 },
    { score: 2.5185, p: 0.2097 },
    { score: 3.0331, p: 0.2576 },
    { score: 3.3338, p: 0.3462 },
    { score: 3.6561, p: 0.5 },
    { score: 3.7161, p: 0.6852 },
    { score: 4.3297, p: 0.7 },
    { score: 5.2933, p: 0.7 },
  ],
  total: [
    { score: 0.2007, p: 0.1667 },
    { score: 1.92, p: 0.8333 },
    { score: 3.9208, p: 0.9239 },
    { score: 7.6459, p: 0.9318 },
    { score: 8.722, p: 0.9659 },
    { score: 12.2001, p: 0.9872 },
  ],
};
