/**
 * The option blocks the commands share, with their help lines, and the parsers that turn option text into values
 * or one-line usage errors. Domain code never sees option text.
 */
import * as path from 'node:path';
import { DEFAULT_RAW_PATH, DEFAULT_SEED, DEFAULT_TABLE, MAX_SEED } from '../config';
import { UsageError } from '../errors';
import type { SourceOptions } from '../collect/source';
import type { CustomerSample } from '../collect/db/sample';
import type { CacheOptions } from '../io/cache';
import { checkModelFeatures, DEFAULT_MODEL_FEATURES, MODEL_FEATURES } from '../preprocess/feature_registry';
import type { ModelFeature } from '../preprocess/feature_registry';
import { intOption } from './command';
import { dayNumber, isoDate } from '../table';

/** The `parseOptions` spec of every command that reads transactions (db-import too). */
export const SOURCE_OPTION_SPEC = {
  input: { type: 'string' },
  url: { type: 'string' },
  table: { type: 'string' },
  strict: { type: 'boolean' },
} as const;

export const SOURCE_HELP = [
  '  --input FILE   transactions CSV, plain or .gz (default: the generated ' + DEFAULT_RAW_PATH + ', made if missing or stale)',
  '  --url URL      read from PostgreSQL instead (postgres://user:pass@host:port/db)',
  `  --table NAME   table to read with --url (default: ${DEFAULT_TABLE})`,
  '  --strict       stop at the first malformed row (default: skip it and count it in the report)',
].join('\n');

/** The option of the commands that read transactions and can leave them in the database (not db-import). */
export const PUSH_DOWN_OPTION_SPEC = {
  'push-down': { type: 'boolean' },
} as const;

export const PUSH_DOWN_HELP = [
  '  --push-down    with --url: clean, report and build the customer features inside the database, so one row',
  '                 per customer reaches bankseg instead of every transaction (docs/database.md)',
].join('\n');

/** The source of parsed SOURCE_OPTION_SPEC (+ PUSH_DOWN_OPTION_SPEC) values; --push-down needs --url. */
export function sourceOption(values: { input?: string; url?: string; table?: string; strict?: boolean; 'push-down'?: boolean }): SourceOptions {
  const pushDown = values['push-down'] === true;
  if (pushDown && !values.url) throw new UsageError('--push-down needs --url: it runs inside the database (a file is read by bankseg anyway)');
  return { input: values.input, url: values.url, table: values.table, strict: values.strict, ...(pushDown ? { pushDown } : {}) };
}

/** `segment`'s options for fitting on a sample of the customers drawn in the database, and scoring every customer there. */
export const SAMPLE_OPTION_SPEC = {
  sample: { type: 'string' },
  'sample-seed': { type: 'string' },
  'assign-in-database': { type: 'boolean' },
  'out-table': { type: 'string' },
} as const;

export const SAMPLE_HELP = [
  '  --sample N|F     with --push-down: fit on a seeded random sample of the customers drawn in the database,',
  '                   N customers (a whole number >= 2) or a fraction F in (0, 1); the data-quality report stays',
  '                   whole-table (docs/database.md, "Fit on a sample, score in the database")',
  '  --sample-seed S  seed of the sample (default: --seed); the same seed draws the same customers',
  '  --assign-in-database  with --push-down: then assign every customer of the table to the fitted segments inside',
  '                   the database (generated SQL) and write them to a table in one transaction; nothing per',
  '                   customer comes back to bankseg',
  '  --out-table NAME the table --assign-in-database writes (default customer_segments): customer key, CustomerID,',
  '                   segment id and name, distance to the centroid, RFM segment',
].join('\n');

/**
 * `--assign-in-database [--out-table NAME]`: the table to write (default customer_segments), or undefined without
 * it; a usage error without --push-down (the scoring runs where the push-down ran), or --out-table alone.
 */
export function assignTableOption(values: { 'assign-in-database'?: boolean; 'out-table'?: string; 'push-down'?: boolean }, defaultTable: string): string | undefined {
  if (values['assign-in-database'] !== true) {
    if (values['out-table'] !== undefined) throw new UsageError('--out-table needs --assign-in-database');
    return undefined;
  }
  if (values['push-down'] !== true) throw new UsageError('--assign-in-database needs --push-down: the customers are assigned inside the database');
  const table = values['out-table'] ?? defaultTable;
  if (table.trim() === '') throw new UsageError('--out-table expects a table name');
  return table;
}

/**
 * `--sample N|F` and `--sample-seed S` (default `seed`): undefined without --sample; a usage error without
 * --push-down (the sample is drawn in the database), or for anything but N >= 2 or 0 < F < 1.
 */
