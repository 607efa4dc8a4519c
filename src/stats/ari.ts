/**
 * Adjusted Rand index (Hubert & Arabie; scikit-learn's adjusted_rand_score) of two labelings of the same points (1 = identical partitions up to renaming, ~0 = chance).
 * From the contingency table: (Σ C(n_ij,2) − E) / (½(Σ C(a_i,2) + Σ C(b_j,2)) − E), E = Σ C(a_i,2)·Σ C(b_j,2) / C(n,2).
 * Labels must be whole numbers >= 0. O(n + ka·kb).
 */
export function adjustedRandIndex(a: Int32Array, b: Int32Array): number {
  if (a.length !== b.length) throw new RangeError(`labelings differ in length: ${a.length} vs ${b.length}`);
  const n = a.length;
  let ka = 0;
  let kb = 0;
  for (let i = 0; i < n; i++) {
    if (a[i] < 0 || b[i] < 0) throw new RangeError(`labels must be >= 0 (row ${i})`);
    if (a[i] >= ka) ka = a[i] + 1;
    if (b[i] >= kb) kb = b[i] + 1;
  }
  const table = new Float64Array(ka * kb);
  const rowSum = new Float64Array(ka);
  const colSum = new Float64Array(kb);
  for (let i = 0; i < n; i++) {
    table[a[i] * kb + b[i]]++;
    rowSum[a[i]]++;
    colSum[b[i]]++;
  }
  const pairs = (x: number): number => (x * (x - 1)) / 2;
  let index = 0;
  for (let i = 0; i < table.length; i++) index += pairs(table[i]);
  let sumA = 0;
  let sumB = 0;
  for (let i = 0; i < ka; i++) sumA += pairs(rowSum[i]);
  for (let j = 0; j < kb; j++) sumB += pairs(colSum[j]);
  const expected = n < 2 ? 0 : (sumA * sumB) / pairs(n);
  const max = (sumA + sumB) / 2;
  // Both partitions trivial (one cluster, or all singletons): they agree perfectly, as scikit-learn says.
  if (max === expected) return 1;
  return (index - expected) / (max - expected);
}
