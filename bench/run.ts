/**
 * `npm run bench`: the TypeScript pipeline against the pandas + scikit-learn reference (bench/reference.py)
 * on the same file, in one run. Both sides run as child processes, alternately (ABBA order, so drift in the
 * machine's load hits both alike), each timing its own stages and reporting its own peak RSS.
 * It prints the per-stage medians, the TS/Python ratios and the agreement checks, and writes them, with the
 * machine, to bench/results.json. A failed agreement check exits 1.
 *
 * k: a fixed k (default 4) on both sides rather than the TS side's recommendation, so the final fit is the
 * same problem on both sides whatever the sweep's scores say; the sweep (2..10) is run in full on both.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureDefaultData, writeGeneratedCsv, DEFAULT_ROWS } from '../src/collect/generate';
import { intOption, parseOptions } from '../src/cli/command';
import { UsageError } from '../src/errors';
import { KMEANS_DEFAULTS } from '../src/segment/kmeans';
import {
  agreementChecks,
  Check,
  compareSweeps,
  formatTable,
  growthExponent,
  ratios,
  SameStart,
  sameStartChecks,
  RunResult,
  SideSummary,
  STAGES,
  summarise,
  SweepComparison,
} from './lib_compare';
import { PYTHON, ROOT, runSide, sideArgs, SideOptions } from './lib_child';
import { hotFunctionsByStage, HotFunction, loadNewestProfile, StageBounds } from './lib_profile';

const HELP = `Usage: npm run bench -- [options]

Runs the TypeScript pipeline and the pandas + scikit-learn reference on the same generated file,
alternately, and compares per-stage times, peak memory and results.

  --rows N       rows of the generated file (default ${DEFAULT_ROWS}, the size of the published file)
  --input FILE   benchmark this file instead of a generated one
  --runs R       runs of each side (default 3; 1 with --scaling)
  --k K          clusters of the final fit on both sides (default 4: fixed, for comparability)
  --n-init N     k-means restarts, sweep and final fit (default ${KMEANS_DEFAULTS.nInit})
  --sample N     customers in the silhouette sample (default 10000)
  --k-max K      last k of the sweep 2..K (default 10)
  --seed S       seed of the k-means restarts and samples on both sides (default 42)
  --py-threads N threads of scikit-learn/numpy (OMP_NUM_THREADS etc.; default: their own default, every core)
  --out FILE     results JSON (default bench/results.json)
  --scaling      repeat at 100,000, ${DEFAULT_ROWS} and 5,000,000 rows and fit how each stage grows
  --profile      also run the TS side once under V8's CPU profiler (as node --cpu-prof) and list its hottest
                 functions per stage; the profile (.cpuprofile, positions in the .ts sources) goes to bench/out/
`;

const SCALING_ROWS = [100_000, DEFAULT_ROWS, 5_000_000];
/** Targets of the issue: TS wall time at most this share of Python's, and peak RSS at ~1M rows. */
const TARGETS = { wallRatio: 1.0, wallRatioAim: 0.5, maxRssMB: 1536 };

interface BenchOptions extends Omit<SideOptions, 'input'> {
  readonly rows: number;
  readonly input?: string;
  readonly runs: number;
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
  const o: BenchOptions = {
    rows: intOption('rows', v.rows, DEFAULT_ROWS, 100),
    input: v.input,
    // Scaling repeats everything at three sizes, 5M rows included: one run each unless asked for more.
    runs: intOption('runs', v.runs, v.scaling ? 1 : 3, 1),
    k: intOption('k', v.k, 4, 2),
    nInit: intOption('n-init', v['n-init'], KMEANS_DEFAULTS.nInit, 1),
    sample: intOption('sample', v.sample, 10_000, 2),
    kMin: 2,
    kMax: intOption('k-max', v['k-max'], 10, 2),
    seed: intOption('seed', v.seed, 42, 0),
    out: path.resolve(v.out ?? path.join(ROOT, 'bench', 'results.json')),
    scaling: v.scaling === true,
    profile: v.profile === true,
    pyThreads: v['py-threads'] === undefined ? undefined : intOption('py-threads', v['py-threads'], 0, 1),
  };
  if (o.input && o.scaling) throw new UsageError('--scaling generates its own files; it cannot be combined with --input');
  if (o.input && !fs.existsSync(o.input)) throw new UsageError(`--input ${o.input}: no such file`);
  return o;
}

