/**
 * The stage cache: each pipeline stage's result written once as columnar files, so a notebook (or a command)
 * starts from its predecessor's result in about a second instead of re-reading a million CSV rows.
 *
 * Layout (cookiecutter-data-science): `data/raw/` is never written here;
 *   data/interim/load-<hash>/     raw_transactions.arrow, clean_transactions.arrow, manifest.json
 *   data/processed/load-<hash>/   customer_features.arrow, manifest.json
 *   data/processed/segment-<hash>/ segmentation.arrow, manifest.json
 * Files are Apache Arrow IPC (readable by pyarrow/pandas/polars; dictionary columns stay categorical);
 * numbers are typed arrays written and read without per-row work; small nested values ride along as JSON in the
 * Arrow schema metadata.
 *
 * The key is a hash of everything the result depends on: the input (real path + size + mtime), the parameters and
 * the source code of the stages (src/ minus modules that cannot change results), so a changed input, parameter
 * or stage recomputes and a stale result is never served. Entries are written to a temporary directory and
 * renamed into place, so a reader sees a whole entry or none.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { PROJECT_ROOT } from '../config';
import { isFile, loadData } from '../preprocess/load';
import type { LoadedData, LoadOptions } from '../preprocess/load';
import { ensureDefaultData } from '../collect/generate';
import type { CleanTable, DictColumn, QualityReport, TransactionTable } from '../table';
import type { CustomerFeatures } from '../preprocess/feature_registry';
import { FEATURE_NAMES, featureColumns, featureSpec } from '../preprocess/feature_registry';
import { segmentCustomers } from '../segment/index';
import type { SegmentOptions } from '../segment/index';
import type { Segmentation } from '../segment/types';

/** Bump when the file layout changes, so old entries are ignored rather than misread. */
export const CACHE_FORMAT = 1;

/** How many entries of each kind (load, segment) to keep in each folder; older ones are removed. */
const KEEP_ENTRIES = 3;

/** Where the cache lives and whether to use it. */
export interface CacheOptions {
  /** Folder holding `data/interim` and `data/processed` (default: the root of this clone). */
  readonly root?: string;
  /** Recompute and overwrite even when an entry exists. */
  readonly refresh?: boolean;
}

/** What the cache did for one call. */
export interface CacheStatus {
  /** True when the result was read from disk. */
  readonly hit: boolean;
  /** Entry name, e.g. `load-3f2a…`; empty when the source is not cacheable (a database). */
  readonly key: string;
  /** Entry folders, relative to the root. */
  readonly dirs: readonly string[];
  /** Wall time of the call. */
  readonly seconds: number;
  /** Why the cache was not used, if it was not. */
  readonly note?: string;
}

export type CachedLoad = LoadedData & { readonly cache: CacheStatus };
export type CachedSegmentation = Segmentation & { readonly cache: CacheStatus };

const DEFAULT_ROOT = PROJECT_ROOT;

// ---------------------------------------------------------------------------------------------------------------
// The cached stages.

/**
 * `loadData(opts)` (read → clean → features), from the cache when the same input, options and stage code were
 * seen before. A database source (`url`) is not cached (its contents can change without a trace), so it is
 * always read. On a hit the clean table and the features are decoded at once (O(n) copies at most, usually
 * none) and the raw table only when `.raw` is first used.
 */
