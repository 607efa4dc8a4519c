/**
 * K-means on the whole model space, fast enough for ~1M customers.
 *
 * Each restart r draws its own seeded sample of customers (20,000, or half of them when that is fewer, so restarts see
 * different customers even on small data); `ml-kmeans` picks k-means++ seeds on part of it (its number[][] Lloyd loop
 * costs ~0.4 s per iteration at 884k rows, so it is only used where data is small), and Lloyd's algorithm runs to
 * convergence on the sample. The restarts are compared by inertia on one common sample (50,000; all customers when
 * there are fewer), the same for every seed. When restarts within 1% of the best inertia split customers differently
 * (rivals, see stability.ts), each is refined on that sample and the best one kept, so near-equal solutions are decided
 * on more customers than one restart saw. The winner is refined by Lloyd iterations on ALL customers over the row-major
 * Float64Array, accelerated with Hamerly's bounds (same fixed point as plain Lloyd, but most points skip the k-distance
 * scan). Everything is seeded, so a (seed, options) pair always gives the same fit.
 */
import { DEFAULT_SEED } from '../config';
import { kmeans as mlKMeans } from 'ml-kmeans';
import { checkSeed, createRng, sampleDistinct } from '../stats/random';
import { adjustedRandIndex } from '../stats/ari';
import { CONFIRMATIONS, nearestRival, RIVAL_MARGIN, STABLE_ARI } from './stability';
import type { Rival } from './stability';
import type { KMeansFit, KMeansOptions } from './types';

/** Row-major points: all `lloyd` needs (a ModelSpace is one). */
export interface Rows {
  readonly n: number;
  readonly d: number;
  readonly X: Float64Array;
}

export const KMEANS_DEFAULTS = {
  /** Restarts at least: the best is delivered, the others are the refits that measure its stability (stability.ts). */
  nInit: 8,
  /** More restarts, up to this many, while fewer than CONFIRMATIONS of them have found the best solution. */
  maxRestarts: 24,
  seed: DEFAULT_SEED,
  /** Full-data Lloyd iterations (scikit-learn's default budget). */
  maxIterations: 300,
  /** Stop when the sum over centroids of their squared moves (z space, where every feature has variance 1) is at most this (scikit-learn's tol). */
  tolerance: 1e-4,
  /** Customers in the sample of each restart (half of them when that is fewer). */
  sampleSize: 20_000,
  /** Customers among them on which ml-kmeans picks the k-means++ seeds (it allocates per distance, so keep it small). */
  seedingSampleSize: 5_000,
  /** Customers on which the restarts are compared by inertia (all when there are fewer). */
  scoringSampleSize: 50_000,
  /** Seed of the scoring sample: fixed, so that every seed's restarts are judged on the same customers. */
  scoringSeed: 0x5c0e,
} as const;

export interface FitOptions extends KMeansOptions {
  readonly maxRestarts?: number;
  readonly sampleSize?: number;
  readonly seedingSampleSize?: number;
  readonly scoringSampleSize?: number;
  /** Called after each full-data iteration. */
  readonly onIteration?: (iteration: number) => void;
  /** Work arrays for the full-data Lloyd run (see LloydScratch): the fit's labels are then a view on them. */
  readonly scratch?: LloydScratch;
}

/**
 * Work arrays of a Lloyd run on n rows, to reuse from one run to the next: the k sweep fits k after k on the same
 * rows, and fresh arrays each time (20 bytes per customer) pile up as garbage in every thread until a collection.
 * A fit made with them has `labels` pointing into them: valid until the next run that uses the same scratch.
 */
export interface LloydScratch {
  readonly labels: Int32Array;
  readonly upper: Float64Array;
  readonly lower: Float64Array;
}

/** Scratch for runs on up to n rows. */
export function lloydScratch(n: number): LloydScratch {
  return { labels: new Int32Array(n), upper: new Float64Array(n), lower: new Float64Array(n) };
}

/** Derives an independent 32-bit seed from a base seed and a few integers (a small hash, stable across runs). */
export function deriveSeed(seed: number, ...parts: number[]): number {
  checkSeed(seed);
  let h = seed ^ 0x2545f491;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x9e3779b1);
    h ^= h >>> 15;
    h = Math.imul(h, 0x85ebca77);
    h ^= h >>> 13;
  }
  return h >>> 0;
}

