/**
 * The parallel path of the file reader: a plain (not gzip) file on disk, read by several threads at once.
 *
 * How it relates to the streaming path (src/collect/read.ts): both run the same row code (RowReader over
 * CsvSplitter), so a row is accepted, rejected or worded the same way by either. A record is one line (a quoted
 * value cannot span lines, docs/data-model.md §1), so the file can be cut at any line start and each piece read on
 * its own. The streaming path reads anything that can only be read front to back (gzip, a pipe, UTF-16) or is
 * small; this path needs random access, so it is used for plain files of at least PARALLEL_MIN_BYTES.
 *
 * 1. Plan: the data after the header is cut into pieces of about `pieceBytes`, each boundary moved to the next
 *    line start (a line longer than MAX_ROW_CHARS keeps its boundary out, so it lies in one piece and fails there).
 * 2. Read: the main thread takes pieces from the front, `threads - 1` workers from the back, from one shared cell
 *    (Atomics), until they meet: a slow-starting worker or a loaded core simply takes fewer pieces. Each thread reads
 *    its pieces with pread into one RowReader of its own: its own typed columns and dictionaries (codes in its own
 *    order), then numbers its customers (partitioned hashing, id_codes.ts) before handing its share over.
 * 3. Merge (main thread, merge.ts): the workers' dictionary values are united with the main thread's (customers by
 *    number, the rest by text), then the workers' rows are renumbered in file order, so codes follow the order of
 *    first appearance in the file exactly as one thread reading front to back numbers them (the main thread's prefix
 *    already does). Columns are concatenated in piece order; line numbers of malformed rows become file line numbers
 *    (lines before the piece + line in the piece); the first MALFORMED_EXAMPLES in piece order are kept; with
 *    `strict` the first malformed row in file order throws.
 *
 * Memory: each thread holds its share of the table, then the main thread the merged table; pieces are read one
 * at a time per thread (at most `pieceBytes` + one line of text each), never the whole file.
 */
import * as fs from 'node:fs';
import { isAscii } from 'node:buffer';
import { Worker } from 'node:worker_threads';
import { progress } from '../io/progress';
import type { TransactionTable } from '../table';
import { MALFORMED_EXAMPLES } from './columns';
import { CsvSplitter, MAX_ROW_CHARS, RowTooLongError } from './csv';
import { assembleTable, DICT_NAMES, DictName, PieceRecord, PieceStop, Share, ShareColumns } from './merge';
import { ColumnLayout, IdChars, MalformedRowStop, RowColumns, RowReader } from './rows';
import { firstAppearance, idTexts } from './id_codes';
import { workerFlags, workerScript, WorkerScript } from '../io/worker_script';
import { MAPPED_SHARE_ROWS, mapLargeArrays, mappedArray, TypedArrayClass } from '../io/mapped';

/** Below this size a file is read on the streaming path: starting a worker costs more than it saves. */
export const PARALLEL_MIN_BYTES = 8 << 20;
/** Default piece size (~15k rows): the threads end within ~10 ms of each other; a piece costs ~0.1 ms of its own. */
export const DEFAULT_PIECE_BYTES = 1 << 20;

/** What every thread needs to read its pieces (sent to workers as workerData). */
export interface PiecePlan {
  readonly file: string;
  readonly layout: ColumnLayout;
  readonly strict: boolean;
  /** Byte offsets: piece p is [bounds[p], bounds[p + 1]). bounds[0] is the first byte after the header line. */
  readonly bounds: readonly number[];
  /** Rows to make room for in each thread's columns and dictionaries (they grow beyond as needed). */
  readonly expectedRows: number;
  /** Int32 cells: CLAIMS, STOP, then the owner (thread + 1) of each piece. */
  readonly control: SharedArrayBuffer;
  /** Whether workers map their large arrays (io/mapped.ts; default: when expectedRows >= MAPPED_SHARE_ROWS). */
  readonly mapLargeArrays?: boolean;
}

/** The pieces not claimed yet are [front, back): front in the low 16 bits, back in the high 16 bits of one cell. */
const CLAIMS = 0;
/** The first piece in which a reader stopped (strict malformed row, too-long line): pieces after it are not needed. */
const STOP = 1;
const OWNER = 2;
/** Pieces fit in 16 bits; planPieces makes pieces larger on huge files rather than more. */
export const MAX_PIECES = 0xffff;

