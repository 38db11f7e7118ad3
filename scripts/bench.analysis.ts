/**
 * Analysis benchmark: how well the built-in analyser's key fields hold on receipts its rules were
 * not written on, and whether its confidences mean what they say. Run by `npm run bench -- analysis`
 * (alone: `node --import tsx scripts/bench.analysis.ts [options]`; quality figures need no lock, the
 * first run's OCR is slow but not timed).
 *
 * Data: ../shared/datasets/sroie-dev (SROIE task 3 fields). Folds (packages/eval/src/dataset.folds.ts):
 * grouped by vendor (the truth's company name, normalised), so receipts of one shop never sit on
 * both sides of a split; about 20 % of the receipts, whole vendors, are the final holdout, scored
 * only with `--holdout`, and the rest the development part in 5 folds. OCR runs once per image and engine version into a cache outside the repository
 * (packages/eval/src/ocr.cache.ts; `OCRFLOW_OCR_CACHE`, default $TMPDIR/ocrflow-ocr-cache); a fresh
 * machine builds it on the first run (~1–2 s a receipt), after that the bench runs in seconds.
 *
 * Printed:
 *   - field F1 per fold (the fold held out: its calibration fitted on the other four) and per field,
 *     the mean over folds and the figure on the whole development part;
 *   - the calibration table: confidence bucket → share of fields right, pooled over the held-out
 *     folds (each fold's confidences come from the calibration fitted without it);
 *   - with `--holdout`: the final holdout and all receipts (development + holdout).
 * Options:
 *   --holdout            also score the final holdout (do this once, at the end of a round of work)
 *   --errors FOLDS       list the wrong fields of these development folds (e.g. `--errors 1,2,3,4`);
 *                        never of the holdout
 *   --fit                write the calibration fitted on the whole development part to
 *                        packages/analysis/src/confidence.table.ts
 *   --ceiling            the OCR ceiling per field: share of receipts whose truth is printed in the
 *                        OCR lines exactly (white space collapsed) or only once spaces and punctuation
 *                        are ignored, beside the share the analyser gets right (all receipts)
 *   --folds              list each fold's receipts and vendor groups
 *   --json               one JSON object instead of tables
 *   --dir PATH           another dataset folder in the same format
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, type OcrDocument } from '@ocrflow/core';
import { disposeEngines, engineOptionsFromConfig } from '../packages/engines/src/index.ts';
import {
  addMatches,
  assignVendorFolds,
  ceilingLevel,
  countsF1,
  documentLines,
  fieldMatches,
  loadDataset,
  OcrCache,
  type EvalSample,
  type FieldCounts,
  type FieldMatch,
} from '../packages/eval/src/index.ts';
import {
  analyseBuiltin,
  fitCalibration,
  calibrationSource,
  SCORED_FIELDS,
  type Analysis,
  type Calibration,
  type ScoredField,
} from '../packages/analysis/src/index.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = path.resolve(root, opt('--dir') ?? '../shared/datasets/sroie-dev');
const withHoldout = args.includes('--holdout');
const errorFolds = opt('--errors')?.split(',').map(Number);
const asJson = args.includes('--json');
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const zero = (): FieldCounts => ({ matched: 0, predicted: 0, truth: 0 });

interface Scored {
  sample: EvalSample;
  fold: number; // -1: holdout
  raw: Analysis;
  /** Raw evidence score of each key field the analyser gave. */
  evidence: Partial<Record<ScoredField, number>>;
  matches: FieldMatch[];
}

/** Each predicted field's raw evidence score and whether it is right. */
function points(items: readonly Scored[], field: ScoredField): { score: number; right: boolean }[] {
  const out: { score: number; right: boolean }[] = [];
  for (const it of items) {
    const ev = it.evidence[field];
    const m = it.matches.find((x) => x.key === field);
    if (ev !== undefined && m && m.predicted) out.push({ score: ev, right: m.matched });
  }
  return out;
}

function fit(items: readonly Scored[]): Calibration {
  return fitCalibration(Object.fromEntries(SCORED_FIELDS.map((f) => [f, points(items, f)])) as Record<ScoredField, { score: number; right: boolean }[]>);
}

const BUCKETS = [0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001];

