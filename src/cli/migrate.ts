import * as path from 'node:path';
import { FIGURES_DIR, PROCESSED_DIR } from '../config';
import { UsageError } from '../errors';
import { Command, parseOptions } from './command';
import { dirOption } from './options';
import { checkWritable, writeOutputs } from '../io/atomic';
import { exportStep, note, secondsSince, shown } from './steps';
import { modelFileIdentity } from './assign';
import { readModel } from '../model/model';
import { migrate } from '../monitor/migration';
import type { PeriodSpec } from '../monitor/migration';
import { migrationDocument, migrationFigureInput, writeMigrationCsv } from '../monitor/outputs';
import { migrationBlocks, renderBlocks } from '../monitor/report';
import { migrationFigures } from '../visualize/figure_registry';
import { readSource } from '../collect/source';
import { count } from '../format';
import { dayNumber, isoDate } from '../table';

const HELP = [
  'Usage: bankseg migrate --model FILE (--input FILE [--input FILE ...] | --url URL [--table NAME])',
  '                       [--period month|input | --as-of DATE,DATE,...] [--out DIR] [--figures DIR] [--no-figures] [--strict]',
  '',
  'Splits the transactions into periods, scores each period\'s customers with the same saved model (features from',
  'that period\'s transactions alone, recency from its last day) and shows who moved between consecutive periods:',
  'a migration matrix with a row and a column for "no transaction in the period" (customers present in one period',
  'only are counted as gone quiet or new), a Sankey figure and the moves that matter in words. Writes:',
  '  DIR/migration.json        the periods and the data\'s support for them, the matrices (counts and row shares)',
  '  DIR/migration.csv         one row per customer: the segment in each period (empty: no transaction in it)',
  '  FIGURES/migration.md, FIGURES/migration.html          the report',
  '  FIGURES/segment_migration.png, .svg, .html            the Sankey figure (PNG/SVG need Debian chromium)',
  '',
  'Periods:',
  '  --period month   calendar months with transactions on at least half of their days (the default for one input);',
  '                   the others are left out, counted and named (on the default data: October, 2 of its 31 days)',
  '  --period input   each --input file is a period, to its last transaction date (the default for several inputs)',
  '  --as-of LIST     periods ending at these dates (YYYY-MM-DD, increasing), the first from the first transaction;',
  '                   rows after the last date are in no period; sparse periods are kept and flagged',
  '',
  'Options:',
  '  --model FILE   the saved model (model.json of `bankseg segment` or `run`)',
  '  --input FILE   a transactions CSV (repeat for several files, read as one set of transactions)',
  '  --url URL      or read them from PostgreSQL; --table NAME (default: transactions)',
  '  --strict       stop at the first malformed row (default: skip it and count it)',
  '  --out DIR      directory for migration.json and migration.csv (default data/processed/ of the project)',
  '  --figures DIR  directory for the report and the figure (default figures/ of the project)',
  '  --no-figures   skip the figure files (the report is still written)',
  '  --help         this text',
].join('\n');

/** `--as-of 2016-08-31,2016-09-30`: the dates, checked. */
function asOfList(value: string): number[] {
  return value.split(',').map((text) => {
    const t = text.trim();
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
    const day = m ? dayNumber(Number(m[1]), Number(m[2]), Number(m[3])) : NaN;
    if (!m || isoDate(day) !== t) throw new UsageError(`--as-of expects dates as YYYY-MM-DD separated by commas, got "${t}"`);
    return day;
  });
}

/** `bankseg migrate`: segments across periods with one saved model. */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'segment migration between periods with a saved model: matrix, Sankey figure, the moves that matter',
  help: HELP,
  async run(argv) {
    const opts = parseOptions(argv, {
      model: { type: 'string' },
      input: { type: 'string', multiple: true },
      url: { type: 'string' },
      table: { type: 'string' },
      strict: { type: 'boolean' },
      period: { type: 'string' },
      'as-of': { type: 'string' },
      out: { type: 'string' },
      figures: { type: 'string' },
      'no-figures': { type: 'boolean' },
    });
    if (!opts.model) throw new UsageError('--model FILE is required (the model.json that `bankseg segment` or `run` wrote)');
    const inputs = opts.input ?? [];
    if (inputs.length === 0 && !opts.url) throw new UsageError('--input FILE or --url URL is required (the transactions to split into periods)');
    if (inputs.length > 0 && opts.url) throw new UsageError('give --input files or --url, not both');
    if (opts.period !== undefined && opts['as-of'] !== undefined) throw new UsageError('give --period or --as-of, not both');
    if (opts.period !== undefined && opts.period !== 'month' && opts.period !== 'input') throw new UsageError(`--period expects month or input, got "${opts.period}"`);
    if (opts.period === 'input' && inputs.length < 2) throw new UsageError('--period input needs two or more --input files (each is a period)');
    const spec: PeriodSpec =
      opts['as-of'] !== undefined
        ? { kind: 'as-of', dates: asOfList(opts['as-of']) }
        : { kind: (opts.period as 'month' | 'input' | undefined) ?? (inputs.length > 1 ? 'input' : 'month') };
    const outDir = dirOption('out', opts.out, PROCESSED_DIR);
    const figuresDir = dirOption('figures', opts.figures, FIGURES_DIR);
    checkWritable([outDir, figuresDir]);
    const started = Date.now();

    const model = readModel(opts.model);
    const modelFile = modelFileIdentity(opts.model);
    const tables = opts.url
      ? [await readSource({ url: opts.url, table: opts.table, strict: opts.strict })]
      : await Promise.all(inputs.map((input) => readSource({ input, strict: opts.strict })));
    note('migrate', `${count(tables.reduce((s, t) => s + t.rows, 0))} transactions read; scoring each period with ${shown([modelFile.path])}`);
    const mg = migrate(model, tables, spec, inputs.map((f) => path.basename(f)));
    const { files } = await writeOutputs(async (outputs) => {
      await outputs.write(path.join(outDir, 'migration.json'), JSON.stringify(migrationDocument(model, mg, modelFile), null, 2) + '\n');
      await outputs.write(path.join(outDir, 'migration.csv'), (out) => writeMigrationCsv(out, mg));
      const { md, html } = renderBlocks(migrationBlocks(model, mg));
      await outputs.write(path.join(figuresDir, 'migration.md'), md);
      await outputs.write(path.join(figuresDir, 'migration.html'), html);
      if (!opts['no-figures']) {
        await exportStep('migrate', migrationFigures({ migration: migrationFigureInput(model, mg) }), figuresDir, ['png', 'svg', 'html'], outputs, '--no-figures skips the figure');
      }
    });
    process.stdout.write(
      [
        `${mg.periods.length} periods: ${mg.periods.map((p) => `${p.period.label} (${count(p.features.n)} customers)`).join(', ')}`,
        ...mg.leftOut.map((p) => `left out: ${p.label} (transactions on ${p.activeDays} of its ${p.calendarDays} days)`),
        ...mg.transitions.map((t) => t.sentences[0].replace(/\*\*/g, '')),
        `wrote ${shown(files)} in ${secondsSince(started)}`,
      ].join('\n') + '\n',
    );
    return 0;
  },
};
