/** Shared builders for the segmentation tests (not a test file itself). */
import { NUMERIC_FEATURES } from '../../src/preprocess/feature_registry';
import type { CustomerFeatures, ModelFeature } from '../../src/preprocess/feature_registry';
import { customerFeaturesOf } from './features';
import { createRng } from '../../src/stats/random';
import type { ModelSpace } from '../../src/segment/types';

/** A ModelSpace holding the given rows as they are (no transform), for testing the algorithms on known points. */
export function spaceOf(rows: readonly (readonly number[])[]): ModelSpace {
  const n = rows.length;
  const d = rows[0].length;
  const X = new Float64Array(n * d);
  rows.forEach((r, i) => X.set(r, i * d));
  return {
    n,
    d,
    features: NUMERIC_FEATURES.slice(0, d),
    logged: [],
    X,
    median: new Float64Array(d),
    mean: new Float64Array(d),
    std: new Float64Array(d).fill(1),
    imputed: new Array(d).fill(0),
  };
}

/** Rows of a ModelSpace back as number[][]. */
export function rowsOf(space: Pick<ModelSpace, 'n' | 'd' | 'X'>): number[][] {
  return Array.from({ length: space.n }, (_, i) => Array.from(space.X.subarray(i * space.d, (i + 1) * space.d)));
}

/** `perCluster` points around each center with Gaussian noise `sd`, and the true cluster of each point. */
export function blobs(centers: readonly (readonly number[])[], perCluster: number, sd: number, seed: number): { rows: number[][]; truth: Int32Array } {
  const rng = createRng(seed);
  const rows: number[][] = [];
  const truth: number[] = [];
  centers.forEach((c, j) => {
    for (let i = 0; i < perCluster; i++) {
      rows.push(c.map((x) => x + sd * rng.normal()));
      truth.push(j);
    }
  });
  return { rows, truth: Int32Array.from(truth) };
}

/** Plain values of the usual numeric features, for the columns a test does not give. */
const PLAIN: Partial<Record<ModelFeature, number>> = { recencyDays: 0, frequency: 1, monetaryTotal: 100, monetaryMean: 100, balance: 1000, age: 40 };

/** Customer features with the given numeric columns (the rest filled with plain values; see customerFeaturesOf). */
export function featuresOf(columns: Partial<Record<ModelFeature, readonly number[]>>, ids?: readonly string[]): CustomerFeatures {
  const n = Object.values(columns)[0]?.length ?? 0;
  const filled: Partial<Record<ModelFeature, ArrayLike<number>>> = {};
  for (const [f, v] of Object.entries(PLAIN) as [ModelFeature, number][]) filled[f] = columns[f] ?? new Array(n).fill(v);
  return customerFeaturesOf(n, { ...filled, ...columns }, { customerId: ids });
}

/**
 * Synthetic customers shaped like the published data: lognormal money, uniform recency 0..81, mostly one
 * transaction, ages 18–80, ~5% missing age and balance.
 */
export function syntheticCustomers(n: number, seed: number): CustomerFeatures {
  const rng = createRng(seed);
  const fill = (g: () => number): Float64Array => {
    const a = new Float64Array(n);
    for (let i = 0; i < n; i++) a[i] = g();
    return a;
  };
  const frequency = fill(() => {
    const u = rng.next();
    return u < 0.84 ? 1 : u < 0.97 ? 2 : u < 0.995 ? 3 : 4;
  });
  const monetaryMean = fill(() => Math.exp(6.1 + 1.3 * rng.normal()));
  return customerFeaturesOf(
    n,
    {
      recencyDays: fill(() => rng.int(82)),
      frequency,
      monetaryTotal: monetaryMean.map((m, i) => m * frequency[i]),
      monetaryMean,
      balance: fill(() => (rng.next() < 0.05 ? NaN : Math.exp(9.7 + 1.8 * rng.normal()))),
      age: fill(() => (rng.next() < 0.05 ? NaN : 18 + rng.int(63))),
    },
    { customerId: Array.from({ length: n }, (_, i) => `C${1_000_000 + i}`) },
  );
}

/** 30 points in three noisy groups of 10 (rounded to 3 decimals), the data set of the scikit-learn reference values in the tests. */
export const THIRTY = [
  [0.001, 0.299, -0.274], [-0.891, -0.455, -0.992], [0.06, 1.34, -0.492], [-0.62, 0.49, 0.357], [0.105, -0.93, -0.029],
  [0.695, -1.344, -0.458], [-1.901, -1.29, -1.842], [-0.235, -1.267, 0.271], [0.157, -0.187, -2.517], [-0.539, -0.049, 0.113],
  [1.47, 0.522, -0.979], [2.191, 2.061, -0.808], [2.967, 1.884, -0.584], [2.888, 1.11, 0.064], [1.775, 1.076, 1.359],
  [1.453, 1.859, 0.119], [2.359, 3.0, 0.762], [1.801, 1.075, 0.577], [2.811, 1.683, -0.067], [3.667, 2.439, -0.676],
  [0.203, 2.537, 2.127], [-1.187, 2.421, 1.804], [0.899, 4.145, 0.676], [-0.795, 3.647, 0.008], [-0.463, 2.903, 3.257],
  [0.689, 2.673, 1.631], [-0.25, 4.524, 1.572], [-0.304, 3.353, 1.879], [-0.197, 1.886, 1.988], [-0.444, 4.166, 2.653],
];
