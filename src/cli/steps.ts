/**
 * The stages the commands share, with their progress lines and one-line errors, so `segment`, `figures` and `run`
 * compose the same steps instead of each re-wiring them. Results come from the stage cache (src/io/cache.ts) when the
 * same input and parameters were seen before.
 */
import * as path from 'node:path';
import { isQuiet } from '../config';
import { InputError, UsageError } from '../errors';
import { cachedLoad } from '../preprocess/load_cache';
import { datesOnly, letGo } from '../preprocess/clean';
import { cachedSegmentation } from '../segment/cached';
import { exportFigures, ExportFormat, ChromiumUnavailableError } from '../visualize/export';
import { progress } from '../io/progress';
import { pushDownSource } from '../preprocess/load';
import type { OutputSet } from '../io/atomic';
import type { CacheOptions } from '../io/cache';
import type { LoadedData, LoadOptions } from '../preprocess/load';
import type { PushedDown } from '../collect/db/pushdown';
import { customerEdaFigures, edaFigures, rowFigureWords } from '../visualize/figure_registry';
import type { SegmentOptions } from '../segment/index';
import type { ProfiledSegmentation } from '../insights/types';
import { profileSegmentation } from '../insights/profile';
import { dayCountsOf } from '../insights/caveats';
import type { Figure } from '../visualize/figure';
import { writeSegmentOutputs } from '../insights/outputs';
import { writeInsightsReport } from '../insights/report';
import { count, num, pct } from '../format';
import { buildModel } from '../model/build';
import type { TrainingData } from '../model/build';
import { modelJson } from '../model/model';
import type { SourceOptions } from '../collect/source';
import { redactUrl } from '../collect/db/connection';
import { DEFAULT_TABLE } from '../config';
import { assignInDatabase, CUSTOMER_SEGMENTS_TABLE } from '../collect/db/assign';
import type { InDatabaseAssignment, InDatabaseOptions } from '../collect/db/assign';
import type { ScoringModel } from '../collect/db/scoring';
import { RFM_SEGMENTS } from '../insights/rfm';

/** A stage line on stderr, prefixed with the command (silenced by BANKSEG_QUIET=1, like the progress lines). */
export function note(command: string, text: string): void {
  if (!isQuiet()) process.stderr.write(`${command}: ${text}\n`);
}

