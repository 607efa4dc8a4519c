/**
 * Applying a saved model to customer features: the one scoring function (the SQL that scores customers inside
 * PostgreSQL is tested against it). Per model feature j, per customer:
 *
 *   t = log1p(max(x, 0)) if the feature is log1p'd (modelLog1p: an overdraft reads as 0), else x;   t = median_j if x is missing;   z_j = (t − mean_j) / std_j
 *
 * then the segment is the nearest centroid (squared Euclidean distance in z; a tie goes to the lower id) and the
 * distance is the square root of that sum. Plain arithmetic, one CASE per feature: SQL can say the same.
 */
import { modelLog1p } from '../segment/space';
import type { CustomerFeatures } from '../preprocess/feature_registry';
import { rfmScoresFromCuts } from '../insights/rfm';
import type { RfmScores } from '../insights/rfm';
import type { SegmentModel } from './model';

/** Customers in the model's coordinates, their segment and their distance to its centroid. */
export interface Scores {
  readonly n: number;
  readonly d: number;
  /** Row-major n×d coordinates z. */
  readonly z: Float64Array;
  /** Segment id per customer, 0..k−1. */
  readonly labels: Int32Array;
  /** Euclidean distance in z space to the centroid of the customer's segment. */
  readonly distances: Float64Array;
  /** Per feature: customers whose value was missing (imputed with the training median). */
  readonly imputed: readonly number[];
}

/**
 * The coordinates z of every customer under the model's transform (see the module comment). A negative value of a
 * log1p'd feature (an overdraft) reads as 0, as at training and in the SQL scoring (modelLog1p). O(n·d).
 */
export function modelCoordinates(model: SegmentModel, features: CustomerFeatures): { z: Float64Array; imputed: number[] } {
  const n = features.n;
  const d = model.features.length;
  const z = new Float64Array(n * d);
  const imputed: number[] = [];
  model.features.forEach((f, j) => {
    const x = features[f.name];
    let missing = 0;
    for (let i = 0; i < n; i++) {
      const v = x[i];
      let t = f.log1p ? modelLog1p(v) : v;
      if (Number.isNaN(t)) {
        t = f.median;
        missing++;
      }
      z[i * d + j] = (t - f.mean) / f.std;
    }
    imputed.push(missing);
  });
  return { z, imputed };
}

/** The model's centroids as one row-major k×d array. */
export function centroidArray(model: SegmentModel): Float64Array {
  const d = model.features.length;
  const out = new Float64Array(model.k * d);
  model.segments.forEach((s) => out.set(s.centroid, s.id * d));
  return out;
}

/**
 * The nearest of k centroids for each of n rows of z (squared Euclidean distance; ties to the lower id) and the
 * distance to it. O(n·k·d).
 */
export function nearestCentroids(z: Float64Array, n: number, d: number, centroids: Float64Array, k: number): { labels: Int32Array; distances: Float64Array } {
  const labels = new Int32Array(n);
  const distances = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let best = 0;
    let bestSq = Infinity;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = z[o + t] - centroids[c * d + t];
        s += diff * diff;
      }
      if (s < bestSq) {
        bestSq = s;
        best = c;
      }
    }
    labels[i] = best;
    distances[i] = Math.sqrt(bestSq);
  }
  return { labels, distances };
}

/** Scores every customer with the model: coordinates, nearest centroid, distance. O(n·k·d). */
export function scoreCustomers(model: SegmentModel, features: CustomerFeatures): Scores {
  const d = model.features.length;
  const { z, imputed } = modelCoordinates(model, features);
  const { labels, distances } = nearestCentroids(z, features.n, d, centroidArray(model), model.k);
  return { n: features.n, d, z, labels, distances, imputed };
}

/** RFM scores and segments of the customers with the model's cut points (insights/rfm.ts). O(n). */
export function modelRfm(model: SegmentModel, features: CustomerFeatures): RfmScores {
  return rfmScoresFromCuts(features.recencyDays, features.frequency, features.monetaryTotal, {
    recency: model.rfm.recencyCuts,
    monetary: model.rfm.monetaryCuts,
  });
}
