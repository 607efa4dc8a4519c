/**
 * Cluster metrics against independent references: hand-worked small cases, brute-force double loops,
 * and values computed with scikit-learn 1.x (sklearn.metrics) on the same points.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjustedRandIndex, calinskiHarabasz, daviesBouldin, metricSample, silhouetteMeans, silhouettePlan, silhouetteSample, silhouetteSampleMany, silhouetteValues } from '../src/segment/metrics';
import { inertiaOf } from '../src/segment/kmeans';
import { createRng } from '../src/stats/random';
import { blobs, spaceOf, THIRTY } from './helpers/segment';
import * as ss from 'simple-statistics';

const close = (actual: number, expected: number, tol = 1e-9, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what} ${actual} vs ${expected}`);

// Six points in three pairs: A = (0,0),(2,0); B = (10,0),(10,4); C = (0,10),(6,10).
const SIX = spaceOf([[0, 0], [2, 0], [10, 0], [10, 4], [0, 10], [6, 10]]);
const SIX_LABELS = Int32Array.of(0, 0, 1, 1, 2, 2);

test('Davies–Bouldin by hand on six points', () => {
  // Means (1,0), (10,2), (3,10); mean distances to them s = 1, 2, 3.
  // Ratios: AB 3/√85, AC 4/√104, BC 5/√113 → worst per cluster: A 4/√104, B 5/√113, C 5/√113.
  const expected = (4 / Math.sqrt(104) + 5 / Math.sqrt(113) + 5 / Math.sqrt(113)) / 3;
  close(daviesBouldin(SIX, { k: 3, labels: SIX_LABELS }), expected);
  close(expected, 0.4443177128866551, 1e-12, 'sklearn davies_bouldin_score'); // the hand value is sklearn's
});

test('Calinski–Harabasz by hand on six points', () => {
  // Overall mean (14/3, 4). B = 2·(121/9 + 16) + 2·(256/9 + 4) + 2·(25/9 + 36) = 1812/9; W = 2 + 8 + 18 = 28.
  const expected = (1812 / 9 / 2) / (28 / 3);
  close(calinskiHarabasz(SIX, { k: 3, labels: SIX_LABELS }), expected);
  close(expected, 10.785714285714286, 1e-12, 'sklearn calinski_harabasz_score');
});

test('silhouette of the six points equals scikit-learn and a hand-written double loop', () => {
  close(silhouetteSample(SIX, SIX_LABELS, 3, { sampleSize: 100 }), 0.5735911977153759, 1e-12);
});

// 30 points in three noisy groups (rounded to 3 decimals), and a k-means labeling with k = 4.
const TRUE3 = Int32Array.from({ length: 30 }, (_, i) => Math.floor(i / 10));
const KM4 = Int32Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 2, 2, 1, 1, 2, 2, 1, 2, 2, 2);

test('sampled silhouette over all points equals the mean of simple-statistics\' per-point silhouette (n×n, small n)', () => {
  // simple-statistics builds the full distance matrix and returns each point's silhouette (silhouetteMetric is
  // their max, not the mean, so the mean is taken here): an independent implementation for a few hundred points.
  const { rows, truth } = blobs([[0, 0, 0], [2, 1, 0], [0, 2, 2], [3, 3, 3]], 60, 0.9, 11);
  const space = spaceOf(rows);
  const perPoint = ss.silhouette(rows, Array.from(truth));
  close(silhouetteSample(space, truth, 4, { sampleSize: rows.length }), ss.mean(perPoint), 1e-12, 'silhouette vs simple-statistics');
});

test('metrics on 30 points equal scikit-learn', () => {
  const space = spaceOf(THIRTY);
  close(silhouetteSample(space, TRUE3, 3, { sampleSize: 30 }), 0.4734652689390089, 1e-12, 'silhouette');
  close(silhouetteSample(space, KM4, 4, { sampleSize: 30 }), 0.41006406722100863, 1e-12, 'silhouette k=4');
  close(daviesBouldin(space, { k: 3, labels: TRUE3 }), 0.7187145544438058, 1e-12, 'DB');
  close(daviesBouldin(space, { k: 4, labels: KM4 }), 0.8828549402827335, 1e-12, 'DB k=4');
  close(calinskiHarabasz(space, { k: 3, labels: TRUE3 }), 35.38074459787294, 1e-12, 'CH');
  close(calinskiHarabasz(space, { k: 4, labels: KM4 }), 28.097239601329616, 1e-12, 'CH k=4');
  close(adjustedRandIndex(TRUE3, KM4), 0.8821822402785838, 1e-12, 'ARI');
});

/** Silhouette by the definition, over explicit pairs of number[] points. O(m²). */
function bruteSilhouette(points: number[][], labels: number[]): number {
  const dist = (a: number[], b: number[]) => Math.sqrt(a.reduce((s, x, t) => s + (x - b[t]) ** 2, 0));
  let total = 0;
  for (let i = 0; i < points.length; i++) {
    const byCluster = new Map<number, { sum: number; count: number }>();
    for (let j = 0; j < points.length; j++) {
      if (j === i) continue;
      const e = byCluster.get(labels[j]) ?? { sum: 0, count: 0 };
      e.sum += dist(points[i], points[j]);
      e.count++;
      byCluster.set(labels[j], e);
    }
    const own = byCluster.get(labels[i]);
    if (!own) continue; // alone in its cluster: 0
    const a = own.sum / own.count;
    const others = [...byCluster.entries()].filter(([c]) => c !== labels[i]).map(([, e]) => e.sum / e.count);
    if (others.length === 0) continue;
    const b = Math.min(...others);
    total += (b - a) / Math.max(a, b);
  }
  return total / points.length;
}

