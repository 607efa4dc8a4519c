/**
 * The arithmetic of the benchmark, kept pure so it can be tested by hand: what one run of a side reports, the
 * medians over runs, the bankseg ÷ reference ratios, the agreement checks and the growth exponents.
 */

/** The timed stages, in pipeline order. `features` includes the model space (log1p, imputation, scaling). */
export const STAGES = ['read', 'preprocess', 'features', 'kSweep', 'finalFit', 'metrics'] as const;
export type Stage = (typeof STAGES)[number];

/**
 * bankseg (`ts`) and its two references: Polars + scikit-learn with bankseg's own k-means strategy
 * (bench/polars_reference.py), and pandas + scikit-learn as a usual notebook writes it (bench/reference.py).
 */
export const SIDES = ['ts', 'polars', 'pandas'] as const;
export type Side = (typeof SIDES)[number];
export const REFERENCES = ['polars', 'pandas'] as const;
export type Reference = (typeof REFERENCES)[number];
export const SIDE_NAMES: Record<Side, string> = {
  ts: 'bankseg',
  polars: 'Polars + scikit-learn (same strategy)',
  pandas: 'pandas + scikit-learn (usual notebook)',
};

/** The data stages: read, clean and customer features (the model space included, as in `features`). */
export const DATA_STAGES = ['read', 'preprocess', 'features'] as const;

/** Counts per category of the categorical customer features (gender, location bucket, time of day). */
export type CategoryCounts = Record<string, Record<string, number>>;

/** One k of the sweep, as both sides report it. */
export interface SweepPoint {
  readonly k: number;
  readonly inertia: number;
  readonly silhouette: number;
  readonly daviesBouldin: number;
  readonly calinskiHarabasz: number;
}

/** The JSON line a side prints on stdout (plus `wall`, which the runner measures around the child process). */
export interface RunResult {
  readonly side: Side;
  /** Seconds per stage, measured inside the process. */
  readonly stages: Record<Stage, number>;
  /** Sum of the stages (s). */
  readonly total: number;
  /** CPU seconds per stage (user + system, all threads): steadier than wall time on a busy machine. */
  readonly cpuStages: Record<Stage, number>;
  /** Peak resident set of the process (MB): ru_maxrss / 1024. */
  readonly maxRssMB: number;
  /** Rows the reader accepted, and the malformed rows it skipped. */
  readonly rowsRead: number;
  readonly malformed: number;
  /** Rows after cleaning. */
  readonly rowsKept: number;
  readonly customers: number;
  readonly featureSums: Record<string, number>;
  readonly categoryCounts: CategoryCounts;
  readonly k: number;
  readonly inertia: number;
  readonly silhouette: number;
  readonly daviesBouldin: number;
  readonly calinskiHarabasz: number;
  readonly sweep: readonly SweepPoint[];
  /** Process wall time from spawn to exit (s), start-up included: set by the runner. */
  readonly wall: number;
}

/** Medians over the runs of one side. */
export interface SideSummary {
  readonly stages: Record<Stage, number>;
  readonly total: number;
  /** Wall and CPU seconds of the data stages (read + preprocess + features), medians of the per-run sums. */
  readonly dataStages: number;
  readonly cpuDataStages: number;
  readonly cpuStages: Record<Stage, number>;
  readonly cpuTotal: number;
  readonly wall: number;
  /** The highest peak RSS over the runs (MB). */
  readonly maxRssMB: number;
  readonly runs: number;
}

/** Median of a non-empty list (mean of the middle two for an even count). O(n log n). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of an empty list');
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 === 1 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Per-stage, total and wall medians and the peak RSS of one side's runs. O(runs · stages). */
export function summarise(runs: readonly RunResult[]): SideSummary {
  const stages = {} as Record<Stage, number>;
  const cpuStages = {} as Record<Stage, number>;
  for (const s of STAGES) {
    stages[s] = median(runs.map((r) => r.stages[s]));
    cpuStages[s] = median(runs.map((r) => r.cpuStages[s]));
  }
  const sum = (r: RunResult, of: Record<Stage, number>): number => DATA_STAGES.reduce((t, s) => t + of[s], 0);
  return {
    stages,
    total: median(runs.map((r) => r.total)),
    dataStages: median(runs.map((r) => sum(r, r.stages))),
    cpuDataStages: median(runs.map((r) => sum(r, r.cpuStages))),
    cpuStages,
    cpuTotal: median(runs.map((r) => STAGES.reduce((sum, s) => sum + r.cpuStages[s], 0))),
    wall: median(runs.map((r) => r.wall)),
    maxRssMB: Math.max(...runs.map((r) => r.maxRssMB)),
    runs: runs.length,
  };
}

