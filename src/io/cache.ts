/**
 * The stage cache: a stage's result written once as files, so a notebook (or a command) starts from its
 * predecessor's result in about a second instead of recomputing it (the cached stages: preprocess/load_cache.ts,
 * segment/cached.ts).
 *
 * Layout (cookiecutter-data-science): `data/raw/` is never written here; an entry is a folder
 * `data/interim/<kind>-<hash>/` and/or `data/processed/<kind>-<hash>/` holding the stage's files and a manifest.json.
 * The key hashes everything the result depends on: the inputs (by content, never by name or date), the parameters,
 * and the code the stage runs (the import closure of its module, src/io/code_version.ts). So a changed input,
 * parameter or stage recomputes and a stale result is never served, while an edit elsewhere (a segment-naming rule,
 * a figure) keeps the entry. The manifest holds the SHA-256 of every file of the entry, checked on each read: a
 * damaged entry (a flipped bit, a truncated file, anything that fails to decode) is discarded with one line on
 * stderr and recomputed. Entries are replaced atomically (src/io/atomic.ts): a reader sees a whole entry or none.
 *
 * The entries hold copies of the input's personal data (see the README, "The stage cache"): `bankseg cache clear`
 * (clearCache) removes them, and `--no-cache` / BANKSEG_NO_CACHE=1 (`disabled`) neither reads nor writes any.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cacheDisabled, cacheRoot, PROJECT_ROOT } from '../config';
import { InputError } from '../errors';
import { replaceDirAtomic } from './atomic';
import { codeVersion } from './code_version';
import { toJson } from './json';
import { processAlive, tempOwner } from './temps';
import { count } from '../format';

/** Bump when the files of an entry change layout, so old entries are ignored rather than misread. */
export const CACHE_FORMAT = 3;

/** The folders (under the root) that hold entries. */
export const CACHE_FOLDERS = ['data/interim', 'data/processed'] as const;

/** How many entries of each kind (load, segment) to keep in each folder; older ones are removed. */
const KEEP_ENTRIES = 3;

