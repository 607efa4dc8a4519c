import { FIGURES_DIR, PROCESSED_DIR } from '../config';
import { Command, parseOptions } from './command';
import {
  asOfOption, cacheOption, dirOption, featuresOption, kOption, LOAD_HELP, LOAD_OPTION_SPEC, seedOption, SEGMENT_OPTION_SPEC, segmentHelp, sourceOption,
} from './options';
import { checkWritable, writeOutputs } from '../io/atomic';
import { loadStep, secondsSince, segmentStep, segmentSummary, shown, writeResultsStep } from './steps';

const HELP = [
  'Usage: bankseg segment [--input FILE | --url URL [--table NAME] [--push-down]] [--k auto|N] [--seed S] [--out DIR]',
  '                       [--figures DIR] [--features LIST] [--as-of DATE] [--strict]',
  '',
  'Reads, cleans and segments the customers (CustomerID + birth date + gender) with k-means on all of them:',
  'sweeps k = 2..8 (inertia, sampled silhouette, Davies–Bouldin, Calinski–Harabasz, stability of the delivered',
  'partition), recommends a stable k, profiles, names and recommends a distinct action for each segment, and puts',
  'RFM segments beside them. Writes DIR/customers.csv (features, gender, location, time of day, RFM scores and',
  'segment, z_ model coordinates, segment), DIR/segments.json (scores, sweep, segments, mixes, RFM cross-tab),',
  'DIR/model.json (the saved model that `bankseg assign` and `migrate` apply to new data, docs/model.md) and the',
  'business report insights.md + insights.html.',
  '',
  'Options:',
  LOAD_HELP,
  segmentHelp('insights.md and insights.html'),
  '  --help           this text',
].join('\n');

/** `bankseg segment`: the segmentation, its files and its business report. */
export const segmentCommand: Command = {
  name: 'segment',
  summary: 'segment the customers (k-means, k chosen by a sweep) and write the segments and the insights report',
  help: HELP,
  async run(argv) {
    const opts = parseOptions(argv, {
      ...LOAD_OPTION_SPEC,
      ...SEGMENT_OPTION_SPEC,
    });
    const k = kOption(opts.k);
    const seed = seedOption(opts.seed);
    const features = featuresOption(opts.features);
    const outDir = dirOption('out', opts.out, PROCESSED_DIR);
    const figuresDir = dirOption('figures', opts.figures, FIGURES_DIR);
    checkWritable([outDir, figuresDir]);
    const started = Date.now();

    const cache = cacheOption(opts);
    const data = await loadStep('segment', { ...sourceOption(opts), asOf: asOfOption(opts['as-of']) }, cache);
    const seg = await segmentStep('segment', data, { k, seed, features }, cache);
    const { files: written } = await writeOutputs((outputs) => writeResultsStep(seg, data, outDir, figuresDir, outputs, { seed, source: sourceOption(opts) }));
    process.stdout.write([...segmentSummary(seg, data.features.n), `wrote ${shown(written)} in ${secondsSince(started)}`].join('\n') + '\n');
    return 0;
  },
};

