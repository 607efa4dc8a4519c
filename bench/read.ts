/**
 * Benchmark of the reader: `npx tsx bench/read.ts FILE [--repeat N] [--threads T]`.
 * Prints rows, wall and CPU time per read, rows/s, the threads used and the peak resident set size of the process.
 * `--threads 1` is the streaming path; the default is the parallel one (for a plain file of 8 MB or more).
 */
import { readTransactions } from '../src/collect/read';

async function main(argv: string[]): Promise<void> {
  const file = argv[0];
  if (!file) throw new Error('usage: tsx bench/read.ts FILE [--repeat N] [--threads T]');
  const option = (name: string) => (argv.indexOf(name) >= 0 ? Number(argv[argv.indexOf(name) + 1]) : undefined);
  const repeat = option('--repeat') ?? 1;
  const threads = option('--threads');
  for (let k = 0; k < repeat; k++) {
    let owners: readonly number[] = [];
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const table = await readTransactions(file, { threads, onPieces: (o) => (owners = o) });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6; // all threads; on a busy machine, steadier than wall time
    const peakMiB = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
    const byThread = owners.length === 0 ? 'streaming' : `pieces per thread ${[...new Set(owners)].sort().map((t) => owners.filter((o) => o === t).length).join('/')}`;
    console.log(
      `${file}: ${table.rows.toLocaleString('en-US')} rows, ${table.customerId.values.length.toLocaleString('en-US')} customers, ` +
        `${table.malformed.count} malformed | ${seconds.toFixed(2)} s (CPU ${cpuSeconds.toFixed(2)} s), ${Math.round(table.rows / seconds).toLocaleString('en-US')} rows/s, ` +
        `${byThread}, peak RSS ${peakMiB.toFixed(0)} MiB`,
    );
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error((err as Error).message);
  process.exitCode = 1;
});
