/**
 * The one way outputs reach the disk. Each file is written to a temporary name beside it (src/io/temps.ts), every
 * byte checked (the count written against the file's size), fsynced, and only then renamed over the target:
 * a reader (or a crash) sees the old file or the new one, never half of one. A command's outputs are one set
 * (`OutputSet`): all are written as temporaries first, then all renamed; if anything fails before the last rename,
 * the targets already replaced get their old content back and no temporary is left, so the old set stays whole.
 * Failures of the file system (disk full, read-only, no permission) become one-line InputErrors that name the file.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InputError } from '../errors';
import { forget, forgetSync, sweepOnce, tempPath, track } from './temps';

/** Where a writer function puts its bytes; `bytes` counts what it wrote. */
export interface OutputFile {
  write(bytes: string | Uint8Array): void;
  readonly bytes: number;
}

/** A file's content: text (UTF-8), bytes, or a function that writes it in pieces (and may yield between them). */
export type Content = string | Uint8Array | ((out: OutputFile) => void | Promise<void>);

/** Writes all of `bytes` at the file's current position; a short write is retried, a zero-byte write is an error. Returns the byte count. */
export function writeAll(fd: number, bytes: string | Uint8Array): number {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  let done = 0;
  while (done < buf.byteLength) {
    const n = fs.writeSync(fd, buf, done, buf.byteLength - done);
    if (n <= 0) throw new Error(`write returned ${n} after ${done} of ${buf.byteLength} bytes`);
    done += n;
  }
  return buf.byteLength;
}

/** The reason of a file-system error in words ("no space left on device"), without its code and path. */
export function fsReason(err: NodeJS.ErrnoException): string {
  if (err.code === 'EEXIST' && err.syscall === 'mkdir') return 'a file of that name is in the way';
  const m = /^[A-Z0-9_]+: (.*?)(?:, \w+(?: '.*')?)?$/.exec(err.message.split('\n')[0]);
  return m ? m[1] : err.message;
}

/** A file-system error as a one-line InputError naming `what`; anything else (a bug) unchanged. */
function failure(what: string, err: unknown): unknown {
  if (err instanceof InputError) return err;
  const e = err as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && typeof e.syscall === 'string') return new InputError(`cannot write ${what}: ${fsReason(e)}`);
  return err;
}

/** `mkdir -p`, one level at a time: Node's recursive mkdirSync spins forever under /proc. */
function makeFolder(dir: string): void {
  if (fs.existsSync(dir)) {
    if (fs.statSync(dir).isDirectory()) return;
    const e = new Error(`EEXIST: file already exists, mkdir '${dir}'`) as NodeJS.ErrnoException;
    Object.assign(e, { code: 'EEXIST', syscall: 'mkdir', path: dir });
    throw e;
  }
  makeFolder(path.dirname(dir));
  try {
    fs.mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !fs.statSync(dir).isDirectory()) throw err;
  }
}

/**
 * Checks, before any work is spent, that files can be written in each folder: it, or the nearest folder above it
 * that exists (nothing is created), must be a folder the process may write to. A read-only file system, a missing
 * permission or a file where a folder should be is one line naming the folder. Writing can still fail later (a
 * full disk); the output set then keeps the old files.
 */
export function checkWritable(dirs: readonly string[]): void {
  for (const dir of new Set(dirs.map((d) => path.resolve(d)))) {
    let existing = dir;
    while (!fs.existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
    if (!fs.statSync(existing).isDirectory()) {
      const what = existing === dir ? 'a file of that name is in the way' : `${existing} is a file, not a folder`;
      throw new InputError(`cannot write to ${dir}: ${what}`);
    }
    try {
      fs.accessSync(existing, fs.constants.W_OK);
    } catch (err) {
      throw failure(`to ${dir}`, err);
    }
  }
}

/** Flushes a folder's entries (the renames) to disk; not every file system can, which only costs durability. */
function syncFolder(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // EINVAL/EISDIR on file systems without directory fsync: the renames are still atomic.
  }
}

/** The target must be a file or absent: a folder of that name would fail the rename after others were done. */
function checkTarget(file: string): void {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return;
  }
  if (!st.isFile()) throw new InputError(`cannot write ${file}: something other than a file is in the way`);
}

interface Staged {
  readonly target: string;
  readonly tmp: string;
}

