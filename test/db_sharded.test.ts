/**
 * Sharded PostgreSQL for real: a coordinator and two shard servers (test/helpers/pg-cluster.ts, three throwaway
 * clusters on loopback), the real rows loaded with `bankseg db-import --shard`, hash-partitioned by customer with
 * postgres_fdw foreign partitions. Checks that rows land where PostgreSQL's own tuple routing puts them, that the
 * push-down's statements are sent to the shards (from EXPLAIN VERBOSE: aggregates and sorts in the Remote SQL,
 * asynchronous foreign scans), and that the results equal the single-server push-down and the TypeScript path on
 * the file, customer by customer.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { readTransactions } from '../src/collect/read';
import { cleanTransactions } from '../src/preprocess/clean';
import { customerFeatures } from '../src/preprocess/features';
import { profileTransactions } from '../src/explore/profile';
import { Client } from 'pg';
import { parseTableName } from '../src/collect/db/connection';
import { customerFeaturesSql } from '../src/collect/db/features';
import { importTransactionsFile } from '../src/collect/db/import';
import { tableStorage } from '../src/collect/db/partitions';
import { beginPushDown, pushDownFromDb } from '../src/collect/db/pushdown';
import { tableCountsSql, tableFacts, topValuesSql } from '../src/collect/db/quality';
import { readTransactionsFromDb } from '../src/collect/db/read';
import type { TransactionTable } from '../src/table';
import { bankseg } from './helpers/cli';
import { query } from './helpers/pg-query';
import { assertSameFeatures, assertSameReport } from './helpers/pg-compare';
import { PgCluster, startPgCluster } from './helpers/pg-cluster';
import { REAL_RAW } from './helpers/real-data';

let cluster: PgCluster;
let coordinator: string;

before(async () => {
  cluster = await startPgCluster(2);
  coordinator = cluster.coordinator.url;
  process.env.BANKSEG_QUIET = '1';
  // The single-server reference: the same file, unpartitioned, in the coordinator's own database.
  await importTransactionsFile(coordinator, REAL_RAW, 'flat_tx');
});

after(() => {
  if (!cluster) return;
  cluster.stop();
  for (const s of [cluster.coordinator, ...cluster.shards]) assert.equal(fs.existsSync(s.dir), false, 'stop() removes every data directory');
});

const sql = query;

function withoutSource(t: TransactionTable): Omit<TransactionTable, 'source'> {
  const { source: _source, ...rest } = t;
  return rest;
}



describe('bankseg db-import --shard', () => {
  before(async () => {
    const [s0, s1] = cluster.shards;
    const r = await bankseg(['db-import', '--input', REAL_RAW, '--url', coordinator, '--table', 'tx', '--shard', s0.url, '--shard', s1.url]);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^loaded 20,000 rows from .*first20k\.csv into tx at postgres:\/\/bankseg_test@127\.0\.0\.1:\d+\/bankseg_test, hash-partitioned by customer_id over 2 shards \([\d,]+ \+ [\d,]+ rows\) \(no malformed rows\) in \d+\.\d s\n$/);
  });

  test('the coordinator holds a table partitioned by HASH (customer_id) with one foreign partition per shard', async () => {
    const rows = await sql(coordinator, `
      SELECT c.relname, c.relkind, pg_get_expr(c.relpartbound, c.oid) AS bound, s.srvname, fs.srvoptions
        FROM pg_partition_tree('tx') p JOIN pg_class c ON c.oid = p.relid
        LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid LEFT JOIN pg_foreign_server fs ON fs.oid = ft.ftserver
        LEFT JOIN pg_foreign_server s ON s.oid = ft.ftserver ORDER BY p.level, c.relname`);
    const [s0, s1] = cluster.shards;
    assert.deepEqual(rows, [
      { relname: 'tx', relkind: 'p', bound: null, srvname: null, srvoptions: null },
      { relname: 'tx_shard0', relkind: 'f', bound: 'FOR VALUES WITH (modulus 2, remainder 0)', srvname: `bankseg_127_0_0_1_${s0.port}_bankseg_test`,
        srvoptions: ['host=127.0.0.1', `port=${s0.port}`, 'dbname=bankseg_test', 'async_capable=true', 'fetch_size=10000', 'fdw_tuple_cost=0.2', 'options=-c work_mem=256MB'] },
      { relname: 'tx_shard1', relkind: 'f', bound: 'FOR VALUES WITH (modulus 2, remainder 1)', srvname: `bankseg_127_0_0_1_${s1.port}_bankseg_test`,
        srvoptions: ['host=127.0.0.1', `port=${s1.port}`, 'dbname=bankseg_test', 'async_capable=true', 'fetch_size=10000', 'fdw_tuple_cost=0.2', 'options=-c work_mem=256MB'] },
    ]);
    assert.deepEqual(await sql(coordinator, `SELECT pg_get_partkeydef('tx'::regclass) AS key`), [{ key: 'HASH (customer_id)' }]);
  });

  test('each customer is on the shard where PostgreSQL tuple routing puts it, with all of its rows', async () => {
    const file = await readTransactions(REAL_RAW);
    const rowsOf = new Map<string, number>();
    for (let i = 0; i < file.rows; i++) {
      const id = file.customerId.values[file.customerId.codes[i]];
      rowsOf.set(id, (rowsOf.get(id) ?? 0) + 1);
    }
    // The reference: a plain (not foreign) table hash-partitioned the same way; PostgreSQL routes each id itself.
    await sql(coordinator, `
      CREATE TABLE route_check (customer_id text) PARTITION BY HASH (customer_id);
      CREATE TABLE route_check_0 PARTITION OF route_check FOR VALUES WITH (MODULUS 2, REMAINDER 0);
      CREATE TABLE route_check_1 PARTITION OF route_check FOR VALUES WITH (MODULUS 2, REMAINDER 1);`);
    await sql(coordinator, `INSERT INTO route_check SELECT unnest($1::text[])`, [[...rowsOf.keys()]]);
    let total = 0;
    for (const [k, shard] of cluster.shards.entries()) {
      const routed = await sql<{ id: string }>(coordinator, `SELECT customer_id AS id FROM route_check_${k} ORDER BY 1`);
      const onShard = await sql<{ id: string; n: string }>(shard.url, `SELECT customer_id AS id, count(*) AS n FROM tx_shard${k} GROUP BY 1 ORDER BY 1`);
      assert.deepEqual(onShard.map((r) => r.id), routed.map((r) => r.id), `shard ${k}: the customers routing sends there`);
      for (const r of onShard) assert.equal(Number(r.n), rowsOf.get(r.id), `shard ${k}: every row of ${r.id}`);
      assert.ok(onShard.length > 5000, `shard ${k} holds a fair share (${onShard.length} customers)`);
      total += onShard.reduce((sum, r) => sum + Number(r.n), 0);
    }
    assert.equal(total, 20_000);
  });

  test('reading the sharded table through the coordinator gives the same TransactionTable as the file', async () => {
    const fromDb = await readTransactionsFromDb(coordinator, 'tx');
    assert.deepEqual(withoutSource(fromDb), withoutSource(await readTransactions(REAL_RAW)));
  });

  test('re-running the import replaces the rows on every server instead of adding them', async () => {
    const [s0, s1] = cluster.shards;
    const r = await bankseg(['db-import', '--input', REAL_RAW, '--url', coordinator, '--table', 'tx', '--shard', s0.url, '--shard', s1.url]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await sql(coordinator, `SELECT count(*)::int AS n, count(DISTINCT row_index)::int AS distinct_rows FROM tx`), [{ n: 20_000, distinct_rows: 20_000 }]);
    for (const [k, shard] of cluster.shards.entries()) {
      assert.deepEqual(await sql(shard.url, `SELECT relname FROM pg_class WHERE relname LIKE 'tx%' AND relkind = 'r'`), [{ relname: `tx_shard${k}` }]);
    }
  });

  test('a connection lost during a sharded import: one line, as without shards, and the old table unchanged', async () => {
    const [s0, s1] = cluster.shards;
    const before = await Promise.all(cluster.shards.map((shard, k) => sql<{ n: number }>(shard.url, `SELECT count(*)::int AS n FROM tx_shard${k}`)));
    // The test holds the import lock on the coordinator; the import waits for it, and its backend is terminated there.
    const admin = new Client({ connectionString: cluster.coordinator.adminUrl.replace(/\/postgres$/, '/bankseg_test') });
    const holder = new Client({ connectionString: coordinator });
    await admin.connect();
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['bankseg-import:"tx"']);
      const running = bankseg(['db-import', '--input', REAL_RAW, '--url', coordinator, '--table', 'tx', '--shard', s0.url, '--shard', s1.url]);
      let pid: number | undefined;
      for (let tries = 0; pid === undefined && tries < 600; tries++) {
        pid = (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'bankseg' AND wait_event_type = 'Lock'`)).rows[0]?.pid;
        if (pid === undefined) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(pid !== undefined, 'the import waits for its lock');
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      const r = await running;
      await holder.query('ROLLBACK');
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr.trimEnd(), /^bankseg db-import: postgres:\/\/bankseg_test@127\.0\.0\.1:\d+\/bankseg_test: importing into tx: connection to the database lost during import; the old table is unchanged$/);
    } finally {
      await admin.end();
      await holder.end();
    }
    assert.deepEqual(await sql(coordinator, `SELECT count(*)::int AS n FROM tx`), [{ n: 20_000 }]);
    const after = await Promise.all(cluster.shards.map((shard, k) => sql<{ n: number }>(shard.url, `SELECT count(*)::int AS n FROM tx_shard${k}`)));
    assert.deepEqual(after, before, 'every shard keeps its rows');
    for (const [k, shard] of cluster.shards.entries()) {
      assert.deepEqual(await sql(shard.url, `SELECT relname FROM pg_class WHERE relname LIKE 'tx%' AND relkind = 'r'`), [{ relname: `tx_shard${k}` }], 'no staging table left');
    }
  });
});

describe('push-down on the sharded table', () => {
  /** EXPLAIN (VERBOSE) of `statement` in the push-down's own transaction settings, as text. */
  async function explain(statement: string): Promise<string> {
    const client = new Client({ connectionString: coordinator });
    await client.connect();
    try {
      await beginPushDown(client);
      const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (VERBOSE, COSTS OFF) ${statement}`);
      await client.query('ROLLBACK');
      return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    } finally {
      await client.end();
    }
  }

  /** The statements the push-down runs on `tx`, built by the same functions with the same whole-table numbers. */
  async function statements() {
    const client = new Client({ connectionString: coordinator });
    await client.connect();
    try {
      await beginPushDown(client);
      const name = parseTableName('tx');
      const storage = await tableStorage(client, name);
      const facts = await tableFacts(client, storage, 0.999);
      await client.query('ROLLBACK');
      const inputs = { amountCap: facts.quality.caps.amount, balanceCap: facts.quality.caps.balance, endDay: facts.endDay as number, asOf: facts.endDay as number };
      return { storage, counts: tableCountsSql(storage), top: topValuesSql(storage, 'amount', 21), features: customerFeaturesSql(name, inputs, 10) };
    } finally {
      await client.end();
    }
  }

  const remoteSql = (plan: string) => [...plan.matchAll(/Remote SQL: (.*)/g)].map((m) => m[1]);

  test('the storage is seen as two foreign leaves partitioned by customer', async () => {
    const { storage } = await statements();
    assert.deepEqual(storage, { leaves: ['public.tx_shard0', 'public.tx_shard1'], byCustomer: true, foreignLeaves: 2 });
  });

  test('per-customer features: the whole aggregate runs on each shard, both shards at once', async () => {
    const plan = await explain((await statements()).features);
    // Partitionwise aggregation pushed down: each shard's foreign scan is an aggregate, grouped by customer there.
    assert.equal([...plan.matchAll(/Async Foreign Scan/g)].length, 2, plan);
    assert.match(plan, /Relations: Aggregate on \(public\.tx_shard0 \w+\)/);
    assert.match(plan, /Relations: Aggregate on \(public\.tx_shard1 \w+\)/);
    const remote = remoteSql(plan);
    assert.equal(remote.length, 2, plan);
    for (const [k, r] of remote.entries()) {
      // By customer: the CustomerID, birth day and gender of the customer key (cleaning rule 10).
      assert.match(r, new RegExp(`FROM public\\.tx_shard${k} WHERE .* GROUP BY 1, 2, 3$`), 'grouped by customer on the shard');
      for (const piece of ['min(row_index)', 'sum((CASE WHEN', 'max(ARRAY[', 'array_agg(']) assert.ok(r.includes(piece), `${piece} in ${r}`);
    }
    // What stays on the coordinator works on one row per customer: no aggregate reads a foreign scan's raw rows.
    assert.doesNotMatch(plan, /(HashAggregate|GroupAggregate)[^\n]*\n(\s+Output[^\n]*\n)?(\s+Group Key[^\n]*\n)?\s+->\s+(Async )?Foreign Scan/);
  });

  test('whole-table counts: one aggregate per shard, computed there', async () => {
    const plan = await explain((await statements()).counts);
    assert.equal([...plan.matchAll(/Async Foreign Scan/g)].length, 2, plan);
    const remote = remoteSql(plan);
    assert.equal(remote.length, 2);
    for (const r of remote) assert.match(r, /^SELECT count\(\*\), count\(\*\) FILTER \(WHERE .* FROM public\.tx_shard\d WHERE /);
    assert.doesNotMatch(remote.join('\n'), /GROUP BY/);
  });

  test('outlier caps: each shard sorts its own values and sends only its top ones', async () => {
    const plan = await explain((await statements()).top);
    assert.equal([...plan.matchAll(/Async Foreign Scan/g)].length, 2, plan);
    const remote = remoteSql(plan);
    assert.equal(remote.length, 2, plan);
    for (const r of remote) assert.match(r, /ORDER BY .* DESC NULLS FIRST LIMIT 21::bigint$/);
  });

  test('equal results: sharded push-down = single-server push-down = the TypeScript path on the file', async () => {
    const file = await readTransactions(REAL_RAW);
    const cleaned = cleanTransactions(file);
    const sharded = await pushDownFromDb(coordinator, 'tx');
    const single = await pushDownFromDb(coordinator, 'flat_tx');
    assertSameFeatures(sharded.features, customerFeatures(cleaned.table));
    assertSameFeatures(sharded.features, single.features);
    assertSameReport(sharded.quality, cleaned.report);
    assertSameReport(sharded.quality, single.quality);
    assert.deepEqual(sharded.profile, profileTransactions(file));
    assert.equal(sharded.malformed.count, 0);
  });
});
