/**
 * Segment profiles, derived from a fitted segmentation: who is in each segment, how much of the bank's money and
 * balances it carries, its typical customer (medians in original units), what sets it apart (standardized
 * differences), a rule-derived name (naming.ts) and a recommended action (actions.ts).
 */
import { FEATURES, NUMERIC_FEATURES } from '../preprocess/feature_registry';
import type { CustomerFeatures, NumericFeature } from '../preprocess/feature_registry';
import { segmentShares } from '../explore/aggregate';
import { quantileSorted } from '../stats/quantile';
import type { KMeansFit, ModelSpace, Segmentation } from '../segment/types';
import { nameSegments } from './naming';
import { recommendAction } from './actions';
import type { ProfiledSegmentation, SegmentFacts, SegmentProfile } from './types';

/** Customer indices grouped by label (counting sort): members of c are order[start[c] .. start[c+1]). O(n + k). */
export function groupByLabel(labels: Int32Array, k: number): { order: Int32Array; start: Int32Array } {
  const start = new Int32Array(k + 1);
  for (let i = 0; i < labels.length; i++) start[labels[i] + 1]++;
  for (let c = 0; c < k; c++) start[c + 1] += start[c];
  const next = start.slice(0, k);
  const order = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) order[next[labels[i]]++] = i;
  return { order, start };
}

/** Median (type 7) of `values` over the given members, ignoring NaN; NaN when none is known. O(m log m). */
function medianOf(values: Float64Array, members: Int32Array): number {
  const known = new Float64Array(members.length);
  let m = 0;
  for (let r = 0; r < members.length; r++) {
    const v = values[members[r]];
    if (!Number.isNaN(v)) known[m++] = v;
  }
  if (m === 0) return NaN;
  const sorted = known.slice(0, m).sort();
  return quantileSorted(sorted, 0.5);
}

/**
 * Standardized difference of each segment's mean from everyone's, per feature. Model features use the model's
 * own z values (imputed included), so the numbers are the centroids' coordinates; other features are put on the
 * same footing (log1p for money, known values only, population std). O(n) per feature.
 */
function featureLift(feature: NumericFeature, features: CustomerFeatures, space: ModelSpace, labels: Int32Array, k: number): Float64Array {
  const j = space.features.indexOf(feature);
  const sums = new Float64Array(k);
  const counts = new Float64Array(k);
  const lift = new Float64Array(k);
  if (j >= 0) {
    let overall = 0;
    for (let i = 0; i < space.n; i++) {
      const z = space.X[i * space.d + j];
      sums[labels[i]] += z;
      counts[labels[i]]++;
      overall += z;
    }
    overall /= space.n;
    for (let c = 0; c < k; c++) lift[c] = counts[c] > 0 ? sums[c] / counts[c] - overall : NaN;
    return lift;
  }
  const log = FEATURES[feature].log;
  const values = features[feature];
  let total = 0;
  let totalSq = 0;
  let known = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    const t = log ? Math.log1p(Math.max(v, 0)) : v;
    sums[labels[i]] += t;
    counts[labels[i]]++;
    total += t;
    totalSq += t * t;
    known++;
  }
  const mean = total / known;
  const sd = Math.sqrt(Math.max(totalSq / known - mean * mean, 0));
  for (let c = 0; c < k; c++) lift[c] = counts[c] > 0 && sd > 0 ? (sums[c] / counts[c] - mean) / sd : counts[c] > 0 ? 0 : NaN;
  return lift;
}

/**
 * The facts of each segment: size and share of customers, share of all money moved (Σ monetaryTotal) and of all
 * known balances, medians of every numeric feature in original units, and the standardized differences (lift).
 * O(n log n) (the medians) + O(n·features).
 */
export function segmentFacts(features: CustomerFeatures, space: ModelSpace, fit: Pick<KMeansFit, 'k' | 'labels'>): SegmentFacts[] {
  const { k, labels } = fit;
  if (labels.length !== features.n || space.n !== features.n) {
    throw new RangeError(`labels (${labels.length}), model space (${space.n}) and features (${features.n}) differ in size`);
  }
  const { order, start } = groupByLabel(labels, k);
  const shares = segmentShares(labels, k, features.monetaryTotal, features.balance);
  const lifts = NUMERIC_FEATURES.map((f) => featureLift(f, features, space, labels, k));
  const facts: SegmentFacts[] = [];
  for (let c = 0; c < k; c++) {
    const members = order.subarray(start[c], start[c + 1]);
    const profile = {} as Record<NumericFeature, number>;
    const lift: Partial<Record<NumericFeature, number>> = {};
    NUMERIC_FEATURES.forEach((f, q) => {
      profile[f] = medianOf(features[f], members);
      if (Number.isFinite(lifts[q][c])) lift[f] = lifts[q][c];
    });
    facts.push({
      id: c,
      size: members.length,
      share: shares.customers[c],
      monetaryShare: shares.money[c],
      balanceShare: shares.balances[c],
      profile,
      lift,
    });
  }
  return facts;
}

/**
 * Full segment profiles: `segmentFacts` plus a name derived from the profile by rules (see `naming.ts`) and a
 * recommended action with the numbers behind it (see `actions.ts`). Names are unique within the segmentation.
 */
export function profileSegments(features: CustomerFeatures, space: ModelSpace, fit: Pick<KMeansFit, 'k' | 'labels'>): SegmentProfile[] {
  const facts = segmentFacts(features, space, fit);
  const names = nameSegments(facts);
  return facts.map((f, c) => ({ ...f, name: names[c], action: recommendAction(f) }));
}

/**
 * The segmentation with what its segments mean: `seg` (unchanged, any extra fields such as a cache status kept)
 * plus `segments`, the profiles of `profileSegments`. O(n log n); recomputed on every call, never cached.
 */
export function profileSegmentation<S extends Segmentation>(features: CustomerFeatures, seg: S): ProfiledSegmentation<S> {
  return { ...seg, segments: profileSegments(features, seg.space, seg.fit) };
}
