/**
 * The saved model in the notebooks: save it after a segmentation (notebook 04), read it back, score new data with it
 * and measure the drift in one call, and follow the segments across periods (notebook 07). Each call prints one line
 * that says what it did; the work is src/model/ and src/monitor/.
 */
import * as path from 'node:path';
import * as dfd from 'danfojs-node';
import { PROCESSED_DIR } from '../config';
import { defaultRawPath } from '../collect/generate';
import { ensureDefaultData, ensureNextPeriodData } from '../collect/default_data';
import { readSource } from '../collect/source';
import { count } from '../format';
import { writeFileAtomic } from '../io/atomic';
import type { ProfiledSegmentation } from '../insights/types';
import { buildModel } from '../model/build';
import type { TrainingData } from '../model/build';
import { modelJson, readModel } from '../model/model';
import type { SegmentModel } from '../model/model';
import { assignCustomers, modelLoadOptions } from '../monitor/assign';
import type { Assignment } from '../monitor/assign';
import { migrate as migrateData, planPeriods } from '../monitor/migration';
import type { Migration, Period, PeriodSpec } from '../monitor/migration';
import { migrationFigureInput } from '../monitor/outputs';
import { assignmentBlocks, migrationBlocks, renderBlocks } from '../monitor/report';
import { cachedLoad } from '../preprocess/load_cache';
import type { CachedLoad } from '../preprocess/load_cache';
import { dayNumber, isoDate } from '../table';
import type { CleanTable } from '../table';
import { source } from './data';
import type { Figure } from '../visualize/figure';
import { driftFigure, migrationSankey } from '../visualize/monitor';
import { InputError } from '../errors';

/** Where notebooks and `bankseg segment`/`run` keep the model: data/processed/model.json. */
export const MODEL_FILE = path.join(PROCESSED_DIR, 'model.json');

const shown = (file: string): string => path.relative(process.cwd(), file) || file;

/**
 * Builds the saved model of a segmentation (src/model/, docs/model.md) and writes it to `file`, as `bankseg segment`
 * does; returns it.
 * @example const model = saveModel(seg, data);
 */
export function saveModel(seg: ProfiledSegmentation, data: CachedLoad & { transactionsPerDay?: TrainingData['transactionsPerDay'] }, file: string = MODEL_FILE): SegmentModel {
  // After the push-down `clean` is a getter that throws: use the days the database counted.
  const training: TrainingData = data.transactionsPerDay
    ? { features: data.features, quality: data.quality, transactionsPerDay: data.transactionsPerDay }
    : { features: data.features, quality: data.quality, clean: data.clean, input: data.input };
  const model = buildModel(seg, training);
  const text = modelJson(model);
  writeFileAtomic(file, text);
  console.log(`saved the model (${model.k} segments on ${model.features.map((f) => f.name).join(', ')}) to ${shown(file)} (${count(text.length)} bytes)`);
  return model;
}

/**
 * Reads a saved model (a model of another format version, feature set or rule set is refused with one line).
 * @example const model = loadModel();
 */
export function loadModel(file: string = MODEL_FILE): SegmentModel {
  const model = readModel(file);
  console.log(`${shown(file)}: ${model.k} segments, trained on ${count(model.training.customers)} customers (${model.training.firstDate} to ${model.training.lastDate}) by bankseg ${model.bankseg}`);
  return model;
}

/** The next period of the default data, generated if missing (`bankseg generate --next-period`). */
export async function nextPeriodFile(): Promise<string> {
  return ensureNextPeriodData();
}

/** The default data (generated if missing). */
export async function defaultDataFile(): Promise<string> {
  return ensureDefaultData();
}

/** The notebooks' source as a file: BANKSEG_INPUT, else the default data (a database source is not a file: one line). */
export async function sourceFile(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const from = source(env);
  if (from.url) throw new InputError('this cell reads transaction files: set BANKSEG_INPUT to a CSV (BANKSEG_URL is a database)');
  return from.input ? path.resolve(from.input) : ensureDefaultData();
}

