/**
 * A saved model (model.ts) from a fitted, profiled segmentation and the data it was fitted on: the transform and
 * centroids from the segmentation, the names and actions from its profiles, the cleaning parameters from the quality
 * report, and what the drift and RFM checks of new data compare against (the training distributions, the RFM cut
 * points, the distances of the members to their centroids). O(n log n).
 */
import { featuresDigest } from '../segment/cached';
import { toOriginalUnits } from '../segment/space';
import type { ProfiledSegmentation } from '../insights/types';
import { DISTINCT, MAJORITY, THRESHOLDS } from '../insights/naming';
import { rfmCutPoints, RFM_SEGMENTS } from '../insights/rfm';
import { DAYS_PER_YEAR, MAX_AGE, MIN_AGE, PLACEHOLDER_DOB_YEAR, UNKNOWN_KEY_PART } from '../preprocess/clean';
import type { CustomerFeatures } from '../preprocess/feature_registry';
import { binCounts, psiCuts } from '../stats/psi';
import { quantileSorted } from '../stats/quantile';
import { GENDERS, isoDate } from '../table';
import type { CleanTable, QualityReport } from '../table';
import { banksegVersion } from '../version';
import { featureUnit, MODEL_FORMAT, MODEL_FORMAT_VERSION } from './model';
import type { DistanceSummary, ModelSegment, SegmentModel } from './model';

/** What a model is built from besides the segmentation: the load stage's result (file, database or push-down). */
export interface TrainingData {
  readonly features: CustomerFeatures;
  readonly quality: QualityReport;
  /** The cleaned rows (their dates), or the transactions per day the push-down counted. */
  readonly clean?: Pick<CleanTable, 'date' | 'rows'>;
  readonly transactionsPerDay?: readonly { readonly day: number; readonly transactions: number }[];
  /** The input file's identity (src/preprocess/load_cache.ts), absent for a database. */
  readonly input?: { readonly path: string; readonly size: number; readonly sha256: string };
}

export interface BuildOptions {
  /** How the source is named in the model when it is not a file (a database URL without its password, and table). */
  readonly source?: string;
  /** The k-means seed of the fit, recorded. */
  readonly seed?: number;
  /** The time written in `createdAt` (default now). */
  readonly createdAt?: Date;
}

/** The first and last transaction days of the training rows (from the rows, or from the push-down's days). O(n). */
function dateRange(data: TrainingData): { first: number; last: number } {
  let first = Infinity;
  let last = -Infinity;
  if (data.transactionsPerDay) {
    for (const { day } of data.transactionsPerDay) {
      if (day < first) first = day;
      if (day > last) last = day;
    }
  } else if (data.clean) {
    const { date, rows } = data.clean;
    for (let i = 0; i < rows; i++) {
      if (date[i] < first) first = date[i];
      if (date[i] > last) last = date[i];
    }
  }
  if (!Number.isFinite(first)) return { first: data.features.endDate, last: data.features.endDate };
  return { first, last };
}

/** Euclidean distance of each row of X (n×d) to the centroid of its label. O(n·d). */
export function distancesToOwnCentroid(X: Float64Array, n: number, d: number, centroids: Float64Array, labels: Int32Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = labels[i] * d;
    let s = 0;
    for (let t = 0; t < d; t++) {
      const diff = X[i * d + t] - centroids[c + t];
      s += diff * diff;
    }
    out[i] = Math.sqrt(s);
  }
  return out;
}

/** p50, p90, p99 (type 7) and the maximum of each segment's members' distances. O(n log n). */
export function distanceSummaries(distances: Float64Array, labels: Int32Array, k: number): DistanceSummary[] {
  const bySegment: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < labels.length; i++) bySegment[labels[i]].push(distances[i]);
  return bySegment.map((list) => {
    const sorted = Float64Array.from(list).sort();
    return {
      p50: quantileSorted(sorted, 0.5),
      p90: quantileSorted(sorted, 0.9),
      p99: quantileSorted(sorted, 0.99),
      max: sorted.length > 0 ? sorted[sorted.length - 1] : NaN,
    };
  });
}