/**
 * Byte offsets of the pieces of [dataStart, size): every ~pieceBytes, moved to the next line start. Reads a small
 * window at each boundary. O(pieces) reads.
 */
export function planPieces(fd: number, dataStart: number, size: number, pieceBytes: number): number[] {
  pieceBytes = Math.max(pieceBytes, Math.ceil((size - dataStart) / (MAX_PIECES - 1)), 1);
  const bounds = [dataStart];
  const window = Buffer.allocUnsafe(64 << 10);
  for (let nominal = dataStart + pieceBytes; nominal < size; nominal += pieceBytes) {
    // The line end at or after nominal - 1: the piece then ends after it, and the next starts a line.
    let at = nominal - 1;
    let cut = -1;
    while (cut < 0 && at < size && at - nominal <= MAX_ROW_CHARS) {
      const n = fs.readSync(fd, window, 0, window.length, at);
      if (n <= 0) break;
      const lf = window.subarray(0, n).indexOf(10);
      if (lf >= 0) cut = at + lf + 1;
      else at += n;
    }
    if (cut < 0 || cut >= size) break; // no line end soon: the rest is one piece (where a too-long line fails)
    if (cut > bounds[bounds.length - 1]) bounds.push(cut);
    if (cut > nominal) nominal = cut - 1; // a long line ran past the nominal boundary; continue from its end
  }
  bounds.push(size);
  return bounds;
}

/** A fresh control block for `pieces` pieces: nothing claimed, nothing stopped. */
export function newControl(pieces: number): SharedArrayBuffer {
  const control = new SharedArrayBuffer(4 * (OWNER + pieces));
  const cells = new Int32Array(control);
  cells[CLAIMS] = pieces << 16; // front 0, back `pieces`
  cells[STOP] = 0x7fffffff;
  return control;
}

/**
 * Claims the next piece: the main thread (`fromFront`) takes the lowest unclaimed piece, workers the highest, so the
 * main thread reads a prefix of the file and its dictionaries number that prefix's values in file order (the merge
 * then renumbers only the workers' rows). One compare-and-swap on a single cell, so no piece is claimed twice.
 * Returns -1 when none is left.
 */
function claim(control: Int32Array, fromFront: boolean): number {
  for (;;) {
    const cell = Atomics.load(control, CLAIMS);
    const front = cell & 0xffff;
    const back = cell >>> 16;
    if (front >= back) return -1;
    const next = fromFront ? (back << 16) | (front + 1) : ((back - 1) << 16) | front;
    if (Atomics.compareExchange(control, CLAIMS, cell, next) === cell) return fromFront ? front : back - 1;
  }
}

/** Lowers the STOP cell to `piece` unless it is lower already. */
function stopAt(control: Int32Array, piece: number): void {
  for (;;) {
    const current = Atomics.load(control, STOP);
    if (piece >= current || Atomics.compareExchange(control, STOP, current, piece) === current) return;
  }
}

/** Reads `length` bytes at `position` into `buffer` (pread may return fewer); returns how many were read. */
function readFully(fd: number, buffer: Buffer, length: number, position: number): number {
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buffer, done, length - done, position + done);
    if (n <= 0) break;
    done += n;
  }
  return done;
}

/** How readPieces picks its pieces and whom it tells. */
export interface PieceOptions {
  /** Read these pieces, in this order, instead of claiming. */
  readonly only?: readonly number[];
  /** Called after each piece. */
  readonly onPiece?: () => void;
  /** Called once a first piece is claimed (or none is left): the thread certainly takes part. */
  readonly onStarted?: () => void;
}

/**
 * Claims pieces (see `claim`; or takes `only`) and reads each into `reader`. `thread` is 0 for the main thread.
 * A piece after the STOP piece is not read. O(bytes of the pieces read).
 */
