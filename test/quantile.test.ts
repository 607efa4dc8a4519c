import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { quantile, quantileSelect, quantileSorted, sortedPresent } from '../src/stats/quantile';

function close(actual: number, expected: number, tolerance = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${actual} != ${expected}`);
}

describe('quantileSorted (type 7)', () => {
  test('hand-computed: h = (n − 1)q, interpolate between x[⌊h⌋] and x[⌊h⌋+1]', () => {
    const x = Float64Array.of(1, 2, 3, 4); // n = 4, h = 3q
    assert.equal(quantileSorted(x, 0), 1);
    assert.equal(quantileSorted(x, 1), 4);
    assert.equal(quantileSorted(x, 0.5), 2.5); // h = 1.5
    assert.equal(quantileSorted(x, 0.25), 1.75); // h = 0.75
    close(quantileSorted(x, 0.9), 3.7); // h = 2.7
    assert.equal(quantileSorted(Float64Array.of(1, 2, 3, 4, 5), 0.5), 3); // odd n: the middle value
  });

  test('one value is every quantile; no value gives NaN', () => {
    for (const q of [0, 0.3, 1]) assert.equal(quantileSorted(Float64Array.of(42), q), 42);
    assert.ok(Number.isNaN(quantileSorted(new Float64Array(0), 0.5)));
  });

  test('equal neighbours and an infinite neighbour at an exact order statistic', () => {
    assert.equal(quantileSorted(Float64Array.of(7, 7, 7), 0.4), 7);
    assert.equal(quantileSorted(Float64Array.of(1, 2, Infinity), 0.5), 2); // h = 1 exactly: no ∞·0
  });

  test('q outside [0, 1] or NaN is a RangeError', () => {
    for (const q of [-0.1, 1.01, NaN]) assert.throws(() => quantileSorted(Float64Array.of(1, 2), q), RangeError);
  });
});

describe('quantile (unsorted, NaN ignored)', () => {
  test("numpy's documented example: a = [[10, 7, 4], [3, 2, 1]], np.quantile(a, 0.5) = 3.5", () => {
    assert.equal(quantile(Float64Array.of(10, 7, 4, 3, 2, 1), 0.5), 3.5);
    // ... and along axis 0: [6.5, 4.5, 2.5]
    assert.deepEqual([[10, 3], [7, 2], [4, 1]].map((col) => quantile(Float64Array.from(col), 0.5)), [6.5, 4.5, 2.5]);
  });

  test('values printed by numpy 1.24 np.quantile for [0.5, 3.25, -2, 7, 7, 11.5, 100, 1e6]', () => {
    const x = Float64Array.of(0.5, 3.25, -2.0, 7.0, 7.0, 11.5, 100.0, 1e6);
    const numpy: [number, number][] = [
      [0, -2.0],
      [0.1, -0.24999999999999978],
      [0.25, 2.5625],
      [0.333, 4.49125],
      [0.5, 7.0],
      [0.9, 300069.9999999998],
      [0.999, 993000.7000000003],
      [1, 1e6],
    ];
    for (const [q, expected] of numpy) close(quantile(x, q), expected);
  });

  test('NaN are ignored (np.nanquantile([1, 2, nan, 4], 0.5) = 2); all-NaN gives NaN', () => {
    assert.equal(quantile(Float64Array.of(1, 2, NaN, 4), 0.5), 2);
    assert.ok(Number.isNaN(quantile(Float64Array.of(NaN, NaN), 0.5)));
  });

  test('the input is not modified', () => {
    const x = Float64Array.of(3, NaN, 1, 2);
    quantile(x, 0.5);
    assert.deepEqual(Array.from(x), [3, NaN, 1, 2]);
  });

  test('agrees with a brute-force reference on random data (Array sort, explicit formula)', () => {
    let seed = 12345;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(next() * 200);
      const values = Float64Array.from({ length: n }, () => (next() < 0.1 ? NaN : Math.round((next() - 0.3) * 1e6) / 100));
      const present = Array.from(values).filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
      assert.deepEqual(Array.from(sortedPresent(values)), present);
      for (const q of [0, 0.01, 0.5, 0.77, 0.999, 1]) {
        const expected = present.length === 0 ? NaN : referenceType7(present, q);
        const actual = quantile(values, q);
        if (Number.isNaN(expected)) assert.ok(Number.isNaN(actual));
        else close(actual, expected);
      }
    }
  });
});

describe('quantileSelect (selection instead of sorting)', () => {
  test("numpy's documented example and hand-computed cases", () => {
    assert.equal(quantileSelect(Float64Array.of(10, 7, 4, 3, 2, 1), 0.5), 3.5);
    assert.equal(quantileSelect(Float64Array.of(4, 1, 3, 2), 0.25), 1.75);
    assert.equal(quantileSelect(Float64Array.of(4, 1, 3, 2), 1), 4);
    assert.equal(quantileSelect(Float64Array.of(4, 1, 3, 2), 0), 1);
    assert.ok(Number.isNaN(quantileSelect(Float64Array.of(NaN), 0.5)));
    assert.throws(() => quantileSelect(Float64Array.of(1), 2), RangeError);
  });

  test('exactly equal to the sorting quantile on random data: small and large, with heavy duplicates and NaN', () => {
    let seed = 99;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const sizes = [1, 2, 3, 7, 100, 601, 602, 1000, 5000, 100_000];
    for (const n of sizes) {
      for (const kind of ['continuous', 'few distinct', 'sorted', 'reversed']) {
        let values = Float64Array.from({ length: n }, () =>
          next() < 0.05 ? NaN : kind === 'few distinct' ? Math.floor(next() * 5) : (next() - 0.5) * 1e6,
        );
        if (kind === 'sorted') values = values.sort();
        if (kind === 'reversed') values = values.sort().reverse();
        const before = Array.from(values);
        for (const q of [0, 0.001, 0.25, 0.5, 0.9, 0.999, 1]) {
          const expected = quantile(values, q);
          const actual = quantileSelect(values, q);
          assert.ok(Object.is(actual, expected) || actual === expected, `n=${n} ${kind} q=${q}: ${actual} vs ${expected}`);
        }
        assert.deepEqual(Array.from(values), before, 'input not modified');
      }
    }
  });
});

/** Hyndman & Fan type 7 written from the 1-based definition: Q(p) = x[j] + g (x[j+1] − x[j]), j = ⌊(n−1)p⌋ + 1. */
function referenceType7(sorted: number[], p: number): number {
  const n = sorted.length;
  const m = 1 - p;
  const j = Math.floor(n * p + m);
  const g = n * p + m - j;
  const at = (k: number) => sorted[Math.min(Math.max(k, 1), n) - 1];
  return (1 - g) * at(j) + g * at(j + 1);
}
