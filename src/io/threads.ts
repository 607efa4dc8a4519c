/**
 * How many threads a parallel stage should use now: one decision for the reader and the k sweep.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * The threads worth starting now: the cores not busy with other work (from the kernel's count of runnable threads at
 * this moment, /proc/loadavg, less this one), at most `max`, at least 1. A thread on a core someone else keeps
 * busy only slows the main thread down: on this project's shared 2-core machines, with 6-10 threads runnable, two
 * threads read the 1M-row file in 2.1 s and one in 1.5 s (medians of 4), while on a free machine the second core does
 * half the parsing. Not the load average: a benchmark that alternates runs keeps it at 1-2 on its own. Without
 * /proc (not Linux) every core counts as free.
 *
 * An environment variable decides instead: the first of `overrides` that holds a whole number >= 1 (a stage's own,
 * e.g. `BANKSEG_READ_THREADS`), else `BANKSEG_THREADS` (every stage). The cap `max` does not apply to them.
 */
export function freeThreads(max: number, overrides: readonly string[] = []): number {
  for (const name of [...overrides, 'BANKSEG_THREADS']) {
    const forced = Number(process.env[name]);
    if (Number.isInteger(forced) && forced >= 1) return forced;
  }
  let others = 0;
  try {
    others = Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[3].split('/')[0]) - 1;
  } catch {
    // no /proc: assume the cores are free
  }
  const free = os.availableParallelism() - (Number.isFinite(others) ? Math.max(0, others) : 0);
  return Math.max(1, Math.min(free, max));
}