export async function cachedLoad(opts: LoadOptions = {}, cache: CacheOptions = {}): Promise<CachedLoad> {
  const start = Date.now();
  const root = cache.root ?? DEFAULT_ROOT;
  if (opts.url) {
    const data = await loadData(opts);
    return { ...data, cache: { hit: false, key: '', dirs: [], seconds: elapsed(start), note: 'database sources are not cached' } };
  }
  const input = opts.input ?? (await ensureDefaultData());
  if (!isFile(input)) {
    // Let the reader say what is wrong, in its one-line form ("x.csv: no such file").
    const data = await loadData({ ...opts, input });
    return { ...data, cache: { hit: false, key: '', dirs: [], seconds: elapsed(start), note: 'input is not a regular file' } };
  }
  const key = loadKey(input, opts);
  const interim = path.join(root, 'data', 'interim', key);
  const processed = path.join(root, 'data', 'processed', key);
  const dirs = [path.relative(root, interim), path.relative(root, processed)];

  if (!cache.refresh && isEntry(interim, key) && isEntry(processed, key)) {
    const data = decodeLoaded(interim, processed);
    return withStatus(data, { hit: true, key, dirs, seconds: elapsed(start) });
  }
  const data = await loadData({ ...opts, input });
  const manifest = { kind: 'load', key, input: fileIdentity(input), options: loadParameters(opts), computeSeconds: elapsed(start) };
  writeEntry(interim, key, manifest, {
    'raw_transactions.arrow': encodeRaw(data.raw),
    'clean_transactions.arrow': encodeClean(data.clean, data.quality),
  });
  writeEntry(processed, key, manifest, { 'customer_features.arrow': encodeFeatures(data.features) });
  return { ...data, cache: { hit: false, key, dirs, seconds: elapsed(start) } };
}

/**
 * `segmentCustomers(features, opts)`, from the cache when the same features (by content: an O(n) hash of every
 * column, ~0.1 s for 900k customers), options and stage code were seen before. Callbacks in `opts` (progress)
 * do not take part in the key.
 */
export function cachedSegmentation(features: CustomerFeatures, opts: SegmentOptions = {}, cache: CacheOptions = {}): Promise<CachedSegmentation> {
  return cachedSegmentationWith(features, opts, segmentCustomers, cache);
}

/** `cachedSegmentation` with the segmentation function given (tests pass a stub); options are keyed by their JSON. */
export async function cachedSegmentationWith<O>(
  features: CustomerFeatures,
  opts: O,
  compute: (features: CustomerFeatures, opts: O) => Segmentation | Promise<Segmentation>,
  cache: CacheOptions = {},
): Promise<CachedSegmentation> {
  const start = Date.now();
  const root = cache.root ?? DEFAULT_ROOT;
  const key = `segment-${hashOf([CACHE_FORMAT, featuresDigest(features), toJson(opts ?? null), codeVersion()])}`;
  const dir = path.join(root, 'data', 'processed', key);
  const dirs = [path.relative(root, dir)];
  if (!cache.refresh && isEntry(dir, key)) {
    const seg = decodeSegmentation(fs.readFileSync(path.join(dir, 'segmentation.arrow')));
    return { ...seg, cache: { hit: true, key, dirs, seconds: elapsed(start) } };
  }
  const seg = await compute(features, opts);
  const manifest = { kind: 'segment', key, features: features.n, options: opts ?? null, computeSeconds: elapsed(start) };
  writeEntry(dir, key, manifest, { 'segmentation.arrow': encodeSegmentation(seg) });
  return { ...seg, cache: { hit: false, key, dirs, seconds: elapsed(start) } };
}

const elapsed = (start: number): number => (Date.now() - start) / 1000;

function withStatus(data: LoadedData, cache: CacheStatus): CachedLoad {
  // Keep `raw` lazy: spreading would run the getter.
  return Object.defineProperties({ cache }, Object.getOwnPropertyDescriptors(data)) as CachedLoad;
}

// ---------------------------------------------------------------------------------------------------------------
// Keys.

/** The options of `loadData` that change its result (the input is keyed separately). */
function loadParameters(opts: LoadOptions): Record<string, unknown> {
  return { strict: opts.strict ?? false, capQuantile: opts.capQuantile ?? null, topLocations: opts.topLocations ?? null };
}

/** The load entry's name for an input file and options. O(1) file system calls + O(size of src/) for the code hash. */
export function loadKey(input: string, opts: LoadOptions): string {
  return `load-${hashOf([CACHE_FORMAT, fileIdentity(input), loadParameters(opts), codeVersion()])}`;
}

/** Real path, size and modification time of a file: changes whenever the file is replaced or rewritten. */
export function fileIdentity(file: string): { path: string; size: number; mtimeMs: number } {
  const real = fs.realpathSync(file);
  const st = fs.statSync(real);
  return { path: real, size: st.size, mtimeMs: st.mtimeMs };
}

