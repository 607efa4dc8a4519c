/**
 * Progress on stderr for long steps: silent for the first 2 s (short steps print nothing),
 * then a line per second with the share done. `BANKSEG_QUIET=1` silences it.
 */
import { isQuiet } from '../config';
import { count } from '../format';

export interface Progress {
  /** Report `done` of `total` units (bytes, rows, iterations). Cheap: call it as often as you like. */
  update(done: number, total?: number): void;
  /** Print the closing line (only if anything was printed) with the elapsed time. */
  finish(note?: string): void;
}

const QUIET_AFTER_MS = 2000;
const EVERY_MS = 1000;

export function progress(label: string, stream: NodeJS.WritableStream = process.stderr): Progress {
  const start = Date.now();
  let lastPrint = 0;
  let printed = false;
  const quiet = isQuiet();
  return {
    update(done, total) {
      if (quiet) return;
      const now = Date.now();
      if (now - start < QUIET_AFTER_MS || now - lastPrint < EVERY_MS) return;
      lastPrint = now;
      printed = true;
      const share = total ? ` ${((100 * done) / total).toFixed(0)}%` : ` ${count(done)}`;
      stream.write(`${label}:${share} (${((now - start) / 1000).toFixed(1)} s)\n`);
    },
    finish(note) {
      if (quiet || !printed) return;
      stream.write(`${label}: done in ${((Date.now() - start) / 1000).toFixed(1)} s${note ? ` (${note})` : ''}\n`);
    },
  };
}
