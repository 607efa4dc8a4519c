/**
 * A worker thread of the k sweep (src/segment/sweep_threads.ts): takes k values from the shared queue until it is
 * empty, posting each k's result (centroids and labels transferred); then waits for the silhouette phase and takes
 * blocks of the sample's rows until none is left; then ends: the thread exits by itself.
 * Runs as plain JavaScript, bundled with its imports by src/io/worker_script.ts.
 */
import { workerData } from 'node:worker_threads';
import { lloydScratch, selectRows } from './kmeans';
import { silhouettePlan, silhouetteValues } from './metrics';
import { fitAndScoreK } from './sweep_k';
import { awaitSilhouettes, blockRows, SILHOUETTE_BLOCK, signalBlockDone, signalPosted, signalStarted, stillWanted, takeBlock, takeNext } from './sweep_threads';
import type { SweepMessage, SweepWorkerData } from './sweep_threads';

const { n, d, X, queue, evaluation, options, control: buffer, port, silhouettes } = workerData as SweepWorkerData;
const control = new Int32Array(buffer);
const rows = { n, d, X };
const fitOptions = { ...options, scratch: lloydScratch(n) };
let k = -1;
let block = -1;
try {
  let first = true;
  for (let i = takeNext(control, queue.length); ; i = takeNext(control, queue.length)) {
    if (first) signalStarted(control);
    first = false;
    if (i < 0 || !stillWanted(control)) break;
    k = queue[i];
    const result = fitAndScoreK(rows, k, evaluation, fitOptions);
    port.postMessage({ result } satisfies SweepMessage, [result.fit.centroids.buffer, result.fit.evaluationLabels.buffer]);
    k = -1;
    signalPosted(control);
  }
  if (awaitSilhouettes(control)) {
    const m = evaluation.length;
    const labelings = silhouettes.ks.map((_, c) => silhouettes.labels.subarray(c * m, (c + 1) * m));
    const plan = silhouettePlan(selectRows(rows, evaluation), labelings, silhouettes.ks, { sampleSize: m, seed: silhouettes.seed });
    const blocks = Math.ceil(m / SILHOUETTE_BLOCK);
    for (block = takeBlock(control, blocks); block >= 0; block = takeBlock(control, blocks)) {
      const [from, to] = blockRows(block, m);
      silhouetteValues(plan, from, to, silhouettes.values);
      signalBlockDone(control);
    }
  }
} catch (err) {
  // The main thread does this k or block itself; the rest of the queue it takes as usual.
  port.postMessage({ failed: (err instanceof Error ? err.message : String(err)).split('\n')[0], k, block } satisfies SweepMessage);
  signalPosted(control);
}