/** Where the cache lives and whether to use it. */
export interface CacheOptions {
  /** Folder holding `data/interim` and `data/processed` (default: BANKSEG_CACHE_ROOT, else the root of this clone). */
  readonly root?: string;
  /** Recompute and overwrite even when an entry exists. */
  readonly refresh?: boolean;
  /** Neither read nor write the cache: compute (default: true when BANKSEG_NO_CACHE=1). */
  readonly disabled?: boolean;
  /** The clone whose `src/` is hashed into the keys (default: this one); tests point it at an edited copy. */
  readonly sourceRoot?: string;
  /** Where the one-line warnings go (a damaged entry, an entry that could not be written); default stderr. */
  readonly warn?: (line: string) => void;
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

/** One cacheable stage: how to name, compute, write and read its result. */
export interface Stage<T> {
  /** Entry name prefix, e.g. `load`. */
  readonly kind: string;
  /** The module that computes the result (e.g. `src/preprocess/load.ts`): its import closure is keyed. */
  readonly module: string;
  /** Everything else the result depends on (input identity, parameters, digests of inputs), hashed as JSON. */
  readonly inputs: unknown;
  /** The entry's folders under the root (e.g. `data/interim`), each with the names of the files it holds. */
  readonly folders: Readonly<Record<string, readonly string[]>>;
  /** Recorded in the manifest (not keyed): what was cached from where. */
  readonly manifest: Readonly<Record<string, unknown>>;
  compute(): T | Promise<T>;
  /**
   * Called after `compute`, before the entry is written: false when the inputs changed while they were read (the
   * result may mix old and new), so it is not cached.
   */
  unchanged?(): boolean;
  /** The result as files: folder → file name → bytes (every file of `folders`). */
  encode(result: T): Record<string, Record<string, Uint8Array>>;
  /**
   * The result from the entry: `read(folder, name)` returns a file's bytes, checked against the manifest. A file
   * may be read later, when the result is first used (it is checked again then).
   */
  decode(read: (folder: string, name: string) => Uint8Array): T;
}

/** A stage's result and what the cache did. */
export interface Cached<T> {
  readonly result: T;
  readonly status: CacheStatus;
}

/** The entry name of a stage: its kind and a hash of the format, its inputs and its code. */
export function stageKey(stage: Pick<Stage<unknown>, 'kind' | 'module' | 'inputs'>, sourceRoot = PROJECT_ROOT): string {
  return `${stage.kind}-${hashOf([CACHE_FORMAT, stage.inputs, codeVersion(stage.module, sourceRoot)])}`;
}

/**
 * The stage's result from its entry when there is a complete, undamaged one with the same key, else computed and
 * written. Cost on a hit: reading the files and checking their SHA-256 (~0.15 s per 100 MB) plus hashing the
 * stage's code (milliseconds); on a miss: the stage itself plus encoding and writing its files. A damaged entry is
 * discarded (one line via `warn`) and recomputed; an entry that cannot be written (disk full, read-only) is
 * skipped with one line, and the result is returned all the same.
 */
export async function cachedStage<T>(stage: Stage<T>, cache: CacheOptions = {}): Promise<Cached<T>> {
  const start = Date.now();
  if (cache.disabled ?? cacheDisabled()) {
    const result = await stage.compute();
    return { result, status: { hit: false, key: '', dirs: [], seconds: elapsed(start), note: 'cache disabled' } };
  }
  const root = cache.root ?? cacheRoot();
  const warn = cache.warn ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const key = stageKey(stage, cache.sourceRoot);
  const dirOf = (folder: string) => path.join(root, folder, key);
  const folders = Object.keys(stage.folders);
  const dirs = folders.map((folder) => path.relative(root, dirOf(folder)));
  if (!cache.refresh) {
    const found = readEntry(stage, key, dirOf);
    if (found.ok) return { result: found.result as T, status: { hit: true, key, dirs, seconds: elapsed(start) } };
    if (found.damage) {
      for (const folder of folders) fs.rmSync(dirOf(folder), { recursive: true, force: true });
      warn(`bankseg: cache entry ${dirs.join(' + ')} is damaged (${found.damage}); discarded, recomputing`);
    }
  }
  const result = await stage.compute();
  if (stage.unchanged && !stage.unchanged()) {
    warn(`bankseg: the input changed while it was read; this result is not cached`);
    return { result, status: { hit: false, key, dirs: [], seconds: elapsed(start), note: 'input changed while read' } };
  }
  const files = stage.encode(result);
  const manifest = { kind: stage.kind, key, ...stage.manifest, computeSeconds: elapsed(start) };
  try {
    for (const folder of folders) await writeEntry(dirOf(folder), key, manifest, files[folder]);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    for (const folder of folders) fs.rmSync(dirOf(folder), { recursive: true, force: true });
    warn(`bankseg: ${err.message}; continuing without caching this result`);
    return { result, status: { hit: false, key, dirs: [], seconds: elapsed(start), note: 'not cached: could not write' } };
  }
  return { result, status: { hit: false, key, dirs, seconds: elapsed(start) } };
}

/** An entry read back: `result` when `ok`; `damage` says what is wrong with an entry that exists but cannot be trusted. */
interface Found<T> {
  readonly ok: boolean;
  readonly result?: T;
  readonly damage?: string;
}

/** What the manifest of an entry records about each file. */
interface FileRecord {
  readonly bytes: number;
  readonly sha256: string;
}

/**
 * The stage's result from its entry: every file read and checked against its manifest record before decoding.
 * `damage` says what is wrong with an entry that exists but cannot be trusted; none when there is no entry (or an
 * entry of an older format, which is simply replaced).
 */
function readEntry<T>(stage: Stage<T>, key: string, dirOf: (folder: string) => string): Found<T> {
  const records = new Map<string, FileRecord>();
  for (const folder of Object.keys(stage.folders)) {
    const dir = dirOf(folder);
    if (!fs.existsSync(dir)) return { ok: false };
    let manifest: { key?: unknown; format?: unknown; files?: Record<string, FileRecord> };
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      return { ok: false, damage: e.code === 'ENOENT' ? 'no manifest.json' : 'manifest.json unreadable' };
    }
    if (manifest.format !== CACHE_FORMAT) return { ok: false };
    if (manifest.key !== key) return { ok: false, damage: 'manifest.json names another entry' };
    for (const name of stage.folders[folder]) {
      const record = manifest.files?.[name];
      if (!record || typeof record.sha256 !== 'string') return { ok: false, damage: `manifest.json has no checksum for ${name}` };
      records.set(path.join(dir, name), record);
    }
  }
  // Check every file now (a damaged one is caught before anything is used), keeping the bytes for decode.
  const checked = new Map<string, Uint8Array>();
  for (const [file, record] of records) {
    const problem = checkFile(file, record);
    if (typeof problem === 'string') return { ok: false, damage: `${path.basename(file)}: ${problem}` };
    checked.set(file, problem);
  }
  const read = (folder: string, name: string): Uint8Array => {
    const file = path.join(dirOf(folder), name);
    const bytes = checked.get(file);
    if (bytes) {
      checked.delete(file);
      return bytes;
    }
    // A file decoded later, when first used: checked again, as it may have changed since.
    const record = records.get(file);
    const again = record ? checkFile(file, record) : 'not in the manifest';
    if (typeof again === 'string') {
      throw new InputError(`cache file ${file} changed while in use (${again}); run \`bankseg cache clear\` and try again`);
    }
    return again;
  };
  try {
    const result = stage.decode(read);
    return { ok: true, result };
  } catch (err) {
    return { ok: false, damage: `does not decode: ${String((err as Error)?.message ?? err).split('\n')[0]}` };
  } finally {
    checked.clear(); // what decode did not take now is read (and checked) again when used
  }
}

