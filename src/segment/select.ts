/**
 * Choosing k: fit every k of a range on all customers, score each fit (inertia, sampled silhouette,
 * Davies–Bouldin, Calinski–Harabasz, stability of the delivered partition), and recommend one stable k with its reason.
 */
import { checkK, fitKMeans, lloyd, nearestCentroid, selectRows } from './kmeans';
import type { FitOptions } from './kmeans';
import { metricSample, SILHOUETTE_SAMPLE_SIZE } from './metrics';
import { CONFIRMATIONS, RIVAL_MARGIN, splitHalves, STABLE_ARI } from './stability';
import type { SweepFit } from './sweep_k';
import { sweepOnThreads } from './sweep_threads';
import { adjustedRandIndex } from '../stats/ari';
import { freeThreads } from '../io/threads';
import type { WorkerScript } from '../io/worker_script';
import type { KScore, ModelSpace } from './types';

export interface SweepOptions extends FitOptions {
  readonly kMin?: number;
  readonly kMax?: number;
  readonly silhouetteSampleSize?: number;
  /** Progress of the sweep: `step` names what is running or just ended, `done` of `total` steps finished (one per k as it ends, then the silhouettes). */
  readonly onProgress?: (step: string, done: number, total: number) => void;
  /** Threads to fit the k values on (default: `sweepThreads(n)`). The results do not depend on it (tests check). */
  readonly threads?: number;
  /** Tests: the sweep's workers run this script instead of the bundled sweep_worker.ts. */
  readonly workerScript?: WorkerScript;
  /** Where a line about a failed sweep thread goes (default: stderr). */
  readonly warn?: (line: string) => void;
  /** Tests: see SweepThreads. */
  readonly waitForWorkers?: boolean;
  readonly onWorkersExited?: (codes: readonly number[]) => void;
  readonly onFitted?: (k: number, thread: number) => void;
  readonly onSilhouetteBlocks?: (byMain: number, blocks: number) => void;
}

/** A k's scores plus how its fit went. */
export interface SweepEntry extends KScore {
  readonly iterations: number;
  readonly converged: boolean;
  /** Wall time of the fit and its metrics (not the shared silhouette pass). */
  readonly seconds: number;
}

/** k = 2..8: more segments than a CRM team can act on separately rarely pay (and each k costs a full fit). */
export const SWEEP_DEFAULTS = { kMin: 2, kMax: 8 } as const;

/**
 * Silhouettes within this of the best stable one count as equal and the smaller k is preferred: about four standard
 * errors of a mean silhouette over 10,000 customers (per-customer sd ~0.25 / √10,000 = 0.0025).
 */
export const SILHOUETTE_TOLERANCE = 0.01;

/**
 * Seed of the evaluation sample (silhouettes, stability): fixed, so every seed's fits are judged on the same customers
 * and the recommended k does not move with the sample.
 */
export const EVALUATION_SEED = 0xe7a1;

/** The sweep with every k's fit (centroids, not every customer's label), so the chosen k need not be fitted again. */
export interface SweepResult {
  readonly scores: readonly SweepEntry[];
  readonly fits: ReadonlyMap<number, SweepFit>;
}

/**
 * Threads for the sweep: below this many customers one thread fits every k, since starting a worker (~50-100 ms of
 * start-up, its code loaded again) costs about what it saves. Measured: see bench/README.md, "The k sweep on two
 * threads".
 */
export const SWEEP_PARALLEL_MIN_CUSTOMERS = 20_000;
/** More threads than this gain nothing: the default sweep has 7 k values and the largest k costs the most. */
const MAX_SWEEP_THREADS = 4;

/**
 * Threads for a sweep of `n` customers now: 1 below SWEEP_PARALLEL_MIN_CUSTOMERS, else the free cores (io/threads.ts;
 * `BANKSEG_SWEEP_THREADS=N` or `BANKSEG_THREADS=N` decides instead), at most MAX_SWEEP_THREADS.
 */
export function sweepThreads(n: number): number {
  return n < SWEEP_PARALLEL_MIN_CUSTOMERS ? 1 : freeThreads(MAX_SWEEP_THREADS, ['BANKSEG_SWEEP_THREADS']);
}

