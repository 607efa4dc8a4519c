/**
 * Every figure of the analysis, once, in reading order. The exports (`bankseg figures`, `run`, notebook 05), the
 * CLI help, the counts and the spec snapshot tests (test/figures.test.ts, one committed snapshot per entry in
 * test/snapshots/) all derive from FIGURES. Adding a figure: write its function (eda.ts or segments.ts), add an
 * entry here, run `npm run snapshots` and review the new snapshot.
 */
import type { CustomerFeatures } from '../preprocess/feature_registry';
import type { CleanTable, TransactionTable } from '../table';
import type { Figure } from './figure';
import {
  ageDistribution, amountDistribution, balanceDistribution, genderSplit, missingValues, topLocations, transactionsByDate,
  transactionsByHour,
} from './eda';
import { centroidProfile, kSelection, moneyShare, segmentBoxPlots, segmentMap, segmentSizes } from './segments';
import type { NamedSegmentation, SegmentMapOptions } from './segments';
import { driftFigure, migrationSankey } from './monitor';
import type { DriftFigureInput, MigrationFigureInput } from './monitor';

/** What the exploratory figures are drawn from: the load stage's tables. */
export interface EdaInput {
  readonly raw: TransactionTable;
  readonly clean: CleanTable;
  readonly features: CustomerFeatures;
}

/** What the segment figures are drawn from: the features and a segmentation (names shown when present). */
export interface SegmentInput {
  readonly features: CustomerFeatures;
  readonly seg: NamedSegmentation;
  /** Seed of the sampled points of the segment map (default DEFAULT_SEED). */
  readonly seed?: number;
}

interface Entry {
  /** The figure's name: its file stem (`Figure.name`). */
  readonly name: string;
  /** A few words for the help text. */
  readonly about: string;
}
/** What the drift figure is drawn from: an assignment's drift (src/monitor/drift.ts). */
export interface AssignmentInput {
  readonly drift: DriftFigureInput;
}

/** What the migration figure is drawn from: periods, segment names and matrices (src/monitor/migration.ts). */
export interface MigrationInput {
  readonly migration: MigrationFigureInput;
}

/**
 * `eda`: the data before any model (notebook 03), drawn from the transaction rows (`rows: true`) or from the
 * customers alone (`rows: false`: what a push-down brings back, collect/db/pushdown.ts); `segments`: a segmentation
 * (notebooks 04–05), the figures `run` writes with the eda ones; `assignment`: a saved model applied to new data
 * (`bankseg assign`); `migration`: segments across periods (`bankseg migrate`, notebook 07).
 */
export type FigureEntry =
  | (Entry & { readonly group: 'eda'; readonly rows: true; readonly build: (d: EdaInput) => Figure })
  | (Entry & { readonly group: 'eda'; readonly rows: false; readonly build: (d: Pick<EdaInput, 'features'>) => Figure })
  | (Entry & { readonly group: 'segments'; readonly build: (d: SegmentInput) => Figure })
  | (Entry & { readonly group: 'assignment'; readonly build: (d: AssignmentInput) => Figure })
  | (Entry & { readonly group: 'migration'; readonly build: (d: MigrationInput) => Figure });

