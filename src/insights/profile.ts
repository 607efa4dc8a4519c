/**
 * Segment profiles, derived from a fitted segmentation: who is in each segment, how much of the bank's money and
 * balances it carries, its typical customer (medians in original units), what sets it apart (standardized
 * differences), who else is in it (gender, location, time of day, RFM segment), a name whose words hold for most of
 * its members (naming.ts) and a distinct action (actions.ts).
 */
import { FEATURES, NUMERIC_FEATURES } from '../preprocess/feature_registry';
import type { CustomerFeatures, NumericFeature } from '../preprocess/feature_registry';
import { segmentShares } from '../explore/aggregate';
import { quantileSelect } from '../stats/quantile';
import type { KMeansFit, ModelSpace, Segmentation } from '../segment/types';
import { modelLog1p } from '../segment/space';
import { CustomerKeys, isoDate, keyCustomerId } from '../table';
import type { CustomerKeyColumn } from '../table';
import { nameBase, nameSegments, wordShares } from './naming';
import { actionText, assignActions } from './actions';
import { categoryMix } from './mix';
import { rfmSummary } from './rfm';
import { recencyLimits } from './recency';
import type { DayCount } from './recency';
import type { ProfiledSegmentation, SegmentContext, SegmentFacts, SegmentProfile } from './types';

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

/** Median (type 7) of `values` over the given members, ignoring NaN; NaN when none is known. O(m) expected (selection). */
function medianOf(values: Float64Array, members: Int32Array): number {
  const picked = new Float64Array(members.length);
  for (let r = 0; r < members.length; r++) picked[r] = values[members[r]];
  return quantileSelect(picked, 0.5); // NaN ignored; NaN when none is known
}

/**
 * Standardized difference of each segment's mean from everyone's, per feature. Model features use the model's
 * own z values (imputed included), so the numbers are the centroids' coordinates; other features are put on the
 * same footing (the model's log1p for money, known values only, population std). O(n) per feature.
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
    const t = log ? modelLog1p(v) : v;
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
 * Whether each customer's CustomerID (keyCustomerId) is shared with another customer. Keys as numbers: customers
 * counted per ID code, O(n). Keys as texts: the IDs are hashed (31-bit FNV-1a) and sorted with their index packed
 * in one number (a native typed-array sort); only runs of equal hashes compare the strings, so a hash collision never
 * flags anyone. O(n log n); a Map of a million strings was four times slower. Falls back to the Map past 4,194,304
 * customers.
 */
export function reusedIdFlags(customerKeys: CustomerKeyColumn): Uint8Array {
  const n = customerKeys.length;
  const flags = new Uint8Array(n);
  if (customerKeys instanceof CustomerKeys) {
    const perId = new Int32Array(customerKeys.ids.length);
    for (let i = 0; i < n; i++) perId[customerKeys.id[i]]++;
    for (let i = 0; i < n; i++) flags[i] = perId[customerKeys.id[i]] > 1 ? 1 : 0;
    return flags;
  }
  const idOf = (i: number): string => keyCustomerId(customerKeys, i);
  const INDEX = 2 ** 22;
  if (n > INDEX) {
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) seen.set(idOf(i), (seen.get(idOf(i)) ?? 0) + 1);
    for (let i = 0; i < n; i++) flags[i] = (seen.get(idOf(i)) ?? 0) > 1 ? 1 : 0;
    return flags;
  }
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const id = idOf(i);
    let h = 0x811c9dc5;
    for (let c = 0; c < id.length; c++) h = Math.imul(h ^ id.charCodeAt(c), 0x01000193);
    packed[i] = (h >>> 1) * INDEX + i; // 31 bits of hash above 22 bits of index: exact in a double
  }
  packed.sort();
  for (let start = 0; start < n; ) {
    const hash = Math.floor(packed[start] / INDEX);
    let end = start + 1;
    while (end < n && Math.floor(packed[end] / INDEX) === hash) end++;
    if (end - start > 1) {
      const members = Array.from(packed.subarray(start, end), (x) => x - hash * INDEX);
      const byId = new Map<string, number[]>();
      for (const i of members) {
        const id = idOf(i);
        const list = byId.get(id);
        if (list) list.push(i);
        else byId.set(id, [i]);
      }
      for (const list of byId.values()) if (list.length > 1) for (const i of list) flags[i] = 1;
    }
    start = end;
  }
  return flags;
}

/**
 * The facts of each segment: size and share of customers, money moved and balances held (INR and shares of all),
 * medians of every numeric feature in original units, the standardized differences (lift), the share of repeat
 * customers and of customers whose CustomerID other people use too. O(n log n) (the medians) + O(n·features).
 */
