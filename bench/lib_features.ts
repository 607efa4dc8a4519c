/**
 * The figures every side of the benchmark reports about its customer features, so they can be compared: the sums of
 * the numeric features and the category counts (bankseg's side of them; the references compute the same in Python).
 */
import { NUMERIC_FEATURES } from '../src/preprocess/feature_registry';
import type { CustomerFeatures } from '../src/preprocess/feature_registry';
import { TIME_OF_DAY } from '../src/table';
import type { DictColumn } from '../src/table';
import type { CategoryCounts } from './lib_compare';

/** Sums of the numeric features (missing values left out) and how many customers have a balance and an age. O(n·6). */
export function featureSums(f: CustomerFeatures): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const name of NUMERIC_FEATURES) {
    let s = 0;
    for (const v of f[name]) if (v === v) s += v;
    sums[name] = s;
  }
  const known = (a: Float64Array): number => a.reduce((n, v) => (v === v ? n + 1 : n), 0);
  sums.balanceKnown = known(f.balance);
  sums.ageKnown = known(f.age);
  return sums;
}

function countCodes(column: DictColumn, unknown?: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const code of column.codes) {
    const key = code < 0 ? (unknown ?? '(missing)') : column.values[code];
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** Customers per gender (plus `unknown`), per location bucket and per time-of-day bin. O(n). */
export function categoryCounts(f: CustomerFeatures): CategoryCounts {
  const timeOfDay: Record<string, number> = Object.fromEntries(TIME_OF_DAY.map((t) => [t, 0]));
  Object.assign(timeOfDay, countCodes(f.timeOfDay));
  return {
    gender: { F: 0, M: 0, unknown: 0, ...countCodes(f.gender, 'unknown') },
    location: countCodes(f.location),
    timeOfDay,
  };
}
