/**
 * Peak private memory of a PostgreSQL server's client backends while a benchmark step runs, read from /proc (Linux):
 * every 50 ms, the children of the server's postmaster that serve a client (their command line names the user and
 * database), and each one's RssAnon, the anonymous (private) resident memory: what work_mem hash tables and sorts
 * use, without the shared buffers every backend maps. Benchmarks only: it needs /proc and the right to read the
 * server's processes (root, or the same OS user).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface MemoryPeak {
  /** The largest RssAnon of one client backend seen during the step, bytes. */
  readonly perBackend: number;
  /** The largest sum of RssAnon over the client backends at one instant, bytes. */
  readonly total: number;
  /** Client backends seen. */
  readonly backends: number;
}

const POLL_MS = 50;

/** The postmaster's pid, from the first line of `<dataDir>/postmaster.pid`. */
function postmasterPid(dataDir: string): number {
  return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** RssAnon in bytes of each client backend of the postmaster `ppid` (backends named `postgres: user db host(port) …`). */
function clientBackendMemory(ppid: number, user: string): Map<number, number> {
  const out = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      if (Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]) !== ppid) continue;
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.startsWith(`postgres: ${user} `)) continue;
      out.set(Number(entry), 1024 * Number(/^RssAnon:\s+(\d+) kB/m.exec(status)?.[1] ?? 0));
    } catch {
      // The process ended between readdir and read.
    }
  }
  return out;
}

/** Starts polling the client backends of the server in `dataDir` (role `user`); `stop()` returns the peaks. */
export function watchBackendMemory(dataDir: string, user: string): { stop(): MemoryPeak } {
  const ppid = postmasterPid(dataDir);
  let perBackend = 0;
  let total = 0;
  const seen = new Set<number>();
  const poll = (): void => {
    const memory = clientBackendMemory(ppid, user);
    let sum = 0;
    for (const [pid, bytes] of memory) {
      seen.add(pid);
      perBackend = Math.max(perBackend, bytes);
      sum += bytes;
    }
    total = Math.max(total, sum);
  };
  poll();
  const timer = setInterval(poll, POLL_MS);
  return {
    stop() {
      clearInterval(timer);
      poll();
      return { perBackend, total, backends: seen.size };
    },
  };
}
