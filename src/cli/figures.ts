import * as path from 'node:path';
import { Command, InputError, UsageError, intOption, parseOptions } from './command';
import { loadData, SOURCE_HELP, SOURCE_OPTION_SPEC } from '../pipeline';
import { segmentCustomers } from '../segment/index';
import { edaFigures, segmentFigures } from '../plots';
import { ChromiumUnavailableError, DEFAULT_CHROMIUM, ExportFormat, exportFigures } from '../export';
import { progress } from '../progress';
import type { Figure } from '../figure';

const FORMATS: readonly ExportFormat[] = ['png', 'svg', 'html'];
const DEFAULT_OUT = 'figures';
const DEFAULT_SEED = 42;

const HELP = [
  'Usage: bankseg figures [--input FILE | --url URL [--table NAME]] [--out DIR] [--k auto|N] [--seed S]',
  '                       [--format png,svg,html] [--only eda|segments] [--strict]',
  '',
  'Reads, cleans and segments the transactions, then writes every figure as PNG (2x, for slides), SVG and',
  'standalone HTML (interactive, plotly.js inlined, works offline): data quality, amounts, dates, hours,',
  'locations, balances, ages, genders; then the choice of k, segment sizes, the PCA map, centroids,',
  'per-segment box plots and the money share. PNG/SVG need Chromium (' + DEFAULT_CHROMIUM + ', or set BANKSEG_CHROMIUM).',
  '',
  'Options:',
  SOURCE_HELP,
  `  --out DIR      directory for the files (default ${DEFAULT_OUT}/, created if missing)`,
  '  --k auto|N     number of segments: auto (default) takes the recommended k of the sweep',
  `  --seed S       seed of k-means and of the sampled points of the PCA map (default ${DEFAULT_SEED})`,
  '  --format LIST  comma-separated subset of png,svg,html (default: all three)',
  '  --only WHAT    eda: only the exploratory figures (no segmentation); segments: only the segment figures',
  '  --help         this text',
].join('\n');

/** `bankseg figures`: every figure of the analysis, as files. */
export const figuresCommand: Command = {
  name: 'figures',
  summary: 'write the figures (data, segments) as PNG, SVG and standalone HTML',
  help: HELP,
  async run(argv) {
    const opts = parseOptions(argv, {
      ...SOURCE_OPTION_SPEC,
      out: { type: 'string' },
      k: { type: 'string' },
      seed: { type: 'string' },
      format: { type: 'string' },
      only: { type: 'string' },
    });
    const k = parseK(opts.k);
    const seed = intOption('seed', opts.seed, DEFAULT_SEED, 0);
    const formats = parseFormats(opts.format);
    if (opts.only !== undefined && opts.only !== 'eda' && opts.only !== 'segments') {
      throw new UsageError(`--only expects eda or segments, got "${opts.only}"`);
    }
    if (opts.out === '') throw new UsageError('--out expects a directory');
    const outDir = path.resolve(opts.out ?? DEFAULT_OUT);
    const started = Date.now();

    note('reading and cleaning the transactions');
    const data = await loadData({ input: opts.input, url: opts.url, table: opts.table, strict: opts.strict });
    note(`${data.clean.rows.toLocaleString('en-US')} transactions, ${data.features.n.toLocaleString('en-US')} customers (${seconds(started)})`);

    const figs: Figure[] = [];
    if (opts.only !== 'segments') figs.push(...edaFigures(data.raw, data.clean, data.features));
    if (opts.only !== 'eda') {
      if (data.features.n < 2) throw new InputError(`cannot segment ${data.features.n} customer(s): need at least 2`);
      const segmenting = progress('figures: segmenting');
      let seg;
      try {
        seg = segmentCustomers(data.features, { k, seed, onProgress: (_step, done, total) => segmenting.update(done, total) });
      } catch (err) {
        if (err instanceof RangeError) throw new UsageError(err.message);
        throw err;
      }
      segmenting.finish(`k = ${seg.k}`);
      note(`${seg.k} segments (${k === 'auto' ? 'recommended' : 'requested'}), silhouette ${seg.silhouette.toFixed(3)}`);
      figs.push(...segmentFigures(data.features, seg, { seed }));
    }

    const exporting = progress('figures: exporting');
    const exportStarted = Date.now();
    let written: string[];
    try {
      ({ written } = await exportFigures(figs, outDir, { formats, onFigure: (_name, done, total) => exporting.update(done, total) }));
    } catch (err) {
      if (err instanceof ChromiumUnavailableError) throw new InputError(err.message);
      const e = err as NodeJS.ErrnoException;
      if (e.code) throw new InputError(`cannot write to ${outDir}: ${e.message}`);
      throw err;
    }
    exporting.finish();
    const shown = path.relative(process.cwd(), outDir) || '.';
    process.stdout.write(
      `wrote ${written.length} files to ${shown}/ (${figs.length} figures × ${formats.join(', ')}) ` +
        `in ${seconds(started)} (export ${seconds(exportStarted)})\n`,
    );
    return 0;
  },
};

function parseK(value: string | undefined): number | 'auto' {
  if (value === undefined || value === 'auto') return 'auto';
  if (!/^\d+$/.test(value) || Number(value) < 2) throw new UsageError(`--k expects auto or a whole number >= 2, got "${value}"`);
  return Number(value);
}

function parseFormats(value: string | undefined): ExportFormat[] {
  if (value === undefined) return [...FORMATS];
  const list = value.split(',').map((f) => f.trim().toLowerCase());
  for (const f of list) {
    if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format expects a list of png, svg, html; got "${f}"`);
  }
  return [...new Set(list)] as ExportFormat[];
}

/** A stage line on stderr (silenced by BANKSEG_QUIET=1, like the progress lines). */
function note(text: string): void {
  if (process.env.BANKSEG_QUIET !== '1') process.stderr.write(`figures: ${text}\n`);
}

function seconds(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`;
}
