/**
 * What the segments mean, derived from a fitted segmentation (src/segment/) and the customer features: cheap to
 * compute (O(n log n)), so never cached.
 */
import type { NumericFeature } from '../preprocess/feature_registry';
import type { Segmentation } from '../segment/types';
import type { CategoryMix } from './mix';
import type { NameBase, WordShare } from './naming';
import type { RfmSummary } from './rfm';
import type { RecencyLimits } from './recency';

/** One segment: its size and shares, its typical customer, what sets it apart, who is in it, its name and action. */
export interface SegmentProfile {
  readonly id: number;
  readonly name: string;
  /** The words of the name with the share of members each claim holds for (and of all customers). */
  readonly nameWords: readonly WordShare[];
  readonly size: number;
  readonly share: number;
  /** Share of all money moved (sum of monetaryTotal). */
  readonly monetaryShare: number;
  /** Share of all balances held (sum of known latest balances). */
  readonly balanceShare: number;
  /** INR moved in the window and INR of balances held by the segment's members. */
  readonly moneyMoved: number;
  readonly balancesHeld: number;
  /** Median of each feature in original units. */
  readonly profile: Readonly<Record<NumericFeature, number>>;
  /** Standardized difference of the segment's mean from everyone's, in z space (what sets it apart). */
  readonly lift: Readonly<Partial<Record<NumericFeature, number>>>;
  /** Share of members with two or more transactions. */
  readonly repeatShare: number;
  /** Share of members whose CustomerID is also used by other people (see the customer key, cleaning rule 10). */
  readonly reusedIdShare: number;
  /** The action category and the recommended action, with its numbers. */
  readonly actionKind: string;
  readonly action: string;
}

/** A profile before it is named and given an action. */
export type SegmentFacts = Omit<SegmentProfile, 'name' | 'nameWords' | 'actionKind' | 'action'>;

/** Who is in the segments beyond the model features, and the RFM segments beside them. */
export interface SegmentContext {
  readonly mix: { readonly gender: CategoryMix; readonly location: CategoryMix; readonly timeOfDay: CategoryMix };
  readonly rfm: RfmSummary;
  /** The base percentiles the value words of the names use, the as-of date and the limits of recency in words. */
  readonly nameBase: NameBase;
  /** Whether the data can show that a customer stopped transacting (recency.ts); the caveats are written from it. */
  readonly recency: RecencyLimits;
}

/** A segmentation with its segments profiled, named and given actions (see profileSegmentation). */
export type ProfiledSegmentation<S extends Segmentation = Segmentation> = S & {
  readonly segments: readonly SegmentProfile[];
  readonly context: SegmentContext;
};