/** Opens a fresh temporary beside `file`, records it, and returns it. */
function openTemp(file: string, handlers: boolean): { tmp: string; fd: number } {
  makeFolder(path.dirname(file));
  sweepOnce(path.dirname(file));
  checkTarget(file);
  const tmp = tempPath(file);
  const fd = fs.openSync(tmp, 'wx', 0o644);
  track(tmp, handlers);
  return { tmp, fd };
}

/** Writes `content` to the open temporary, checks the byte count against the file size, fsyncs and closes it. */
async function fill(fd: number, tmp: string, content: Content): Promise<void> {
  try {
    let bytes = 0;
    const out: OutputFile = {
      write: (b) => void (bytes += writeAll(fd, b)),
      get bytes() {
        return bytes;
      },
    };
    if (typeof content === 'function') await content(out);
    else out.write(content);
    checkSize(tmp, fs.fstatSync(fd).size, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function fillSync(fd: number, tmp: string, content: string | Uint8Array | ((out: OutputFile) => void)): void {
  try {
    let bytes = 0;
    const out: OutputFile = {
      write: (b) => void (bytes += writeAll(fd, b)),
      get bytes() {
        return bytes;
      },
    };
    if (typeof content === 'function') content(out);
    else out.write(content);
    checkSize(tmp, fs.fstatSync(fd).size, bytes);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function checkSize(tmp: string, size: number, expected: number): void {
  if (size !== expected) {
    const e = new Error(`EIO: the file has ${size} bytes after writing ${expected}, write`) as NodeJS.ErrnoException;
    e.code = 'EIO';
    e.syscall = 'write';
    e.path = tmp;
    throw e;
  }
}

/**
 * Puts every staged temporary in place, all or none: existing targets are first kept under a temporary name (a
 * hard link, or a copy where links are not supported), then the renames run; if one fails, the targets already
 * replaced get their old file back (or are removed if they had none) and every temporary is removed. The
 * temporaries must exist. Returns the targets.
 */
function commitStaged(staged: readonly Staged[]): string[] {
  const backups: (string | undefined)[] = [];
  const renamed: number[] = [];
  let current = staged[0]?.target ?? '';
  try {
    for (const s of staged) {
      current = s.target;
      backups.push(keepOld(s.target));
    }
    staged.forEach((s, i) => {
      current = s.target;
      fs.renameSync(s.tmp, s.target);
      renamed.push(i);
    });
  } catch (err) {
    for (const i of renamed.reverse()) {
      const old = backups[i];
      try {
        if (old) fs.renameSync(old, staged[i].target);
        else fs.rmSync(staged[i].target, { force: true });
      } catch {
        // Nothing better to do; the error below still says which file failed.
      }
    }
    for (const s of staged) fs.rmSync(s.tmp, { force: true });
    for (const b of backups) if (b) fs.rmSync(b, { force: true });
    forgetSync(...staged.map((s) => s.tmp), ...backups.filter((b): b is string => b !== undefined));
    throw failure(current, err);
  }
  for (const b of backups) if (b) fs.rmSync(b, { force: true });
  forgetSync(...staged.map((s) => s.tmp), ...backups.filter((b): b is string => b !== undefined));
  for (const dir of new Set(staged.map((s) => path.dirname(s.target)))) syncFolder(dir);
  return staged.map((s) => s.target);
}

/** A second name for the current content of `file` (undefined if there is none), for rolling a commit back. */
function keepOld(file: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  const old = tempPath(file);
  track(old, false);
  try {
    try {
      fs.linkSync(file, old);
    } catch {
      fs.copyFileSync(file, old);
    }
  } catch (err) {
    fs.rmSync(old, { force: true });
    forgetSync(old);
    throw err;
  }
  return old;
}

/**
 * A command's output files as one set: `write` puts each one's content in a temporary file beside it (checked and
 * fsynced) without touching the target; `commit` then replaces all targets, or none if anything fails; `discard`
 * (or any failure) removes the temporaries and leaves the old files as they were. While the set holds temporaries,
 * SIGINT/SIGTERM remove them (when the CLI enabled it, src/io/temps.ts).
 */
export class OutputSet {
  private readonly staged: Staged[] = [];
  private done = false;

  /** The targets staged so far. */
  get files(): string[] {
    return this.staged.map((s) => s.target);
  }

  /** Writes the new content of `file` (creating its folder) to a temporary beside it. Returns `file`. */
  async write(file: string, content: Content): Promise<string> {
    this.open();
    const target = path.resolve(file);
    let tmp = '';
    try {
      const opened = openTemp(target, true);
      tmp = opened.tmp;
      await fill(opened.fd, tmp, content);
    } catch (err) {
      if (tmp) fs.rmSync(tmp, { force: true });
      await this.discardAfter(tmp);
      throw failure(target, err);
    }
    this.staged.push({ target, tmp });
    return file;
  }

  /**
   * For output produced by a stream: `produce(tmp)` writes the temporary path (the folder exists) and returns the
   * number of bytes it wrote, which is checked against the file's size. Returns `file`.
   */
  async writeWith(file: string, produce: (tmp: string) => Promise<number>): Promise<string> {
    this.open();
    const target = path.resolve(file);
    let tmp = '';
    try {
      const opened = openTemp(target, true);
      tmp = opened.tmp;
      fs.closeSync(opened.fd);
      const bytes = await produce(tmp);
      const fd = fs.openSync(tmp, 'r+');
      try {
        checkSize(tmp, fs.fstatSync(fd).size, bytes);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch (err) {
      if (tmp) fs.rmSync(tmp, { force: true });
      await this.discardAfter(tmp);
      throw failure(target, err);
    }
    this.staged.push({ target, tmp });
    return file;
  }

  /** Replaces every target staged, all or none (see the class). Returns the targets. */
  async commit(): Promise<string[]> {
    this.open();
    this.done = true;
    try {
      return commitStaged(this.staged);
    } finally {
      await forget(...this.staged.map((s) => s.tmp));
    }
  }

  /** Removes the temporaries; the targets keep their old content. Safe to call after `commit` (does nothing). */
  async discard(): Promise<void> {
    if (this.done) return;
    this.done = true;
    for (const s of this.staged) fs.rmSync(s.tmp, { force: true });
    await forget(...this.staged.map((s) => s.tmp));
  }

  private async discardAfter(tmp: string): Promise<void> {
    if (tmp) await forget(tmp);
    await this.discard();
  }

  private open(): void {
    if (this.done) throw new Error('this OutputSet was already committed or discarded');
  }
}

/**
 * Runs `work` with a fresh OutputSet and commits it when `work` succeeds; on any failure the set is discarded
 * (old files untouched, no temporary left) and the error rethrown.
 */
export async function writeOutputs<T>(work: (outputs: OutputSet) => Promise<T>): Promise<{ result: T; files: string[] }> {
  const outputs = new OutputSet();
  try {
    const result = await work(outputs);
    return { result, files: await outputs.commit() };
  } catch (err) {
    await outputs.discard();
    throw err;
  }
}

/**
 * Writes one file atomically and synchronously (creating its folder): temporary → full write, size checked →
 * fsync → rename. Returns `file`.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array | ((out: OutputFile) => void)): string {
  let tmp = '';
  try {
    const opened = openTemp(file, false);
    tmp = opened.tmp;
    fillSync(opened.fd, tmp, content);
  } catch (err) {
    if (tmp) {
      fs.rmSync(tmp, { force: true });
      forgetSync(tmp);
    }
    throw failure(file, err);
  }
  commitStaged([{ target: file, tmp }]);
  return file;
}

/** One file produced by a stream (see `OutputSet.writeWith`), written and renamed at once. Returns `file`. */
export async function writeFileAtomicAsync(file: string, produce: (tmp: string) => Promise<number>): Promise<string> {
  await writeOutputs((outputs) => outputs.writeWith(file, produce));
  return file;
}

/**
 * Replaces the folder `dir` with one whose files are `files` (name → bytes), all at once: they are written into a
 * temporary sibling folder (each checked and fsynced), which then takes the place of `dir`. A reader sees the old
 * folder or the new one; between the removal of the old and the rename there is a moment with none. Yields to the
 * event loop between files, so a signal can remove the temporary folder.
 */
export async function replaceDirAtomic(dir: string, files: Readonly<Record<string, string | Uint8Array>>): Promise<void> {
  const parent = path.dirname(dir);
  let tmp = '';
  try {
    makeFolder(parent);
    sweepOnce(parent);
    tmp = tempPath(dir);
    fs.mkdirSync(tmp, 0o755);
    track(tmp, true);
    for (const [name, bytes] of Object.entries(files)) {
      const file = path.join(tmp, name);
      const fd = fs.openSync(file, 'wx', 0o644);
      await fill(fd, file, bytes);
      await new Promise((resolve) => setImmediate(resolve));
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
    syncFolder(parent);
  } catch (err) {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    throw failure(dir, err);
  } finally {
    if (tmp) await forget(tmp);
  }
}
