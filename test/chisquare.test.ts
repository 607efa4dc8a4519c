import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { chiSquareSurvival, chiSquareTest, logGamma } from '../src/stats/chisquare';

const close = (actual: number, expected: number, relative: number, what: string): void => {
  const scale = Math.max(Math.abs(expected), Number.MIN_VALUE);
  assert.ok(Math.abs(actual - expected) <= relative * scale, `${what}: ${actual}, expected ${expected}`);
};

describe('chiSquareTest', () => {
  test('a 2×2 table worked by hand', () => {
    // Row sums 30, 70; column sums 40, 60; n = 100 → expected [[12, 18], [28, 42]];
    // χ² = 2²/12 + 2²/18 + 2²/28 + 2²/42 = 0.79365…, df 1, V = √(χ²/100).
    const r = chiSquareTest([[10, 20], [30, 40]]);
    close(r.chiSquare, 4 / 12 + 4 / 18 + 4 / 28 + 4 / 42, 1e-12, 'χ²');
    assert.equal(r.degreesOfFreedom, 1);
    close(r.cramersV, Math.sqrt(r.chiSquare / 100), 1e-12, 'V');
    assert.equal(r.n, 100);
  });

  // Values from scipy 1.10.1: chi2_contingency(t, correction=False) and contingency.association(t, method='cramer'),
  // on the table without its all-zero rows and columns.
  const SCIPY = [
    { table: [[10, 20], [30, 40]], chi: 0.7936507936507936, p: 0.37299848361348686, dof: 1, v: 0.0890870806374748 },
    { table: [[12, 5, 9], [7, 14, 3], [20, 8, 11], [2, 9, 15]], chi: 25.956083434822204, p: 0.0002268756316988657, dof: 6, v: 0.3359353162040872 },
    { table: [[1000, 1200, 800, 950], [400, 610, 380, 420]], chi: 10.350599639402322, p: 0.01580938056601352, dof: 3, v: 0.04239079032128209 },
    { table: [[3, 0, 5], [0, 0, 0], [2, 7, 1]], chi: 9.765, p: 0.007578045213405926, dof: 2, v: 0.7365459931328118 },
    { table: [[50000, 10000], [10000, 50000]], chi: 53333.333333333336, p: 0, dof: 1, v: 0.6666666666666667 },
    { table: [[5, 5], [5, 5]], chi: 0, p: 1, dof: 1, v: 0 },
  ];
  for (const ref of SCIPY) {
    test(`agrees with scipy on ${JSON.stringify(ref.table)}`, () => {
      const r = chiSquareTest(ref.table);
      close(r.chiSquare, ref.chi, 1e-12, 'χ²');
      assert.equal(r.degreesOfFreedom, ref.dof);
      if (ref.p === 0) assert.ok(r.pValue < 1e-300, `p = ${r.pValue}`);
      else close(r.pValue, ref.p, 1e-9, 'p');
      close(r.cramersV, ref.v, 1e-12, 'V');
    });
  }

  test('a table where one variable determines the other has V = 1', () => {
    assert.equal(chiSquareTest([[7, 0, 0], [0, 4, 0], [0, 0, 9]]).cramersV, 1);
  });

  test('one row or one used column: no degrees of freedom, p = 1, V = 0', () => {
    const r = chiSquareTest([[3, 4, 5]]);
    assert.deepEqual([r.degreesOfFreedom, r.pValue, r.cramersV], [0, 1, 0]);
    const s = chiSquareTest([[3, 0], [4, 0]]);
    assert.deepEqual([s.degreesOfFreedom, s.pValue, s.cramersV], [0, 1, 0]);
  });

  test('rejects negative counts and ragged rows', () => {
    assert.throws(() => chiSquareTest([[1, -1], [2, 3]]), RangeError);
    assert.throws(() => chiSquareTest([[1, 2], [3]]), RangeError);
  });
});

describe('chiSquareSurvival', () => {
  // scipy.stats.chi2.sf(x, df), scipy 1.10.1.
  const SF: [number, number, number][] = [
    [3.841458820694124, 1, 0.04999999999999989],
    [0.5, 3, 0.9188914116546758],
    [10, 4, 0.04042768199451279],
    [100, 10, 5.4497019829205215e-17],
    [1e-3, 2, 0.9995001249791693],
    [25, 30, 0.7250318841806004],
    [300, 2, 7.175095973164448e-66],
  ];
  for (const [x, df, p] of SF) {
    test(`P(χ²(${df}) ≥ ${x}) = ${p}`, () => close(chiSquareSurvival(x, df), p, 1e-9, 'sf'));
  }
  test('two degrees of freedom: the closed form exp(−x/2)', () => {
    for (const x of [0.1, 1, 7.3, 40]) close(chiSquareSurvival(x, 2), Math.exp(-x / 2), 1e-12, `x = ${x}`);
  });
  test('x <= 0 gives 1; a huge statistic underflows to 0, never NaN', () => {
    assert.equal(chiSquareSurvival(0, 3), 1);
    assert.equal(chiSquareSurvival(2000, 50), 0);
  });
});

describe('logGamma', () => {
  test('factorials and Γ(½) = √π', () => {
    // ln Γ(1) = ln Γ(2) = 0: compared with an absolute tolerance there.
    const near = (a: number, e: number, what: string): void => assert.ok(Math.abs(a - e) <= 1e-13 * Math.max(1, Math.abs(e)), `${what}: ${a} vs ${e}`);
    let f = 1;
    for (let n = 1; n <= 20; n++) {
      near(logGamma(n), Math.log(f), `ln Γ(${n})`);
      f *= n;
    }
    near(logGamma(0.5), 0.5 * Math.log(Math.PI), 'ln Γ(½)');
  });
});
