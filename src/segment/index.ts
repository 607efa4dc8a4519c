/**
 * Customer segmentation, end to end: model space → k sweep → recommended (or requested) k → fit on all
 * customers. Returns the fitted model and its scores only; what the segments mean is src/insights/.
 * The steps live in their own modules; this is the front door.
 */
import type { CustomerFeatures, ModelFeature } from '../preprocess/feature_registry';
import { buildModelSpace } from './space';
import { checkK, fitKMeans, KMEANS_DEFAULTS } from './kmeans';
import type { FitOptions } from './kmeans';
import { calinskiHarabasz, daviesBouldin, silhouetteSample, SILHOUETTE_SAMPLE_SIZE } from './metrics';
import { recommendK, sweepFits, SWEEP_DEFAULTS } from './select';
import type { SweepEntry } from './select';
import type { KMeansFit, Segmentation } from './types';

export * from './types';
export { buildModelSpace, toOriginalUnits } from './space';
export { fitKMeans, fitKMeansDetailed, lloyd, inertiaOf, nearestCentroid, KMEANS_DEFAULTS } from './kmeans';
export { silhouetteSample, silhouetteSampleMany, daviesBouldin, calinskiHarabasz, adjustedRandIndex } from './metrics';
export { sweepK, sweepFits, recommendK, elbowK } from './select';
export type { SweepEntry } from './select';

export interface SegmentOptions extends Omit<FitOptions, 'onIteration'> {
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
 * Segments all customers: builds the model space, sweeps k (default 2..10, capped at the number of customers when
 * not given), recommends a k and keeps the requested or recommended k's fit (all customers), segments by size.
 * Deterministic for a given seed. Throws a one-line RangeError for a bad k or feature.
 */
export function segmentCustomers(features: CustomerFeatures, opts: SegmentOptions = {}): Segmentation {
  const space = buildModelSpace(features, { features: opts.features, logTransform: opts.logTransform });
  const requested = opts.k === undefined || opts.k === 'auto' ? undefined : opts.k;
  if (requested !== undefined) checkK(requested, space.n);
  const kMin = opts.kMin ?? SWEEP_DEFAULTS.kMin;
  const kMax = opts.kMax ?? Math.min(SWEEP_DEFAULTS.kMax, space.n);
  const { scores, fits } = sweepFits(space, { ...opts, kMin, kMax });
  const recommendation = recommendK(scores);
  const k = requested ?? recommendation.k;
  let fit = fits.get(k);
  let score: Pick<SweepEntry, 'silhouette' | 'daviesBouldin' | 'calinskiHarabasz'> | undefined = scores.find((s) => s.k === k);
  if (!fit || !score) {
    // A requested k outside the sweep range: fit and score it the same way.
    fit = fitKMeans(space, k, opts);
    score = {
      silhouette: silhouetteSample(space, fit.labels, k, {
        sampleSize: opts.silhouetteSampleSize ?? SILHOUETTE_SAMPLE_SIZE,
        seed: opts.seed ?? KMEANS_DEFAULTS.seed,
      }),
      daviesBouldin: daviesBouldin(space, fit),
      calinskiHarabasz: calinskiHarabasz(space, fit),
    };
  }
  const final = relabelBySize(fit, space.d);
  return {
    k,
    space,
    fit: final,
    silhouette: score.silhouette,
    daviesBouldin: score.daviesBouldin,
    calinskiHarabasz: score.calinskiHarabasz,
    kSweep: scores,
    recommendation,
  };
}
