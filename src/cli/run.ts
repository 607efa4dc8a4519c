import { FIGURES_DIR, isQuiet, PROCESSED_DIR } from '../config';
import { Command, parseOptions } from './command';
import {
  asOfOption, cacheOption, dirOption, featuresOption, kOption, LOAD_HELP, LOAD_OPTION_SPEC, seedOption, SEGMENT_OPTION_SPEC, segmentHelp, sourceOption,
} from './options';
import { checkWritable, writeOutputs } from '../io/atomic';
import { edaFiguresStep, exportStep, loadStep, note, secondsSince, segmentStep, segmentSummary, shown, withoutRawRows, writeResultsStep } from './steps';
import { skippedRowsWarning } from '../collect/columns';
import { analysisFigureCount, segmentFigures } from '../visualize/figure_registry';
import { formatQualityReport } from '../preprocess/quality';

const HELP = [
  'Usage: bankseg run [--input FILE | --url URL [--table NAME] [--push-down]] [--k auto|N] [--seed S] [--out DIR] [--figures DIR]',
  '                   [--features LIST] [--as-of DATE] [--no-figures] [--strict]',
  '',
  'The main job, end to end: reads the transactions (by default the generated data/raw/bank_transactions.csv,',
  'made if missing or stale), cleans them (the data-quality report goes to stderr), builds the customer features,',
  'sweeps k = 2..8, recommends a stable k, segments all customers, and writes:',
  '  DIR/customers.csv, DIR/segments.json        the segmentation (default DIR: data/processed/)',
  '  DIR/model.json                              the saved model, for `bankseg assign` and `migrate` (docs/model.md)',
  '  FIGURES/insights.md, FIGURES/insights.html  the business report (default FIGURES: figures/)',
  `  FIGURES/*.png, *.svg, *.html                the ${analysisFigureCount()} figures (PNG/SVG need Debian chromium)`,
  'Stages already computed for the same input and parameters are read from the cache in data/interim and data/processed.',
  '',
  'Options:',
  LOAD_HELP,
  segmentHelp('the report and the figures'),
  '  --no-figures     skip the figure files (the report is still written)',
  '  --help           this text',
].join('\n');

/** `bankseg run`: the whole pipeline, for scheduled jobs and the README's first command. */
export const runCommand: Command = {
  name: 'run',
  summary: 'the main job: read, clean, segment, and write the segments, the insights report and every figure',
  help: HELP,
  async run(argv) {
    const opts = parseOptions(argv, {
      ...LOAD_OPTION_SPEC,
      ...SEGMENT_OPTION_SPEC,
      'no-figures': { type: 'boolean' },
    });
    const k = kOption(opts.k);
    const seed = seedOption(opts.seed);
    const outDir = dirOption('out', opts.out, PROCESSED_DIR);
    const figuresDir = dirOption('figures', opts.figures, FIGURES_DIR);
    checkWritable([outDir, figuresDir]);
    const started = Date.now();

    const cache = cacheOption(opts);
    let data = await loadStep('run', { ...sourceOption(opts), asOf: asOfOption(opts['as-of']) }, cache);
    // Without figures nothing reads the rows as read again: they are let go once cleaned (no reference kept here).
    if (opts['no-figures']) data = withoutRawRows(data);
    // The data-quality report lists the malformed rows the reader skipped; quiet, one line still warns of them.
    if (!isQuiet()) process.stderr.write(formatQualityReport(data.quality) + '\n');
    else process.stderr.write(skippedRowsWarning('run', data.quality.malformed) ?? '');
    const seg = await segmentStep('run', data, { k, seed, features: featuresOption(opts.features) }, cache);
    // One set: the results, the report and the figures replace the old ones together, or not at all.
    const { result } = await writeOutputs(async (outputs) => {
      const written = await writeResultsStep(seg, data, outDir, figuresDir, outputs, { seed, source: sourceOption(opts) });
      if (opts['no-figures']) return { written, figureCount: 0 };
      const figs = [...edaFiguresStep('run', data), ...segmentFigures(data.features, seg, { seed })];
      note('run', `exporting ${figs.length} figures to ${shown([figuresDir])}/`);
      const figureFiles = await exportStep('run', figs, figuresDir, ['png', 'svg', 'html'], outputs, '--no-figures skips the figures');
      return { written, figureCount: figureFiles.length };
    });
    const { written, figureCount } = result;

    process.stdout.write(
      [
        ...segmentSummary(seg, data.features.n),
        `wrote ${shown(written)}${figureCount ? ` and ${figureCount} figure files in ${shown([figuresDir])}/` : ''} in ${secondsSince(started)}`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};
