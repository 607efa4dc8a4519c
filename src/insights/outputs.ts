/**
 * The files of a profiled segmentation: `customers.csv` (one row per customer: the key, CustomerID, the features in
 * original units, gender, location, time of day, the RFM scores and segment, the z values, the segment) and
 * `segments.json` (quality scores, the k sweep, the segment profiles with names and actions, the category mixes and
 * their tests, the RFM summary and cross-tab, the model space).
 * They are written through an output set (src/io/atomic.ts): a failure never leaves a half-written file or a set
 * whose files disagree.
 */
import * as path from 'node:path';
import { writeOutputs } from '../io/atomic';
import type { OutputFile, OutputSet } from '../io/atomic';
import { csvNumber, csvText, writeCsvLines } from '../io/csv';
import { CATEGORY_FEATURES, MODEL_FEATURES } from '../preprocess/feature_registry';
import type { CustomerFeatures } from '../preprocess/feature_registry';
import { toOriginalUnits } from '../segment/space';
import { keyCustomerId, keyText } from '../table';
import type { ProfiledSegmentation } from './types';
import { RFM_RULES, RFM_SEGMENTS } from './rfm';

/**
 * The customers table as CSV, streamed to `out` in blocks: `customer` (the key, `CustomerID|YYYY-MM-DD|G`),
 * `CustomerID`, the numeric features in original units (money rounded to the paisa), the category features
 * (empty when unknown), the RFM scores `rfmR`, `rfmF` (1 one transaction, 2 repeat), `rfmM` and `rfmSegment`, the
 * model-space features prefixed `z_` (6 decimals), and `segment`. O(n·d).
 */
export async function writeCustomersCsv(out: OutputFile, seg: ProfiledSegmentation, features: CustomerFeatures): Promise<void> {
  const { space, fit } = seg;
  const rfm = seg.context.rfm.scores;
  const header = ['customer', 'CustomerID', ...MODEL_FEATURES, ...CATEGORY_FEATURES, 'rfmR', 'rfmF', 'rfmM', 'rfmSegment', ...space.features.map((f) => `z_${f}`), 'segment'];
  out.write(header.join(',') + '\n');
  const columns = MODEL_FEATURES.map((f) => features[f]);
  const categories = CATEGORY_FEATURES.map((f) => features[f]);
  const categoryText = categories.map((c) => c.values.map((v) => csvText(v)));
  const rfmText = RFM_SEGMENTS.map((name) => csvText(name));
  await writeCsvLines(out, features.n, (i) => {
    let line = csvText(keyText(features.customerId, i)) + ',' + csvText(keyCustomerId(features.customerId, i));
    for (let c = 0; c < columns.length; c++) line += ',' + csvNumber(columns[c][i], 2);
    for (let c = 0; c < categories.length; c++) {
      const code = categories[c].codes[i];
      line += ',' + (code >= 0 ? categoryText[c][code] : '');
    }
    line += ',' + rfm.r[i] + ',' + rfm.f[i] + ',' + rfm.m[i] + ',' + rfmText[rfm.segment[i]];
    for (let j = 0; j < space.d; j++) line += ',' + csvNumber(space.X[i * space.d + j], 6);
    line += ',' + fit.labels[i];
    return line;
  });
}

/** Rounds every number in a JSON value tree to `digits` significant digits (drops float noise like 0.30000000000000004). */
function rounded(value: unknown, digits = 10): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(digits)) : null;
  if (Array.isArray(value)) return value.map((v) => rounded(v, digits));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, rounded(v, digits)]));
  return value;
}

/** The segments.json document: scores, sweep, segments, and the model space needed to read the z columns. */
export function segmentsDocument(seg: ProfiledSegmentation): unknown {
  const { space, fit } = seg;
  return rounded({
    k: seg.k,
    inertia: fit.inertia,
    silhouette: seg.silhouette,
    daviesBouldin: seg.daviesBouldin,
    calinskiHarabasz: seg.calinskiHarabasz,
    iterations: fit.iterations,
    converged: fit.converged,
    recommendation: seg.recommendation,
    kSweep: seg.kSweep,
    segments: seg.segments.map((s) => ({
      ...s,
      centroid: toOriginalUnits(space, fit.centroids.subarray(s.id * space.d, s.id * space.d + space.d)),
    })),
    mix: seg.context.mix,
    rfm: {
      segments: RFM_SEGMENTS.map((name, i) => ({ name, rule: RFM_RULES[name], customers: seg.context.rfm.customers[i], money: seg.context.rfm.money[i] })),
      crossTab: seg.context.rfm.crossTab,
      test: seg.context.rfm.test,
      repeatCustomers: seg.context.rfm.repeatCustomers,
    },
    nameBase: seg.context.nameBase,
    modelSpace: {
      customers: space.n,
      features: space.features,
      logged: space.logged,
      median: Array.from(space.median),
      mean: Array.from(space.mean),
      std: Array.from(space.std),
      imputed: space.imputed,
    },
  });
}

/**
 * Writes `outDir/customers.csv` and `outDir/segments.json` (creating the folder) and returns their paths. With
 * `outputs`, they join that set and appear when it is committed; otherwise both appear now, or neither. O(n·d).
 */
export async function writeSegmentOutputs(
  seg: ProfiledSegmentation,
  features: CustomerFeatures,
  outDir: string,
  outputs?: OutputSet,
): Promise<{ customersCsv: string; segmentsJson: string }> {
  if (!outputs) return (await writeOutputs((set) => writeSegmentOutputs(seg, features, outDir, set))).result;
  const customersCsv = path.join(outDir, 'customers.csv');
  const segmentsJson = path.join(outDir, 'segments.json');
  await outputs.write(customersCsv, (out) => writeCustomersCsv(out, seg, features));
  await outputs.write(segmentsJson, JSON.stringify(segmentsDocument(seg), null, 2) + '\n');
  return { customersCsv, segmentsJson };
}