export function readPieces(plan: PiecePlan, reader: RowReader, thread: number, opts: PieceOptions = {}): PieceRecord[] {
  const { only, onPiece } = opts;
  let onStarted = opts.onStarted;
  const control = new Int32Array(plan.control);
  const records: PieceRecord[] = [];
  let buffer = Buffer.alloc(0);
  const fd = fs.openSync(plan.file, 'r');
  try {
    for (let k = 0; ; k++) {
      let p: number;
      if (only) {
        if (k >= only.length) break;
        p = only[k];
      } else {
        p = claim(control, thread === 0);
        onStarted?.(); // after the claim: no other thread can take this piece any more
        onStarted = undefined;
        if (p < 0 || p > Atomics.load(control, STOP)) break;
        Atomics.store(control, OWNER + p, thread + 1);
      }
      const start = plan.bounds[p];
      const length = plan.bounds[p + 1] - start;
      if (buffer.length < length) buffer = Buffer.allocUnsafe(length);
      const bytes = buffer.subarray(0, length);
      const rowStart = reader.rows;
      let stop: PieceStop | undefined;
      let lines = 0;
      if (readFully(fd, bytes, length, start) < length) {
        stop = { kind: 'input', message: 'the file got shorter while it was being read' };
      } else {
        // latin1 copies bytes to characters: the same text as UTF-8 decoding when all bytes are ASCII, and faster.
        const text = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
        const splitter = new CsvSplitter((t, spans, line) => reader.row(t, spans, line));
        try {
          splitter.push(text);
          splitter.end();
        } catch (err) {
          if (err instanceof MalformedRowStop) stop = { kind: 'malformed', row: err.row };
          else if (err instanceof RowTooLongError) stop = { kind: 'too-long', line: err.line };
          else throw err;
        }
        lines = splitter.nextLine - 1;
      }
      if (stop !== undefined) stopAt(control, p);
      records.push({ piece: p, rowStart, rowEnd: reader.rows, lines, malformed: reader.takeMalformed(), stop });
      onPiece?.();
      if (stop !== undefined) break;
    }
  } finally {
    fs.closeSync(fd);
  }
  return records;
}

/**
 * A reader's share once its pieces are read, in file order (merge.ts). A worker reads its pieces back to front, so
 * its rows are put in piece order and its dictionary codes renumbered in order of first appearance over them; the
 * customers are numbered (firstAppearance over their packed numbers). All of it here, on the thread that read the rows, so that work is
 * spread over the threads too. `release`: the reader lets go of its columns (a worker: it reads no more). `withStrings` also makes the customers' strings (the main thread: a worker's would
 * only be copied). O(rows) when the pieces were read out of order, O(distinct customers) otherwise.
 */
export function shareOf(reader: RowReader, records: readonly PieceRecord[], withStrings: boolean, release = false): Share {
  const ordered = inPieceOrder(reader.columns(release), records);
  const { customerKey, dob, gender, location, ...columns } = ordered.columns;
  const dictionaries = { dob: reader.dobs.values, gender: reader.genders.values, location: reader.locations.values };
  const renumbered = ordered.moved
    ? { dob: firstAppearanceCodes(dob, dictionaries.dob), gender: firstAppearanceCodes(gender, dictionaries.gender), location: firstAppearanceCodes(location, dictionaries.location) }
    : { dob: { codes: dob, values: dictionaries.dob }, gender: { codes: gender, values: dictionaries.gender }, location: { codes: location, values: dictionaries.location } };
  const { codes, distinct: keys } = firstAppearance(customerKey);
  const others = reader.otherCustomers.values;
  return {
    records: ordered.records,
    columns: { ...columns, customer: codes, dob: renumbered.dob.codes, gender: renumbered.gender.codes, location: renumbered.location.codes },
    dictionaries: { dob: renumbered.dob.values, gender: renumbered.gender.values, location: renumbered.location.values },
    customers: { keys, others, values: withStrings ? idTexts(keys, others) : undefined },
  };
}

/**
 * The columns with the rows of each piece in piece order, and the records pointing at them there; `moved` when
 * anything had to move (a worker claims pieces from the back). O(rows) when moved, O(pieces) otherwise.
 */
