/**
 * Temporary files and folders beside the outputs they will become (src/io/atomic.ts): their names, removing them
 * when the process is stopped by SIGINT/SIGTERM/SIGHUP, and sweeping the ones a killed process left behind.
 *
 * A temporary name is `.<target name>.tmp-<pid>-<8 hex digits>`, so the process that made it can be told from
 * the name: a later write into the same folder removes those whose process is gone (`kill -9`, a power cut).
 * The pid is only meaningful on this machine; a folder shared over the network with another machine may have its
 * temporaries swept only by a process there (or by `bankseg cache clear` for the cache).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

const TEMP_NAME = /^\..+\.tmp-(\d+)-[0-9a-f]{8}$/;

/** A temporary name beside `target`, unique per process and call. */
export function tempPath(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
}

/** The pid in a temporary name made by `tempPath`, or undefined for any other name. */
export function tempOwner(name: string): number | undefined {
  const m = TEMP_NAME.exec(name);
  return m ? Number(m[1]) : undefined;
}

/** True when a process with this pid exists on this machine (EPERM: it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes the temporaries in `dir` whose process is gone; returns their names. Those of live processes (another
 * bankseg writing right now) are left alone. O(entries of dir).
 */
export function sweepStaleTemps(dir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = tempOwner(name);
    if (pid === undefined || pid === process.pid || processAlive(pid)) continue;
    try {
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
      removed.push(name);
    } catch {
      // Not ours to fight over (permissions): it stays, and so does the output it was meant to replace.
    }
  }
  return removed;
}

const swept = new Set<string>();

/** `sweepStaleTemps(dir)` once per folder and process (writes call it before their first temporary there). */
export function sweepOnce(dir: string): void {
  const key = path.resolve(dir);
  if (swept.has(key)) return;
  swept.add(key);
  sweepStaleTemps(key);
}

// ---------------------------------------------------------------------------------------------------------------
// Temporaries alive in this process, removed if a signal stops it.

const live = new Set<string>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let cleanupEnabled = false;
let installed = false;

function onSignal(signal: NodeJS.Signals): void {
  removeLiveTemps();
  uninstall();
  // Die of the same signal (exit status 128 + n, as the shell expects), now that the default action is back.
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed || !cleanupEnabled) return;
  installed = true;
  for (const s of SIGNALS) process.on(s, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.removeListener(s, onSignal);
}

/**
 * Lets a signal remove this process's temporaries before it dies (the CLI calls this; a notebook kernel must not,
 * since Jupyter interrupts a cell with SIGINT). Handlers exist only while temporaries do, so Ctrl-C during a long
 * computation still stops the process at once. A handler runs only between synchronous stretches of JavaScript:
 * a signal that arrives during one is acted on when it ends.
 */
export function enableSignalCleanup(): void {
  cleanupEnabled = true;
}

/**
 * Records a temporary of this process (removed by `removeLiveTemps` or a signal until it is forgotten). Only a
 * writer that yields to the event loop while the temporary exists asks for the signal handlers (`handlers`): in a
 * synchronous stretch no handler can run, and a lingering one would delay Ctrl-C during the computing that follows.
 */
export function track(p: string, handlers: boolean): void {
  live.add(p);
  if (handlers) install();
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Forgets temporaries that were renamed into place or removed. The signal handlers go once none are left, but only
 * after two turns of the event loop: a signal that arrived during the synchronous work before this call is still
 * queued, and removing its handler now would drop it (the process would ignore that Ctrl-C).
 */
export async function forget(...paths: string[]): Promise<void> {
  for (const p of paths) live.delete(p);
  if (live.size > 0 || !installed) return;
  await nextTurn();
  await nextTurn();
  if (live.size === 0) uninstall();
}

/** Like `forget`, for synchronous callers; the handlers, if any, go later by the same rule. */
export function forgetSync(...paths: string[]): void {
  for (const p of paths) live.delete(p);
  if (live.size === 0 && installed) void forget();
}

/** Removes every temporary this process still has (files or folders). Synchronous: safe in a signal handler. */
export function removeLiveTemps(): void {
  for (const p of live) {
    try {
      fs.rmSync(p, { recursive: true, force: true });
    } catch {
      // Best effort: the sweep of a later run removes what is left.
    }
  }
  live.clear();
}
