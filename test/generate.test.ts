import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  apportion,
  defaultRawPath,
  formatCents,
  normalCdf,
  rowsPerCustomerId,
  writeGeneratedCsv,
} from '../src/collect/generate';
import { locationVocabulary } from '../src/collect/locations';
import { readTransactions } from '../src/collect/read';
import { REAL_RAW } from './helpers/real-data';
import { splitCsvLine } from './helpers/naive-csv';

// Facts of the public file, copied from ../shared/data/README.md (not from the module under test).
const FULL_ROWS = 1_048_567;
const FULL_CUSTOMERS = 884_265;
const FULL_MISSING = { dob: 3_397, gender: 1_100, location: 151, balance: 2_369 };
const FULL_PLACEHOLDER = 56_292;
const DESCRIBE = {
  balance: { mean: 115_403.5, q25: 4_721.76, q50: 16_792.18, q75: 57_657.36, max: 115_035_500 },
  time: { mean: 157_087.5, std: 51_261.85, q25: 124_030, q50: 164_226, q75: 200_010 },
  amount: { mean: 1_574.335, q25: 161, q50: 459.03, q75: 1_200, max: 1_560_035 },
};
const TOP_10 = ['MUMBAI', 'NEW DELHI', 'BANGALORE', 'GURGAON', 'DELHI', 'NOIDA', 'CHENNAI', 'PUNE', 'HYDERABAD', 'THANE'];

const REAL = REAL_RAW;
const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'bankseg.js');


interface Csv {
  header: string;
  columns: Map<string, string[]>;
  rows: number;
}

function parseCsv(text: string): Csv {
  const lines = text.split('\n');
  assert.equal(lines.pop(), '', 'the file ends with a newline');
  const header = lines[0];
  const names = header.split(',');
  const columns = new Map(names.map((n) => [n, [] as string[]]));
  const lists = names.map((n) => columns.get(n)!);
  for (let i = 1; i < lines.length; i++) {
    const fields = splitCsvLine(lines[i]);
    assert.equal(fields.length, names.length, `line ${i + 1} has ${fields.length} fields`);
    for (let j = 0; j < fields.length; j++) lists[j].push(fields[j]);
  }
  return { header, columns, rows: lines.length - 1 };
}

