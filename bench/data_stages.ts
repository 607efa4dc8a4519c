/**
 * The data stages (read → clean → customer features → model space), bankseg against Polars eager
 * (bench/polars_stages.py), each in its own process, alternating (ABBA), medians: issue 13's goal 2.
 *
 *   npx tsx bench/data_stages.ts [--input FILE] [--runs N] [--python PYTHON] [--threads T]
 *
 * PYTHON is an interpreter with polars (default: python3); the Polars side is skipped when it has none.
 * Prints, per side, the median wall time of each stage and of the whole, the process CPU time and peak RSS; the
 * ratios bankseg ÷ Polars; the load average before and after (the figures mean little on a busy machine); and checks
 * that both sides kept the same rows and customers with the same feature sums. `--side ts` runs the bankseg side once
 * and prints its JSON line (used by the driver).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTransactions } from '../src/collect/read';
import { ensureDefaultData } from '../src/collect/default_data';
import { cleanTransactions } from '../src/preprocess/clean';
import { customerFeatures } from '../src/preprocess/features';
import { buildModelSpace } from '../src/segment/space';
import { intOption, parseOptions } from '../src/cli/command';
import { featureSums } from './lib_features';

const STAGES = ['read', 'clean', 'features', 'space'] as const;
type Stage = (typeof STAGES)[number];

interface SideResult {
  readonly stages: Record<Stage, number>;
  readonly wall: number;
  readonly cpu: number;
  readonly maxRssMB: number;
  readonly rowsKept: number;
  readonly customers: number;
  readonly featureSums: Record<string, number>;
}

/** The bankseg side, in this process. */
async function tsSide(input: string, threads: number | undefined): Promise<SideResult> {
  const cpu0 = process.cpuUsage();
  const stages = {} as Record<Stage, number>;
  let t = performance.now();
  const lap = (stage: Stage) => {
    const now = performance.now();
    stages[stage] = (now - t) / 1000;
    t = now;
  };
  const start = t;
  const raw = await readTransactions(input, threads === undefined ? {} : { threads });
  lap('read');
  const { table } = cleanTransactions(raw);
  lap('clean');
  const features = customerFeatures(table);
  lap('features');
  buildModelSpace(features);
  lap('space');
  const cpu = process.cpuUsage(cpu0);
  return {
    stages,
    wall: (t - start) / 1000,
    cpu: (cpu.user + cpu.system) / 1e6,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
    rowsKept: table.rows,
    customers: features.n,
    featureSums: featureSums(features),
  };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function runChild(command: string, args: string[]): SideResult {
  const out = execFileSync(command, args, { encoding: 'utf8', env: { ...process.env, BANKSEG_QUIET: '1' }, maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').pop() as string) as SideResult;
}

async function main(argv: string[]): Promise<void> {
  const o = parseOptions(argv, {
    input: { type: 'string' },
    runs: { type: 'string' },
    python: { type: 'string' },
    threads: { type: 'string' },
    side: { type: 'string' },
  });
  const input = o.input ?? (await ensureDefaultData());
  const threads = o.threads === undefined ? undefined : intOption('threads', o.threads, 1, 1);
  if (o.side === 'ts') {
    process.stdout.write(JSON.stringify(await tsSide(input, threads)) + '\n');
    return;
  }
  const runs = intOption('runs', o.runs, 5, 1);
  const python = o.python ?? 'python3';
  const hasPolars = spawnSync(python, ['-c', 'import polars'], { stdio: 'ignore' }).status === 0;
  if (!hasPolars) console.log(`${python} has no polars: bankseg side only (pass --python PYTHON with polars)`);
  const tsArgs = ['--import', 'tsx', __filename, '--side', 'ts', '--input', input, ...(threads ? ['--threads', String(threads)] : [])];
  const pyArgs = [path.join(__dirname, 'polars_stages.py'), input];
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const loadBefore = load();
  const results: { ts: SideResult[]; polars: SideResult[] } = { ts: [], polars: [] };
  for (let k = 0; k < runs; k++) {
    // ABBA: the order flips every run, so a slow phase of the machine hits both sides alike.
    const order = k % 2 === 0 ? (['ts', 'polars'] as const) : (['polars', 'ts'] as const);
    for (const side of order) {
      if (side === 'ts') results.ts.push(runChild(process.execPath, tsArgs));
      else if (hasPolars) results.polars.push(runChild(python, pyArgs));
    }
    process.stderr.write(`run ${k + 1}/${runs} done (load ${load()})\n`);
  }
  const summary = (rs: SideResult[]) => ({
    ...Object.fromEntries(STAGES.map((s) => [s, median(rs.map((r) => r.stages[s]))])),
    'read+clean+features': median(rs.map((r) => r.stages.read + r.stages.clean + r.stages.features)),
    all: median(rs.map((r) => r.wall)),
    cpu: median(rs.map((r) => r.cpu)),
    maxRssMB: median(rs.map((r) => r.maxRssMB)),
  });
  const ts = summary(results.ts);
  console.log(`input ${input}; ${runs} runs per side, alternating; ${os.availableParallelism()} cores; load average ${loadBefore} before, ${load()} after`);
  console.log(`columns: median wall seconds per stage; "all" = read+clean+features+space; cpu = process CPU seconds; peak RSS MB`);
  const row = (name: string, s: Record<string, number>, ratio = false) =>
    console.log(`${name.padEnd(8)} ${Object.entries(s).map(([k, v]) => `${k} ${ratio ? v.toFixed(2) + '×' : k === 'maxRssMB' ? v.toFixed(0) : v.toFixed(3)}`).join('  ')}`);
  row('bankseg', ts);
  if (results.polars.length > 0) {
    const pl = summary(results.polars);
    row('polars', pl);
    row('ratio', Object.fromEntries(Object.keys(ts).map((k) => [k, ts[k as keyof typeof ts] / pl[k as keyof typeof pl]])), true);
    const a = results.ts[0];
    const b = results.polars[0];
    const sumsAgree = Object.keys(b.featureSums).every((k) => Math.abs(a.featureSums[k] - b.featureSums[k]) <= 1e-9 * Math.max(1, Math.abs(b.featureSums[k])));
    const agree = a.rowsKept === b.rowsKept && a.customers === b.customers && sumsAgree;
    console.log(`agreement: rows ${a.rowsKept} vs ${b.rowsKept}, customers ${a.customers} vs ${b.customers}, feature sums ${sumsAgree ? 'equal to 1e-9' : 'DIFFER'}`);
    if (!agree) process.exitCode = 1;
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`data_stages: ${err.message}`);
  process.exitCode = 1;
});