function inPieceOrder(c: RowColumns, records: readonly PieceRecord[]): { columns: RowColumns; records: PieceRecord[]; moved: boolean } {
  const sorted = [...records].sort((a, b) => a.piece - b.piece);
  if (sorted.every((r, k) => r.rowStart === (k === 0 ? 0 : sorted[k - 1].rowEnd))) return { columns: c, records: sorted, moved: false };
  // Column by column, so the reordered copy needs one column's worth of memory more, not a second table.
  const out = { ...c };
  for (const name of ['customerKey', 'dob', 'gender', 'location', 'balance', 'date', 'time', 'amount'] as const) {
    const from = c[name] as Float64Array;
    const to = mappedArray(from.constructor as unknown as TypedArrayClass<Float64Array>, from.length);
    let at = 0;
    for (const r of sorted) {
      to.set(from.subarray(r.rowStart, r.rowEnd), at);
      at += r.rowEnd - r.rowStart;
    }
    (out as unknown as Record<string, unknown>)[name] = to;
    (c as unknown as Record<string, unknown>)[name] = undefined; // freed here when the reader released it (a worker's)
  }
  const idChars = mappedArray(c.idChars.constructor as unknown as TypedArrayClass<IdChars>, c.idChars.length);
  const idEnd = mappedArray(Int32Array, c.idEnd.length);
  const moved: PieceRecord[] = [];
  let at = 0;
  let chars = 0;
  for (const r of sorted) {
    const { rowStart: from, rowEnd: to } = r;
    const charFrom = from === 0 ? 0 : c.idEnd[from - 1];
    const charTo = to === 0 ? 0 : c.idEnd[to - 1];
    idChars.set(c.idChars.subarray(charFrom, charTo), chars);
    for (let i = from; i < to; i++) idEnd[at + i - from] = c.idEnd[i] - charFrom + chars;
    chars += charTo - charFrom;
    moved.push({ ...r, rowStart: at, rowEnd: at + (to - from) });
    at += to - from;
  }
  out.idChars = idChars;
  out.idEnd = idEnd;
  return { columns: out, records: moved, moved: true };
}

/** Codes renumbered in order of first appearance over the rows, and the values in that order (unused ones dropped). O(rows). */
function firstAppearanceCodes(codes: Int32Array, values: readonly string[]): { codes: Int32Array; values: string[] } {
  const order = new Int32Array(values.length).fill(-1);
  const ordered: string[] = [];
  const out = mappedArray(Int32Array, codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i];
    if (c < 0) {
      out[i] = -1;
      continue;
    }
    let g = order[c];
    if (g < 0) {
      g = order[c] = ordered.length;
      ordered.push(values[c]);
    }
    out[i] = g;
  }
  return { codes: out, values: ordered };
}

// ---------------------------------------------------------------------------------------------------------------
// Worker messages: typed arrays are transferred (not copied); dictionary values travel joined by `\n`, which no
// value holds (a record is one line), as one string each: one copy instead of many small ones.

export interface ShareMessage {
  readonly records: readonly PieceRecord[];
  readonly columns: ShareColumns;
  readonly customerKeys: Float64Array;
  readonly dictionaries: { readonly [C in DictName | 'otherCustomers']: string };
  readonly counts: { readonly [C in DictName | 'otherCustomers']: number };
}

export function toMessage(share: Share): { message: ShareMessage; transfer: ArrayBuffer[] } {
  const columns = share.columns;
  const texts = { ...share.dictionaries, otherCustomers: share.customers.others };
  const dictionaries = {} as Record<DictName | 'otherCustomers', string>;
  const counts = {} as Record<DictName | 'otherCustomers', number>;
  for (const name of [...DICT_NAMES, 'otherCustomers'] as const) {
    dictionaries[name] = texts[name].join('\n');
    counts[name] = texts[name].length;
  }
  const arrays = [...Object.values(columns), share.customers.keys];
  const transfer = [...new Set(arrays.map((a) => a.buffer as ArrayBuffer))];
  const message = { records: share.records, columns, customerKeys: share.customers.keys, dictionaries, counts };
  return { message, transfer };
}

function splitJoined(text: string, count: number): string[] {
  return count === 0 ? [] : text.split('\n');
}

function fromMessage(m: ShareMessage): Share {
  const dictionaries = {} as Record<DictName, string[]>;
  for (const name of DICT_NAMES) dictionaries[name] = splitJoined(m.dictionaries[name], m.counts[name]);
  const others = splitJoined(m.dictionaries.otherCustomers, m.counts.otherCustomers);
  return { records: m.records, columns: m.columns, dictionaries, customers: { keys: m.customerKeys, others } };
}

// ---------------------------------------------------------------------------------------------------------------
// The main thread's side.

export interface ParallelRead {
  readonly file: string;
  readonly layout: ColumnLayout;
  readonly strict: boolean;
  /** Line number of the header (lines before it are blank). */
  readonly headerLine: number;
  readonly dataStart: number;
  readonly size: number;
  readonly threads: number;
  readonly pieceBytes: number;
  /** Estimated data rows in the whole file. */
  readonly expectedRows: number;
  /** Tests: the main thread waits until the workers are reading, so they certainly take part. */
  readonly waitForWorkers?: boolean;
  /** Tests: the workers map their large arrays (io/mapped.ts) whatever their share's size. */
  readonly mapLargeArrays?: boolean;
  /** Told, once the pieces are read, which thread read each piece (0: the main thread): for tests and benchmarks. */
  readonly onPieces?: (owners: readonly number[]) => void;
  /** Told the workers' exit codes once all have exited (before readParallel settles): for tests. */
  readonly onWorkersExited?: (codes: readonly number[]) => void;
  /** Tests: the workers run this script instead of the bundled read_worker.ts (one that crashes, say). */
  readonly workerScript?: WorkerScript;
  /** Where the line about a failed worker goes (default: stderr). */
  readonly warn?: (line: string) => void;
}

