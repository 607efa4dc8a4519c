/**
 * The TypeScript side of the benchmark, run by bench/run.ts as a child process:
 *   node --import tsx bench/ts_side.ts --input FILE [--k 4] [--n-init 4] [--seed 42] [--sample 10000] [--k-min 2] [--k-max 10]
 *     [--cpu-profile DIR]   (a V8 CPU profile of the stages, positions mapped to the .ts sources)
 * Times each stage of the pipeline through the project's own modules and prints one JSON line on stdout,
 * in the same shape as bench/reference.py: {stages, total, maxRssMB, rowsKept, customers, featureSums, ...}.
 */
import { readTransactions } from '../src/collect/read';
import type { TransactionTable } from '../src/table';
import { cleanTransactions, datesOnly } from '../src/preprocess/clean';
import { customerFeatures } from '../src/preprocess/features';
import { buildModelSpace } from '../src/segment/space';
import { fitKMeans, KMEANS_DEFAULTS, lloyd } from '../src/segment/kmeans';
import { separationScores, silhouetteSample } from '../src/segment/metrics';
import { EVALUATION_SEED, sweepFits } from '../src/segment/select';
import { intOption, parseOptions } from '../src/cli/command';
import type { Stage } from './lib_compare';
import { categoryCounts, featureSums } from './lib_features';
import { startProfiler, withSourcePositions } from './lib_profile';
import * as fs from 'node:fs';
import * as path from 'node:path';

function options(argv: string[]) {
  const v = parseOptions(argv, {
    input: { type: 'string' },
    k: { type: 'string' },
    'n-init': { type: 'string' },
    seed: { type: 'string' },
    sample: { type: 'string' },
    'k-min': { type: 'string' },
    'k-max': { type: 'string' },
    'cpu-profile': { type: 'string' },
  });
  if (!v.input) throw new Error('--input FILE is required');
  return {
    input: v.input,
    k: intOption('k', v.k, 4, 2),
    nInit: intOption('n-init', v['n-init'], KMEANS_DEFAULTS.nInit, 1),
    seed: intOption('seed', v.seed, 42, 0),
    sample: intOption('sample', v.sample, 10_000, 2),
    kMin: intOption('k-min', v['k-min'], 2, 2),
    kMax: intOption('k-max', v['k-max'], 10, 2),
    /** Write a CPU profile of the stages (positions in the .ts sources) into this folder. */
    cpuProfile: v['cpu-profile'],
  };
}

const MB = 1024 * 1024;

async function main(argv: string[]): Promise<void> {
  // Node start-up and module loading (tsx compiling the sources), from the process's time origin.
  const startup = performance.now() / 1000;
  const o = options(argv);
  const stages = {} as Record<Stage, number>;
  const cpu = {} as Record<Stage, number>;
  // Each stage's [start, end) in µs on the monotonic clock, which V8's --cpu-prof timestamps use too.
  const stageBounds = {} as Record<Stage, [number, number]>;
  // Memory after each stage (MB): resident set, JS heap used and reserved, typed arrays; and the peak so far (maxRSS).
  const memory = {} as Record<Stage, { rss: number; heapUsed: number; heapTotal: number; arrayBuffers: number; peakRss: number }>;
  async function timed<T>(name: Stage, work: () => T | Promise<T>): Promise<T> {
    const start = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const result = await work();
    const end = process.hrtime.bigint();
    const used = process.cpuUsage(cpu0);
    stages[name] = Number(end - start) / 1e9;
    cpu[name] = (used.user + used.system) / 1e6;
    stageBounds[name] = [Number(start / 1000n), Number(end / 1000n)];
    const m = process.memoryUsage();
    memory[name] = { rss: m.rss / MB, heapUsed: m.heapUsed / MB, heapTotal: m.heapTotal / MB, arrayBuffers: m.arrayBuffers / MB, peakRss: process.resourceUsage().maxRSS / 1024 };
    return result;
  }

  const profiler = o.cpuProfile ? await startProfiler() : undefined;
  let raw: TransactionTable | undefined = await timed('read', () => readTransactions(o.input));
  const rowsRead = raw.rows;
  const malformedRows = raw.malformed.count;
  let { table, report } = await timed('preprocess', () => cleanTransactions(raw!));
  // As `bankseg segment` and `run --no-figures` do (cli/steps.ts withoutRawRows): the rows as read are let go once
  // cleaned; the clean table's dates and the features stay to the end (the model, the reports and customers.csv use them).
  raw = undefined;
  // And of the clean table only the row count and the dates once the features exist (withoutRawRows: datesOnly).
  const { features, space } = await timed('features', () => {
    const f = customerFeatures(table);
    table = datesOnly(table);
    return { features: f, space: buildModelSpace(f) };
  });
  const fitOptions = { nInit: o.nInit, seed: o.seed };
  const { scores: sweep, fits } = await timed('kSweep', () =>
    sweepFits(space, { ...fitOptions, kMin: o.kMin, kMax: Math.min(o.kMax, space.n - 1), silhouetteSampleSize: o.sample }),
  );
  // As segmentCustomers delivers it: the sweep's fit at k, then Lloyd on all customers until no customer moves.
  const fit = await timed('finalFit', () =>
    lloyd(space, (fits.get(o.k) ?? fitKMeans(space, o.k, fitOptions)).centroids, o.k, { tolerance: 0 }),
  );
  const metrics = await timed('metrics', () => ({
    silhouette: silhouetteSample(space, fit.labels, fit.k, { sampleSize: o.sample, seed: EVALUATION_SEED }),
    ...separationScores(space, fit),
  }));
  if (profiler && o.cpuProfile) {
    const profile = withSourcePositions(await profiler.stop());
    fs.mkdirSync(o.cpuProfile, { recursive: true });
    fs.writeFileSync(path.join(o.cpuProfile, `ts_side-${process.pid}.cpuprofile`), JSON.stringify(profile));
  }

  const out = {
    side: 'ts',
    stages,
    total: Object.values(stages).reduce((a, b) => a + b, 0),
    cpuStages: cpu,
    startup,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    memory,
    rowsRead,
    malformed: malformedRows,
    rowsKept: table.rows,
    customers: features.n,
    featureSums: featureSums(features),
    categoryCounts: categoryCounts(features),
    caps: { amount: report.caps.amount, balance: report.caps.balance },
    k: fit.k,
    inertia: fit.inertia,
    iterations: fit.iterations,
    /** The delivered centroids in model space (row-major k×d), for the reference's same-start check. */
    centroids: Array.from(fit.centroids),
    ...metrics,
    sweep: sweep.map((s) => ({
      k: s.k,
      inertia: s.inertia,
      silhouette: s.silhouette,
      daviesBouldin: s.daviesBouldin,
      calinskiHarabasz: s.calinskiHarabasz,
      stability: s.stability,
      restarts: s.restarts,
      confirmedBy: s.confirmedBy,
      rivalGap: Number.isFinite(s.rivalGap) ? s.rivalGap : null,
      stable: s.stable,
    })),
    stageBounds,
    versions: { node: process.version },
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main(process.argv.slice(2)).catch((err: Error) => {
  process.stderr.write(`ts_side: ${err.message}\n`);
  process.exitCode = 1;
});