/** First 16 hex digits of the SHA-256 of the JSON of `parts`. O(size of the JSON). */
export function hashOf(parts: unknown): string {
  return crypto.createHash('sha256').update(toJson(parts)).digest('hex').slice(0, 16);
}

// Modules that cannot change a cached result (paths under src/): presentation and figure export, the notebook
// helpers, the cache itself and progress lines, the CLI, and the database source (database reads are never cached).
const CODE_EXCLUDED = new Set(['cli', 'collect/db', 'visualize', 'notebook', 'io']);

/**
 * A hash of the stage source code: every .ts file under this clone's src/ except presentation modules. Editing a
 * stage therefore invalidates its cached results. O(total size of those files), a few milliseconds.
 */
export function codeVersion(): string {
  const srcDir = path.join(DEFAULT_ROOT, 'src');
  const hash = crypto.createHash('sha256');
  const walk = (dir: string, rel: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const name of fs.readdirSync(dir).sort()) {
      const relName = rel ? `${rel}/${name}` : name;
      if (CODE_EXCLUDED.has(relName)) continue;
      const full = path.join(dir, name);
      if (fs.statSync(full).isDirectory()) walk(full, relName);
      else if (name.endsWith('.ts')) hash.update(relName).update('\0').update(fs.readFileSync(full)).update('\0');
    }
  };
  walk(srcDir, '');
  return hash.digest('hex').slice(0, 16);
}

/** A hash of every value of the customer features (typed-array bytes, ids, dictionaries). O(n). */
export function featuresDigest(f: CustomerFeatures): string {
  const hash = crypto.createHash('sha256');
  const bytes = (a: ArrayBufferView) => hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  const dict = (d: DictColumn) => {
    bytes(d.codes);
    hash.update(d.values.join('\0')).update('\u0001');
  };
  hash.update(`${f.n}\0${f.endDate}\0`).update(f.customerId.join('\0')).update('\u0001');
  for (const name of FEATURE_NAMES) {
    const column = f[name];
    if (column instanceof Float64Array) bytes(column);
    else dict(column);
  }
  return hash.digest('hex');
}

// ---------------------------------------------------------------------------------------------------------------
// Entries on disk.

function isEntry(dir: string, key: string): boolean {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { key?: string; format?: number };
    return manifest.key === key && manifest.format === CACHE_FORMAT;
  } catch {
    return false;
  }
}

