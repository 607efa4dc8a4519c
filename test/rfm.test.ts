import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RFM_SEGMENTS, rfmScores, rfmSegmentOf, tieAwareScores } from '../src/insights/rfm';
import { createRng } from '../src/stats/random';

/** The definition, by brute force: mid-rank fraction (worse + tied/2) / n of each known value, O(n²). */
function bruteForce(values: number[], higherIsBetter: boolean, bins: number): number[] {
  const known = values.filter((v) => !Number.isNaN(v));
  return values.map((v) => {
    if (Number.isNaN(v)) return 0;
    const worse = known.filter((w) => (higherIsBetter ? w < v : w > v)).length;
    const tied = known.filter((w) => w === v).length;
    return Math.min(bins, 1 + Math.floor((bins * (worse + tied / 2)) / known.length + 1e-12));
  });
}

describe('tieAwareScores', () => {
  test('hand-worked: tied values share the score of their mid-rank', () => {
    // n = 5; 20 and 20 take ranks 2–3, mid-rank fraction (1 + 2/2) / 5 = 0.4 → 1 + ⌊2⌋ = 3.
    assert.deepEqual([...tieAwareScores(Float64Array.of(10, 20, 20, 30, 40), true)], [1, 3, 3, 4, 5]);
    // Lower is better (recency): the smallest value scores 5; the pair now has 2 worse values, (2 + 1) / 5 = 0.6 → 4.
    assert.deepEqual([...tieAwareScores(Float64Array.of(10, 20, 20, 30, 40), false)], [5, 4, 4, 2, 1]);
    // Everyone tied: one score for all, the middle one.
    assert.deepEqual([...tieAwareScores(Float64Array.of(7, 7, 7, 7), true)], [3, 3, 3, 3]);
  });

  test('50 distinct values: exactly 10 customers per score, in value order', () => {
    const values = Float64Array.from({ length: 50 }, (_, i) => (i * 37) % 50); // a permutation of 0..49
    const scores = tieAwareScores(values, true);
    for (let i = 0; i < 50; i++) assert.equal(scores[i], 1 + Math.floor(values[i] / 10));
  });

  test('random data with heavy ties and NaNs: equal to the brute-force definition, both directions', () => {
    const rng = createRng(11);
    for (let trial = 0; trial < 30; trial++) {
      const n = 1 + rng.int(200);
      const distinct = 1 + rng.int(12);
      const values = Array.from({ length: n }, () => (rng.next() < 0.05 ? NaN : rng.int(distinct) * 25));
      for (const higher of [true, false]) {
        assert.deepEqual([...tieAwareScores(Float64Array.from(values), higher)], bruteForce(values, higher, 5), `trial ${trial}`);
      }
    }
  });

  test('a better value never scores lower; equal values always score the same', () => {
    const rng = createRng(3);
    const values = Float64Array.from({ length: 1000 }, () => Math.round(Math.exp(rng.normal() * 2)));
    const scores = tieAwareScores(values, true);
    for (let i = 0; i < 300; i++) {
      const a = rng.int(1000);
      const b = rng.int(1000);
      if (values[a] === values[b]) assert.equal(scores[a], scores[b]);
      if (values[a] > values[b]) assert.ok(scores[a] >= scores[b]);
    }
  });
});

describe('rfmSegmentOf: the adapted map of docs/data-model.md', () => {
  // Rows R = 5..1, columns M = 1..5, one transaction; written out from the documented rules.
  const SINGLE = [
    ['Promising', 'Promising', 'Promising', 'Potential loyalists', 'Potential loyalists'],
    ['Promising', 'Promising', 'Promising', 'Potential loyalists', 'Potential loyalists'],
    ['About to sleep', 'About to sleep', 'About to sleep', 'Need attention', 'Need attention'],
    ['Hibernating', 'Hibernating', 'Hibernating', 'At risk', 'At risk'],
    ['Hibernating', 'Hibernating', 'Hibernating', 'At risk', 'At risk'],
  ];
  const REPEAT = [
    ['Loyal', 'Loyal', 'Loyal', 'Champions', 'Champions'],
    ['Loyal', 'Loyal', 'Loyal', 'Champions', 'Champions'],
    ['Loyal', 'Loyal', 'Loyal', 'Loyal', 'Loyal'],
    ["Can't lose them", "Can't lose them", "Can't lose them", "Can't lose them", "Can't lose them"],
    ["Can't lose them", "Can't lose them", "Can't lose them", "Can't lose them", "Can't lose them"],
  ];
  test('every (R, M) cell, one transaction and repeat', () => {
    for (let r = 5; r >= 1; r--) {
      for (let m = 1; m <= 5; m++) {
        assert.equal(RFM_SEGMENTS[rfmSegmentOf(r, m, false)], SINGLE[5 - r][m - 1], `R${r} M${m}`);
        assert.equal(RFM_SEGMENTS[rfmSegmentOf(r, m, true)], REPEAT[5 - r][m - 1], `R${r} M${m} repeat`);
      }
    }
  });
});

describe('rfmScores', () => {
  test('a small book worked by hand', () => {
    // Recency 0 is the most recent; customer 3 is the only repeat customer.
    const recency = Float64Array.of(0, 0, 30, 60, 60, 90);
    const frequency = Float64Array.of(1, 1, 1, 2, 1, 1);
    const money = Float64Array.of(500, 100, 500, 2000, 100, 50);
    const s = rfmScores(recency, frequency, money);
    // R (lower better, n = 6): 0,0 → (4 + 1)/6 → 1 + ⌊4.17⌋ = 5; 30 → (3 + .5)/6 → 3; 60,60 → (1 + 1)/6 → 2; 90 → 1.
    assert.deepEqual([...s.r], [5, 5, 3, 2, 2, 1]);
    // M: 50 → (0 + .5)/6 → 1; 100,100 → (1 + 1)/6 → 2; 500,500 → (3 + 1)/6 → 4; 2000 → (5 + .5)/6 → 5.
    assert.deepEqual([...s.m], [4, 2, 4, 5, 2, 1]);
    assert.deepEqual([...s.f], [1, 1, 1, 2, 1, 1]);
    assert.deepEqual([...s.segment].map((c) => RFM_SEGMENTS[c]), [
      'Potential loyalists', 'Promising', 'Need attention', "Can't lose them", 'Hibernating', 'Hibernating',
    ]);
  });
});
