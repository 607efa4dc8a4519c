/**
 * Choosing k: fit every k of a range on all customers, score each fit (inertia, sampled silhouette,
 * Davies–Bouldin, Calinski–Harabasz, stability across resampled restarts), and recommend one k with its reason.
 */
import { checkK, fitKMeansDetailed, KMEANS_DEFAULTS, nearestCentroid, sampleFit, selectRows } from './kmeans';
import type { FitOptions, SampleFit } from './kmeans';
import { adjustedRandIndex, metricSample, separationScores, silhouetteSampleMany, SILHOUETTE_SAMPLE_SIZE } from './metrics';
import type { KMeansFit, KScore, ModelSpace } from './types';

export interface SweepOptions extends FitOptions {
  readonly kMin?: number;
  readonly kMax?: number;
  readonly silhouetteSampleSize?: number;
  /** Resampled fits compared per k (default: nInit; restarts are reused, extra ones are fitted on their own samples). */
  readonly stabilityRuns?: number;
  /** Progress of the sweep: `step` names what is running, `done` of `total` steps finished. */
  readonly onProgress?: (step: string, done: number, total: number) => void;
}

/** A k's scores plus how its fit went. */
export interface SweepEntry extends KScore {
  readonly iterations: number;
  readonly converged: boolean;
  /** Wall time of the fit and its metrics (not the shared silhouette pass). */
  readonly seconds: number;
}

export const SWEEP_DEFAULTS = { kMin: 2, kMax: 10 } as const;

/** Stability threshold: below this mean ARI the partition depends on the sample and the seed. */
export const STABLE_ARI = 0.8;

/**
 * Mean pairwise adjusted Rand index between the partitions that several sample solutions induce on the same
 * evaluation rows (1 = every resample and seed gives the same segments). NaN with fewer than two runs.
 * O(runs·m·k·d + runs²·m).
 */
export function stabilityOf(space: ModelSpace, k: number, runs: readonly SampleFit[], evaluation: Int32Array): number {
  if (runs.length < 2) return NaN;
  const labels = runs.map((run) => nearestCentroid(space, run.centroids, k, evaluation));
  let sum = 0;
  let pairs = 0;
  for (let a = 0; a < labels.length; a++) {
    for (let b = a + 1; b < labels.length; b++) {
      sum += adjustedRandIndex(labels[a], labels[b]);
      pairs++;
    }
  }
  return sum / pairs;
}

/** The sweep with every k's fit, so the chosen k need not be fitted again. */
export interface SweepResult {
  readonly scores: readonly SweepEntry[];
  readonly fits: ReadonlyMap<number, KMeansFit>;
}

/**
 * Fits k = kMin..kMax (default 2..10) on all customers and scores each fit. The silhouettes of all k are computed
 * in one pass over the pairs of one seeded sample (so every k is judged on the same customers), stability on that
 * same sample. Cost: the fits (see `fitKMeansDetailed`) + O(m²·(d + K)) for K values of k on an m-point sample.
 */
