/**
 * Principal component analysis down to two dimensions, to draw customers of a d-dimensional model
 * space on a page. Covariance matrix, then a symmetric eigen-decomposition by cyclic Jacobi rotations
 * (exact to rounding and simple for the d <= 20 columns of a model space).
 */

/** The two leading principal components of a data set. */
export interface Pca2 {
  /** Row-major 2×d: unit-length, orthogonal directions of greatest variance (first row = PC1). */
  readonly components: Float64Array;
  /** Variance of the data along PC1 and PC2 (population, divisor n): the two largest eigenvalues. */
  readonly explained: [number, number];
  /** `explained` as a share of the total variance (trace of the covariance), each 0..1. */
  readonly explainedRatio: [number, number];
  /** Column means (the projection centres the data first). */
  readonly mean: Float64Array;
  /** Coordinates of one d-vector on (PC1, PC2). Cost: O(d). */
  project(row: ArrayLike<number>): [number, number];
}

/**
 * The two-component PCA of the row-major n×d matrix `X` (not modified). Each component's sign is fixed so
 * that its largest-magnitude entry is positive, so the picture does not flip between runs.
 * Cost: O(n·d²) for the covariance plus O(d³) per Jacobi sweep (a handful of sweeps).
 * @example pca2(Float64Array.of(0, 0, 2, 2), 2, 2).components // [0.7071, 0.7071, 0.7071, -0.7071]
 */
export function pca2(X: Float64Array, n: number, d: number): Pca2 {
  if (n < 1 || d < 1) throw new RangeError(`pca2: need at least one row and one column, got ${n}×${d}`);
  if (X.length !== n * d) throw new RangeError(`pca2: X has ${X.length} values, expected ${n}×${d} = ${n * d}`);
  const mean = columnMeans(X, n, d);
  const cov = covariance(X, n, d, mean);
  const { values, vectors } = symmetricEigen(cov, d);
  const order = Array.from(values, (_, i) => i).sort((a, b) => values[b] - values[a]);
  const components = new Float64Array(2 * d);
  const explained: [number, number] = [0, 0];
  for (let c = 0; c < Math.min(2, d); c++) {
    const j = order[c];
    let sign = 1;
    let biggest = 0;
    for (let r = 0; r < d; r++) {
      const v = vectors[r * d + j];
      if (Math.abs(v) > biggest + 1e-12) {
        biggest = Math.abs(v);
        sign = v < 0 ? -1 : 1;
      }
    }
    for (let r = 0; r < d; r++) components[c * d + r] = sign * vectors[r * d + j];
    // Rounding can leave a tiny negative eigenvalue for a flat direction; a variance is never negative.
    explained[c] = Math.max(values[j], 0);
  }
  let total = 0;
  for (let i = 0; i < d; i++) total += cov[i * d + i];
  const explainedRatio: [number, number] = total > 0 ? [explained[0] / total, explained[1] / total] : [0, 0];
  return {
    components,
    explained,
    explainedRatio,
    mean,
    project(row) {
      let a = 0;
      let b = 0;
      for (let k = 0; k < d; k++) {
        const centred = row[k] - mean[k];
        a += centred * components[k];
        b += centred * components[d + k];
      }
      return [a, b];
    },
  };
}

function columnMeans(X: Float64Array, n: number, d: number): Float64Array {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += X[i * d + k];
  for (let k = 0; k < d; k++) mean[k] /= n;
  return mean;
}

/** Population covariance (divisor n), row-major d×d. Cost: O(n·d²). */
function covariance(X: Float64Array, n: number, d: number, mean: Float64Array): Float64Array {
  const cov = new Float64Array(d * d);
  const centred = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) centred[k] = X[i * d + k] - mean[k];
    for (let a = 0; a < d; a++) {
      const ca = centred[a];
      for (let b = a; b < d; b++) cov[a * d + b] += ca * centred[b];
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      cov[a * d + b] /= n;
      cov[b * d + a] = cov[a * d + b];
    }
  }
  return cov;
}

/**
 * Eigenvalues and eigenvectors of the symmetric row-major d×d matrix `A` (not modified), by cyclic Jacobi
 * rotations until the off-diagonal mass is negligible. `vectors` is row-major d×d with eigenvector j in
 * column j; eigenvalues are in no particular order. Cost: O(d³) per sweep, typically < 10 sweeps.
 * @example symmetricEigen(Float64Array.of(2, 1, 1, 2), 2).values // [3, 1] (in some order)
 */
export function symmetricEigen(A: Float64Array, d: number): { values: Float64Array; vectors: Float64Array } {
  if (A.length !== d * d) throw new RangeError(`symmetricEigen: expected ${d}×${d} values, got ${A.length}`);
  const a = Float64Array.from(A);
  const v = new Float64Array(d * d);
  for (let i = 0; i < d; i++) v[i * d + i] = 1;
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale += a[i] * a[i];
  const tolerance = 1e-30 * Math.max(scale, Number.MIN_VALUE);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < d; p++) for (let q = p + 1; q < d; q++) off += a[p * d + q] * a[p * d + q];
    if (off <= tolerance) break;
    for (let p = 0; p < d; p++) {
      for (let q = p + 1; q < d; q++) {
        const apq = a[p * d + q];
        if (apq === 0) continue;
        // The rotation angle that zeroes a[p][q] (Golub & Van Loan, Algorithm 8.4.1), in its stable form.
        const theta = (a[q * d + q] - a[p * d + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        rotate(a, v, d, p, q, c, s);
      }
    }
  }
  const values = new Float64Array(d);
  for (let i = 0; i < d; i++) values[i] = a[i * d + i];
  return { values, vectors: v };
}

/** a ← Jᵀ a J and v ← v J for the Jacobi rotation J in the (p, q) plane. */
function rotate(a: Float64Array, v: Float64Array, d: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < d; k++) {
    const akp = a[k * d + p];
    const akq = a[k * d + q];
    a[k * d + p] = c * akp - s * akq;
    a[k * d + q] = s * akp + c * akq;
  }
  for (let k = 0; k < d; k++) {
    const apk = a[p * d + k];
    const aqk = a[q * d + k];
    a[p * d + k] = c * apk - s * aqk;
    a[q * d + k] = s * apk + c * aqk;
  }
  for (let k = 0; k < d; k++) {
    const vkp = v[k * d + p];
    const vkq = v[k * d + q];
    v[k * d + p] = c * vkp - s * vkq;
    v[k * d + q] = s * vkp + c * vkq;
  }
}