export type RatioKey = Stage | 'total' | 'wall' | 'maxRssMB' | `cpu.${Stage}` | 'cpuTotal' | 'dataStages' | 'cpuDataStages';

/**
 * bankseg ÷ reference of the medians: every stage's wall time, the total, the data stages, the process wall time,
 * the peak RSS, and the CPU seconds per stage (`cpu.<stage>`), of the data stages and in total. Above 1: bankseg is
 * slower / bigger.
 */
export function ratios(ts: SideSummary, py: SideSummary): Record<RatioKey, number> {
  const out = {} as Record<RatioKey, number>;
  for (const s of STAGES) {
    out[s] = ts.stages[s] / py.stages[s];
    out[`cpu.${s}`] = ts.cpuStages[s] / py.cpuStages[s];
  }
  out.total = ts.total / py.total;
  out.dataStages = ts.dataStages / py.dataStages;
  out.cpuDataStages = ts.cpuDataStages / py.cpuDataStages;
  out.cpuTotal = ts.cpuTotal / py.cpuTotal;
  out.wall = ts.wall / py.wall;
  out.maxRssMB = ts.maxRssMB / py.maxRssMB;
  return out;
}

/** The tolerances of the agreement checks (the figures). */
export const TOLERANCES = {
  /** Relative difference allowed between feature sums. */
  featureSum: 1e-9,
  /**
   * How much higher than scikit-learn's bankseg's inertia may be at the same k (relative). The two searches use
   * different random numbers and may stop in different local optima; 1% is bankseg's own margin for near-equal
   * solutions (src/segment/stability.ts). A LOWER inertia is a better optimum, not a disagreement.
   */
  inertia: 0.01,
  /**
   * Relative difference allowed when scikit-learn starts from bankseg's delivered (converged) centroids: the same
   * start leaves only rounding between the two (measured 3e-13 at 50,000 rows).
   */
  sameStart: 1e-9,
  /** Absolute difference allowed between the sampled silhouettes. */
  silhouette: 0.02,
} as const;

export interface Check {
  readonly name: string;
  readonly ts: number | string;
  readonly reference: number | string;
  /** How far apart they are, in the unit of the tolerance (relative or absolute); 0 for exact checks. */
  readonly difference: number;
  readonly tolerance: number;
  readonly ok: boolean;
}

/** |a − b| / max(|a|, |b|), 0 when both are 0. */
export function relativeDifference(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}

function exact(name: string, ts: number | string, reference: number | string): Check {
  const same = ts === reference;
  return { name, ts, reference, difference: same ? 0 : 1, tolerance: 0, ok: same };
}

function within(name: string, ts: number, reference: number, difference: number, tolerance: number): Check {
  return { name, ts, reference, difference, tolerance, ok: Number.isFinite(difference) && difference <= tolerance };
}

/**
 * The agreement checks between a bankseg run and a reference's run on the same data and options:
 * malformed rows, rows kept and customers equal; every feature sum within 1e-9 relative; every category count equal;
 * same k; inertia of the best fit at most 1% above scikit-learn's; silhouette within 0.02.
 * O(features + categories).
 */