export function segmentFacts(features: CustomerFeatures, space: ModelSpace, fit: Pick<KMeansFit, 'k' | 'labels'>): SegmentFacts[] {
  const { k, labels } = fit;
  if (labels.length !== features.n || space.n !== features.n) {
    throw new RangeError(`labels (${labels.length}), model space (${space.n}) and features (${features.n}) differ in size`);
  }
  const { order, start } = groupByLabel(labels, k);
  // Shares of customers, money and balances: one definition (explore/aggregate.ts); the INR sums beside them.
  const shares = segmentShares(labels, k, features.monetaryTotal, features.balance);
  const money = new Float64Array(k);
  const balance = new Float64Array(k);
  const repeat = new Float64Array(k);
  const reused = new Float64Array(k);
  const reusedId = reusedIdFlags(features.customerId);
  for (let i = 0; i < features.n; i++) {
    const c = labels[i];
    money[c] += features.monetaryTotal[i];
    const b = features.balance[i];
    if (b === b) balance[c] += b;
    if (features.frequency[i] >= 2) repeat[c]++;
    if (reusedId[i]) reused[c]++;
  }
  const lifts = NUMERIC_FEATURES.map((f) => featureLift(f, features, space, labels, k));
  const facts: SegmentFacts[] = [];
  for (let c = 0; c < k; c++) {
    const members = order.subarray(start[c], start[c + 1]);
    const size = members.length;
    const profile = {} as Record<NumericFeature, number>;
    const lift: Partial<Record<NumericFeature, number>> = {};
    NUMERIC_FEATURES.forEach((f, q) => {
      profile[f] = medianOf(features[f], members);
      if (Number.isFinite(lifts[q][c])) lift[f] = lifts[q][c];
    });
    facts.push({
      id: c,
      size,
      share: shares.customers[c],
      monetaryShare: shares.money[c],
      balanceShare: shares.balances[c],
      moneyMoved: money[c],
      balancesHeld: balance[c],
      profile,
      lift,
      repeatShare: size > 0 ? repeat[c] / size : 0,
      reusedIdShare: size > 0 ? reused[c] / size : 0,
    });
  }
  return facts;
}

/** Median of a whole column, ignoring NaN. O(n log n). */
function columnMedian(values: Float64Array): number {
  return medianOf(values, Int32Array.from({ length: values.length }, (_, i) => i));
}

/**
 * Full segment profiles: `segmentFacts` plus a name from the words that hold for most of its members (naming.ts)
 * and a distinct action sized in customers and money (actions.ts); and the context: gender, location and
 * time-of-day mixes with their independence tests (mix.ts), and the RFM segments beside the k-means ones (rfm.ts).
 * `perDay`, the transactions per day, tells whether the end of the data is thin (recency.ts); without it the
 * customers' last-seen days stand in. O(n log n).
 */
export function profileSegments(
  features: CustomerFeatures,
  space: ModelSpace,
  fit: Pick<KMeansFit, 'k' | 'labels'>,
  perDay?: readonly DayCount[],
): { segments: SegmentProfile[]; context: SegmentContext } {
  const facts = segmentFacts(features, space, fit);
  const recency = recencyLimits(features, perDay);
  const base = nameBase(features, recency);
  const names = nameSegments(wordShares(features, fit.labels, fit.k, base));
  const inputs = facts.map((f, c) => ({ ...f, words: names[c].words }));
  const actionBase = {
    medianBalance: columnMedian(features.balance),
    medianMoney: columnMedian(features.monetaryTotal),
    asOf: isoDate(features.asOf),
  };
  const kinds = assignActions(inputs, actionBase);
  const segments = facts.map((f, c) => ({
    ...f,
    name: names[c].name,
    nameWords: names[c].words,
    actionKind: kinds[c],
    action: actionText(kinds[c], inputs[c], actionBase),
  }));
  const context: SegmentContext = {
    mix: {
      gender: categoryMix(features.gender, fit.labels, fit.k),
      location: categoryMix(features.location, fit.labels, fit.k),
      timeOfDay: categoryMix(features.timeOfDay, fit.labels, fit.k),
    },
    rfm: rfmSummary(features.recencyDays, features.frequency, features.monetaryTotal, fit.labels, fit.k),
    nameBase: base,
    recency,
  };
  return { segments, context };
}

/**
 * The segmentation with what its segments mean: `seg` (unchanged, any extra fields such as a cache status kept)
 * plus `segments` and `context` (see `profileSegments`, and its `perDay`). O(n log n); recomputed on every call,
 * never cached.
 */
export function profileSegmentation<S extends Segmentation>(features: CustomerFeatures, seg: S, perDay?: readonly DayCount[]): ProfiledSegmentation<S> {
  return { ...seg, ...profileSegments(features, seg.space, seg.fit, perDay) };
}
