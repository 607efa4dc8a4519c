/**
 * Cluster-quality metrics, written for ~900k points: nothing here builds an n×n matrix.
 * Definitions follow scikit-learn (silhouette_score, davies_bouldin_score, calinski_harabasz_score,
 * adjusted_rand_score), so numbers can be compared with the pandas + scikit-learn reference.
 */
import { DEFAULT_SEED } from '../config';
import { createRng } from '../stats/random';
import { sampleDistinct } from '../stats/random';
import type { Rows } from './kmeans';
import type { KMeansFit } from './types';

export const SILHOUETTE_SAMPLE_SIZE = 10_000;

export interface SampleOptions {
  /** Customers in the sample (all when there are fewer). */
  readonly sampleSize?: number;
  readonly seed?: number;
}

/** The seeded sample every silhouette (and the stability check) is computed on. O(m log m). */
export function metricSample(n: number, opts: SampleOptions = {}): Int32Array {
  return sampleDistinct(n, opts.sampleSize ?? SILHOUETTE_SAMPLE_SIZE, createRng(opts.seed ?? DEFAULT_SEED));
}

/**
 * Mean silhouette over a seeded sample of m points, for several labelings at once (one per entry of `labelings`,
 * with `ks[c]` clusters), as scikit-learn's `silhouette_score(X, labels, sample_size=m)` computes it: a and b are
 * taken within the sample; a point alone in its cluster (within the sample) scores 0.
 * Streams: rows of m Euclidean distances, four at a time (computed once for all labelings), summed per cluster
 * over each labeling's members grouped contiguously. O(m²·(d + L)) time for L labelings, O(m·L) memory: never m×m.
 * The pass is three steps (silhouettePlan, silhouetteValues, silhouetteMeans) so that threads can share its rows
 * (segment/sweep_threads.ts) and still add them up in the same order.
 */
export function silhouetteSampleMany(space: Rows, labelings: readonly Int32Array[], ks: readonly number[], opts: SampleOptions = {}): number[] {
  const plan = silhouettePlan(space, labelings, ks, opts);
  const values = new Float64Array(plan.groups.length * plan.m);
  silhouetteValues(plan, 0, plan.m, values);
  return silhouetteMeans(plan, values);
}

/** One labeling of the sample: its labels, its members ordered by cluster, and where each cluster starts. */
interface SilhouetteGroup {
  readonly k: number;
  readonly own: Int32Array;
  readonly start: Int32Array;
  readonly members: Int32Array;
}

/** What every row of the silhouette pass needs: the sample's points (row-major m×d) and each labeling's groups. */
export interface SilhouettePlan {
  readonly m: number;
  readonly d: number;
  readonly sample: Float64Array;
  readonly groups: readonly SilhouetteGroup[];
}

/** The sample's points and each labeling grouped by cluster. Throws a RangeError for a label outside 0..k-1. O(m·(d + L)). */
export function silhouettePlan(space: Rows, labelings: readonly Int32Array[], ks: readonly number[], opts: SampleOptions = {}): SilhouettePlan {
  const rows = metricSample(space.n, opts);
  const m = rows.length;
  const { X, d } = space;
  const sample = new Float64Array(m * d);
  for (let r = 0; r < m; r++) for (let t = 0; t < d; t++) sample[r * d + t] = X[rows[r] * d + t];
  const groups = labelings.map((labels, c) => {
    const k = ks[c];
    const own = new Int32Array(m);
    for (let r = 0; r < m; r++) {
      own[r] = labels[rows[r]];
      if (!(own[r] >= 0 && own[r] < k)) throw new RangeError(`label ${own[r]} is outside 0..${k - 1}`);
    }
    const start = new Int32Array(k + 1);
    for (let r = 0; r < m; r++) start[own[r] + 1]++;
    for (let q = 0; q < k; q++) start[q + 1] += start[q];
    const next = start.slice(0, k);
    const members = new Int32Array(m);
    for (let r = 0; r < m; r++) members[next[own[r]]++] = r;
    return { k, own, start, members };
  });
  return { m, d, sample, groups };
}

