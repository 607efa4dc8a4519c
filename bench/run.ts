/**
 * `npm run bench`: bankseg against its two references on the same file, in one run: Polars + scikit-learn with
 * bankseg's own k-means strategy (bench/polars_reference.py, the strongest realistic competitor) and pandas +
 * scikit-learn as a usual notebook writes it (bench/reference.py). Every side runs as a child process, in turn (the
 * order reverses every run, ABC CBA, so drift in the machine's load hits all alike), timing its own stages and
 * reporting its own peak RSS. It prints the per-stage medians, the bankseg ÷ reference ratios and the agreement
 * checks, and writes them, with the machine and its load average, to bench/results.json. A failed check exits 1.
 *
 * k: a fixed k (default 4) on every side rather than bankseg's recommendation, so the final fit is the same problem
 * whatever the sweep's scores say; the sweep (2..10) is run in full.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeGeneratedCsv, DEFAULT_ROWS, MAX_ROWS } from '../src/collect/generate';
import { DEFAULT_SEED } from '../src/config';
import { ensureDefaultData } from '../src/collect/default_data';
import { intOption, parseOptions } from '../src/cli/command';
import { UsageError } from '../src/errors';
import { KMEANS_DEFAULTS } from '../src/segment/kmeans';
import {
  agreementChecks,
  Check,
  compareSweeps,
  DATA_STAGES,
  formatTable,
  growthExponent,
  ratios,
  SameStart,
  sameStartChecks,
  Reference,
  REFERENCES,
  RunResult,
  Side,
  SIDE_NAMES,
  SideSummary,
  STAGES,
  summarise,
  SweepComparison,
} from './lib_compare';
import { PYTHON, REFERENCE_SCRIPTS, ROOT, runSide, sideArgs, SideOptions } from './lib_child';
import { hotFunctionsByStage, HotFunction, loadNewestProfile, StageBounds } from './lib_profile';

const SCALING_ROWS = [DEFAULT_ROWS, 5_000_000, 10_000_000];

const HELP = `Usage: npm run bench -- [options]

Runs bankseg and its references (Polars + scikit-learn with bankseg's k-means strategy; pandas + scikit-learn as a
usual notebook) on the same generated file, in turn, and compares per-stage times, peak memory and results.

  --rows N        rows of the generated file (default ${DEFAULT_ROWS}, the size of the published file)
  --input FILE    benchmark this file instead of a generated one
  --runs R        runs of each side (default 3; 1 with --scaling)
  --references L  which references run, comma-separated: polars, pandas (default both; polars with --scaling)
  --k K           clusters of the final fit on every side (default 4: fixed, for comparability)
  --n-init N      k-means restarts (bankseg and Polars: at least N, more until 3 agree; pandas: N on all customers;
                  default ${KMEANS_DEFAULTS.nInit})
  --sample N      customers in the silhouette sample (default 10000)
  --k-max K       last k of the sweep 2..K (default 10)
  --seed S        seed of the k-means restarts and samples on every side (default 42)
  --py-threads N  threads of Polars, scikit-learn and numpy (default: their own default, every core)
  --out FILE      results JSON (default bench/results.json)
  --scaling       repeat at ${SCALING_ROWS.map((r) => r.toLocaleString('en-US')).join(', ')} rows and fit how each stage and the peak RSS grow
                  (generated files cached in $BANKSEG_BENCH_DATA, default data/interim; beyond ${MAX_ROWS.toLocaleString('en-US')} rows,
                  generated parts with seeds ${DEFAULT_SEED}, ${DEFAULT_SEED + 1}, ... one after the other)
  --profile       also run bankseg once under V8's CPU profiler (as node --cpu-prof) and list its hottest
                  functions per stage; the profile (.cpuprofile, positions in the .ts sources) goes to bench/out/
`;

/**
 * Issue 13's targets, bankseg ÷ Polars + scikit-learn (same strategy) at the published size: the whole process in
 * wall time (goal 4), its peak RSS (goal 4), the data stages in wall time (goal 2), the k sweep in CPU seconds (goal 3);
 * and the peak RSS at 5M rows (goal 5).
 */
