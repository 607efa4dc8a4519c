/**
 * The PostgreSQL source against the TypeScript path, on throwaway servers (test/helpers/pg-server.ts): one server,
 * and a coordinator with two shard servers on loopback (test/helpers/pg-cluster.ts, postgres_fdw):
 *
 *   npx tsx bench/db.ts [--rows N] [--file FILE] [--repeat R] [--shards S]
 *
 * Default data: the generated full-size file (ensureDefaultData(), 1,048,567 rows); `--rows N` generates a file of
 * N rows into a temp folder instead, `--file` uses a given CSV. Each step runs R times (default 3); the median and the
 * minimum are printed, with the load average seen at the end of each run (the machine is shared). For the reads and
 * the push-down it also prints the bytes received by Node (per customer) and the peak private memory (RssAnon) of
 * the database backends serving them: the coordinator's, and on the shards the postgres_fdw sessions'. `--shards 0`
 * skips the sharded runs. It checks that the table read back equals the file's, and that the push-down (single and
 * sharded) gives the TypeScript path's customers and data-quality report.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanTransactions } from '../src/preprocess/clean';
import { writeGeneratedCsv } from '../src/collect/generate';
import { ensureDefaultData } from '../src/collect/default_data';
import { readTransactions } from '../src/collect/read';
import { bytesReceived } from '../src/collect/db/connection';
import { pushDownFromDb } from '../src/collect/db/pushdown';
import { importTransactions, importTransactionsFile } from '../src/collect/db/import';
import { importShardedFile } from '../src/collect/db/shards';
import { readTransactionsFromDb } from '../src/collect/db/read';
import { customerFeatures } from '../src/preprocess/features';
import { keyTexts } from '../src/table';
import type { TransactionTable } from '../src/table';
import { startPgCluster } from '../test/helpers/pg-cluster';
import type { PgServer } from '../test/helpers/pg-server';
import { watchBackendMemory } from './lib_pg_memory';

interface Args {
  readonly rows?: number;
  readonly file?: string;
  readonly repeat: number;
  readonly shards: number;
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
  const shards = Number(value('--shards') ?? 2);
  if (!(Number.isInteger(shards) && shards >= 0)) throw new Error(`--shards must be a whole number >= 0`);
  return { rows: rows === undefined ? undefined : Number(rows), file: value('--file'), repeat, shards };
}

/** Each run of a step: its time, the load average at its end, and what it moved and used, when measured. */
interface Run {
  readonly ms: number;
  readonly load: number;
  readonly bytes?: number;
  readonly memory?: { readonly coordinator: number; readonly shard?: number };
}
type Runs = Map<string, Run[]>;

/** What a step is measured on: the servers whose backends' memory is watched (coordinator first), if any. */
interface Watch {
  readonly coordinator: PgServer;
  readonly shards?: readonly PgServer[];
}

async function timed<T>(runs: Runs, label: string, work: () => Promise<T> | T, watch?: Watch): Promise<T> {
  const dataDir = (s: PgServer) => path.join(s.dir, 'data');
  const watchers = watch && [watchBackendMemory(dataDir(watch.coordinator), 'bankseg_test'), ...(watch.shards ?? []).map((s) => watchBackendMemory(dataDir(s), 'bankseg_test'))];
  const bytesBefore = bytesReceived();
  const start = process.hrtime.bigint();
  const result = await work();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const peaks = watchers?.map((w) => w.stop());
  const run: Run = {
    ms,
    load: os.loadavg()[0],
    ...(watch ? { bytes: bytesReceived() - bytesBefore } : {}),
    ...(peaks ? { memory: { coordinator: peaks[0].perBackend, ...(peaks.length > 1 ? { shard: Math.max(...peaks.slice(1).map((p) => p.perBackend)) } : {}) } } : {}),
  };
  runs.set(label, [...(runs.get(label) ?? []), run]);
  return result;
}

