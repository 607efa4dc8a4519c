/**
 * The k values of the sweep fitted on several threads at once, synchronously: the main thread and `threads - 1`
 * worker threads (sweep_worker.ts) take k values from one shared queue, largest k first (a large k costs the most,
 * so the last ones taken are the cheap ones and the threads end close together), each computing fitAndScoreK.
 * Every k's result is a pure function of (rows, k, evaluation sample, options), so which thread computed it changes
 * nothing (tests compare 1 and 2 threads bit for bit). Then the same threads share the silhouette pass of all k
 * (metrics.ts): each computes blocks of the sample's rows into shared memory, and the main thread adds the rows up in
 * row order, so the sums are the same bits on any number of threads.
 *
 * Synchronous on purpose (segmentCustomers and its callers are): the workers post each result on a MessagePort of
 * their own, the main thread takes them with receiveMessageOnPort between and during its own fits (in its full-data
 * Lloyd iterations), and once the queue is empty it blocks on a shared counter (Atomics.wait) that a worker bumps
 * after each post. The points go to the workers without a copy: X lives in a SharedArrayBuffer (space.ts allocates
 * it there; other rows are copied there once).
 *
 * Failures cost time, not results: a worker that cannot be built or started takes no k; one that throws posts the k it
 * was on, which the main thread then fits; either way one line on `warn`. A worker is never terminated: it exits by
 * itself when the queue is empty (as the reader's, collect/parallel.ts startWorker), possibly just after the sweep
 * returns when it started too late to take a k.
 */
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type { MessagePort } from 'node:worker_threads';
import { workerFlags, workerScript } from '../io/worker_script';
import type { WorkerScript } from '../io/worker_script';
import { lloydScratch, selectRows } from './kmeans';
import type { FitOptions, Rows } from './kmeans';
import { silhouetteMeans, silhouettePlan, silhouetteValues } from './metrics';
import type { SilhouettePlan } from './metrics';
import { fitAndScoreK } from './sweep_k';
import type { KResult, PlainFitOptions } from './sweep_k';

/**
 * Int32 cells of the control block: the next queue position to take, how many results the workers posted, and how
 * many workers have taken their first k (tests wait for it).
 */
const NEXT = 0;
const POSTED = 1;
const STARTED = 2;
/** The silhouette phase: 0 not yet, 1 its rows are open (labels in place), 2 over (workers stop). */
const PHASE = 3;
/** The next block of silhouette rows to take, and how many blocks the workers have finished. */
const BLOCK_NEXT = 4;
const BLOCKS_DONE = 5;
const CELLS = 6;
/** Rows of the silhouette sample per block taken (a multiple of 4, metrics.ts's row group): ~1% of 10,000. */
export const SILHOUETTE_BLOCK = 64;

/**
 * The worker's young generation, in MB (V8's default is larger): its garbage (ml-kmeans' arrays, samples) is
 * short-lived, and a smaller nursery keeps it from adding to the process's peak. Measured on the 1M-row default
 * (bench/ts_side.ts, k 2..10, 2 threads, load 5-6): peak RSS 700 / 704 MB with the default, 652 MB with 4 MB (one
 * thread: 618-633 MB); sweep CPU unchanged within noise (6.5-7.2 s).
 */
const WORKER_YOUNG_MB = 4;

/** What a worker receives (workerData). */
export interface SweepWorkerData {
  readonly n: number;
  readonly d: number;
  /** Backed by a SharedArrayBuffer: the main thread's X itself. */
  readonly X: Float64Array;
  /** The k values in the order they are taken. */
  readonly queue: readonly number[];
  readonly evaluation: Int32Array;
  readonly options: PlainFitOptions;
  readonly control: SharedArrayBuffer;
  readonly port: MessagePort;
  readonly silhouettes: SilhouetteJob;
}

/**
 * The silhouette pass in shared memory: the evaluation labels of every k (labeling c at [c·m, (c+1)·m), in the order
 * of `ks`), filled by the main thread before the phase opens, and the rows' values (same layout).
 */
export interface SilhouetteJob {
  readonly ks: readonly number[];
  readonly seed: number;
  readonly labels: Int32Array;
  readonly values: Float64Array;
}

