/**
 * The model space (docs/data-model.md section 4): chosen features → log1p on the skewed money ones →
 * median imputation → standard scaling. Everything needed to map a point back to original units is kept.
 */
import { checkModelFeatures, DEFAULT_LOG_FEATURES, DEFAULT_MODEL_FEATURES } from '../preprocess/feature_registry';
import type { CustomerFeatures, ModelFeature } from '../preprocess/feature_registry';
import { quantileSelectInPlace } from '../stats/quantile';
import type { ModelSpace } from './types';

export interface ModelSpaceOptions {
  /** Default: the registry's model features (DEFAULT_MODEL_FEATURES), in registry order. */
  readonly features?: readonly ModelFeature[];
  /** Default: the registry's heavy-tailed features (DEFAULT_LOG_FEATURES); only those in `features` apply. */
  readonly logTransform?: readonly ModelFeature[];
}

/**
 * The model's log transform of a money value: log1p(max(x, 0)). A negative balance (an overdraft, cleaning rule 8)
 * reads as 0, no funds: log1p has no value below −1, and a signed log would put a single deep overdraft so far from
 * everyone that k-means would give it a segment of its own. NaN (missing) stays NaN. The SQL scoring has its twin.
 */
export function modelLog1p(x: number): number {
  return Math.log1p(Math.max(x, 0));
}

/**
 * Builds the n×d standardized matrix of the chosen features.
 * Per column: optional log1p (modelLog1p: a negative value reads as 0), NaN → median of the known (transformed) values, then z = (x − mean) / std
 * with the population std (1 for a constant column). O(n·d): the medians by selection (O(n) expected), not sorting.
 * The input is not modified.
 */
export function buildModelSpace(features: CustomerFeatures, opts: ModelSpaceOptions = {}): ModelSpace {
  const chosen = opts.features ?? DEFAULT_MODEL_FEATURES;
  checkModelFeatures(chosen);
  if (chosen.length === 0) throw new RangeError('the model needs at least one feature');
  if (new Set(chosen).size !== chosen.length) throw new RangeError(`a feature is listed twice: ${chosen.join(', ')}`);
  const logRequested: readonly ModelFeature[] = opts.logTransform ?? DEFAULT_LOG_FEATURES;
  checkModelFeatures(logRequested, 'log-transform feature');
  const logged = chosen.filter((f) => logRequested.includes(f));
  const n = features.n;
  const d = chosen.length;
  if (n === 0) throw new RangeError('there are no customers to segment');

  // Shared memory, so the k sweep's worker threads read the points without a copy (segment/sweep_threads.ts).
  const X = new Float64Array(new SharedArrayBuffer(n * d * 8));
  const median = new Float64Array(d);
  const mean = new Float64Array(d);
  const std = new Float64Array(d);
  const imputed: number[] = [];
  // The known values of one column at a time, for its median (selection rearranges them); the column itself is built
  // in X: no other array of n values (at 5M customers each is 40 MB).
  const known = new Float64Array(n);
  for (let j = 0; j < d; j++) {
    const source = features[chosen[j]];
    const log = logged.includes(chosen[j]);
    let present = 0;
    for (let i = 0; i < n; i++) {
      const v = source[i];
      const x = log ? modelLog1p(v) : v;
      X[i * d + j] = x;
      if (x === x) known[present++] = x;
    }
    const med = quantileSelectInPlace(known.subarray(0, present), 0.5);
    const fill = Number.isNaN(med) ? 0 : med; // a column with no known value at all becomes constant
    let missing = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      let x = X[i * d + j];
      if (Number.isNaN(x)) {
        X[i * d + j] = x = fill;
        missing++;
      }
      sum += x;
    }
    const mu = sum / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (X[i * d + j] - mu) * (X[i * d + j] - mu);
    const sigma = Math.sqrt(ss / n);
    const scale = sigma > 0 ? sigma : 1;
    for (let i = 0; i < n; i++) X[i * d + j] = (X[i * d + j] - mu) / scale;
    median[j] = med;
    mean[j] = mu;
    std[j] = scale;
    imputed.push(missing);
  }
  return { n, d, features: [...chosen], logged, X, median, mean, std, imputed };
}

/**
 * Maps a point of z space back to original units (undoing the scaling and log1p). O(d).
 * Used to explain centroids; the result is keyed by feature.
 */
export function toOriginalUnits(space: ModelSpace, z: ArrayLike<number>): Record<string, number> {
  const out: Record<string, number> = {};
  space.features.forEach((f, j) => {
    const t = z[j] * space.std[j] + space.mean[j];
    out[f] = space.logged.includes(f) ? Math.expm1(t) : t;
  });
  return out;
}

/** Model features correlated beyond this (in absolute value) say nearly the same thing. */
export const STRONG_CORRELATION = 0.95;

/**
 * Pairs of model features whose z columns correlate at |r| > `threshold` (Pearson; the z columns have mean 0 and
 * variance 1, or are constant). O(n·d²).
 */
export function strongCorrelations(space: Pick<ModelSpace, 'n' | 'd' | 'X' | 'features'>, threshold = STRONG_CORRELATION): { a: string; b: string; r: number }[] {
  const { n, d, X } = space;
  const out: { a: string; b: string; r: number }[] = [];
  for (let p = 0; p < d; p++) {
    for (let q = p + 1; q < d; q++) {
      let sp = 0;
      let sq = 0;
      let spq = 0;
      let spp = 0;
      let sqq = 0;
      for (let i = 0; i < n; i++) {
        const x = X[i * d + p];
        const y = X[i * d + q];
        sp += x;
        sq += y;
        spq += x * y;
        spp += x * x;
        sqq += y * y;
      }
      const cov = spq - (sp * sq) / n;
      const den = Math.sqrt((spp - (sp * sp) / n) * (sqq - (sq * sq) / n));
      const r = den > 0 ? cov / den : 0;
      if (Math.abs(r) > threshold) out.push({ a: space.features[p], b: space.features[q], r });
    }
  }
  return out;
}
