/**
 * Worker threads run plain JavaScript: a worker's entry file (the reader's src/collect/read_worker.ts, the k sweep's
 * src/segment/sweep_worker.ts) and what it imports, bundled into one CommonJS file by esbuild, built on first use and
 * kept, named by the entry and a hash of its sources.
 *
 * Why not TypeScript through a loader in each worker (as before): a worker does not inherit its parent's loader, so
 * each one registered tsx (~40-120 ms of CPU), and tsx left work in flight when the worker had sent its rows: a pipe
 * connection to its parent's IPC socket and an fs.promises write of a compiled module to its disk cache (seen in
 * every worker, with process.getActiveResourcesInfo(): ConnectWrap, FSReqPromise). The main thread then terminated
 * the worker; the write never completed (the cache file stayed empty, so the next worker compiled and wrote it
 * again), and tearing a worker down with I/O in flight, while the next read starts new workers, is where Node has
 * known teardown crashes (nodejs/node#51129, #56312) and where a test run died of SIGSEGV once. A bundle needs no
 * loader, compiler or I/O of its own in the worker, and the worker now exits by itself (parallel.ts startWorker).
 *
 * `__dirname` inside the bundle is the cache folder, not src/: the worker's code must not derive paths from it (the
 * reader only reads the file it is given; config.ts's unused constants are computed from it, harmlessly). npm
 * packages stay `require`s (`packages: 'external'`) and resolve from the cache folder, which lies inside the
 * project's node_modules/ (the sweep's ml-kmeans).
 *
 * No build step to forget: the bundle's name holds the hash of the code it was built from (code_version.ts: every
 * file of the entry's import closure), so an edit to any of them, in a clone, a worktree or a notebook kernel
 * that reloads modules, makes the next read build a new one (~0.1–0.7 s once); the same sources find the same file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { codeVersion } from '../io/code_version';

/** The project root (src/io/ is two levels down). */
const ROOT = path.resolve(__dirname, '..', '..');
/** Beside tslab's compile cache (jupyter/kernels/bankseg-tslab/compile-cache.js): per clone, never committed. */
export const WORKER_CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'bankseg-worker');
/** Bundles of other source versions kept (other worktrees share nothing, but a branch switch comes back). */
const KEEP = 8;

/** How to start a worker: a file, or (when no file can be written) the code itself, for `new Worker(code, { eval: true })`. */
export type WorkerScript = { readonly file: string } | { readonly code: string };

/** Where the sources and the bundles are; tests point it at a copy of the sources. */
export interface WorkerBuild {
  readonly root: string;
  readonly cacheDir: string;
}

const DEFAULT_BUILD: WorkerBuild = { root: ROOT, cacheDir: WORKER_CACHE_DIR };

/** Code built in this process when no file could be written, by source hash. */
const inMemory = new Map<string, string>();

/**
 * The worker script of `entry` (a path from the project root, e.g. `src/collect/read_worker.ts`) as its sources are
 * now: the kept bundle when one exists for their hash, else built now (and
 * kept when the cache folder can be written). Throws when esbuild cannot build it (a syntax error in the sources).
 * Cost: hashing the sources (~15 files, about a millisecond), plus one esbuild run when they changed.
 */
export function workerScript(entry: string, build: WorkerBuild = DEFAULT_BUILD): WorkerScript {
  const esbuild = require('esbuild') as typeof import('esbuild');
  const version = `${codeVersion(entry, build.root)}-${esbuild.version}`;
  const name = path.basename(entry, '.ts');
  const file = path.join(build.cacheDir, `${name}-${version}.cjs`);
  if (fs.existsSync(file)) return { file };
  const built = inMemory.get(`${build.root}\0${version}`);
  if (built !== undefined) return { code: built };

  const result = esbuild.buildSync({
    absWorkingDir: build.root,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external', // npm packages load from node_modules as usual
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
  });
  const code = `// bankseg: ${entry} and its imports, bundled by esbuild ${esbuild.version} (src/io/worker_script.ts)\n${result.outputFiles[0].text}`;
  try {
    fs.mkdirSync(build.cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, code);
    fs.renameSync(tmp, file); // atomic: a reader in another process sees the whole file or none
    pruneOld(build.cacheDir, name);
    return { file };
  } catch {
    // A read-only or full disk: this process keeps the code and starts its workers from it.
    inMemory.set(`${build.root}\0${version}`, code);
    return { code };
  }
}

/** Removes all but the KEEP newest bundles of one entry (and temporaries left by a killed process). Best effort. */
function pruneOld(dir: string, name: string): void {
  try {
    const names = fs.readdirSync(dir).filter((n) => n.startsWith(`${name}-`));
    const aged = names.map((n) => ({ n, t: fs.statSync(path.join(dir, n)).mtimeMs })).sort((a, b) => b.t - a.t);
    for (const { n } of aged.slice(KEEP)) fs.rmSync(path.join(dir, n), { force: true });
  } catch {
    // another process pruning at the same time
  }
}

/**
 * Node flags for a worker: the process's own, minus module loaders (`--import tsx`...). A worker inherits them by
 * default and would start a loader of its own; its code is plain JavaScript (see above) and needs none.
 */
export function workerFlags(): string[] {
  const flags: string[] = [];
  const argv = process.execArgv;
  for (let k = 0; k < argv.length; k++) {
    if (/^(--import|--require|-r|--loader|--experimental-loader)$/.test(argv[k])) k++; // and its value
    else if (!/^(--import|--require|--loader|--experimental-loader)=/.test(argv[k])) flags.push(argv[k]);
  }
  return flags;
}
