/**
 * The stage cache: a stage's result written once as files, so a notebook (or a command) starts from its
 * predecessor's result in about a second instead of recomputing it (the cached stages: preprocess/load_cache.ts,
 * segment/cached.ts).
 *
 * Layout (cookiecutter-data-science): `data/raw/` is never written here; an entry is a folder
 * `data/interim/<kind>-<hash>/` and/or `data/processed/<kind>-<hash>/` holding the stage's files and a manifest.json.
 * The key hashes everything the result depends on: the inputs, the parameters, and the code the stage runs (the
 * import closure of its module, src/io/code_version.ts). So a changed input, parameter or stage recomputes and a
 * stale result is never served, while an edit elsewhere (a segment-naming rule, a figure) keeps the entry.
 * Entries are replaced atomically (src/io/atomic.ts): a reader sees a whole entry or none.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '../config';
import { replaceDirAtomic } from './atomic';
import { codeVersion } from './code_version';
import { toJson } from './json';

/** Bump when the files of an entry change layout, so old entries are ignored rather than misread. */
export const CACHE_FORMAT = 2;

/** How many entries of each kind (load, segment) to keep in each folder; older ones are removed. */
const KEEP_ENTRIES = 3;

/** Where the cache lives and whether to use it. */
export interface CacheOptions {
  /** Folder holding `data/interim` and `data/processed` (default: the root of this clone). */
  readonly root?: string;
  /** Recompute and overwrite even when an entry exists. */
  readonly refresh?: boolean;
  /** The clone whose `src/` is hashed into the keys (default: this one); tests point it at an edited copy. */
  readonly sourceRoot?: string;
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
  /** The result as files: folder → file name → bytes (every file of `folders`). */
  encode(result: T): Record<string, Record<string, Uint8Array>>;
  /** The result from the entry: `file(folder, name)` is a file's absolute path. */
  decode(file: (folder: string, name: string) => string): T;
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
 * The stage's result from its entry when there is a complete one with the same key, else computed and written.
 * Cost on a hit: reading the files plus hashing the stage's code (milliseconds); on a miss: the stage itself plus
 * encoding and writing its files.
 */
export async function cachedStage<T>(stage: Stage<T>, cache: CacheOptions = {}): Promise<Cached<T>> {
  const start = Date.now();
  const root = cache.root ?? PROJECT_ROOT;
  const key = stageKey(stage, cache.sourceRoot);
  const dirOf = (folder: string) => path.join(root, folder, key);
  const folders = Object.keys(stage.folders);
  const dirs = folders.map((folder) => path.relative(root, dirOf(folder)));
  if (!cache.refresh && folders.every((folder) => isEntry(dirOf(folder), key))) {
    const result = stage.decode((folder, name) => path.join(dirOf(folder), name));
    return { result, status: { hit: true, key, dirs, seconds: elapsed(start) } };
  }
  const result = await stage.compute();
  const files = stage.encode(result);
  const manifest = { kind: stage.kind, key, ...stage.manifest, computeSeconds: elapsed(start) };
  for (const folder of folders) writeEntry(dirOf(folder), key, manifest, files[folder]);
  return { result, status: { hit: false, key, dirs, seconds: elapsed(start) } };
}

export const elapsed = (start: number): number => (Date.now() - start) / 1000;

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

function isEntry(dir: string, key: string): boolean {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { key?: string; format?: number };
    return manifest.key === key && manifest.format === CACHE_FORMAT;
  } catch {
    return false;
  }
}

/** Replaces `dir` with `files` + manifest.json (atomically), then prunes old entries of the same kind. */
function writeEntry(dir: string, key: string, manifest: Record<string, unknown>, files: Readonly<Record<string, Uint8Array>>): void {
  const sizes = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, bytes.byteLength]));
  const full = { ...manifest, format: CACHE_FORMAT, key, createdAt: new Date().toISOString(), files: sizes };
  replaceDirAtomic(dir, { ...files, 'manifest.json': toJson(full, 2) + '\n' });
  pruneEntries(path.dirname(dir), key.slice(0, key.indexOf('-') + 1), KEEP_ENTRIES);
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
