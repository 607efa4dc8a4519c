/**
 * Read → clean → customer features: the stages every command and notebook starts from (cached by
 * load_cache.ts). Holds no logic of its own; each step lives in its module.
 */
import { readSource } from '../collect/source';
import type { SourceOptions } from '../collect/source';
import type { CleanTable, QualityReport, TransactionTable } from '../table';
import { cleanTransactions } from './clean';
import type { CustomerFeatures } from './feature_registry';
import { customerFeatures } from './features';
import { DEFAULT_TABLE } from '../config';
import { pushDownFromDb, PushedDown } from '../collect/db/pushdown';
import type { CustomerSample } from '../collect/db/sample';

export interface LoadedData {
  readonly raw: TransactionTable;
  readonly clean: CleanTable;
  readonly quality: QualityReport;
  readonly features: CustomerFeatures;
}

export interface LoadOptions extends SourceOptions {
  readonly capQuantile?: number;
  /** Fixed outlier caps (a saved model's training caps) instead of this data's quantiles; see CleanOptions. */
  readonly caps?: { readonly amount: number; readonly balance: number };
  readonly topLocations?: number;
  /** The day recency is measured from (days since 1970-01-01); default the last date in the data. */
  readonly asOf?: number;
  /** With the push-down: the features of a seeded random sample of the customers only (collect/db/sample.ts). */
  readonly sample?: CustomerSample;
}

/**
 * The push-down: the quality report and the customer features computed inside the database at `opts.url`
 * (no transaction rows in Node). Throws a RangeError without `url` (the caller says why in its own terms).
 */
export async function pushDownSource(opts: LoadOptions): Promise<PushedDown> {
  if (!opts.url) throw new RangeError('the push-down needs a database URL');
  if (opts.caps) throw new RangeError('fixed caps (a saved model\'s) are not pushed down: read the rows instead');
  return pushDownFromDb(opts.url, opts.table ?? DEFAULT_TABLE, {
    strict: opts.strict,
    capQuantile: opts.capQuantile,
    topLocations: opts.topLocations,
    asOf: opts.asOf,
    sample: opts.sample,
  });
}

/** Read → clean → customer features. */
export async function loadData(opts: LoadOptions = {}): Promise<LoadedData> {
  const raw = await readSource(opts);
  const { table: clean, report: quality } = cleanTransactions(raw, { capQuantile: opts.capQuantile, caps: opts.caps });
  const features = customerFeatures(clean, { topLocations: opts.topLocations, asOf: opts.asOf });
  return { raw, clean, quality, features };
}