/**
 * Fits k = kMin..kMax (default 2..8) on all customers and scores each fit. The k values are fitted concurrently on
 * the free cores, which then share the silhouette pass (sweep_threads.ts; `threads` decides instead), with the same
 * results on any number of threads.
 * The silhouettes of all k are computed in one pass over the pairs of one sample (so every k is judged on the same
 * customers), stability on that same sample: the restarts that were not delivered are the refits (see stability.ts).
 * The sample is drawn with a fixed seed (EVALUATION_SEED). Cost: the fits (see `fitKMeansDetailed`) + O(m²·(d + K))
 * for K values of k on an m-point sample + O(nInit·m·k·d) per k for the refits' labels. Memory per k kept: its
 * centroids and the sample's labels (never every customer's).
 */
export function sweepFits(space: ModelSpace, opts: SweepOptions = {}): SweepResult {
  const kMin = opts.kMin ?? SWEEP_DEFAULTS.kMin;
  const kMax = opts.kMax ?? SWEEP_DEFAULTS.kMax;
  checkK(kMin, space.n);
  checkK(kMax, space.n);
  if (kMax < kMin) throw new RangeError(`the k range ${kMin}..${kMax} is empty`);
  const sampleOptions = { sampleSize: opts.silhouetteSampleSize ?? SILHOUETTE_SAMPLE_SIZE, seed: EVALUATION_SEED };
  const evaluation = metricSample(space.n, sampleOptions);
  const ks = Array.from({ length: kMax - kMin + 1 }, (_, i) => kMin + i);
  const total = ks.length + 1;
  const { onProgress, onFitted } = opts;
  let fitted = 0;
  onProgress?.(`k = ${kMin}..${kMax}`, 0, total);
  const { results, silhouettes } = sweepOnThreads(space, ks, evaluation, opts, {
    threads: opts.threads ?? sweepThreads(space.n),
    workerScript: opts.workerScript,
    warn: opts.warn,
    waitForWorkers: opts.waitForWorkers,
    onWorkersExited: opts.onWorkersExited,
    onSilhouetteBlocks: opts.onSilhouetteBlocks,
    onFitted: (k, thread) => {
      onFitted?.(k, thread);
      onProgress?.(`k = ${k} fitted`, ++fitted, total);
    },
    onSilhouettes: () => onProgress?.('silhouettes', ks.length, total),
    silhouetteSeed: EVALUATION_SEED,
  });
  onProgress?.('done', total, total);
  const scores = results.map((r, i) => ({
    k: r.fit.k,
    inertia: r.fit.inertia,
    silhouette: silhouettes[i],
    daviesBouldin: r.daviesBouldin,
    calinskiHarabasz: r.calinskiHarabasz,
    stability: r.stability,
    restarts: r.restarts,
    confirmedBy: r.confirmedBy,
    rivalGap: r.rivalGap,
    rivalAri: r.rivalAri,
    stable: r.stable,
    iterations: r.fit.iterations,
    converged: r.fit.converged,
    seconds: r.seconds,
  }));
  return { scores, fits: new Map(results.map((r) => [r.fit.k, r.fit])) };
}

/** `sweepFits` without the fits: one KScore (plus fit details) per k. */
export function sweepK(space: ModelSpace, opts: SweepOptions = {}): SweepEntry[] {
  return [...sweepFits(space, opts).scores];
}

/**
 * The elbow of the inertia curve: with k and inertia both rescaled to [0, 1], the k farthest below the straight
 * line from the first to the last point (the "kneedle" rule). The smallest k when there are fewer than 3. O(K).
 */
export function elbowK(sweep: readonly Pick<KScore, 'k' | 'inertia'>[]): number {
  if (sweep.length === 0) throw new RangeError('the k sweep is empty');
  const first = sweep[0];
  const last = sweep[sweep.length - 1];
  const kSpan = last.k - first.k || 1;
  const iSpan = first.inertia - last.inertia || 1;
  let best = first.k;
  let bestGap = 0;
  for (const s of sweep) {
    const x = (s.k - first.k) / kSpan;
    const y = (s.inertia - last.inertia) / iSpan; // 1 at the first k, 0 at the last
    const gap = 1 - x - y; // the chord is y = 1 − x
    if (gap > bestGap + 1e-12) {
      bestGap = gap;
      best = s.k;
    }
  }
  return best;
}

/** `stable`, `moderately stable` (mean refit ARI >= 0.75) or `unstable`, from the refit agreement alone. */
export function stabilityWord(ari: number): string {
  return ari >= STABLE_ARI ? 'stable' : ari >= 0.75 ? 'moderately stable' : 'unstable';
}

const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const pct = (x: number): string => `${(100 * x).toFixed(x < 0.001 ? 2 : 1)}%`;

