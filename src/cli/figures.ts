import { DEFAULT_SEED, FIGURES_DIR } from '../config';
import { UsageError } from '../errors';
import { Command, parseOptions } from './command';
import {
  AS_OF_HELP, CACHE_HELP, LOAD_OPTION_SPEC, PUSH_DOWN_HELP, SOURCE_HELP, asOfOption, cacheOption, dirOption, kOption,
  seedOption, sourceOption,
} from './options';
import { checkWritable, writeOutputs } from '../io/atomic';
import { edaFiguresStep, exportStep, loadStep, secondsSince, segmentStep, shown } from './steps';
import { figureEntries, figureWords, segmentFigures } from '../visualize/figure_registry';
import { DEFAULT_CHROMIUM, ExportFormat } from '../visualize/export';
import type { Figure } from '../visualize/figure';

const FORMATS: readonly ExportFormat[] = ['png', 'svg', 'html'];

const HELP = [
  'Usage: bankseg figures [--input FILE | --url URL [--table NAME] [--push-down]] [--out DIR] [--k auto|N] [--seed S]',
  '                       [--format png,svg,html] [--only eda|segments] [--as-of DATE] [--strict]',
  '',
  'Reads, cleans and segments the transactions, then writes every figure as PNG (2x, for slides), SVG and',
  'standalone HTML (interactive, plotly.js inlined, works offline):',
  ...wrap(`${figureEntries('eda').length} exploratory figures (${figureWords('eda')}) and ${figureEntries('segments').length} of the segments (${figureWords('segments')}).`),
  'PNG/SVG need Chromium (' + DEFAULT_CHROMIUM + ', or set BANKSEG_CHROMIUM).',
  '',
  'Options:',
  SOURCE_HELP,
  PUSH_DOWN_HELP,
  CACHE_HELP,
  '  --out DIR      directory for the files (default figures/ of the project, created if missing)',
  '  --k auto|N     number of segments: auto (default) takes the recommended k of the sweep',
  `  --seed S       seed of k-means and of the sampled points of the PCA map (default ${DEFAULT_SEED})`,
  '  --format LIST  comma-separated subset of png,svg,html (default: all three)',
  '  --only WHAT    eda: only the exploratory figures (no segmentation); segments: only the segment figures',
  AS_OF_HELP,
  '  --help         this text',
].join('\n');

/** `bankseg figures`: every figure of the analysis, as files. */
export const figuresCommand: Command = {
  name: 'figures',
  summary: 'write the figures (data, segments) as PNG, SVG and standalone HTML',
  help: HELP,
  async run(argv) {
    const opts = parseOptions(argv, {
      ...LOAD_OPTION_SPEC,
      out: { type: 'string' },
      k: { type: 'string' },
      seed: { type: 'string' },
      format: { type: 'string' },
      only: { type: 'string' },
      'as-of': { type: 'string' },
    });
    const k = kOption(opts.k);
    const seed = seedOption(opts.seed);
    const formats = parseFormats(opts.format);
    if (opts.only !== undefined && opts.only !== 'eda' && opts.only !== 'segments') {
      throw new UsageError(`--only expects eda or segments, got "${opts.only}"`);
    }
    const outDir = dirOption('out', opts.out, FIGURES_DIR);
    checkWritable([outDir]);
    const started = Date.now();

    const cache = cacheOption(opts);
    const data = await loadStep('figures', { ...sourceOption(opts), asOf: asOfOption(opts['as-of']) }, cache);
    const figs: Figure[] = [];
    if (opts.only !== 'segments') figs.push(...edaFiguresStep('figures', data));
    if (opts.only !== 'eda') {
      const seg = await segmentStep('figures', data, { k, seed }, cache);
      figs.push(...segmentFigures(data.features, seg, { seed }));
    }
    const exportStarted = Date.now();
    const { files: written } = await writeOutputs((outputs) =>
      exportStep('figures', figs, outDir, formats, outputs, 'PNG and SVG need Chromium; --format html does not'),
    );
    process.stdout.write(
      `wrote ${written.length} files to ${shown([outDir])}/ (${figs.length} figures × ${formats.join(', ')}) ` +
        `in ${secondsSince(started)} (export ${secondsSince(exportStarted)})\n`,
    );
    return 0;
  },
};


/** Help text lines of at most 110 characters. */
function wrap(text: string, width = 110): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines[lines.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines;
}

function parseFormats(value: string | undefined): ExportFormat[] {
  if (value === undefined) return [...FORMATS];
  const list = value.split(',').map((f) => f.trim().toLowerCase());
  for (const f of list) {
    if (!(FORMATS as readonly string[]).includes(f)) throw new UsageError(`--format expects a list of png, svg, html; got "${f}"`);
  }
  return [...new Set(list)] as ExportFormat[];
}