/** Installs Debian's python3-pandas and python3-sklearn when they are missing (as root), or says how to. */
function ensurePythonPackages(): void {
  const probe = (): boolean => spawnSync(PYTHON, ['-c', 'import pandas, sklearn'], { stdio: 'ignore' }).status === 0;
  if (probe()) return;
  const packages = ['python3-pandas', 'python3-sklearn'];
  if (process.getuid?.() !== 0) {
    throw new Error(`${PYTHON} cannot import pandas and sklearn: run  sudo apt-get install -y ${packages.join(' ')}`);
  }
  process.stderr.write(`bench: installing ${packages.join(' ')} with apt-get\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  let r = spawnSync('apt-get', ['install', '-y', ...packages], { stdio: 'inherit', env });
  if (r.status !== 0) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env });
    r = spawnSync('apt-get', ['install', '-y', ...packages], { stdio: 'inherit', env });
  }
  if (r.status !== 0 || !probe()) throw new Error(`apt-get install -y ${packages.join(' ')} failed`);
}

/**
 * The generated file with `rows` rows (the generator's default seed; --seed is the models' seed): the default data
 * set at its published size, otherwise a file cached in data/interim.
 */
async function generatedFile(rows: number): Promise<string> {
  if (rows === DEFAULT_ROWS) return ensureDefaultData();
  const file = path.join(ROOT, 'data', 'interim', `bench_${rows}.csv`);
  if (!fs.existsSync(file)) {
    process.stderr.write(`bench: generating ${rows.toLocaleString('en-US')} rows into ${path.relative(ROOT, file)}\n`);
    await writeGeneratedCsv(file, { rows });
  }
  return file;
}

/** Reads the file once so neither side pays for the first, cold read from disk. */
function warmPageCache(file: string): void {
  const buf = Buffer.allocUnsafe(1 << 22);
  const fd = fs.openSync(file, 'r');
  try {
    while (fs.readSync(fd, buf, 0, buf.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}

interface SizeResult {
  readonly rows: number;
  readonly input: string;
  readonly bytes: number;
  readonly runs: { readonly ts: RunResult[]; readonly python: RunResult[] };
  readonly summary: { readonly ts: SideSummary; readonly python: SideSummary; readonly ratio: ReturnType<typeof ratios> };
  readonly checks: Check[];
  readonly agreement: boolean;
  /** The sweeps of the first run pair, k by k (informational). */
  readonly sweep: SweepComparison[];
  readonly profile?: Record<string, HotFunction[]>;
}

/**
 * Untimed: the reference's Lloyd started from the first TypeScript run's delivered centroids (see sameStartChecks).
 */
function sameStart(ts: RunResult, side: SideOptions): SameStart {
  const file = path.join(os.tmpdir(), `bankseg-bench-centroids-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify((ts as RunResult & { centroids: number[] }).centroids));
  try {
    const r = spawnSync(PYTHON, [path.join(ROOT, 'bench', 'reference.py'), ...sideArgs(side), '--start-centroids', file], {
      cwd: ROOT, encoding: 'utf8', env: { ...process.env, BANKSEG_QUIET: '1' },
    });
    if (r.status !== 0) throw new Error(`reference --start-centroids exited with ${r.status}: ${r.stderr.trim().split('\n').pop()}`);
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
  const ts: RunResult[] = [];
  const python: RunResult[] = [];
  for (let r = 0; r < o.runs; r++) {
    // ABBA: TS first on even runs, Python first on odd ones.
    const order = r % 2 === 0 ? (['ts', 'python'] as const) : (['python', 'ts'] as const);
    for (const s of order) {
      process.stderr.write(`bench: ${path.basename(input)} run ${r + 1}/${o.runs} ${s === 'ts' ? 'TypeScript' : 'Python'}... `);
      const result = await runSide(s, side);
      process.stderr.write(`${result.wall.toFixed(1)} s, ${result.maxRssMB.toFixed(0)} MB\n`);
      (s === 'ts' ? ts : python).push(result);
    }
  }
  // Every run pair is checked (both sides are seeded, so the pairs should all agree the same way).
  const checks = ts.flatMap((t, i) => agreementChecks(t, python[i]).map((c) => (o.runs > 1 ? { ...c, name: `run ${i + 1}: ${c.name}` } : c)));
  checks.push(...sameStartChecks(ts[0], sameStart(ts[0], side)));
  const summary = { ts: summarise(ts), python: summarise(python), ratio: ratios(summarise(ts), summarise(python)) };
  let profile: Record<string, HotFunction[]> | undefined;
  if (o.profile) {
    const dir = path.join(ROOT, 'bench', 'out', `prof-${rows}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    process.stderr.write(`bench: profiling the TypeScript side (V8 CPU profile into ${path.relative(ROOT, dir)})\n`);
    const profiled = await runSide('ts', side, dir);
    profile = hotFunctionsByStage(loadNewestProfile(dir), profiled.stageBounds as StageBounds, ROOT);
  }
  return {
    rows: o.input ? Number(python[0].rowsRead) + Number(python[0].malformed) : rows,
    input,
    bytes: fs.statSync(input).size,
    runs: { ts, python },
    summary,
    checks,
    agreement: checks.every((c) => c.ok),
    sweep: compareSweeps(ts[0].sweep, python[0].sweep),
    profile,
  };
}

const seconds = (s: number): string => (s < 10 ? s.toFixed(2) : s.toFixed(1));
const times = (r: number): string => `${r.toFixed(2)}×`;

function printSize(r: SizeResult): void {
  const { ts, python, ratio } = r.summary;
  const rows = STAGES.map((s) => [
    s, seconds(ts.stages[s]), seconds(python.stages[s]), times(ratio[s]),
    seconds(ts.cpuStages[s]), seconds(python.cpuStages[s]), times(ratio[`cpu.${s}`]),
  ]);
  rows.push(['total (stages)', seconds(ts.total), seconds(python.total), times(ratio.total), seconds(ts.cpuTotal), seconds(python.cpuTotal), times(ratio.cpuTotal)]);
  rows.push(['wall (process)', seconds(ts.wall), seconds(python.wall), times(ratio.wall), '', '', '']);
  rows.push(['peak RSS (MB)', ts.maxRssMB.toFixed(0), python.maxRssMB.toFixed(0), times(ratio.maxRssMB), '', '', '']);
  const first = r.runs.ts[0];
  console.log(
    `\n${path.relative(ROOT, r.input) || r.input}: ${r.rows.toLocaleString('en-US')} rows generated, ` +
      `${first.rowsKept.toLocaleString('en-US')} kept, ${first.customers.toLocaleString('en-US')} customers; ` +
      `medians of ${ts.runs} run(s) per side`,
  );
  console.log(formatTable(['stage', 'TS wall (s)', 'Python wall (s)', 'TS/Py', 'TS CPU (s)', 'Python CPU (s)', 'TS/Py CPU'], rows));
  const failed = r.checks.filter((c) => !c.ok);
  const tsRun = r.runs.ts[0];
  const pyRun = r.runs.python[0];
  console.log(
    `agreement: ${r.checks.length - failed.length}/${r.checks.length} checks pass ` +
      `(inertia k=${pyRun.k}: TS ${tsRun.inertia.toPrecision(8)} vs sklearn ${pyRun.inertia.toPrecision(8)}, ` +
      `silhouette ${tsRun.silhouette.toFixed(4)} vs ${pyRun.silhouette.toFixed(4)})`,
  );
  const apart = r.sweep.filter((c) => Math.abs(c.inertia.relative) > 0.01);
  if (apart.length > 0) {
    console.log(
      `sweep (informational): inertia more than 1% from scikit-learn's at ${apart
        .map((c) => `k=${c.k} (${c.inertia.relative > 0 ? '+' : ''}${(100 * c.inertia.relative).toFixed(1)}%)`)
        .join(', ')}`,
    );
  }
  for (const c of failed) {
    console.log(`  FAILED ${c.name}: TS ${c.ts} vs Python ${c.python} (difference ${c.difference.toPrecision(3)}, tolerance ${c.tolerance})`);
  }
  if (r.profile) {
    for (const s of STAGES) {
      if (!(ratio[s] > 1) || !r.profile[s]?.length) continue;
      console.log(`TS slower in ${s} (${times(ratio[s])}); hottest functions (self time):`);
      for (const h of r.profile[s].slice(0, 5)) console.log(`  ${(100 * h.share).toFixed(0).padStart(3)}%  ${h.fn}`);
    }
  }
}

function describeMachine(py?: RunResult & Record<string, unknown>): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpu: cpus[0]?.model,
    memoryGB: +(os.totalmem() / 2 ** 30).toFixed(1),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    python: (py?.versions as Record<string, string> | undefined) ?? undefined,
    note: 'scikit-learn\'s KMeans and numpy may use every core (OpenMP/BLAS threads); the TypeScript side uses one thread',
  };
}

/**
 * Growth of each stage's median time with the number of rows, as the exponent b of time ∝ rows^b, from wall time
 * and from CPU time (steadier on a busy machine); also of the peak RSS.
 */
function growth(sizes: readonly SizeResult[]): Record<'wall' | 'cpu', Record<'ts' | 'python', Record<string, number>>> {
  const fit = (pick: (z: SizeResult) => number): number => growthExponent(sizes.map((z) => ({ rows: z.rows, seconds: pick(z) })));
  const out = { wall: {}, cpu: {} } as Record<'wall' | 'cpu', Record<'ts' | 'python', Record<string, number>>>;
  for (const s of ['ts', 'python'] as const) {
    out.wall[s] = { total: fit((z) => z.summary[s].total), maxRssMB: fit((z) => z.summary[s].maxRssMB) };
    out.cpu[s] = { total: fit((z) => z.summary[s].cpuTotal) };
    for (const stage of STAGES) {
      out.wall[s][stage] = fit((z) => z.summary[s].stages[stage]);
      out.cpu[s][stage] = fit((z) => z.summary[s].cpuStages[stage]);
    }
  }
  return out;
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
  ensurePythonPackages();
  const load0 = os.loadavg();
  const sizes: SizeResult[] = [];
  for (const rows of o.scaling ? SCALING_ROWS : [o.rows]) {
    const r = await benchSize(rows, o);
    printSize(r);
    sizes.push(r);
  }
  const main = sizes.find((z) => z.rows === DEFAULT_ROWS) ?? sizes[sizes.length - 1];
  const { ratio } = main.summary;
  const targets = {
    rows: main.rows,
    wallRatio: { target: TARGETS.wallRatio, aim: TARGETS.wallRatioAim, measured: ratio.wall, met: ratio.wall <= TARGETS.wallRatio },
    cpuRatio: { measured: ratio.cpuTotal },
    maxRssMB: { target: TARGETS.maxRssMB, measured: main.summary.ts.maxRssMB, met: main.summary.ts.maxRssMB <= TARGETS.maxRssMB },
  };
  console.log(
    `\ntargets at ${main.rows.toLocaleString('en-US')} rows: wall TS/Python ${ratio.wall.toFixed(2)} ` +
      `(target ≤ ${TARGETS.wallRatio}, aim ${TARGETS.wallRatioAim}) ${targets.wallRatio.met ? 'met' : 'NOT met'} ` +
      `(CPU seconds ${ratio.cpuTotal.toFixed(2)}); ` +
      `TS peak RSS ${main.summary.ts.maxRssMB.toFixed(0)} MB (target ≤ ${TARGETS.maxRssMB} at ~1M rows) ${targets.maxRssMB.met ? 'met' : 'NOT met'}`,
  );
  let growthFit: ReturnType<typeof growth> | undefined;
  if (sizes.length > 1) {
    growthFit = growth(sizes);
    const g = growthFit;
    const fmt = (kind: 'wall' | 'cpu', s: 'ts' | 'python'): string =>
      [...STAGES, 'total'].map((stage) => `${stage} ${g[kind][s][stage].toFixed(2)}`).join(', ');
    console.log(`\ngrowth, time ∝ rows^b over ${sizes.map((z) => z.rows.toLocaleString('en-US')).join(' / ')} rows (least squares on log-log):`);
    console.log(`  TypeScript wall: ${fmt('wall', 'ts')}`);
    console.log(`  TypeScript CPU:  ${fmt('cpu', 'ts')}`);
    console.log(`  Python wall:     ${fmt('wall', 'python')}`);
    console.log(`  Python CPU:      ${fmt('cpu', 'python')}`);
    console.log(
      `  peak RSS: TS ${g.wall.ts.maxRssMB.toFixed(2)}, Python ${g.wall.python.maxRssMB.toFixed(2)}. ` +
        'b ≈ 1 is linear in rows; the metrics work on a fixed-size silhouette sample plus O(n) passes, so they grow more slowly.',
    );
  }
  const agreement = sizes.every((z) => z.agreement);
  const results = {
    generatedAt: new Date().toISOString(),
    machine: {
      ...describeMachine(sizes[0].runs.python[0] as RunResult & Record<string, unknown>),
      loadAverage: { start: load0, end: os.loadavg() },
    },
    options: {
      runs: o.runs, k: o.k, nInit: o.nInit, seed: o.seed, sample: o.sample, kSweep: [o.kMin, o.kMax],
      input: o.input ?? null, pythonThreads: o.pyThreads ?? 'default',
    },
    stages: STAGES,
    sizes,
    growth: growthFit ?? null,
    targets,
    agreement,
  };
  writeAtomically(o.out, JSON.stringify(results, null, 2) + '\n');
  console.log(`\nresults written to ${path.relative(process.cwd(), o.out) || o.out}`);
  if (!agreement) {
    console.error('\nbench: AGREEMENT CHECKS FAILED: the TypeScript pipeline and the pandas + scikit-learn reference disagree (see above)');
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