export function secondsSince(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)} s`;
}

/**
 * What the load step gives the later steps: the customers and the quality report, and the transaction rows only
 * when they were read into Node (not with --push-down).
 */
export type StepData = LoadedData | PushedDown;

/** True when the transaction rows are in Node (the file or database path, not the push-down). */
export function hasRows(data: StepData): data is LoadedData {
  return 'clean' in data;
}

/** Read → clean → features (cached), or the push-down, with a line saying what was loaded. */
export async function loadStep(command: string, opts: LoadOptions, cache: CacheOptions = {}): Promise<StepData> {
  const started = Date.now();
  if (opts.pushDown) {
    note(command, 'cleaning the transactions and building the customer features inside the database');
    const data = await pushDownSource(opts);
    const shards = data.storage.foreignLeaves > 0 ? ` on ${data.storage.foreignLeaves} shards` : '';
    const customers = data.sample ? `a sample of ${count(data.features.n)} of ${count(data.sample.customers)} customers` : `${count(data.features.n)} customers`;
    note(command, `${count(data.quality.outputRows)} transactions, ${customers}, computed in the database${shards} (${secondsSince(started)})`);
    return data;
  }
  note(command, 'reading and cleaning the transactions');
  const data = await cachedLoad(opts, cache);
  const from = data.cache.hit ? ` from the cache ${data.cache.key}` : '';
  note(
    command,
    `${count(data.clean.rows)} transactions, ${count(data.features.n)} customers${from} (${secondsSince(started)})`,
  );
  return data;
}

/**
 * The load step's data without the rows as read, for the commands that draw no exploratory figure (`segment`,
 * `run --no-figures`): nothing after the load reads them (the clean table, the quality report and the features carry
 * what the model, the reports and customers.csv use), so they become garbage instead of staying to the end: at 5M
 * rows ~200 MB of typed arrays (the clean table shares the columns it did not change). Reading `raw` afterwards is a
 * bug and throws. Of the clean table only the row count and the dates stay (datesOnly): at 5M rows another ~185 MB
 * let go before the model space and the k sweep. The push-down has no rows to let go.
 */
export function withoutRawRows(data: StepData): StepData {
  if (!hasRows(data)) return data;
  const properties = Object.getOwnPropertyDescriptors(data) as Record<string, PropertyDescriptor>;
  delete properties.raw; // a value, or the stage cache's lazy getter: either way no longer reachable from here
  properties.raw = letGo('the rows as read were let go after loading');
  properties.clean = { value: datesOnly(data.clean), enumerable: true, configurable: true };
  return Object.defineProperties({}, properties) as StepData;
}

/**
 * The exploratory figures the data allows: all of them with the transaction rows in Node; after --push-down only
 * the customer-level ones, with a line naming the others.
 */
export function edaFiguresStep(command: string, data: StepData): Figure[] {
  if (hasRows(data)) return edaFigures(data.raw, data.clean, data.features);
  note(command, `--push-down: the transaction rows stay in the database, so the figures that need them are not drawn (${rowFigureWords()})`);
  return customerEdaFigures(data.features);
}

/**
 * K-means segmentation with its k sweep (cached), progress on stderr, then what the segments mean (profiles, names,
 * actions: derived, never cached). The options were checked when parsed; a k larger than the data allows is a
 * usage error; any other error from the model is a bug and is not dressed up as one.
 */
export async function segmentStep(command: string, data: StepData, opts: SegmentOptions, cache: CacheOptions = {}): Promise<ProfiledSegmentation> {
  const n = data.features.n;
  if (n < 2) throw new InputError(`cannot segment ${n} customer(s): need at least 2`);
  if (typeof opts.k === 'number' && opts.k > n) throw new UsageError(`--k: k = ${opts.k} is more than the ${n} customers to segment`);
  const started = Date.now();
  const bar = progress(`${command}: k sweep and fit`);
  const seg = await cachedSegmentation(data.features, { ...opts, onProgress: (_step, done, total) => bar.update(done, total) }, cache);
  bar.finish(`k = ${seg.k}`);
  const how = opts.k === undefined || opts.k === 'auto' ? 'recommended' : 'requested';
  note(command, `k = ${seg.k} (${how}${seg.cache.hit ? ', from the cache' : ''}) in ${secondsSince(started)}: ${seg.recommendation.reason}`);
  // The transactions per day tell the names whether the end of the data is thin (src/insights/recency.ts).
  return profileSegmentation(data.features, seg, dayCountsOf(data));
}

/**
 * Renders the figures into the command's output set (they appear when it is committed); a missing Chromium is one
 * line that says nothing was replaced and how to do without it (`hint`).
 */
export async function exportStep(
  command: string,
  figs: readonly Figure[],
  outDir: string,
  formats: readonly ExportFormat[],
  outputs: OutputSet,
  hint: string,
): Promise<string[]> {
  const bar = progress(`${command}: exporting figures`);
  try {
    const { written } = await exportFigures(figs, outDir, { formats, outputs, onFigure: (_name, done, total) => bar.update(done, total) });
    bar.finish();
    return written;
  } catch (err) {
    if (err instanceof ChromiumUnavailableError) throw new InputError(`${err.message}; no output was replaced (${hint})`);
    throw err;
  }
}

/** Paths for the closing line: relative to the working directory when inside it, absolute otherwise. */
export function shown(files: readonly string[]): string {
  return files
    .map((f) => {
      const rel = path.relative(process.cwd(), f);
      return rel === '' ? '.' : rel.startsWith('..') ? f : rel;
    })
    .join(', ');
}

/** How a saved model names its training source when it is not a file: the database URL (no password) and table. */
export function sourceLabel(source: SourceOptions): string | undefined {
  return source.url ? `${redactUrl(source.url)} table ${source.table ?? DEFAULT_TABLE}` : undefined;
}

/** What a saved model is built from, out of the load step's result (rows in Node, or the push-down's). */
export function trainingData(data: StepData): TrainingData {
  const input = (data as { input?: TrainingData['input'] }).input;
  return hasRows(data)
    ? { features: data.features, quality: data.quality, clean: data.clean, input }
    : { features: data.features, quality: data.quality, transactionsPerDay: data.transactionsPerDay };
}

/**
 * customers.csv, segments.json and model.json (the saved model, src/model/) in `outDir`, insights.md + .html in
 * `reportDir`, into the command's output set (they appear when it is committed); returns their paths.
 */
export async function writeResultsStep(
  seg: ProfiledSegmentation,
  data: StepData,
  outDir: string,
  reportDir: string,
  outputs: OutputSet,
  model: { seed?: number; source?: SourceOptions } = {},
): Promise<string[]> {
  const files = await writeSegmentOutputs(seg, data.features, outDir, outputs);
  const modelFile = path.join(outDir, 'model.json');
  const saved = buildModel(seg, trainingData(data), { seed: model.seed, source: model.source ? sourceLabel(model.source) : undefined });
  await outputs.write(modelFile, modelJson(saved));
  const report = await writeInsightsReport(seg, data, reportDir, outputs);
  return [files.customersCsv, files.segmentsJson, modelFile, report.md, report.html];
}

/** The segments in a few lines, for stdout. */
export function segmentSummary(seg: ProfiledSegmentation, customers: number): string[] {
  return [
    `${seg.k} segments of ${count(customers)} customers; silhouette ${num(seg.silhouette, 3)}, ` +
      `Davies–Bouldin ${num(seg.daviesBouldin, 3)}, inertia ${count(seg.fit.inertia)}`,
    ...seg.segments.map(
      (s) => `  ${String(s.id).padStart(2)}  ${s.name.padEnd(36)} ${pct(s.share).padStart(6)} of customers, ${pct(s.monetaryShare).padStart(6)} of money`,
    ),
  ];
}

/**
 * Assigns every customer of `table` at `url` to `model`'s segments inside the database (collect/db/assign.ts) and
 * prints what came back: the counts per segment and per RFM segment (nothing per customer reaches bankseg).
 */
export async function assignInDatabaseStep(command: string, url: string, table: string, model: ScoringModel, opts: InDatabaseOptions): Promise<InDatabaseAssignment> {
  const started = Date.now();
  note(command, `assigning every customer of ${table} to the model's segments inside the database, into ${opts.out ?? CUSTOMER_SEGMENTS_TABLE}`);
  const a = await assignInDatabase(url, table, model, opts);
  const shards = a.storage.foreignLeaves > 0 ? ` on ${a.storage.foreignLeaves} shards` : '';
  const share = (n: number) => pct(a.customers > 0 ? n / a.customers : 0).padStart(6);
  process.stdout.write(
    [
      `assigned ${count(a.customers)} customers inside the database${shards} into ${a.table} (${a.source}) in ${secondsSince(started)}:`,
      ...model.segments.map((s) => `  ${String(s.id).padStart(2)}  ${s.name.padEnd(36)} ${share(a.perSegment[s.id])} of customers`),
      `  RFM: ${RFM_SEGMENTS.map((r, i) => [r, a.perRfmSegment[i]] as const).filter(([, n]) => n > 0).map(([r, n]) => `${r} ${count(n)}`).join(', ')}`,
    ].join('\n') + '\n',
  );
  return a;
}
