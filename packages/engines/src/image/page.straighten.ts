/**
 * Straighten a photographed page before anything reads it: find the sheet, map its corners onto an
 * upright rectangle (a homography), undo a gentle bend seen on its rim, and even out the light.
 * Scans and photos whose sheet fills the frame pass through untouched; a photo whose sheet cannot
 * be found is read as it is, with a flag saying so (never an error: a skewed page still reads).
 */
import type { PageStraightening, Point } from '@ocrflow/core';
import type { RasterImage } from '../types.ts';
import { applyHomography, composeHomography, invertHomography, solveHomography, type Homography } from './homography.ts';
import { findSheetOutline } from './page.outline.ts';
import { bendSize, bendUnit, fitPageBend, type PageBend } from './page.dewarp.ts';
import { warpImage, type PixelMap } from './perspective.warp.ts';
import { flattenLight } from './light.flatten.ts';
import { findTableFrame } from './table.frame.ts';

export const STRAIGHTEN_FLAGS = {
  /** The page is a straightened cut of the photo (`page.straightened` says how). */
  straightened: 'straightened',
  /** A photo with a visible background whose sheet could not be found: read as it was. */
  notStraightened: 'page_not_straightened',
} as const;

/** Below this outline confidence the photo is read as it is. */
const MIN_CONFIDENCE = 0.3;
/** Share of the frame outside the sheet above which an unfound sheet is worth a warning. */
const MIN_BACKGROUND = 0.2;
/** A page squared to a table frame may hold at most this many times the photo's pixels. */
const MAX_FRAME_GROWTH = 1.5;
/** Corners closer than this (share of the frame diagonal) to an upright rectangle need no warp. */
const UPRIGHT_TOLERANCE = 0.01;
/**
 * A sheet photographed small is cut out larger than the photo shows it, up to this longer side: the
 * print of a form shot at 800 px is a few pixels high, below what the text detector separates and
 * the table stage resolves, and sampling the photo for a larger page loses nothing.
 */
const MIN_PAGE_SIDE = 1600;
/** ... but at most this many times the photo's own resolution (more invents no detail). */
const MAX_ENLARGE = 2;
/**
 * A smaller enlargement is not made: resampling by a few percent blurs print that is already
 * legible (on photos of tables printed at ≥ 11 px, pages enlarged 1.02–1.15× read worse).
 */
const MIN_ENLARGE = 1.25;

export interface StraightenResult {
  image: RasterImage;
  straightened?: PageStraightening;
  flags: string[];
}

const UNIT: Point[] = [
  [0, 0],
  [1, 0],
  [1, 1],
  [0, 1],
];

function dist(a: Point, b: Point): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1]);
}

/** True when the quad is already an axis-aligned rectangle (nothing to correct but a crop). */
function isUpright(q: readonly Point[], w: number, h: number): boolean {
  const tol = UPRIGHT_TOLERANCE * Math.hypot(w, h);
  return Math.abs(q[0][1] - q[1][1]) < tol && Math.abs(q[3][1] - q[2][1]) < tol && Math.abs(q[0][0] - q[3][0]) < tol && Math.abs(q[1][0] - q[2][0]) < tol;
}

export async function straightenPage(img: RasterImage): Promise<StraightenResult> {
  const outline = await findSheetOutline(img);
  // A scan, or a photo taken so close that the sheet fills the frame: nothing to cut out.
  // A scan or a close-up: read as it is. (Squaring a close-up to its table frame was tried: the
  // photo's own border, now inside the page, drew rules the table stage took for the grid's.)
  if (outline.reject === 'fills_frame') return { image: img, flags: [] };
  if (outline.reject || outline.confidence < MIN_CONFIDENCE) {
    const frame = await findTableFrame(img);
    if (frame && !isUpright(frame.quad, img.width, img.height)) return straightenOnFrame(img, frame.quad);
    // Warn only when a desk clearly shows: a scan with a dark strip along one side is no photo.
    return { image: img, flags: outline.background >= MIN_BACKGROUND ? [STRAIGHTEN_FLAGS.notStraightened] : [] };
  }
  const q = outline.quad;
  if (isUpright(q, img.width, img.height)) return { image: img, flags: [] };
  // The page keeps the photo's resolution along its longer opposite sides (text stays as sharp as
  // shot), enlarged when the sheet is small in the photo.
  const sw = Math.max(dist(q[0], q[1]), dist(q[3], q[2]));
  const sh = Math.max(dist(q[0], q[3]), dist(q[1], q[2]));
  const enlarge = pageEnlargement(sw, sh);
  const width = Math.round(sw * enlarge);
  const height = Math.round(sh * enlarge);
  const unitToPhoto = solveHomography(UNIT, q);
  const photoToUnit = unitToPhoto && invertHomography(unitToPhoto);
  if (!unitToPhoto || !photoToUnit || width < 16 || height < 16) return { image: img, flags: [STRAIGHTEN_FLAGS.notStraightened] };
  const bend = fitPageBend(outline.boundary, photoToUnit);
  const pageToPhoto = composeHomography(unitToPhoto, [1 / width, 0, 0, 0, 1 / height, 0, 0, 0, 1]);
  const straightened: PageStraightening = {
    source_width: img.width,
    source_height: img.height,
    width,
    height,
    method: 'sheet',
    corners: q.map(([x, y]) => [round2(x), round2(y)] as Point),
    homography: pageToPhoto.map((v) => Number(v.toPrecision(10))),
    bend: { top: [...bend.top], bottom: [...bend.bottom], left: [...bend.left], right: [...bend.right] },
    bend_px: Math.round(bendSize(bend) * Math.max(width, height) * 10) / 10,
    light_flattened: true,
  };
  return { image: await applyStraightening(img, straightened), straightened, flags: [STRAIGHTEN_FLAGS.straightened] };
}

