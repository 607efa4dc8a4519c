/**
 * The stages the commands share, with their progress lines and one-line errors, so `segment`, `figures` and `run`
 * compose the same steps instead of each re-wiring them. Results come from the stage cache (src/io/cache.ts) when the
 * same input and parameters were seen before.
 */
import * as path from 'node:path';
import { InputError, UsageError } from '../errors';
import { cachedLoad, cachedSegmentation } from '../io/cache';
import { exportFigures, ExportFormat, ChromiumUnavailableError } from '../visualize/export';
import { progress } from '../io/progress';
import type { LoadedData, LoadOptions } from '../preprocess/load';
import type { SegmentOptions } from '../segment/index';
import type { Segmentation } from '../segment/types';
import type { Figure } from '../visualize/figure';
import type { ModelFeature } from '../preprocess/feature_registry';
import { writeSegmentOutputs } from '../segment/index';
import { checkModelFeatures, DEFAULT_MODEL_FEATURES, MODEL_FEATURES } from '../preprocess/feature_registry';
import { writeInsightsReport } from '../insights/report';
import { pct } from '../format';

export const PROJECT_ROOT = path.resolve(__dirname, '../..');
export const DEFAULT_PROCESSED_DIR = path.join(PROJECT_ROOT, 'data', 'processed');
export const DEFAULT_FIGURES_DIR = path.join(PROJECT_ROOT, 'figures');
export const DEFAULT_SEED = 42;

/** A stage line on stderr, prefixed with the command (silenced by BANKSEG_QUIET=1, like the progress lines). */
export function note(command: string, text: string): void {
  if (process.env.BANKSEG_QUIET !== '1') process.stderr.write(`${command}: ${text}\n`);
}

export function secondsSince(start: number): string {
  return `${((Date.now() - start) / 1000).toFixed(1)} s`;
}

/** The options of the commands that segment and write results (`segment`, `run`), beside SOURCE_OPTION_SPEC. */
export const SEGMENT_OPTION_SPEC = {
  k: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  figures: { type: 'string' },
  features: { type: 'string' },
} as const;

/** `--k auto|N`. */
export function kOption(value: string | undefined): number | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  if (!/^\d+$/.test(value) || Number(value) < 2) throw new UsageError(`--k expects auto or a whole number >= 2, got "${value}"`);
  return Number(value);
}

/** A directory option: absolute, defaulting to `fallback`; an empty value is a usage error. */
export function dirOption(name: string, value: string | undefined, fallback: string): string {
  if (value === '') throw new UsageError(`--${name} expects a directory`);
  return value === undefined ? fallback : path.resolve(value);
}

/** Read → clean → features (cached), with a line saying what was loaded. */
export async function loadStep(command: string, opts: LoadOptions): Promise<LoadedData> {
  const started = Date.now();
  note(command, 'reading and cleaning the transactions');
  const data = await cachedLoad(opts);
  const from = data.cache.hit ? ` from the cache ${data.cache.key}` : '';
  note(
    command,
    `${data.clean.rows.toLocaleString('en-US')} transactions, ${data.features.n.toLocaleString('en-US')} customers${from} (${secondsSince(started)})`,
  );
  return data;
}

/** K-means segmentation with its k sweep (cached), progress on stderr; bad k or features become usage errors. */
export async function segmentStep(command: string, data: LoadedData, opts: SegmentOptions): Promise<Segmentation> {
  if (data.features.n < 2) throw new InputError(`cannot segment ${data.features.n} customer(s): need at least 2`);
  const started = Date.now();
  const bar = progress(`${command}: k sweep and fit`);
  let seg: Segmentation & { cache: { hit: boolean } };
  try {
    seg = await cachedSegmentation(data.features, { ...opts, onProgress: (_step, done, total) => bar.update(done, total) });
  } catch (err) {
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
  bar.finish(`k = ${seg.k}`);
  const how = opts.k === undefined || opts.k === 'auto' ? 'recommended' : 'requested';
  note(command, `k = ${seg.k} (${how}${seg.cache.hit ? ', from the cache' : ''}) in ${secondsSince(started)}: ${seg.recommendation.reason}`);
  return seg;
}

/** Writes the figures; a missing Chromium or an unwritable folder is one line (the HTML is still written). */
export async function exportStep(command: string, figs: readonly Figure[], outDir: string, formats: readonly ExportFormat[]): Promise<string[]> {
  const bar = progress(`${command}: exporting figures`);
  try {
    const { written } = await exportFigures(figs, outDir, { formats, onFigure: (_name, done, total) => bar.update(done, total) });
    bar.finish();
    return written;
  } catch (err) {
    if (err instanceof ChromiumUnavailableError) throw new InputError(err.message);
    const e = err as NodeJS.ErrnoException;
    if (e.code) throw new InputError(`cannot write to ${outDir}: ${e.message}`);
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

/** customers.csv + segments.json in `outDir`, insights.md + .html in `reportDir`; returns the paths written. */
export function writeResultsStep(seg: Segmentation, data: LoadedData, outDir: string, reportDir: string): string[] {
  try {
    const outputs = writeSegmentOutputs(seg, data.features, outDir);
    const report = writeInsightsReport(seg, data.quality, data.features, reportDir);
    return [outputs.customersCsv, outputs.segmentsJson, report.md, report.html];
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code) throw new InputError(`cannot write the outputs: ${e.message}`);
    throw err;
  }
}

/** The segments in a few lines, for stdout. */
export function segmentSummary(seg: Segmentation, customers: number): string[] {
  return [
    `${seg.k} segments of ${customers.toLocaleString('en-US')} customers; silhouette ${seg.silhouette.toFixed(3)}, ` +
      `Davies–Bouldin ${seg.daviesBouldin.toFixed(3)}, inertia ${Math.round(seg.fit.inertia).toLocaleString('en-US')}`,
    ...seg.segments.map(
      (s) => `  ${String(s.id).padStart(2)}  ${s.name.padEnd(36)} ${pct(s.share).padStart(6)} of customers, ${pct(s.monetaryShare).padStart(6)} of money`,
    ),
  ];
}
