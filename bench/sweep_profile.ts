/**
 * Where the k sweep's CPU goes (issue 13 goal 3), from a V8 CPU profile of bench/ts_side.ts: each sample taken
 * during the kSweep stage is put in one bucket by the functions on its stack (innermost match wins):
 * seeding (ml-kmeans' k-means++), the restarts' samples (drawing and copying rows), Lloyd on the restarts' samples,
 * scoring the restarts (labels and inertia on the scoring sample, their agreement), Lloyd on all customers (the
 * refine, with any contests on the scoring sample), the refits' labels of the evaluation sample, Davies–Bouldin and
 * Calinski–Harabasz, the silhouette pass, garbage collection, the rest.
 *
 *   BANKSEG_SWEEP_THREADS=1 node --import tsx bench/ts_side.ts --input FILE --k-max 10 --cpu-profile DIR > DIR/side.json
 *   node --import tsx bench/sweep_profile.ts DIR
 *
 * One thread: a worker thread's samples are not in the main thread's profile (the work is the same on two).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface Node {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string };
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly Node[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Bucket of a stack, from the innermost frame out: the first rule whose function (and caller) matches. */
function bucket(stack: readonly string[]): string {
  for (let i = 0; i < stack.length; i++) {
    const fn = stack[i];
    const caller = stack[i + 1] ?? '';
    if (fn === '(garbage collector)') return 'garbage collection';
    if (fn === 'kmeansPlusPlus') return 'seeding (ml-kmeans k-means++ on 5,000 of the restart sample)';
    if (fn === 'lloyd' && caller === 'sampleFit') return 'Lloyd on each restart\'s sample (20,000)';
    if (fn === 'lloyd' && caller === 'fitKMeansDetailed') return 'Lloyd on all customers (refine; contests on the scoring sample)';
    if ((fn === 'selectRows' || fn === 'sampleDistinct') && caller === 'sampleFit') return 'drawing the restarts\' samples';
    if (fn === 'sampleFit') return 'drawing the restarts\' samples';
    if (fn === 'fitKMeansDetailed') return 'scoring the restarts (scoring sample: labels, inertia, agreement)';
    if (fn === 'separationScores') return 'Davies–Bouldin and Calinski–Harabasz (all customers)';
    if (fn === 'fitAndScoreK') return 'refits\' labels of the evaluation sample, stability';
    if (fn.startsWith('silhouette')) return 'silhouettes (one pass for all k)';
  }
  return 'other';
}

function main(dir: string): void {
  const file = fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(dir, f)).sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const side = fs.readFileSync(path.join(dir, 'side.json'), 'utf8').trim().split('\n').pop() as string;
  const [from, to] = (JSON.parse(side) as { stageBounds: Record<string, [number, number]> }).stageBounds.kSweep;
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const stackOf = (id: number): string[] => {
    const out: string[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) out.push(byId.get(at)?.callFrame.functionName ?? '');
    return out;
  };
  const totals = new Map<string, number>();
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i];
    const dt = i + 1 < profile.timeDeltas.length ? profile.timeDeltas[i + 1] : 0;
    if (t < from || t >= to) continue; // both in microseconds of the monotonic clock
    const b = bucket(stackOf(profile.samples[i]));
    totals.set(b, (totals.get(b) ?? 0) + dt);
  }
  const all = [...totals.values()].reduce((a, b) => a + b, 0);
  console.log(`k sweep: ${(all / 1e6).toFixed(2)} s sampled (${path.basename(file)})`);
  for (const [b, us] of [...totals].sort((x, y) => y[1] - x[1])) console.log(`${(us / 1e6).toFixed(2).padStart(7)} s ${(100 * us / all).toFixed(1).padStart(5)}%  ${b}`);
}

main(process.argv[2] ?? '.');
