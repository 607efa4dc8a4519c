/**
 * Fit on a sample, score in the database, timed (docs/database.md, "Fit on a sample, score in the database"): on a
 * coordinator that doubles as the single server and two shard servers on loopback (test/helpers/pg-cluster.ts),
 *
 *   npx tsx bench/db_scoring.ts [--file FILE] [--repeat R] [--sample N] [--k K] [--full]
 *
 * for the one-server table and the sharded one, alternating: the push-down of a seeded sample of N customers (the
 * fit's input; it still reads every row), and `assignInDatabase` of every customer into a table. Prints the median
 * time, per million rows and per million customers, the bytes Node received, the backends' peak private memory
 * (bench/lib_pg_memory.ts) and the load average. Checks that the two tables are equal row for row and that the
 * SQL's segments are the TypeScript scoring's (src/model/score.ts) for every customer.
 */
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { ensureDefaultData } from '../src/collect/default_data';
import { readTransactions } from '../src/collect/read';
import { bytesReceived } from '../src/collect/db/connection';
import { pushDownFromDb } from '../src/collect/db/pushdown';
import { importTransactionsFile } from '../src/collect/db/import';
import { importShardedFile } from '../src/collect/db/shards';
import { assignInDatabase } from '../src/collect/db/assign';
import { cleanTransactions } from '../src/preprocess/clean';
import { keyText } from '../src/table';
import { customerFeatures } from '../src/preprocess/features';
import { segmentCustomers } from '../src/segment';
import { profileSegmentation } from '../src/insights/profile';
import { buildModel } from '../src/model/build';
import { scoreCustomers } from '../src/model/score';
import { startPgCluster } from '../test/helpers/pg-cluster';
import type { PgServer } from '../test/helpers/pg-server';
import { watchBackendMemory } from './lib_pg_memory';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