function main(samples: Scored[], ceilingRows?: CeilingRow[]) {
  const plan = { k: 5 };
  const dev = samples.filter((s) => s.fold >= 0);
  const holdout = samples.filter((s) => s.fold < 0);
  const fieldsOf = (set: readonly Scored[]) => {
    const per: Record<string, number> = {};
    for (const f of SCORED_FIELDS) per[f] = r3(countsF1(set.reduce((c, s) => addMatches(c, s.matches, f), zero())));
    const all = set.reduce((c, s) => addMatches(c, s.matches), zero());
    return { documents: set.length, field_f1: r3(countsF1(all)), ...per };
  };
  const folds = [...Array(plan.k).keys()].map((k) => ({ fold: k, ...fieldsOf(dev.filter((s) => s.fold === k)) }));
  const mean = r3(folds.reduce((a, f) => a + f.field_f1, 0) / folds.length);
  const perFieldMean = Object.fromEntries(
    SCORED_FIELDS.map((f) => [f, r3(folds.reduce((a, x) => a + (x as unknown as Record<string, number>)[f], 0) / folds.length)]),
  );

  // Calibration table: each held-out fold's confidences from the calibration fitted on the others.
  const table = BUCKETS.slice(0, -1).map((lo, i) => ({ lo, hi: BUCKETS[i + 1], n: 0, right: 0 }));
  const heldOutConf: { field: string; conf: number; right: boolean }[] = [];
  for (let k = 0; k < plan.k; k++) {
    const cal = fit(dev.filter((s) => s.fold !== k));
    for (const s of dev.filter((x) => x.fold === k)) {
      const a = analyseWith(s, cal);
      for (const f of SCORED_FIELDS) {
        const fld = a.fields[f];
        const m = s.matches.find((x) => x.key === f);
        if (!fld || !m?.predicted) continue;
        heldOutConf.push({ field: f, conf: fld.confidence, right: m.matched });
      }
    }
  }
  for (const p of heldOutConf) {
    const b = table.find((t) => p.conf >= t.lo && p.conf < t.hi)!;
    b.n++;
    if (p.right) b.right++;
  }
  const calibration = table.map((t) => ({
    bucket: `[${t.lo.toFixed(2)}, ${Math.min(1, t.hi).toFixed(2)}${t.hi > 1 ? ']' : ')'}`,
    n: t.n,
    right: t.right,
    share_right: t.n ? r3(t.right / t.n) : null,
  }));
  const atLeast90 = heldOutConf.filter((p) => p.conf >= 0.9);
  // The shipped calibration (fitted on the whole development part) on the final holdout.
  const holdoutConf: { conf: number; right: boolean }[] = [];
  if (withHoldout)
    for (const s of holdout) {
      const a = analyseWith(s, undefined);
      for (const f of SCORED_FIELDS) {
        const m = s.matches.find((x) => x.key === f);
        if (a.fields[f] && m?.predicted) holdoutConf.push({ conf: a.fields[f]!.confidence, right: m.matched });
      }
    }
  const holdout90 = holdoutConf.filter((p) => p.conf >= 0.9);
  const out = {
    dataset: path.basename(dir),
    folds,
    held_out_mean_field_f1: mean,
    held_out_mean_per_field: perFieldMean,
    development: fieldsOf(dev),
    calibration,
    share_right_at_or_above_0_9: atLeast90.length ? r3(atLeast90.filter((p) => p.right).length / atLeast90.length) : null,
    ...(withHoldout
      ? {
          holdout: fieldsOf(holdout),
          all: fieldsOf(samples),
          holdout_at_or_above_0_9: {
            fields: holdout90.length,
            share_right: holdout90.length ? r3(holdout90.filter((p) => p.right).length / holdout90.length) : null,
          },
          holdout_below_0_9: {
            fields: holdoutConf.length - holdout90.length,
            share_right:
              holdoutConf.length > holdout90.length
                ? r3(holdoutConf.filter((p) => p.conf < 0.9 && p.right).length / (holdoutConf.length - holdout90.length))
                : null,
          },
        }
      : {}),
    ...(ceilingRows ? { ceiling: ceilingRows } : {}),
  };
  if (asJson) {
    console.log(JSON.stringify(out));
    return;
  }
  console.log(
    `Field F1 on ${out.dataset}: ${dev.length} development receipts in 5 folds grouped by vendor, ${holdout.length} in the final holdout (other vendors)`,
  );
  console.log(`| set | receipts | field F1 | ${SCORED_FIELDS.join(' | ')} |`);
  console.log(`| --- | --- | --- | ${SCORED_FIELDS.map(() => '---').join(' | ')} |`);
  const row = (name: string, r: Record<string, number>) =>
    console.log(`| ${name} | ${r.documents ?? ''} | ${r.field_f1.toFixed(3)} | ${SCORED_FIELDS.map((f) => r[f].toFixed(3)).join(' | ')} |`);
  for (const f of folds) row(`fold ${f.fold} (held out)`, f as unknown as Record<string, number>);
  row('mean of the 5 held-out folds', { field_f1: mean, ...perFieldMean } as Record<string, number>);
  row('whole development part', out.development as unknown as Record<string, number>);
  if (out.holdout) {
    row('final holdout', out.holdout as unknown as Record<string, number>);
    row('all receipts', out.all as unknown as Record<string, number>);
  }
  console.log(`\nCalibration on held-out folds (each fold's confidences from the calibration fitted on the other four), ${heldOutConf.length} fields:`);
  console.log('| confidence | fields | right | share right |');
  console.log('| --- | --- | --- | --- |');
  for (const c of calibration) console.log(`| ${c.bucket} | ${c.n} | ${c.right} | ${c.share_right ?? '–'} |`);
  console.log(`confidence ≥ 0.9: ${atLeast90.length} fields, share right ${out.share_right_at_or_above_0_9 ?? '–'}`);
  if (out.holdout_at_or_above_0_9 && out.holdout_below_0_9)
    console.log(
      `final holdout with the shipped calibration: confidence ≥ 0.9 ${out.holdout_at_or_above_0_9.fields} fields, share right ${out.holdout_at_or_above_0_9.share_right ?? '–'}; below 0.9 ${out.holdout_below_0_9.fields} fields, share right ${out.holdout_below_0_9.share_right ?? '–'}`,
    );
  if (ceilingRows) printCeiling(ceilingRows, samples.length);
}

