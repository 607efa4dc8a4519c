/**
 * Scoring new data with a saved model (`bankseg assign`, the notebooks' `bs.assign`): the customers of the new data,
 * cleaned and turned into features with the model's parameters, each assigned to the nearest training centroid, with
 * what a model-risk reviewer asks next: how many went where compared with training, how far they sit from their
 * centroid compared with training, whether the words of each segment's name still hold for its new members, the RFM
 * segments by the training cut points, and the drift (drift.ts).
 *
 * Which parameters come from where (docs/model.md, "Scoring new data"):
 * - from the model, frozen at training: the outlier caps (INR), the cleaning and customer-key rules (checked equal
 *   when the model is read), the transform (log1p, imputation median, mean, std), the centroids, the RFM cut points,
 *   the thirds of money moved the value words use. A customer's score then never depends on who else is in the data.
 * - from the new data: its transactions, hence the customers and their keys; the as-of date recency counts from (its
 *   last transaction date unless given, the training rule); the top-10 location buckets (not a model feature).
 */
import { count, inr, pct } from '../format';
import type { LoadOptions } from '../preprocess/load';
import type { CustomerFeatures } from '../preprocess/feature_registry';
import { wordShares } from '../insights/naming';
import { RFM_SEGMENTS } from '../insights/rfm';
import type { RfmScores } from '../insights/rfm';
import type { DistanceSummary, SegmentModel } from '../model/model';
import { distanceSummaries } from '../model/build';
import { modelRfm, scoreCustomers } from '../model/score';
import type { Scores } from '../model/score';
import type { CleanTable, QualityReport } from '../table';
import { isoDate } from '../table';
import { measureDrift } from './drift';
import type { Drift } from './drift';

/** What is assigned: the load stage's result for the new data, loaded with `modelLoadOptions`. */
export interface NewData {
  readonly features: CustomerFeatures;
  readonly quality: QualityReport;
  readonly clean: Pick<CleanTable, 'date' | 'rows'>;
  readonly input?: { readonly path: string; readonly size: number; readonly sha256: string };
}

/** One segment in the new data, beside what it was at training. */
export interface AssignedSegment {
  readonly id: number;
  readonly name: string;
  readonly customers: number;
  readonly share: number;
  readonly trainingShare: number;
  /** Distances of the new members to the centroid, and of the training members. */
  readonly distance: DistanceSummary;
  readonly trainingDistance: DistanceSummary;
  /** New members farther from the centroid than the training members' 99th percentile (1% at training). */
  readonly beyondTrainingP99: number;
  /** Each word of the name: the share of the new members it holds for, and of the training members. */
  readonly nameWords: readonly { readonly word: string; readonly claim: string; readonly share: number; readonly trainingShare: number }[];
}

export interface Assignment {
  readonly model: SegmentModel;
  readonly data: NewData;
  readonly scores: Scores;
  readonly rfm: RfmScores;
  /** The new data's window: first and last transaction dates, days, and the as-of date (YYYY-MM-DD). */
  readonly window: { readonly firstDate: string; readonly lastDate: string; readonly days: number; readonly asOf: string };
  readonly segments: readonly AssignedSegment[];
  readonly rfmSegments: readonly { readonly name: string; readonly customers: number; readonly share: number; readonly trainingShare: number }[];
  readonly drift: Drift;
  /** Customers beyond their segment's training 99th percentile distance, all segments. */
  readonly beyondTrainingP99: number;
  /** What the reader of the numbers must know (window lengths, caps, the as-of date), each a sentence. */
  readonly notes: readonly string[];
}

/** The load options for new data under `model`: its outlier caps (null: nothing capped), the rest as given. */
export function modelLoadOptions(model: SegmentModel, opts: LoadOptions = {}): LoadOptions {
  const cap = (x: number | null): number => (x === null ? Infinity : x);
  return { ...opts, caps: { amount: cap(model.cleaning.caps.amount), balance: cap(model.cleaning.caps.balance) } };
}

/** First and last day of the rows (NaN when there are none). O(n). */
function dayRange(clean: Pick<CleanTable, 'date' | 'rows'>): { first: number; last: number } {
  let first = Infinity;
  let last = -Infinity;
  for (let i = 0; i < clean.rows; i++) {
    if (clean.date[i] < first) first = clean.date[i];
    if (clean.date[i] > last) last = clean.date[i];
  }
  return clean.rows > 0 ? { first, last } : { first: NaN, last: NaN };
}

/**
 * Scores `data` (loaded with `modelLoadOptions(model)`) with `model` and summarises it against training (see the
 * module comment). O(n·k·d + n log n).
 */