interface Run {
  readonly ms: number;
  readonly load: number;
  readonly bytes: number;
  readonly coordinator: number;
  readonly shard: number;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[values.length >> 1];
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;

async function timed<T>(runs: Map<string, Run[]>, label: string, watch: readonly PgServer[], work: () => Promise<T>): Promise<T> {
  const watchers = watch.map((s) => watchBackendMemory(path.join(s.dir, 'data'), 'bankseg_test'));
  const before = bytesReceived();
  const start = process.hrtime.bigint();
  const result = await work();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const peaks = watchers.map((w) => w.stop().perBackend);
  const run = { ms, load: os.loadavg()[0], bytes: bytesReceived() - before, coordinator: peaks[0], shard: Math.max(0, ...peaks.slice(1)) };
  runs.set(label, [...(runs.get(label) ?? []), run]);
  return result;
}

async function main(): Promise<void> {
  process.env.BANKSEG_QUIET = '1';
  const file = arg('file') ?? (await ensureDefaultData());
  const repeat = Number(arg('repeat') ?? 3);
  const sampleSize = Number(arg('sample') ?? 20000);
  const k = Number(arg('k') ?? 4);
  const cluster = await startPgCluster(2);
  const single = cluster.coordinator;
  const runs = new Map<string, Run[]>();
  const checks: string[] = [];
  let rows = 0;
  let customers = 0;
  try {
    await importTransactionsFile(single.url, file, 'bench_tx');
    await importShardedFile(single.url, file, 'sharded_tx', cluster.shards.map((s) => s.url));
    const sample = { size: sampleSize, seed: 42 };
    const drawn = await pushDownFromDb(single.url, 'bench_tx', { sample });
    rows = drawn.quality.inputRows;
    customers = drawn.sample?.customers ?? 0;
    const seg = profileSegmentation(drawn.features, segmentCustomers(drawn.features, { k, seed: 42 }));
    const model = buildModel(seg, drawn, { seed: 42 });
    const full = process.argv.includes('--full');
    for (let r = 0; r < repeat; r++) {
      // --full: the push-down of every customer too, for the ratio at the same load.
      if (full) await timed(runs, 'one server: full push-down', [single], () => pushDownFromDb(single.url, 'bench_tx'));
      if (full) await timed(runs, '2 shards: full push-down', [cluster.coordinator, ...cluster.shards], () => pushDownFromDb(cluster.coordinator.url, 'sharded_tx'));
      await timed(runs, 'one server: sample push-down', [single], () => pushDownFromDb(single.url, 'bench_tx', { sample }));
      await timed(runs, 'one server: assign in the database', [single], () => assignInDatabase(single.url, 'bench_tx', model, { out: 'segments_one' }));
      const shardedSample = await timed(runs, '2 shards: sample push-down', [cluster.coordinator, ...cluster.shards], () =>
        pushDownFromDb(cluster.coordinator.url, 'sharded_tx', { sample }),
      );
      await timed(runs, '2 shards: assign in the database', [cluster.coordinator, ...cluster.shards], () =>
        assignInDatabase(cluster.coordinator.url, 'sharded_tx', model, { out: 'segments_sharded' }),
      );
      // The coordinator's own share of the sharded assignment: writing one row per customer and its primary key.
      await timed(runs, 'coordinator: write the rows + key', [cluster.coordinator], async () => {
        const c = new Client({ connectionString: single.url });
        await c.connect();
        try {
          await c.query('DROP TABLE IF EXISTS write_only');
          await c.query('CREATE TABLE write_only AS SELECT * FROM segments_sharded');
          await c.query('ALTER TABLE write_only ADD PRIMARY KEY (customer)');
        } finally {
          await c.end();
        }
      });
      if (r === 0) {
        assert.deepStrictEqual(shardedSample.features.customerId, drawn.features.customerId);
        checks.push(`the sharded sample is the single server's (${drawn.features.n.toLocaleString('en-US')} customers)`);
      }
    }
    // Checks, outside the timings: the two tables equal; the SQL segments are the TypeScript scoring's.
    const client = new Client({ connectionString: single.url });
    await client.connect();
    try {
      const differ = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM segments_one a FULL JOIN segments_sharded b USING (customer)
          WHERE a.segment IS DISTINCT FROM b.segment OR a.distance IS DISTINCT FROM b.distance OR a.rfm_segment IS DISTINCT FROM b.rfm_segment`,
      );
      assert.equal(differ.rows[0].n, 0);
      checks.push('one server and two shards wrote the same table (segment, distance, RFM segment of every customer)');
      const sizes = await client.query<{ tx: string; segments: string }>(
        `SELECT pg_total_relation_size('bench_tx')::text AS tx, pg_total_relation_size('segments_one')::text AS segments`,
      );
      checks.push(`on disk (one server): the transactions ${(Number(sizes.rows[0].tx) / rows).toFixed(0)} B per row with their primary key, customer_segments ${(Number(sizes.rows[0].segments) / customers).toFixed(0)} B per customer`);
      const table = await client.query<{ customer: string; segment: number; distance: number }>('SELECT customer, segment, distance FROM segments_one');
      const cleaned = cleanTransactions(await readTransactions(file), { caps: { amount: model.cleaning.caps.amount ?? Infinity, balance: model.cleaning.caps.balance ?? Infinity } });
      const features = customerFeatures(cleaned.table);
      const scores = scoreCustomers(model, features);
      const bySql = new Map(table.rows.map((x) => [x.customer, x]));
      assert.equal(bySql.size, features.n);
      let worst = 0;
      for (let i = 0; i < features.n; i++) {
        const key = keyText(features.customerId, i);
        const row = bySql.get(key);
        assert.ok(row, key);
        assert.equal(row.segment, scores.labels[i], key);
        worst = Math.max(worst, Math.abs(row.distance - scores.distances[i]));
      }
      checks.push(`SQL = TypeScript scoring (src/model/score.ts) for all ${features.n.toLocaleString('en-US')} customers; largest distance difference ${worst.toExponential(1)}`);
    } finally {
      await client.end();
    }
  } finally {
    cluster.stop();
  }
  console.log(`${file}: ${rows.toLocaleString('en-US')} rows, ${customers.toLocaleString('en-US')} customers; sample ${sampleSize.toLocaleString('en-US')}, k = ${k}; ${os.cpus().length} cores`);
  for (const [label, list] of runs) {
    const s = median(list.map((x) => x.ms)) / 1000;
    const loads = list.map((x) => x.load);
    console.log(
      `  ${label.padEnd(36)} median ${s.toFixed(2)} s (min ${(Math.min(...list.map((x) => x.ms)) / 1000).toFixed(2)}, n=${list.length}); ` +
        `${(s / (rows / 1e6)).toFixed(2)} s per million rows = ${Math.round(rows / s).toLocaleString('en-US')} rows/s, ${Math.round(customers / s).toLocaleString('en-US')} customers/s; ` +
        `load ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}; to Node ${(median(list.map((x) => x.bytes)) / 1e3).toFixed(1)} kB; ` +
        `coordinator backend ${mib(median(list.map((x) => x.coordinator)))}${list[0].shard > 0 ? `, shard backend ${mib(median(list.map((x) => x.shard)))}` : ''}`,
    );
  }
  for (const c of checks) console.log(`  check: ${c}`);
}

main().catch((err) => {
  console.error(err instanceof Error ? err.stack ?? err.message : String(err));
  process.exitCode = 1;
});