/** Why a k is not stable, in a few words (empty when it is). */
export function instability(s: KScore): string {
  const why: string[] = [];
  if (s.confirmedBy < CONFIRMATIONS) why.push(`only ${s.confirmedBy} of ${s.restarts} restarts found its solution`);
  if (!(s.stability >= STABLE_ARI)) why.push(`equally good refits agree at ARI ${fmt(s.stability)}`);
  if (Number.isFinite(s.rivalAri)) why.push(`a different solution (ARI ${fmt(s.rivalAri)}) is within ${pct(s.rivalGap)} of its inertia`);
  return why.join(' and ');
}

/**
 * The recommended k, with its reason in one sentence. Rule: only stable k are candidates (refits agree with the
 * delivered partition at mean ARI >= 0.9 and no different solution lies within 1% of its inertia); among them, the
 * best silhouette, the smallest k within SILHOUETTE_TOLERANCE of it winning (the difference is noise). When no k is
 * stable, the most stable one is returned and the reason says plainly that none is. O(K).
 */
export function recommendK(sweep: readonly KScore[]): { k: number; reason: string; stable: boolean } {
  if (sweep.length === 0) throw new RangeError('the k sweep is empty');
  const stable = sweep.filter((s) => s.stable);
  const range = `k = ${sweep[0].k}..${sweep[sweep.length - 1].k}`;
  if (stable.length === 0) {
    // Closest to stable: no rival first, then found by more restarts, then the higher refit agreement, then smaller k.
    const rank = (s: KScore): number[] => [Number.isFinite(s.rivalAri) ? 1 : 0, -Math.min(s.confirmedBy, CONFIRMATIONS), -(s.stability || 0), s.k];
    const most = [...sweep].sort((a, b) => {
      const ra = rank(a);
      const rb = rank(b);
      for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return ra[i] - rb[i];
      return 0;
    })[0];
    return {
      k: most.k,
      stable: false,
      reason: `No k in ${range} is stable (found by ${CONFIRMATIONS}+ restarts, equally good refits agreeing at mean ARI >= ${STABLE_ARI}, no different solution within ${pct(RIVAL_MARGIN)} of the inertia); k = ${most.k} comes closest (${instability(most)}), so treat its segments as provisional.`,
    };
  }
  const bestSilhouette = Math.max(...stable.map((s) => s.silhouette));
  const chosen = stable.filter((s) => s.silhouette >= bestSilhouette - SILHOUETTE_TOLERANCE).sort((a, b) => a.k - b.k)[0];
  const better = stable.filter((s) => s.k !== chosen.k && s.silhouette > chosen.silhouette);
  const others = stable.filter((s) => s.k !== chosen.k).map((s) => `${fmt(s.silhouette)} at k = ${s.k}`);
  const unstable = sweep.filter((s) => !s.stable).map((s) => s.k);
  const tie = better.length > 0
    ? `; k = ${better.map((s) => s.k).join(', ')} score${better.length > 1 ? '' : 's'} within ${SILHOUETTE_TOLERANCE} of it, so the smaller k is kept`
    : '';
  return {
    k: chosen.k,
    stable: true,
    reason:
      `k = ${chosen.k} has the best silhouette among the stable k, ${fmt(chosen.silhouette)}${others.length > 0 ? ` (vs ${others.join(', ')})` : ''}${tie}; ` +
      `${chosen.confirmedBy} of ${chosen.restarts} restarts found its solution and the equally good refits agree with its segments at mean ARI ${fmt(chosen.stability)}` +
      (unstable.length > 0 ? `; k = ${unstable.join(', ')} ${unstable.length > 1 ? 'are' : 'is'} not stable` : '') +
      '.',
  };
}

/**
 * Split-half agreement at k: two disjoint random halves of the customers are fitted on their own (same options, each
 * run to convergence as the delivered fit is), both fits label every customer by its nearest centroid, and the ARI
 * of the two labelings is returned (1 = the halves give the same segments). O(two fits + n·k·d).
 */
export function splitHalfAgreement(space: ModelSpace, k: number, opts: FitOptions & { readonly splitSeed?: number } = {}): number {
  const halves = splitHalves(space.n, opts.splitSeed ?? 1);
  const labelings = halves.map((rows) => {
    const half = { ...space, ...selectRows(space, rows) };
    const fit = fitKMeans(half, k, opts);
    const converged = lloyd(half, fit.centroids, k, { tolerance: 0, maxIterations: opts.maxIterations });
    return nearestCentroid(space, converged.centroids, k);
  });
  return adjustedRandIndex(labelings[0], labelings[1]);
}
