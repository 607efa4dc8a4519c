/**
 * One k of the sweep: the fit and every score that needs it, as plain data that a worker thread can send back. A
 * pure function of (rows, k, evaluation sample, options), so it gives the same bits on any thread (select.ts runs
 * the k values on several, sweep_threads.ts).
 */
import { fitKMeansDetailed, nearestCentroid } from './kmeans';
import type { FitOptions, Rows } from './kmeans';
import type { KScore } from './types';
import { separationScores } from './metrics';
import { isStable, meanAgreement, refitAgreement, RIVAL_MARGIN } from './stability';

/** A k's fit without the labels of every customer (4 bytes each per k: the chosen k's are recomputed where needed). */
export interface SweepFit {
  readonly k: number;
  /** Row-major k×d centroids in z space. */
  readonly centroids: Float64Array;
  readonly inertia: number;
  readonly iterations: number;
  readonly converged: boolean;
  /** The labels of the evaluation sample's customers, in the sample's order (for the silhouettes). */
  readonly evaluationLabels: Int32Array;
}

/** The scores of one k, but the silhouette (computed for all k at once, metrics.ts silhouetteSampleMany). */
export interface KResult extends Omit<KScore, 'k' | 'inertia' | 'silhouette'> {
  readonly fit: SweepFit;
  /** Wall time of the fit and its scores, in seconds (timing only: no result depends on it). */
  readonly seconds: number;
}

/** The fit options that are plain data (what a worker thread receives). */
export type PlainFitOptions = Omit<FitOptions, 'onIteration' | 'scratch'>;

/**
 * Fits k on all rows (fitKMeansDetailed) and scores it: Davies–Bouldin and Calinski–Harabasz on all rows, stability
 * as the refits' agreement on the evaluation sample (the restarts within RIVAL_MARGIN of the best score, the
 * delivered one excluded, label it by nearest centroid; stability.ts). Cost: the fit + O(n·d + refits·m·k·d).
 * With `opts.scratch` (one per thread) the full-data run reuses its work arrays: nothing of them is kept.
 */
export function fitAndScoreK(rows: Rows, k: number, evaluation: Int32Array, opts: FitOptions): KResult {
  const started = Date.now();
  const detailed = fitKMeansDetailed(rows, k, opts);
  const fit = detailed.fit;
  const bestScore = Math.min(...detailed.restartInertia);
  const refits = detailed.restarts
    .filter((_, r) => r !== detailed.chosenRestart && detailed.restartInertia[r] <= bestScore * (1 + RIVAL_MARGIN))
    .map((run) => nearestCentroid(rows, run.centroids, k, evaluation));
  const evaluationLabels = new Int32Array(evaluation.length);
  for (let i = 0; i < evaluation.length; i++) evaluationLabels[i] = fit.labels[evaluation[i]];
  const stability = meanAgreement(refitAgreement(evaluationLabels, refits));
  const separation = separationScores(rows, fit);
  return {
    fit: { k, centroids: fit.centroids, inertia: fit.inertia, iterations: fit.iterations, converged: fit.converged, evaluationLabels },
    daviesBouldin: separation.daviesBouldin,
    calinskiHarabasz: separation.calinskiHarabasz,
    stability,
    restarts: detailed.restarts.length,
    confirmedBy: detailed.confirmedBy,
    rivalGap: detailed.rival?.inertiaGap ?? NaN,
    rivalAri: detailed.rival?.ari ?? NaN,
    stable: isStable(stability, detailed.rival, detailed.confirmedBy),
    seconds: (Date.now() - started) / 1000,
  };
}