/** Throws a one-line RangeError unless 2 <= k <= n and k is whole. */
export function checkK(k: number, n: number): void {
  if (!Number.isInteger(k) || k < 2) throw new RangeError(`k must be a whole number >= 2, got ${k}`);
  if (k > n) throw new RangeError(`k = ${k} is more than the ${n} customers to segment`);
}


/** The given rows of `space` as a new row-major block. O(m·d). */
export function selectRows(space: Rows, rows: Int32Array): Rows {
  const { X, d } = space;
  const out = new Float64Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) {
    const from = rows[r] * d;
    for (let t = 0; t < d; t++) out[r * d + t] = X[from + t]; // a loop, not subarray(): no view object per row
  }
  return { n: rows.length, d, X: out };
}

/**
 * k-means++ seeds by ml-kmeans (scikit-learn's greedy variant: a few candidates per step, the one lowering the
 * potential most is kept) on `rows`. ml-kmeans always runs at least one Lloyd step after
 * seeding; its one-step centroids are returned (row-major k×d). O(m·k·d·log k) for m rows.
 */
export function kmeansPlusPlus(rows: Rows, k: number, seed: number): Float64Array {
  const { X, d } = rows;
  const data: number[][] = new Array(rows.n);
  for (let r = 0; r < rows.n; r++) data[r] = Array.from(X.subarray(r * d, r * d + d));
  const result = mlKMeans(data, k, { initialization: 'kmeans++', seed, maxIterations: 1 });
  const centroids = new Float64Array(k * d);
  result.centroids.forEach((c, j) => centroids.set(c, j * d));
  return centroids;
}

/** One restart's solution on its sample. */
export interface SampleFit {
  readonly centroids: Float64Array;
  readonly sampleIterations: number;
}

/**
 * Restart r of a fit: a seeded sample of customers (its own for each r; default 20,000 or half of them when that is
 * fewer), k-means++ seeds by ml-kmeans on part of it,
 * then Lloyd to convergence on the sample. O(sampleSize·k·d·iterations), independent of n.
 */
export function sampleFit(space: Rows, k: number, seed: number, r: number, opts: FitOptions = {}): SampleFit {
  const runSeed = deriveSeed(seed, k, r);
  const sampleSize = Math.max(opts.sampleSize ?? Math.min(KMEANS_DEFAULTS.sampleSize, Math.ceil(space.n / 2)), k);
  const rows = selectRows(space, sampleDistinct(space.n, sampleSize, createRng(runSeed)));
  const seedingSize = Math.max(opts.seedingSampleSize ?? KMEANS_DEFAULTS.seedingSampleSize, k);
  const seeding = selectRows(rows, sampleDistinct(rows.n, seedingSize, createRng(deriveSeed(runSeed, 1))));
  const start = kmeansPlusPlus(seeding, k, runSeed);
  const fit = lloyd(rows, start, k, { maxIterations: opts.maxIterations, tolerance: opts.tolerance });
  return { centroids: fit.centroids, sampleIterations: fit.iterations };
}

/**
 * Lloyd's k-means on all rows from the given starting centroids, with Hamerly's bounds to skip points whose
 * assignment cannot have changed. Stops at a fixed point (no label changes), when the squared centroid moves
 * sum to <= tolerance, or after maxIterations. Labels always match the returned centroids (nearest one).
 * Cost: one O(n·k·d) assignment, then per iteration O(n + k²d) plus O(k·d) per point whose bounds fail.
 * Memory: 3 arrays of n numbers besides the labels.
 */