/** What a worker posts: a k's result, or why it stopped (and the k or silhouette block it was on, -1 if none). */
export type SweepMessage = { readonly result: KResult } | { readonly failed: string; readonly k: number; readonly block?: number };

export interface SweepThreads {
  /** Threads in all, the main one included (1: no worker). */
  readonly threads: number;
  /** Tests: the workers run this script instead of the bundled sweep_worker.ts (one that throws, say). */
  readonly workerScript?: WorkerScript;
  /** Where the line about a failed worker goes (default: stderr). */
  readonly warn?: (line: string) => void;
  /** Told each k as its result reaches the main thread (0: the main thread computed it, else the worker's number). */
  readonly onFitted?: (k: number, thread: number) => void;
  /** Told when the silhouette pass starts. */
  readonly onSilhouettes?: () => void;
  /** Tests: told, once the silhouette rows are done, how many of the blocks the main thread computed. */
  readonly onSilhouetteBlocks?: (byMain: number, blocks: number) => void;
  /** Seed of the silhouette sample (metrics.ts metricSample over the evaluation rows). */
  readonly silhouetteSeed: number;
  /** Tests: the main thread takes its first k once every worker has taken one (so they certainly take part). */
  readonly waitForWorkers?: boolean;
  /** Tests: told the workers' exit codes once all have exited (after the call returns: the event loop must run). */
  readonly onWorkersExited?: (codes: readonly number[]) => void;
}

/** Takes the next queue position (shared by all threads); -1 when the queue is empty. */
export function takeNext(control: Int32Array, length: number): number {
  const i = Atomics.add(control, NEXT, 1);
  return i < length ? i : -1;
}

/** A worker's side once it has taken its first k (or found none). */
export function signalStarted(control: Int32Array): void {
  Atomics.add(control, STARTED, 1);
  Atomics.notify(control, STARTED);
}

/** Takes the next block of silhouette rows; -1 when none is left. */
export function takeBlock(control: Int32Array, blocks: number): number {
  const b = Atomics.add(control, BLOCK_NEXT, 1);
  return b < blocks ? b : -1;
}

/** A worker's side after a block of silhouette rows. */
export function signalBlockDone(control: Int32Array): void {
  Atomics.add(control, BLOCKS_DONE, 1);
  Atomics.notify(control, BLOCKS_DONE);
}

/** A worker's side once its k values are done: waits for the silhouette phase; true when its rows are open. */
export function awaitSilhouettes(control: Int32Array): boolean {
  while (Atomics.load(control, PHASE) === 0) Atomics.wait(control, PHASE, 0, 1000);
  return Atomics.load(control, PHASE) === 1;
}

/** False once the main thread has given up on the workers (an error there): they stop taking work. */
export function stillWanted(control: Int32Array): boolean {
  return Atomics.load(control, PHASE) !== 2;
}

/** The rows [from, to) of silhouette block b. */
export function blockRows(b: number, m: number): [number, number] {
  return [b * SILHOUETTE_BLOCK, Math.min(m, (b + 1) * SILHOUETTE_BLOCK)];
}

/** A worker's side after posting: bump the counter the main thread may be waiting on. */
export function signalPosted(control: Int32Array): void {
  Atomics.add(control, POSTED, 1);
  Atomics.notify(control, POSTED);
}

/** The X of `rows` in a SharedArrayBuffer: itself when it is there already, else a copy. O(n·d) for the copy. */
function sharedX(rows: Rows): Float64Array {
  if (rows.X.buffer instanceof SharedArrayBuffer) return rows.X;
  const X = new Float64Array(new SharedArrayBuffer(rows.X.length * 8));
  X.set(rows.X);
  return X;
}

/**
 * fitAndScoreK for every k of `ks`, then the silhouettes of all k on the evaluation sample, on `run.threads`
 * threads; the results and silhouettes in the order of `ks`, the same bits whatever the threads. `opts.onIteration`,
 * a function, cannot reach a worker: with it, everything runs on the main thread.
 */
