/**
 * The k values of the sweep fitted on several threads at once, synchronously: the main thread and `threads - 1`
 * worker threads (sweep_worker.ts) take k values from one shared queue, largest k first (a large k costs the most,
 * so the last ones taken are the cheap ones and the threads end close together), each computing fitAndScoreK.
 * Every k's result is a pure function of (rows, k, evaluation sample, options), so which thread computed it changes
 * nothing (tests compare 1 and 2 threads bit for bit).
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
import { lloydScratch } from './kmeans';
import type { FitOptions, Rows } from './kmeans';
import { fitAndScoreK } from './sweep_k';
import type { KResult, PlainFitOptions } from './sweep_k';

/**
 * Int32 cells of the control block: the next queue position to take, how many results the workers posted, and how
 * many workers have taken their first k (tests wait for it).
 */
const NEXT = 0;
const POSTED = 1;
const STARTED = 2;

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
}

/** What a worker posts: a k's result, or why it stopped (and the k it was fitting, -1 if none). */
export type SweepMessage = { readonly result: KResult } | { readonly failed: string; readonly k: number };

export interface SweepThreads {
  /** Threads in all, the main one included (1: no worker). */
  readonly threads: number;
  /** Tests: the workers run this script instead of the bundled sweep_worker.ts (one that throws, say). */
  readonly workerScript?: WorkerScript;
  /** Where the line about a failed worker goes (default: stderr). */
  readonly warn?: (line: string) => void;
  /** Told each k as its result reaches the main thread (0: the main thread computed it, else the worker's number). */
  readonly onFitted?: (k: number, thread: number) => void;
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
 * fitAndScoreK for every k of `ks`, on `run.threads` threads; the results in the order of `ks`, the same whatever
 * the threads. `opts.onIteration`, a function, cannot reach a worker: with it, everything runs on the main thread.
 */
export function fitAllK(rows: Rows, ks: readonly number[], evaluation: Int32Array, opts: FitOptions, run: SweepThreads): KResult[] {
  const queue = [...ks].sort((a, b) => b - a);
  const control = new Int32Array(new SharedArrayBuffer(12));
  const warn = run.warn ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const results = new Map<number, KResult>();
  const redo: number[] = []; // k values a failed worker was fitting
  const workers = opts.onIteration === undefined ? Math.max(0, Math.min(run.threads, queue.length) - 1) : 0;
  const ports = startWorkers(rows, queue, evaluation, opts, control, workers, run, warn);

  const take = (thread: number, m: SweepMessage): void => {
    if ('result' in m) {
      results.set(m.result.fit.k, m.result);
      run.onFitted?.(m.result.fit.k, thread);
    } else {
      warn(`bankseg: k sweep thread ${thread} of ${workers + 1} failed (${m.failed}); the main thread fitted its k values`);
      if (m.k >= 0) redo.push(m.k);
    }
  };
  const drain = (): void => {
    ports.forEach((port, w) => {
      for (let m = receiveMessageOnPort(port); m !== undefined; m = receiveMessageOnPort(port)) take(w + 1, m.message as SweepMessage);
    });
  };
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
    if (results.size >= queue.length) break;
    Atomics.wait(control, POSTED, posted, 200); // woken by a worker's post; the timeout only re-checks
  }
  for (const port of ports) port.close();
  return ks.map((k) => results.get(k) as KResult);
}

/** Starts `count` workers on the queue; their ports (a worker that could not start has none and takes no k). */
function startWorkers(rows: Rows, queue: readonly number[], evaluation: Int32Array, opts: FitOptions, control: Int32Array, count: number, run: SweepThreads, warn: (line: string) => void): MessagePort[] {
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
    const data: SweepWorkerData = { n: rows.n, d: rows.d, X, queue, evaluation, options, control: control.buffer as SharedArrayBuffer, port: channel.port2 };
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