/**
 * The two files notebook 07 compares, said in one line: the training data (`params.input`, else the notebooks'
 * source as a file) and the new period: `next` if given; else, when the training data is the generated default, its
 * generated next period (`bankseg generate --next-period`, made if missing); else the training file itself (no next
 * period exists for it: the model is then checked on its own data, where nobody moves and every PSI is 0).
 * @example const files = await bs.periodFiles(params, next);
 */
export async function periodFiles(params: { readonly input?: string }, next?: string): Promise<{ training: string; next: string }> {
  const training = params.input ? path.resolve(params.input) : await sourceFile();
  let chosen: string;
  let why: string;
  if (next) {
    chosen = path.resolve(next);
    why = 'the file given as next';
  } else if (training === defaultRawPath()) {
    chosen = await nextPeriodFile();
    why = 'the generated next period of the default data (bankseg generate --next-period)';
  } else {
    chosen = training;
    why = 'no next period was given, so the training data itself: nobody moves and every PSI is 0; set next to compare with another period';
  }
  console.log(`training data ${shown(training)}; new period ${shown(chosen)} (${why})`);
  return { training, next: chosen };
}

/** Where new data comes from: a file, or a database table; `asOf` (YYYY-MM-DD) as `--as-of`. */
export interface AssignSource {
  readonly input?: string;
  readonly url?: string;
  readonly table?: string;
  readonly asOf?: string;
}

function dayOf(text: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  const day = m ? dayNumber(Number(m[1]), Number(m[2]), Number(m[3])) : NaN;
  if (!m || isoDate(day) !== text) throw new InputError(`expected a date as YYYY-MM-DD, got "${text}"`);
  return day;
}

/**
 * Scores new data with the saved model, as `bankseg assign` does: the customers, their segments and distances, the
 * RFM segments by the training cut points, the name check and the drift (PSI) with its recommendation.
 * @example const a = await assign(model, { input: await nextPeriodFile() });
 */
export async function assign(model: SegmentModel, from: AssignSource): Promise<Assignment> {
  if (!from.input && !from.url) throw new InputError('assign needs the new data: { input: FILE } or { url: URL }');
  const data = await cachedLoad(modelLoadOptions(model, { input: from.input, url: from.url, table: from.table, asOf: from.asOf ? dayOf(from.asOf) : undefined }));
  const a = assignCustomers(model, data);
  console.log(`${count(data.features.n)} customers of ${from.input ? shown(from.input) : 'the database'} assigned to the ${model.k} segments; ${a.drift.recommendation}`);
  return a;
}

/** How notebook 07 cuts the data into periods: `month`, one period per input file, or periods ending at as-of dates. */
export type PeriodChoice = { readonly period: 'month' | 'input' } | { readonly asOf: readonly string[] };

/**
 * Segment migration between periods of the given files, as `bankseg migrate` does.
 * @example const mg = await migrate(model, [await defaultDataFile(), await nextPeriodFile()], { period: 'input' });
 */
export async function migrate(model: SegmentModel, inputs: readonly string[], periods: PeriodChoice = { period: 'month' }): Promise<Migration> {
  const spec: PeriodSpec = 'asOf' in periods ? { kind: 'as-of', dates: periods.asOf.map(dayOf) } : { kind: periods.period };
  const tables = await Promise.all(inputs.map((input) => readSource({ input })));
  const mg = migrateData(model, tables, spec, inputs.map((f) => path.basename(f)));
  const left = mg.leftOut.length > 0 ? `; left out as too sparse: ${mg.leftOut.map((p) => p.label).join(', ')}` : '';
  console.log(`${mg.periods.length} periods: ${mg.periods.map((p) => `${p.period.label} (${count(p.features.n)} customers)`).join(', ')}${left}`);
  return mg;
}

// ---- Tables and figures ------------------------------------------------------------------------------------------

