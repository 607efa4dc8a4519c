/**
 * The one way outputs reach the disk: write to a temporary name in the same folder, check that every byte was
 * written, fsync, then rename over the target. A reader (or a crash) sees the old file or the new one, never
 * half of one. Rename is atomic within a file system, hence the temporary name beside the target.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A temporary name beside `target`, unique per process and call. */
function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
}

/** Writes all of `bytes` at the file's current position; a short write is retried, a zero-byte write is an error. */
export function writeAll(fd: number, bytes: string | Uint8Array): void {
  const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  let done = 0;
  while (done < buf.byteLength) {
    const n = fs.writeSync(fd, buf, done, buf.byteLength - done);
    if (n <= 0) throw new Error(`write returned ${n} after ${done} of ${buf.byteLength} bytes`);
    done += n;
  }
}

/**
 * Writes `content` to `file` (creating its folder): a string (UTF-8) or bytes, or a function that writes to the
 * open descriptor in pieces (with `writeAll`). Temporary file → full write → fsync → rename. Returns `file`.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array | ((fd: number) => void)): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = tempName(file);
  let fd: number | undefined = fs.openSync(tmp, 'w');
  try {
    if (typeof content === 'function') content(fd);
    else writeAll(fd, content);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(tmp, file);
  } catch (err) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return file;
}

/**
 * Like `writeFileAtomic` for output produced asynchronously (a stream pipeline): `fill` writes the temporary path
 * it is given, which is then fsynced and renamed to `file`. The folder must exist. Returns `file`.
 */
export async function writeFileAtomicAsync(file: string, fill: (tmp: string) => Promise<void>): Promise<string> {
  const tmp = tempName(file);
  try {
    await fill(tmp);
    const fd = fs.openSync(tmp, 'r+');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  return file;
}

/**
 * Replaces the folder `dir` with one whose files are `files` (name → bytes), all at once: they are written into a
 * temporary sibling folder (each fsynced), which then takes the place of `dir`. A reader sees the old folder or
 * the new one; between the removal of the old and the rename there is a moment with none.
 */
export function replaceDirAtomic(dir: string, files: Readonly<Record<string, string | Uint8Array>>): void {
  const parent = path.dirname(dir);
  fs.mkdirSync(parent, { recursive: true });
  const tmp = fs.mkdtempSync(path.join(parent, `.tmp-${path.basename(dir)}-`));
  try {
    fs.chmodSync(tmp, 0o755); // mkdtemp makes it private; outputs are as readable as the rest of data/
    for (const [name, bytes] of Object.entries(files)) {
      const fd = fs.openSync(path.join(tmp, name), 'w');
      try {
        writeAll(fd, bytes);
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    }
    fs.rmSync(dir, { recursive: true, force: true });
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