const docs = new Map<string, OcrDocument>();
function analyseWith(s: Scored, cal: Calibration | null | undefined): Analysis {
  return analyseBuiltin(docs.get(s.sample.name)!, { calibration: cal });
}

async function run() {
  const samples = loadDataset(dir).filter((s) => s.truthFields);
  const folds = assignVendorFolds(samples);
  if (args.includes('--folds')) {
    for (let k = -1; k < folds.k; k++) {
      const names = k < 0 ? folds.holdout.map((s) => s.name) : folds.dev.filter((d) => d.fold === k).map((d) => d.sample.name);
      const groups = new Set(names.map((n) => folds.groupOf.get(n)));
      console.log(`${k < 0 ? 'holdout' : `fold ${k}`}: ${names.length} receipts, ${groups.size} vendors: ${names.map((n) => n.replace(/^\D+/, '')).join(' ')}`);
    }
  }
  const cache = new OcrCache({ options: engineOptionsFromConfig(loadConfig()) });
  const todo = samples.filter((s) => !cache.has(s.imagePath)).length;
  if (todo) process.stderr.write(`OCR of ${todo} receipts into ${cache.dir} (once per engine version)\n`);
  let n = 0;
  for (const s of samples) {
    const r = await cache.read(s.imagePath);
    if (!r.hit) {
      n++;
      if (n % 20 === 0) process.stderr.write(`  ${n}/${todo}\n`);
    }
    docs.set(s.name, r.doc);
  }
  await disposeEngines();
  const scored: Scored[] = [];
  const score = (sample: EvalSample, fold: number) => {
    const evidence: Scored['evidence'] = {};
    const raw = analyseBuiltin(docs.get(sample.name)!, { calibration: null, onEvidence: (f, s) => (evidence[f] = s) });
    scored.push({ sample, fold, raw, evidence, matches: fieldMatches(raw, sample.truthFields!) });
  };
  for (const { sample, fold } of folds.dev) score(sample, fold);
  for (const sample of folds.holdout) score(sample, -1);
  if (errorFolds) {
    for (const s of scored.filter((x) => x.fold >= 0 && errorFolds.includes(x.fold)))
      for (const m of s.matches.filter((x) => !x.matched))
        console.log(
          `${s.sample.name} ${m.key.padEnd(7)} got ${JSON.stringify(m.predicted)}\n${' '.repeat(s.sample.name.length)}         want ${JSON.stringify(m.truth)}`,
        );
    return;
  }
  if (args.includes('--fit')) {
    const file = path.join(root, 'packages/analysis/src/confidence.table.ts');
    const cal = fit(scored.filter((s) => s.fold >= 0));
    writeFileSync(
      file,
      calibrationSource(cal, `${path.basename(dir)}, ${scored.filter((s) => s.fold >= 0).length} development receipts (the final holdout excluded)`),
    );
    console.log(`wrote ${path.relative(root, file)}`);
  }
  main(scored, args.includes('--ceiling') ? ceiling(scored) : undefined);
}

type CeilingRow = { field: string; receipts: number; right: number; in_ocr_exact: number; in_ocr_ignoring_punctuation: number; printed_but_missed: number };

/** Per field: is the truth in the OCR lines at all, and how often the analyser has it. */
function ceiling(items: readonly Scored[]): CeilingRow[] {
  const rows = SCORED_FIELDS.map((f) => {
    let n = 0,
      right = 0,
      exact = 0,
      loose = 0,
      foundButWrong = 0;
    for (const s of items) {
      const m = s.matches.find((x) => x.key === f);
      if (!m?.truth) continue;
      n++;
      const level = ceilingLevel(documentLines(docs.get(s.sample.name)!), m.truth);
      if (m.matched) right++;
      if (level === 'exact') {
        exact++;
        if (!m.matched) foundButWrong++;
      }
      if (level !== 'absent') loose++;
    }
    return {
      field: f,
      receipts: n,
      right: r3(right / n),
      in_ocr_exact: r3(exact / n),
      in_ocr_ignoring_punctuation: r3(loose / n),
      printed_but_missed: r3(foundButWrong / n),
    };
  });
  return rows;
}

function printCeiling(rows: readonly CeilingRow[], n: number) {
  console.log(`\nOCR ceiling on all ${n} receipts: share whose truth the OCR lines hold`);
  console.log('| field | analyser right | in OCR exactly | in OCR ignoring spaces/punctuation | in OCR exactly but missed |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const r of rows)
    console.log(
      `| ${r.field} | ${r.right.toFixed(3)} | ${r.in_ocr_exact.toFixed(3)} | ${r.in_ocr_ignoring_punctuation.toFixed(3)} | ${r.printed_but_missed.toFixed(3)} |`,
    );
}

await run();