/**
 * The model of a profiled segmentation fitted on `data` (see the module comment). The centroids are the fit's, in
 * z space; each segment keeps its id, name, action and name words. O(n log n).
 */
export function buildModel(seg: ProfiledSegmentation, data: TrainingData, opts: BuildOptions = {}): SegmentModel {
  const { space, fit } = seg;
  const { features, quality } = data;
  const d = space.d;
  const distances = distancesToOwnCentroid(space.X, space.n, d, fit.centroids, fit.labels);
  const summaries = distanceSummaries(distances, fit.labels, fit.k);
  const { first, last } = dateRange(data);
  const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

  const segments: ModelSegment[] = seg.segments.map((s) => {
    const centroid = Array.from(fit.centroids.subarray(s.id * d, s.id * d + d));
    return {
      id: s.id,
      name: s.name,
      centroid,
      centroidInUnits: toOriginalUnits(space, centroid),
      actionKind: s.actionKind,
      action: s.action,
      nameWords: s.nameWords.map((w) => ({ word: w.word, claim: w.claim, share: w.share, baseShare: w.baseShare })),
      customers: s.size,
      share: s.share,
      distance: summaries[s.id],
    };
  });

  return {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    bankseg: banksegVersion(),
    createdAt: (opts.createdAt ?? new Date()).toISOString(),
    training: {
      source: data.input?.path ?? opts.source ?? 'unknown',
      inputSha256: data.input?.sha256 ?? null,
      inputBytes: data.input?.size ?? null,
      featuresSha256: featuresDigest(features),
      rowsRead: quality.inputRows,
      rowsCleaned: quality.outputRows,
      customers: features.n,
      firstDate: isoDate(first),
      lastDate: isoDate(last),
      days: last - first + 1,
      asOf: isoDate(features.asOf),
      asOfIsLastDate: features.asOf === features.endDate,
    },
    customerKey: { text: 'CustomerID|YYYY-MM-DD|G', unknown: UNKNOWN_KEY_PART, genders: [...GENDERS] },
    cleaning: {
      capQuantile: quality.caps.quantile,
      caps: { amount: finiteOrNull(quality.caps.amount), balance: finiteOrNull(quality.caps.balance) },
      minAge: MIN_AGE,
      maxAge: MAX_AGE,
      daysPerYear: DAYS_PER_YEAR,
      placeholderDobYear: PLACEHOLDER_DOB_YEAR,
    },
    features: space.features.map((name, j) => {
      const cuts = psiCuts(features[name]);
      return {
        name,
        unit: featureUnit(name),
        log1p: space.logged.includes(name),
        // buildModelSpace imputes 0 when no value is known (its median is NaN then): the value it used.
        median: Number.isNaN(space.median[j]) ? 0 : space.median[j],
        mean: space.mean[j],
        std: space.std[j],
        imputed: space.imputed[j],
        reference: { cuts, counts: binCounts(features[name], cuts) },
      };
    }),
    k: fit.k,
    segments,
    quality: { inertia: fit.inertia, silhouette: finiteOrNull(seg.silhouette), daviesBouldin: finiteOrNull(seg.daviesBouldin), seed: opts.seed ?? null },
    naming: {
      thresholds: { ...THRESHOLDS },
      valueLowThird: seg.context.nameBase.valueLowThird,
      valueTopThird: seg.context.nameBase.valueTopThird,
      majority: MAJORITY,
      distinct: DISTINCT,
    },
    rfm: {
      recencyCuts: rfmCutPoints(features.recencyDays, false),
      monetaryCuts: rfmCutPoints(features.monetaryTotal, true),
      customers: [...seg.context.rfm.customers],
      segments: [...RFM_SEGMENTS],
    },
  };
}
