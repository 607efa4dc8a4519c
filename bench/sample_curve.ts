/**
 * How big a customer sample fits the centroids as well as all the customers (docs/database.md, "Fit on a sample,
 * score in the database"): `npx tsx bench/sample_curve.ts [--file FILE] [--k K] [--sizes 1000,2000,…] [--seeds R]`.
 *
 * For each sample size S and seed r: a uniform random sample of S customers (the database draws one by a hash of
 * the customer key; any uniform draw has the same distribution), the model fitted on it as `segment --push-down
 * --sample S --k K` fits it (the sample's own transform: median, mean, std; k-means restarts, then Lloyd until no
 * customer moves), then every customer scored with that model, as the SQL does. Compared with the same fit on all
 * customers, in the full data's z space (the sample's centroids mapped there: the transforms differ only by a
 * per-feature shift and scale):
 *   inertia excess = full-data inertia at the sample's centroids (each customer to its nearest) / the full fit's − 1
 *   agreement      = customers the sample model puts in the full fit's segment (labels matched by best permutation)
 *   ARI            = adjusted Rand index of the two assignments.
 * No timing: CPU figures come from bench/db_scoring.ts.
 */
import { readTransactions } from '../src/collect/read';
import { cleanTransactions } from '../src/preprocess/clean';
import { customerFeatures } from '../src/preprocess/features';
import { DEFAULT_MODEL_FEATURES } from '../src/preprocess/feature_registry';
import type { CustomerFeatures } from '../src/preprocess/feature_registry';
import { buildModelSpace, fitKMeans, lloyd } from '../src/segment';
import { modelLog1p } from '../src/segment/space';
import type { ModelSpace } from '../src/segment';
import { nearestCentroids } from '../src/model/score';
import { adjustedRandIndex } from '../src/stats/ari';
import { createRng, sampleDistinct } from '../src/stats/random';
import { DEFAULT_RAW_PATH } from '../src/config';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const file = arg('file', DEFAULT_RAW_PATH);
const k = Number(arg('k', '4'));
const sizes = arg('sizes', '1000,2000,5000,10000,20000,50000,100000,200000').split(',').map(Number);
const seeds = Number(arg('seeds', '5'));

/** The model features of the customers at `rows` (what the database's sample returns, for the model). */
function subset(f: CustomerFeatures, rows: Int32Array): CustomerFeatures {
  const out: Record<string, unknown> = { n: rows.length, customerId: [], endDate: f.endDate, asOf: f.asOf };
  for (const name of DEFAULT_MODEL_FEATURES) {
    const column = new Float64Array(rows.length);
    for (let r = 0; r < rows.length; r++) column[r] = f[name][rows[r]];
    out[name] = column;
  }
  return out as unknown as CustomerFeatures;
}

/** The delivered fit: restarts, then Lloyd until no customer moves (as segmentCustomers). */
function deliveredFit(space: ModelSpace, seed: number) {
  const start = fitKMeans(space, k, { seed });
  return lloyd(space, start.centroids, k, { tolerance: 0 });
}

/** The best agreement over label permutations (k! of them; k ≤ 8). */
function bestAgreement(a: Int32Array, b: Int32Array): number {
  const confusion = Array.from({ length: k }, () => new Float64Array(k));
  for (let i = 0; i < a.length; i++) confusion[a[i]][b[i]]++;
  let best = 0;
  const used = new Array<boolean>(k).fill(false);
  const walk = (row: number, total: number): void => {
    if (row === k) {
      best = Math.max(best, total);
      return;
    }
    for (let c = 0; c < k; c++) {
      if (used[c]) continue;
      used[c] = true;
      walk(row + 1, total + confusion[row][c]);
      used[c] = false;
    }
  };
  walk(0, 0);
  return best / a.length;
}

const quantile = (xs: number[], q: number) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function main(): Promise<void> {
  const started = Date.now();
  const cleaned = cleanTransactions(await readTransactions(file));
  const features = customerFeatures(cleaned.table);
  const full = buildModelSpace(features);
  const fullFit = deliveredFit(full, 42);
  const d = full.d;
  console.log(`${features.n} customers, k = ${k}, features ${full.features.join(', ')}; full fit inertia ${fullFit.inertia.toFixed(1)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  console.log('| sample | inertia excess: median | max | agreement with the full fit: median | min | ARI median | min |');
  console.log('|---|---|---|---|---|---|---|');
  for (const size of sizes) {
    const excess: number[] = [];
    const agreement: number[] = [];
    const ari: number[] = [];
    for (let r = 1; r <= seeds; r++) {
      const rows = sampleDistinct(features.n, size, createRng(1000 * r + 7));
      const space = buildModelSpace(subset(features, rows));
      const fit = deliveredFit(space, r);
      // The sample's centroids in the full data's z space: z_full = (z_s · std_s + mean_s − mean_f) / std_f.
      const mapped = new Float64Array(k * d);
      for (let c = 0; c < k; c++) {
        for (let j = 0; j < d; j++) mapped[c * d + j] = (fit.centroids[c * d + j] * space.std[j] + space.mean[j] - full.mean[j]) / full.std[j];
      }
      const { distances } = nearestCentroids(full.X, full.n, d, mapped, k);
      let inertia = 0;
      for (let i = 0; i < full.n; i++) inertia += distances[i] * distances[i];
      excess.push(inertia / fullFit.inertia - 1);
      // As the SQL scores: every customer with the sample's transform and centroids (the sample's z space).
      const zs = new Float64Array(full.n * d);
      space.features.forEach((name, j) => {
        const x = features[name];
        const log = space.logged.includes(name);
        const median = Number.isNaN(space.median[j]) ? 0 : space.median[j];
        for (let i = 0; i < full.n; i++) {
          const t = log ? modelLog1p(x[i]) : x[i];
          zs[i * d + j] = ((Number.isNaN(t) ? median : t) - space.mean[j]) / space.std[j];
        }
      });
      const { labels } = nearestCentroids(zs, full.n, d, fit.centroids, k);
      agreement.push(bestAgreement(fullFit.labels, labels));
      ari.push(adjustedRandIndex(fullFit.labels, labels));
    }
    const pct = (x: number) => `${(100 * x).toFixed(3)}%`;
    console.log(
      `| ${size.toLocaleString('en-US')} | ${pct(quantile(excess, 0.5))} | ${pct(Math.max(...excess))} | ${pct(quantile(agreement, 0.5))} | ${pct(Math.min(...agreement))} | ${quantile(ari, 0.5).toFixed(4)} | ${Math.min(...ari).toFixed(4)} |`,
    );
  }
  console.log(`(${seeds} samples per size; ${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