/** What became of a worker: its share, or why it gave none (its pieces are then read on the main thread). */
type WorkerOutcome = { readonly share: Share } | { readonly failed: string };

/** A started worker: `ready` once it reads pieces (or has failed); `outcome` its share or failure; `exited` its exit code. */
interface StartedWorker {
  readonly ready: Promise<void>;
  readonly outcome: Promise<WorkerOutcome>;
  readonly exited: Promise<number>;
}

/**
 * A worker on `plan`. It is never terminated: once it has posted its share its script is done and it exits by
 * itself, and the caller waits for that (`exited`), so no worker outlives the read or is torn down mid-work.
 * (Terminating workers that still had file writes and a pipe connection in flight, tsx's, is what the reader did
 * before it crashed a test run with SIGSEGV; see io/worker_script.ts.)
 */
function startWorker(script: WorkerScript, plan: PiecePlan, thread: number): StartedWorker {
  let ready = () => {};
  const readyPromise = new Promise<void>((resolve) => (ready = resolve));
  let exited: (code: number) => void = () => {};
  const exitedPromise = new Promise<number>((resolve) => (exited = resolve));
  const outcome = new Promise<WorkerOutcome>((resolve) => {
    let settled = false;
    const done = (result: WorkerOutcome) => {
      ready();
      if (settled) return;
      settled = true;
      resolve(result);
    };
    let worker: Worker;
    try {
      const options = { workerData: { plan, thread }, execArgv: workerFlags() };
      worker = 'file' in script ? new Worker(script.file, options) : new Worker(script.code, { ...options, eval: true });
    } catch (err) {
      exited(-1);
      return done({ failed: `could not start: ${oneLine(err)}` });
    }
    worker.on('message', (m: ShareMessage | 'ready') => {
      if (m === 'ready') return ready();
      try {
        done({ share: fromMessage(m) });
      } catch (err) {
        done({ failed: `sent a share that does not read: ${oneLine(err)}` });
      }
    });
    worker.once('error', (err) => done({ failed: oneLine(err) }));
    worker.once('exit', (code) => {
      done({ failed: `exited with code ${code} before sending its rows` });
      exited(code);
    });
  });
  return { ready: readyPromise, outcome, exited: exitedPromise };
}

/** The first line of an error's message. */
function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}

/**
 * Reads the data rows of `r.file` with `r.threads` threads and returns the same table the streaming path would.
 * Throws InputError for the first stop in file order (strict malformed row, too-long line, I/O).
 *
 * A worker that fails (cannot start, throws, exits early, or its script cannot be built) costs time, not rows: the
 * pieces no share holds are read on the main thread, so the table is the same, and one line on `warn` says so.
 * (A crash of the process itself, a segmentation fault, cannot be caught by any thread; see startWorker.)
 */
export async function readParallel(r: ParallelRead): Promise<TransactionTable> {
  const fd = fs.openSync(r.file, 'r');
  let bounds: number[];
  try {
    bounds = planPieces(fd, r.dataStart, r.size, r.pieceBytes);
  } finally {
    fs.closeSync(fd);
  }
  const pieces = bounds.length - 1;
  const threads = Math.max(1, Math.min(r.threads, pieces));
  const plan: PiecePlan = {
    file: r.file,
    layout: r.layout,
    strict: r.strict,
    bounds,
    expectedRows: Math.ceil(r.expectedRows / threads),
    control: newControl(pieces),
    // A large share's columns, made on a worker and freed on the main thread, would stay resident in the worker's arena.
    mapLargeArrays: r.mapLargeArrays ?? Math.ceil(r.expectedRows / threads) >= MAPPED_SHARE_ROWS,
  };
  const warn = r.warn ?? ((line: string) => void process.stderr.write(`${line}\n`));
  // Workers start first, so their start-up overlaps the main thread's first pieces.
  const script = threads > 1 ? (r.workerScript ?? workerScriptOrWarn(warn)) : undefined;
  const workers: StartedWorker[] = [];
  for (let t = 1; script !== undefined && t < threads; t++) workers.push(startWorker(script, plan, t));
  try {
    return await readWithWorkers(r, plan, pieces, threads, workers, warn);
  } finally {
    // Each worker exits once it has posted its share (or failed): wait, so none outlives the read.
    const codes = await Promise.all(workers.map((w) => w.exited));
    r.onWorkersExited?.(codes);
  }
}