function withoutSource(t: TransactionTable): Omit<TransactionTable, 'source'> {
  const { source: _source, ...rest } = t;
  return rest;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1];
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

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

  // The coordinator doubles as the single server: the unsharded table lives in its own database.
  const cluster = await startPgCluster(args.shards);
  const single = cluster.coordinator;
  const shardUrls = cluster.shards.map((s) => s.url);
  const runs: Runs = new Map();
  const checks: string[] = [];
  let rows = 0;
  let customers = 0;
  try {
    for (let r = 0; r < args.repeat; r++) {
      const fromFile = await timed(runs, 'TS: read the file', () => readTransactions(file as string));
      const cleaned = cleanTransactions(fromFile);
      const tsFeatures = await timed(runs, 'TS: clean + features', () => customerFeatures(cleanTransactions(fromFile).table));
      [rows, customers] = [fromFile.rows, tsFeatures.n];
      await timed(runs, 'db-import (read the file + load + swap)', () => importTransactionsFile(single.url, file as string, 'bench_tx'));
      await timed(runs, 'DB: load only (table already read)', () => importTransactions(single.url, fromFile, 'bench_tx'));
      const fromDb = await timed(runs, 'DB: readTransactionsFromDb', () => readTransactionsFromDb(single.url, 'bench_tx'), { coordinator: single });
      const pushed = await timed(runs, 'DB: push-down', () => pushDownFromDb(single.url, 'bench_tx'), { coordinator: single });
      if (r === 0) {
        assert.deepStrictEqual(withoutSource(fromDb), withoutSource(fromFile));
        checks.push(`table read back from the database is identical to the file's (${fromFile.rows.toLocaleString('en-US')} rows)`);
        assert.deepStrictEqual(keyTexts(pushed.features.customerId), keyTexts(tsFeatures.customerId));
        assert.deepStrictEqual(pushed.features.location, tsFeatures.location);
        assert.deepStrictEqual(pushed.quality, cleaned.report);
        checks.push(`push-down: the TS path's ${tsFeatures.n.toLocaleString('en-US')} customers in the same order, the same quality report`);
      }
      if (args.shards === 0) continue;
      const watch = { coordinator: cluster.coordinator, shards: cluster.shards };
      const label = `${args.shards} shards`;
      await timed(runs, `${label}: db-import --shard`, () => importShardedFile(cluster.coordinator.url, file as string, 'sharded_tx', shardUrls));
      const fromShards = await timed(runs, `${label}: readTransactionsFromDb`, () => readTransactionsFromDb(cluster.coordinator.url, 'sharded_tx'), watch);
      const pushedShards = await timed(runs, `${label}: push-down`, () => pushDownFromDb(cluster.coordinator.url, 'sharded_tx'), watch);
      if (r === 0) {
        assert.deepStrictEqual(withoutSource(fromShards), withoutSource(fromFile));
        assert.deepStrictEqual(keyTexts(pushedShards.features.customerId), keyTexts(tsFeatures.customerId));
        assert.deepStrictEqual(pushedShards.quality, cleaned.report);
        checks.push(`${label}: the same table read back, the same customers and quality report from the push-down`);
      }
    }
  } finally {
    cluster.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }

  const data = args.file ?? (args.rows ? `generated, ${args.rows.toLocaleString('en-US')} rows` : file);
  console.log(
    `${data}: ${rows.toLocaleString('en-US')} rows, ${customers.toLocaleString('en-US')} customers; ${os.cpus().length} cores; ` +
      `peak RSS of this process ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
  );
  for (const [label, list] of runs) {
    const times = list.map((x) => x.ms / 1000);
    const loads = list.map((x) => x.load);
    const parts = [
      `median ${median(times).toFixed(2)} s (min ${Math.min(...times).toFixed(2)}, n=${list.length})`,
      `${(median(times) / (rows / 1e6)).toFixed(2)} s per million rows`,
      `load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`,
    ];
    const bytes = list[0].bytes;
    if (bytes !== undefined) parts.push(`to Node ${(bytes / 1e6).toFixed(1)} MB = ${(bytes / customers).toFixed(0)} B per customer`);
    const memory = list.flatMap((x) => (x.memory ? [x.memory] : []));
    if (memory.length > 0) {
      parts.push(`coordinator backend peak ${mib(median(memory.map((m) => m.coordinator)))}`);
      if (memory[0].shard !== undefined) parts.push(`shard backend peak ${mib(median(memory.map((m) => m.shard as number)))}`);
    }
    console.log(`  ${label.padEnd(40)} ${parts.join('; ')}`);
  }
  for (const c of checks) console.log(`  check: ${c}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exitCode = 1;
});
