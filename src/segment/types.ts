import type { ModelFeature } from '../preprocess/feature_registry';

/** Customers in the model's coordinates (z space), with everything needed to map back to original units. */
export interface ModelSpace {
  readonly n: number;
  readonly d: number;
  /** Feature of each column of X. */
  readonly features: readonly ModelFeature[];
  /** Which of `features` went through log1p before scaling. */
  readonly logged: readonly ModelFeature[];
  /** Row-major n×d standardized values. */
  readonly X: Float64Array;
  /** Per column, after the transform: the median used for imputation, the mean and (population) std used to scale. */
  readonly median: Float64Array;
  readonly mean: Float64Array;
  readonly std: Float64Array;
  /** Per column: how many customers had the value imputed. */
  readonly imputed: readonly number[];
}

export interface KMeansOptions {
  readonly nInit?: number;
  readonly seed?: number;
  readonly maxIterations?: number;
  readonly tolerance?: number;
}

export interface KMeansFit {
  readonly k: number;
  /** Cluster of each customer, 0..k-1. */
  readonly labels: Int32Array;
  /** Row-major k×d centroids in z space. */
  readonly centroids: Float64Array;
  /** Sum of squared distances of every customer to its centroid (z space). */
  readonly inertia: number;
  readonly iterations: number;
  readonly converged: boolean;
}

/** Scores of one k in the sweep. */
export interface KScore {
  readonly k: number;
  readonly inertia: number;
  readonly silhouette: number;
  readonly daviesBouldin: number;
  readonly calinskiHarabasz: number;
  /**
   * Mean adjusted Rand index between the delivered partition and the refits as good as it (restarts on other samples
   * with other seeds, within 1% of its inertia), on the evaluation sample: 1 = they give the delivered segments.
   */
  readonly stability: number;
  /** Restarts run, and how many of them (the delivered one included) reached the delivered solution. */
  readonly restarts: number;
  readonly confirmedBy: number;
  /** Relative inertia gap and ARI of a different solution within 1% of the delivered inertia (NaN: none found). */
  readonly rivalGap: number;
  readonly rivalAri: number;
  /** Found reliably, refits agree at >= 0.9, no rival (segment/stability.ts). */
  readonly stable: boolean;
}

/**
 * A fitted segmentation: the model space, the fit (labels, centroids) and its scores, with the k sweep. Plain data
 * (cached as is); what the segments mean (profiles, names, actions) is derived from it in src/insights/.
 */
export interface Segmentation {
  readonly k: number;
  readonly space: ModelSpace;
  readonly fit: KMeansFit;
  readonly silhouette: number;
  readonly daviesBouldin: number;
  readonly calinskiHarabasz: number;
  readonly kSweep: readonly KScore[];
  /** The recommended k and the reason, in one sentence. */
  readonly recommendation: { readonly k: number; readonly reason: string };
}
