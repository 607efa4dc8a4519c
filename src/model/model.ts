/**
 * The saved model, `model.json` (docs/model.md): everything needed to score a customer the way the training run did,
 * as plain data. The fitted parameters (scikit-learn's habit): the cleaning rules' parameters, the transform of each
 * model feature (log1p or not, the median that imputes a missing value, the mean and standard deviation), the
 * centroids; and what interprets them: each segment's name, action and the thresholds its words claim, the RFM cut
 * points, the training distributions the drift is measured against, and the training data's fingerprint.
 *
 * This module holds the format: its types, the JSON text, and the checks that make loading a model of another
 * format version, another feature set or other cleaning or naming rules fail with one line (an InputError).
 * Building one from a segmentation is build.ts; applying one is score.ts.
 */
import * as fs from 'node:fs';
import { InputError } from '../errors';
import { DAYS_PER_YEAR, MAX_AGE, MIN_AGE, PLACEHOLDER_DOB_YEAR, UNKNOWN_KEY_PART } from '../preprocess/clean';
import { featureSpec, MODEL_FEATURES } from '../preprocess/feature_registry';
import type { ModelFeature } from '../preprocess/feature_registry';
import { DISTINCT, MAJORITY, THRESHOLDS } from '../insights/naming';
import { RFM_BINS, RFM_SEGMENTS } from '../insights/rfm';
import { GENDERS } from '../table';

/** What the file says it is. */
export const MODEL_FORMAT = 'bankseg-model';
/** Bump on any change a reader of version 1 would misread; a model of another version is refused. */
export const MODEL_FORMAT_VERSION = 1;

/** One model feature: how a customer's value becomes its coordinate z (docs/model.md, "The transform"). */
export interface ModelFeatureTransform {
  readonly name: ModelFeature;
  /** The registry's unit (`days since last transaction`, `INR`, `years`), checked on load: a changed definition. */
  readonly unit: string;
  /** log1p(x) first (money), or x as it is. */
  readonly log1p: boolean;
  /** The value a missing one becomes, after log1p: the training median (0 when training had no known value). */
  readonly median: number;
  /** z = (value − mean) / std, population std of the training customers (1 for a constant column). */
  readonly mean: number;
  readonly std: number;
  /** Training customers whose value was missing (imputed). */
  readonly imputed: number;
  /**
   * The training distribution the drift is measured against (stats/psi.ts), in original units: cut points, and the
   * training customers per bin (x ≤ cuts[0], …, x > last cut), then those with no value.
   */
  readonly reference: { readonly cuts: readonly number[]; readonly counts: readonly number[] };
}

