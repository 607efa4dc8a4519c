/** The stability checks of segment/stability.ts on hand-made labelings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStable, meanAgreement, nearestRival, refitAgreement, splitHalves, STABLE_ARI } from '../src/segment/stability';

const L = (...x: number[]): Int32Array => Int32Array.from(x);

test('refit agreement: the ARI of each refit with the delivered labels, renaming ignored', () => {
  const delivered = L(0, 0, 0, 1, 1, 1);
  // Same partition under other names → 1; {0} vs the rest, worked by hand: Σ C(n_ij,2) = 0 + 1 + 3 = 4,
  // rows 3 + 3 → 6, columns C(1,2) + C(5,2) = 10, C(6,2) = 15, E = 6·10/15 = 4, max = 8 → (4 − 4)/(8 − 4) = 0.
  const agreement = refitAgreement(delivered, [L(1, 1, 1, 0, 0, 0), L(0, 1, 1, 1, 1, 1)]);
  assert.deepEqual(agreement, [1, 0]);
  assert.equal(meanAgreement(agreement), 0.5);
  assert.ok(Number.isNaN(meanAgreement([])));
});

test('nearest rival: the lowest-inertia different solution within the margin, else none', () => {
  const best = L(0, 0, 0, 1, 1, 1);
  const same = L(1, 1, 1, 0, 0, 0);
  const other = L(0, 0, 1, 1, 2, 2);
  // Solution 1 is the same partition (not a rival); 2 differs and is 0.5% worse; 3 differs but 2% worse.
  const rival = nearestRival([100, 100.1, 100.5, 102], [best, same, other, other], 0);
  assert.ok(rival);
  assert.ok(Math.abs(rival.inertiaGap - 0.005) < 1e-12);
  assert.ok(rival.ari < STABLE_ARI);
  assert.equal(nearestRival([100, 100.1, 102], [best, same, other], 0), undefined);
  // The closest of two rivals is reported.
  assert.ok(Math.abs(nearestRival([100, 100.8, 100.2], [best, other, L(0, 1, 0, 1, 0, 1)], 0)!.inertiaGap - 0.002) < 1e-12);
});

test('stable = found by 3+ restarts, refits agree at >= 0.9, no rival; NaN is not stable', () => {
  assert.equal(isStable(0.95, undefined, 3), true);
  assert.equal(isStable(0.95, undefined, 2), false);
  assert.equal(isStable(0.85, undefined, 8), false);
  assert.equal(isStable(0.99, { inertiaGap: 0.001, ari: 0.3 }, 8), false);
  assert.equal(isStable(NaN, undefined, 8), false);
});

test('split halves: disjoint, together all of 0..n−1, sizes ⌊n/2⌋ and ⌈n/2⌉, seeded', () => {
  for (const n of [0, 1, 7, 1000]) {
    const [a, b] = splitHalves(n, 5);
    assert.equal(a.length, Math.floor(n / 2));
    assert.equal(b.length, Math.ceil(n / 2));
    assert.deepEqual([...a, ...b].sort((x, y) => x - y), Array.from({ length: n }, (_, i) => i));
    for (let i = 1; i < a.length; i++) assert.ok(a[i] > a[i - 1]);
  }
  assert.deepEqual(splitHalves(100, 5), splitHalves(100, 5));
  assert.notDeepEqual(splitHalves(100, 5)[0], splitHalves(100, 6)[0]);
});
