/** Choosing k: the elbow rule by hand, the recommendation rule, and a sweep that must find planted clusters. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elbowK, recommendK, stabilityOf, sweepFits } from '../src/segment/select';
import { calinskiHarabasz, daviesBouldin, silhouetteSample } from '../src/segment/metrics';
import type { KScore } from '../src/segment/types';
import { blobs, spaceOf } from './helpers/segment';

const score = (k: number, inertia: number, silhouette: number, stability: number, daviesBouldin = 1): KScore => ({
  k,
  inertia,
  silhouette,
  daviesBouldin,
  calinskiHarabasz: 100,
  stability,
});

test('elbow: the k farthest below the chord of the rescaled inertia curve (by hand)', () => {
  // k 2..7, inertia 100, 50, 20, 15, 12, 10 → y = 1, .444, .111, .056, .022, 0 and x = 0, .2, .4, .6, .8, 1;
  // 1 − x − y = 0, .356, .489, .344, .178, 0 → k = 4.
  const curve = [100, 50, 20, 15, 12, 10].map((inertia, i) => ({ k: i + 2, inertia }));
  assert.equal(elbowK(curve), 4);
  // A straight line has no elbow: the first k.
  assert.equal(elbowK([4, 3, 2, 1].map((inertia, i) => ({ k: i + 2, inertia }))), 2);
  assert.equal(elbowK([{ k: 3, inertia: 5 }]), 3);
  assert.throws(() => elbowK([]), /empty/);
});

test('recommendation: best silhouette among the stable k next to the elbow, with a one-sentence reason', () => {
  const inertia = [100, 50, 20, 15, 12, 10];
  const sil = [0.5, 0.3, 0.35, 0.4, 0.2, 0.1]; // k = 2 has the best silhouette overall but is far from the elbow
  const unstable5 = inertia.map((x, i) => score(i + 2, x, sil[i], i + 2 === 5 ? 0.5 : 0.95));
  const r1 = recommendK(unstable5);
  assert.equal(r1.k, 4); // k = 5 has the best silhouette near the elbow but is unstable
  assert.match(r1.reason, /^k = 4 is the elbow of the inertia curve and has the best silhouette there, 0\.35 \(vs 0\.30 at k = 3\), stable across resamples \(mean ARI 0\.95\), Davies–Bouldin 1\.00\.$/);
  const allStable = inertia.map((x, i) => score(i + 2, x, sil[i], 0.9));
  const r2 = recommendK(allStable);
  assert.equal(r2.k, 5);
  assert.match(r2.reason, /^k = 5 is next to the inertia elbow at k = 4/);
  assert.ok(!r2.reason.includes('\n'));
  // Nothing stable near the elbow: judge them all on the silhouette; equal silhouettes → lower Davies–Bouldin.
  const none = inertia.map((x, i) => score(i + 2, x, 0.3, 0.2, i + 2 === 3 ? 0.8 : 1.2));
  assert.equal(recommendK(none).k, 3);
  assert.match(recommendK(none).reason, /unstable across resamples \(mean ARI 0\.20\)/);
});

test('stability: identical sample solutions agree perfectly; different ones less', () => {
  const space = spaceOf([[0], [1], [2], [10], [11], [12]]);
  const rows = Int32Array.of(0, 1, 2, 3, 4, 5);
  const same = { centroids: Float64Array.of(1, 11), sampleIterations: 1 };
  const swapped = { centroids: Float64Array.of(11, 1), sampleIterations: 1 }; // same partition, other names
  const other = { centroids: Float64Array.of(-1, 1.2), sampleIterations: 1 }; // {0} vs {1,2,10,11,12}
  assert.equal(stabilityOf(space, 2, [same, swapped, same], rows), 1);
  // ARI({0,1,2 | 10,11,12}, {0 | 1,2,10,11,12}) by hand: Σ C(n_ij,2) = 1 + 3 = 4, rows 3 + 3 = 6, cols 0 + 10 = 10,
  // C(6,2) = 15, E = 4, max = 8 → 0.
  assert.equal(stabilityOf(space, 2, [same, other], rows), 0);
  assert.ok(Number.isNaN(stabilityOf(space, 2, [same], rows)));
});

test('a sweep over planted clusters recommends their number, and its scores match the metric functions', () => {
  const centers = [[0, 0, 0, 0], [6, 0, 0, 0], [0, 6, 0, 0], [0, 0, 6, 0]];
  const { rows } = blobs(centers, 1500, 1, 5);
  const space = spaceOf(rows);
  const opts = { kMin: 2, kMax: 7, nInit: 2, stabilityRuns: 3, silhouetteSampleSize: 800, sampleSize: 2000, seedingSampleSize: 500, scoringSampleSize: 3000, seed: 3 };
  const { scores, fits } = sweepFits(space, opts);
  assert.deepEqual(scores.map((s) => s.k), [2, 3, 4, 5, 6, 7]);
  const at4 = scores[2];
  assert.equal(recommendK(scores).k, 4);
  assert.ok(at4.stability > 0.99, `stability ${at4.stability}`); // a few boundary points may switch between resamples
  assert.equal(Math.max(...scores.map((s) => s.silhouette)), at4.silhouette);
  assert.equal(Math.min(...scores.map((s) => s.daviesBouldin)), at4.daviesBouldin);
  assert.equal(Math.max(...scores.map((s) => s.calinskiHarabasz)), at4.calinskiHarabasz);
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i].inertia < scores[i - 1].inertia, 'inertia falls with k');
  for (const s of scores) {
    const fit = fits.get(s.k)!;
    assert.equal(s.inertia, fit.inertia);
    assert.equal(s.daviesBouldin, daviesBouldin(space, fit));
    assert.equal(s.calinskiHarabasz, calinskiHarabasz(space, fit));
    assert.ok(Math.abs(s.silhouette - silhouetteSample(space, fit.labels, s.k, { sampleSize: 800, seed: 3 })) < 1e-12);
  }
});

test('bad k ranges are one-line errors', () => {
  const space = spaceOf([[0], [1], [2], [3]]);
  assert.throws(() => sweepFits(space, { kMin: 1, kMax: 3 }), /k must be a whole number >= 2, got 1/);
  assert.throws(() => sweepFits(space, { kMin: 3, kMax: 2 }), /the k range 3\.\.2 is empty/);
  assert.throws(() => sweepFits(space, { kMin: 2, kMax: 5 }), /k = 5 is more than the 4 customers/);
});
