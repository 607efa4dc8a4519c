/**
 * Benchmark of the segmentation engine alone (not a test): `npx tsx bench/segment.ts [--synthetic N] [--input FILE]
 * [--n-init N] [--seed S] [--k K]`.
 *
 * Default input: the generated default data (read → clean → features; not timed here, see bench/read.ts).
 * `--synthetic N`: N synthetic customers shaped like the published data instead (lognormal money, uniform recency
 * 0..81, mostly one transaction, ages 18–80, ~5% missing age and balance), so the engine can be timed alone.
 * Prints the model-space time, per k of the sweep 2..10 the fit time, full-data Lloyd iterations and scores, the
 * shared silhouette pass, the profiles, the output writing, CPU time next to wall time (the machine is shared),
 * and the peak RSS.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadData } from '../src/preprocess/load';
import { buildModelSpace } from '../src/segment/space';
import { sweepFits, recommendK } from '../src/segment/select';
import { KMEANS_DEFAULTS, nearestCentroid } from '../src/segment/kmeans';
import { profileSegments } from '../src/insights/profile';
import { relabelBySize } from '../src/segment/index';
import { writeSegmentOutputs } from '../src/insights/outputs';
import type { CustomerFeatures } from '../src/preprocess/feature_registry';
import { syntheticCustomers } from '../test/helpers/segment';

function option(argv: string[], name: string): string | undefined {
  const at = argv.indexOf(`--${name}`);
  return at >= 0 ? argv[at + 1] : undefined;
}

function clock(): () => { wall: number; cpu: number } {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  return () => {
    const c = process.cpuUsage(c0);
    return { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c.user + c.system) / 1e6 };
  };
}

const s = (t: { wall: number; cpu: number }): string => `${t.wall.toFixed(2)} s (CPU ${t.cpu.toFixed(2)} s)`;

async function main(argv: string[]): Promise<void> {
  const synthetic = option(argv, 'synthetic');
  const input = option(argv, 'input');
  const nInit = Number(option(argv, 'n-init') ?? KMEANS_DEFAULTS.nInit);
  const seed = Number(option(argv, 'seed') ?? 42);
  const kFinal = option(argv, 'k');

  let features: CustomerFeatures;
  const loading = clock();
  if (synthetic) features = syntheticCustomers(Number(synthetic), seed);
  else features = (await loadData({ input })).features;
  console.log(`${features.n.toLocaleString('en-US')} customers (${synthetic ? 'synthetic' : input ?? 'generated default data'}), loaded in ${s(loading())}`);

  const total = clock();
  const spaceClock = clock();
  const space = buildModelSpace(features);
  console.log(`model space ${space.n}×${space.d}: ${s(spaceClock())}`);

  const sweepClock = clock();
  let silhouetteStart = 0;
  const { scores, fits } = sweepFits(space, {
    nInit,
    seed,
    onProgress: (step) => {
      if (step === 'silhouettes') silhouetteStart = Date.now();
    },
  });
  const sweepTime = sweepClock();
  const silhouetteSeconds = (Date.now() - silhouetteStart) / 1000;
  console.log(`\n  k   fit+scores (s)  Lloyd iters  converged      inertia  silhouette  Davies–B.  Calinski–H.  stability`);
  for (const e of scores) {
    console.log(
      `${String(e.k).padStart(3)}  ${e.seconds.toFixed(2).padStart(14)}  ${String(e.iterations).padStart(11)}  ${String(e.converged).padStart(9)}  ` +
        `${e.inertia.toFixed(0).padStart(11)}  ${e.silhouette.toFixed(4).padStart(10)}  ${e.daviesBouldin.toFixed(3).padStart(9)}  ` +
        `${e.calinskiHarabasz.toFixed(0).padStart(11)}  ${e.stability.toFixed(3).padStart(9)}`,
    );
  }
  console.log(`\nsweep incl. final fit (nInit ${nInit}): ${s(sweepTime)}, of which the shared silhouette pass ${silhouetteSeconds.toFixed(2)} s`);
  const rec = recommendK(scores);
  const k = kFinal ? Number(kFinal) : rec.k;
  console.log(`recommended: ${rec.reason}`);

  const profileClock = clock();
  const kept = fits.get(k)!; // the sweep keeps centroids; each customer's label is its nearest centroid's, as lloyd's are
  const fit = relabelBySize({ ...kept, labels: nearestCentroid(space, kept.centroids, k) }, space.d);
  const { segments, context } = profileSegments(features, space, fit);
  console.log(`profiles (k = ${k}): ${s(profileClock())}`);
  for (const p of segments) console.log(`  ${p.id}  ${p.name.padEnd(38)} ${(100 * p.share).toFixed(1).padStart(5)}% customers ${(100 * p.monetaryShare).toFixed(1).padStart(5)}% money`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-bench-segment-'));
  const writeClock = clock();
  const seg = {
    k,
    space,
    fit,
    silhouette: scores.find((e) => e.k === k)!.silhouette,
    daviesBouldin: scores.find((e) => e.k === k)!.daviesBouldin,
    calinskiHarabasz: scores.find((e) => e.k === k)!.calinskiHarabasz,
    kSweep: scores,
    recommendation: rec,
    segments,
    context,
  };
  const written = await writeSegmentOutputs(seg, features, dir);
  console.log(`customers.csv (${(fs.statSync(written.customersCsv).size / 2 ** 20).toFixed(0)} MiB) + segments.json: ${s(writeClock())}`);
  fs.rmSync(dir, { recursive: true });

  console.log(`\ntotal (model space → outputs): ${s(total())}; peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
}

main(process.argv.slice(2)).catch((err) => {
  console.error((err as Error).stack ?? err);
  process.exitCode = 1;
});