export function sweepOnThreads(rows: Rows, ks: readonly number[], evaluation: Int32Array, opts: FitOptions, run: SweepThreads): { results: KResult[]; silhouettes: number[] } {
  const queue = [...ks].sort((a, b) => b - a);
  const control = new Int32Array(new SharedArrayBuffer(4 * CELLS));
  const m = evaluation.length;
  const job: SilhouetteJob = {
    ks,
    seed: run.silhouetteSeed,
    labels: new Int32Array(new SharedArrayBuffer(4 * ks.length * m)),
    values: new Float64Array(new SharedArrayBuffer(8 * ks.length * m)),
  };
  const warn = run.warn ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const workers = opts.onIteration === undefined ? Math.max(0, Math.min(run.threads, queue.length) - 1) : 0;
  const ports = startWorkers(rows, queue, evaluation, opts, control, job, workers, run, warn);
  try {
    const results = fitAll(rows, queue, evaluation, opts, control, ports, run, warn);
    const ordered = ks.map((k) => results.get(k) as KResult);
    ordered.forEach((r, c) => job.labels.set(r.fit.evaluationLabels, c * m));
    run.onSilhouettes?.();
    Atomics.store(control, PHASE, 1);
    Atomics.notify(control, PHASE);
    const plan = silhouettePlan(selectRows(rows, evaluation), ordered.map((r) => r.fit.evaluationLabels), ks, { sampleSize: m, seed: job.seed });
    silhouetteRows(plan, job, control, ports, warn, run.onSilhouetteBlocks);
    return { results: ordered, silhouettes: silhouetteMeans(plan, job.values) };
  } finally {
    Atomics.store(control, PHASE, 2); // a worker still waiting (or fitting, after an error here) stops
    Atomics.notify(control, PHASE);
    for (const port of ports) port.close();
  }
}

/** The k values of `queue` on the main thread and the workers; their results by k. */
function fitAll(rows: Rows, queue: readonly number[], evaluation: Int32Array, opts: FitOptions, control: Int32Array, ports: readonly MessagePort[], run: SweepThreads, warn: (line: string) => void): Map<number, KResult> {
  const results = new Map<number, KResult>();
  const redo: number[] = []; // k values a failed worker was fitting
  const take = (thread: number, m: SweepMessage): void => {
    if ('result' in m) {
      results.set(m.result.fit.k, m.result);
      run.onFitted?.(m.result.fit.k, thread);
    } else {
      warn(`bankseg: k sweep thread ${thread} of ${ports.length + 1} failed (${m.failed}); the main thread fitted its k values`);
      if (m.k >= 0) redo.push(m.k);
    }
  };
  const drain = (): void => drainPorts(ports, take);
  // The main thread fits with the same options as the workers (a caller's onIteration aside, which keeps it alone);
  // results that arrive meanwhile are taken between its full-data iterations, so progress shows them when they come.
  const own: FitOptions = { ...plainOptions(opts), onIteration: opts.onIteration ?? (ports.length > 0 ? drain : undefined), scratch: lloydScratch(rows.n) };
  const fitHere = (k: number): void => {
    const result = fitAndScoreK(rows, k, evaluation, own);
    results.set(k, result);
    run.onFitted?.(k, 0);
  };
  // Tests only; 30 s at most, so a worker that never starts cannot hang them.
  for (const until = Date.now() + 30_000; run.waitForWorkers && Atomics.load(control, STARTED) < ports.length && Date.now() < until; ) {
    Atomics.wait(control, STARTED, Atomics.load(control, STARTED), 100);
  }
  for (let i = takeNext(control, queue.length); i >= 0; i = takeNext(control, queue.length)) {
    drain();
    fitHere(queue[i]);
  }
  for (;;) {
    const posted = Atomics.load(control, POSTED);
    drain();
    while (redo.length > 0) fitHere(redo.pop() as number);
    if (results.size >= queue.length) return results;
    Atomics.wait(control, POSTED, posted, 200); // woken by a worker's post; the timeout only re-checks
  }
}

