/**
 * The k sweep on several threads (src/segment/sweep_threads.ts) gives exactly what one thread gives: every score,
 * centroid and evaluation label, bit for bit, on generated data and on the real 20,000 rows; a worker that fails costs
 * time, not results; progress reports every k; small inputs start no worker.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadData } from '../src/preprocess/load';
import { buildModelSpace } from '../src/segment/space';
import { sweepFits, sweepThreads, SWEEP_PARALLEL_MIN_CUSTOMERS } from '../src/segment/select';
import type { SweepOptions, SweepResult } from '../src/segment/select';
import type { ModelSpace } from '../src/segment/types';
import { SILHOUETTE_BLOCK } from '../src/segment/sweep_threads';
import { REAL_RAW } from './helpers/real-data';
import { syntheticCustomers } from './helpers/segment';

/** Small restarts, so a sweep takes a second or two. */
const QUICK = { nInit: 4, sampleSize: 3000, seedingSampleSize: 1000, scoringSampleSize: 6000, silhouetteSampleSize: 1500, seed: 11 } as const;

/** Every number of a sweep, as exact bits: scores (the wall times aside), centroids, evaluation labels. */
function bits(r: SweepResult): { scores: unknown[]; fits: unknown[] } {
  const exact = (x: number) => (Number.isNaN(x) ? 'NaN' : Buffer.from(new Float64Array([x]).buffer).toString('hex'));
  return {
    scores: r.scores.map(({ seconds: _, ...s }) => Object.entries(s).map(([name, v]) => [name, typeof v === 'number' ? exact(v) : v])),
    fits: [...r.fits.values()].map((f) => ({
      k: f.k,
      inertia: exact(f.inertia),
      iterations: f.iterations,
      converged: f.converged,
      centroids: Buffer.from(f.centroids.buffer, f.centroids.byteOffset, f.centroids.byteLength).toString('hex'),
      evaluationLabels: Array.from(f.evaluationLabels),
    })),
  };
}

/** A sweep on two threads whose worker certainly takes part; the threads each k was fitted on, and the worker's exit code. */
async function twoThreads(space: ModelSpace, opts: SweepOptions): Promise<{ result: SweepResult; fittedBy: Map<number, number>; exits: readonly number[]; blocks: [number, number] }> {
  const fittedBy = new Map<number, number>();
  let exited: (codes: readonly number[]) => void = () => {};
  const exits = new Promise<readonly number[]>((resolve) => (exited = resolve));
  let blocks: [number, number] = [-1, -1];
  const result = sweepFits(space, {
    ...opts,
    threads: 2,
    waitForWorkers: true,
    onFitted: (k, t) => fittedBy.set(k, t),
    onWorkersExited: exited,
    onSilhouetteBlocks: (byMain, all) => (blocks = [byMain, all]),
  });
  return { result, fittedBy, exits: await exits, blocks };
}

describe('the k sweep on two threads', () => {
  test('generated customers: the same bits as one thread, the worker fitting some k (largest first) and exiting by itself', async () => {
    const space = buildModelSpace(syntheticCustomers(12_000, 5));
    const opts = { ...QUICK, kMin: 2, kMax: 7 };
    const one = sweepFits(space, { ...opts, threads: 1 });
    const { result, fittedBy, exits, blocks } = await twoThreads(space, opts);
    assert.deepEqual(bits(result), bits(one));
    assert.equal(blocks[1], Math.ceil(QUICK.silhouetteSampleSize / SILHOUETTE_BLOCK));
    assert.ok(blocks[0] < blocks[1], `the worker computed silhouette rows too (main: ${blocks[0]} of ${blocks[1]} blocks)`);
    assert.deepEqual([...fittedBy.keys()].sort(), [2, 3, 4, 5, 6, 7]);
    assert.equal(fittedBy.get(7), 1, 'the worker started first and took the largest k');
    assert.ok([...fittedBy.values()].includes(0), 'the main thread fitted some k too');
    assert.deepEqual(exits, [0]);
    // The scores are those of the sweep, not of some default: one thread's sweep with another seed differs.
    assert.notDeepEqual(bits(sweepFits(space, { ...opts, seed: 12, threads: 1 })).fits, bits(one).fits);
  });

  test('the real 20,000 rows, default fit options: the same bits as one thread', async () => {
    const data = await loadData({ input: REAL_RAW });
    const space = buildModelSpace(data.features);
    const opts = { kMin: 2, kMax: 6 };
    const one = sweepFits(space, { ...opts, threads: 1 });
    const { result, fittedBy, blocks } = await twoThreads(space, opts);
    assert.deepEqual(bits(result), bits(one));
    assert.ok(blocks[0] < blocks[1], `main: ${blocks[0]} of ${blocks[1]} silhouette blocks`);
    assert.ok([...fittedBy.values()].includes(1) && [...fittedBy.values()].includes(0), JSON.stringify([...fittedBy]));
  });

  test('progress reports each k once as it ends, then the silhouettes', () => {
    const space = buildModelSpace(syntheticCustomers(3_000, 2));
    const steps: string[] = [];
    sweepFits(space, { ...QUICK, kMin: 2, kMax: 5, threads: 2, waitForWorkers: true, onProgress: (step, done, total) => steps.push(`${step} ${done}/${total}`) });
    assert.equal(steps[0], 'k = 2..5 0/5');
    const fitted = steps.slice(1, 5);
    assert.deepEqual(fitted.map((s) => s.replace(/^k = \d fitted /, '')), ['1/5', '2/5', '3/5', '4/5']);
    assert.deepEqual(fitted.map((s) => Number(s.slice(4, 5))).sort(), [2, 3, 4, 5]);
    assert.deepEqual(steps.slice(5), ['silhouettes 4/5', 'done 5/5']);
  });
});

