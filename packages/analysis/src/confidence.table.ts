/**
 * Fitted calibration of the built-in analyser's field confidences (see confidence.calibrate.ts).
 * Written by `npm run bench -- analysis --fit`; do not edit by hand. Fitted on: sroie-dev, 163 development receipts (the final holdout excluded).
 */
import type { Calibration } from './confidence.calibrate.ts';

export const CALIBRATION: Calibration = {
  company: [
    { score: 2.1026, p: 0.3 },
    { score: 3.1206, p: 0.5588 },
    { score: 5.6714, p: 0.6875 },
    { score: 6.1585, p: 0.75 },
    { score: 7.3003, p: 0.925 },
    { score: 9.6998, p: 0.95 },
    { score: 10.8327, p: 0.9844 },
  ],
  date: [
    { score: 0.2007, p: 0.951 },
    { score: 0.8001, p: 0.99 },
  ],
  address: [
    { score: 0.5494, p: 0.125 },
    { score: 2.2382, p: 0.1667 },
    { score: 2.5361, p: 0.2143 },
    { score: 3.0856, p: 0.3 },
    { score: 3.1159, p: 0.2885 },
    { score: 3.3295, p: 0.3605 },
    { score: 3.7149, p: 0.5 },
    { score: 3.727, p: 0.6622 },
    { score: 4.5808, p: 0.7222 },
  ],
  total: [
    { score: 0.169, p: 0.5 },
    { score: 1.8905, p: 0.9309 },
    { score: 9.1843, p: 0.9559 },
    { score: 12.2001, p: 0.9861 },
  ],
};