export function sampleOption(values: { sample?: string; 'sample-seed'?: string; 'push-down'?: boolean }, seed: number): CustomerSample | undefined {
  const value = values.sample;
  if (value === undefined) {
    if (values['sample-seed'] !== undefined) throw new UsageError('--sample-seed needs --sample');
    return undefined;
  }
  if (values['push-down'] !== true) throw new UsageError('--sample needs --push-down: the sample is drawn inside the database');
  const sampleSeed = intOption('sample-seed', values['sample-seed'], seed, 0, MAX_SEED);
  if (/^\d+$/.test(value) && Number(value) >= 2 && Number.isSafeInteger(Number(value))) return { size: Number(value), seed: sampleSeed };
  if (/^0?\.\d+$/.test(value) && Number(value) > 0) return { fraction: Number(value), seed: sampleSeed };
  throw new UsageError(`--sample expects a number of customers (a whole number >= 2) or a fraction in (0, 1), got "${value}"`);
}

/** The options of the commands that segment and write results (`segment`, `run`), beside SOURCE_OPTION_SPEC. */
export const SEGMENT_OPTION_SPEC = {
  k: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  figures: { type: 'string' },
  features: { type: 'string' },
  'as-of': { type: 'string' },
} as const;

/** `--no-cache`, for the commands that use the stage cache (run, segment, figures). */
export const CACHE_OPTION_SPEC = { 'no-cache': { type: 'boolean' } } as const;

export const CACHE_HELP =
  '  --no-cache     neither read nor write the stage cache in data/interim and data/processed (it holds copies of\n' +
  '                 the transactions; BANKSEG_NO_CACHE=1 does the same for every command and notebook)';

/** The options of every command that loads the data through the stages (figures, segment, run): where it comes
 * from (SOURCE_OPTION_SPEC), --push-down and --no-cache. */
export const LOAD_OPTION_SPEC = { ...SOURCE_OPTION_SPEC, ...PUSH_DOWN_OPTION_SPEC, ...CACHE_OPTION_SPEC } as const;

/** The help lines of LOAD_OPTION_SPEC. */
export const LOAD_HELP = [SOURCE_HELP, PUSH_DOWN_HELP, CACHE_HELP].join('\n');

/** The help lines of SEGMENT_OPTION_SPEC; `figures` says what goes into --figures DIR. */
export function segmentHelp(figures: string): string {
  return [
    '  --k auto|N       number of segments: auto (default) takes the recommended k of the sweep',
    `  --seed S         seed of the k-means restarts and of the sampled metrics (default ${DEFAULT_SEED})`,
    '  --out DIR        directory for customers.csv and segments.json (default data/processed/ of the project)',
    `  --figures DIR    directory for ${figures} (default figures/ of the project)`,
    FEATURES_HELP,
    AS_OF_HELP,
  ].join('\n');
}

/** The cache options of parsed CACHE_OPTION_SPEC values. */
export function cacheOption(values: { 'no-cache'?: boolean }): CacheOptions {
  return values['no-cache'] ? { disabled: true } : {};
}

/** The help line of `--as-of`. */
export const AS_OF_HELP = '  --as-of DATE     YYYY-MM-DD: measure recency from this day (default: the last date in the data)';

/** `--as-of YYYY-MM-DD`: the day recency is measured from, as days since 1970-01-01 (undefined: the data's last date). */
export function asOfOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const day = m ? dayNumber(Number(m[1]), Number(m[2]), Number(m[3])) : NaN;
  if (!m || isoDate(day) !== value) throw new UsageError(`--as-of expects a date as YYYY-MM-DD, got "${value}"`);
  return day;
}

/** `--k auto|N`. */
export function kOption(value: string | undefined): number | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  if (!/^\d+$/.test(value) || Number(value) < 2) throw new UsageError(`--k expects auto or a whole number >= 2, got "${value}"`);
  return Number(value);
}

/** `--seed S`: a whole number 0..4294967295 (default DEFAULT_SEED); anything else is refused, never wrapped. */
export function seedOption(value: string | undefined): number {
  return intOption('seed', value, DEFAULT_SEED, 0, MAX_SEED);
}

/** A directory option: absolute, defaulting to `fallback`; an empty value is a usage error. */
export function dirOption(name: string, value: string | undefined, fallback: string): string {
  if (value === '') throw new UsageError(`--${name} expects a directory`);
  return value === undefined ? fallback : path.resolve(value);
}

const OTHER_MODEL_FEATURES = MODEL_FEATURES.filter((f) => !DEFAULT_MODEL_FEATURES.includes(f));

/** The help lines of `--features`, from the feature registry. */
export const FEATURES_HELP = [
  `  --features LIST  comma-separated model features (default ${DEFAULT_MODEL_FEATURES.join(',')})`,
  ...(OTHER_MODEL_FEATURES.length > 0 ? [`                   also available: ${OTHER_MODEL_FEATURES.join(',')}`] : []),
].join('\n');

/** `--features a,b,c`: the model features, checked against the known ones. */
export function featuresOption(value: string | undefined): ModelFeature[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((f) => f.trim()).filter((f) => f.length > 0);
  if (list.length === 0) throw new UsageError('--features expects a comma-separated list of features');
  try {
    checkModelFeatures(list);
  } catch (err) {
    throw new UsageError(`--features: ${(err as Error).message}`);
  }
  return list as ModelFeature[];
}
