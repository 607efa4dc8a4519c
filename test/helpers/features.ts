/**
 * Customer-feature helpers shared by the tests, driven by the feature registry so a new feature reaches them
 * without an edit: one decoded row for comparisons, and a feature table from the columns a test cares about.
 */
import { FEATURE_NAMES, NUMERIC_FEATURES, featureSpec } from '../../src/preprocess/feature_registry';
import type { CategoryFeature, CustomerFeatures, FeatureName, ModelFeature, NumericFeature } from '../../src/preprocess/feature_registry';
import { keyText } from '../../src/table';
import type { DictColumn } from '../../src/table';

/** A customer's features as plain values: numbers (NaN = unknown) and texts (undefined = unknown). */
export type FeatureRow = { customerId: string } & Record<FeatureName, number | string | undefined>;

/** Row `i` of a feature table, decoded. O(features). */
export function featureRow(f: CustomerFeatures, i: number): FeatureRow {
  const row = { customerId: keyText(f.customerId, i) } as FeatureRow;
  for (const name of FEATURE_NAMES) {
    const column = f[name];
    row[name] = column instanceof Float64Array ? column[i] : column.codes[i] < 0 ? undefined : column.values[column.codes[i]];
  }
  return row;
}

/** The columns a test may give: numbers (or flags) as plain arrays, categories as dictionary columns. */
export type GivenColumns = Partial<{ [F in ModelFeature]: ArrayLike<number> } & { [F in CategoryFeature]: DictColumn }>;

/**
 * A feature table of `n` customers from the given columns; every other feature is filled plainly (numbers NaN,
 * i.e. unknown; categories the first value of their vocabulary, `OTHER` for locations). Ids `C1`… unless given.
 */
export function customerFeaturesOf(
  n: number,
  columns: GivenColumns,
  extra: { customerId?: readonly string[]; endDate?: number; asOf?: number } = {},
): CustomerFeatures {
  const out: Record<string, unknown> = { n, customerId: extra.customerId ?? Array.from({ length: n }, (_, i) => `C${i + 1}`) };
  for (const name of FEATURE_NAMES) {
    const spec = featureSpec(name);
    const given = (columns as Record<string, ArrayLike<number> | DictColumn | undefined>)[name];
    if (spec.kind === 'category') {
      out[name] = given ?? { codes: new Int32Array(n), values: spec.values === 'data' ? ['OTHER'] : spec.values };
    } else {
      out[name] = given ? Float64Array.from(given as ArrayLike<number>) : new Float64Array(n).fill(NaN);
    }
  }
  out.endDate = extra.endDate ?? 17095;
  out.asOf = extra.asOf ?? (out.endDate as number);
  return out as CustomerFeatures;
}

/** Every numeric feature set to `value`: a segment profile's medians where a test cares about none or a few. */
export function everyNumeric(value: number): Record<NumericFeature, number> {
  return Object.fromEntries(NUMERIC_FEATURES.map((f) => [f, value])) as Record<NumericFeature, number>;
}
