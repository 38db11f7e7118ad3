/**
 * Fitted calibration of the built-in analyser's field confidences (see confidence.calibrate.ts).
 * Written by `npm run bench -- analysis --fit`; do not edit by hand.
 */
import type { Calibration } from './confidence.calibrate.ts';

export const CALIBRATION: Calibration = { company: [], date: [], address: [], total: [] };
