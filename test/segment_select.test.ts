/** Choosing k: the elbow rule by hand, the recommendation rule, and sweeps that must find planted clusters and rivals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { elbowK, EVALUATION_SEED, recommendK, sweepFits } from '../src/segment/select';
import { calinskiHarabasz, daviesBouldin, metricSample, silhouetteSample } from '../src/segment/metrics';
import { inertiaOf, nearestCentroid } from '../src/segment/kmeans';
import type { KScore } from '../src/segment/types';
import { blobs, spaceOf } from './helpers/segment';

const score = (k: number, silhouette: number, stability: number, rivalAri = NaN, confirmedBy = 8): KScore => ({
  k,
  inertia: 100 / k,
  silhouette,
  daviesBouldin: 1,
  calinskiHarabasz: 100,
  stability,
  restarts: confirmedBy < 3 ? 24 : 8,
  confirmedBy,
  rivalGap: Number.isNaN(rivalAri) ? NaN : 0.004,
  rivalAri,
  stable: stability >= 0.9 && Number.isNaN(rivalAri) && confirmedBy >= 3,
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

test('recommendation: only stable k; the best silhouette, the smaller k when within 0.01; a one-sentence reason', () => {
  // k = 5 has the best silhouette but a rival solution; k = 6 refits disagree; k = 7 was found by 2 restarts only;
  // k = 4 is the best stable one.
  const sweep = [score(2, 0.2, 0.99), score(3, 0.25, 0.95), score(4, 0.3, 0.93), score(5, 0.4, 0.97, 0.36), score(6, 0.35, 0.8), score(7, 0.5, 0.99, NaN, 2)];
  const r = recommendK(sweep);
  assert.equal(r.k, 4);
  assert.equal(r.stable, true);
  assert.equal(
    r.reason,
    'k = 4 has the best silhouette among the stable k, 0.30 (vs 0.20 at k = 2, 0.25 at k = 3); 8 of 8 restarts found its solution and the equally good refits agree with its segments at mean ARI 0.93; k = 5, 6, 7 are not stable.',
  );
  // Within the tolerance: 0.305 vs 0.30 is noise, the smaller k is kept and the reason says so.
  const close = [score(2, 0.1, 0.99), score(3, 0.3, 0.95), score(4, 0.305, 0.95)];
  const c = recommendK(close);
  assert.equal(c.k, 3);
  assert.match(c.reason, /; k = 4 scores within 0\.01 of it, so the smaller k is kept;/);
  assert.ok(!c.reason.includes('\n'));
});

test('recommendation: when no k is stable, the most stable one, and the reason says so plainly', () => {
  // Closest: no rival first, then found by more restarts, then the higher agreement.
  const sweep = [score(2, 0.3, 0.7), score(3, 0.25, 0.88), score(4, 0.3, 0.95, 0.4), score(5, 0.3, 0.99, NaN, 2)];
  const r = recommendK(sweep);
  assert.equal(r.k, 3);
  assert.equal(r.stable, false);
  assert.equal(
    r.reason,
    'No k in k = 2..5 is stable (found by 3+ restarts, equally good refits agreeing at mean ARI >= 0.9, no different solution within 1.0% of the inertia); k = 3 comes closest (equally good refits agree at ARI 0.88), so treat its segments as provisional.',
  );
});

test('a sweep over planted clusters recommends their number, and its scores match the metric functions', () => {
  const centers = [[0, 0, 0, 0], [6, 0, 0, 0], [0, 6, 0, 0], [0, 0, 6, 0]];
  const { rows } = blobs(centers, 1500, 1, 5);
  const space = spaceOf(rows);
  const opts = { kMin: 2, kMax: 7, nInit: 4, silhouetteSampleSize: 800, sampleSize: 2000, seedingSampleSize: 500, scoringSampleSize: 3000, seed: 3 };
  const { scores, fits } = sweepFits(space, opts);
  assert.deepEqual(scores.map((s) => s.k), [2, 3, 4, 5, 6, 7]);
  const at4 = scores[2];
  assert.equal(recommendK(scores).k, 4);
  assert.ok(at4.stability > 0.99, `stability ${at4.stability}`); // a few boundary points may switch between resamples
  assert.ok(at4.stable);
  assert.equal(Math.max(...scores.map((s) => s.silhouette)), at4.silhouette);
  assert.equal(Math.min(...scores.map((s) => s.daviesBouldin)), at4.daviesBouldin);
  assert.equal(Math.max(...scores.map((s) => s.calinskiHarabasz)), at4.calinskiHarabasz);
  for (let i = 1; i < scores.length; i++) assert.ok(scores[i].inertia < scores[i - 1].inertia, 'inertia falls with k');
  for (const s of scores) {
    // The sweep keeps centroids, not every customer's label: the labels are the centroids' nearest (lloyd's too).
    const kept = fits.get(s.k)!;
    const fit = { k: s.k, labels: nearestCentroid(space, kept.centroids, s.k) };
    assert.equal(s.inertia, inertiaOf(space, fit.labels, kept.centroids));
    assert.equal(s.daviesBouldin, daviesBouldin(space, fit));
    assert.equal(s.calinskiHarabasz, calinskiHarabasz(space, fit));
    assert.ok(Math.abs(s.silhouette - silhouetteSample(space, fit.labels, s.k, { sampleSize: 800, seed: EVALUATION_SEED })) < 1e-12);
    const evaluation = metricSample(space.n, { sampleSize: 800, seed: EVALUATION_SEED });
    assert.deepEqual(kept.evaluationLabels, Int32Array.from(evaluation, (i) => fit.labels[i]));
  }
});

test('four equal blobs on a square: k = 2 and 3 have equal-inertia rivals that disagree, k = 4 is recommended, for every seed', () => {
  // Splitting the square left|right or top|bottom (k = 2), or merging any two neighbours (k = 3), gives the same
  // inertia up to noise: k-means has no reason to prefer one, so those k must be flagged, whatever the seed.
  const { rows } = blobs([[0, 0], [6, 0], [0, 6], [6, 6]], 1000, 1, 9);
  const space = spaceOf(rows);
  for (const seed of [1, 2, 3]) {
    const { scores } = sweepFits(space, { kMin: 2, kMax: 5, seed, sampleSize: 1000, seedingSampleSize: 500, scoringSampleSize: 4000, silhouetteSampleSize: 1000 });
    const at = (k: number): KScore => scores.find((s) => s.k === k)!;
    for (const k of [2, 3]) {
      assert.equal(at(k).stable, false, `seed ${seed}, k = ${k}`);
      assert.ok(at(k).rivalAri < 0.9 && at(k).rivalGap <= 0.01, `seed ${seed}, k = ${k}: rival ${at(k).rivalAri} at ${at(k).rivalGap}`);
    }
    assert.ok(at(4).stable && Number.isNaN(at(4).rivalAri) && at(4).stability > 0.99, `seed ${seed}, k = 4`);
    assert.equal(recommendK(scores).k, 4);
  }
});

test('bad k ranges are one-line errors', () => {
  const space = spaceOf([[0], [1], [2], [3]]);
  assert.throws(() => sweepFits(space, { kMin: 1, kMax: 3 }), /k must be a whole number >= 2, got 1/);
  assert.throws(() => sweepFits(space, { kMin: 3, kMax: 2 }), /the k range 3\.\.2 is empty/);
  assert.throws(() => sweepFits(space, { kMin: 2, kMax: 5 }), /k = 5 is more than the 4 customers/);
});
