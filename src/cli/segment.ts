import * as path from 'node:path';
import { Command, InputError, UsageError, intOption, parseOptions } from './command';
import { loadData, SOURCE_HELP, SOURCE_OPTION_SPEC } from '../pipeline';
import { segmentCustomers, writeSegmentOutputs } from '../segment/index';
import { checkFeatures } from '../segment/space';
import { writeInsightsReport } from '../insights/report';
import { pct } from '../insights/format';
import { progress } from '../progress';
import type { NumericFeature } from '../table';

const PROJECT_ROOT = path.resolve(__dirname, '../..');
const DEFAULT_OUT = path.join(PROJECT_ROOT, 'data', 'processed');
const DEFAULT_FIGURES = path.join(PROJECT_ROOT, 'figures');
const DEFAULT_SEED = 42;

const HELP = [
  'Usage: bankseg segment [--input FILE | --url URL [--table NAME]] [--k auto|N] [--seed S] [--out DIR]',
  '                       [--figures DIR] [--features LIST] [--strict]',
  '',
  'Reads, cleans and segments the customers with k-means on all of them: sweeps k = 2..10 (inertia and its',
  'elbow, sampled silhouette, Davies–Bouldin, Calinski–Harabasz, stability), recommends a k, profiles, names',
  'and recommends an action for each segment. Writes DIR/customers.csv (features, z_ model coordinates,',
  'segment), DIR/segments.json (scores, sweep, segments) and the business report insights.md + insights.html.',
  '',
  'Options:',
  SOURCE_HELP,
  '  --k auto|N       number of segments: auto (default) takes the recommended k of the sweep',
  `  --seed S         seed of the k-means restarts and of the sampled metrics (default ${DEFAULT_SEED})`,
  '  --out DIR        directory for customers.csv and segments.json (default data/processed/ of the project)',
  '  --figures DIR    directory for insights.md and insights.html (default figures/ of the project)',
  '  --features LIST  comma-separated model features (default recencyDays,frequency,monetaryTotal,monetaryMean,balance,age)',
  '  --help           this text',
].join('\n');

/** `bankseg segment`: the segmentation, its files and its business report. */
export const segmentCommand: Command = {
  name: 'segment',
  summary: 'segment the customers (k-means, k chosen by a sweep) and write the segments and the insights report',
  help: HELP,
  async run(argv) {
    const opts = parseOptions(argv, {
      ...SOURCE_OPTION_SPEC,
      k: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      figures: { type: 'string' },
      features: { type: 'string' },
    });
    const k = parseK(opts.k);
    const seed = intOption('seed', opts.seed, DEFAULT_SEED, 0);
    const features = parseFeatures(opts.features);
    if (opts.out === '') throw new UsageError('--out expects a directory');
    if (opts.figures === '') throw new UsageError('--figures expects a directory');
    const outDir = opts.out === undefined ? DEFAULT_OUT : path.resolve(opts.out);
    const figuresDir = opts.figures === undefined ? DEFAULT_FIGURES : path.resolve(opts.figures);
    const started = Date.now();

    note('reading and cleaning the transactions');
    const data = await loadData({ input: opts.input, url: opts.url, table: opts.table, strict: opts.strict });
    note(`${data.clean.rows.toLocaleString('en-US')} transactions, ${data.features.n.toLocaleString('en-US')} customers (${seconds(started)})`);
    if (data.features.n < 2) throw new InputError(`cannot segment ${data.features.n} customer(s): need at least 2`);

    const segmenting = progress('segment: k sweep');
    const segStarted = Date.now();
    let seg;
    try {
      seg = segmentCustomers(data.features, { k, seed, features, onProgress: (_step, done, total) => segmenting.update(done, total) });
    } catch (err) {
      if (err instanceof RangeError) throw new UsageError(err.message);
      throw err;
    }
    segmenting.finish(`k = ${seg.k}`);
    note(`k = ${seg.k} (${k === 'auto' ? 'recommended' : 'requested'}) in ${seconds(segStarted)}: ${seg.recommendation.reason}`);

    let written: string[];
    try {
      const outputs = writeSegmentOutputs(seg, data.features, outDir);
      const report = writeInsightsReport(seg, data.quality, data.features, figuresDir);
      written = [outputs.customersCsv, outputs.segmentsJson, report.md, report.html];
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code) throw new InputError(`cannot write the outputs: ${e.message}`);
      throw err;
    }

    const lines = [
      `${seg.k} segments of ${data.features.n.toLocaleString('en-US')} customers; silhouette ${seg.silhouette.toFixed(3)}, ` +
        `Davies–Bouldin ${seg.daviesBouldin.toFixed(3)}, inertia ${Math.round(seg.fit.inertia).toLocaleString('en-US')}`,
      ...seg.segments.map(
        (s) => `  ${String(s.id).padStart(2)}  ${s.name.padEnd(36)} ${pct(s.share).padStart(6)} of customers, ${pct(s.monetaryShare).padStart(6)} of money`,
      ),
      `wrote ${written.map((f) => path.relative(process.cwd(), f) || f).join(', ')} in ${seconds(started)}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
    return 0;
  },
};

function parseK(value: string | undefined): number | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  if (!/^\d+$/.test(value) || Number(value) < 2) throw new UsageError(`--k expects auto or a whole number >= 2, got "${value}"`);
  return Number(value);
}

function parseFeatures(value: string | undefined): NumericFeature[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(',').map((f) => f.trim()).filter((f) => f.length > 0);
  try {
    checkFeatures(list);
  } catch (err) {
    throw new UsageError(`--features: ${(err as Error).message}`);
  }
  if (list.length === 0) throw new UsageError('--features expects a comma-separated list of features');
  const checked: readonly NumericFeature[] = list;
  return [...checked];
}

/** A stage line on stderr (silenced by BANKSEG_QUIET=1, like the progress lines). */
function note(text: string): void {
  if (process.env.BANKSEG_QUIET !== '1') process.stderr.write(`segment: ${text}\n`);
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