export function lloyd(
  space: Rows,
  initial: Float64Array,
  k: number,
  opts: { maxIterations?: number; tolerance?: number; onIteration?: (iteration: number) => void; scratch?: LloydScratch } = {},
): KMeansFit {
  const { X, n, d } = space;
  const maxIterations = opts.maxIterations ?? KMEANS_DEFAULTS.maxIterations;
  const tolerance = opts.tolerance ?? KMEANS_DEFAULTS.tolerance;
  if (initial.length !== k * d) throw new RangeError(`expected ${k}×${d} starting centroids, got ${initial.length} values`);
  const C = Float64Array.from(initial);
  // Every entry is set by the first assignment (assignAll), so reused scratch needs no clearing.
  const scratch = opts.scratch !== undefined && opts.scratch.labels.length >= n ? opts.scratch : undefined;
  const labels = scratch ? scratch.labels.subarray(0, n) : new Int32Array(n);
  const upper = scratch ? scratch.upper.subarray(0, n) : new Float64Array(n); // >= distance to own centroid
  const lower = scratch ? scratch.lower.subarray(0, n) : new Float64Array(n); // <= distance to the second-closest centroid
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const moved = new Float64Array(k);
  const halfGap = new Float64Array(k);
  const previous = new Float64Array(k * d);

  // Half the distance from each centroid to its nearest other one: a point closer than that to its own centroid
  // cannot be closer to another. O(k²·d).
  const updateHalfGaps = (): void => {
    for (let j = 0; j < k; j++) {
      let nearest = Infinity;
      for (let m = 0; m < k; m++) {
        if (m === j) continue;
        let s = 0;
        for (let t = 0; t < d; t++) {
          const diff = C[j * d + t] - C[m * d + t];
          s += diff * diff;
        }
        if (s < nearest) nearest = s;
      }
      halfGap[j] = Math.sqrt(nearest) / 2;
    }
  };

  // Scans every centroid for point i: sets its label and both bounds exactly. Returns the label (ties: lower id).
  // (Skipping centroids by the triangle inequality, as Elkan does, was measured slower here: d is small.)
  const scan = (i: number): number => {
    const o = i * d;
    let best = 0;
    let d1 = Infinity;
    let d2 = Infinity;
    for (let j = 0; j < k; j++) {
      const c = j * d;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = X[o + t] - C[c + t];
        s += diff * diff;
      }
      if (s < d1) {
        d2 = d1;
        d1 = s;
        best = j;
      } else if (s < d2) d2 = s;
    }
    upper[i] = Math.sqrt(d1);
    lower[i] = Math.sqrt(d2);
    return best;
  };
  const assignAll = (): void => {
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const j = scan(i);
      labels[i] = j;
      counts[j]++;
      const o = i * d;
      for (let t = 0; t < d; t++) sums[j * d + t] += X[o + t];
    }
  };

  assignAll();
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations++;
    // Update step: centroids are the means of their points.
    previous.set(C);
    let empty = -1;
    for (let j = 0; j < k; j++) {
      if (counts[j] === 0) {
        empty = j;
        continue;
      }
      for (let t = 0; t < d; t++) C[j * d + t] = sums[j * d + t] / counts[j];
    }
    if (empty >= 0 && relocateEmpty(space, C, labels, counts, k)) {
      assignAll(); // rare: a centroid lost all its points and was moved to the farthest point; restart the bounds
      opts.onIteration?.(iterations);
      continue;
    }
    let shift = 0;
    let maxMove = 0;
    let secondMove = 0;
    let argMax = 0;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = C[j * d + t] - previous[j * d + t];
        s += diff * diff;
      }
      shift += s;
      moved[j] = Math.sqrt(s);
      if (moved[j] > maxMove) {
        secondMove = maxMove;
        maxMove = moved[j];
        argMax = j;
      } else if (moved[j] > secondMove) secondMove = moved[j];
    }
    updateHalfGaps();
    // Assignment step, skipping points whose bounds prove their label cannot change.
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const a = labels[i];
      upper[i] += moved[a];
      lower[i] -= a === argMax ? secondMove : maxMove;
      const bound = halfGap[a] > lower[i] ? halfGap[a] : lower[i];
      if (upper[i] <= bound) continue;
      const o = i * d;
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = X[o + t] - C[a * d + t];
        s += diff * diff;
      }
      upper[i] = Math.sqrt(s);
      if (upper[i] <= bound) continue;
      const b = scan(i);
      if (b !== a) {
        changed++;
        labels[i] = b;
        counts[a]--;
        counts[b]++;
        for (let t = 0; t < d; t++) {
          sums[a * d + t] -= X[o + t];
          sums[b * d + t] += X[o + t];
        }
      }
    }
    opts.onIteration?.(iterations);
    if (changed === 0 || shift <= tolerance) {
      converged = true;
      break;
    }
  }
  return { k, labels, centroids: C, inertia: inertiaOf(space, labels, C), iterations, converged };
}

