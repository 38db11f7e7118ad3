/**
 * Review benchmark: do word confidences mean what they say, and does the review threshold
 * (`OCRFLOW_REVIEW_THRESHOLD`) send a person to the errors? Run by `npm run bench -- review`
 * (alone: `node --import tsx scripts/bench.review.ts [options]`). Quality only, no timing.
 *
 * Data: ../shared/datasets/sroie-dev (receipts with their text, `NAME.gt.txt`). A recognised word is
 * "read exactly right" when the same token (NFKC, upper case — the word F1 of the dataset README)
 * is still unmatched in its receipt's ground truth, taken in reading order. Split as the other
 * benches (packages/eval/src/dataset.folds.ts, grouped by vendor): about 80 % of the receipts are
 * the development part, on which the threshold is chosen; the holdout (about 20 %, other vendors)
 * is where it is measured. OCR runs
 * once per image and engine version into the cache of packages/eval/src/ocr.cache.ts.
 *
 * Printed:
 *   - the calibration table: confidence bucket → words, share read exactly right (development and
 *     holdout);
 *   - per candidate threshold: share of wrong words below it (caught) and share of right words
 *     below it (flagged for nothing), development and holdout;
 *   - the threshold the rule picks on the development part — the lowest candidate whose caught
 *     share reaches TARGET_CAUGHT (more than half: "most of the errors") — and its figures on the holdout, next to the configured default.
 * Options:
 *   --limit N    only the first N development receipts (the holdout stays whole; quicker runs)
 *   --json       one JSON object instead of tables
 *   --dir PATH   another dataset folder in the same format
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig, pageLines, type OcrDocument } from '../packages/core/src/index.ts';
import { disposeEngines, engineOptionsFromConfig } from '../packages/engines/src/index.ts';
import { assignVendorFolds, loadDataset, OcrCache, type EvalSample } from '../packages/eval/src/index.ts';
import { tokens } from '../packages/eval/src/metrics/text.metrics.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const dir = path.resolve(root, opt('--dir') ?? '../shared/datasets/sroie-dev');
const limit = opt('--limit') ? Number(opt('--limit')) : Infinity;
const asJson = args.includes('--json');

const BUCKETS = [0, 0.5, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 1.0001];
const CANDIDATES = [0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99];
/** Most of the errors: the review threshold must put more than half of the wrong words below it. */
const TARGET_CAUGHT = 0.5;

interface Point {
  confidence: number;
  right: boolean;
}

