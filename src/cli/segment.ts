import * as path from 'node:path';
import { DEFAULT_TABLE, FIGURES_DIR, PROCESSED_DIR } from '../config';
import { Command, parseOptions } from './command';
import {
  asOfOption, assignTableOption, cacheOption, dirOption, featuresOption, kOption, LOAD_HELP, LOAD_OPTION_SPEC, SAMPLE_HELP, SAMPLE_OPTION_SPEC, sampleOption, seedOption,
  SEGMENT_OPTION_SPEC, segmentHelp, sourceOption,
} from './options';
import { sampleWords } from '../collect/db/sample';
import { CUSTOMER_SEGMENTS_TABLE } from '../collect/db/assign';
import { readModel } from '../model/model';
import { modelFileIdentity } from './assign';
import { checkWritable, writeOutputs } from '../io/atomic';
import { assignInDatabaseStep, loadStep, secondsSince, segmentStep, segmentSummary, shown, withoutRawRows, writeResultsStep } from './steps';
import { skippedRowsWarning } from '../collect/columns';

const HELP = [
  'Usage: bankseg segment [--input FILE | --url URL [--table NAME] [--push-down [--sample N|F [--sample-seed S]]',
  '                       [--assign-in-database [--out-table NAME]]]] [--k auto|N] [--seed S] [--out DIR]',
  '                       [--figures DIR] [--features LIST] [--as-of DATE] [--strict]',
  '',
  'Reads, cleans and segments the customers (CustomerID + birth date + gender) with k-means on all of them:',
  'sweeps k = 2..8 (inertia, sampled silhouette, Davies–Bouldin, Calinski–Harabasz, stability of the delivered',
  'partition), recommends a stable k, profiles, names and recommends a fitting action for each segment, and puts',
  'RFM segments beside them. Writes DIR/customers.csv (features, gender, location, time of day, RFM scores and',
  'segment, z_ model coordinates, segment), DIR/segments.json (scores, sweep, segments, mixes, RFM cross-tab),',
  'DIR/model.json (the saved model that `bankseg assign` and `migrate` apply to new data, docs/model.md) and the',
  'business report insights.md + insights.html.',
  '',
  'Options:',
  LOAD_HELP,
  SAMPLE_HELP,
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
      ...SAMPLE_OPTION_SPEC,
      ...SEGMENT_OPTION_SPEC,
    });
    const k = kOption(opts.k);
    const seed = seedOption(opts.seed);
    const features = featuresOption(opts.features);
    const sample = sampleOption(opts, seed);
    const assignTable = assignTableOption(opts, CUSTOMER_SEGMENTS_TABLE);
    const outDir = dirOption('out', opts.out, PROCESSED_DIR);
    const figuresDir = dirOption('figures', opts.figures, FIGURES_DIR);
    checkWritable([outDir, figuresDir]);
    const started = Date.now();

    const cache = cacheOption(opts);
    // No exploratory figures here: the rows as read are let go once cleaned.
    const data = withoutRawRows(await loadStep('segment', { ...sourceOption(opts), asOf: asOfOption(opts['as-of']), sample }, cache));
    const warning = skippedRowsWarning('segment', data.quality.malformed);
    if (warning) process.stderr.write(warning);
    const seg = await segmentStep('segment', data, { k, seed, features }, cache);
    const { files: written } = await writeOutputs((outputs) => writeResultsStep(seg, data, outDir, figuresDir, outputs, { seed, source: sourceOption(opts) }));
    const sampled = 'sample' in data && data.sample ? [`fitted on ${sampleWords(data.sample)}`] : [];
    process.stdout.write([...segmentSummary(seg, data.features.n), ...sampled, `wrote ${shown(written)} in ${secondsSince(started)}`].join('\n') + '\n');
    if (assignTable !== undefined && opts.url !== undefined) {
      // The model as saved: what `bankseg assign` would read, so its TypeScript scores and these are one model's.
      const modelFile = path.join(outDir, 'model.json');
      await assignInDatabaseStep('segment', opts.url, opts.table ?? DEFAULT_TABLE, readModel(modelFile), {
        out: assignTable,
        asOf: data.features.asOf,
        strict: opts.strict === true,
        modelRecord: modelFileIdentity(modelFile),
      });
    }
    return 0;
  },
};

