/**
 * What the segments mean, derived from a fitted segmentation (src/segment/) and the customer features: cheap to
 * compute (O(n log n)), so never cached.
 */
import type { NumericFeature } from '../preprocess/feature_registry';
import type { Segmentation } from '../segment/types';

/** One segment: its size and shares, its typical customer, what sets it apart, its name and recommended action. */
export interface SegmentProfile {
  readonly id: number;
  readonly name: string;
  readonly size: number;
  readonly share: number;
  /** Share of all money moved (sum of monetaryTotal). */
  readonly monetaryShare: number;
  /** Share of all balances held (sum of known latest balances). */
  readonly balanceShare: number;
  /** Median of each feature in original units. */
  readonly profile: Readonly<Record<NumericFeature, number>>;
  /** Standardized difference of the segment's mean from everyone's, in z space (what sets it apart). */
  readonly lift: Readonly<Partial<Record<NumericFeature, number>>>;
  /** A concrete recommended action, with the numbers behind it. */
  readonly action: string;
}

/** A profile before it is named and given an action. */
export type SegmentFacts = Omit<SegmentProfile, 'name' | 'action'>;

/** A segmentation with its segments profiled, named and given actions (see profileSegmentation). */
export type ProfiledSegmentation<S extends Segmentation = Segmentation> = S & { readonly segments: readonly SegmentProfile[] };