export function assignCustomers(model: SegmentModel, data: NewData): Assignment {
  const { features } = data;
  const scores = scoreCustomers(model, features);
  const rfm = modelRfm(model, features);
  const k = model.k;
  const n = features.n;
  const { first, last } = dayRange(data.clean);
  const window = {
    firstDate: n > 0 ? isoDate(first) : 'n/a',
    lastDate: n > 0 ? isoDate(last) : 'n/a',
    days: n > 0 ? last - first + 1 : 0,
    asOf: n > 0 ? isoDate(features.asOf) : 'n/a',
  };

  const summaries = distanceSummaries(scores.distances, scores.labels, k);
  const sizes = new Array<number>(k).fill(0);
  const beyond = new Array<number>(k).fill(0);
  for (let i = 0; i < n; i++) {
    const c = scores.labels[i];
    sizes[c]++;
    if (scores.distances[i] > model.segments[c].distance.p99) beyond[c]++;
  }
  // The words the model's names use (early-seen or lapsed as at training), with the training thirds of money moved.
  const base = { valueLowThird: model.naming.valueLowThird, valueTopThird: model.naming.valueTopThird, asOf: features.asOf, recencyLimit: '' };
  const shares = wordShares(features, scores.labels, k, base, new Set(model.segments.flatMap((s) => s.nameWords.map((w) => w.word))));
  const segments: AssignedSegment[] = model.segments.map((s) => ({
    id: s.id,
    name: s.name,
    customers: sizes[s.id],
    share: n > 0 ? sizes[s.id] / n : NaN,
    trainingShare: s.share,
    distance: summaries[s.id],
    trainingDistance: s.distance,
    beyondTrainingP99: beyond[s.id],
    nameWords: s.nameWords.map((w) => ({
      word: w.word,
      // The claim as the model states it (the thresholds were checked equal when the model was read).
      claim: w.claim,
      share: sizes[s.id] > 0 ? (shares[s.id].find((x) => x.word === w.word)?.share ?? NaN) : NaN,
      trainingShare: w.share,
    })),
  }));

  const rfmCounts = new Array<number>(RFM_SEGMENTS.length).fill(0);
  for (let i = 0; i < n; i++) rfmCounts[rfm.segment[i]]++;
  const trainingRfm = model.rfm.customers.reduce((a, b) => a + b, 0);
  const rfmSegments = RFM_SEGMENTS.map((name, i) => ({
    name,
    customers: rfmCounts[i],
    share: n > 0 ? rfmCounts[i] / n : NaN,
    trainingShare: trainingRfm > 0 ? model.rfm.customers[i] / trainingRfm : NaN,
  }));

  return {
    model,
    data,
    scores,
    rfm,
    window,
    segments,
    rfmSegments,
    drift: measureDrift(model, features, scores.labels),
    beyondTrainingP99: beyond.reduce((a, b) => a + b, 0),
    notes: assignmentNotes(model, data, window, scores),
  };
}

/** The sentences a reader of the assignment needs: windows, as-of dates, caps, imputed values. */
function assignmentNotes(model: SegmentModel, data: NewData, window: Assignment['window'], scores: Scores): string[] {
  const t = model.training;
  const notes: string[] = [];
  if (data.features.n === 0) return ['The data holds no customer: nothing was assigned.'];
  const ratio = window.days / t.days;
  if (ratio < 0.9 || ratio > 1.1) {
    notes.push(
      `The training window was ${count(t.days)} days (${t.firstDate} to ${t.lastDate}); this data's is ${count(window.days)} (${window.firstDate} to ${window.lastDate}). Recency and money moved are measured over windows of different lengths, which by itself moves them: compare periods of the training window's length.`,
    );
  } else {
    notes.push(`The training window was ${count(t.days)} days (${t.firstDate} to ${t.lastDate}); this data's is ${count(window.days)} (${window.firstDate} to ${window.lastDate}).`);
  }
  const asOfRule = (isLast: boolean) => (isLast ? 'its last transaction date' : 'a date given with --as-of');
  const isLast = data.features.asOf === data.features.endDate;
  notes.push(`Recency counts days before ${window.asOf}, ${asOfRule(isLast)}; at training it counted days before ${t.asOf}, ${asOfRule(t.asOfIsLastDate)}.`);
  const capped = data.quality.entries.filter((e) => e.action === 'changed' && /capped/.test(e.reason));
  const caps = model.cleaning.caps;
  const capText = (x: number | null) => (x === null ? 'none' : inr(x));
  if (capped.length > 0) {
    notes.push(
      `Amounts and balances are capped at the training caps (amount ${capText(caps.amount)}, balance ${capText(caps.balance)}, the training data's ${pct(model.cleaning.capQuantile, 1)} quantiles): ${capped.map((e) => `${count(e.count)} ${e.column === 'CustAccountBalance' ? 'balances' : 'amounts'}`).join(' and ')} of this data were capped.`,
    );
  }
  const imputed = model.features.flatMap((f, j) => (scores.imputed[j] > 0 ? [`${f.name} ${count(scores.imputed[j])} (${pct(scores.imputed[j] / data.features.n)})`] : []));
  if (imputed.length > 0) notes.push(`Missing values took the training medians: ${imputed.join(', ')}.`);
  return notes;
}
