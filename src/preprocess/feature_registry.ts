/**
 * The customer features, once. Every list, label, table column, type, cache column and digest about them derives
 * from FEATURES below, in its order (the order of every table, file and chart that shows them).
 *
 * Adding a feature is one entry here; then the compiler names the code that computes it (the `CustomerFeatures`
 * object built in preprocess/features.ts and in the SQL push-down, collect/db/features.ts) and
 * test/feature_registry.test.ts names the rest (docs/data-model.md, the pandas reference in bench/reference.py,
 * the tests' naive reference in test/features.test.ts). A new feature is NOT in the model unless its entry says
 * `model: true`: the segments do not move silently.
 */
import { GENDERS, keyTexts, TIME_OF_DAY } from '../table';
import type { CustomerKeyColumn, DictColumn } from '../table';

/** A number per customer (Float64Array, NaN = unknown). */
export interface NumberFeatureSpec {
  readonly kind: 'number';
  /** Chart label, e.g. `Recency`. */
  readonly label: string;
  /** Unit or meaning after the label on charts, e.g. `days since last transaction`, `INR`. */
  readonly unit: string;
  /** A shorter unit for an axis title, when `unit` is a phrase (default: `unit`). */
  readonly axisUnit?: string;
  /** How the report names it in a sentence, e.g. `amount per transaction`. */
  readonly words: string;
  /** Header of its column in the report's segment table, e.g. `per txn`. */
  readonly column: string;
  /** An amount in INR: shown in rupees, drawn on log axes. */
  readonly money: boolean;
  /** log1p before scaling in the model space (default log-transform list); heavy-tailed features. */
  readonly log: boolean;
  /** In the model's default feature list. */
  readonly model: boolean;
}

/** A yes/no per customer (Float64Array 1/0, NaN = unknown); may enter the model as a 0/1 column. */
export interface FlagFeatureSpec {
  readonly kind: 'flag';
  readonly label: string;
  readonly words: string;
  readonly column: string;
  readonly model: boolean;
}

/** A category per customer (a DictColumn). `values` is the fixed vocabulary, or `data` when the data decide it. */
export interface CategoryFeatureSpec {
  readonly kind: 'category';
  readonly label: string;
  readonly words: string;
  readonly values: readonly string[] | 'data';
}

export type FeatureSpec = NumberFeatureSpec | FlagFeatureSpec | CategoryFeatureSpec;

/** The registry. Definitions: docs/data-model.md section 3. */
export const FEATURES = {
  recencyDays: {
    kind: 'number', label: 'Recency', unit: 'days since last transaction', axisUnit: 'days', words: 'recency',
    column: 'recency (d)', money: false, log: false, model: true,
  },
  frequency: {
    // Out of the model: one transaction for almost every customer, so its few repeat customers sit at z ≈ 10 and
    // form a cluster of their own. Reported per segment as the share of repeat customers.
    kind: 'number', label: 'Frequency', unit: 'transactions', words: 'frequency', column: 'txns',
    money: false, log: false, model: false,
  },
  monetaryTotal: {
    kind: 'number', label: 'Total amount', unit: 'INR', words: 'total amount', column: 'total',
    money: true, log: true, model: true,
  },
  monetaryMean: {
    // Out of the model: equal to monetaryTotal for one-transaction customers (r = 0.999), so money would count twice.
    kind: 'number', label: 'Mean amount', unit: 'INR', words: 'amount per transaction', column: 'per txn',
    money: true, log: true, model: false,
  },
  balance: {
    kind: 'number', label: 'Balance', unit: 'INR', words: 'balance', column: 'balance',
    money: true, log: true, model: true,
  },
  age: {
    kind: 'number', label: 'Age', unit: 'years', words: 'age', column: 'age',
    money: false, log: false, model: true,
  },
  gender: { kind: 'category', label: 'Gender', words: 'gender', values: GENDERS },
  location: { kind: 'category', label: 'Location', words: 'location', values: 'data' },
  timeOfDay: { kind: 'category', label: 'Time of day', words: 'usual time of day', values: TIME_OF_DAY },
} as const satisfies Readonly<Record<string, FeatureSpec>>;

