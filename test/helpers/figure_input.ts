/**
 * Small hand-made tables for the figure tests (values chosen so every count can be done by hand), and the one
 * deterministic input of the figure spec snapshots (test/figures.test.ts, test/snapshots/figures/).
 */
import type { NamedSegmentation } from '../../src/visualize/segments';
import type { DriftFigureInput, MigrationFigureInput } from '../../src/visualize/monitor';
import type { CustomerFeatures, NumericFeature } from '../../src/preprocess/feature_registry';
import type { KScore, ModelSpace } from '../../src/segment/types';
import { CleanTable, DictColumn, TransactionTable, dayNumber } from '../../src/table';
import { customerFeaturesOf, everyNumeric } from './features';

export function dict(values: readonly (string | undefined)[]): DictColumn {
  const index = new Map<string, number>();
  const codes = Int32Array.from(values, (v) => {
    if (v === undefined) return -1;
    if (!index.has(v)) index.set(v, index.size);
    return index.get(v)!;
  });
  return { codes, values: [...index.keys()] };
}

/** Ten transactions of six customers, with values chosen so every count below can be done by hand. */
export function smallClean(): CleanTable {
  const d = dayNumber(2016, 8, 1);
  return {
    rows: 10,
    customer: Int32Array.of(0, 1, 2, 0, 3, 4, 5, 1, 2, 0),
    customerIds: ['C1', 'C2', 'C3', 'C4', 'C5', 'C6'],
    // Aug 1 ×3, Aug 2 ×2, Aug 4 ×4, Aug 5 ×1 (Aug 3 has none).
    date: Int32Array.of(d, d, d, d + 1, d + 1, d + 3, d + 3, d + 3, d + 3, d + 4),
    // Hours 0, 0, 9, 9, 9, 14, 20, 20, 23, 12.
    time: Int32Array.of(0, 5959, 90000, 91530, 95959, 143207, 200000, 201010, 235959, 120000),
    amount: Float64Array.of(0, 1, 5, 10, 20, 50, 100, 150, 999, 1000),
    balance: Float64Array.of(100, NaN, 2500, 0, 40, 40, 1e6, 7, 3, 55),
    age: Float64Array.of(25, NaN, 31, 25, 40, 62, 19, NaN, 31, 25),
    gender: Int8Array.of(1, 0, 1, 1, -1, 0, 1, 0, 1, 1),
    location: dict(['MUMBAI', 'PUNE', 'MUMBAI', 'DELHI', undefined, 'MUMBAI', 'PUNE', 'DELHI', 'MUMBAI', 'AGRA']),
  };
}

/** Eight customers in three segments (labels below), with hand-picked features. */
export function smallFeatures(): CustomerFeatures {
  return customerFeaturesOf(
    8,
    {
      recencyDays: Float64Array.of(0, 10, 3, 30, 45, 60, 2, 5),
      frequency: Float64Array.of(3, 1, 2, 1, 1, 1, 4, 2),
      monetaryTotal: Float64Array.of(300, 50, 150, 20, 10, 0, 800, 70),
      monetaryMean: Float64Array.of(100, 50, 75, 20, 10, 0, 200, 35),
      balance: Float64Array.of(1000, NaN, 3000, 500, 0, 250, 20000, 1250),
      age: Float64Array.of(30, 41, NaN, 22, 67, 70, 35, 29),
      gender: { codes: Int32Array.of(0, 1, 1, -1, 0, 1, 0, 1), values: ['M', 'F'] },
      location: dict(['MUMBAI', 'OTHER', 'MUMBAI', 'PUNE', 'OTHER', 'OTHER', 'MUMBAI', 'PUNE']),
      timeOfDay: dict(['evening', 'morning', 'evening', 'night', 'afternoon', 'evening', 'evening', 'morning']),
    },
    { customerId: ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H'], endDate: dayNumber(2016, 8, 5) },
  );
}

export const LABELS = Int32Array.of(0, 1, 0, 2, 2, 2, 0, 1);

/** A two-column model space (log1p monetaryTotal, age imputed 35) with centroids = the exact member means. */
export function smallSegmentation(features: CustomerFeatures, labels: Int32Array, k: number, kSweep: KScore[] = SWEEP): NamedSegmentation {
  const names: NumericFeature[] = ['monetaryTotal', 'age'];
  const n = features.n;
  const X = new Float64Array(n * 2);
  for (let i = 0; i < n; i++) {
    X[i * 2] = Math.log1p(features.monetaryTotal[i]) - 4;
    X[i * 2 + 1] = ((Number.isNaN(features.age[i]) ? 35 : features.age[i]) - 40) / 15;
  }
  const centroids = new Float64Array(k * 2);
  const sizes = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    sizes[labels[i]]++;
    centroids[labels[i] * 2] += X[i * 2];
    centroids[labels[i] * 2 + 1] += X[i * 2 + 1];
  }
  for (let g = 0; g < k; g++) for (let j = 0; j < 2; j++) centroids[g * 2 + j] /= sizes[g];
  const space: ModelSpace = {
    n,
    d: 2,
    features: names,
    logged: ['monetaryTotal'],
    X,
    median: Float64Array.of(4, 35),
    mean: Float64Array.of(4, 40),
    std: Float64Array.of(1, 15),
    imputed: [0, 1],
  };
  const segNames = ['Loyal high spenders', 'Occasional', 'Lapsed seniors', 'Extra', 'Extra 2'];
  return {
    k,
    space,
    fit: { k, labels, centroids, inertia: 1, iterations: 3, converged: true },
    silhouette: 0.5,
    daviesBouldin: 0.7,
    calinskiHarabasz: 10,
    kSweep,
    recommendation: { k, reason: 'best silhouette' },
    segments: Array.from({ length: k }, (_, id) => ({
      id,
      name: segNames[id],
      size: sizes[id],
      share: sizes[id] / n,
      monetaryShare: 0,
      balanceShare: 0,
      profile: everyNumeric(0),
      lift: {},
      action: '',
    })),
  };
}

