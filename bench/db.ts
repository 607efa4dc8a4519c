/**
 * Timings of the PostgreSQL source against the TypeScript path, on a throwaway server (test/helpers/pg-server.ts):
 *
 *   npx tsx bench/db.ts [--rows N] [--file FILE] [--repeat R]
 *
 * Default data: the generated full-size file (ensureDefaultData(), 1,048,567 rows); `--rows N` generates a file of
 * N rows into a temp folder instead, `--file` uses a given CSV. Each step runs R times (default 3); the median and the
 * minimum are printed. It also checks that the table read back from the database equals the file's, and that the
 * push-down gives the same customers as the TypeScript path. The machine is shared, so the load average is printed too.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanTransactions } from '../src/preprocess/clean';
import { ensureDefaultData, writeGeneratedCsv } from '../src/collect/generate';
import { readTransactions } from '../src/collect/read';
import { customerFeaturesFromDb } from '../src/collect/db/pushdown';
import { importTransactions, importTransactionsFile } from '../src/collect/db/import';
import { readTransactionsFromDb } from '../src/collect/db/read';
import { customerFeatures } from '../src/preprocess/features';
import type { TransactionTable } from '../src/table';
import { startPgServer } from '../test/helpers/pg-server';

interface Args {
  readonly rows?: number;
  readonly file?: string;
  readonly repeat: number;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const rows = value('--rows');
  const repeat = Number(value('--repeat') ?? 3);
  if (rows !== undefined && !(Number(rows) > 0)) throw new Error(`--rows must be a positive number, got ${rows}`);
  if (!(Number.isInteger(repeat) && repeat > 0)) throw new Error(`--repeat must be a positive whole number`);
  return { rows: rows === undefined ? undefined : Number(rows), file: value('--file'), repeat };
}

/** Milliseconds of each run of each step, in the order the steps first ran. */
type Timings = Map<string, number[]>;

async function timed<T>(timings: Timings, label: string, work: () => Promise<T> | T): Promise<T> {
  const start = process.hrtime.bigint();
  const result = await work();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  timings.set(label, [...(timings.get(label) ?? []), ms]);
  return result;
}

function withoutSource(t: TransactionTable): Omit<TransactionTable, 'source'> {
  const { source: _source, ...rest } = t;
  return rest;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  process.env.BANKSEG_QUIET = '1';
  let tmp: string | undefined;
  let file = args.file;
  if (file === undefined && args.rows !== undefined) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-bench-db-'));
    file = path.join(tmp, `transactions_${args.rows}.csv`);
    await writeGeneratedCsv(file, { rows: args.rows });
  }
  file ??= await ensureDefaultData();

  const server = await startPgServer();
  const timings: Timings = new Map();
  const checks: string[] = [];
  try {
    for (let r = 0; r < args.repeat; r++) {
      const fromFile = await timed(timings, 'TS: read the file', () => readTransactions(file as string));
      const tsFeatures = await timed(timings, 'TS: clean + features', () => customerFeatures(cleanTransactions(fromFile).table));
      await timed(timings, 'db-import (read the file + load + swap)', () => importTransactionsFile(server.url, file as string, 'bench_tx'));
      await timed(timings, 'DB: load only (table already read)', () => importTransactions(server.url, fromFile, 'bench_tx'));
      const fromDb = await timed(timings, 'DB: readTransactionsFromDb', () => readTransactionsFromDb(server.url, 'bench_tx'));
      const dbFeatures = await timed(timings, 'DB: customerFeaturesFromDb (push-down)', () => customerFeaturesFromDb(server.url, 'bench_tx'));
      if (r === 0) {
        assert.deepStrictEqual(withoutSource(fromDb), withoutSource(fromFile));
        checks.push(`table read back from the database is identical to the file's (${fromFile.rows.toLocaleString('en-US')} rows)`);
        assert.deepStrictEqual(dbFeatures.customerId, tsFeatures.customerId);
        assert.deepStrictEqual(dbFeatures.location, tsFeatures.location);
        checks.push(`push-down and TS path give the same ${tsFeatures.n.toLocaleString('en-US')} customers in the same order`);
      }
    }
  } finally {
    server.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }

  const data = args.file ?? (args.rows ? `generated, ${args.rows.toLocaleString('en-US')} rows` : file);
  const machine = `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`;
  console.log(`${data}; ${machine}; peak RSS of this process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  for (const [label, runs] of timings) {
    const sorted = [...runs].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1] / 1000;
    console.log(`  ${label.padEnd(42)} median ${median.toFixed(2)} s  (min ${(sorted[0] / 1000).toFixed(2)} s, n=${runs.length})`);
  }
  for (const c of checks) console.log(`  check: ${c}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exitCode = 1;
});
