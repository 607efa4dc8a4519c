/**
 * Reads `bank_transactions.csv` into a columnar TransactionTable. The reading rules (columns, missing values,
 * malformed rows) are section 1 of docs/data-model.md; the row code is src/collect/rows.ts.
 *
 * Two paths, one result (tests check the tables are identical, field by field):
 * - **parallel** (src/collect/parallel.ts): a plain UTF-8 file of at least PARALLEL_MIN_BYTES, when more than one
 *   core is free (defaultThreads). Several threads read pieces of the file at once; the main thread merges them.
 * - **streaming** (here): everything else: gzip (detected by its magic bytes, not the name), a pipe or FIFO,
 *   UTF-16, a small file, or `threads: 1`. One pass front to back over 1 MiB chunks; memory is the table plus one
 *   chunk, so a file of any size (or a stream with no size) is read without holding it.
 */
import * as fs from 'node:fs';
import { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import * as zlib from 'node:zlib';
import { InputError } from '../errors';
import { progress } from '../io/progress';
import { freeThreads } from '../io/threads';
import { SOURCE_COLUMNS, SourceColumn, TransactionTable } from '../table';
import { formatMalformed, MALFORMED_EXAMPLES } from './columns';
import { CsvSplitter, FieldSpans, fieldText, LineProblem, MAX_ROW_CHARS, RowTooLongError, Utf8Lines } from './csv';
import { assembleTable } from './merge';
import { DEFAULT_PIECE_BYTES, PARALLEL_MIN_BYTES, readParallel, shareOf } from './parallel';
import { ColumnLayout, MalformedRowStop, RowReader } from './rows';
import type { WorkerScript } from '../io/worker_script';

export { formatMalformed, MALFORMED_EXAMPLES } from './columns';

export interface ReadOptions {
  /** Throw an InputError at the first malformed row (in file order) instead of skipping and counting it. */
  readonly strict?: boolean;
  /**
   * Threads for the parallel path; 1 reads on the streaming path. Default: `defaultThreads()`. The result does not
   * depend on it (tests check); for tests and benchmarks.
   */
  readonly threads?: number;
  /** Piece size of the parallel path, in bytes (default DEFAULT_PIECE_BYTES; tests use tiny pieces). */
  readonly pieceBytes?: number;
  /** Smallest file read on the parallel path (default PARALLEL_MIN_BYTES; tests use 0). */
  readonly parallelMinBytes?: number;
  /** Parallel path, for tests: the main thread starts once the workers read (so they certainly take part). */
  readonly waitForWorkers?: boolean;
  /** Parallel path, for tests: the workers map their large arrays (io/mapped.ts) whatever their share's size. */
  readonly mapLargeArrays?: boolean;
  /** Parallel path, for tests and benchmarks: told which thread read each piece (0: the main thread). */
  readonly onPieces?: (owners: readonly number[]) => void;
  /** Parallel path, for tests: told the workers' exit codes once every worker has exited (before the read settles). */
  readonly onWorkersExited?: (codes: readonly number[]) => void;
  /** Parallel path, for tests: the workers run this script instead of the reader's (one that crashes, say). */
  readonly workerScript?: WorkerScript;
  /** Parallel path: where the line about a failed worker thread goes (default: stderr). */
  readonly warn?: (line: string) => void;
}

/** More threads than this gain nothing here: the merge on the main thread and memory bandwidth dominate. */
const MAX_THREADS = 4;

/**
 * The threads worth starting for a read now: the free cores (io/threads.ts), at most MAX_THREADS.
 * `BANKSEG_READ_THREADS=N` (or `BANKSEG_THREADS=N`, every stage) decides instead.
 */
export function defaultThreads(): number {
  return freeThreads(MAX_THREADS, ['BANKSEG_READ_THREADS']);
}

const CHUNK_BYTES = 1 << 20;
const GZIP = [0x1f, 0x8b];
const UTF8_BOM = [0xef, 0xbb, 0xbf];

/**
 * Reads the transactions file at `path` into typed columns, in file order. O(file size) time. Text columns are
 * dictionary-encoded (codes in order of first appearance), each distinct date text is parsed once. Malformed rows
 * are skipped and counted, the first MALFORMED_EXAMPLES kept (or, with `strict`, the first one throws).
 * Throws InputError (one line) for a missing, empty, headerless or unreadable file.
 */
export async function readTransactions(path: string, opts: ReadOptions = {}): Promise<TransactionTable> {
  const kind = await checkSource(path);
  const strict = opts.strict === true;
  const threads = opts.threads ?? defaultThreads();
  if (kind.regular && threads > 1 && kind.size >= (opts.parallelMinBytes ?? PARALLEL_MIN_BYTES)) {
    const head = readHead(path, kind.size);
    if (head !== undefined) {
      const table = await readParallel({
        file: path,
        layout: columnLayout(path, head.names, head.headerLine),
        strict,
        headerLine: head.headerLine,
        dataStart: head.dataStart,
        size: kind.size,
        threads,
        pieceBytes: opts.pieceBytes ?? DEFAULT_PIECE_BYTES,
        expectedRows: expectedRows(kind.size, false),
        waitForWorkers: opts.waitForWorkers,
        mapLargeArrays: opts.mapLargeArrays,
        onPieces: opts.onPieces,
        onWorkersExited: opts.onWorkersExited,
        workerScript: opts.workerScript,
        warn: opts.warn,
      });
      return checked(path, table);
    }
  }
  return checked(path, await readStreaming(path, kind, strict));
}

/** What `path` is: a regular file with its size, or something read as a stream (a FIFO, /dev/stdin). */
interface SourceKind {
  readonly regular: boolean;
  /** Bytes; 0 when unknown (a pipe). */
  readonly size: number;
}

/** Stats `path`, or throws an InputError saying why it cannot be read. */
async function checkSource(path: string): Promise<SourceKind> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${path}: no such file`);
    if (code === 'EACCES') throw new InputError(`${path}: permission denied`);
    throw new InputError(`${path}: ${(err as Error).message}`);
  }
  if (stat.isDirectory()) throw new InputError(`${path}: is a directory, not a file`);
  if (stat.isFile()) {
    if (stat.size === 0) throw new InputError(`${path}: file is empty`);
    return { regular: true, size: stat.size };
  }
  // A pipe or FIFO (`--input <(zcat f.gz)`, `mkfifo`) or a character device has no size: read it as a stream.
  if (stat.isFIFO() || stat.isCharacterDevice()) return { regular: false, size: 0 };
  throw new InputError(`${path}: not a file or a pipe`);
}

/** The table, unless it has no rows: then an InputError that says why. */
function checked(path: string, table: TransactionTable): TransactionTable {
  if (table.rows > 0) return table;
  const first = table.malformed.examples[0];
  if (first === undefined) throw new InputError(`${path}: no data rows (only a header)`);
  throw new InputError(`${path}: no valid rows (${table.malformed.count} malformed; first: ${formatMalformed(first)})`);
}

/**
 * A generous guess of the row count from the file size (rows of the real file take ~70 bytes, ~25 gzipped),
 * so the columns and the customer dictionary are allocated once instead of grown by doubling.
 * Capped, so a huge file does not reserve memory it may never use; beyond the cap the columns grow.
 */
function expectedRows(bytes: number, gzip: boolean): number {
  return Math.min(Math.ceil(bytes / (gzip ? 20 : 56)), 1 << 22);
}

// ---------------------------------------------------------------------------------------------------------------
// The header

/** Where each source column is, from the header's field names. Throws InputError for a lacking or repeated column. */
export function columnLayout(file: string, names: readonly string[], line: number): ColumnLayout {
  const index = SOURCE_COLUMNS.map((c) => names.indexOf(c));
  const lacking = SOURCE_COLUMNS.filter((_, k) => index[k] < 0);
  if (lacking.length > 0) {
    // A UTF-16 file without a byte order mark reads as text with a NUL between the characters.
    const hint = names.some((n) => n.includes('\0')) ? '; the file looks like UTF-16 without a byte order mark: save it as UTF-8' : '';
    throw new InputError(`${file}: header lacks column(s) ${lacking.join(', ')} (expected: ${SOURCE_COLUMNS.join(', ')})${hint}`);
  }
  // A repeated column is ambiguous (which one holds the data?): refused rather than picking one. Repeats of columns
  // this reader ignores do not matter.
  for (const c of SOURCE_COLUMNS) {
    const at = names.indexOf(c);
    const again = names.indexOf(c, at + 1);
    if (again >= 0) throw new InputError(`${file}:${line}: header has column ${c} twice (fields ${at + 1} and ${again + 1})`);
  }
  const at = (c: SourceColumn) => index[SOURCE_COLUMNS.indexOf(c)];
  return {
    fieldCount: names.length,
    id: at('TransactionID'),
    customer: at('CustomerID'),
    dob: at('CustomerDOB'),
    gender: at('CustGender'),
    location: at('CustLocation'),
    balance: at('CustAccountBalance'),
    date: at('TransactionDate'),
    time: at('TransactionTime'),
    amount: at('TransactionAmount (INR)'),
  };
}

/** The header's field names (unquoted, trimmed), or an InputError for a header with a stray or unclosed quote. */
function headerNames(file: string, text: string, spans: FieldSpans, line: number): string[] {
  if (spans.problem !== LineProblem.None) throw new InputError(`${file}:${line}: header has an unclosed or stray quote`);
  const names: string[] = [];
  for (let i = 0; i < spans.count; i++) names.push(fieldText(text, spans, i));
  return names;
}

/** A plain file's header, found by reading its first bytes (for the parallel path). */
interface Head {
  readonly names: string[];
  readonly headerLine: number;
  /** Byte offset of the first data line. */
  readonly dataStart: number;
}

/**
 * The header of a plain UTF-8 file from its first bytes, or undefined when the file must go the streaming way
 * (gzip, UTF-16, or no header line within the first MAX_ROW_CHARS bytes: the streaming path words those cases).
 */
function readHead(path: string, size: number): Head | undefined {
  const fd = fs.openSync(path, 'r');
  let bytes: Buffer;
  try {
    const buffer = Buffer.allocUnsafe(Math.min(size, MAX_ROW_CHARS + 4));
    bytes = buffer.subarray(0, fs.readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    fs.closeSync(fd);
  }
  if (startsWith(bytes, GZIP) || utf16(bytes) !== undefined) return undefined;
  const bom = startsWith(bytes, UTF8_BOM) ? 3 : 0;
  const end = bytes.lastIndexOf(10) + 1;
  if (end <= bom) return undefined;
  const text = bytes.toString('utf8', bom, end);
  let head: Head | undefined;
  const splitter = new CsvSplitter((t, spans, line) => {
    if (head !== undefined) return;
    const lineEnd = t.indexOf('\n', spans.rowEnd);
    head = { names: headerNames(path, t, spans, line), headerLine: line, dataStart: bom + Buffer.byteLength(t.slice(0, lineEnd + 1)) };
  });
  try {
    splitter.push(text);
  } catch (err) {
    if (err instanceof RowTooLongError) return undefined; // the streaming path says which line
    throw err;
  }
  return head;
}

function startsWith(bytes: Buffer, magic: readonly number[]): boolean {
  return bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);
}

/** The UTF-16 flavour a byte order mark announces, if any. */
function utf16(bytes: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// The streaming path

/**
 * Reads `path` front to back: bytes → (gunzip) → text (UTF-8, or UTF-16 when a byte order mark says so) → rows.
 * O(file size) time; memory is the table plus one chunk.
 */
async function readStreaming(path: string, kind: SourceKind, strict: boolean): Promise<TransactionTable> {
  const file = fs.createReadStream(path, { highWaterMark: CHUNK_BYTES });
  let reader: RowReader | undefined;
  let room = expectedRows(kind.size, false);
  const splitter = new CsvSplitter((text, spans, line) => {
    if (reader !== undefined) return reader.row(text, spans, line);
    const layout = columnLayout(path, headerNames(path, text, spans, line), line);
    reader = new RowReader(path, layout, strict, room, MALFORMED_EXAMPLES);
  });
  const shown = progress(`reading ${path}`);
  let gzip = false;
  try {
    const bytes = await sniff(file);
    gzip = startsWith(bytes.head, GZIP);
    if (gzip) room = expectedRows(kind.size, true);
    const source = gzip ? gunzip(bytes.stream) : bytes.stream;
    for await (const text of decode(source)) {
      splitter.push(text);
      shown.update(file.bytesRead, kind.size || undefined);
    }
    splitter.end();
  } catch (err) {
    file.destroy();
    if (err instanceof InputError) throw err;
    if (err instanceof MalformedRowStop) throw new InputError(formatMalformed(err.row));
    if (err instanceof RowTooLongError) throw new InputError(`${path}:${err.line}: ${err.message}`);
    const message = (err as Error).message;
    if (gzip && (err as NodeJS.ErrnoException).code?.startsWith('Z_')) throw new InputError(`${path}: not a valid gzip file (${message})`);
    throw new InputError(`${path}: ${message}`);
  }
  if (reader === undefined) throw new InputError(`${path}: ${kind.regular ? 'file is empty' : 'no data (the pipe was empty)'}`);
  const r: RowReader = reader;
  shown.finish(`${r.rows.toLocaleString('en-US')} rows`);
  // One piece: the whole file, its line numbers already those of the file.
  const share = shareOf(r, [{ piece: 0, rowStart: 0, rowEnd: r.rows, lines: splitter.nextLine - 1, malformed: r.takeMalformed() }], true);
  return assembleTable(path, 0, [share], r.otherCustomers, 1);
}

/**
 * The first bytes of a stream (at least 3, unless it is shorter) and a stream of all its bytes, those included:
 * enough to recognise gzip and byte order marks without seeking (a pipe cannot seek).
 */
async function sniff(stream: AsyncIterable<Buffer>): Promise<{ head: Buffer; stream: AsyncIterable<Buffer> }> {
  const it = stream[Symbol.asyncIterator]();
  const first: Buffer[] = [];
  let length = 0;
  let done = false;
  while (length < 3) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    first.push(r.value);
    length += r.value.length;
  }
  const head = Buffer.concat(first);
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (let r = await it.next(); !r.done; r = await it.next()) yield r.value;
  }
  return { head, stream: all() };
}

/** The decompressed bytes of a gzip stream. */
function gunzip(bytes: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const input = Readable.from(bytes);
  const output = zlib.createGunzip({ chunkSize: CHUNK_BYTES / 4 });
  input.on('error', (err) => output.destroy(err));
  return input.pipe(output);
}

/**
 * Text pieces that end at line ends (the last one may not): UTF-8 (a byte order mark dropped), or UTF-16 LE/BE
 * when the bytes start with its byte order mark (Excel's "Unicode text" and some exports), decoded as it streams.
 */
async function* decode(bytes: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let lines: Utf8Lines | undefined;
  let utf16Decoder: TextDecoder | undefined;
  let head = Buffer.alloc(0);
  for await (const chunk of bytes) {
    if (lines === undefined && utf16Decoder === undefined) {
      head = head.length === 0 ? chunk : Buffer.concat([head, chunk]);
      if (head.length < 2) continue; // too short to tell
      const flavour = utf16(head);
      if (flavour !== undefined) utf16Decoder = new TextDecoder(flavour); // drops the byte order mark
      else lines = new Utf8Lines();
      yield utf16Decoder !== undefined ? utf16Decoder.decode(head, { stream: true }) : lines!.push(head);
    } else if (utf16Decoder !== undefined) {
      yield utf16Decoder.decode(chunk, { stream: true });
    } else {
      yield lines!.push(chunk);
    }
  }
  if (utf16Decoder !== undefined) yield utf16Decoder.decode();
  else if (lines !== undefined) yield lines.end();
  else if (head.length > 0) yield head.toString('utf8');
}
