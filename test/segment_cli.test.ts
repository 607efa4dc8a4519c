/**
 * `bankseg segment` end to end on the real rows: the written files are re-read and checked independently
 * (inertia recomputed from the z columns of customers.csv), and bad arguments give one line and nothing written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REAL_RAW } from './helpers/real-data';
import { bankseg, CliResult } from './helpers/cli';

const REAL = REAL_RAW;


const run = (args: string[]): Promise<CliResult> => bankseg(args);

test('segment writes customers.csv, segments.json and the report, consistent with each other', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-segment-'));
  const out = path.join(dir, 'processed');
  const figures = path.join(dir, 'figures');
  const { code, stdout, stderr } = await run(['segment', '--input', REAL, '--out', out, '--figures', figures, '--k', '4', '--seed', '3']);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^4 segments of 19,999 customers; silhouette /);

  const lines = fs.readFileSync(path.join(out, 'customers.csv'), 'utf8').trimEnd().split('\n');
  const header = lines[0].split(',');
  assert.deepEqual(header, [
    'customer', 'CustomerID', 'recencyDays', 'frequency', 'monetaryTotal', 'monetaryMean', 'balance', 'age',
    'gender', 'location', 'timeOfDay', 'rfmR', 'rfmF', 'rfmM', 'rfmSegment',
    'z_recencyDays', 'z_monetaryTotal', 'z_balance', 'z_age', 'segment',
  ]);
  assert.equal(lines.length - 1, 19_999);
  const rows = lines.slice(1).map((l) => l.split(','));
  // The first customer of the file: T1,C5841053,10/1/94,F,JAMSHEDPUR,17819.05,2/8/16,143207,25.0 (JAMSHEDPUR is not
  // among the top 10 locations: OTHER; 14:32:07 is in the afternoon).
  assert.deepEqual(rows[0].slice(0, 11), ['C5841053|1994-01-10|F', 'C5841053', rows[0][2], '1', '25', '25', '17819.05', '22', 'F', 'OTHER', 'afternoon']);
  assert.equal(new Set(rows.map((r) => r[0])).size, rows.length, 'one row per customer');

  // Inertia from the file: centroids as the mean z of each segment, then the squared distances.
  const doc = JSON.parse(fs.readFileSync(path.join(out, 'segments.json'), 'utf8'));
  const d = 4;
  const sums = Array.from({ length: 4 }, () => new Array(d).fill(0));
  const sizes = new Array(4).fill(0);
  const z = rows.map((r) => r.slice(15, 19).map(Number));
  const seg = rows.map((r) => Number(r[19]));
  seg.forEach((s, i) => {
    sizes[s]++;
    z[i].forEach((v, t) => (sums[s][t] += v));
  });
  let inertia = 0;
  seg.forEach((s, i) => z[i].forEach((v, t) => (inertia += (v - sums[s][t] / sizes[s]) ** 2)));
  assert.ok(Math.abs(inertia - doc.inertia) / doc.inertia < 1e-5, `${inertia} vs ${doc.inertia}`);

  assert.equal(doc.k, 4);
  for (const key of ['silhouette', 'daviesBouldin', 'calinskiHarabasz']) assert.equal(typeof doc[key], 'number');
  assert.ok(doc.silhouette > -1 && doc.silhouette < 1);
  assert.deepEqual(doc.kSweep.map((s: { k: number }) => s.k), [2, 3, 4, 5, 6, 7, 8]);
  for (const s of doc.kSweep) for (const key of ['inertia', 'silhouette', 'daviesBouldin', 'calinskiHarabasz', 'stability', 'restarts', 'confirmedBy']) assert.equal(typeof s[key], 'number', key);
  // The delivered fit is the sweep's k = 4 fit run until no customer moves: never worse.
  assert.ok(doc.inertia <= doc.kSweep[2].inertia * (1 + 1e-12), `${doc.inertia} vs ${doc.kSweep[2].inertia}`);
  assert.equal(doc.segments.length, 4);
  doc.segments.forEach((s: { id: number; size: number; share: number; name: string; action: string; profile: object; monetaryShare: number }, c: number) => {
    assert.equal(s.id, c);
    assert.equal(s.size, sizes[c]);
    assert.ok(Math.abs(s.share - sizes[c] / 19_999) < 1e-9);
    assert.ok(s.name && s.action && s.profile && typeof s.monetaryShare === 'number');
  });
  const md = fs.readFileSync(path.join(figures, 'insights.md'), 'utf8');
  for (const s of doc.segments) assert.ok(md.includes(s.name));
  assert.ok(fs.readFileSync(path.join(figures, 'insights.html'), 'utf8').includes('<table>'));
  assert.deepEqual(fs.readdirSync(out).sort(), ['customers.csv', 'model.json', 'segments.json'], 'no temporary files left');
  fs.rmSync(dir, { recursive: true });
});

test('bad arguments: one line, exit code 2, nothing written', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-segment-bad-'));
  const out = path.join(dir, 'out');
  const cases: [string[], RegExp][] = [
    [['--k', '1'], /--k expects auto or a whole number >= 2, got "1"/],
    [['--k', 'many'], /--k expects auto or a whole number >= 2, got "many"/],
    [['--k', '50000'], /k = 50000 is more than the 19999 customers to segment/],
    [['--seed', '-3'], /--seed/],
    [['--features', 'recencyDays,income'], /--features: unknown feature "income"/],
    [['--bogus'], /bogus/],
    [['--as-of', '2016-02-30'], /--as-of expects a date as YYYY-MM-DD, got "2016-02-30"/],
    [['--as-of', '2016-10-20'], /--as-of 2016-10-20 is before the last transaction date in the data, 2016-10-21/],
  ];
  for (const [args, pattern] of cases) {
    const { code, stderr } = await run(['segment', '--input', REAL, '--out', out, '--figures', out, ...args]);
    assert.equal(code, 2, `${args.join(' ')}: ${stderr}`);
    assert.match(stderr, pattern);
    assert.equal(stderr.trimEnd().split('\n').length, 1, `one line: ${stderr}`);
    assert.ok(stderr.startsWith('bankseg segment: '));
  }
  assert.ok(!fs.existsSync(out), 'nothing written');
  fs.rmSync(dir, { recursive: true });
});

test('--as-of moves every recency by the days between it and the last date, and the report says so', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-asof-'));
  const { code, stderr } = await run(['segment', '--input', REAL, '--out', dir, '--figures', dir, '--k', '2', '--as-of', '2016-10-31']);
  assert.equal(code, 0, stderr);
  const lines = fs.readFileSync(path.join(dir, 'customers.csv'), 'utf8').trimEnd().split('\n');
  const recency = lines[0].split(',').indexOf('recencyDays');
  // T1 (2/8/16) is 80 days before 21/10/16, the last date in these rows: 90 days before 31/10.
  assert.equal(lines[1].split(',')[recency], '90');
  const md = fs.readFileSync(path.join(dir, 'insights.md'), 'utf8');
  assert.match(md, /Recency is measured from 2016-10-31 \(--as-of; the data end on 2016-10-21\)/);
  fs.rmSync(dir, { recursive: true });
});

test('a negative balance (an overdraft) segments: kept in customers.csv, read as 0 by the model, counted in the report', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-overdraft-'));
  const input = path.join(dir, 'overdraft.csv');
  const real = fs.readFileSync(REAL, 'utf8').split('\n');
  // 300 real rows, then an overdrawn customer, and one whose earlier overdraft is followed by a positive balance.
  const extra = [
    'X1,CX1,1/1/90,M,PUNE,-500,20/10/16,100000,10',
    'X2,CX2,1/1/80,F,PUNE,-9000,1/9/16,100000,10',
    'X3,CX2,1/1/80,F,PUNE,2500.5,2/9/16,100000,10',
  ];
  fs.writeFileSync(input, [...real.slice(0, 301), ...extra].join('\n') + '\n');
  const { code, stderr } = await run(['segment', '--input', input, '--out', dir, '--figures', dir, '--k', '3']);
  assert.equal(code, 0, stderr);
  const lines = fs.readFileSync(path.join(dir, 'customers.csv'), 'utf8').trimEnd().split('\n');
  const header = lines[0].split(',');
  const rows = lines.slice(1).map((l) => l.split(','));
  const col = (name: string) => header.indexOf(name);
  const byKey = new Map(rows.map((r) => [r[0], r]));
  assert.equal(byKey.get('CX1|1990-01-01|M')![col('balance')], '-500');
  assert.equal(byKey.get('CX2|1980-01-01|F')![col('balance')], '2500.5', 'the latest balance');
  // The model's balance coordinate, worked out here from the written balances: log1p(max(x, 0)), missing imputed with
  // the median, then scaled (population std). The overdrawn customer sits where a zero balance would.
  const t = rows.map((r) => (r[col('balance')] === '' ? NaN : Math.log1p(Math.max(Number(r[col('balance')]), 0))));
  const known = t.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const h = (known.length - 1) * 0.5;
  const median = known[Math.floor(h)] + (h - Math.floor(h)) * (known[Math.ceil(h)] - known[Math.floor(h)]);
  const filled = t.map((x) => (Number.isNaN(x) ? median : x));
  const mean = filled.reduce((a, b) => a + b, 0) / filled.length;
  const sd = Math.sqrt(filled.reduce((a, b) => a + (b - mean) ** 2, 0) / filled.length);
  rows.forEach((r, i) => assert.ok(Math.abs(Number(r[col('z_balance')]) - (filled[i] - mean) / sd) < 2e-6, `${r[0]} z_balance`));
  const md = fs.readFileSync(path.join(dir, 'insights.md'), 'utf8');
  // Rows, as every cleaning count: X1 and X2 (X2's customer is no longer overdrawn, but that row was).
  assert.match(md, /CustAccountBalance: 2 counted \(negative \(an overdraft\): kept; the model reads it as 0\)/);
  fs.rmSync(dir, { recursive: true });
});

/** 300 real rows (file lines 2..301), then two malformed lines (302: a time of 99:99:99, 303: no CustomerID). */
function withTwoMalformedRows(dir: string): string {
  const input = path.join(dir, 'two-malformed.csv');
  const real = fs.readFileSync(REAL, 'utf8').split('\n');
  fs.writeFileSync(input, [...real.slice(0, 301), 'Y1,CY1,1/1/90,M,PUNE,10,1/8/16,999999,5', 'Y2,,1/1/90,M,PUNE,10,1/8/16,100000,5'].join('\n') + '\n');
  return input;
}

test('malformed rows the reader skipped: a warning on stderr and a sentence in the report', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-malformed-'));
  const input = withTwoMalformedRows(dir);
  const { code, stderr } = await run(['segment', '--input', input, '--out', dir, '--figures', dir, '--k', '3']);
  assert.equal(code, 0, stderr);
  assert.equal(stderr, 'bankseg segment: warning: skipped 2 malformed row(s); first at line 302, column TransactionTime\n');
  const md = fs.readFileSync(path.join(dir, 'insights.md'), 'utf8');
  assert.ok(md.includes(`Source: 300 transaction rows (2 malformed rows skipped when reading, the first at ${input}:302, column TransactionTime), `), md.slice(0, 600));
  fs.rmSync(dir, { recursive: true });
});

