/**
 * Sample quantiles, type 7 of Hyndman & Fan (1996): linear interpolation between the order statistics,
 * the default of numpy (`method='linear'`), R and pandas. Used for the outlier caps (cleaning) and the
 * median imputation (model space).
 */

/**
 * The type-7 quantile `q` (0..1) of values that are already sorted ascending and contain no NaN:
 * with `h = (n − 1)·q`, it is `x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋])`. NaN for an empty array.
 * Throws a RangeError when q is not in [0, 1]. Cost: O(1).
 * @example quantileSorted(Float64Array.of(1, 2, 3, 4), 0.5) // 2.5
 */
export function quantileSorted(sorted: Float64Array, q: number): number {
  return quantileOfOrderStatistics(sorted.length, q, (rank) => sorted[rank]);
}

/**
 * The same type-7 quantile `q` of n values, given only a way to get the order statistics it needs (0-based ranks
 * ⌊h⌋ and ⌊h⌋ + 1 of the ascending order; see quantileRanks), e.g. from a database's top values. NaN for n = 0.
 * Cost: O(1) plus two calls of `valueAt`.
 */
export function quantileOfOrderStatistics(n: number, q: number, valueAt: (rank: number) => number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  if (lo >= n - 1) return valueAt(n - 1);
  return interpolate(valueAt(lo), valueAt(lo + 1), h - lo);
}

/** The lowest ascending rank the type-7 quantile `q` of n values reads (it also reads the next one, if any). O(1). */
export function quantileLowRank(n: number, q: number): number {
  return Math.min(Math.floor((n - 1) * q), Math.max(n - 1, 0));
}

/** `a + frac·(b − a)`; frac = 0 returns `a` itself, even next to an infinite `b` (∞ · 0 is NaN). */
function interpolate(a: number, b: number, frac: number): number {
  return frac === 0 ? a : a + frac * (b - a);
}

/**
 * The type-7 quantile `q` (0..1) of `values`, ignoring NaN (missing); NaN when no value is present.
 * The input is not modified: the non-NaN values are copied, then sorted. Cost: O(n log n) time, O(n) memory.
 * @example quantile(Float64Array.of(10, 7, 4, 3, 2, 1), 0.5) // 3.5 (numpy's documented example)
 */
export function quantile(values: Float64Array, q: number): number {
  return quantileSorted(sortedPresent(values), q);
}

/** The non-NaN values of `values`, sorted ascending (a new array). Cost: O(n log n). */
export function sortedPresent(values: Float64Array): Float64Array {
  // Float64Array.prototype.sort compares numerically (no comparator needed, unlike Array.prototype.sort).
  return presentValues(values).sort();
}

/**
 * The same type-7 quantile as `quantile` (identical result, NaN ignored, input not modified), found by selection
 * instead of sorting: Floyd–Rivest selection of the ⌊h⌋-th value of a copy, then the minimum of the values after it.
 * For the large columns of cleaning, where one quantile is needed. Cost: O(n) expected time, O(n) memory.
 * @example quantileSelect(Float64Array.of(10, 7, 4, 3, 2, 1), 0.5) // 3.5
 */
export function quantileSelect(values: Float64Array, q: number): number {
  return quantileSelectInPlace(presentValues(values), q);
}

/**
 * quantileSelect of values that hold no NaN, rearranging them (no copy): for a caller with a scratch array of its own.
 * NaN when empty. O(n) expected time, no memory.
 */
export function quantileSelectInPlace(present: Float64Array, q: number): number {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must be in [0, 1], got ${q}`);
  const n = present.length;
  if (n === 0) return NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  selectInPlace(present, lo, 0, n - 1);
  if (lo >= n - 1) return present[lo];
  // After selection everything right of `lo` is >= present[lo]; the next order statistic is their minimum.
  let next = Infinity;
  for (let i = lo + 1; i < n; i++) if (present[i] < next) next = present[i];
  return interpolate(present[lo], next, h - lo);
}

/** The non-NaN values of `values`, in their order (a new array). O(n). */
function presentValues(values: Float64Array): Float64Array {
  let present = 0;
  for (let i = 0; i < values.length; i++) if (values[i] === values[i]) present++;
  if (present === values.length) return values.slice();
  const out = new Float64Array(present);
  let j = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === v) out[j++] = v;
  }
  return out;
}

/**
 * Rearranges `a[left..right]` so that `a[k]` is the value a sort would put there, smaller-or-equal values before it
 * and greater-or-equal after (Floyd & Rivest 1975, algorithm SELECT, in the iterative form of d3-array's quickselect).
 * The recursion samples a small window around k first, which makes the partitions tight. O(n) expected.
 */
function selectInPlace(a: Float64Array, k: number, left: number, right: number): void {
  while (right > left) {
    if (right - left > 600) {
      const n = right - left + 1;
      const m = k - left + 1;
      const z = Math.log(n);
      const s = 0.5 * Math.exp((2 * z) / 3);
      const sd = 0.5 * Math.sqrt((z * s * (n - s)) / n) * (m - n / 2 < 0 ? -1 : 1);
      const newLeft = Math.max(left, Math.floor(k - (m * s) / n + sd));
      const newRight = Math.min(right, Math.floor(k + ((n - m) * s) / n + sd));
      selectInPlace(a, k, newLeft, newRight);
    }
    const t = a[k];
    let i = left;
    let j = right;
    swap(a, left, k);
    if (a[right] > t) swap(a, left, right);
    while (i < j) {
      swap(a, i, j);
      i++;
      j--;
      while (a[i] < t) i++;
      while (a[j] > t) j--;
    }
    if (a[left] === t) swap(a, left, j);
    else {
      j++;
      swap(a, j, right);
    }
    if (j <= k) left = j + 1;
    if (k <= j) right = j - 1;
  }
}

function swap(a: Float64Array, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}