test('sampled silhouette equals the brute-force silhouette of the same sample', () => {
  const { rows } = blobs([[0, 0, 0], [2, 1, 0], [0, 2, 2], [3, 3, 3]], 150, 1.2, 11);
  const space = spaceOf(rows);
  const rng = createRng(5);
  const labels = Int32Array.from(rows, () => rng.int(4)); // an arbitrary (bad) labeling is as good a test as any
  const good = Int32Array.from(rows, (_, i) => Math.floor(i / 150));
  const sample = metricSample(space.n, { sampleSize: 200, seed: 9 });
  // The sample: 200 distinct rows in increasing order.
  assert.equal(sample.length, 200);
  for (let i = 1; i < sample.length; i++) assert.ok(sample[i] > sample[i - 1]);
  const pts = Array.from(sample, (r) => rows[r]);
  for (const [lab, k] of [[labels, 4], [good, 4]] as const) {
    const expected = bruteSilhouette(pts, Array.from(sample, (r) => lab[r]));
    close(silhouetteSample(space, lab, k, { sampleSize: 200, seed: 9 }), expected, 1e-12);
  }
  // All labelings at once give the same numbers as one at a time; the whole set when the sample is larger.
  const many = silhouetteSampleMany(space, [labels, good], [4, 4], { sampleSize: 200, seed: 9 });
  close(many[0], silhouetteSample(space, labels, 4, { sampleSize: 200, seed: 9 }), 1e-15);
  close(many[1], silhouetteSample(space, good, 4, { sampleSize: 200, seed: 9 }), 1e-15);
  close(silhouetteSample(space, good, 4, { sampleSize: 10_000 }), bruteSilhouette(rows, Array.from(good)), 1e-12);
});

test('silhouette conventions: a point alone in its cluster scores 0; labels out of range are refused', () => {
  const space = spaceOf([[0], [1], [10]]);
  // Point 2 is alone (0); points 0 and 1: a = 1, b = 10 and 9 → 0.9 and 8/9.
  close(silhouetteSample(space, Int32Array.of(0, 0, 1), 2), (0.9 + 8 / 9 + 0) / 3, 1e-12);
  assert.throws(() => silhouetteSample(space, Int32Array.of(0, 0, 2), 2), /label 2 is outside 0\.\.1/);
});