export const SWEEP: KScore[] = [
  { k: 4, inertia: 60, silhouette: 0.31, daviesBouldin: 1.1, calinskiHarabasz: 5, stability: 0.9, restarts: 8, confirmedBy: 8, rivalGap: NaN, rivalAri: NaN, stable: true },
  { k: 2, inertia: 100, silhouette: 0.42, daviesBouldin: 0.9, calinskiHarabasz: 4, stability: 1, restarts: 8, confirmedBy: 8, rivalGap: NaN, rivalAri: NaN, stable: true },
  { k: 3, inertia: 75, silhouette: 0.45, daviesBouldin: NaN, calinskiHarabasz: 6, stability: 0.95, restarts: 8, confirmedBy: 8, rivalGap: NaN, rivalAri: NaN, stable: true },
];

export function smallRaw(): TransactionTable {
  return {
    source: '/data/in/bank_transactions.csv',
    rows: 6,
    transactionId: ['T1', 'T2', 'T3', 'T4', 'T5', 'T6'],
    customerId: dict(['C1', 'C2', 'C3', 'C4', 'C5', 'C6']),
    customerDob: dict(['1/1/1800', '4/4/57', undefined, '01-01-1800', '1800-01-01', '10/1/18']),
    custGender: dict(['M', undefined, 'F', 'T', undefined, 'M']),
    custLocation: dict(['MUMBAI', 'PUNE', undefined, 'DELHI', 'PUNE', 'AGRA']),
    custAccountBalance: Float64Array.of(1, NaN, NaN, 4, 5, NaN),
    transactionDate: new Int32Array(6),
    transactionTime: new Int32Array(6),
    transactionAmount: Float64Array.of(1, 2, 3, 4, 5, 6),
    malformed: { count: 2, examples: [] },
  };
}

/** A drift of four features and the segment shares, one in each PSI band and one on the 0.25 line. */
export function smallDrift(): DriftFigureInput {
  return {
    features: [
      { variable: 'recencyDays', psi: 0.021 },
      { variable: 'monetaryTotal', psi: 0.13 },
      { variable: 'balance', psi: 0.41 },
      { variable: 'age', psi: 0.25 },
    ],
    segments: { psi: 0.08 },
    recommendation: 'Refit: PSI above 0.25 for balance (0.410); the population has moved too far from the training data for its segments to mean what they meant.',
  };
}

/** Two periods of the three segments above; the last row and column are "no transaction". */
export function smallMigration(): MigrationFigureInput {
  return {
    periods: ['2016-08', '2016-09'],
    segments: ['Loyal high spenders', 'Occasional', 'Lapsed seniors'],
    transitions: [{ counts: [[5, 1, 0, 4], [0, 3, 1, 2], [1, 0, 2, 3], [2, 1, 1, 0]] }],
  };
}

/** The snapshot input: every table above, segmented into three by LABELS, with a drift and a migration. */
export function smallFigureInput(): {
  raw: TransactionTable;
  clean: CleanTable;
  features: CustomerFeatures;
  seg: NamedSegmentation;
  drift: DriftFigureInput;
  migration: MigrationFigureInput;
} {
  const features = smallFeatures();
  return { raw: smallRaw(), clean: smallClean(), features, seg: smallSegmentation(features, LABELS, 3), drift: smallDrift(), migration: smallMigration() };
}
