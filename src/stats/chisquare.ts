/**
 * Pearson's chi-square test of independence for a contingency table, with Cramér's V as its effect size
 * (as scipy.stats.chi2_contingency(table, correction=False) and scipy.stats.contingency.association(method='cramer')).
 */

export interface IndependenceTest {
  /** Pearson's statistic Σ (observed − expected)² / expected over the cells. */
  readonly chiSquare: number;
  /** (rows − 1)·(columns − 1), counting only rows and columns with a non-zero total. */
  readonly degreesOfFreedom: number;
  /** P(χ² ≥ statistic) under independence; 1 when there are no degrees of freedom. */
  readonly pValue: number;
  /** Cramér's V = √(χ² / (n · (min(rows, columns) − 1))), in [0, 1]: 0 independent, 1 one determines the other. */
  readonly cramersV: number;
  /** Total count. */
  readonly n: number;
}

/**
 * Chi-square test of independence of the rows and columns of `table` (counts, `table[r][c]`), without Yates'
 * correction. Rows or columns whose total is 0 are left out (they carry no information and would divide by 0).
 * O(rows · columns).
 * @example
 * chiSquareTest([[10, 20], [30, 40]]) // { chiSquare: 0.7937, degreesOfFreedom: 1, pValue: 0.3730, cramersV: 0.0891, n: 100 }
 */
export function chiSquareTest(table: readonly (readonly number[])[]): IndependenceTest {
  const rows = table.length;
  const cols = rows > 0 ? table[0].length : 0;
  const rowSum = new Float64Array(rows);
  const colSum = new Float64Array(cols);
  let n = 0;
  for (let r = 0; r < rows; r++) {
    if (table[r].length !== cols) throw new RangeError(`row ${r} has ${table[r].length} cells, expected ${cols}`);
    for (let c = 0; c < cols; c++) {
      const x = table[r][c];
      if (!(x >= 0)) throw new RangeError(`cell [${r}][${c}] is ${x}: counts must be >= 0`);
      rowSum[r] += x;
      colSum[c] += x;
      n += x;
    }
  }
  const usedRows = rowSum.filter((s) => s > 0).length;
  const usedCols = colSum.filter((s) => s > 0).length;
  let chiSquare = 0;
  for (let r = 0; r < rows; r++) {
    if (rowSum[r] === 0) continue;
    for (let c = 0; c < cols; c++) {
      if (colSum[c] === 0) continue;
      const expected = (rowSum[r] * colSum[c]) / n;
      const diff = table[r][c] - expected;
      chiSquare += (diff * diff) / expected;
    }
  }
  const degreesOfFreedom = Math.max(0, (usedRows - 1) * (usedCols - 1));
  const smaller = Math.min(usedRows, usedCols);
  return {
    chiSquare,
    degreesOfFreedom,
    pValue: degreesOfFreedom > 0 ? chiSquareSurvival(chiSquare, degreesOfFreedom) : 1,
    cramersV: smaller > 1 && n > 0 ? Math.min(1, Math.sqrt(chiSquare / (n * (smaller - 1)))) : 0,
    n,
  };
}

/**
 * P(X ≥ x) for X ~ χ² with `df` degrees of freedom: the regularized upper incomplete gamma function Q(df/2, x/2).
 * Accurate to ~1e-14 relative where it does not underflow (below ~1e-300 it returns 0). O(1) for moderate x,
 * O(√x) terms at worst.
 * @example
 * chiSquareSurvival(3.841458820694124, 1) // 0.05
 */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be > 0, got ${df}`);
  if (!(x > 0)) return 1;
  return upperGammaRegularized(df / 2, x / 2);
}

/** ln Γ(x) for x > 0 (Lanczos, g = 7, 9 coefficients: ~1e-15 relative). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x); // reflection
  const g = 7;
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0];
  const t = z + g + 0.5;
  for (let i = 1; i < g + 2; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-15;
const TINY = 1e-300;
const MAX_TERMS = 100_000;

/**
 * Q(a, x) = Γ(a, x) / Γ(a): the series for P when x < a + 1, else Lentz's continued fraction for Q
 * (Numerical Recipes, gammp/gammq), so each converges fast where it is used.
 */
function upperGammaRegularized(a: number, x: number): number {
  const logPrefix = a * Math.log(x) - x - logGamma(a);
  if (x < a + 1) {
    let term = 1 / a;
    let sum = term;
    for (let n = 1; n < MAX_TERMS; n++) {
      term *= x / (a + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * EPS) break;
    }
    return Math.max(0, 1 - sum * Math.exp(logPrefix));
  }
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_TERMS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(logPrefix) * h;
}