/** Distances (z space, Euclidean) of a segment's training members to its centroid. */
export interface DistanceSummary {
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

/** One segment: its centroid, name, action, and what it was at training. */
export interface ModelSegment {
  /** 0..k−1, largest first at training. */
  readonly id: number;
  readonly name: string;
  /** Coordinates in z space, one per feature in `features` order: what scoring uses. */
  readonly centroid: readonly number[];
  /** The centroid in original units (for people; not used in scoring). */
  readonly centroidInUnits: Readonly<Record<string, number>>;
  readonly actionKind: string;
  readonly action: string;
  /** The words of the name, each with its claim and the share of members (and of all customers) it held for. */
  readonly nameWords: readonly { readonly word: string; readonly claim: string; readonly share: number; readonly baseShare: number }[];
  readonly customers: number;
  readonly share: number;
  readonly distance: DistanceSummary;
}

/** Where the training data came from and what it held. */
export interface TrainingFingerprint {
  /** The file (real path) or the database table (URL without its password). */
  readonly source: string;
  /** SHA-256 and size of the file's bytes (null for a database table, which has no bytes to hash). */
  readonly inputSha256: string | null;
  readonly inputBytes: number | null;
  /** SHA-256 of the customer features (every column), whatever the source. */
  readonly featuresSha256: string;
  readonly rowsRead: number;
  readonly rowsCleaned: number;
  readonly customers: number;
  /** First and last transaction dates (YYYY-MM-DD) and the days from one to the other, both included. */
  readonly firstDate: string;
  readonly lastDate: string;
  readonly days: number;
  /** The day recency was measured from, and whether it was the last date (the default). */
  readonly asOf: string;
  readonly asOfIsLastDate: boolean;
}

export interface SegmentModel {
  readonly format: typeof MODEL_FORMAT;
  readonly formatVersion: number;
  /** The bankseg version that wrote it, and when. */
  readonly bankseg: string;
  readonly createdAt: string;
  readonly training: TrainingFingerprint;
  /** The customer key (docs/data-model.md, rule 10), as text and its parts. */
  readonly customerKey: { readonly text: string; readonly unknown: string; readonly genders: readonly string[] };
  /** The cleaning rules' parameters (docs/data-model.md section 2); `caps` are applied to new data as they are. */
  readonly cleaning: {
    readonly capQuantile: number;
    /** INR; null: training had no value to cap at, nothing is capped. */
    readonly caps: { readonly amount: number | null; readonly balance: number | null };
    readonly minAge: number;
    readonly maxAge: number;
    readonly daysPerYear: number;
    readonly placeholderDobYear: number;
  };
  /** The model features in the order of the centroids' coordinates. */
  readonly features: readonly ModelFeatureTransform[];
  readonly k: number;
  readonly segments: readonly ModelSegment[];
  /** How good the fit was at training. */
  readonly quality: { readonly inertia: number; readonly silhouette: number | null; readonly daviesBouldin: number | null; readonly seed: number | null };
  /** The thresholds the name words claim (insights/naming.ts), with the thirds of money moved at training. */
  readonly naming: {
    readonly thresholds: Readonly<Record<string, number>>;
    readonly valueLowThird: number;
    readonly valueTopThird: number;
    readonly majority: number;
    readonly distinct: number;
  };
  /** RFM (insights/rfm.ts): the cut points of R (recency, days) and M (money moved, INR), and the training sizes. */
  readonly rfm: {
    readonly recencyCuts: readonly (number | null)[];
    readonly monetaryCuts: readonly (number | null)[];
    /** Training customers per RFM segment, in `segments` order. */
    readonly customers: readonly number[];
    readonly segments: readonly string[];
  };
}

/** The JSON text of a model (2-space indent; numbers in JavaScript's shortest exact form, so they read back equal). */
export function modelJson(model: SegmentModel): string {
  return JSON.stringify(model, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

/** Reads and checks `file` (see parseModel); a missing or unreadable file is one line. */
export function readModel(file: string): SegmentModel {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new InputError(`${file}: cannot read the model (${e.code === 'ENOENT' ? 'no such file' : e.message})`);
  }
  return parseModel(text, file);
}

/**
 * The model in `text`, checked: a bankseg model of this format version, whose features this bankseg computes with
 * the same units, whose cleaning and naming rules are this bankseg's, and whose numbers fit together (k centroids of
 * one coordinate per feature, finite transforms, positive standard deviations). Anything else is one InputError line
 * naming `name` and what differs.
 */
export function parseModel(text: string, name = 'model.json'): SegmentModel {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError(`${name}: not a bankseg model (not JSON: ${(err as Error).message})`);
  }
  const fail = (what: string): never => {
    throw new InputError(`${name}: ${what}`);
  };
  if (!isObject(doc) || doc.format !== MODEL_FORMAT) fail(`not a bankseg model (no "format": "${MODEL_FORMAT}")`);
  const m = doc as Record<string, unknown>;
  if (m.formatVersion !== MODEL_FORMAT_VERSION) {
    fail(`model format version ${JSON.stringify(m.formatVersion)} (written by bankseg ${String(m.bankseg)}); this bankseg reads version ${MODEL_FORMAT_VERSION}: refit the model with \`bankseg segment\``);
  }
  const model = doc as unknown as SegmentModel;
  checkFeatures(model, fail);
  checkRules(model, fail);
  checkNumbers(model, fail);
  return model;
}

/** The unit a model records for a feature: the registry's, `yes/no` for a flag. */
export function featureUnit(name: ModelFeature): string {
  const spec = featureSpec(name);
  return 'unit' in spec ? spec.unit : 'yes/no';
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** The features: known to this bankseg, model-capable, with the registry's units, each once. */
function checkFeatures(model: SegmentModel, fail: (what: string) => never): void {
  if (!Array.isArray(model.features) || model.features.length === 0) fail('has no "features"');
  const seen = new Set<string>();
  for (const f of model.features) {
    if (!isObject(f) || typeof f.name !== 'string') fail('has a feature without a name');
    if (!(MODEL_FEATURES as readonly string[]).includes(f.name)) {
      fail(`uses the feature "${f.name}", which this bankseg does not compute (its model features: ${MODEL_FEATURES.join(', ')}); refit the model`);
    }
    const unit = featureUnit(f.name as ModelFeature);
    if (f.unit !== unit) fail(`feature "${f.name}" is in "${f.unit}" there and in "${unit}" in this bankseg: its definition changed; refit the model`);
    if (seen.has(f.name)) fail(`lists the feature "${f.name}" twice`);
    seen.add(f.name);
  }
}

/** The cleaning, key and naming rules the scores depend on must be this bankseg's. */
function checkRules(model: SegmentModel, fail: (what: string) => never): void {
  const c = model.cleaning;
  if (!isObject(c)) fail('has no "cleaning" rules');
  const rules: [string, unknown, unknown][] = [
    ['age floor (minAge)', c.minAge, MIN_AGE],
    ['highest age (maxAge)', c.maxAge, MAX_AGE],
    ['days per year of age (daysPerYear)', c.daysPerYear, DAYS_PER_YEAR],
    ['placeholder birth year (placeholderDobYear)', c.placeholderDobYear, PLACEHOLDER_DOB_YEAR],
    ['unknown part of the customer key', model.customerKey?.unknown, UNKNOWN_KEY_PART],
    ['genders of the customer key', JSON.stringify(model.customerKey?.genders), JSON.stringify(GENDERS)],
  ];
  for (const [what, theirs, ours] of rules) {
    if (theirs !== ours) fail(`was trained with the ${what} ${JSON.stringify(theirs)}; this bankseg's is ${JSON.stringify(ours)}: refit the model, or score with the bankseg that trained it`);
  }
  if (!(finite(c.capQuantile) && c.capQuantile > 0 && c.capQuantile <= 1)) fail('cleaning.capQuantile must be in (0, 1]');
  for (const cap of ['amount', 'balance'] as const) {
    if (!isObject(c.caps) || !(c.caps[cap] === null || finite(c.caps[cap]))) fail(`cleaning.caps.${cap} must be a number or null`);
  }
  const n = model.naming;
  if (!isObject(n) || !isObject(n.thresholds)) fail('has no "naming" thresholds');
  for (const [word, ours] of Object.entries(THRESHOLDS)) {
    if (n.thresholds[word] !== ours) fail(`names its segments with the threshold ${word} = ${JSON.stringify(n.thresholds[word])}; this bankseg's is ${ours}: refit the model (the names would claim something else)`);
  }
  if (n.majority !== MAJORITY || n.distinct !== DISTINCT) fail(`names its segments by the rule "majority ${n.majority}, distinct ${n.distinct}"; this bankseg's is majority ${MAJORITY}, distinct ${DISTINCT}: refit the model`);
  if (!finite(n.valueLowThird) || !finite(n.valueTopThird)) fail('naming.valueLowThird and valueTopThird must be numbers');
}

/** The numbers fit together: k segments with ids 0..k−1, one centroid coordinate per feature, finite transforms. */
function checkNumbers(model: SegmentModel, fail: (what: string) => never): void {
  const d = model.features.length;
  model.features.forEach((f) => {
    if (typeof f.log1p !== 'boolean') fail(`feature "${f.name}": log1p must be true or false`);
    if (!finite(f.median) || !finite(f.mean)) fail(`feature "${f.name}": median and mean must be numbers`);
    if (!(finite(f.std) && f.std > 0)) fail(`feature "${f.name}": std must be a number above 0`);
    const ref = f.reference;
    if (!isObject(ref) || !Array.isArray(ref.cuts) || !Array.isArray(ref.counts) || ref.counts.length !== ref.cuts.length + 2) {
      fail(`feature "${f.name}": reference must have cuts and cuts + 2 counts`);
    }
    if (!ref.cuts.every((c, i) => finite(c) && (i === 0 || c > ref.cuts[i - 1]))) fail(`feature "${f.name}": reference cuts must be increasing numbers`);
    if (!ref.counts.every((c) => Number.isInteger(c) && c >= 0)) fail(`feature "${f.name}": reference counts must be whole numbers`);
  });
  if (!(Number.isInteger(model.k) && model.k >= 1)) fail('k must be a whole number >= 1');
  if (!Array.isArray(model.segments) || model.segments.length !== model.k) fail(`has ${Array.isArray(model.segments) ? model.segments.length : 'no'} segments for k = ${model.k}`);
  model.segments.forEach((s, i) => {
    if (s.id !== i) fail(`segments[${i}] has id ${JSON.stringify(s.id)}, expected ${i}`);
    if (typeof s.name !== 'string') fail(`segments[${i}] has no name`);
    if (!Array.isArray(s.centroid) || s.centroid.length !== d || !s.centroid.every(finite)) {
      fail(`segments[${i}].centroid must be ${d} numbers (one per feature: ${model.features.map((f) => f.name).join(', ')})`);
    }
    if (!isObject(s.distance) || !finite(s.distance.p99)) fail(`segments[${i}].distance must give the training distances (p50, p90, p99, max)`);
  });
  const r = model.rfm;
  const cuts = (x: unknown): boolean => Array.isArray(x) && x.length === RFM_BINS - 1 && x.every((c) => c === null || finite(c));
  if (!isObject(r) || !cuts(r.recencyCuts) || !cuts(r.monetaryCuts)) fail(`rfm.recencyCuts and rfm.monetaryCuts must be ${RFM_BINS - 1} numbers (or null) each`);
  if (JSON.stringify(r.segments) !== JSON.stringify(RFM_SEGMENTS)) fail(`rfm.segments differ from this bankseg's RFM segments (${RFM_SEGMENTS.join(', ')}): refit the model`);
}