type Registry = typeof FEATURES;
export type FeatureName = keyof Registry;
type NamesOfKind<K extends FeatureSpec['kind']> = { [F in FeatureName]: Registry[F]['kind'] extends K ? F : never }[FeatureName];
/** The numeric features (`kind: 'number'`). */
export type NumericFeature = NamesOfKind<'number'>;
export type FlagFeature = NamesOfKind<'flag'>;
export type CategoryFeature = NamesOfKind<'category'>;
/** What the model can take: numbers and flags. */
export type ModelFeature = NumericFeature | FlagFeature;

/** One row per customer (order: first appearance in the file); a column per registry entry. */
export type CustomerFeatures = {
  readonly n: number;
  /** The customer key of cleaning rule 10, `CustomerID|YYYY-MM-DD|G` (`?` for an unknown part): unique per customer. */
  readonly customerId: CustomerKeyColumn;
  /** Last transaction date in the data (days since epoch). */
  readonly endDate: number;
  /** The day recency is measured from (days since epoch): `endDate` unless `--as-of` says otherwise. */
  readonly asOf: number;
} & { readonly [F in ModelFeature]: Float64Array } & { readonly [F in CategoryFeature]: DictColumn };

const names = (keep: (spec: FeatureSpec) => boolean): string[] =>
  (Object.keys(FEATURES) as FeatureName[]).filter((f) => keep(FEATURES[f] as FeatureSpec));

/** Every feature, in registry order. */
export const FEATURE_NAMES: readonly FeatureName[] = names(() => true) as FeatureName[];
export const NUMERIC_FEATURES: readonly NumericFeature[] = names((s) => s.kind === 'number') as NumericFeature[];
export const FLAG_FEATURES: readonly FlagFeature[] = names((s) => s.kind === 'flag') as FlagFeature[];
export const CATEGORY_FEATURES: readonly CategoryFeature[] = names((s) => s.kind === 'category') as CategoryFeature[];
/** Numbers and flags: the features the model may take (`--features`). */
export const MODEL_FEATURES: readonly ModelFeature[] = names((s) => s.kind !== 'category') as ModelFeature[];
/** The model's default features, in registry order (entries with `model: true`). */
export const DEFAULT_MODEL_FEATURES: readonly ModelFeature[] = names((s) => s.kind !== 'category' && s.model) as ModelFeature[];
/** The heavy-tailed features that go through log1p by default (entries with `log: true`). */
export const DEFAULT_LOG_FEATURES: readonly NumericFeature[] = names((s) => s.kind === 'number' && s.log) as NumericFeature[];
/** Amounts in INR. */
export const MONEY_FEATURES: readonly NumericFeature[] = names((s) => s.kind === 'number' && s.money) as NumericFeature[];

/** The registry entry of a feature (typed as the union, for code that handles any feature). */
export function featureSpec(name: FeatureName): FeatureSpec {
  return FEATURES[name];
}

/** True for a money feature (drawn on log axes, shown in rupees). */
export function isMoney(name: FeatureName): boolean {
  const spec = featureSpec(name);
  return spec.kind === 'number' && spec.money;
}

/** How the report names a feature in a sentence (the name itself for an unknown one). */
export function featureWords(name: string): string {
  return name in FEATURES ? FEATURES[name as FeatureName].words : name;
}

/** A column of the customer table: numbers or flags as a Float64Array, categories as a DictColumn. */
export type FeatureColumn = Float64Array | DictColumn;

/**
 * The per-customer columns by name in display order: `customerId` (the key texts), then every feature (not `n`,
 * `endDate`).
 */
export function featureColumns(f: CustomerFeatures): { customerId: readonly string[] } & Record<FeatureName, FeatureColumn> {
  const out = { customerId: keyTexts(f.customerId) } as { customerId: readonly string[] } & Record<FeatureName, FeatureColumn>;
  for (const name of FEATURE_NAMES) out[name] = f[name];
  return out;
}

/** Throws a one-line RangeError unless every name is a feature the model can take. */
export function checkModelFeatures(list: readonly string[], what = 'feature'): asserts list is readonly ModelFeature[] {
  for (const name of list) {
    if (!(MODEL_FEATURES as readonly string[]).includes(name)) {
      throw new RangeError(`unknown ${what} "${name}" (expected one of ${MODEL_FEATURES.join(', ')})`);
    }
  }
}