test('adjusted Rand index on hand-worked contingency tables', () => {
  // [0,0,0,1,1,1] vs [0,0,1,1,2,2]: Σ C(n_ij,2) = 2, rows 6, cols 3, C(6,2) = 15 → E = 1.2, max 4.5 → 0.8/3.3.
  close(adjustedRandIndex(Int32Array.of(0, 0, 0, 1, 1, 1), Int32Array.of(0, 0, 1, 1, 2, 2)), 0.8 / 3.3, 1e-12);
  // scikit-learn's documented examples.
  close(adjustedRandIndex(Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 0, 1, 2)), 4 / 7, 1e-12);
  close(adjustedRandIndex(Int32Array.of(0, 0, 1, 1), Int32Array.of(0, 1, 0, 1)), -0.5, 1e-12);
  // Renaming clusters changes nothing; both trivial partitions agree perfectly.
  assert.equal(adjustedRandIndex(Int32Array.of(0, 0, 1, 1, 2), Int32Array.of(5, 5, 3, 3, 0)), 1);
  assert.equal(adjustedRandIndex(Int32Array.of(0, 0, 0), Int32Array.of(1, 1, 1)), 1);
  assert.throws(() => adjustedRandIndex(Int32Array.of(0, 1), Int32Array.of(0)), /differ in length/);
});

test('inertia equals a brute-force sum of squared distances', () => {
  const space = spaceOf(THIRTY);
  const centroids = Float64Array.of(0, 0, 0, 2, 2, 0, 0, 3, 2, 1, 1, 1);
  const labels = KM4;
  let expected = 0;
  THIRTY.forEach((p, i) => p.forEach((x, t) => (expected += (x - centroids[labels[i] * 3 + t]) ** 2)));
  close(inertiaOf(space, labels, centroids), expected, 1e-12);
});

test('silhouette rows computed in pieces of any size add up to the same bits as in one pass', () => {
  const { rows } = blobs([[0, 0, 0], [4, 0, 0], [0, 4, 1]], 170, 1.2, 21);
  const space = spaceOf(rows);
  const labelings = [2, 3, 5].map((k) => Int32Array.from({ length: space.n }, (_, i) => (i * 7 + (i >> 3)) % k));
  const opts = { sampleSize: 301, seed: 5 };
  const whole = silhouetteSampleMany(space, labelings, [2, 3, 5], opts);
  const plan = silhouettePlan(space, labelings, [2, 3, 5], opts);
  const values = new Float64Array(3 * plan.m);
  for (const [from, to] of [[0, 3], [3, 64], [64, 65], [65, 200], [200, 301]]) silhouetteValues(plan, from, to, values);
  const pieces = silhouetteMeans(plan, values);
  assert.deepEqual(new Float64Array(pieces), new Float64Array(whole));
  // The per-row values are the silhouettes: their mean for one labeling, by hand-written brute force, agrees.
  const sample = metricSample(space.n, opts);
  const dist = (i: number, j: number) => Math.hypot(...[0, 1, 2].map((t) => space.X[sample[i] * 3 + t] - space.X[sample[j] * 3 + t]));
  const own = Array.from(sample, (r) => labelings[1][r]);
  let total = 0;
  for (let i = 0; i < sample.length; i++) {
    const byCluster = [0, 0, 0];
    const sizes = [0, 0, 0];
    for (let j = 0; j < sample.length; j++) {
      byCluster[own[j]] += dist(i, j);
      sizes[own[j]]++;
    }
    if (sizes[own[i]] < 2) continue;
    const a = byCluster[own[i]] / (sizes[own[i]] - 1);
    const b = Math.min(...[0, 1, 2].filter((q) => q !== own[i] && sizes[q] > 0).map((q) => byCluster[q] / sizes[q]));
    total += (b - a) / Math.max(a, b);
    assert.ok(Math.abs(values[plan.m + i] - (b - a) / Math.max(a, b)) < 1e-12, `row ${i}`);
  }
  assert.ok(Math.abs(pieces[1] - total / sample.length) < 1e-12);
});
