import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_TABLE, FIGURES_DIR, PROCESSED_DIR } from '../config';
import { UsageError } from '../errors';
import { Command, parseOptions } from './command';
import { asOfOption, CACHE_HELP, CACHE_OPTION_SPEC, cacheOption, dirOption, SOURCE_OPTION_SPEC, sourceOption } from './options';
import { checkWritable, writeOutputs } from '../io/atomic';
import { assignInDatabaseStep, exportStep, loadStep, note, secondsSince, shown } from './steps';
import { CUSTOMER_SEGMENTS_TABLE } from '../collect/db/assign';
import { readModel } from '../model/model';
import { assignCustomers, modelLoadOptions } from '../monitor/assign';
import type { NewData } from '../monitor/assign';
import { assignmentDocument, writeAssignmentsCsv } from '../monitor/outputs';
import { assignmentBlocks, renderBlocks } from '../monitor/report';
import { assignmentFigures } from '../visualize/figure_registry';
import { count, pct } from '../format';

const HELP = [
  'Usage: bankseg assign --model FILE (--input FILE | --url URL [--table NAME]) [--as-of DATE] [--out DIR]',
  '                      [--figures DIR] [--no-figures] [--no-cache] [--strict]',
  '       bankseg assign --model FILE --url URL [--table NAME] --in-database [--out-table NAME] [--as-of DATE] [--strict]',
  '',
  'Scores new transactions with a saved model (the model.json `bankseg segment` and `run` write) without refitting:',
  'the new customers are cleaned and turned into features with the training parameters (the outlier caps, the',
  'transform, docs/model.md), each is assigned to the nearest training centroid, and the drift from the training',
  'data is measured (population stability index of every model feature and of the segment shares). Writes:',
  '  DIR/assignments.csv       one row per customer: key, features, z_ coordinates, segment id and name, distance to',
  '                            its centroid, RFM scores and segment (by the training cut points)',
  '  DIR/assignment.json       counts and shares per segment beside training, distances beside training, the name',
  '                            check, the drift with its reading (< 0.1 stable, 0.1-0.25 watch, > 0.25 refit)',
  '  FIGURES/assignment.md, FIGURES/assignment.html   the report, with a one-line recommendation',
  '  FIGURES/drift_psi.png, .svg, .html               the drift figure (PNG/SVG need Debian chromium)',
  '',
  'Options:',
  '  --model FILE   the saved model (a model of another format version, feature set or rule set is refused)',
  '  --input FILE   the new transactions CSV, plain or .gz',
  '  --url URL      or read them from PostgreSQL (postgres://user@host:port/db)',
  '  --table NAME   table to read with --url (default: transactions)',
  '  --strict       stop at the first malformed row (default: skip it and count it)',
  '  --as-of DATE   YYYY-MM-DD: measure recency from this day (default: the last date in the new data, as at training)',
  '  --out DIR      directory for assignments.csv and assignment.json (default data/processed/ of the project)',
  '  --figures DIR  directory for the report and the figure (default figures/ of the project)',
  '  --no-figures   skip the figure files (the report is still written)',
  '  --in-database  with --url: score every customer inside the database instead (generated SQL: the same',
  '                 cleaning, transform, nearest centroid and RFM cut points) and write them to a table in one',
  '                 transaction: customer key, CustomerID, segment id and name, distance, RFM segment. Nothing per',
  '                 customer comes back, so no files and no drift (docs/database.md)',
  '  --out-table NAME  the table --in-database writes (default customer_segments; only a table it wrote is replaced)',
  CACHE_HELP,
  '  --help         this text',
].join('\n');

/** The model file's path and the SHA-256 of its bytes, recorded in assignment.json and migration.json. */
export function modelFileIdentity(file: string): { path: string; sha256: string } {
  return { path: path.resolve(file), sha256: crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex') };
}

/** `bankseg assign`: a saved model applied to new data, with the drift. */
export const assignCommand: Command = {
  name: 'assign',
  summary: 'score new transactions with a saved model (model.json): segments, distances, RFM, drift (PSI)',
  help: HELP,
  async run(argv) {
    const opts = parseOptions(argv, {
      ...SOURCE_OPTION_SPEC,
      ...CACHE_OPTION_SPEC,
      model: { type: 'string' },
      'push-down': { type: 'boolean' },
      'as-of': { type: 'string' },
      out: { type: 'string' },
      figures: { type: 'string' },
      'no-figures': { type: 'boolean' },
      'in-database': { type: 'boolean' },
      'out-table': { type: 'string' },
    });
    if (!opts.model) throw new UsageError('--model FILE is required (the model.json that `bankseg segment` or `run` wrote)');
    if (!opts.input && !opts.url) throw new UsageError('--input FILE or --url URL is required (the new transactions to score)');
    if (opts['push-down']) throw new UsageError('--push-down is not available for assign: use --in-database to score inside the database');
    const asOf = asOfOption(opts['as-of']);
    if (opts['in-database']) {
      if (!opts.url) throw new UsageError('--in-database needs --url: the customers are scored inside the database');
      for (const o of ['out', 'figures', 'no-figures'] as const) if (opts[o] !== undefined) throw new UsageError(`--${o} does not go with --in-database: it writes a table, no files`);
      const model = readModel(opts.model);
      await assignInDatabaseStep('assign', opts.url, opts.table ?? DEFAULT_TABLE, model, {
        out: opts['out-table'] ?? CUSTOMER_SEGMENTS_TABLE,
        asOf,
        strict: opts.strict === true,
        modelRecord: modelFileIdentity(opts.model),
      });
      return 0;
    }
    if (opts['out-table'] !== undefined) throw new UsageError('--out-table needs --in-database');
    const outDir = dirOption('out', opts.out, PROCESSED_DIR);
    const figuresDir = dirOption('figures', opts.figures, FIGURES_DIR);
    checkWritable([outDir, figuresDir]);
    const started = Date.now();

    const model = readModel(opts.model);
    const modelFile = modelFileIdentity(opts.model);
    note('assign', `model ${shown([modelFile.path])}: ${model.k} segments, trained on ${count(model.training.customers)} customers (${model.training.firstDate} to ${model.training.lastDate})`);
    const data = (await loadStep('assign', modelLoadOptions(model, { ...sourceOption(opts), asOf }), cacheOption(opts))) as NewData;
    const assignment = assignCustomers(model, data);
    const { files } = await writeOutputs(async (outputs) => {
      await outputs.write(path.join(outDir, 'assignments.csv'), (out) => writeAssignmentsCsv(out, assignment));
      await outputs.write(path.join(outDir, 'assignment.json'), JSON.stringify(assignmentDocument(assignment, modelFile), null, 2) + '\n');
      const { md, html } = renderBlocks(assignmentBlocks(assignment));
      await outputs.write(path.join(figuresDir, 'assignment.md'), md);
      await outputs.write(path.join(figuresDir, 'assignment.html'), html);
      if (!opts['no-figures']) {
        await exportStep('assign', assignmentFigures({ drift: assignment.drift }), figuresDir, ['png', 'svg', 'html'], outputs, '--no-figures skips the figure');
      }
    });
    const n = data.features.n;
    process.stdout.write(
      [
        `assigned ${count(n)} customers to the ${model.k} segments of ${shown([modelFile.path])}:`,
        ...assignment.segments.map((s) => `  ${String(s.id).padStart(2)}  ${s.name.padEnd(36)} ${pct(s.share).padStart(6)} (training ${pct(s.trainingShare)})`),
        assignment.drift.recommendation,
        `wrote ${shown(files)} in ${secondsSince(started)}`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};