describe('a failed sweep worker costs time, not results', () => {
  const space = buildModelSpace(syntheticCustomers(3_000, 3));
  const opts = { ...QUICK, kMin: 2, kMax: 5 };
  const one = sweepFits(space, { ...opts, threads: 1 });

  test('one that takes a k and reports a failure: the main thread fits that k, one line says so', () => {
    // Takes the first k from the queue as a worker does, then reports that it failed on it.
    const code = `const { workerData } = require('node:worker_threads');
      const c = new Int32Array(workerData.control);
      const i = Atomics.add(c, 0, 1);
      Atomics.add(c, 2, 1); Atomics.notify(c, 2);
      workerData.port.postMessage({ failed: 'out of luck', k: workerData.queue[i] });
      Atomics.add(c, 1, 1); Atomics.notify(c, 1);`;
    const lines: string[] = [];
    const fittedBy = new Map<number, number>();
    const result = sweepFits(space, { ...opts, threads: 2, waitForWorkers: true, workerScript: { code }, warn: (l) => lines.push(l), onFitted: (k, t) => fittedBy.set(k, t) });
    assert.deepEqual(bits(result), bits(one));
    assert.deepEqual(lines, ['bankseg: k sweep thread 1 of 2 failed (out of luck); the main thread fitted its k values']);
    assert.deepEqual([...fittedBy.entries()].sort(), [[2, 0], [3, 0], [4, 0], [5, 0]]);
  });

  test('one that fails on a block of silhouette rows: the main thread computes it, one line says so', () => {
    // Takes no k, waits for the silhouette phase, takes one block and reports that it failed on it.
    const code = `const { workerData } = require('node:worker_threads');
      const c = new Int32Array(workerData.control);
      Atomics.add(c, 2, 1); Atomics.notify(c, 2);
      while (Atomics.load(c, 3) === 0) Atomics.wait(c, 3, 0, 1000);
      const b = Atomics.add(c, 4, 1);
      workerData.port.postMessage({ failed: 'bad block', k: -1, block: b });
      Atomics.add(c, 1, 1); Atomics.notify(c, 1);`;
    const lines: string[] = [];
    let blocks: [number, number] = [-1, -1];
    const result = sweepFits(space, { ...opts, threads: 2, waitForWorkers: true, workerScript: { code }, warn: (l) => lines.push(l), onSilhouetteBlocks: (byMain, all) => (blocks = [byMain, all]) });
    assert.deepEqual(bits(result), bits(one));
    assert.deepEqual(lines, ['bankseg: k sweep thread 1 of 2 failed (bad block); the main thread computed its silhouettes']);
    assert.deepEqual(blocks, [blocks[1], Math.ceil(QUICK.silhouetteSampleSize / SILHOUETTE_BLOCK)], 'every block on the main thread');
  });

  test('one that throws as it loads: every k on the main thread, one line once the event loop runs', async () => {
    const lines: string[] = [];
    let exited: (codes: readonly number[]) => void = () => {};
    const exits = new Promise<readonly number[]>((resolve) => (exited = resolve));
    const result = sweepFits(space, { ...opts, threads: 2, workerScript: { code: 'throw new Error("no such luck")' }, warn: (l) => lines.push(l), onWorkersExited: exited });
    assert.deepEqual(bits(result), bits(one));
    assert.deepEqual(await exits, [1]);
    assert.deepEqual(lines, ['bankseg: k sweep thread 1 of 2 failed (no such luck); the main thread fitted its k values']);
  });
});

describe('sweepThreads', () => {
  test(`one thread below ${SWEEP_PARALLEL_MIN_CUSTOMERS} customers; BANKSEG_SWEEP_THREADS, then BANKSEG_THREADS, decide above`, () => {
    const saved = { sweep: process.env.BANKSEG_SWEEP_THREADS, all: process.env.BANKSEG_THREADS };
    try {
      process.env.BANKSEG_SWEEP_THREADS = '3';
      process.env.BANKSEG_THREADS = '2';
      assert.equal(sweepThreads(SWEEP_PARALLEL_MIN_CUSTOMERS - 1), 1);
      assert.equal(sweepThreads(SWEEP_PARALLEL_MIN_CUSTOMERS), 3);
      delete process.env.BANKSEG_SWEEP_THREADS;
      assert.equal(sweepThreads(1_000_000), 2);
      delete process.env.BANKSEG_THREADS;
      const free = sweepThreads(1_000_000);
      assert.ok(Number.isInteger(free) && free >= 1 && free <= 4, String(free));
    } finally {
      for (const [name, value] of [['BANKSEG_SWEEP_THREADS', saved.sweep], ['BANKSEG_THREADS', saved.all]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });
});
