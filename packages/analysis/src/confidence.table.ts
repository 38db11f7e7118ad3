/**
 * Fitted calibration of the built-in analyser's field confidences (see confidence.calibrate.ts).
 * Written by `npm run bench -- analysis --fit`; do not edit by hand. Fitted on: sroie-dev, 163 development receipts (the final holdout excluded).
 */
import type { Calibration } from './confidence.calibrate.ts';

export const CALIBRATION: Calibration = {
  company: [
    { score: 1.2129, p: 0.1 },
    { score: 3.1206, p: 0.5938 },
    { score: 5.4681, p: 0.65 },
    { score: 6.1585, p: 0.7105 },
    { score: 7.3003, p: 0.925 },
    { score: 9.6998, p: 0.9483 },
    { score: 10.8327, p: 0.9839 },
  ],
  date: [
    { score: 0.2007, p: 0.951 },
    { score: 0.8001, p: 0.99 },
  ],
  address: [
    { score: 0.5494, p: 0.125 },
    { score: 2.2382, p: 0.1667 },
    { score: 2.5361, p: 0.2361 },
    { score: 3.0856, p: 0.2833 },
    { score: 3.3295, p: 0.3452 },
    { score: 3.7149, p: 0.5 },
    { score: 3.727, p: 0.6613 },
    { score: 4.3297, p: 0.7 },
  ],
  total: [
    { score: 0.169, p: 0.375 },
    { score: 1.8905, p: 0.8333 },
    { score: 3.9208, p: 0.9083 },
    { score: 8.0544, p: 0.9074 },
    { score: 9.1843, p: 0.9194 },
    { score: 12.2001, p: 0.9861 },
  ],
};
