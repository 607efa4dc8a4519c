/**
 * Fit on a sample, score in the database (issue 15 item 2, docs/database.md): the customer sample drawn in SQL by a
 * hash of the customer key, and the assignment of every customer by generated SQL into `customer_segments`, on one
 * server and on a coordinator with two shards (test/helpers/pg-cluster.ts). The references are independent of the
 * SQL: the TypeScript fit on the real rows of the file (its labels are the nearest centroid of every customer: the
 * delivered fit runs Lloyd until no customer moves), the tie-aware RFM quintiles of insights/rfm.ts, distances
 * recomputed here from the fit's own z matrix, and the file path's features for the sampled customers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readTransactions } from '../src/collect/read';
import { cleanTransactions } from '../src/preprocess/clean';
import { customerFeatures } from '../src/preprocess/features';
import type { CustomerFeatures } from '../src/preprocess/feature_registry';
import { segmentCustomers } from '../src/segment';
import { profileSegmentation } from '../src/insights/profile';
import { RFM_SEGMENTS } from '../src/insights/rfm';
import type { ProfiledSegmentation } from '../src/insights/types';
import { Client } from 'pg';
import { parseTableName } from '../src/collect/db/connection';
import { importTransactionsFile } from '../src/collect/db/import';
import { importShardedFile } from '../src/collect/db/shards';
import { pushDownFromDb, WORK_MEM } from '../src/collect/db/pushdown';
import { assignInDatabase } from '../src/collect/db/assign';
import { assignmentSql, modelCaps } from '../src/collect/db/scoring';
import { buildModel } from '../src/model/build';
import { modelJson, parseModel } from '../src/model/model';
import type { SegmentModel } from '../src/model/model';
import { modelRfm, scoreCustomers } from '../src/model/score';
import { hashThreshold, sampleHashSql } from '../src/collect/db/sample';
import { BIRTH_DAY, GENDER_CODE, KEPT, sourceRowsSql } from '../src/collect/db/rules_sql';
import * as bs from '../src/notebook/index';
import { featureRow } from './helpers/features';
import { bankseg } from './helpers/cli';
import { query } from './helpers/pg-query';
import { assertSameReport } from './helpers/pg-compare';
import { PgCluster, startPgCluster } from './helpers/pg-cluster';
import { REAL_RAW } from './helpers/real-data';
import { keyText, keyTexts } from '../src/table';

let cluster: PgCluster;
let coordinator: string;
/** The TypeScript path on the file: features, the fit (k = 4), its saved model (model.json, read back). */
let features: CustomerFeatures;
let seg: ProfiledSegmentation;
let model: SegmentModel;
let report: ReturnType<typeof cleanTransactions>['report'];

before(async () => {
  cluster = await startPgCluster(2);
  coordinator = cluster.coordinator.url;
  process.env.BANKSEG_QUIET = '1';
  // One server: the file unpartitioned in the coordinator's own database; sharded: hash-partitioned over two shards.
  await importTransactionsFile(coordinator, REAL_RAW, 'flat_tx');
  await importShardedFile(coordinator, REAL_RAW, 'tx', cluster.shards.map((s) => s.url));
  const cleaned = cleanTransactions(await readTransactions(REAL_RAW));
  report = cleaned.report;
  features = customerFeatures(cleaned.table);
  seg = profileSegmentation(features, segmentCustomers(features, { k: 4, seed: 42 }));
  model = parseModel(modelJson(buildModel(seg, { features, quality: report, clean: cleaned.table })));
});

after(() => cluster?.stop());

const sql = <T extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> => query<T>(coordinator, text, params);

interface SegmentRow {
  customer: string;
  customer_id: string;
  segment: number;
  segment_name: string;
  distance: number;
  rfm_segment: string;
  [column: string]: unknown;
}

const readSegments = (table: string) => sql<SegmentRow>(`SELECT * FROM ${table} ORDER BY customer COLLATE "C"`);