/** How much larger than the photo shows it a sheet of `w` × `h` photo pixels is cut out (≥ 1). */
export function pageEnlargement(w: number, h: number): number {
  const k = Math.min(MAX_ENLARGE, MIN_PAGE_SIDE / Math.max(w, h, 1));
  return k >= MIN_ENLARGE ? k : 1;
}

/**
 * Square the whole photo to a ruled table's frame: the frame becomes an upright rectangle at the
 * photo's resolution and the rest of the photo (titles, notes) keeps its place around it.
 */
async function straightenOnFrame(img: RasterImage, q: [Point, Point, Point, Point]): Promise<StraightenResult> {
  const unitToPhoto = solveHomography(UNIT, q);
  const photoToUnit = unitToPhoto && invertHomography(unitToPhoto);
  if (!unitToPhoto || !photoToUnit) return { image: img, flags: [STRAIGHTEN_FLAGS.notStraightened] };
  let fw = Math.max(dist(q[0], q[1]), dist(q[3], q[2]));
  let fh = Math.max(dist(q[0], q[3]), dist(q[1], q[2]));
  // The photo's corners seen square to the frame (a corner beyond the horizon is clamped).
  const corners = (
    [
      [0, 0],
      [img.width, 0],
      [img.width, img.height],
      [0, img.height],
    ] as Point[]
  ).map((p) => applyHomography(photoToUnit, p));
  const clampU = (v: number) => (Number.isFinite(v) ? Math.max(-0.5, Math.min(1.5, v)) : 0);
  const us = corners.map((c) => clampU(c[0])),
    vs = corners.map((c) => clampU(c[1]));
  const u0 = Math.min(0, ...us),
    u1 = Math.max(1, ...us),
    v0 = Math.min(0, ...vs),
    v1 = Math.max(1, ...vs);
  const grow = ((u1 - u0) * fw * (v1 - v0) * fh) / (img.width * img.height);
  if (grow > MAX_FRAME_GROWTH) {
    const k = Math.sqrt(MAX_FRAME_GROWTH / grow);
    fw *= k;
    fh *= k;
  }
  const width = Math.round((u1 - u0) * fw),
    height = Math.round((v1 - v0) * fh);
  if (width < 16 || height < 16) return { image: img, flags: [STRAIGHTEN_FLAGS.notStraightened] };
  const pageToPhoto = composeHomography(unitToPhoto, [1 / fw, 0, u0, 0, 1 / fh, v0, 0, 0, 1]);
  const flat = [0];
  const straightened: PageStraightening = {
    source_width: img.width,
    source_height: img.height,
    width,
    height,
    method: 'frame',
    corners: q.map(([x, y]) => [round2(x), round2(y)] as Point),
    homography: pageToPhoto.map((v) => Number(v.toPrecision(10))),
    bend: { top: flat, bottom: flat, left: flat, right: flat },
    bend_px: 0,
    light_flattened: true,
  };
  return { image: await applyStraightening(img, straightened), straightened, flags: [STRAIGHTEN_FLAGS.straightened] };
}

/**
 * Rebuild the straightened page from the photo with stored parameters (the result's page images
 * and the workbench show exactly what the engine read).
 */
export async function applyStraightening(img: RasterImage, s: PageStraightening): Promise<RasterImage> {
  const warped = warpImage(img, s.width, s.height, straighteningMap(s));
  return s.light_flattened ? flattenLight(warped) : warped;
}

/** Straightened page position (pixels, before any 90° turn) → photo position: the bend, then the homography. */
export function straighteningMap(s: PageStraightening): PixelMap {
  const { width, height } = s;
  const unitToPhoto = composeHomography(s.homography as Homography, [width, 0, 0, 0, height, 0, 0, 0, 1]);
  const bend: PageBend = s.bend;
  return (x, y) => {
    const [u, v] = bendUnit(bend, x / width, y / height);
    const z = unitToPhoto[6] * u + unitToPhoto[7] * v + unitToPhoto[8];
    return [(unitToPhoto[0] * u + unitToPhoto[1] * v + unitToPhoto[2]) / z, (unitToPhoto[3] * u + unitToPhoto[4] * v + unitToPhoto[5]) / z];
  };
}

const round2 = (v: number) => Math.round(v * 100) / 100;