export function agreementChecks(ts: RunResult, py: RunResult): Check[] {
  const checks: Check[] = [
    exact('malformed rows', ts.malformed, py.malformed),
    exact('rows kept', ts.rowsKept, py.rowsKept),
    exact('customers', ts.customers, py.customers),
    exact('k', ts.k, py.k),
  ];
  const sumKeys = new Set([...Object.keys(ts.featureSums), ...Object.keys(py.featureSums)]);
  for (const key of [...sumKeys].sort()) {
    const a = ts.featureSums[key];
    const b = py.featureSums[key];
    const d = a === undefined || b === undefined ? Infinity : relativeDifference(a, b);
    checks.push(within(`feature sum ${key}`, a ?? NaN, b ?? NaN, d, TOLERANCES.featureSum));
  }
  const groups = new Set([...Object.keys(ts.categoryCounts), ...Object.keys(py.categoryCounts)]);
  for (const group of [...groups].sort()) {
    const a = ts.categoryCounts[group] ?? {};
    const b = py.categoryCounts[group] ?? {};
    const cats = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const cat of [...cats].sort()) checks.push(exact(`${group} = ${cat}`, a[cat] ?? 0, b[cat] ?? 0));
  }
  // One-sided: how much worse bankseg's optimum is (a negative difference, a better optimum, passes).
  checks.push(within(`inertia (k=${py.k})`, ts.inertia, py.inertia, (ts.inertia - py.inertia) / Math.abs(py.inertia), TOLERANCES.inertia));
  checks.push(within('silhouette', ts.silhouette, py.silhouette, Math.abs(ts.silhouette - py.silhouette), TOLERANCES.silhouette));
  return checks;
}

/**
 * The exponent b of cost ∝ rows^b: the least-squares slope of log(seconds) on log(rows). 1 means linear.
 * NaN with fewer than two sizes. O(points).
 */
export function growthExponent(points: readonly { rows: number; seconds: number }[]): number {
  const usable = points.filter((p) => p.rows > 0 && p.seconds > 0);
  if (usable.length < 2) return NaN;
  const xs = usable.map((p) => Math.log(p.rows));
  const ys = usable.map((p) => Math.log(p.seconds));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < xs.length; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxx === 0 ? NaN : sxy / sxx;
}

/** A plain-text table with the first column left-aligned and the others right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => (r[j] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** One k of the two sweeps side by side. */
export interface SweepComparison {
  readonly k: number;
  readonly inertia: { readonly ts: number; readonly reference: number; readonly relative: number };
  readonly silhouette: { readonly ts: number; readonly reference: number };
}

/**
 * The two sweeps k by k: inertia (and its difference relative to the reference's; positive = bankseg worse) and
 * silhouette. Informational: the agreement checks are on the final fit. O(K).
 */
export function compareSweeps(ts: readonly SweepPoint[], py: readonly SweepPoint[]): SweepComparison[] {
  return py
    .filter((p) => ts.some((t) => t.k === p.k))
    .map((p) => {
      const t = ts.find((x) => x.k === p.k) as SweepPoint;
      return {
        k: p.k,
        inertia: { ts: t.inertia, reference: p.inertia, relative: (t.inertia - p.inertia) / p.inertia },
        silhouette: { ts: t.silhouette, reference: p.silhouette },
      };
    });
}

/** What the reference made of bankseg's delivered centroids (bench/reference.py --start-centroids). */
export interface SameStart {
  readonly k: number;
  /** Inertia of the nearest-centroid labelling of the reference's own model space, no iteration. */
  readonly inertiaAtStart: number;
  /** Inertia after scikit-learn's Lloyd from those centroids until no customer moves (tol=0). */
  readonly inertiaRefined: number;
  readonly iterations: number;
  /** Customers whose segment Lloyd changed. */
  readonly moved: number;
}

/**
 * The deterministic k-means check: scikit-learn started from bankseg's delivered centroids on its own model space
 * must find bankseg's inertia (the model spaces and the inertia arithmetic agree), and its Lloyd must move no
 * customer (bankseg's delivered fit is a fixed point of scikit-learn's Lloyd too). Unlike the search check, no random numbers are
 * involved, so a failure is a bug on one side. O(1).
 */
export function sameStartChecks(ts: RunResult, start: SameStart): Check[] {
  const n = Math.max(1, ts.customers);
  return [
    exact('same start: k', ts.k, start.k),
    within('same start: inertia of bankseg\'s centroids', ts.inertia, start.inertiaAtStart, relativeDifference(ts.inertia, start.inertiaAtStart), TOLERANCES.sameStart),
    within('same start: inertia after scikit-learn\'s Lloyd', ts.inertia, start.inertiaRefined, relativeDifference(ts.inertia, start.inertiaRefined), TOLERANCES.sameStart),
    within('same start: share of customers moved', 0, start.moved / n, start.moved / n, TOLERANCES.sameStart),
  ];
}
