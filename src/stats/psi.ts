/**
 * The population stability index (PSI), the way banks monitor a model's inputs and outputs: how far the
 * distribution of a variable in new data has moved from the reference (training) distribution, over fixed bins.
 *
 *   PSI = Σ over bins (a − e) · ln(a / e)
 *
 * with e and a the reference and new shares of a bin. Policies (docs/model.md, "Drift"):
 * - bins of a number: up to 10, cut at the reference's deciles, taken as values the reference holds (the inverse
 *   empirical CDF) and kept only when distinct and below its maximum, so no reference bin is empty; a value x falls in
 *   the bin of the cut points below it: bin 0 is x ≤ c₁, bin j is c_j < x ≤ c_{j+1}, the last is x > c_m. Missing
 *   values are one more bin of their own.
 * - empty bins: a share of 0 counts as PSI_EPSILON (0.0001) on either side, so an empty bin adds a large but finite
 *   term (a bin of 10% that empties adds 0.69) instead of an infinite one.
 * - the reading: below 0.1 stable, 0.1 to 0.25 watch, above 0.25 refit.
 */
import { sortedPresent } from './quantile';

/** A share of 0 counts as this much (both sides), so ln(a / e) stays finite. */
export const PSI_EPSILON = 0.0001;
/** Bins of a number at most (the reference's deciles). */
export const PSI_BINS = 10;
/** Below this PSI: stable. */
export const PSI_STABLE = 0.1;
/** Up to this PSI: watch; above it: refit. */
export const PSI_REFIT = 0.25;

export type PsiReading = 'stable' | 'watch' | 'refit';

/**
 * PSI of two distributions over the same bins, from shares (or counts: each side is divided by its own total).
 * Zero shares count as `epsilon`. NaN when either side is empty. O(bins).
 * @example psi([25, 25, 25, 25], [10, 20, 30, 40]) // 0.2282 (hand-worked in test/psi.test.ts)
 */
export function psi(expected: readonly number[], actual: readonly number[], epsilon = PSI_EPSILON): number {
  if (expected.length !== actual.length) throw new RangeError(`expected ${expected.length} bins, got ${actual.length}`);
  const te = expected.reduce((s, x) => s + x, 0);
  const ta = actual.reduce((s, x) => s + x, 0);
  if (!(te > 0) || !(ta > 0)) return NaN;
  let total = 0;
  for (let b = 0; b < expected.length; b++) {
    const e = Math.max(expected[b] / te, epsilon);
    const a = Math.max(actual[b] / ta, epsilon);
    total += (a - e) * Math.log(a / e);
  }
  return total;
}

/** The usual reading of a PSI: < 0.1 stable, 0.1–0.25 watch, > 0.25 refit (undefined for NaN). */
export function psiReading(value: number): PsiReading | undefined {
  if (Number.isNaN(value)) return undefined;
  return value < PSI_STABLE ? 'stable' : value <= PSI_REFIT ? 'watch' : 'refit';
}

/**
 * The PSI that sampling alone gives on average when nothing moved: (bins − 1) · (1/nExpected + 1/nActual), from
 * the chi-square approximation (PSI is the symmetric chi-square divergence to second order). Compare it with a
 * small sample's PSI before reading drift into it. O(1).
 */
export function psiNoise(bins: number, nExpected: number, nActual: number): number {
  return Math.max(bins - 1, 0) * (1 / nExpected + 1 / nActual);
}

/**
 * Cut points of up to `bins` bins from the reference values (NaN ignored): the values at ranks ⌈n·j/bins⌉ of the
 * sorted known values, j = 1..bins−1, distinct and below the maximum (so every bin holds a reference value).
 * Empty when there are fewer than two distinct known values (one bin). O(n log n).
 * @example psiCuts(Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)) // [1, 2, 3, 4, 5, 6, 7, 8, 9]
 */
export function psiCuts(values: Float64Array, bins = PSI_BINS): number[] {
  if (!Number.isInteger(bins) || bins < 1) throw new RangeError(`bins must be a whole number >= 1, got ${bins}`);
  const sorted = sortedPresent(values);
  const n = sorted.length;
  const cuts: number[] = [];
  if (n === 0) return cuts;
  const max = sorted[n - 1];
  for (let j = 1; j < bins; j++) {
    const c = sorted[Math.ceil((n * j) / bins) - 1];
    if (c < max && (cuts.length === 0 || c > cuts[cuts.length - 1])) cuts.push(c);
  }
  return cuts;
}

/** The bin of `x` given the cut points: how many cuts lie below it (x ≤ c₁ → 0, x > c_m → m). O(log m). */
export function binOf(x: number, cuts: readonly number[]): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Counts per bin of `values` (cuts.length + 1 bins, see binOf), then the missing values (NaN) as the last entry.
 * O(n log m).
 */
export function binCounts(values: Float64Array, cuts: readonly number[]): number[] {
  const counts = new Array<number>(cuts.length + 2).fill(0);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v !== v) counts[cuts.length + 1]++;
    else counts[binOf(v, cuts)]++;
  }
  return counts;
}

/** Counts of each label 0..k−1. O(n). */
export function labelCounts(labels: Int32Array, k: number): number[] {
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]]++;
  return counts;
}
