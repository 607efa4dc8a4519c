/**
 * The notebooks' data: where it comes from (BANKSEG_INPUT or BANKSEG_URL, read here and nowhere else), read → clean
 * → features and the segmentation from the stage cache, with one line saying where each came from, and the figure
 * export for reports.
 */
import { FIGURES_DIR, DEFAULT_TABLE, ENV } from '../config';
import { redactUrl } from '../collect/db/connection';
import { assignInDatabase as assignCustomersInDatabase } from '../collect/db/assign';
import type { InDatabaseAssignment } from '../collect/db/assign';
import type { ScoringModel } from '../collect/db/scoring';
import { InputError } from '../errors';
import { count } from '../format';
import { profileSegmentation } from '../insights/profile';
import { dayCountsOf } from '../insights/caveats';
import type { ProfiledSegmentation } from '../insights/types';
import { DEFAULT_MODEL_FEATURES } from '../preprocess/feature_registry';
import type { CustomerFeatures } from '../preprocess/feature_registry';
import { pushDownSource } from '../preprocess/load';
import type { LoadedData, LoadOptions } from '../preprocess/load';
import { cachedLoad } from '../preprocess/load_cache';
import type { CachedLoad } from '../preprocess/load_cache';
import { cachedSegmentation } from '../segment/cached';
import type { CachedSegmentation } from '../segment/cached';
import type { SegmentOptions } from '../segment/index';
import { exportFigures } from '../visualize/export';
import { customerEdaFigures, reportFigures, segmentFigures } from '../visualize/figure_registry';

/** The environment variable naming the transactions file the notebooks read (e.g. the real 1M-row CSV). */
export const INPUT_ENV = ENV.input;
/** Or a PostgreSQL database (postgres://…) and table (default `transactions`) to read them from. */
export const URL_ENV = ENV.url;
export const TABLE_ENV = ENV.table;
/** `1`: with BANKSEG_URL, clean and build the customer features inside the database (no transaction rows in the kernel). */
export const PUSH_DOWN_ENV = ENV.pushDown;

/**
 * The notebooks' data source, the ONE place they read it: `BANKSEG_URL` (+ `BANKSEG_TABLE`) for a database,
 * else `BANKSEG_INPUT` (a CSV, plain or .gz; a relative path is relative to the project root, the kernel's working
 * directory), else the generated default data.
 * @example source() // {} for the default, { input: '/data/bank_transactions.csv' } with BANKSEG_INPUT set
 */
export function source(env: NodeJS.ProcessEnv = process.env): LoadOptions {
  const url = env[URL_ENV]?.trim();
  const pushDown = env[PUSH_DOWN_ENV]?.trim() === '1';
  if (url) {
    const table = env[TABLE_ENV]?.trim();
    return { url, ...(table ? { table } : {}), ...(pushDown ? { pushDown } : {}) };
  }
  if (pushDown) throw new InputError(`${PUSH_DOWN_ENV}=1 needs ${URL_ENV}: the push-down runs inside the database`);
  const input = env[INPUT_ENV]?.trim();
  return input ? { input } : {};
}

/** Where `source` points, in words (the password of a URL hidden). */
export function describeSource(env: NodeJS.ProcessEnv): string {
  const from = source(env);
  if (from.url) {
    const how = from.pushDown ? `, ${PUSH_DOWN_ENV}=1` : '';
    return `${URL_ENV}=${redactUrl(from.url)} (table ${from.table ?? DEFAULT_TABLE}${how})`;
  }
  if (from.input) return `${INPUT_ENV}=${from.input}`;
  return 'the generated default data';
}

/**
 * Read → clean → features for the notebook's source (the parameters cell's `input` if it sets one, else `source`),
 * from the stage cache when possible (about a second for the 1M-row default instead of ~10 s), printing one line
 * that says where the data came from.
 * @example const data = await load(params);
 */
export async function load(params: { readonly input?: string } = {}, env: NodeJS.ProcessEnv = process.env): Promise<CachedLoad> {
  const options: LoadOptions = params.input ? { input: params.input } : source(env);
  const data = options.pushDown ? await pushedDownNotebookData(options) : await cachedLoad(options);
  LOADED.set(data.features, data);
  const where = params.input ? `${params.input} (the parameters cell)` : describeSource(env);
  const how = data.cache.hit ? `from the stage cache (${data.cache.dirs.join(', ')})` : data.cache.note ?? 'computed and cached';
  console.log(
    `${count(data.quality.outputRows)} clean transactions, ${count(data.features.n)} customers ` +
      `from ${where}; ${how} in ${data.cache.seconds.toFixed(1)} s`,
  );
  return data;
}