/**
 * The silhouette of sample rows [from, to) under every labeling: `out[c·m + i]` for labeling c and row i (0 for a
 * point alone in its cluster, or when only one cluster is present). A row's value does not depend on the range it
 * is computed in. O((to − from)·m·(d + L)).
 */
export function silhouetteValues(plan: SilhouettePlan, from: number, to: number, out: Float64Array): void {
  const { m, d, sample, groups } = plan;
  // Four sample points at a time: their distance rows share the loads of the other point, and the per-cluster
  // sums share the member-index loads (about 2.5× faster than one row at a time).
  const d0 = new Float64Array(m);
  const d1 = new Float64Array(m);
  const d2 = new Float64Array(m);
  const d3 = new Float64Array(m);
  const sums = new Float64Array(4);
  const a = new Float64Array(4);
  const b = new Float64Array(4);
  for (let i = from; i < to; i += 4) {
    const block = Math.min(4, to - i);
    const o0 = i * d;
    const o1 = Math.min(i + 1, m - 1) * d; // past the end: repeat the last point, its results are not used
    const o2 = Math.min(i + 2, m - 1) * d;
    const o3 = Math.min(i + 3, m - 1) * d;
    for (let j = 0; j < m; j++) {
      const oj = j * d;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let t = 0; t < d; t++) {
        const x = sample[oj + t];
        const e0 = sample[o0 + t] - x;
        const e1 = sample[o1 + t] - x;
        const e2 = sample[o2 + t] - x;
        const e3 = sample[o3 + t] - x;
        s0 += e0 * e0;
        s1 += e1 * e1;
        s2 += e2 * e2;
        s3 += e3 * e3;
      }
      d0[j] = Math.sqrt(s0);
      d1[j] = Math.sqrt(s1);
      d2[j] = Math.sqrt(s2);
      d3[j] = Math.sqrt(s3);
    }
    for (let c = 0; c < groups.length; c++) {
      const { k, start, members, own } = groups[c];
      a.fill(NaN);
      b.fill(Infinity);
      for (let q = 0; q < k; q++) {
        const first = start[q];
        const last = start[q + 1];
        if (first === last) continue;
        // Sums include each point's zero distance to itself when q is its own cluster.
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        for (let r = first; r < last; r++) {
          const j = members[r];
          s0 += d0[j];
          s1 += d1[j];
          s2 += d2[j];
          s3 += d3[j];
        }
        sums[0] = s0;
        sums[1] = s1;
        sums[2] = s2;
        sums[3] = s3;
        const size = last - first;
        for (let p = 0; p < block; p++) {
          if (own[i + p] === q) a[p] = size > 1 ? sums[p] / (size - 1) : NaN;
          else if (sums[p] / size < b[p]) b[p] = sums[p] / size;
        }
      }
      for (let p = 0; p < block; p++) {
        // Alone in its cluster, or the only cluster present: silhouette 0 by convention.
        const top = Math.max(a[p], b[p]);
        out[c * m + i + p] = Number.isNaN(a[p]) || b[p] === Infinity || !(top > 0) ? 0 : (b[p] - a[p]) / top;
      }
    }
  }
}

/** Each labeling's mean over the rows' values, added in row order (the same sums whoever computed the rows). O(m·L). */
export function silhouetteMeans(plan: SilhouettePlan, values: Float64Array): number[] {
  const { m } = plan;
  return plan.groups.map((_, c) => {
    let total = 0;
    for (let i = 0; i < m; i++) total += values[c * m + i];
    return total / m;
  });
}

/**
 * Mean silhouette over a seeded sample (default 10,000 points), never the n×n matrix.
 * O(m²·d) time, O(m·k) memory. See `silhouetteSampleMany`.
 */
export function silhouetteSample(space: Rows, labels: Int32Array, k: number, opts: SampleOptions = {}): number {
  return silhouetteSampleMany(space, [labels], [k], opts)[0];
}