/** One row per segment: customers and shares beside training, distances beside training, customers beyond the training p99. */
export function assignmentTable(a: Assignment): dfd.DataFrame {
  const s = a.segments;
  return new dfd.DataFrame(
    {
      segment: s.map((x) => x.name),
      customers: s.map((x) => x.customers),
      share: s.map((x) => x.share),
      'training share': s.map((x) => x.trainingShare),
      'median distance': s.map((x) => x.distance.p50),
      'training median distance': s.map((x) => x.trainingDistance.p50),
      'beyond training p99 (share)': s.map((x) => (x.customers > 0 ? x.beyondTrainingP99 / x.customers : NaN)),
    },
    { index: s.map((x) => x.id) },
  );
}

/** One row per model feature and one for the segment shares: PSI, reading, and what sampling alone would give. */
export function driftTable(a: Assignment): dfd.DataFrame {
  const rows = [...a.drift.features, a.drift.segments];
  return new dfd.DataFrame(
    { PSI: rows.map((v) => v.psi), reading: rows.map((v) => v.reading ?? 'n/a'), 'sampling alone': rows.map((v) => v.noise) },
    { index: rows.map((v) => v.variable) },
  );
}

/**
 * The calendar months of the transactions and whether the data supports each as a period (transactions on at least
 * half of its days), as `bankseg migrate --period month` decides.
 * @example bs.show(bs.periodsTable(bs.months(data.clean)))
 */
export function months(clean: Pick<CleanTable, 'date'>): Period[] {
  return planPeriods(clean.date, { kind: 'month' }).periods;
}

/** Periods (of `months`, or of a migration): dates, days with transactions, rows, and whether the data supports them. */
export function periodsTable(periods: readonly Period[] | Migration): dfd.DataFrame {
  const all = Array.isArray(periods) ? (periods as readonly Period[]) : [...(periods as Migration).periods.map((p) => p.period), ...(periods as Migration).leftOut];
  return new dfd.DataFrame(
    {
      from: all.map((p) => isoDate(p.start)),
      to: all.map((p) => isoDate(p.end)),
      'days with transactions': all.map((p) => `${p.activeDays} of ${p.calendarDays}`),
      rows: all.map((p) => p.rows),
      'supported (at least half its days)': all.map((p) => (p.supported ? 'yes' : 'no')),
    },
    { index: all.map((p) => p.label) },
  );
}

/**
 * The migration matrix of transition `t` (default the first): customers by segment in the earlier period (rows) and
 * the later one (columns, marked →), with "no transaction" for customers of one period only; `shares`: each row
 * divided by its total. The periods go in the caption (`migrationCaption`).
 */
export function migrationTable(model: SegmentModel, mg: Migration, t = 0, shares = false): dfd.DataFrame {
  const names = [...model.segments.map((s) => s.name), 'no transaction'];
  const tr = mg.transitions[t];
  const cells = shares ? tr.rowShares : tr.counts;
  return new dfd.DataFrame(Object.fromEntries(names.map((name, col) => [`→ ${name}`, cells.map((row) => row[col])])), { index: names });
}

/** `Customers by segment in p1 (rows) and p2 (columns)`: the caption of migrationTable's matrix. */
export function migrationCaption(mg: Migration, t = 0, shares = false): string {
  const tr = mg.transitions[t];
  const what = shares ? 'Share of each row' : 'Customers';
  return `${what}: segment in ${mg.periods[tr.from].period.label} (rows) and in ${mg.periods[tr.to].period.label} (columns →)`;
}

/** The drift figure (the registry's `drift_psi`). */
export function driftPsi(a: Assignment): Figure {
  return driftFigure(a.drift);
}

/** The migration figure (the registry's `segment_migration`, a Sankey diagram). */
export function migrationFigure(model: SegmentModel, mg: Migration): Figure {
  return migrationSankey(migrationFigureInput(model, mg));
}

/** The assignment report (Markdown), as `bankseg assign` writes it. */
export function assignmentReport(a: Assignment): string {
  return renderBlocks(assignmentBlocks(a)).md;
}

/** The migration report (Markdown), as `bankseg migrate` writes it. */
export function migrationReport(model: SegmentModel, mg: Migration): string {
  return renderBlocks(migrationBlocks(model, mg)).md;
}
