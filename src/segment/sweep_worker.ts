/**
 * A worker thread of the k sweep (src/segment/sweep_threads.ts): takes k values from the shared queue until it is
 * empty, posts each k's result (centroids and labels transferred), then ends: the thread exits by itself.
 * Runs as plain JavaScript, bundled with its imports by src/io/worker_script.ts.
 */
import { workerData } from 'node:worker_threads';
import { lloydScratch } from './kmeans';
import { fitAndScoreK } from './sweep_k';
import { signalPosted, signalStarted, takeNext } from './sweep_threads';
import type { SweepMessage, SweepWorkerData } from './sweep_threads';

const { n, d, X, queue, evaluation, options, control: buffer, port } = workerData as SweepWorkerData;
const control = new Int32Array(buffer);
const rows = { n, d, X };
const fitOptions = { ...options, scratch: lloydScratch(n) };
let k = -1;
try {
  let first = true;
  for (let i = takeNext(control, queue.length); ; i = takeNext(control, queue.length)) {
    if (first) signalStarted(control);
    first = false;
    if (i < 0) break;
    k = queue[i];
    const result = fitAndScoreK(rows, k, evaluation, fitOptions);
    port.postMessage({ result } satisfies SweepMessage, [result.fit.centroids.buffer, result.fit.evaluationLabels.buffer]);
    k = -1;
    signalPosted(control);
  }
} catch (err) {
  // The main thread fits this k itself; the queue's other k values it takes as usual.
  port.postMessage({ failed: (err instanceof Error ? err.message : String(err)).split('\n')[0], k } satisfies SweepMessage);
  signalPosted(control);
}