/** Per-cluster sizes and means of the points (from the labels, not the fit's centroids). O(n·d). */
export function clusterMeans(space: Rows, labels: Int32Array, k: number): { sizes: Float64Array; means: Float64Array } {
  const { X, n, d } = space;
  const sizes = new Float64Array(k);
  const means = new Float64Array(k * d);
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    sizes[c]++;
    for (let t = 0; t < d; t++) means[c * d + t] += X[i * d + t];
  }
  for (let c = 0; c < k; c++) for (let t = 0; t < d; t++) means[c * d + t] = sizes[c] > 0 ? means[c * d + t] / sizes[c] : 0;
  return { sizes, means };
}

/**
 * Davies–Bouldin and Calinski–Harabasz of one labeling, sharing the passes over the points (see the two functions
 * below for the definitions). Cluster means come from the labels, not from the fit's centroids. O(n·d + k²·d).
 */
export function separationScores(space: Rows, fit: Pick<KMeansFit, 'k' | 'labels'>): { daviesBouldin: number; calinskiHarabasz: number } {
  const { X, n, d } = space;
  const { k, labels } = fit;
  const { sizes, means } = clusterMeans(space, labels, k);
  const scatter = new Float64Array(k); // Σ distances to the own mean (DB)
  let within = 0; // Σ squared distances to the own mean (CH)
  for (let i = 0; i < n; i++) {
    const c = labels[i];
    let s = 0;
    for (let t = 0; t < d; t++) {
      const diff = X[i * d + t] - means[c * d + t];
      s += diff * diff;
    }
    scatter[c] += Math.sqrt(s);
    within += s;
  }
  const overall = new Float64Array(d);
  let present = 0;
  for (let c = 0; c < k; c++) {
    if (sizes[c] === 0) continue;
    present++;
    for (let t = 0; t < d; t++) overall[t] += sizes[c] * means[c * d + t];
  }
  for (let t = 0; t < d; t++) overall[t] /= n;
  let between = 0;
  let worstSum = 0;
  for (let i = 0; i < k; i++) {
    if (sizes[i] === 0) continue;
    for (let t = 0; t < d; t++) between += sizes[i] * (means[i * d + t] - overall[t]) ** 2;
    let worst = 0;
    for (let j = 0; j < k; j++) {
      if (j === i || sizes[j] === 0) continue;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = means[i * d + t] - means[j * d + t];
        s += diff * diff;
      }
      const ratio = (scatter[i] / sizes[i] + scatter[j] / sizes[j]) / Math.sqrt(s);
      if (ratio > worst) worst = ratio;
    }
    worstSum += worst;
  }
  if (present < 2) return { daviesBouldin: 0, calinskiHarabasz: 0 };
  return {
    daviesBouldin: worstSum / present,
    calinskiHarabasz: within === 0 ? Infinity : (between / (present - 1)) / (within / (n - present)),
  };
}

/**
 * Davies–Bouldin index (lower is better): the mean over clusters of max_{j≠i} (s_i + s_j) / ‖c_i − c_j‖, where s_i is
 * the mean Euclidean distance of cluster i's points to its mean c_i. Empty clusters are left out. O(n·d + k²·d).
 */
export function daviesBouldin(space: Rows, fit: Pick<KMeansFit, 'k' | 'labels'>): number {
  return separationScores(space, fit).daviesBouldin;
}

/**
 * Calinski–Harabasz index (higher is better): [B / (k − 1)] / [W / (n − k)], B = Σ n_c ‖c_c − overall mean‖²
 * (between-cluster), W = Σ ‖x − c_{label}‖² (within, the inertia at the cluster means), k = non-empty clusters. O(n·d).
 */
export function calinskiHarabasz(space: Rows, fit: Pick<KMeansFit, 'k' | 'labels'>): number {
  return separationScores(space, fit).calinskiHarabasz;
}

export { adjustedRandIndex } from '../stats/ari';