/** Type-7 (linear) quantile of a sorted array, as pandas' describe() computes it. */
function quantile(sorted: Float64Array, p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return lo + 1 < sorted.length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

function numbers(texts: readonly string[]): Float64Array {
  const values = texts.filter((t) => t !== '').map(Number);
  assert.ok(values.every(Number.isFinite));
  return Float64Array.from(values).sort();
}

function mean(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

function count<T>(values: readonly T[], keep: (v: T) => boolean): number {
  let n = 0;
  for (const v of values) if (keep(v)) n++;
  return n;
}

function assertWithin(actual: number, expected: number, share: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= share * Math.abs(expected),
    `${what}: ${actual} is not within ${share * 100}% of ${expected}`,
  );
}

/** Days since 1970 of a `d/m/yy` transaction date (20yy). */
function transactionDay(text: string): number {
  const [d, m, y] = text.split('/').map(Number);
  return Date.UTC(2000 + y, m - 1, d) / 86_400_000;
}

/** The format of every column, checked against the real rows first so it describes the real file. */
const FORMATS: Record<string, RegExp> = {
  TransactionID: /^T[1-9]\d*$/,
  CustomerID: /^C[1-9]\d{6}$/,
  CustomerDOB: /^(nan|1\/1\/1800|[1-9]\d?\/[1-9]\d?\/\d\d)$/,
  CustGender: /^[MFT]?$/,
  CustLocation: /^(|[^a-z\s]|[^a-z\s][^a-z]*[^a-z\s])$/,
  CustAccountBalance: /^(|(0|[1-9]\d*)\.(0|\d[1-9]|[1-9]))$/,
  TransactionDate: /^[1-9]\d?\/[1-9]\d?\/16$/,
  TransactionTime: /^(0|[1-9]\d{0,5})$/,
  'TransactionAmount (INR)': /^(0|[1-9]\d*)\.(0|\d[1-9]|[1-9])$/,
};

let tmp: string;
let real: Csv;
before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-generate-'));
  process.env.BANKSEG_QUIET = '1';
  real = parseCsv(fs.readFileSync(REAL, 'utf8'));
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('rowsPerCustomerId', () => {
  test('full size: the documented distribution, 884,265 CustomerIDs, 1,048,567 rows', () => {
    assert.deepEqual(rowsPerCustomerId(FULL_ROWS), [0, 736_093, 133_702, 13_000, 1_300, 150, 20]);
  });
  for (const rows of [1, 2, 7, 100, 1000, 12_345, 200_000, 2_000_000]) {
    test(`${rows} rows: Σ k·n_k = rows, Σ n_k = rows × 884,265 / 1,048,567, no negative count`, () => {
      const counts = rowsPerCustomerId(rows);
      assert.equal(counts.reduce((s, n, k) => s + k * n, 0), rows);
      assert.equal(counts.reduce((s, n) => s + n, 0), Math.round((rows * FULL_CUSTOMERS) / FULL_ROWS));
      assert.ok(counts.every((n) => n >= 0), String(counts));
    });
  }
});

describe('apportion (largest remainder, at least 1 each when possible)', () => {
  test('hand-worked cases', () => {
    // 8 into 1:1:2 → 1 each first, then 5 × (¼, ¼, ½) = 1.25, 1.25, 2.5 → 1, 1, 2 and the last unit to the largest remainder.
    assert.deepEqual(apportion([1, 1, 2], 8), [2, 2, 4]);
    assert.deepEqual(apportion([1, 1, 1], 2), [1, 1, 0]);
    assert.deepEqual(apportion([98, 1, 1], 3), [1, 1, 1]);
    assert.deepEqual(apportion([3, 1], 0), [0, 0]);
  });
});

describe('formatCents writes money like the real file', () => {
  test('hand-worked cases', () => {
    assert.equal(formatCents(2500), '25.0');
    assert.equal(formatCents(2_799_900), '27999.0');
    assert.equal(formatCents(140_012), '1400.12');
    assert.equal(formatCents(5_360_920), '53609.2');
    assert.equal(formatCents(5), '0.05');
    assert.equal(formatCents(0), '0.0');
  });
  test('every amount and balance of the real rows survives cents → text unchanged', () => {
    for (const column of ['TransactionAmount (INR)', 'CustAccountBalance']) {
      for (const text of real.columns.get(column)!) {
        if (text === '') continue;
        assert.equal(formatCents(Math.round(Number(text) * 100)), text);
      }
    }
  });
});

describe('locationVocabulary', () => {
  test('every real location name, plus distinct upper-case synthetic ones: ~9,981 in all', () => {
    const { names, weights } = locationVocabulary();
    assert.equal(names.length, weights.length);
    assert.equal(new Set(names).size, names.length, 'names are distinct');
    const known = new Set(names);
    const realNames = new Set(real.columns.get('CustLocation')!.filter((v) => v !== ''));
    for (const name of realNames) assert.ok(known.has(name), `real location ${name} missing`);
    assert.equal(names.length, realNames.size + 8200);
    assert.ok(names.every((n) => n === n.toUpperCase() && n === n.trim() && n.length > 0));
    assert.ok(weights.every((w) => w > 0));
  });
});

describe('normalCdf', () => {
  test('table values of the standard normal CDF', () => {
    for (const [z, p] of [[0, 0.5], [1, 0.841345], [-1, 0.158655], [1.959964, 0.975], [-2.575829, 0.005], [4, 0.999968]]) {
      assert.ok(Math.abs(normalCdf(z) - p) < 1e-6, `Φ(${z}) = ${normalCdf(z)}, expected ${p}`);
    }
  });
});

describe('same seed → same bytes', () => {
  const hash = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  test('seed 7 twice: identical; seed 8: different; .gz holds the same bytes', async () => {
    const a = path.join(tmp, 'a.csv');
    const b = path.join(tmp, 'b.csv');
    const c = path.join(tmp, 'c.csv');
    const gz = path.join(tmp, 'a.csv.gz');
    await writeGeneratedCsv(a, { rows: 20_000, seed: 7 });
    await writeGeneratedCsv(b, { rows: 20_000, seed: 7 });
    await writeGeneratedCsv(c, { rows: 20_000, seed: 8 });
    const written = await writeGeneratedCsv(gz, { rows: 20_000, seed: 7 });
    assert.equal(hash(a), hash(b));
    assert.notEqual(hash(a), hash(c));
    const gzBytes = fs.readFileSync(gz);
    assert.deepEqual([gzBytes[0], gzBytes[1]], [0x1f, 0x8b]);
    assert.equal(written.bytes, gzBytes.length);
    assert.ok(zlib.gunzipSync(gzBytes).equals(fs.readFileSync(a)));
  });
});

describe('200,000 generated rows, read with a plain CSV reader, against the published facts', () => {
  const ROWS = 200_000;
  const scale = ROWS / FULL_ROWS;
  let file: string;
  let csv: Csv;
  let result: { rows: number; bytes: number; customers: number; people: number };
  const col = (name: string): string[] => csv.columns.get(name)!;

  before(async () => {
    file = path.join(tmp, 'g200k.csv');
    result = await writeGeneratedCsv(file, { rows: ROWS, seed: 42 });
    csv = parseCsv(fs.readFileSync(file, 'utf8'));
  });

  test('row count, header identical to the real file, reported size, CustomerIDs and people', () => {
    assert.equal(csv.rows, ROWS);
    assert.equal(csv.header, real.header);
    assert.equal(result.rows, ROWS);
    assert.equal(result.bytes, fs.statSync(file).size);
    assert.equal(result.customers, new Set(col('CustomerID')).size);
    const people = new Set(col('CustomerID').map((id, i) => `${id}|${col('CustomerDOB')[i]}|${col('CustGender')[i]}|${col('CustLocation')[i]}`));
    assert.ok(result.people >= people.size && result.people <= people.size * 1.001, `${result.people} people, ${people.size} distinct (ID, DOB, gender, location)`);
  });

  test('every field has the format of the real rows (d/m/yy, 25.0, HHMMSS, nan, upper case)', () => {
    for (const [name, format] of Object.entries(FORMATS)) {
      for (const source of [real, csv]) {
        const bad = source.columns.get(name)!.find((v) => !format.test(v));
        assert.equal(bad, undefined, `${source === real ? 'real' : 'generated'} ${name}: ${bad}`);
      }
    }
    assert.deepEqual(col('TransactionID').slice(0, 3), ['T1', 'T2', 'T3']);
    assert.ok(col('CustLocation').some((v) => v.includes(',')), 'some locations hold a comma (quoted)');
  });

  test('CustomerIDs: within 2% of the scaled count, at most 6 rows each, most with one row', () => {
    const perId = new Map<string, number>();
    for (const id of col('CustomerID')) perId.set(id, (perId.get(id) ?? 0) + 1);
    assertWithin(perId.size, (ROWS * FULL_CUSTOMERS) / FULL_ROWS, 0.02, 'distinct CustomerIDs');
    const frequencies = [...perId.values()];
    assert.equal(frequencies.reduce((m, f) => Math.max(m, f), 0), 6);
    assert.ok(count(frequencies, (f) => f === 1) / perId.size > 0.8, 'most IDs have one row');
  });

  test('reused IDs: different people behind most repeated IDs, at the real rate; a few genuine repeat customers', () => {
    // What each repeated ID's rows say about who is behind them, from the raw text (no cleaning rule involved).
    const who = new Map<string, { dob: Set<string>; gender: Set<string>; person: Set<string>; rows: number }>();
    const ids = col('CustomerID');
    for (let i = 0; i < ids.length; i++) {
      const seen = who.get(ids[i]) ?? { dob: new Set<string>(), gender: new Set<string>(), person: new Set<string>(), rows: 0 };
      seen.dob.add(col('CustomerDOB')[i]);
      seen.gender.add(col('CustGender')[i]);
      seen.person.add(`${col('CustomerDOB')[i]}|${col('CustGender')[i]}|${col('CustLocation')[i]}`);
      seen.rows++;
      who.set(ids[i], seen);
    }
    const repeated = [...who.values()].filter((w) => w.rows > 1);
    const mixedDob = count(repeated, (w) => w.dob.size > 1) / repeated.length;
    const mixedGender = count(repeated, (w) => w.gender.size > 1) / repeated.length;
    const onePerson = count(repeated, (w) => w.person.size === 1);
    // Real: 62 of 63 repeated IDs in the first 20,000 rows, 437 of 444 on a held-out sample (98.4 %) mix birth dates;
    // 161 of 444 (36 %) mix genders, about what independent draws at 73 % M give for pairs (2 · 0.73 · 0.27 = 39 %).
    assert.ok(Math.abs(mixedDob - 437 / 444) <= 0.01, `repeated IDs mixing birth dates: ${(100 * mixedDob).toFixed(1)}%`);
    assert.ok(mixedGender >= 0.33 && mixedGender <= 0.45, `repeated IDs mixing genders: ${(100 * mixedGender).toFixed(1)}%`);
    assert.ok(onePerson >= 100 && onePerson / repeated.length <= 0.03, `${onePerson} of ${repeated.length} repeated IDs are one person`);
  });

  test('missing values and the 1/1/1800 placeholder: within 5% of the scaled counts; a T', () => {
    const missing = (name: string): number => count(col(name), (v) => v === '' || v.toLowerCase() === 'nan');
    assertWithin(missing('CustomerDOB'), FULL_MISSING.dob * scale, 0.05, 'missing CustomerDOB');
    assertWithin(missing('CustGender'), FULL_MISSING.gender * scale, 0.05, 'missing CustGender');
    assertWithin(missing('CustLocation'), FULL_MISSING.location * scale, 0.05, 'missing CustLocation');
    assertWithin(missing('CustAccountBalance'), FULL_MISSING.balance * scale, 0.05, 'missing CustAccountBalance');
    assertWithin(count(col('CustomerDOB'), (v) => v === '1/1/1800'), FULL_PLACEHOLDER * scale, 0.05, '1/1/1800');
    assert.ok(count(col('CustGender'), (v) => v === 'T') >= 1, 'at least one T');
    const male = count(col('CustGender'), (v) => v === 'M');
    const female = count(col('CustGender'), (v) => v === 'F');
    assertWithin(male / (male + female), 0.73, 0.03, 'share of M');
  });

  test('balance and amount: quartiles within 10% of describe(), means within reason, min 0, max near published', () => {
    for (const [name, published, meanTolerance] of [
      ['CustAccountBalance', DESCRIBE.balance, 0.2],
      ['TransactionAmount (INR)', DESCRIBE.amount, 0.1],
    ] as const) {
      const values = numbers(col(name));
      assertWithin(quantile(values, 0.25), published.q25, 0.1, `${name} 25%`);
      assertWithin(quantile(values, 0.5), published.q50, 0.1, `${name} 50%`);
      assertWithin(quantile(values, 0.75), published.q75, 0.1, `${name} 75%`);
      // The mean rests on a few huge values; with 200,000 rows it moves more than the quartiles.
      assertWithin(mean(values), published.mean, meanTolerance, `${name} mean`);
      assert.equal(values[0], 0, `${name} min`);
      const max = values[values.length - 1];
      assert.ok(max <= published.max && max >= 0.3 * published.max, `${name} max ${max} vs ${published.max}`);
    }
  });

  test('times: valid HHMMSS whose describe() matches the published one', () => {
    const times = numbers(col('TransactionTime'));
    for (const t of times) assert.ok(t <= 235959 && t % 100 < 60 && Math.floor(t / 100) % 100 < 60, `time ${t}`);
    // Quartiles compared as times of day (HHMMSS jumps from 195959 to 200000 at the hour, right by the 75%).
    const seconds = (hhmmss: number): number =>
      Math.floor(hhmmss / 10000) * 3600 + (Math.floor(hhmmss / 100) % 100) * 60 + (hhmmss % 100);
    for (const [p, published] of [[0.25, DESCRIBE.time.q25], [0.5, DESCRIBE.time.q50], [0.75, DESCRIBE.time.q75]]) {
      const got = seconds(Math.round(quantile(times, p)));
      assert.ok(Math.abs(got - seconds(published)) <= 600, `time ${p * 100}%: ${quantile(times, p)} vs ${published}`);
    }
    assertWithin(mean(times), DESCRIBE.time.mean, 0.01, 'time mean');
    const m = mean(times);
    let ss = 0;
    for (const t of times) ss += (t - m) ** 2;
    assertWithin(Math.sqrt(ss / (times.length - 1)), DESCRIBE.time.std, 0.02, 'time std');
  });

  test('dates: 2016-08-01 .. 2016-10-21, 55 distinct, most in 1 Aug – 18 Sep', () => {
    const days = col('TransactionDate').map(transactionDay);
    const distinct = [...new Set(days)].sort((a, b) => a - b);
    assert.equal(distinct.length, 55);
    assert.equal(distinct[0], Date.UTC(2016, 7, 1) / 86_400_000);
    assert.equal(distinct[distinct.length - 1], Date.UTC(2016, 9, 21) / 86_400_000);
    const bulkEnd = Date.UTC(2016, 8, 18) / 86_400_000;
    assert.ok(count(days, (d) => d <= bulkEnd) / days.length > 0.95);
  });

  test('locations: thousands of distinct upper-case strings, the published top 10 on top', () => {
    const counts = new Map<string, number>();
    for (const v of col('CustLocation')) if (v !== '') counts.set(v, (counts.get(v) ?? 0) + 1);
    assert.ok(counts.size >= 5000, `${counts.size} distinct locations`);
    const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([name]) => name);
    assert.deepEqual(top, TOP_10);
  });

  test('birth dates: two-digit years in the 1900s and 2000s, ages like the real rows', () => {
    const birthYears = (source: Csv): Float64Array => {
      const years: number[] = [];
      for (const v of source.columns.get('CustomerDOB')!) {
        if (v === 'nan' || v === '1/1/1800') continue;
        const yy = Number(v.split('/')[2]);
        years.push(yy <= 16 ? 2000 + yy : 1900 + yy);
      }
      return Float64Array.from(years).sort();
    };
    const generated = birthYears(csv);
    const realYears = birthYears(real);
    assert.ok(generated[0] < 1950 && generated[generated.length - 1] >= 2000, 'years span the 1900s and 2000s');
    for (const p of [0.1, 0.5, 0.9]) {
      assert.ok(Math.abs(quantile(generated, p) - quantile(realYears, p)) <= 1, `birth year ${p * 100}%`);
    }
  });

  test("the project's reader takes every generated row (none malformed)", async () => {
    const table = await readTransactions(file);
    assert.equal(table.rows, ROWS);
    assert.equal(table.malformed.count, 0);
  });
});

