/**
 * How many threads a parallel stage should use now: one decision for the reader and the k sweep.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * The threads worth starting now: the cores not busy with other processes' work, at most `max`, at least 1. A thread
 * on a core someone else keeps busy only slows the main thread down: on this project's shared 2-core machines, with
 * 6-10 threads runnable, two threads read the 1M-row file in 2.1 s and one in 1.5 s (medians of 4), while on a free
 * machine the second core does half the parsing. Not the load average: a benchmark that alternates runs keeps it at
 * 1-2 on its own. Without /proc (not Linux) every core counts as free.
 *
 * An environment variable decides instead: the first of `overrides` that holds a whole number >= 1 (a stage's own,
 * e.g. `BANKSEG_READ_THREADS`), else `BANKSEG_THREADS` (every stage). The cap `max` does not apply to them.
 */
export function freeThreads(max: number, overrides: readonly string[] = []): number {
  for (const name of [...overrides, 'BANKSEG_THREADS']) {
    const forced = Number(process.env[name]);
    if (Number.isInteger(forced) && forced >= 1) return forced;
  }
  const free = os.availableParallelism() - busyElsewhere(readRunnableElsewhere);
  return Math.max(1, Math.min(free, max));
}

/**
 * Threads runnable in other processes: the median of three readings 2 ms apart (two equal readings decide). One
 * reading is noisy: on a quiet machine, right after the features, 1 in 3 runs read 3 (a kernel worker, the tsx
 * compiler's process waking) and the sweep ran on one thread, 9.5 s instead of 6.3 s. `read` gives undefined when
 * it cannot tell (then: none). O(1).
 */
export function busyElsewhere(read: () => number | undefined, pause: () => void = pauseTwoMs): number {
  const readings: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (i > 0) pause();
    const n = read();
    if (n === undefined) return 0;
    if (readings.includes(n)) return n;
    readings.push(n);
  }
  return readings.sort((a, b) => a - b)[1];
}

/**
 * The kernel's count of runnable threads (/proc/loadavg's fourth field) less this process's own runnable ones (the
 * caller, and V8's garbage-collector and compiler threads, busy for a moment after large allocations: they are not
 * competition). undefined without /proc.
 */
function readRunnableElsewhere(): number | undefined {
  try {
    const all = Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[3].split('/')[0]);
    let own = 0;
    for (const task of fs.readdirSync('/proc/self/task')) {
      try {
        if (threadState(fs.readFileSync(`/proc/self/task/${task}/stat`, 'utf8')) === 'R') own++;
      } catch {
        // the thread ended between the listing and the read
      }
    }
    return Number.isFinite(all) ? Math.max(0, all - Math.max(own, 1)) : undefined;
  } catch {
    return undefined;
  }
}

/** The state letter of a /proc/<pid>/task/<tid>/stat line: after the last `)` (the command name may hold one). */
export function threadState(stat: string): string {
  return stat.charAt(stat.lastIndexOf(')') + 2);
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function pauseTwoMs(): void {
  Atomics.wait(sleeper, 0, 0, 2);
}