/**
 * Moves each empty cluster's centroid onto the point farthest from its own centroid (as scikit-learn does),
 * so no segment silently disappears. Returns false when every point already sits on a centroid. O(n·d) per empty cluster.
 */
function relocateEmpty(space: Rows, C: Float64Array, labels: Int32Array, counts: Float64Array, k: number): boolean {
  const { X, n, d } = space;
  const taken = new Uint8Array(n);
  let relocated = false;
  for (let j = 0; j < k; j++) {
    if (counts[j] > 0) continue;
    let far = -1;
    let farDist = 0;
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue;
      const a = labels[i];
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = X[i * d + t] - C[a * d + t];
        s += diff * diff;
      }
      if (s > farDist) {
        farDist = s;
        far = i;
      }
    }
    if (far < 0) continue;
    taken[far] = 1;
    C.set(X.subarray(far * d, far * d + d), j * d);
    relocated = true;
  }
  return relocated;
}

/** Sum of squared Euclidean distances of each row to its labelled centroid. O(n·d). */
export function inertiaOf(space: Rows, labels: Int32Array, centroids: Float64Array): number {
  const { X, n, d } = space;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    const c = labels[i] * d;
    for (let t = 0; t < d; t++) {
      const diff = X[o + t] - centroids[c + t];
      total += diff * diff;
    }
  }
  return total;
}

/**
 * Label of the nearest centroid for each of the given rows (all rows when `rows` is omitted).
 * O(m·k·d). Ties go to the lower cluster id.
 */
export function nearestCentroid(space: Rows, centroids: Float64Array, k: number, rows?: Int32Array): Int32Array {
  const { X, d } = space;
  const m = rows ? rows.length : space.n;
  const out = new Int32Array(m);
  for (let r = 0; r < m; r++) {
    const o = (rows ? rows[r] : r) * d;
    let best = 0;
    let bestDist = Infinity;
    for (let j = 0; j < k; j++) {
      let s = 0;
      for (let t = 0; t < d; t++) {
        const diff = X[o + t] - centroids[j * d + t];
        s += diff * diff;
      }
      if (s < bestDist) {
        bestDist = s;
        best = j;
      }
    }
    out[r] = best;
  }
  return out;
}

/** A fit plus the per-restart sample solutions (the refits that measure its stability). */
export interface DetailedFit {
  readonly fit: KMeansFit;
  readonly restarts: readonly SampleFit[];
  /** Inertia of each restart's sample solution on the scoring sample (the score that picked the refined one). */
  readonly restartInertia: readonly number[];
  /** The restart whose solution was refined into `fit`. */
  readonly chosenRestart: number;
  /** Restarts (the chosen one included) within RIVAL_MARGIN of the best score that split the scoring sample as it does. */
  readonly confirmedBy: number;
  /** A different solution within RIVAL_MARGIN of the delivered one's inertia, if the restarts found one. */
  readonly rival?: Rival;
}

/**
 * K-means with k-means++ seeding and restarts, fitted on ALL customers of `space`. Each restart is solved on its own
 * seeded sample and scored by its inertia on a common scoring sample (all customers when there are at most
 * `scoringSampleSize`; drawn with a fixed seed). `nInit` restarts run; more follow, up to `maxRestarts`, until
 * CONFIRMATIONS restarts (the best included) land within RIVAL_MARGIN of the best score with the same partition
 * (ARI >= STABLE_ARI on the scoring sample), so a solution that restarts rarely find is not delivered by luck; or
 * until one lands there with a different partition (then the k is ambiguous whatever more restarts find).
 * Restarts within the margin that split the scoring sample differently are refined there with the best one and the
 * lowest inertia wins; a remaining different solution within the margin is reported as `rival`. The winner is refined
 * on all customers to the tolerance (see `lloyd`). Deterministic for a given seed. Throws a one-line RangeError for
 * a bad k, nInit or maxRestarts.
 * Cost: restarts · (sample fit + O(scoring·k·d)) + rarely a few Lloyd runs on the scoring sample + the full-data loop.
 */
