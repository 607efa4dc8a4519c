/**
 * The population stability index against hand-worked examples, its bins and empty-bin rule, the readings at their
 * boundaries, and the sampling-noise formula against a simulation (two samples of one population, many times).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binCounts, binOf, labelCounts, psi, psiCuts, psiNoise, psiReading, PSI_EPSILON } from '../src/stats/psi';
import { createRng } from '../src/stats/random';

const close = (a: number, b: number, tol = 1e-12) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

test('PSI, hand-worked: 25/25/25/25% → 10/20/30/40%', () => {
  // (0.10−0.25)·ln(0.10/0.25) = −0.15 · −0.9162907 = 0.1374436
  // (0.20−0.25)·ln(0.20/0.25) = −0.05 · −0.2231436 = 0.0111572
  // (0.30−0.25)·ln(0.30/0.25) =  0.05 ·  0.1823216 = 0.0091161
  // (0.40−0.25)·ln(0.40/0.25) =  0.15 ·  0.4700036 = 0.0705005
  //                                                   sum 0.2282174
  close(psi([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]), 0.2282174, 1e-7);
  // Counts are divided by their own totals: the same PSI.
  close(psi([250, 250, 250, 250], [10, 20, 30, 40]), psi([0.25, 0.25, 0.25, 0.25], [0.1, 0.2, 0.3, 0.4]));
  // Symmetric in its two sides, 0 for the same shares.
  close(psi([0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]), 0.2282174, 1e-7);
  assert.equal(psi([3, 1], [6, 2]), 0);
});

test('PSI with an empty bin: the share 0 counts as 0.0001 (hand-worked)', () => {
  assert.equal(PSI_EPSILON, 0.0001);
  // (1 − 0.5)·ln(1/0.5) + (0.0001 − 0.5)·ln(0.0001/0.5) = 0.3465736 + 4.2577449 = 4.6043185
  close(psi([1, 1], [1, 0]), 4.6043185, 1e-7);
  // A bin empty on both sides adds nothing.
  close(psi([1, 1, 0], [1, 1, 0]), 0);
  // No data on a side: not measurable.
  assert.ok(Number.isNaN(psi([1, 1], [0, 0])));
  assert.throws(() => psi([1, 1], [1]), /expected 2 bins, got 1/);
});

test('the readings at their boundaries: < 0.1 stable, 0.1–0.25 watch, > 0.25 refit', () => {
  assert.equal(psiReading(0), 'stable');
  assert.equal(psiReading(0.0999), 'stable');
  assert.equal(psiReading(0.1), 'watch');
  assert.equal(psiReading(0.25), 'watch');
  assert.equal(psiReading(0.2501), 'refit');
  assert.equal(psiReading(NaN), undefined);
});

test('bins: cut at the reference deciles, values the reference holds, distinct and below its maximum', () => {
  assert.deepEqual(psiCuts(Float64Array.of(10, 9, 8, 7, 6, 5, 4, 3, 2, 1)), [1, 2, 3, 4, 5, 6, 7, 8, 9]);
  // Ties: ranks ⌈10·j/10⌉ of 1,1,1,1,1,2,2,3,4,5 read 1,1,1,1,1,2,2,3,4; distinct: 1,2,3,4 (5 is the maximum).
  const tied = Float64Array.of(1, 1, 1, 1, 1, 2, 2, 3, 4, 5, NaN);
  const cuts = psiCuts(tied);
  assert.deepEqual(cuts, [1, 2, 3, 4]);
  // x ≤ 1: five; (1, 2]: two; (2, 3]: one; (3, 4]: one; > 4: one; missing: one. No reference bin is empty.
  assert.deepEqual(binCounts(tied, cuts), [5, 2, 1, 1, 1, 1]);
  assert.equal(binOf(1, cuts), 0);
  assert.equal(binOf(1.5, cuts), 1);
  assert.equal(binOf(4, cuts), 3);
  assert.equal(binOf(4.01, cuts), 4);
  assert.equal(binOf(-1e9, cuts), 0);
  // One distinct value: one bin (plus missing).
  assert.deepEqual(psiCuts(Float64Array.of(7, 7, 7)), []);
  assert.deepEqual(binCounts(Float64Array.of(7, 8, NaN), []), [2, 1]);
  assert.deepEqual(labelCounts(Int32Array.of(0, 2, 2, 1, 2), 4), [1, 1, 3, 0]);
  // Every reference bin holds reference values, whatever the data.
  const rng = createRng(5);
  for (let trial = 0; trial < 20; trial++) {
    const values = Float64Array.from({ length: 50 + trial * 37 }, () => Math.floor(rng.next() ** 3 * (2 + trial)));
    const counts = binCounts(values, psiCuts(values));
    assert.ok(counts.slice(0, -1).every((c) => c > 0), `trial ${trial}: ${counts}`);
  }
});

test('psiNoise: the mean PSI of two samples of one population, as simulated', () => {
  // Ten equally likely bins, samples of 2,000 and 500: noise = 9 · (1/2000 + 1/500) = 0.0225.
  close(psiNoise(10, 2000, 500), 0.0225);
  const rng = createRng(11);
  const draw = (n: number): number[] => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) counts[rng.int(10)]++;
    return counts;
  };
  let total = 0;
  const reps = 400;
  for (let r = 0; r < reps; r++) total += psi(draw(2000), draw(500));
  const mean = total / reps;
  assert.ok(Math.abs(mean - 0.0225) / 0.0225 < 0.1, `simulated mean PSI ${mean} vs 0.0225`);
});
