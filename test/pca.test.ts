import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { pca2, symmetricEigen } from '../src/stats/pca';
import { createRng } from '../src/stats/random';

const close = (a: number, b: number, tol = 1e-9, what = '') =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${what} ${a} != ${b}`);

/** n×d rows with correlated columns: column j = sum_i mix[j][i] · z_i of independent normals, plus an offset. */
function correlated(n: number, d: number, seed: number): Float64Array {
  const rng = createRng(seed);
  const mix = Array.from({ length: d }, () => Array.from({ length: d }, () => rng.normal()));
  const X = new Float64Array(n * d);
  const z = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) z[k] = rng.normal() * (k + 1);
    for (let j = 0; j < d; j++) {
      let v = 10 * j;
      for (let k = 0; k < d; k++) v += mix[j][k] * z[k];
      X[i * d + j] = v;
    }
  }
  return X;
}

/** Population variance of the projections of every row on `direction` (brute force, two passes). */
function varianceAlong(X: Float64Array, n: number, d: number, direction: ArrayLike<number>): number {
  const proj = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += X[i * d + k] * direction[k];
    proj[i] = s;
  }
  const mean = proj.reduce((a, b) => a + b, 0) / n;
  return proj.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
}

describe('symmetricEigen', () => {
  test('2×2 matches the closed form (a+c)/2 ± sqrt(((a−c)/2)² + b²)', () => {
    const [a, b, c] = [4, 1.5, -2];
    const { values } = symmetricEigen(Float64Array.of(a, b, b, c), 2);
    const r = Math.sqrt(((a - c) / 2) ** 2 + b * b);
    const sorted = Array.from(values).sort((x, y) => y - x);
    close(sorted[0], (a + c) / 2 + r, 1e-12);
    close(sorted[1], (a + c) / 2 - r, 1e-12);
  });

  test('A·v = λ·v for every pair of a random symmetric 7×7 matrix; eigenvalues sum to the trace', () => {
    const d = 7;
    const rng = createRng(3);
    const A = new Float64Array(d * d);
    for (let i = 0; i < d; i++) for (let j = i; j < d; j++) A[i * d + j] = A[j * d + i] = rng.normal();
    const { values, vectors } = symmetricEigen(A, d);
    for (let j = 0; j < d; j++) {
      for (let i = 0; i < d; i++) {
        let av = 0;
        for (let k = 0; k < d; k++) av += A[i * d + k] * vectors[k * d + j];
        close(av, values[j] * vectors[i * d + j], 1e-9, `(A v)[${i}] for pair ${j}`);
      }
    }
    let trace = 0;
    for (let i = 0; i < d; i++) trace += A[i * d + i];
    close(values.reduce((s, v) => s + v, 0), trace, 1e-10);
  });

  test('does not modify its input', () => {
    const A = Float64Array.of(2, 1, 1, 2);
    symmetricEigen(A, 2);
    assert.deepEqual(Array.from(A), [2, 1, 1, 2]);
  });
});

describe('pca2', () => {
  test('hand-worked 2-D example: points (3,3), (−3,−3), (1,−1), (−1,1)', () => {
    // Covariance (divisor 4) = [[5, 4], [4, 5]]: eigenvalues 9 along (1,1)/√2 and 1 along (1,−1)/√2.
    const X = Float64Array.of(3, 3, -3, -3, 1, -1, -1, 1);
    const p = pca2(X, 4, 2);
    const s = Math.SQRT1_2;
    close(p.explained[0], 9, 1e-12);
    close(p.explained[1], 1, 1e-12);
    close(p.explainedRatio[0], 0.9, 1e-12);
    close(p.explainedRatio[1], 0.1, 1e-12);
    close(p.components[0], s, 1e-12);
    close(p.components[1], s, 1e-12);
    // PC2 is ±(1,−1)/√2; the sign rule picks the first largest-magnitude entry positive.
    close(p.components[2], s, 1e-12);
    close(p.components[3], -s, 1e-12);
    const [a, b] = p.project([3, 3]);
    close(a, 6 * s, 1e-12);
    close(b, 0, 1e-12);
    const [c, e] = p.project([1, -1]);
    close(c, 0, 1e-12);
    close(e, 2 * s, 1e-12);
  });

  test('components are orthonormal and explained variance equals the brute-force variance of the projections', () => {
    const [n, d] = [2000, 5];
    const X = correlated(n, d, 11);
    const p = pca2(X, n, d);
    const c1 = p.components.subarray(0, d);
    const c2 = p.components.subarray(d, 2 * d);
    const dot = (u: ArrayLike<number>, v: ArrayLike<number>) => Array.from(u).reduce((s, x, i) => s + x * v[i], 0);
    close(dot(c1, c1), 1, 1e-12, '|PC1|');
    close(dot(c2, c2), 1, 1e-12, '|PC2|');
    close(dot(c1, c2), 0, 1e-12, 'PC1·PC2');
    close(p.explained[0], varianceAlong(X, n, d, c1), 1e-9, 'var PC1');
    close(p.explained[1], varianceAlong(X, n, d, c2), 1e-9, 'var PC2');
    // The projections from `project` are the same numbers as the brute-force ones (up to centring).
    const first = p.project(X.subarray(0, d));
    const centred = Array.from(X.subarray(0, d), (v, k) => v - p.mean[k]);
    close(first[0], dot(centred, c1), 1e-9);
    close(first[1], dot(centred, c2), 1e-9);
  });

  test('PC1 has at least the variance of any of 300 random directions; PC2 of any direction orthogonal to PC1', () => {
    const [n, d] = [1500, 4];
    const X = correlated(n, d, 5);
    const p = pca2(X, n, d);
    const c1 = Array.from(p.components.subarray(0, d));
    const rng = createRng(8);
    for (let t = 0; t < 300; t++) {
      let u = Array.from({ length: d }, () => rng.normal());
      const norm = Math.hypot(...u);
      u = u.map((x) => x / norm);
      assert.ok(varianceAlong(X, n, d, u) <= p.explained[0] * (1 + 1e-9));
      // Remove the PC1 part: the rest of the variance peaks at PC2.
      const along = u.reduce((s, x, i) => s + x * c1[i], 0);
      let w = u.map((x, i) => x - along * c1[i]);
      const wn = Math.hypot(...w);
      if (wn < 1e-6) continue;
      w = w.map((x) => x / wn);
      assert.ok(varianceAlong(X, n, d, w) <= p.explained[1] * (1 + 1e-9));
    }
  });

  test('explained ratios are shares of the total variance (sum of column variances)', () => {
    const [n, d] = [800, 6];
    const X = correlated(n, d, 21);
    const p = pca2(X, n, d);
    let total = 0;
    for (let k = 0; k < d; k++) {
      const e = new Float64Array(d);
      e[k] = 1;
      total += varianceAlong(X, n, d, e);
    }
    close(p.explainedRatio[0], p.explained[0] / total, 1e-9);
    close(p.explainedRatio[1], p.explained[1] / total, 1e-9);
    assert.ok(p.explainedRatio[0] + p.explainedRatio[1] <= 1 + 1e-12);
  });

  test('constant data and a single column give zeros, never NaN', () => {
    const flat = pca2(new Float64Array(3 * 10).fill(7), 10, 3);
    assert.deepEqual(flat.explained, [0, 0]);
    assert.deepEqual(flat.explainedRatio, [0, 0]);
    assert.ok(flat.project([7, 7, 7]).every((v) => v === 0));
    const one = pca2(Float64Array.of(1, 2, 3, 4), 4, 1);
    close(one.explained[0], 1.25, 1e-12); // population variance of 1..4
    assert.equal(one.explained[1], 0);
    assert.deepEqual(one.project([4]), [1.5, 0]);
  });

  test('rejects a shape that does not match the data', () => {
    assert.throws(() => pca2(new Float64Array(5), 2, 2), /expected 2×2/);
    assert.throws(() => pca2(new Float64Array(0), 0, 2), /at least one row/);
  });
});