export function sweepFits(space: ModelSpace, opts: SweepOptions = {}): SweepResult {
  const kMin = opts.kMin ?? SWEEP_DEFAULTS.kMin;
  const kMax = opts.kMax ?? SWEEP_DEFAULTS.kMax;
  checkK(kMin, space.n);
  checkK(kMax, space.n);
  if (kMax < kMin) throw new RangeError(`the k range ${kMin}..${kMax} is empty`);
  const seed = opts.seed ?? KMEANS_DEFAULTS.seed;
  const nInit = opts.nInit ?? KMEANS_DEFAULTS.nInit;
  const stabilityRuns = opts.stabilityRuns ?? nInit;
  const sampleOptions = { sampleSize: opts.silhouetteSampleSize ?? SILHOUETTE_SAMPLE_SIZE, seed };
  const evaluation = metricSample(space.n, sampleOptions);
  const ks = Array.from({ length: kMax - kMin + 1 }, (_, i) => kMin + i);
  const total = ks.length + 1;
  const fits = new Map<number, KMeansFit>();
  const partial: Omit<SweepEntry, 'silhouette'>[] = [];
  ks.forEach((k, step) => {
    opts.onProgress?.(`k = ${k}`, step, total);
    const started = Date.now();
    const detailed = fitKMeansDetailed(space, k, opts);
    const runs = detailed.restarts.slice(0, stabilityRuns);
    for (let r = runs.length; r < stabilityRuns; r++) runs.push(sampleFit(space, k, seed, r, opts));
    const fit = detailed.fit;
    fits.set(k, fit);
    const separation = separationScores(space, fit);
    partial.push({
      k,
      inertia: fit.inertia,
      daviesBouldin: separation.daviesBouldin,
      calinskiHarabasz: separation.calinskiHarabasz,
      stability: stabilityOf(space, k, runs, evaluation),
      iterations: fit.iterations,
      converged: fit.converged,
      seconds: (Date.now() - started) / 1000,
    });
  });
  opts.onProgress?.('silhouettes', ks.length, total);
  const silhouettes = silhouetteSampleMany(
    selectRows(space, evaluation),
    ks.map((k) => pick(fits.get(k) as KMeansFit, evaluation)),
    ks,
    { sampleSize: evaluation.length, seed },
  );
  opts.onProgress?.('done', total, total);
  const scores = partial.map((p, i) => ({
    k: p.k,
    inertia: p.inertia,
    silhouette: silhouettes[i],
    daviesBouldin: p.daviesBouldin,
    calinskiHarabasz: p.calinskiHarabasz,
    stability: p.stability,
    iterations: p.iterations,
    converged: p.converged,
    seconds: p.seconds,
  }));
  return { scores, fits };
}

/** `sweepFits` without the fits: one KScore (plus fit details) per k. */
export function sweepK(space: ModelSpace, opts: SweepOptions = {}): SweepEntry[] {
  return [...sweepFits(space, opts).scores];
}

function pick(fit: KMeansFit, rows: Int32Array): Int32Array {
  const out = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = fit.labels[rows[i]];
  return out;
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

/** `stable` (ARI >= 0.8), `moderately stable` (>= 0.6) or `unstable`. */
export function stabilityWord(ari: number): string {
  return ari >= STABLE_ARI ? 'stable' : ari >= 0.6 ? 'moderately stable' : 'unstable';
}

const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');

/**
 * The recommended k, with its reason in one sentence. Rule: start from the inertia elbow; among it and its
 * neighbours (k ± 1), keep the stable ones (mean ARI >= 0.8; all of them if none is), and take the best
 * silhouette (ties: lower Davies–Bouldin, then smaller k). O(K).
 */
export function recommendK(sweep: readonly KScore[]): { k: number; reason: string } {
  const elbow = elbowK(sweep);
  const near = sweep.filter((s) => Math.abs(s.k - elbow) <= 1);
  const stable = near.filter((s) => !(s.stability < STABLE_ARI)); // NaN (not measured) does not exclude
  const candidates = stable.length > 0 ? stable : near;
  const best = [...candidates].sort(
    (a, b) => b.silhouette - a.silhouette || a.daviesBouldin - b.daviesBouldin || a.k - b.k,
  )[0];
  const where = best.k === elbow ? 'the elbow of the inertia curve' : `next to the inertia elbow at k = ${elbow}`;
  const others = candidates.filter((s) => s.k !== best.k).map((s) => `${fmt(s.silhouette)} at k = ${s.k}`);
  const versus = others.length > 0 ? ` (vs ${others.join(', ')})` : '';
  const stability = Number.isFinite(best.stability)
    ? `, ${stabilityWord(best.stability)} across resamples (mean ARI ${fmt(best.stability)})`
    : '';
  return {
    k: best.k,
    reason: `k = ${best.k} is ${where} and has the best silhouette there, ${fmt(best.silhouette)}${versus}${stability}, Davies–Bouldin ${fmt(best.daviesBouldin)}.`,
  };
}
