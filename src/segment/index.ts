/**
 * Customer segmentation, end to end: model space → k sweep → recommended (or requested) k → fit on all
 * customers. Returns the fitted model and its scores only; what the segments mean is src/insights/.
 * The steps live in their own modules; this is the front door.
 */
import type { CustomerFeatures, ModelFeature } from '../preprocess/feature_registry';
import { buildModelSpace } from './space';
import { checkK, fitKMeans, lloyd } from './kmeans';
import type { FitOptions } from './kmeans';
import { separationScores, silhouetteSample, SILHOUETTE_SAMPLE_SIZE } from './metrics';
import { EVALUATION_SEED, recommendK, sweepFits, SWEEP_DEFAULTS } from './select';
import type { KMeansFit, ModelSpace, Segmentation } from './types';
import { InputError } from '../errors';
import { featureWords } from '../preprocess/feature_registry';
import { count } from '../format';

export * from './types';
export { buildModelSpace, toOriginalUnits } from './space';
export { fitKMeans, fitKMeansDetailed, lloyd, inertiaOf, nearestCentroid, KMEANS_DEFAULTS } from './kmeans';
export { silhouetteSample, silhouetteSampleMany, daviesBouldin, calinskiHarabasz, adjustedRandIndex } from './metrics';
export { sweepK, sweepFits, recommendK, elbowK } from './select';
export type { SweepEntry } from './select';

export interface SegmentOptions extends Omit<FitOptions, 'onIteration' | 'scratch'> {
  /** A number of segments, or `auto` (default): the recommended k of the sweep. */
  readonly k?: number | 'auto';
  readonly kMin?: number;
  readonly kMax?: number;
  readonly silhouetteSampleSize?: number;
  readonly stabilityRuns?: number;
  /** Features of the model space (default: the registry's DEFAULT_MODEL_FEATURES). */
  readonly features?: readonly ModelFeature[];
  readonly logTransform?: readonly ModelFeature[];
  readonly onProgress?: (step: string, done: number, total: number) => void;
}

/**
 * Renumbers clusters by size, largest first (ties: lower old id), so segment 0 is always the biggest and the
 * numbering does not depend on the seeding order. Inertia and partition are unchanged. O(n + k·d).
 */
export function relabelBySize(fit: KMeansFit, d: number): KMeansFit {
  const sizes = new Float64Array(fit.k);
  for (let i = 0; i < fit.labels.length; i++) sizes[fit.labels[i]]++;
  const byOld = Array.from({ length: fit.k }, (_, c) => c).sort((a, b) => sizes[b] - sizes[a] || a - b);
  const newId = new Int32Array(fit.k);
  byOld.forEach((old, rank) => (newId[old] = rank));
  const labels = fit.labels.map((c) => newId[c]);
  const centroids = new Float64Array(fit.centroids.length);
  byOld.forEach((old, rank) => centroids.set(fit.centroids.subarray(old * d, old * d + d), rank * d));
  return { ...fit, labels, centroids };
}

/**
 * The number of distinct points (rows of the model space), counted up to `limit` + 1: k-means cannot make more
 * non-empty segments than there are distinct points. O(n·limit·d) at worst, O(limit²·d) when the first rows
 * already differ (the usual case).
 */
export function distinctPoints(space: ModelSpace, limit: number): number {
  const { X, n, d } = space;
  const reps: number[] = [];
  for (let i = 0; i < n && reps.length <= limit; i++) {
    let seen = false;
    for (const r of reps) {
      let same = true;
      for (let t = 0; t < d && same; t++) same = X[i * d + t] === X[r * d + t];
      if (same) {
        seen = true;
        break;
      }
    }
    if (!seen) reps.push(i);
  }
  return reps.length;
}

/**
 * Segments all customers: builds the model space, sweeps k (default 2..8, capped at the number of distinct points
 * when not given), recommends a k, takes the requested or recommended k's fit and runs Lloyd on all customers until
 * no customer changes segment (so every seed that found the same solution delivers the same partition), scores it
 * on the evaluation sample, and numbers the segments by size; the sweep's rows keep the scores of the sweep fits.
 * Deterministic for a given seed. Data that cannot be cut into the segments asked for is an InputError (one line):
 * fewer than two distinct points, or a requested k above the number of distinct points. When the sweep is cut short
 * by the data, the recommendation's reason says so. Never returns an empty segment. Throws a one-line RangeError
 * for a bad k or feature.
 */
export function segmentCustomers(features: CustomerFeatures, opts: SegmentOptions = {}): Segmentation {
  const space = buildModelSpace(features, { features: opts.features, logTransform: opts.logTransform });
  const requested = opts.k === undefined || opts.k === 'auto' ? undefined : opts.k;
  if (requested !== undefined) checkK(requested, space.n);
  const kMin = opts.kMin ?? SWEEP_DEFAULTS.kMin;
  const kMaxAsked = opts.kMax ?? Math.min(SWEEP_DEFAULTS.kMax, space.n);
  const distinct = distinctPoints(space, Math.max(kMaxAsked, requested ?? 0));
  const what = `distinct combinations of ${space.features.map(featureWords).join(', ')}`;
  if (distinct < 2) {
    throw new InputError(`all ${count(space.n)} customers have the same ${space.features.map(featureWords).join(', ')}: there is nothing to segment`);
  }
  if (requested !== undefined && requested > distinct) {
    throw new InputError(`k = ${requested} segments need ${requested} different customers, but these ${count(space.n)} customers have only ${distinct} ${what}; ask for k <= ${distinct}`);
  }
  const kMax = Math.min(kMaxAsked, distinct);
  const { scores, fits } = sweepFits(space, { ...opts, kMin: Math.min(kMin, kMax), kMax });
  const recommended = recommendK(scores);
  const recommendation =
    kMax < kMaxAsked
      ? { ...recommended, reason: `${recommended.reason} The sweep stopped at k = ${kMax}: the customers have only ${distinct} ${what}.` }
      : recommended;
  const k = requested ?? recommendation.k;
  const start = fits.get(k) ?? fitKMeans(space, k, opts); // a requested k outside the sweep: fitted the same way
  const converged = lloyd(space, start.centroids, k, { tolerance: 0, maxIterations: opts.maxIterations });
  const fit = { ...converged, iterations: start.iterations + converged.iterations };
  const separation = separationScores(space, fit);
  const final = relabelBySize(fit, space.d);
  checkNoEmptySegment(final);
  return {
    k,
    space,
    fit: final,
    silhouette: silhouetteSample(space, fit.labels, k, {
      sampleSize: opts.silhouetteSampleSize ?? SILHOUETTE_SAMPLE_SIZE,
      seed: EVALUATION_SEED,
    }),
    daviesBouldin: separation.daviesBouldin,
    calinskiHarabasz: separation.calinskiHarabasz,
    kSweep: scores,
    recommendation,
  };
}

/** An empty segment would be reported as "0 customers" with NaN medians: with k <= distinct points it is a bug. */
function checkNoEmptySegment(fit: KMeansFit): void {
  const sizes = new Int32Array(fit.k);
  for (let i = 0; i < fit.labels.length; i++) sizes[fit.labels[i]]++;
  const empty = sizes.indexOf(0);
  if (empty >= 0) throw new Error(`k-means left segment ${empty} of ${fit.k} empty`);
}