/** The silhouette rows on the main thread and the workers, into job.values; blocks a failed worker held are redone here. */
function silhouetteRows(plan: SilhouettePlan, job: SilhouetteJob, control: Int32Array, ports: readonly MessagePort[], warn: (line: string) => void, onBlocks?: (byMain: number, blocks: number) => void): void {
  const blocks = Math.ceil(plan.m / SILHOUETTE_BLOCK);
  let mine = 0;
  const rowsOf = (b: number): void => {
    const [from, to] = blockRows(b, plan.m);
    silhouetteValues(plan, from, to, job.values);
    mine++;
  };
  const redo: number[] = [];
  const take = (thread: number, m: SweepMessage): void => {
    if ('failed' in m) {
      warn(`bankseg: k sweep thread ${thread} of ${ports.length + 1} failed (${m.failed}); the main thread computed its silhouettes`);
      if (m.block !== undefined && m.block >= 0) redo.push(m.block);
    }
  };
  for (let b = takeBlock(control, blocks); b >= 0; b = takeBlock(control, blocks)) rowsOf(b);
  for (;;) {
    const done = Atomics.load(control, BLOCKS_DONE);
    drainPorts(ports, take);
    while (redo.length > 0) rowsOf(redo.pop() as number);
    if (mine + Atomics.load(control, BLOCKS_DONE) >= blocks) return onBlocks?.(mine, blocks);
    Atomics.wait(control, BLOCKS_DONE, done, 200);
  }
}

/** Every message waiting on the workers' ports, in order, to `take` (with the worker's number). */
function drainPorts(ports: readonly MessagePort[], take: (thread: number, m: SweepMessage) => void): void {
  ports.forEach((port, w) => {
    for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) take(w + 1, m.message as SweepMessage);
  });
}

/** Starts `count` workers on the queue; their ports (a worker that could not start has none and takes no k). */
function startWorkers(rows: Rows, queue: readonly number[], evaluation: Int32Array, opts: FitOptions, control: Int32Array, silhouettes: SilhouetteJob, count: number, run: SweepThreads, warn: (line: string) => void): MessagePort[] {
  if (count === 0) return [];
  let script: WorkerScript;
  try {
    script = run.workerScript ?? workerScript('src/segment/sweep_worker.ts');
  } catch (err) {
    warn(`bankseg: fitting the k sweep on one thread: the worker threads' code could not be built (${oneLine(err)})`);
    return [];
  }
  const X = sharedX(rows);
  const options = plainOptions(opts);
  const ports: MessagePort[] = [];
  const exits: Promise<number>[] = [];
  for (let w = 1; w <= count; w++) {
    const channel = new MessageChannel();
    const data: SweepWorkerData = { n: rows.n, d: rows.d, X, queue, evaluation, options, control: control.buffer as SharedArrayBuffer, port: channel.port2, silhouettes };
    const settings = { workerData: data, transferList: [channel.port2], execArgv: workerFlags(), resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } };
    try {
      const worker = 'file' in script ? new Worker(script.file, settings) : new Worker(script.code, { ...settings, eval: true });
      // Seen only once the event loop runs (after the sweep): a worker that failed to load took no k, so the main
      // thread fitted them all; the line says why the sweep ran on one thread.
      worker.once('error', (err) => warn(`bankseg: k sweep thread ${w} of ${count + 1} failed (${oneLine(err)}); the main thread fitted its k values`));
      exits.push(new Promise((resolve) => worker.once('exit', resolve)));
      ports.push(channel.port1);
    } catch (err) {
      warn(`bankseg: k sweep thread ${w} of ${count + 1} could not start (${oneLine(err)}); the main thread fitted its k values`);
      channel.port1.close();
    }
  }
  if (run.onWorkersExited) {
    const told = run.onWorkersExited;
    void Promise.all(exits).then(told);
  }
  return ports;
}

/** The fit options a worker needs, and nothing else (callers pass wider objects, which may hold functions). */
function plainOptions(o: FitOptions): PlainFitOptions {
  const { nInit, seed, maxIterations, tolerance, maxRestarts, sampleSize, seedingSampleSize, scoringSampleSize } = o;
  return { nInit, seed, maxIterations, tolerance, maxRestarts, sampleSize, seedingSampleSize, scoringSampleSize };
}

/** The first line of an error's message. */
function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