const TARGETS = { whole: 0.4, rss: 0.5, dataStages: 1.0, kSweepCpu: 1.0, rssAt5MMB: 1200 };

interface BenchOptions extends Omit<SideOptions, 'input'> {
  readonly rows: number;
  readonly input?: string;
  readonly runs: number;
  readonly references: readonly Reference[];
  readonly out: string;
  readonly scaling: boolean;
  readonly profile: boolean;
  readonly pyThreads?: number;
}

function parse(argv: string[]): BenchOptions | undefined {
  const v = parseOptions(argv, {
    rows: { type: 'string' },
    input: { type: 'string' },
    runs: { type: 'string' },
    references: { type: 'string' },
    k: { type: 'string' },
    'n-init': { type: 'string' },
    sample: { type: 'string' },
    'k-max': { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    scaling: { type: 'boolean' },
    profile: { type: 'boolean' },
    'py-threads': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (v.help) return undefined;
  const scaling = v.scaling === true;
  // pandas + scikit-learn at 10M rows takes hours and most of the memory: the scaling runs compare with Polars.
  const references = (v.references ?? (scaling ? 'polars' : REFERENCES.join(','))).split(',').map((r) => r.trim()).filter((r) => r !== '');
  for (const r of references) {
    if (!(REFERENCES as readonly string[]).includes(r)) throw new UsageError(`--references: unknown reference ${r} (expected ${REFERENCES.join(', ')})`);
  }
  const o: BenchOptions = {
    rows: intOption('rows', v.rows, DEFAULT_ROWS, 100),
    input: v.input,
    // Scaling repeats everything at three sizes up to 10M rows: one run each unless asked for more.
    runs: intOption('runs', v.runs, scaling ? 1 : 3, 1),
    references: references as Reference[],
    k: intOption('k', v.k, 4, 2),
    nInit: intOption('n-init', v['n-init'], KMEANS_DEFAULTS.nInit, 1),
    sample: intOption('sample', v.sample, 10_000, 2),
    kMin: 2,
    kMax: intOption('k-max', v['k-max'], 10, 2),
    seed: intOption('seed', v.seed, 42, 0),
    out: path.resolve(v.out ?? path.join(ROOT, 'bench', 'results.json')),
    scaling,
    profile: v.profile === true,
    pyThreads: v['py-threads'] === undefined ? undefined : intOption('py-threads', v['py-threads'], 0, 1),
  };
  if (o.input && o.scaling) throw new UsageError('--scaling generates its own files; it cannot be combined with --input');
  if (o.input && !fs.existsSync(o.input)) throw new UsageError(`--input ${o.input}: no such file`);
  return o;
}

/** Makes the project's venv (scripts/install-python.sh) when it cannot import the references' libraries. */
function ensurePythonPackages(): void {
  const probe = (): boolean => spawnSync(PYTHON, ['-c', 'import pandas, polars, sklearn, pyarrow'], { stdio: 'ignore' }).status === 0;
  if (probe()) return;
  process.stderr.write('bench: making the project\'s Python venv (.venv/, scripts/install-python.sh)\n');
  const r = spawnSync('bash', [path.join(ROOT, 'scripts', 'install-python.sh')], { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0 || !probe()) throw new Error(`${PYTHON} cannot import pandas, polars, sklearn and pyarrow: run  bash scripts/install-python.sh`);
}

/**
 * Where generated files other than the default data are cached: `BANKSEG_BENCH_DATA` (a folder outside the project,
 * say, shared by several clones: the 5M- and 10M-row files take 330 MB and 660 MB), else data/interim.
 */
const BENCH_DATA = process.env.BANKSEG_BENCH_DATA || path.join(ROOT, 'data', 'interim');

/**
 * The generated file with `rows` rows (the generator's default seed; --seed is the models' seed): the default data
 * set at its published size, otherwise a file cached in BENCH_DATA, named by the generator's version so a
 * file made by an older generator is not reused. Beyond the generator's MAX_ROWS (its customer IDs run out) the file
 * is equal parts generated with seeds 42, 43, ... one after the other (header once): the parts reuse CustomerIDs,
 * mostly with another birth date or gender, so mostly as other customers (the customer key, docs/data-model.md).
 */
async function generatedFile(rows: number): Promise<string> {
  if (rows === DEFAULT_ROWS) return ensureDefaultData();
  const file = path.join(BENCH_DATA, `bench_${rows}_${generatorVersion()}.csv`);
  if (!fs.existsSync(file)) {
    process.stderr.write(`bench: generating ${rows.toLocaleString('en-US')} rows into ${file}\n`);
    fs.mkdirSync(BENCH_DATA, { recursive: true });
    if (rows <= MAX_ROWS) await writeGeneratedCsv(file, { rows });
    else await writeGeneratedParts(file, rows);
  }
  return file;
}

/** `rows` rows as ⌈rows / MAX_ROWS⌉ generated parts with seeds DEFAULT_SEED, +1, ..., concatenated (one header). */
async function writeGeneratedParts(file: string, rows: number): Promise<void> {
  const parts = Math.ceil(rows / MAX_ROWS);
  const tmp = `${file}.${process.pid}.tmp`;
  const out = fs.openSync(tmp, 'w');
  const buffer = Buffer.allocUnsafe(1 << 22);
  try {
    for (let p = 0; p < parts; p++) {
      const partFile = `${file}.part${p}.${process.pid}.tmp`;
      await writeGeneratedCsv(partFile, { rows: Math.floor(rows / parts) + (p < rows % parts ? 1 : 0), seed: DEFAULT_SEED + p });
      const input = fs.openSync(partFile, 'r');
      try {
        let first = true;
        for (let n; (n = fs.readSync(input, buffer, 0, buffer.length, null)) > 0; first = false) {
          const from = first && p > 0 ? buffer.indexOf(10) + 1 : 0; // the header once
          fs.writeSync(out, buffer, from, n - from);
        }
      } finally {
        fs.closeSync(input);
        fs.rmSync(partFile);
      }
    }
  } finally {
    fs.closeSync(out);
  }
  fs.renameSync(tmp, file);
}

/** A short hash of the generator's source files: a cached generated file is reused only by the same generator. */
function generatorVersion(): string {
  const hash = createHash('sha256');
  for (const f of ['generate.ts', 'locations.ts']) hash.update(fs.readFileSync(path.join(ROOT, 'src', 'collect', f)));
  return hash.digest('hex').slice(0, 8);
}

/** Reads the file once so no side pays for the first, cold read from disk. */
function warmPageCache(file: string): void {
  const buf = Buffer.allocUnsafe(1 << 22);
  const fd = fs.openSync(file, 'r');
  try {
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}

/** What was measured against one reference: its medians, bankseg ÷ it, the checks, the sweeps k by k. */
interface ReferenceResult {
  readonly summary: SideSummary;
  readonly ratio: ReturnType<typeof ratios>;
  readonly checks: Check[];
  readonly agreement: boolean;
  /** The sweeps of the first run of each, k by k (informational). */
  readonly sweep: SweepComparison[];
}

interface SizeResult {
  readonly rows: number;
  readonly input: string;
  readonly bytes: number;
  readonly runs: Partial<Record<Side, RunResult[]>>;
  readonly ts: SideSummary;
  readonly references: Partial<Record<Reference, ReferenceResult>>;
  readonly agreement: boolean;
  /** Load average (1, 5, 15 min) before the first and after the last run at this size. */
  readonly loadAverage: { readonly start: number[]; readonly end: number[] };
  readonly profile?: Record<string, HotFunction[]>;
}

/**
 * Untimed: a reference's Lloyd started from a bankseg run's delivered centroids on its own model space (see
 * sameStartChecks).
 */
function sameStart(ref: Reference, ts: RunResult, side: SideOptions): SameStart {
  const file = path.join(os.tmpdir(), `bankseg-bench-centroids-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify((ts as RunResult & { centroids: number[] }).centroids));
  try {
    const r = spawnSync(PYTHON, [REFERENCE_SCRIPTS[ref], ...sideArgs(side), '--start-centroids', file], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, BANKSEG_QUIET: '1' }, maxBuffer: 1 << 24,
    });
    if (r.status !== 0) throw new Error(`${ref} --start-centroids exited with ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
    return (JSON.parse(r.stdout.trim().split('\n').pop() as string) as { sameStart: SameStart }).sameStart;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

async function benchSize(rows: number, o: BenchOptions): Promise<SizeResult> {
  const input = o.input ? path.resolve(o.input) : await generatedFile(rows);
  warmPageCache(input);
  const side: SideOptions = {
    input, k: o.k, nInit: o.nInit, seed: o.seed, sample: o.sample, kMin: o.kMin, kMax: o.kMax, pyThreads: o.pyThreads,
  };
  const sides: Side[] = ['ts', ...o.references];
  const runs: Partial<Record<Side, RunResult[]>> = Object.fromEntries(sides.map((s) => [s, []]));
  const loadStart = os.loadavg();
  for (let r = 0; r < o.runs; r++) {
    // ABC on even runs, CBA on odd ones: every side's mean position in the sequence is the same.
    const order = r % 2 === 0 ? sides : [...sides].reverse();
    for (const s of order) {
      process.stderr.write(`bench: ${path.basename(input)} run ${r + 1}/${o.runs} ${SIDE_NAMES[s]} (load ${os.loadavg()[0].toFixed(1)})... `);
      const result = await runSide(s, side);
      process.stderr.write(`${result.wall.toFixed(1)} s, ${result.maxRssMB.toFixed(0)} MB\n`);
      (runs[s] as RunResult[]).push(result);
    }
  }
  const tsRuns = runs.ts as RunResult[];
  const ts = summarise(tsRuns);
  const references: Partial<Record<Reference, ReferenceResult>> = {};
  for (const ref of o.references) {
    const refRuns = runs[ref] as RunResult[];
    // Every run pair is checked (all sides are seeded, so the pairs should all agree the same way).
    const checks = tsRuns.flatMap((t, i) => agreementChecks(t, refRuns[i]).map((c) => (o.runs > 1 ? { ...c, name: `run ${i + 1}: ${c.name}` } : c)));
    checks.push(...sameStartChecks(tsRuns[0], sameStart(ref, tsRuns[0], side)));
    const summary = summarise(refRuns);
    references[ref] = {
      summary,
      ratio: ratios(ts, summary),
      checks,
      agreement: checks.every((c) => c.ok),
      sweep: compareSweeps(tsRuns[0].sweep, refRuns[0].sweep),
    };
  }
  let profile: Record<string, HotFunction[]> | undefined;
  if (o.profile) {
    const dir = path.join(ROOT, 'bench', 'out', `prof-${rows}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    process.stderr.write(`bench: profiling bankseg (V8 CPU profile into ${path.relative(ROOT, dir)})\n`);
    const profiled = await runSide('ts', side, dir);
    profile = hotFunctionsByStage(loadNewestProfile(dir), profiled.stageBounds as StageBounds, ROOT);
  }
  const first = tsRuns[0];
  return {
    rows: o.input ? Number(first.rowsRead) + Number(first.malformed) : rows,
    input,
    bytes: fs.statSync(input).size,
    runs,
    ts,
    references,
    agreement: Object.values(references).every((r) => r.agreement),
    loadAverage: { start: loadStart, end: os.loadavg() },
    profile,
  };
}

const seconds = (s: number): string => (s < 10 ? s.toFixed(2) : s.toFixed(1));
const times = (r: number): string => `${r.toFixed(2)}×`;

function printSize(r: SizeResult, o: BenchOptions): void {
  const refs = o.references.filter((ref) => r.references[ref]);
  const sum = (x: SideSummary): Record<string, [number, number]> => ({
    ...Object.fromEntries(STAGES.map((s) => [s, [x.stages[s], x.cpuStages[s]]])),
    [`data stages (${DATA_STAGES.join(' + ')})`]: [x.dataStages, x.cpuDataStages],
    'total (stages)': [x.total, x.cpuTotal],
    'whole process': [x.wall, NaN],
  });
  const columns = [r.ts, ...refs.map((ref) => (r.references[ref] as ReferenceResult).summary)].map(sum);
  const rowNames = Object.keys(columns[0]);
  const cell = (v: number): string => (Number.isNaN(v) ? '' : seconds(v));
  const rows = rowNames.map((name) => [
    name,
    ...columns.map((c) => `${cell(c[name][0])}${Number.isNaN(c[name][1]) ? '' : ` / ${cell(c[name][1])}`}`),
    ...refs.map((_, j) => `${times(columns[0][name][0] / columns[j + 1][name][0])}${Number.isNaN(columns[0][name][1]) ? '' : ` / ${times(columns[0][name][1] / columns[j + 1][name][1])}`}`),
  ]);
  rows.push([
    'peak RSS (MB)',
    r.ts.maxRssMB.toFixed(0),
    ...refs.map((ref) => (r.references[ref] as ReferenceResult).summary.maxRssMB.toFixed(0)),
    ...refs.map((ref) => times((r.references[ref] as ReferenceResult).ratio.maxRssMB)),
  ]);
  const first = r.runs.ts?.[0] as RunResult;
  console.log(
    `\n${path.relative(ROOT, r.input) || r.input}: ${r.rows.toLocaleString('en-US')} rows, ` +
      `${first.rowsKept.toLocaleString('en-US')} kept, ${first.customers.toLocaleString('en-US')} customers; ` +
      `medians of ${r.ts.runs} run(s) per side; load average ${r.loadAverage.start.map((l) => l.toFixed(1)).join(' ')} before, ` +
      `${r.loadAverage.end.map((l) => l.toFixed(1)).join(' ')} after (${os.cpus().length} cores)`,
  );
  console.log('wall / CPU seconds; ratios are bankseg ÷ the reference (below 1: bankseg faster or smaller)');
  console.log(formatTable(['stage', 'bankseg', ...refs, ...refs.map((ref) => `÷ ${ref}`)], rows));
  for (const ref of refs) {
    const x = r.references[ref] as ReferenceResult;
    const failed = x.checks.filter((c) => !c.ok);
    const refRun = (r.runs[ref] as RunResult[])[0];
    console.log(
      `agreement with ${SIDE_NAMES[ref]}: ${x.checks.length - failed.length}/${x.checks.length} checks pass ` +
        `(inertia k=${refRun.k}: bankseg ${first.inertia.toPrecision(8)} vs ${refRun.inertia.toPrecision(8)}, ` +
        `silhouette ${first.silhouette.toFixed(4)} vs ${refRun.silhouette.toFixed(4)})`,
    );
    const apart = x.sweep.filter((c) => Math.abs(c.inertia.relative) > 0.01);
    if (apart.length > 0) {
      console.log(
        `  sweep (informational): inertia more than 1% from ${ref}'s at ${apart
          .map((c) => `k=${c.k} (${c.inertia.relative > 0 ? '+' : ''}${(100 * c.inertia.relative).toFixed(1)}%)`)
          .join(', ')}`,
      );
    }
    for (const c of failed) {
      console.log(`  FAILED ${c.name}: bankseg ${c.ts} vs ${ref} ${c.reference} (difference ${c.difference.toPrecision(3)}, tolerance ${c.tolerance})`);
    }
  }
  if (r.profile) {
    for (const s of STAGES) {
      if (!r.profile[s]?.length) continue;
      console.log(`bankseg ${s}: hottest functions (self time):`);
      for (const h of r.profile[s].slice(0, 5)) console.log(`  ${(100 * h.share).toFixed(0).padStart(3)}%  ${h.fn}`);
    }
  }
}

function describeMachine(runs: Partial<Record<Side, RunResult[]>>): Record<string, unknown> {
  const cpus = os.cpus();
  const versions = (s: Side): unknown => ((runs[s]?.[0] as (RunResult & Record<string, unknown>) | undefined)?.versions);
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model,
    memoryGB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    polars: versions('polars') ?? null,
    pandas: versions('pandas') ?? null,
    note: 'Polars, scikit-learn and numpy use every core by default (their own threads); bankseg reads and fits the k sweep with worker threads on free cores (final fit and its metrics on one thread)',
  };
}

/**
 * Growth with the number of rows, as the exponent b of cost ∝ rows^b: every stage's wall and CPU time, the whole
 * process and the peak RSS, per side; and the cost per million rows at each size (flat or falling is the goal).
 */
function growth(sizes: readonly SizeResult[], sides: readonly Side[]) {
  const summaryOf = (z: SizeResult, s: Side): SideSummary => (s === 'ts' ? z.ts : (z.references[s as Reference] as ReferenceResult).summary);
  const fit = (pick: (z: SizeResult) => number): number => growthExponent(sizes.map((z) => ({ rows: z.rows, seconds: pick(z) })));
  const out: Record<string, unknown> = {};
  for (const s of sides) {
    const exp: Record<string, number> = {
      whole: fit((z) => summaryOf(z, s).wall),
      cpuTotal: fit((z) => summaryOf(z, s).cpuTotal),
      maxRssMB: fit((z) => summaryOf(z, s).maxRssMB),
    };
    for (const stage of STAGES) {
      exp[stage] = fit((z) => summaryOf(z, s).stages[stage]);
      exp[`cpu.${stage}`] = fit((z) => summaryOf(z, s).cpuStages[stage]);
    }
    const perMillionRows = sizes.map((z) => {
      const x = summaryOf(z, s);
      const m = z.rows / 1e6;
      return { rows: z.rows, wholeSeconds: x.wall / m, cpuSeconds: x.cpuTotal / m, peakRssMB: x.maxRssMB / m };
    });
    out[s] = { exponent: exp, perMillionRows };
  }
  return out as Record<Side, { exponent: Record<string, number>; perMillionRows: { rows: number; wholeSeconds: number; cpuSeconds: number; peakRssMB: number }[] }>;
}

function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

async function main(argv: string[]): Promise<number> {
  const o = parse(argv);
  if (!o) {
    process.stdout.write(HELP);
    return 0;
  }
  if (o.references.length > 0) ensurePythonPackages();
  const load0 = os.loadavg();
  const sizes: SizeResult[] = [];
  for (const rows of o.scaling ? SCALING_ROWS : [o.rows]) {
    const r = await benchSize(rows, o);
    printSize(r, o);
    sizes.push(r);
  }
  const main = sizes.find((z) => z.rows === DEFAULT_ROWS) ?? sizes[sizes.length - 1];
  // results.json: `references.<name>.ratios = {whole, dataStages, rss}` (bankseg ÷ the reference) and the rest.
  const references = Object.fromEntries(
    o.references.map((ref) => {
      const x = main.references[ref] as ReferenceResult;
      return [ref, {
        name: SIDE_NAMES[ref],
        ratios: { whole: x.ratio.wall, dataStages: x.ratio.dataStages, rss: x.ratio.maxRssMB },
        cpuRatios: { total: x.ratio.cpuTotal, dataStages: x.ratio.cpuDataStages, kSweep: x.ratio['cpu.kSweep'] },
        agreement: x.agreement,
      }];
    }),
  );
  const polars = main.references.polars;
  const at5M = sizes.find((z) => z.rows === 5_000_000);
  const targets = polars && {
    rows: main.rows,
    whole: { target: TARGETS.whole, measured: polars.ratio.wall, met: polars.ratio.wall <= TARGETS.whole },
    rss: { target: TARGETS.rss, measured: polars.ratio.maxRssMB, met: polars.ratio.maxRssMB <= TARGETS.rss },
    dataStages: { target: TARGETS.dataStages, measured: polars.ratio.dataStages, met: polars.ratio.dataStages <= TARGETS.dataStages },
    kSweepCpu: { target: TARGETS.kSweepCpu, measured: polars.ratio['cpu.kSweep'], met: polars.ratio['cpu.kSweep'] <= TARGETS.kSweepCpu },
    ...(at5M ? { rssAt5MMB: { target: TARGETS.rssAt5MMB, measured: at5M.ts.maxRssMB, met: at5M.ts.maxRssMB <= TARGETS.rssAt5MMB } } : {}),
  };
  if (targets) {
    const line = (name: string, t: { target: number; measured: number; met: boolean }, unit = '×'): string =>
      `${name} ${unit === '×' ? t.measured.toFixed(2) : t.measured.toFixed(0)}${unit} (≤ ${t.target}${unit}) ${t.met ? 'met' : 'NOT met'}`;
    console.log(
      `\ntargets at ${main.rows.toLocaleString('en-US')} rows, bankseg ÷ Polars + scikit-learn (same strategy): ` +
        [
          line('whole process wall', targets.whole),
          line('peak RSS', targets.rss),
          line('data stages wall', targets.dataStages),
          line('k sweep CPU', targets.kSweepCpu),
          ...(targets.rssAt5MMB ? [line('peak RSS at 5M rows', targets.rssAt5MMB, ' MB')] : []),
        ].join('; '),
    );
  }
  let growthFit: ReturnType<typeof growth> | undefined;
  if (sizes.length > 1) {
    growthFit = growth(sizes, ['ts', ...o.references]);
    console.log(`\nper million rows (${sizes.map((z) => z.rows.toLocaleString('en-US')).join(' / ')} rows): whole-process wall s, CPU s, peak RSS MB; growth exponent b of cost ∝ rows^b`);
    for (const [s, g] of Object.entries(growthFit)) {
      const per = g.perMillionRows.map((p) => `${seconds(p.wholeSeconds)} s, ${seconds(p.cpuSeconds)} s CPU, ${p.peakRssMB.toFixed(0)} MB`).join(' / ');
      console.log(`  ${SIDE_NAMES[s as Side]}: ${per}; b: whole ${g.exponent.whole.toFixed(2)}, CPU ${g.exponent.cpuTotal.toFixed(2)}, RSS ${g.exponent.maxRssMB.toFixed(2)}`);
    }
  }
  const agreement = sizes.every((z) => z.agreement);
  const results = {
    generatedAt: new Date().toISOString(),
    machine: { ...describeMachine(sizes[0].runs), loadAverage: { start: load0, end: os.loadavg() } },
    options: {
      runs: o.runs, references: o.references, k: o.k, nInit: o.nInit, seed: o.seed, sample: o.sample,
      kSweep: [o.kMin, o.kMax], input: o.input ?? null, pythonThreads: o.pyThreads ?? 'default',
    },
    stages: STAGES,
    dataStages: DATA_STAGES,
    references,
    targets: targets ?? null,
    sizes,
    growth: growthFit ?? null,
    agreement,
  };
  writeAtomically(o.out, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nresults written to ${path.relative(process.cwd(), o.out) || o.out}`);
  if (!agreement) {
    console.error('\nbench: AGREEMENT CHECKS FAILED: bankseg and a reference disagree (see above)');
    return 1;
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: Error) => {
    process.stderr.write(`bench: ${err instanceof UsageError ? '' : 'error: '}${err.message}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