/**
 * The push-down for a notebook: the quality report and the customers come from the database; the transaction
 * tables (`raw`, `clean`) are not in the kernel, and a cell that asks for them says so.
 */
async function pushedDownNotebookData(options: LoadOptions): Promise<CachedLoad> {
  const started = Date.now();
  const { quality, features, transactionsPerDay } = await pushDownSource(options);
  const absent = (): never => {
    throw new InputError(
      `${PUSH_DOWN_ENV}=1: the transaction rows stay in the database, and this cell needs them ` +
        `(notebooks 01–03 look at transactions: run them without ${PUSH_DOWN_ENV})`,
    );
  };
  const cache = { hit: false, key: '', dirs: [], seconds: (Date.now() - started) / 1000, note: 'computed inside the database (push-down)' };
  // raw and clean exist as getters that throw (defineProperties' result type does not show them).
  const data = Object.defineProperties({ quality, features, transactionsPerDay, cache }, { raw: { get: absent }, clean: { get: absent } }) as unknown as CachedLoad;
  PUSHED_DOWN.add(data);
  return data;
}

/** The data objects `load` made with the push-down (they hold no transaction rows). */
const PUSHED_DOWN = new WeakSet<object>();
/** The load each features object came from, so `segment(data.features)` can count the transactions per day. */
const LOADED = new WeakMap<CustomerFeatures, CachedLoad>();

/**
 * The segmentation options every notebook uses, so 04, 05 and 06 share one cached result: k chosen by the sweep
 * (2..8), the registry's model features, log1p on the heavy-tailed ones, the project's default seed.
 */
export const NOTEBOOK_SEGMENT_OPTIONS: SegmentOptions = { k: 'auto' };

/**
 * The customers' segmentation with NOTEBOOK_SEGMENT_OPTIONS (or `opts`), from the stage cache when possible, with
 * its segments profiled, named and given actions (derived each time, never cached), printing one line that says
 * which k was kept and where the result came from.
 * @example const seg = await segment(data.features);
 */
export async function segment(
  features: CustomerFeatures,
  opts: SegmentOptions = NOTEBOOK_SEGMENT_OPTIONS,
): Promise<ProfiledSegmentation<CachedSegmentation>> {
  // The default features spelled out are the default: the same cache entry as the other notebooks'.
  const same = opts.features && opts.features.length === DEFAULT_MODEL_FEATURES.length && opts.features.every((f, i) => f === DEFAULT_MODEL_FEATURES[i]);
  const seg = await cachedSegmentation(features, same ? { ...opts, features: undefined } : opts);
  const how = seg.cache.hit ? `from the stage cache (${seg.cache.dirs.join(', ')})` : 'computed and cached';
  console.log(`${seg.k} segments of ${count(features.n)} customers; ${how} in ${seg.cache.seconds.toFixed(1)} s`);
  // The transactions per day tell the names whether the end of the data is thin (src/insights/recency.ts).
  const loaded = LOADED.get(features);
  return profileSegmentation(features, seg, loaded ? dayCountsOf(loaded) : undefined);
}

/** The project's figures folder (the kernel's working directory is the project root, but resolve it anyway). */
export { FIGURES_DIR };

/**
 * Writes every figure of the analysis (the exploratory ones and the segment ones) as PNG (2×), SVG and standalone
 * HTML into `outDir`, as `bankseg figures` does, in one headless Chromium; returns the files written.
 * @example const written = await exportReportFigures(data, seg);
 */
export async function exportReportFigures(data: LoadedData, seg: ProfiledSegmentation, outDir: string = FIGURES_DIR): Promise<string[]> {
  // After the push-down only the customer-level exploratory figures can be drawn (the rows stayed in the database).
  const figs = PUSHED_DOWN.has(data) ? [...customerEdaFigures(data.features), ...segmentFigures(data.features, seg)] : reportFigures(data, seg);
  const { written } = await exportFigures(figs, outDir);
  return written;
}

/**
 * Scores every customer of the notebook's database table (BANKSEG_URL, BANKSEG_TABLE) with `model` (a saved
 * model.json, `loadModel`) inside the database, into `out` (default customer_segments), as `bankseg assign
 * --in-database`; returns the counts per segment and RFM segment, the only per-segment numbers that come back.
 * @example const done = await bs.assignInDatabase(bs.loadModel(), { out: 'customer_segments' });
 */
export async function assignInDatabase(
  model: ScoringModel,
  opts: { readonly out?: string; readonly asOf?: number } = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<InDatabaseAssignment> {
  const from = source(env);
  if (!from.url) throw new InputError(`assignInDatabase scores inside a database: set ${URL_ENV} (and ${TABLE_ENV}) to its URL and table`);
  return assignCustomersInDatabase(from.url, from.table ?? DEFAULT_TABLE, model, opts);
}