describe('writing', () => {
  test('a failed write leaves neither the target nor a temp file behind', async () => {
    const dir = path.join(tmp, 'failing');
    const target = path.join(dir, 'out.csv');
    fs.mkdirSync(target, { recursive: true }); // a folder where the file should go: the final rename fails
    await assert.rejects(writeGeneratedCsv(target, { rows: 1000 }));
    assert.deepEqual(fs.readdirSync(dir), ['out.csv']);
    assert.ok(fs.statSync(target).isDirectory());
  });

  test('creates missing folders; rejects a bad row count', async () => {
    const target = path.join(tmp, 'new', 'folder', 'x.csv');
    await writeGeneratedCsv(target, { rows: 5 });
    assert.equal(fs.readFileSync(target, 'utf8').trimEnd().split('\n').length, 6);
    await assert.rejects(writeGeneratedCsv(path.join(tmp, 'y.csv'), { rows: -1 }), RangeError);
    assert.equal(fs.existsSync(path.join(tmp, 'y.csv')), false);
  });

  test('the default path is absolute, under the project root, whatever the working directory', () => {
    assert.equal(defaultRawPath(), path.join(ROOT, 'data', 'raw', 'bank_transactions.csv'));
  });
});

describe('bankseg generate', () => {
  const run = (args: string[]) =>
    spawnSync(process.execPath, [BIN, 'generate', ...args], { cwd: tmp, encoding: 'utf8', env: { ...process.env, BANKSEG_QUIET: '1' } });

  test('--rows 1000 --out FILE writes 1,000 rows and says so', () => {
    const out = path.join(tmp, 'cli.csv');
    const r = run(['--rows', '1000', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const lines = fs.readFileSync(out, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 1001);
    assert.equal(lines[0], real.header);
    assert.match(r.stdout, /1,000 rows/);
  });

  test('--rows abc: exit code 2, one line on stderr, nothing written', () => {
    const out = path.join(tmp, 'bad.csv');
    const r = run(['--rows', 'abc', '--out', out]);
    assert.equal(r.status, 2);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /--rows/);
    assert.equal(fs.existsSync(out), false);
  });

  test('an unknown option and a seed out of range are one-line usage errors; --help prints the usage', () => {
    for (const args of [['--bogus'], ['--seed', '4294967296'], ['--seed', '-1']]) {
      const r = run(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
    }
    const help = run(['--help']);
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^Usage: bankseg generate/);
  });
});