export function fitKMeansDetailed(space: Rows, k: number, opts: FitOptions = {}): DetailedFit {
  checkK(k, space.n);
  const nInit = opts.nInit ?? KMEANS_DEFAULTS.nInit;
  if (!Number.isInteger(nInit) || nInit < 1) throw new RangeError(`nInit must be a whole number >= 1, got ${nInit}`);
  const maxRestarts = opts.maxRestarts ?? Math.max(nInit, KMEANS_DEFAULTS.maxRestarts);
  if (!Number.isInteger(maxRestarts) || maxRestarts < nInit) {
    throw new RangeError(`maxRestarts must be a whole number >= nInit (${nInit}), got ${maxRestarts}`);
  }
  const seed = opts.seed ?? KMEANS_DEFAULTS.seed;
  const scoringSize = opts.scoringSampleSize ?? KMEANS_DEFAULTS.scoringSampleSize;
  const scoring = selectRows(space, sampleDistinct(space.n, scoringSize, createRng(KMEANS_DEFAULTS.scoringSeed)));
  const restarts: SampleFit[] = [];
  const restartInertia: number[] = [];
  const restartLabels: Int32Array[] = [];
  let best = 0; // the restart with the lowest score
  let chosen = 0; // the restart whose solution is delivered (the best, unless a refined contender beat it)
  let start: Float64Array | undefined; // the chosen solution refined on the scoring sample by a contest, if any
  // What contests showed about restarts that looked different from the chosen one: the same solution, or worse.
  let verdict = new Map<number, 'same' | 'worse'>();
  let rival: Rival | undefined;
  let confirmedBy = 0;
  const near = (r: number): boolean => verdict.get(r) !== 'worse' && restartInertia[r] <= restartInertia[best] * (1 + RIVAL_MARGIN);
  const agrees = (r: number): boolean =>
    r === chosen || verdict.get(r) === 'same' || adjustedRandIndex(restartLabels[r], restartLabels[chosen]) >= STABLE_ARI;
  for (let r = 0; r < maxRestarts; r++) {
    const run = sampleFit(space, k, seed, r, opts);
    const labels = nearestCentroid(scoring, run.centroids, k);
    restarts.push(run);
    restartLabels.push(labels);
    restartInertia.push(inertiaOf(scoring, labels, run.centroids));
    if (restartInertia[r] < restartInertia[best]) {
      best = chosen = r;
      start = undefined;
      verdict = new Map();
    }
    if (r + 1 < nInit) continue;
    // Near-equal restarts that split customers differently: refine them and the chosen one on the whole scoring
    // sample (not their own samples) and keep the lowest inertia; a different solution still within the margin is
    // a rival and settles it (the k is ambiguous whatever more restarts find).
    const differing: number[] = [];
    for (let q = 0; q <= r; q++) if (near(q) && !agrees(q)) differing.push(q);
    if (differing.length > 0) {
      const ids = [chosen, ...differing];
      const refined = ids.map((q) => lloyd(scoring, restarts[q].centroids, k, { maxIterations: opts.maxIterations, tolerance: opts.tolerance }));
      let w = 0;
      refined.forEach((f, i) => {
        if (f.inertia < refined[w].inertia) w = i;
      });
      rival = nearestRival(refined.map((f) => f.inertia), refined.map((f) => f.labels), w);
      // Earlier verdicts were about the chosen solution: they stand only if it stays chosen.
      if (ids[w] !== chosen) verdict = new Map();
      chosen = ids[w];
      start = refined[w].centroids;
      ids.forEach((q, i) => {
        if (i === w) return;
        const same = refined[i].inertia <= refined[w].inertia * (1 + RIVAL_MARGIN) && adjustedRandIndex(refined[i].labels, refined[w].labels) >= STABLE_ARI;
        verdict.set(q, same ? 'same' : 'worse');
      });
    }
    confirmedBy = 0;
    for (let q = 0; q <= r; q++) if (near(q) && agrees(q)) confirmedBy++;
    if (rival || confirmedBy >= CONFIRMATIONS) break;
  }
  const fit = lloyd(space, start ?? restarts[chosen].centroids, k, opts);
  return { fit, restarts, restartInertia, chosenRestart: chosen, confirmedBy, rival };
}

/** `fitKMeansDetailed` without the details: the fit of all customers. */
export function fitKMeans(space: Rows, k: number, opts: FitOptions = {}): KMeansFit {
  return fitKMeansDetailed(space, k, opts).fit;
}