/** Runs the real binary; resolves with its exit code and output. */
describe('assigning every customer inside the database', () => {
  test('one server: the SQL assignment equals the TypeScript fit and the TypeScript scoring customer by customer on the real rows', async () => {
    const result = await assignInDatabase(coordinator, 'flat_tx', model, { out: 'segments_flat' });
    const rows = await readSegments('segments_flat');
    assert.equal(rows.length, features.n, 'one row per customer');
    assert.equal(result.customers, features.n);
    const byKey = new Map(rows.map((r) => [r.customer, r]));
    const { X, d } = seg.space;
    const centroids = seg.fit.centroids;
    const rfm = seg.context.rfm.scores;
    // The second reference: the model's TypeScript scoring (what `bankseg assign` computes), with the model's RFM cut points.
    const scored = scoreCustomers(model, features);
    const scoredRfm = modelRfm(model, features);
    const perSegment = new Array<number>(seg.k).fill(0);
    let largestGap = 0;
    for (let i = 0; i < features.n; i++) {
      const key = keyText(features.customerId, i);
      const row = byKey.get(key);
      assert.ok(row, `customer ${key} is in the table`);
      const label = seg.fit.labels[i];
      perSegment[label]++;
      assert.equal(row.segment, label, `segment of ${key}`);
      assert.equal(scored.labels[i], label, `TypeScript scoring of ${key}`);
      assert.equal(scoredRfm.segment[i], rfm.segment[i], `TypeScript RFM by cut points of ${key}`);
      assert.equal(row.segment_name, seg.segments[label].name, `segment name of ${key}`);
      assert.equal(row.customer_id, key.split('|')[0]);
      assert.equal(row.rfm_segment, RFM_SEGMENTS[rfm.segment[i]], `RFM segment of ${key}`);
      let s = 0;
      for (let j = 0; j < d; j++) s += (X[i * d + j] - centroids[label * d + j]) ** 2;
      const gap = Math.abs(row.distance - Math.sqrt(s)) / Math.max(1, Math.sqrt(s));
      largestGap = Math.max(largestGap, gap, Math.abs(row.distance - scored.distances[i]) / Math.max(1, scored.distances[i]));
    }
    // ln(1 + x) in SQL for log1p(x) in TypeScript: the last bits of a coordinate may differ, not more.
    assert.ok(largestGap < 1e-12, `largest relative distance difference ${largestGap}`);
    assert.deepEqual(result.perSegment, perSegment);
    assert.deepEqual(result.perRfmSegment, seg.context.rfm.customers);
    assert.equal(result.rowsKept, report.outputRows);
  });

  test('two shards: the same table, row for row and bit for bit, with the scoring run on the shards', async () => {
    const result = await assignInDatabase(coordinator, 'tx', model, { out: 'segments_sharded' });
    assert.equal(result.storage.foreignLeaves, 2);
    assert.deepEqual(await readSegments('segments_sharded'), await readSegments('segments_flat'));
  });

  test('EXPLAIN (VERBOSE): the features and all k distances are computed on each shard; the coordinator takes the least', async () => {
    const client = new Client({ connectionString: coordinator });
    await client.connect();
    let plan: string;
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL work_mem = '${WORK_MEM}'`);
      await client.query('SET LOCAL enable_partitionwise_aggregate = on');
      const end = await client.query<{ day: number }>(`SELECT max(s.day) AS day FROM ${sourceRowsSql('flat_tx')} WHERE s.readable AND ${KEPT}`);
      const inputs = { ...modelCaps(model), endDay: end.rows[0].day, asOf: end.rows[0].day };
      const rows = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (VERBOSE, COSTS OFF) ${assignmentSql(parseTableName('tx'), model, inputs)}`);
      plan = rows.rows.map((r) => r['QUERY PLAN']).join('\n');
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
    assert.equal([...plan.matchAll(/Async Foreign Scan/g)].length, 2, plan);
    const remote = [...plan.matchAll(/Remote SQL: (.*)/g)].map((m) => m[1]);
    assert.equal(remote.length, 2, plan);
    for (const [k, r] of remote.entries()) {
      assert.match(r, new RegExp(`FROM public\\.tx_shard${k} WHERE .* GROUP BY 1, 2, 3 HAVING`), 'grouped by customer on the shard');
      // Every centroid's coordinates appear in the shard's statement: the distances are computed there.
      for (const s of model.segments) for (const c of s.centroid) assert.ok(r.includes(String(c)), `centroid ${s.id} coordinate ${c} in the shard's SQL`);
      assert.ok(r.includes('ln((1'), 'log1p as ln(1 + x) on the shard');
      assert.ok(!r.includes('LEAST'), 'the nearest centroid is chosen on the coordinator');
    }
    assert.doesNotMatch(plan, /(HashAggregate|GroupAggregate)[^\n]*\n(\s+Output[^\n]*\n)?(\s+Group Key[^\n]*\n)?\s+->\s+(Async )?Foreign Scan/, 'no aggregate over raw rows on the coordinator');
  });

  test('a table bankseg did not make is never replaced; one it made is, whole', async () => {
    await sql('CREATE TABLE not_ours (customer text)');
    await assert.rejects(assignInDatabase(coordinator, 'flat_tx', model, { out: 'not_ours' }), /not_ours already exists and was not written by bankseg/);
    assert.deepEqual(await sql(`SELECT count(*)::int AS n FROM not_ours`), [{ n: 0 }]);
    // Replaced by another model: every row is the new model's (k = 2: segments 0 and 1 only).
    const two = buildModel(profileSegmentation(features, segmentCustomers(features, { k: 2, seed: 42 })), { features, quality: report });
    await assignInDatabase(coordinator, 'flat_tx', two, { out: 'segments_replaced' });
    await assignInDatabase(coordinator, 'flat_tx', model, { out: 'segments_replaced' });
    assert.deepEqual(await readSegments('segments_replaced'), await readSegments('segments_flat'));
    const comment = await sql<{ c: string }>(`SELECT obj_description('segments_replaced'::regclass, 'pg_class') AS c`);
    assert.equal(JSON.parse(comment[0].c).bankseg, 'customer-segments');
    assert.deepEqual(await sql(`SELECT count(*)::int AS n FROM pg_class WHERE relname LIKE '%bankseg_scoring%'`), [{ n: 0 }], 'no staging table left');
  });

  test('from a notebook: bs.assignInDatabase with BANKSEG_URL and BANKSEG_TABLE writes the same table', async () => {
    const env = { BANKSEG_URL: coordinator, BANKSEG_TABLE: 'tx' };
    const done = await bs.assignInDatabase(model, { out: 'segments_notebook' }, env);
    assert.equal(done.customers, features.n);
    assert.deepEqual(await readSegments('segments_notebook'), await readSegments('segments_flat'));
    await assert.rejects(bs.assignInDatabase(model, {}, {}), /set BANKSEG_URL/);
  });

  test('--as-of before the last date is refused, and nothing is written', async () => {
    await assert.rejects(assignInDatabase(coordinator, 'flat_tx', model, { out: 'segments_early', asOf: 17000 }), /--as-of 2016-07-18 is before the last transaction date in the data, 2016-10-21/);
    assert.deepEqual(await sql(`SELECT to_regclass('segments_early') IS NULL AS absent`), [{ absent: true }]);
  });
});