/** Writes `files` + manifest.json into a temporary sibling folder, then renames it to `dir` (replacing it). */
function writeEntry(dir: string, key: string, manifest: Record<string, unknown>, files: Record<string, Uint8Array>): void {
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.tmp-${key}-`));
  try {
    fs.chmodSync(tmp, 0o755); // mkdtemp makes it private; the cache is as readable as the rest of data/
    const sizes: Record<string, number> = {};
    for (const [name, bytes] of Object.entries(files)) {
      fs.writeFileSync(path.join(tmp, name), bytes);
      sizes[name] = bytes.byteLength;
    }
    const full = { ...manifest, format: CACHE_FORMAT, key, createdAt: new Date().toISOString(), files: sizes };
    fs.writeFileSync(path.join(tmp, 'manifest.json'), toJson(full, 2) + '\n');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  pruneEntries(parent, key.slice(0, key.indexOf('-') + 1), KEEP_ENTRIES);
}

/** Removes all but the `keep` most recently written entries whose name starts with `prefix`. */
function pruneEntries(parent: string, prefix: string, keep: number): void {
  const entries = fs
    .readdirSync(parent)
    .filter((name) => name.startsWith(prefix))
    .map((name) => ({ name, mtime: fs.statSync(path.join(parent, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of entries.slice(keep)) fs.rmSync(path.join(parent, old.name), { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------------------------
// Stage tables ↔ Arrow IPC.

function encodeRaw(t: TransactionTable): Uint8Array {
  return encodeTable(
    {
      transactionId: t.transactionId,
      customerId: t.customerId,
      customerDob: t.customerDob,
      custGender: t.custGender,
      custLocation: t.custLocation,
      custAccountBalance: t.custAccountBalance,
      transactionDate: t.transactionDate,
      transactionTime: t.transactionTime,
      transactionAmount: t.transactionAmount,
    },
    { source: t.source, malformed: t.malformed },
  );
}

function decodeRaw(bytes: Uint8Array): TransactionTable {
  const t = decodeTable(bytes);
  const meta = t.meta as { source: string; malformed: TransactionTable['malformed'] };
  return {
    source: meta.source,
    rows: t.rows,
    transactionId: t.strings('transactionId'),
    customerId: t.dict('customerId'),
    customerDob: t.dict('customerDob'),
    custGender: t.dict('custGender'),
    custLocation: t.dict('custLocation'),
    custAccountBalance: t.f64('custAccountBalance'),
    transactionDate: t.i32('transactionDate'),
    transactionTime: t.i32('transactionTime'),
    transactionAmount: t.f64('transactionAmount'),
    malformed: meta.malformed,
  };
}

function encodeClean(c: CleanTable, quality: QualityReport): Uint8Array {
  return encodeTable(
    {
      customer: { codes: c.customer, values: c.customerIds },
      date: c.date,
      time: c.time,
      amount: c.amount,
      balance: c.balance,
      age: c.age,
      gender: c.gender,
      location: c.location,
    },
    { quality },
  );
}

function decodeClean(bytes: Uint8Array): { clean: CleanTable; quality: QualityReport } {
  const t = decodeTable(bytes);
  const customer = t.dict('customer');
  const clean: CleanTable = {
    rows: t.rows,
    customer: customer.codes,
    customerIds: customer.values,
    date: t.i32('date'),
    time: t.i32('time'),
    amount: t.f64('amount'),
    balance: t.f64('balance'),
    age: t.f64('age'),
    gender: t.i8('gender'),
    location: t.dict('location'),
  };
  return { clean, quality: (t.meta as { quality: QualityReport }).quality };
}

function encodeFeatures(f: CustomerFeatures): Uint8Array {
  return encodeTable(
    featureColumns(f),
    { endDate: f.endDate },
  );
}

function decodeFeatures(bytes: Uint8Array): CustomerFeatures {
  const t = decodeTable(bytes);
  // Each registry entry's kind says its column type (categories are dictionaries, the rest Float64Array).
  const columns = Object.fromEntries(FEATURE_NAMES.map((name) => [name, featureSpec(name).kind === 'category' ? t.dict(name) : t.f64(name)]));
  const meta = t.meta as { endDate: number };
  return { n: t.rows, customerId: t.strings('customerId'), ...columns, endDate: meta.endDate } as unknown as CustomerFeatures;
}

function decodeLoaded(interim: string, processed: string): LoadedData {
  const { clean, quality } = decodeClean(fs.readFileSync(path.join(interim, 'clean_transactions.arrow')));
  const features = decodeFeatures(fs.readFileSync(path.join(processed, 'customer_features.arrow')));
  let raw: TransactionTable | undefined;
  const rawPath = path.join(interim, 'raw_transactions.arrow');
  return {
    clean,
    quality,
    features,
    // Decoded on first use: 1M transaction ids are the slowest column and most steps never look at them.
    get raw(): TransactionTable {
      return (raw ??= decodeRaw(fs.readFileSync(rawPath)));
    },
  };
}

/** The segmentation as one row per customer (segment label, z coordinates); everything small in the metadata. */
export function encodeSegmentation(seg: Segmentation): Uint8Array {
  const { n, d, features } = seg.space;
  const columns: Record<string, ColumnValue> = { segment: seg.fit.labels };
  for (let j = 0; j < d; j++) {
    const z = new Float64Array(n);
    for (let i = 0; i < n; i++) z[i] = seg.space.X[i * d + j];
    columns[`z_${features[j]}`] = z;
  }
  const meta = { ...seg, space: { ...seg.space, X: null }, fit: { ...seg.fit, labels: null } };
  return encodeTable(columns, meta);
}

/** Inverse of `encodeSegmentation`. O(n·d). */
export function decodeSegmentation(bytes: Uint8Array): Segmentation {
  const t = decodeTable(bytes);
  const meta = t.meta as Segmentation;
  const { n, d, features } = meta.space;
  const X = new Float64Array(n * d);
  for (let j = 0; j < d; j++) {
    const z = t.f64(`z_${features[j]}`);
    for (let i = 0; i < n; i++) X[i * d + j] = z[i];
  }
  return { ...meta, space: { ...meta.space, X }, fit: { ...meta.fit, labels: t.i32('segment') } };
}

// ---------------------------------------------------------------------------------------------------------------
// Columns ↔ Arrow. Numbers map to Float64/Int32/Int8 (NaN kept as NaN), string arrays to Utf8, dictionary
// columns to Dictionary<Utf8, Int32> with code -1 as null.

export type ColumnValue = Float64Array | Int32Array | Int8Array | readonly string[] | DictColumn;

const META_KEY = 'bankseg';
const EMPTY_DICTS_KEY = 'bankseg.empty-dictionaries';

/** An Arrow IPC file (one record batch) of equal-length columns, with `meta` as JSON in the schema metadata. O(n). */
export function encodeTable(columns: Record<string, ColumnValue>, meta: unknown): Uint8Array {
  const vectors: Record<string, arrow.Vector> = {};
  let rows = -1;
  for (const [name, col] of Object.entries(columns)) {
    const v = toVector(col);
    if (rows >= 0 && v.length !== rows) throw new RangeError(`column ${name} has ${v.length} rows, expected ${rows}`);
    rows = v.length;
    vectors[name] = v;
  }
  const table = new arrow.Table(vectors);
  const metadata = new Map([[META_KEY, toJson(meta)]]);
  // An IPC file with no rows has no record batch, so no dictionary batch: keep the dictionaries in the metadata.
  if (rows === 0) {
    const dicts = Object.fromEntries(Object.entries(columns).filter(([, c]) => isDict(c)).map(([name, c]) => [name, (c as DictColumn).values]));
    metadata.set(EMPTY_DICTS_KEY, JSON.stringify(dicts));
  }
  const schema = new arrow.Schema(table.schema.fields, metadata);
  return arrow.tableToIPC(new arrow.Table(schema, table.batches), 'file');
}

/** Reads typed columns back from `encodeTable`'s bytes; numeric columns are views when aligned (no copy). */
export interface DecodedTable {
  readonly rows: number;
  readonly meta: unknown;
  f64(name: string): Float64Array;
  i32(name: string): Int32Array;
  i8(name: string): Int8Array;
  strings(name: string): string[];
  dict(name: string): DictColumn;
}

export function decodeTable(bytes: Uint8Array): DecodedTable {
  const table = arrow.tableFromIPC(bytes);
  const column = (name: string): arrow.Data => {
    const v = table.getChild(name);
    if (!v) throw new Error(`cache file has no column "${name}"`);
    if (v.data.length > 1) throw new Error(`cache column "${name}" has ${v.data.length} chunks, expected 1`);
    return v.data[0];
  };
  const numbers = <T extends Float64Array | Int32Array | Int8Array>(name: string, ctor: new (n: number) => T): T => {
    const values = column(name).values as T;
    if (!(values instanceof ctor)) throw new Error(`cache column "${name}" is not a ${ctor.name}`);
    return values.length === table.numRows ? values : (values.subarray(0, table.numRows) as T);
  };
  return {
    rows: table.numRows,
    meta: fromJson(table.schema.metadata.get(META_KEY) ?? 'null'),
    f64: (name) => numbers(name, Float64Array),
    i32: (name) => numbers(name, Int32Array),
    i8: (name) => numbers(name, Int8Array),
    strings: (name) => decodeUtf8(column(name)),
    dict: (name) => {
      if (table.numRows > 0) return decodeDict(column(name));
      column(name); // still fail on an unknown name
      const dicts = JSON.parse(table.schema.metadata.get(EMPTY_DICTS_KEY) ?? '{}') as Record<string, string[]>;
      return { codes: new Int32Array(0), values: dicts[name] ?? [] };
    },
  };
}

function isDict(col: ColumnValue): col is DictColumn {
  return !Array.isArray(col) && !ArrayBuffer.isView(col);
}

function toVector(col: ColumnValue): arrow.Vector {
  if (col instanceof Float64Array || col instanceof Int32Array || col instanceof Int8Array) return arrow.makeVector(col);
  if (isDict(col)) return arrow.makeVector(encodeDict(col));
  return arrow.makeVector(encodeUtf8(col as readonly string[]));
}

/** Utf8 data from strings: one join and one encode (per-string byte lengths only when not all ASCII). O(total length). */
function encodeUtf8(strings: readonly string[]): arrow.Data<arrow.Utf8> {
  const joined = strings.join('');
  const data = Buffer.from(joined, 'utf8');
  const ascii = data.length === joined.length;
  const valueOffsets = new Int32Array(strings.length + 1);
  for (let i = 0; i < strings.length; i++) {
    valueOffsets[i + 1] = valueOffsets[i] + (ascii ? strings[i].length : Buffer.byteLength(strings[i], 'utf8'));
  }
  return arrow.makeData({ type: new arrow.Utf8(), length: strings.length, nullCount: 0, valueOffsets, data });
}

/** Strings from Utf8 data: decode the bytes once and slice when ASCII, else decode each value. O(total length). */
function decodeUtf8(data: arrow.Data): string[] {
  const offsets = data.valueOffsets as Int32Array;
  const bytes = data.values as Uint8Array;
  const n = data.length;
  if (n === 0) return [];
  const out = new Array<string>(n);
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = offsets[0];
  const all = buf.toString('latin1', start, offsets[n]);
  let ascii = true;
  for (let i = start; i < offsets[n]; i++) {
    if (bytes[i] > 0x7f) {
      ascii = false;
      break;
    }
  }
  for (let i = 0; i < n; i++) {
    out[i] = ascii ? all.slice(offsets[i] - start, offsets[i + 1] - start) : buf.toString('utf8', offsets[i], offsets[i + 1]);
  }
  return out;
}

function encodeDict(col: DictColumn): arrow.Data {
  const n = col.codes.length;
  const indices = new Int32Array(n);
  const validity = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const c = col.codes[i];
    if (c < 0) nulls++;
    else {
      indices[i] = c;
      validity[i >> 3] |= 1 << (i & 7);
    }
  }
  const dictionary = arrow.makeVector(encodeUtf8(col.values));
  const type = new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
  return arrow.makeData({ type, length: n, nullCount: nulls, nullBitmap: nulls > 0 ? validity : null, data: indices, dictionary });
}

function decodeDict(data: arrow.Data): DictColumn {
  const n = data.length;
  const indices = data.values as Int32Array;
  const codes = new Int32Array(n);
  codes.set(indices.subarray(0, n));
  if (data.nullCount > 0) {
    const bitmap = data.nullBitmap as Uint8Array;
    for (let i = 0; i < n; i++) if ((bitmap[i >> 3] & (1 << (i & 7))) === 0) codes[i] = -1;
  }
  const dictionary = data.dictionary;
  const values = dictionary && dictionary.length > 0 ? decodeUtf8(dictionary.data[0]) : [];
  return { codes, values };
}

// ---------------------------------------------------------------------------------------------------------------
// JSON that keeps typed arrays and non-finite numbers (NaN = missing throughout the project).

/** JSON text of `value` with typed arrays tagged `{"$typed": "Float64Array", "values": [...]}` and NaN/±Infinity as `{"$num": "NaN"}`. */
export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === 'number' && !Number.isFinite(v)) return { $num: String(v) };
      if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
        return { $typed: v.constructor.name, values: Array.from(v as unknown as ArrayLike<number>) };
      }
      return v;
    },
    indent,
  );
}

const TYPED: Record<string, new (values: number[]) => ArrayBufferView> = {
  Float64Array,
  Float32Array,
  Int32Array,
  Int16Array,
  Int8Array,
  Uint32Array,
  Uint16Array,
  Uint8Array,
};

/** Inverse of `toJson`. */
export function fromJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as { $num?: string; $typed?: string; values?: number[] };
      if (typeof o.$num === 'string' && Object.keys(o).length === 1) return Number(o.$num);
      if (typeof o.$typed === 'string' && TYPED[o.$typed] && Array.isArray(o.values)) return new TYPED[o.$typed](o.values);
    }
    return v;
  });
}