/** The file's bytes if they match the record, else what is wrong ("checksum mismatch", "4,096 of 9,000 bytes"). */
function checkFile(file: string, record: FileRecord): Uint8Array | string {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return 'missing or unreadable';
  }
  if (bytes.byteLength !== record.bytes) return `${count(bytes.byteLength)} of ${count(Number(record.bytes))} bytes`;
  if (sha256(bytes) !== record.sha256) return 'checksum mismatch';
  return bytes;
}

function sha256(bytes: Uint8Array): string {
  return crypto.createHash('sha256').update(bytes).digest('hex');
}

export const elapsed = (start: number): number => (Date.now() - start) / 1000;

/** Real path and size of a file, and the SHA-256 of its bytes (`fileDigest`). */
export function fileIdentity(file: string): { path: string; size: number; sha256: string } {
  const real = fs.realpathSync(file);
  return { path: real, size: fs.statSync(real).size, sha256: fileDigest(real) };
}

/**
 * SHA-256 of a file's bytes, read in 8 MiB pieces: what identifies an input, since a path, a size and a
 * modification time can all stay the same while the content changes (`touch -r`). O(size); about a tenth of
 * the time a load of the same file takes (measured in the README).
 */
export function fileDigest(file: string): string {
  const hash = crypto.createHash('sha256');
  const buf = Buffer.allocUnsafe(8 << 20);
  const fd = fs.openSync(file, 'r');
  try {
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0; ) hash.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** First 16 hex digits of the SHA-256 of the JSON of `parts`. O(size of the JSON). */
export function hashOf(parts: unknown): string {
  return crypto.createHash('sha256').update(toJson(parts)).digest('hex').slice(0, 16);
}

/** Replaces `dir` with `files` + manifest.json (atomically), then prunes old entries of the same kind. */
async function writeEntry(dir: string, key: string, manifest: Record<string, unknown>, files: Readonly<Record<string, Uint8Array>>): Promise<void> {
  const records = Object.fromEntries(Object.entries(files).map(([name, bytes]): [string, FileRecord] => [name, { bytes: bytes.byteLength, sha256: sha256(bytes) }]));
  const full = { ...manifest, format: CACHE_FORMAT, key, createdAt: new Date().toISOString(), files: records };
  await replaceDirAtomic(dir, { ...files, 'manifest.json': toJson(full, 2) + '\n' });
  pruneEntries(path.dirname(dir), key.slice(0, key.indexOf('-') + 1), KEEP_ENTRIES);
}

/** Removes all but the `keep` most recently written entries whose name starts with `prefix`. */
function pruneEntries(parent: string, prefix: string, keep: number): void {
  const mtime = (name: string): number => {
    try {
      return fs.statSync(path.join(parent, name)).mtimeMs;
    } catch {
      return -1; // removed meanwhile by another process
    }
  };
  const entries = fs
    .readdirSync(parent)
    .filter((name) => name.startsWith(prefix) && ENTRY.test(name))
    .map((name) => ({ name, mtime: mtime(name) }))
    .filter((e) => e.mtime >= 0)
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of entries.slice(keep)) fs.rmSync(path.join(parent, old.name), { recursive: true, force: true });
}

/** An entry folder's name (`load-<16 hex>`), its temporary while being written, or the temporary of an older version. */
const ENTRY = /^[a-z]+-[0-9a-f]{16}$/;
const OLD_TEMP = /^\.tmp-[a-z]+-[0-9a-f]{16}-[A-Za-z0-9]{6}$/;

/**
 * Removes every cache entry under `root` (default: the cache root), with the temporaries of entries being written by
 * processes that are gone, and returns what was removed (relative paths) and the bytes freed. Outputs that share
 * the folders (customers.csv, segments.json in data/processed) are never touched.
 */
export function clearCache(root: string = cacheRoot()): { removed: string[]; bytes: number } {
  const removed: string[] = [];
  let bytes = 0;
  for (const folder of CACHE_FOLDERS) {
    const dir = path.join(root, folder);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const full = path.join(dir, name);
      const pid = tempOwner(name);
      const isEntry = ENTRY.test(name) && fs.existsSync(path.join(full, 'manifest.json'));
      const isTemp = (pid !== undefined && ENTRY.test(name.slice(1, name.indexOf('.tmp-'))) && !processAlive(pid)) || OLD_TEMP.test(name);
      if (!isEntry && !isTemp) continue;
      bytes += sizeOf(full);
      fs.rmSync(full, { recursive: true, force: true });
      removed.push(path.join(folder, name));
    }
  }
  return { removed, bytes };
}

/** Bytes of the files under `p`. */
function sizeOf(p: string): number {
  const st = fs.lstatSync(p);
  if (!st.isDirectory()) return st.size;
  return fs.readdirSync(p).reduce((sum, name) => sum + sizeOf(path.join(p, name)), 0);
}