/** The registry, in reading order: data quality, transactions, customers; then choosing k and the segments. */
export const FIGURES: readonly FigureEntry[] = [
  { name: 'missing_values', group: 'eda', rows: true, about: 'data quality', build: (d) => missingValues(d.raw) },
  { name: 'amount_distribution', group: 'eda', rows: true, about: 'amounts', build: (d) => amountDistribution(d.clean) },
  { name: 'transactions_by_date', group: 'eda', rows: true, about: 'dates', build: (d) => transactionsByDate(d.clean) },
  { name: 'transactions_by_hour', group: 'eda', rows: true, about: 'hours', build: (d) => transactionsByHour(d.clean) },
  { name: 'top_locations', group: 'eda', rows: true, about: 'locations', build: (d) => topLocations(d.clean) },
  { name: 'balance_distribution', group: 'eda', rows: false, about: 'balances', build: (d) => balanceDistribution(d.features) },
  { name: 'age_distribution', group: 'eda', rows: false, about: 'ages', build: (d) => ageDistribution(d.features) },
  { name: 'gender_split', group: 'eda', rows: false, about: 'genders', build: (d) => genderSplit(d.features) },
  { name: 'k_selection', group: 'segments', about: 'the choice of k', build: (d) => kSelection(d.seg.kSweep, d.seg.recommendation, d.seg.k) },
  { name: 'segment_sizes', group: 'segments', about: 'segment sizes', build: (d) => segmentSizes(d.seg) },
  { name: 'segments_pca', group: 'segments', about: 'the PCA map', build: (d) => segmentMap(d.seg, mapOptions(d.seed)) },
  { name: 'centroid_profile', group: 'segments', about: 'centroids', build: (d) => centroidProfile(d.seg) },
  { name: 'segment_features', group: 'segments', about: 'per-segment box plots', build: (d) => segmentBoxPlots(d.features, d.seg) },
  { name: 'money_share', group: 'segments', about: 'the money share', build: (d) => moneyShare(d.features, d.seg) },
  { name: 'drift_psi', group: 'assignment', about: 'the drift (PSI)', build: (d) => driftFigure(d.drift) },
  { name: 'segment_migration', group: 'migration', about: 'the segment migration (Sankey)', build: (d) => migrationSankey(d.migration) },
];

function mapOptions(seed: number | undefined): SegmentMapOptions {
  return seed === undefined ? {} : { seed };
}

/** The entries of one group (or all), in order. */
export function figureEntries(group?: FigureEntry['group']): FigureEntry[] {
  return FIGURES.filter((f) => group === undefined || f.group === group);
}

/** Every exploratory figure, in reading order: data quality, then transactions, then customers. */
export function edaFigures(raw: TransactionTable, clean: CleanTable, features: CustomerFeatures): Figure[] {
  return FIGURES.flatMap((f) => (f.group === 'eda' ? [f.build({ raw, clean, features })] : []));
}

/** The exploratory figures drawn from the customers alone (all a push-down brings back: no transaction rows). */
export function customerEdaFigures(features: CustomerFeatures): Figure[] {
  return FIGURES.flatMap((f) => (isCustomerEda(f) ? [f.build({ features })] : []));
}

/** An exploratory figure drawn from the customers alone (a guard, so every TypeScript version narrows it). */
function isCustomerEda(f: FigureEntry): f is Extract<FigureEntry, { rows: false }> {
  return f.group === 'eda' && !f.rows;
}

/** The exploratory figures that need the transaction rows, in words: `data quality, amounts, …`. */
export function rowFigureWords(): string {
  return FIGURES.flatMap((f) => (f.group === 'eda' && f.rows ? [f.about] : [])).join(', ');
}

/** Every segmentation figure, in reading order: choosing k, sizes, map, centroids, features, money. */
export function segmentFigures(features: CustomerFeatures, seg: NamedSegmentation, opts: { seed?: number } = {}): Figure[] {
  return FIGURES.flatMap((f) => (f.group === 'segments' ? [f.build({ features, seg, seed: opts.seed })] : []));
}

/** Every figure of the loaded data and a segmentation, as `bankseg figures` writes them. */
export function reportFigures(data: EdaInput, seg: NamedSegmentation, opts: { seed?: number } = {}): Figure[] {
  return [...edaFigures(data.raw, data.clean, data.features), ...segmentFigures(data.features, seg, opts)];
}

/** The figures `run` and `figures` write: the exploratory ones and those of the segmentation. */
export function analysisFigureCount(): number {
  return FIGURES.filter((f) => f.group === 'eda' || f.group === 'segments').length;
}

/** The figures of an assignment (`bankseg assign`), in reading order. */
export function assignmentFigures(d: AssignmentInput): Figure[] {
  return FIGURES.flatMap((f) => (f.group === 'assignment' ? [f.build(d)] : []));
}

/** The figures of a migration (`bankseg migrate`), in reading order. */
export function migrationFigures(d: MigrationInput): Figure[] {
  return FIGURES.flatMap((f) => (f.group === 'migration' ? [f.build(d)] : []));
}

/** The figures of a group in words, for help texts: `data quality, amounts, …`. */
export function figureWords(group: FigureEntry['group']): string {
  return figureEntries(group).map((f) => f.about).join(', ');
}
