/**
 * Benchmark of the streaming reader: `npx tsx bench/read.ts FILE [--repeat N]`.
 * Prints rows, wall and CPU time per read, rows/s and the peak resident set size of the process.
 */
import { readTransactions } from '../src/collect/read';

async function main(argv: string[]): Promise<void> {
  const file = argv[0];
  if (!file) throw new Error('usage: tsx bench/read.ts FILE [--repeat N]');
  const at = argv.indexOf('--repeat');
  const repeat = at >= 0 ? Number(argv[at + 1]) : 1;
  for (let k = 0; k < repeat; k++) {
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    const table = await readTransactions(file);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6; // on a busy machine, CPU time is steadier than wall time
    const peakMiB = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
    console.log(
      `${file}: ${table.rows.toLocaleString('en-US')} rows, ${table.customerId.values.length.toLocaleString('en-US')} customers, ` +
        `${table.malformed.count} malformed | ${seconds.toFixed(2)} s (CPU ${cpuSeconds.toFixed(2)} s), ${Math.round(table.rows / seconds).toLocaleString('en-US')} rows/s, ` +
        `peak RSS ${peakMiB.toFixed(0)} MiB`,
    );
  }
}

main(process.argv.slice(2)).catch((err) => {
  console.error((err as Error).message);
  process.exitCode = 1;
});