/** Every recognised word of the document with whether it is in the receipt's text. */
function wordPoints(doc: OcrDocument, truth: string): Point[] {
  const bag = new Map<string, number>();
  for (const t of tokens(truth)) bag.set(t, (bag.get(t) ?? 0) + 1);
  const out: Point[] = [];
  for (const page of doc.pages) {
    for (const line of pageLines(page)) {
      for (const w of line.words) {
        for (const t of tokens(w.text)) {
          const n = bag.get(t) ?? 0;
          if (n > 0) bag.set(t, n - 1);
          out.push({ confidence: w.confidence, right: n > 0 });
        }
      }
    }
  }
  return out;
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function buckets(ps: readonly Point[]) {
  return BUCKETS.slice(0, -1).map((lo, i) => {
    const hi = BUCKETS[i + 1];
    const inside = ps.filter((p) => p.confidence >= lo && p.confidence < hi);
    return { from: lo, to: Math.min(1, hi), words: inside.length, right: inside.length ? r3(inside.filter((p) => p.right).length / inside.length) : null };
  });
}

function atThreshold(ps: readonly Point[], t: number) {
  const wrong = ps.filter((p) => !p.right),
    right = ps.filter((p) => p.right);
  return {
    threshold: t,
    caught: wrong.length ? r3(wrong.filter((p) => p.confidence < t).length / wrong.length) : null,
    flagged: right.length ? r3(right.filter((p) => p.confidence < t).length / right.length) : null,
    below: ps.length ? r3(ps.filter((p) => p.confidence < t).length / ps.length) : null,
  };
}

async function collect(samples: readonly EvalSample[], cache: OcrCache): Promise<Point[]> {
  const out: Point[] = [];
  for (const s of samples) {
    if (!s.truthText) continue;
    const { doc } = await cache.read(s.imagePath);
    out.push(...wordPoints(doc, s.truthText));
  }
  return out;
}

const plan = assignVendorFolds(loadDataset(dir), { k: 5 });
const dev = plan.dev.map((d) => d.sample).slice(0, limit);
const holdout = plan.holdout;
const cache = new OcrCache({ engine: 'paddle', mode: 'layout', options: engineOptionsFromConfig(loadConfig()) });
const devPoints = await collect(dev, cache);
const holdPoints = await collect(holdout, cache);
await disposeEngines();

const configured = loadConfig().reviewThreshold;
const chosen = CANDIDATES.find((t) => (atThreshold(devPoints, t).caught ?? 0) >= TARGET_CAUGHT) ?? CANDIDATES.at(-1)!;
const report = {
  dataset: path.basename(dir),
  development: { receipts: dev.length, words: devPoints.length, wrong: devPoints.filter((p) => !p.right).length },
  holdout: { receipts: holdout.length, words: holdPoints.length, wrong: holdPoints.filter((p) => !p.right).length },
  calibration: { development: buckets(devPoints), holdout: buckets(holdPoints) },
  thresholds: CANDIDATES.map((t) => ({ development: atThreshold(devPoints, t), holdout: atThreshold(holdPoints, t) })),
  chosen_on_development: { threshold: chosen, target_caught: r3(TARGET_CAUGHT), holdout: atThreshold(holdPoints, chosen) },
  configured_default: { threshold: configured, development: atThreshold(devPoints, configured), holdout: atThreshold(holdPoints, configured) },
};

if (asJson) {
  console.log(JSON.stringify(report, null, 2));
} else {
  console.log(
    `review calibration on ${report.dataset}: development ${report.development.receipts} receipts (${report.development.words} words, ${report.development.wrong} wrong), holdout ${report.holdout.receipts} receipts (${report.holdout.words} words, ${report.holdout.wrong} wrong)`,
  );
  console.log(
    '\n| word confidence | words (dev) | read exactly right (dev) | words (holdout) | read exactly right (holdout) |\n| --- | ---: | ---: | ---: | ---: |',
  );
  report.calibration.development.forEach((b, i) => {
    const h = report.calibration.holdout[i];
    console.log(
      `| ${b.from.toFixed(2)}–${b.to.toFixed(2)}${b.to >= 1 ? ' (incl. 1)' : ''} | ${b.words} | ${b.right === null ? '–' : pct(b.right)} | ${h.words} | ${h.right === null ? '–' : pct(h.right)} |`,
    );
  });
  console.log(
    '\n| threshold | wrong words caught (dev) | right words flagged (dev) | wrong caught (holdout) | right flagged (holdout) |\n| ---: | ---: | ---: | ---: | ---: |',
  );
  for (const t of report.thresholds)
    console.log(
      `| ${t.development.threshold} | ${pct(t.development.caught ?? 0)} | ${pct(t.development.flagged ?? 0)} | ${pct(t.holdout.caught ?? 0)} | ${pct(t.holdout.flagged ?? 0)} |`,
    );
  const c = report.chosen_on_development;
  console.log(
    `\nchosen on development (lowest candidate catching ≥ ${pct(TARGET_CAUGHT)} of wrong words): ${c.threshold}; on the holdout it catches ${pct(c.holdout.caught ?? 0)} of wrong words and flags ${pct(c.holdout.flagged ?? 0)} of right ones`,
  );
  const d = report.configured_default;
  console.log(
    `configured default OCRFLOW_REVIEW_THRESHOLD=${d.threshold}: holdout caught ${pct(d.holdout.caught ?? 0)}, flagged ${pct(d.holdout.flagged ?? 0)}`,
  );
}