/**
 * The workers' script, or undefined when it cannot be built (esbuild missing or failing; said on `warn`): the main
 * thread then reads every piece itself, which gives the same table, only later.
 */
function workerScriptOrWarn(warn: (line: string) => void): WorkerScript | undefined {
  try {
    return workerScript('src/collect/read_worker.ts');
  } catch (err) {
    warn(`bankseg: reading on one thread: the worker threads' code could not be built (${oneLine(err)})`);
    return undefined;
  }
}

/**
 * The pieces not in any record, up to the first piece a reader stopped in (after it nothing is needed): those a
 * failed worker claimed, whether or not it got as far as marking them its own. O(pieces).
 */
function unread(pieces: number, records: readonly PieceRecord[], stop: number): number[] {
  const read = new Uint8Array(pieces);
  for (const r of records) read[r.piece] = 1;
  const missing: number[] = [];
  for (let p = 0; p < pieces && p <= stop; p++) if (read[p] === 0) missing.push(p);
  return missing;
}

/** The main thread's part of readParallel once the workers are started: its pieces, the orphans, the merge. */
async function readWithWorkers(r: ParallelRead, plan: PiecePlan, pieces: number, threads: number, workers: readonly StartedWorker[], warn: (line: string) => void): Promise<TransactionTable> {
  if (r.waitForWorkers) await Promise.all(workers.map((w) => w.ready));
  // As the workers do (read_worker.ts), for the main thread's share (its reader, its customers' numbering), until the
  // table is assembled; the merge's own columns are the table's, kept (not mapped).
  mapLargeArrays(plan.mapLargeArrays === true);
  try {
    return await readAndMerge(r, plan, pieces, threads, workers, warn);
  } finally {
    mapLargeArrays(false);
  }
}

/** readWithWorkers once the workers are ready: the main thread's pieces, the orphans, the merge. */
async function readAndMerge(r: ParallelRead, plan: PiecePlan, pieces: number, threads: number, workers: readonly StartedWorker[], warn: (line: string) => void): Promise<TransactionTable> {
  const shown = progress(`reading ${r.file}`);
  const control = new Int32Array(plan.control);
  const claimed = () => {
    const cell = Atomics.load(control, CLAIMS);
    return pieces - ((cell >>> 16) - (cell & 0xffff));
  };
  const main = new RowReader(r.file, r.layout, r.strict, plan.expectedRows, MALFORMED_EXAMPLES);
  const records = readPieces(plan, main, 0, { onPiece: () => shown.update(claimed(), pieces) });
  // Number the main thread's customers while the workers finish theirs.
  let mainShare = shareOf(main, records, true);
  const outcomes = await Promise.all(workers.map((w) => w.outcome));
  const workerShares: Share[] = [];
  outcomes.forEach((o, k) => {
    if ('share' in o) workerShares.push(o.share);
    else warn(`bankseg: reading thread ${k + 1} of ${threads} failed (${o.failed}); the main thread read its part of ${r.file}`);
  });
  // The pieces no share holds (a failed worker's) are read here: a bug in the row code then shows as itself.
  const orphans = unread(pieces, [...records, ...workerShares.flatMap((s) => s.records)], Atomics.load(control, STOP));
  if (orphans.length > 0) {
    records.push(...readPieces(plan, main, 0, { only: orphans }));
    for (const p of orphans) Atomics.store(control, OWNER + p, 1);
    mainShare = shareOf(main, records, true);
  }
  if (r.onPieces) r.onPieces(Array.from({ length: pieces }, (_, p) => Math.max(0, Atomics.load(control, OWNER + p) - 1)));
  main.release(); // its columns are mainShare's now, and the merge frees each once copied
  const shares = [mainShare, ...workerShares];
  const table = assembleTable(r.file, r.headerLine, shares, main.otherCustomers, pieces);
  shown.finish(`${table.rows.toLocaleString('en-US')} rows, ${shares.length} threads`);
  return table;
}