describe('a seeded sample of customers drawn in the database', () => {
  /** Every customer key of `table` with its sample hash under `seed`, by a plain per-customer query (no prefilter, no limit). */
  async function hashes(table: string, seed: number): Promise<Map<string, bigint>> {
    const rows = await sql<{ id: string; birth: number | null; gender: number | null; h: string }>(
      `SELECT s.customer_id AS id, ${BIRTH_DAY} AS birth, ${GENDER_CODE} AS gender, ${sampleHashSql(seed)}::text AS h
         FROM ${sourceRowsSql(table)} WHERE s.readable AND ${KEPT} GROUP BY 1, 2, 3, 4`,
    );
    const key = (r: (typeof rows)[number]) => {
      const birth = r.birth === null ? '?' : new Date(r.birth * 86400000).toISOString().slice(0, 10);
      return `${r.id}|${birth}|${r.gender === null ? '?' : ['F', 'M'][r.gender]}`;
    };
    return new Map(rows.map((r) => [key(r), BigInt(r.h)]));
  }

  /** The file path's features of the customers in `keys`, in the order of `sampled`, as rows. */
  function fileRowsOf(sampled: CustomerFeatures) {
    const index = new Map(keyTexts(features.customerId).map((k, i) => [k, i]));
    return keyTexts(sampled.customerId).map((k) => {
      const i = index.get(k);
      assert.ok(i !== undefined, `sampled customer ${k} is a customer of the file`);
      return featureRow(features, i);
    });
  }

  function assertSameRows(sampled: CustomerFeatures): void {
    const expected = fileRowsOf(sampled);
    keyTexts(sampled.customerId).forEach((key, i) => {
      const row = featureRow(sampled, i);
      for (const [name, want] of Object.entries(expected[i])) {
        const got = row[name as keyof typeof row];
        if (typeof want === 'number' && typeof got === 'number' && !Number.isNaN(want)) {
          assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${key} ${name}: ${got} vs ${want}`);
        } else if (name !== 'location') assert.deepEqual(got, want, `${key} ${name}`);
      }
    });
  }

  test('a size: exactly the N customers of smallest hash, the same on one server and on two shards, with the file\'s features', async () => {
    const all = await hashes('flat_tx', 7);
    assert.equal(all.size, features.n, 'one hash per customer');
    const expected = [...all].sort((a, b) => (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)).slice(0, 2000).map(([k]) => k).sort();
    const sharded = await pushDownFromDb(coordinator, 'tx', { sample: { size: 2000, seed: 7 } });
    const single = await pushDownFromDb(coordinator, 'flat_tx', { sample: { size: 2000, seed: 7 } });
    assert.deepEqual([...keyTexts(sharded.features.customerId)].sort(), expected);
    assert.deepEqual([...keyTexts(single.features.customerId)].sort(), expected);
    assert.deepEqual(sharded.sample && { drawn: sharded.sample.drawn, customers: sharded.sample.customers }, { drawn: 2000, customers: features.n });
    assertSameRows(sharded.features);
    // The data-quality report and the profile stay the whole table's.
    assertSameReport(sharded.quality, report);
    assert.equal(sharded.profile.rows, 20000);
    assert.equal(sharded.profile.customers, 19937, 'CustomerIDs read (test/helpers/real-data.ts, by pandas)');
  });

  test('a fraction: each customer whose hash is below f·2^64 − 2^63; about f of them; another seed, another sample', async () => {
    const f = 0.1;
    const all = await hashes('flat_tx', 11);
    // Hand-worked: half the range is below 0, a quarter below −2^62.
    assert.equal(hashThreshold(0.5), '0');
    assert.equal(hashThreshold(0.25), String(-(2n ** 62n)));
    const expected = [...all].filter(([, h]) => h < BigInt(hashThreshold(f))).map(([k]) => k).sort();
    const drawn = await pushDownFromDb(coordinator, 'tx', { sample: { fraction: f, seed: 11 } });
    assert.deepEqual([...keyTexts(drawn.features.customerId)].sort(), expected);
    // Binomial(19,999, 0.1): mean 2,000, sd 42; five sd either side.
    const n = drawn.features.n;
    assert.ok(Math.abs(n - f * features.n) < 5 * Math.sqrt(features.n * f * (1 - f)), `${n} customers drawn`);
    assertSameRows(drawn.features);
    const other = await pushDownFromDb(coordinator, 'tx', { sample: { fraction: f, seed: 12 } });
    const overlap = keyTexts(other.features.customerId).filter((k) => expected.includes(k)).length;
    // Independent draws: the overlap is about f² of the customers (200), far from all of them.
    assert.ok(overlap < 400, `seeds 11 and 12 share ${overlap} customers`);
  });
});

describe('bankseg segment --push-down --sample --assign-in-database', () => {
  test('fits on a sample, then writes every customer\'s segment in the database; the report says what it describes', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-scoring-'));
    try {
      const r = await bankseg([
        'segment', '--url', coordinator, '--table', 'tx', '--push-down', '--sample', '5000', '--sample-seed', '3', '--k', '3',
        '--assign-in-database', '--out-table', 'cli_segments', '--out', out, '--figures', out,
      ]);
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
      assert.match(r.stdout, /^3 segments of 5,000 customers;/);
      assert.match(r.stdout, /\nfitted on a seeded random sample of 5,000 of the 19,999 customers \(seed 3; drawn in the database by a hash of the customer key\)\n/);
      assert.match(r.stdout, /\nassigned 19,999 customers inside the database on 2 shards into cli_segments \(postgres:\/\/bankseg_test@127\.0\.0\.1:\d+\/bankseg_test table tx\) in \d+\.\d s:\n/);
      const counts = await sql<{ segment: number; n: number }>('SELECT segment, count(*)::int AS n FROM cli_segments GROUP BY 1 ORDER BY 1');
      assert.equal(counts.reduce((a, c) => a + c.n, 0), features.n);
      const shares = [...r.stdout.matchAll(/^ {2}( \d) {2}.* (\d+\.\d)% of customers$/gm)].map((m) => [Number(m[1]), Number(m[2])]);
      assert.deepEqual(shares, counts.map((c) => [c.segment, Number(((100 * c.n) / features.n).toFixed(1))]), r.stdout);
      const insights = fs.readFileSync(path.join(out, 'insights.md'), 'utf8');
      assert.match(insights, /\*\*Everything below describes a seeded random sample of 5,000 of the 19,999 customers/);
      // The table's comment names the model file the assignment read, the one segment wrote.
      const comment = await sql<{ c: string }>(`SELECT obj_description('cli_segments'::regclass, 'pg_class') AS c`);
      assert.equal(JSON.parse(comment[0].c).model.path, path.join(out, 'model.json'));
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });

  test('usage errors: --sample and --assign-in-database need --push-down', async () => {
    const a = await bankseg(['segment', '--url', coordinator, '--sample', '100']);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /--sample needs --push-down/);
    const b = await bankseg(['segment', '--url', coordinator, '--assign-in-database']);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /--assign-in-database needs --push-down/);
    const c = await bankseg(['segment', '--url', coordinator, '--push-down', '--sample', '1.5']);
    assert.equal(c.code, 2);
    assert.match(c.stderr, /--sample expects a number of customers/);
  });
});

describe('bankseg assign --in-database', () => {
  test('the same model.json scored by `assign` in TypeScript (assignments.csv) and inside the database on two shards: equal customer by customer', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-assign-db-'));
    try {
      const modelFile = path.join(dir, 'model.json');
      fs.writeFileSync(modelFile, modelJson(model));
      const ts = await bankseg(['assign', '--model', modelFile, '--input', REAL_RAW, '--out', dir, '--figures', dir, '--no-figures', '--no-cache']);
      assert.equal(ts.code, 0, ts.stderr);
      const db = await bankseg(['assign', '--model', modelFile, '--url', coordinator, '--table', 'tx', '--in-database', '--out-table', 'assigned_by_cli']);
      assert.equal(db.stderr, '');
      assert.equal(db.code, 0);
      assert.match(db.stdout, /^assigned 19,999 customers inside the database on 2 shards into assigned_by_cli /);
      const [header, ...lines] = fs.readFileSync(path.join(dir, 'assignments.csv'), 'utf8').trimEnd().split('\n');
      const columns = header.split(',');
      const at = (name: string) => columns.indexOf(name);
      const rows = new Map((await readSegments('assigned_by_cli')).map((r) => [r.customer, r]));
      assert.equal(lines.length, rows.size, 'the same customers');
      for (const line of lines) {
        const cells = line.split(',');
        assert.equal(cells.length, columns.length, `a plain CSV line: ${line}`);
        const row = rows.get(cells[at('customer')]);
        assert.ok(row, `${cells[0]} is in the table`);
        assert.equal(row.segment, Number(cells[at('segment')]), `segment of ${cells[0]}`);
        assert.equal(row.segment_name, cells[at('segmentName')]);
        assert.equal(row.rfm_segment, cells[at('rfmSegment')], `RFM segment of ${cells[0]}`);
        // assignments.csv rounds distances to 6 decimals.
        assert.ok(Math.abs(row.distance - Number(cells[at('distance')])) <= 5.01e-7, `distance of ${cells[0]}: ${row.distance} vs ${cells[at('distance')]}`);
      }
      const comment = await sql<{ c: string }>(`SELECT obj_description('assigned_by_cli'::regclass, 'pg_class') AS c`);
      assert.equal(JSON.parse(comment[0].c).model.path, modelFile);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('usage errors: --in-database needs --url and writes no files', async () => {
    const a = await bankseg(['assign', '--model', 'm.json', '--input', REAL_RAW, '--in-database']);
    assert.equal(a.code, 2);
    assert.match(a.stderr, /--in-database needs --url/);
    const b = await bankseg(['assign', '--model', 'm.json', '--url', coordinator, '--in-database', '--out', '/tmp/x']);
    assert.equal(b.code, 2);
    assert.match(b.stderr, /--out does not go with --in-database/);
  });
});
