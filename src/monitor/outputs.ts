/**
 * The files of a saved model applied to new data, written through an output set (src/io/atomic.ts):
 * - `assignments.csv`: one row per customer of the new data: the key, CustomerID, the model features in original
 *   units and as coordinates `z_*`, the segment id and name, the distance to its centroid, the RFM scores and segment;
 * - `assignment.json`: the model and data fingerprints, the counts and shares per segment beside training, the
 *   distances beside training, the name check, the RFM segments, the drift with its recommendation, the notes;
 * - `migration.json` and `migration.csv`: the periods, the migration matrices and their sentences; one row per
 *   customer with the segment in each period (empty: no transaction in it).
 */
import { csvNumber, csvText, writeCsvLines } from '../io/csv';
import type { OutputFile } from '../io/atomic';
import { RFM_SEGMENTS } from '../insights/rfm';
import type { SegmentModel } from '../model/model';
import { isoDate, keyCustomerId, keyText } from '../table';
import { PSI_BINS, PSI_EPSILON, PSI_REFIT, PSI_STABLE } from '../stats/psi';
import type { Assignment } from './assign';
import type { Migration } from './migration';
import { PARAMETER_SOURCES } from './report';

/** Rounds every number of a JSON tree to 10 significant digits; non-finite numbers become null. */
function rounded(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? Number(value.toPrecision(10)) : null;
  if (Array.isArray(value)) return value.map(rounded);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)]));
  return value;
}

/** The columns of assignments.csv, in order. */
export function assignmentsHeader(model: SegmentModel): string[] {
  const names = model.features.map((f) => f.name);
  return ['customer', 'CustomerID', ...names, ...names.map((f) => `z_${f}`), 'segment', 'segmentName', 'distance', 'rfmR', 'rfmF', 'rfmM', 'rfmSegment'];
}

/** assignments.csv, streamed in blocks (see the module comment). Money to the paisa, z and distances to 6 decimals. O(n·d). */
export async function writeAssignmentsCsv(out: OutputFile, a: Assignment): Promise<void> {
  const { model, scores, rfm } = a;
  const f = a.data.features;
  const d = model.features.length;
  out.write(assignmentsHeader(model).join(',') + '\n');
  const columns = model.features.map((x) => f[x.name]);
  const names = model.segments.map((s) => csvText(s.name));
  const rfmText = RFM_SEGMENTS.map((s) => csvText(s));
  await writeCsvLines(out, f.n, (i) => {
    let line = csvText(keyText(f.customerId, i)) + ',' + csvText(keyCustomerId(f.customerId, i));
    for (let j = 0; j < d; j++) line += ',' + csvNumber(columns[j][i], 2);
    for (let j = 0; j < d; j++) line += ',' + csvNumber(scores.z[i * d + j], 6);
    const c = scores.labels[i];
    line += ',' + c + ',' + names[c] + ',' + csvNumber(scores.distances[i], 6);
    line += ',' + rfm.r[i] + ',' + rfm.f[i] + ',' + rfm.m[i] + ',' + rfmText[rfm.segment[i]];
    return line;
  });
}

/** The model as assignment.json and migration.json name it: its file, version, fingerprint and segments. */
function modelSummary(model: SegmentModel, file?: { path: string; sha256: string }): unknown {
  return { file: file?.path ?? null, sha256: file?.sha256 ?? null, bankseg: model.bankseg, createdAt: model.createdAt, k: model.k, features: model.features.map((f) => f.name), training: model.training };
}

/** The assignment.json document. */
export function assignmentDocument(a: Assignment, modelFile?: { path: string; sha256: string }): unknown {
  const { data } = a;
  return rounded({
    model: modelSummary(a.model, modelFile),
    data: {
      source: data.input?.path ?? null,
      inputSha256: data.input?.sha256 ?? null,
      rowsRead: data.quality.inputRows,
      rowsCleaned: data.quality.outputRows,
      customers: data.features.n,
      ...a.window,
    },
    parameters: PARAMETER_SOURCES,
    segments: a.segments,
    beyondTrainingP99: { customers: a.beyondTrainingP99, share: data.features.n > 0 ? a.beyondTrainingP99 / data.features.n : null },
    drift: {
      recommendation: a.drift.recommendation,
      reading: a.drift.reading ?? null,
      rule: { stableBelow: PSI_STABLE, refitAbove: PSI_REFIT, epsilon: PSI_EPSILON, bins: `up to ${PSI_BINS}: the training deciles of each feature, missing values a bin of their own; the segments for the shares` },
      features: a.drift.features,
      segmentShares: a.drift.segments,
    },
    rfm: a.rfmSegments,
    cleaning: data.quality.entries.filter((e) => e.count > 0),
    notes: a.notes,
  });
}

/** The migration.json document. */
export function migrationDocument(model: SegmentModel, mg: Migration, modelFile?: { path: string; sha256: string }): unknown {
  const period = (p: Migration['leftOut'][number]) => ({ ...p, start: isoDate(p.start), end: isoDate(p.end) });
  const rows = [...model.segments.map((s) => s.name), 'no transaction'];
  return rounded({
    model: modelSummary(model, modelFile),
    spec: mg.spec.kind === 'as-of' ? { kind: 'as-of', dates: mg.spec.dates.map(isoDate) } : mg.spec,
    periods: mg.periods.map((p) => ({
      ...period(p.period),
      customers: p.features.n,
      segmentCounts: p.segmentCounts,
      segmentShares: p.segmentCounts.map((c) => (p.features.n > 0 ? c / p.features.n : null)),
      segmentSharesPsi: p.segmentPsi,
      segmentSharesReading: p.segmentReading ?? null,
    })),
    leftOut: mg.leftOut.map(period),
    rowsOutside: mg.rowsOutside,
    customers: mg.customers.keys.length,
    inOnePeriod: mg.inOnePeriod,
    transitions: mg.transitions.map((t) => ({
      from: mg.periods[t.from].period.label,
      to: mg.periods[t.to].period.label,
      rows: rows,
      columns: rows,
      counts: t.counts,
      rowShares: t.rowShares,
      stayed: t.stayed,
      moved: t.moved,
      quiet: t.quiet,
      arrived: t.arrived,
      quietBalances: t.quietBalances,
      sentences: t.sentences,
    })),
    notes: mg.notes,
  });
}

/** migration.csv: customer, CustomerID, the segment id in each period (empty: no transaction in it). O(customers · periods). */
export async function writeMigrationCsv(out: OutputFile, mg: Migration): Promise<void> {
  const m = mg.periods.length;
  out.write(['customer', 'CustomerID', ...mg.periods.map((p) => csvText(`segment ${p.period.label}`))].join(',') + '\n');
  const { keys, labels } = mg.customers;
  await writeCsvLines(out, keys.length, (c) => {
    let line = csvText(keys[c]) + ',' + csvText(keyCustomerId(keys, c));
    for (let t = 0; t < m; t++) line += ',' + (labels[c * m + t] >= 0 ? labels[c * m + t] : '');
    return line;
  });
}

/** The segment figure input of a migration: period labels, segment names, matrices. */
export function migrationFigureInput(model: SegmentModel, mg: Migration) {
  return { periods: mg.periods.map((p) => p.period.label), segments: model.segments.map((s) => s.name), transitions: mg.transitions };
}
