/**
 * The model space and the k-means fit: hand-computed transforms, ml-kmeans and scikit-learn as references,
 * exact recovery of well-separated blobs for every seed, determinism, and one-line errors for bad arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kmeans as mlKMeans } from 'ml-kmeans';
import { buildModelSpace, toOriginalUnits } from '../src/segment/space';
import { deriveSeed, fitKMeans, fitKMeansDetailed, inertiaOf, lloyd, nearestCentroid } from '../src/segment/kmeans';
import { sampleDistinct } from '../src/stats/random';
import { adjustedRandIndex } from '../src/segment/metrics';
import { csvNumber, writeCsvLines } from '../src/io/csv';
import { createRng } from '../src/stats/random';
import { blobs, featuresOf, spaceOf, THIRTY } from './helpers/segment';

const close = (actual: number, expected: number, tol = 1e-9, what = '') =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what} ${actual} vs ${expected}`);

test('model space: log1p, median imputation, population scaling, constant column, by hand', () => {
  const features = featuresOf({
    recencyDays: [0, 10, 20, 70],
    balance: [100, NaN, 1000, 0],
    age: [30, 30, 30, 30],
  });
  const space = buildModelSpace(features, { features: ['recencyDays', 'balance', 'age'] });
  assert.deepEqual(space.features, ['recencyDays', 'balance', 'age']);
  assert.deepEqual(space.logged, ['balance']);
  assert.deepEqual(space.imputed, [0, 1, 0]);
  // balance after log1p: [ln 101, missing, ln 1001, 0]; median of the three known (type 7) = ln 101.
  const logged = [Math.log(101), Math.log(101), Math.log(1001), 0];
  const expectZ = (col: number[]) => {
    const mean = col.reduce((a, b) => a + b, 0) / col.length;
    const sd = Math.sqrt(col.reduce((a, b) => a + (b - mean) ** 2, 0) / col.length); // ddof 0
    return col.map((x) => (x - mean) / sd);
  };
  const zRecency = expectZ([0, 10, 20, 70]);
  const zBalance = expectZ(logged);
  for (let i = 0; i < 4; i++) {
    close(space.X[i * 3], zRecency[i], 1e-12, 'recency');
    close(space.X[i * 3 + 1], zBalance[i], 1e-12, 'balance');
    assert.equal(space.X[i * 3 + 2], 0); // constant column: std 1, all zero
  }
  close(space.median[1], Math.log(101), 1e-12);
  assert.equal(space.std[2], 1);
  // Back to original units.
  const back = toOriginalUnits(space, space.X.subarray(6, 9));
  close(back.recencyDays, 20, 1e-9);
  close(back.balance, 1000, 1e-9);
  close(back.age, 30, 1e-9);
  // The input was not touched.
  assert.ok(Number.isNaN(features.balance[1]));
});

test('model space: the default features and their order; bad feature lists are one-line errors', () => {
  const space = buildModelSpace(featuresOf({ recencyDays: [1, 2, 3] }));
  assert.deepEqual(space.features, ['recencyDays', 'monetaryTotal', 'balance', 'age']);
  assert.deepEqual(space.logged, ['monetaryTotal', 'balance']);
  const oneLine = (fn: () => unknown, pattern: RegExp) =>
    assert.throws(fn, (err: Error) => pattern.test(err.message) && !err.message.includes('\n'));
  oneLine(() => buildModelSpace(featuresOf({ recencyDays: [1] }), { features: ['recency' as never] }), /unknown feature "recency" \(expected one of recencyDays, /);
  oneLine(() => buildModelSpace(featuresOf({ recencyDays: [1] }), { features: [] }), /at least one feature/);
  oneLine(() => buildModelSpace(featuresOf({ recencyDays: [1] }), { features: ['age', 'age'] }), /listed twice/);
});

test('model space: a negative balance (an overdraft) reads as 0 in the log1p, by hand; missing stays imputed', () => {
  const space = buildModelSpace(featuresOf({ balance: [-500, 0, Math.E - 1, NaN, -1e12] }), { features: ['balance'] });
  // After log1p(max(x, 0)): [0, 0, 1, missing, 0]; median of the four known (type 7) = 0; imputed: [0, 0, 1, 0, 0].
  assert.deepEqual(space.imputed, [1]);
  assert.equal(space.median[0], 0);
  const column = [0, 0, 1, 0, 0];
  const mean = 0.2;
  const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / 5); // 0.4
  close(space.std[0], 0.4, 1e-12);
  column.forEach((x, i) => close(space.X[i], (x - mean) / sd, 1e-12, `customer ${i}`));
});

test('Lloyd on all rows reaches the same fixed point as ml-kmeans from the same start', () => {
  const { rows } = blobs([[0, 0, 0], [3, 1, 0], [0, 3, 2], [2, 2, 2], [4, 0, 3]], 120, 1.1, 3);
  const space = spaceOf(rows);
  for (const seed of [1, 2, 3]) {
    // Distinct start rows: with a repeated one, ml-kmeans keeps an empty cluster's centroid where we move it.
    const start = Array.from(sampleDistinct(rows.length, 5, createRng(seed)), (i) => rows[i].slice());
    const reference = mlKMeans(rows, 5, { initialization: start.map((c) => c.slice()), tolerance: 0, maxIterations: 1000 });
    const mine = lloyd(space, Float64Array.from(start.flat()), 5, { tolerance: 0, maxIterations: 1000 });
    assert.ok(reference.converged && mine.converged);
    assert.deepEqual(Array.from(mine.labels), reference.clusters, `labels, seed ${seed}`);
    reference.centroids.forEach((c, j) => c.forEach((x, t) => close(mine.centroids[j * 3 + t], x, 1e-9, 'centroid')));
    // Inertia: ml-kmeans reports it per cluster.
    const info = reference.computeInformation(rows);
    close(mine.inertia, info.reduce((s, c) => s + c.error, 0), 1e-9, 'inertia');
  }
});

test('on small data each restart is exactly an ml-kmeans run, and the best one is kept', () => {
  // With a sample size of n, restart r runs on all rows: ml-kmeans k-means++ seeds, then Lloyd to convergence.
  const { rows } = blobs([[0, 0, 0], [3, 1, 0], [0, 3, 2]], 40, 1, 7);
  const space = spaceOf(rows);
  for (const seed of [1, 2]) {
    const fit = fitKMeans(space, 4, { seed, nInit: 6, maxRestarts: 6, tolerance: 0, sampleSize: rows.length });
    let best = Infinity;
    for (let r = 0; r < 6; r++) {
      const run = mlKMeans(rows, 4, { initialization: 'kmeans++', seed: deriveSeed(seed, 4, r), tolerance: 0, maxIterations: 1000 });
      best = Math.min(best, run.computeInformation(rows).reduce((s, c) => s + c.error, 0));
    }
    close(fit.inertia, best, 1e-9, `seed ${seed}`);
  }
});

test('with 30 restarts the fit is at least as good as scikit-learn KMeans(n_init=10) on its own points', () => {
  // scikit-learn 1.x KMeans(4, n_init=10, random_state=0) on these 30 points: inertia 45.1577463047619
  // (not the global optimum: 44.97 exists). A k-means++ restart reaches <= 45.158 about one time in five.
  const space = spaceOf(THIRTY);
  for (const seed of [1, 2, 3]) {
    const fit = fitKMeans(space, 4, { seed, nInit: 30, sampleSize: 30 });
    assert.ok(fit.inertia <= 45.1577463047619 + 1e-9, `seed ${seed}: ${fit.inertia}`);
  }
});


test('well-separated blobs are recovered exactly (ARI = 1) for every seed, through the sample + full-data path', () => {
  const centers = [[0, 0, 0, 0, 0, 0], [8, 0, 0, 8, 0, 0], [0, 8, 0, 0, 8, 0], [0, 0, 8, 0, 0, 8]];
  const { rows, truth } = blobs(centers, 3000, 1, 21);
  const space = spaceOf(rows);
  for (let seed = 1; seed <= 10; seed++) {
    const fit = fitKMeans(space, 4, { seed, nInit: 2, sampleSize: 2000, seedingSampleSize: 500, scoringSampleSize: 4000 });
    assert.equal(adjustedRandIndex(fit.labels, truth), 1, `seed ${seed}`);
    assert.ok(fit.converged);
    // Every label is the nearest centroid, and the reported inertia is the brute-force one.
    assert.deepEqual(nearestCentroid(space, fit.centroids, 4), fit.labels);
    let brute = 0;
    rows.forEach((p, i) => p.forEach((x, t) => (brute += (x - fit.centroids[fit.labels[i] * 6 + t]) ** 2)));
    close(fit.inertia, brute, 1e-9);
  }
});

test('the same seed gives the same fit; restarts are scored and the best is refined', () => {
  const { rows } = blobs([[0, 0], [2, 0], [1, 2], [3, 3], [0, 3]], 800, 0.9, 8);
  const space = spaceOf(rows);
  const opts = { seed: 17, nInit: 3, maxRestarts: 3, sampleSize: 1000, seedingSampleSize: 300, scoringSampleSize: 2000 };
  const a = fitKMeansDetailed(space, 5, opts);
  const b = fitKMeansDetailed(space, 5, opts);
  assert.deepEqual(a.fit.labels, b.fit.labels);
  assert.deepEqual(a.fit.centroids, b.fit.centroids);
  assert.equal(a.fit.inertia, b.fit.inertia);
  assert.equal(a.restarts.length, 3);
  // The best restart on the scoring sample, or a near-equal different one that won when both were refined there.
  const bestScore = Math.min(...a.restartInertia);
  assert.ok(a.restartInertia[a.chosenRestart] <= bestScore * 1.01, `chosen ${a.restartInertia[a.chosenRestart]} vs best ${bestScore}`);
  // Refining on all rows never makes the chosen restart worse.
  const start = a.restarts[a.chosenRestart].centroids;
  assert.ok(a.fit.inertia <= inertiaOf(space, nearestCentroid(space, start, 5), start) + 1e-9);
});

test('a cluster left empty is moved to the farthest point instead of disappearing', () => {
  const space = spaceOf([[0], [1], [10], [11], [30]]);
  const fit = lloyd(space, Float64Array.of(0.5, 10.5, 100), 3, { tolerance: 0 });
  const sizes = [0, 0, 0];
  fit.labels.forEach((c) => sizes[c]++);
  assert.ok(sizes.every((s) => s > 0), `sizes ${sizes}`);
  close(fit.inertia, 0.5 * 0.5 * 4, 1e-12); // {0,1}, {10,11}, {30}
});

test('restarts go on past nInit, up to maxRestarts, until 3 of them reach the best solution or a rival appears', () => {
  // The 30 points where only about one k-means++ restart in five reaches the best inertia (see the test above).
  const space = spaceOf(THIRTY);
  const k = 4;
  let extended = 0;
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const d = fitKMeansDetailed(space, k, { seed, nInit: 2, maxRestarts: 12 });
    const L = d.restarts.length;
    assert.ok(L >= 2 && L <= 12 && d.confirmedBy <= L);
    if (L < 12) assert.ok(d.confirmedBy >= 3 || d.rival, `seed ${seed}: stopped at ${L}, confirmed by ${d.confirmedBy}`);
    // At least the restarts whose own solution is near the delivered one and splits the points as it does confirm it.
    const labels = d.restarts.map((r) => nearestCentroid(space, r.centroids, k));
    const bestScore = Math.min(...d.restartInertia);
    const same = labels.filter((l, r) => d.restartInertia[r] <= bestScore * 1.01 && adjustedRandIndex(l, labels[d.chosenRestart]) >= 0.9).length;
    assert.ok(d.confirmedBy >= same, `seed ${seed}: ${d.confirmedBy} < ${same}`);
    // Not one restart more than needed: stopped one earlier (restarts are seeded by their number), it was not settled.
    if (L > 2) {
      const earlier = fitKMeansDetailed(space, k, { seed, nInit: 2, maxRestarts: L - 1 });
      assert.equal(earlier.restarts.length, L - 1);
      assert.ok(earlier.confirmedBy < 3 && !earlier.rival, `seed ${seed}: already settled after ${L - 1}`);
    }
    if (L > 3) extended++;
  }
  assert.ok(extended > 0, 'some seed needed more than three restarts');
  assert.throws(() => fitKMeans(space, 4, { nInit: 5, maxRestarts: 4 }), /maxRestarts must be a whole number >= nInit \(5\), got 4/);
});

test('bad k or nInit is a clear one-line error', () => {
  const space = spaceOf([[0], [1], [2]]);
  const oneLine = (fn: () => unknown, pattern: RegExp) =>
    assert.throws(fn, (err: Error) => err instanceof RangeError && pattern.test(err.message) && !err.message.includes('\n'));
  oneLine(() => fitKMeans(space, 1), /k must be a whole number >= 2, got 1/);
  oneLine(() => fitKMeans(space, 0), /k must be a whole number >= 2, got 0/);
  oneLine(() => fitKMeans(space, 2.5), /k must be a whole number >= 2, got 2\.5/);
  oneLine(() => fitKMeans(space, 4), /k = 4 is more than the 3 customers to segment/);
  oneLine(() => fitKMeans(space, 2, { nInit: 0 }), /nInit must be a whole number >= 1/);
  // k = n is allowed: every point its own cluster.
  assert.equal(fitKMeans(space, 3).inertia, 0);
});

test('sampleDistinct draws distinct indices uniformly', () => {
  const rng = createRng(4);
  const counts = new Array(10).fill(0);
  for (let r = 0; r < 4000; r++) {
    const s = sampleDistinct(10, 3, rng);
    assert.equal(new Set(s).size, 3);
    s.forEach((i) => counts[i]++);
  }
  // Each index is drawn 3/10 of the time: 1200 ± 4.5 sd (sd = √(4000·0.3·0.7) ≈ 29).
  counts.forEach((c) => assert.ok(Math.abs(c - 1200) < 130, `count ${c}`));
  assert.deepEqual(Array.from(sampleDistinct(4, 9, rng)), [0, 1, 2, 3]);
});

test('CSV numbers: the digits of String(round(x·10^d) / 10^d), built faster', () => {
  const rng = createRng(12);
  for (let i = 0; i < 20_000; i++) {
    const x = (rng.next() - 0.5) * 10 ** (rng.int(12) - 4);
    for (const decimals of [2, 6]) {
      const scale = 10 ** decimals;
      const expected = String(Math.round(x * scale) / scale).replace(/^-0$/, '0');
      assert.equal(csvNumber(x, decimals), expected, `${x} to ${decimals}`);
    }
  }
  assert.equal(csvNumber(NaN, 2), '');
  assert.equal(csvNumber(17819.05, 2), '17819.05');
  assert.equal(csvNumber(-0.0000004, 6), '0');
  assert.equal(csvNumber(80, 2), '80');
});

test('writeCsvLines writes every line once, in order, across write blocks and event-loop turns', async () => {
  for (const n of [0, 1, 999, 1_000, 1_001, 50_000, 120_001]) {
    const writes: string[] = [];
    await writeCsvLines({ write: (text) => void writes.push(String(text)), bytes: 0 }, n, (i) => `row ${i}`);
    const expected = n === 0 ? '' : Array.from({ length: n }, (_, i) => `row ${i}\n`).join('');
    assert.equal(writes.join(''), expected, `${n} lines`);
    assert.ok(writes.every((w) => w.endsWith('\n')), 'each write ends a line');
  }
});
