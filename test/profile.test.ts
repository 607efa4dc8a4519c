import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { readTransactions } from '../src/collect/read';
import { formatProfile, profileTransactions } from '../src/explore/profile';
import { TransactionTable } from '../src/table';
import { REAL_RAW, REAL_SPREADSHEET } from './helpers/real-data';

const REAL = REAL_RAW;
const SHEET = REAL_SPREADSHEET;
const HEADER =
  'TransactionID,CustomerID,CustomerDOB,CustGender,CustLocation,CustAccountBalance,TransactionDate,TransactionTime,TransactionAmount (INR)';

/**
 * The facts of both real files, computed with pandas 1.5.3 (Debian python), independently of this code:
 *   d = pd.read_csv(f, dtype=str, keep_default_na=False)
 *   len(d); d.CustomerID.nunique(); (d[c].str.strip().str.lower().isin(['', 'nan'])).sum() per column;
 *   d.CustomerDOB.str.endswith('1800').sum(); pd.to_datetime(d.TransactionDate, format='%d/%m/%y' or '%d-%m-%Y').min()/.max()
 */
const REAL_FACTS = {
  rows: 20_000,
  customers: 19_937,
  missing: { CustomerDOB: 72, CustGender: 11, CustLocation: 1, CustAccountBalance: 27 },
  placeholderDob: 1_290,
  dateRange: ['2016-08-01', '2016-10-21'],
  malformedRows: 0,
};

/** A five-row table built by hand; its profile is worked out in the test. */
function handTable(): TransactionTable {
  return {
    source: 'hand',
    rows: 5,
    transactionId: ['T1', 'T2', 'T3', 'T4', 'T5'],
    customerId: { codes: Int32Array.from([0, 1, 0, 2, 1]), values: ['C1', 'C2', 'C3', 'C4'] }, // C4 unused
    customerDob: { codes: Int32Array.from([0, -1, 1, 2, 3]), values: ['1/1/1800', '01-01-1800', '2/2/18', '10/1/94'] },
    custGender: { codes: Int32Array.from([-1, 0, 0, -1, 1]), values: ['M', 'F'] },
    custLocation: { codes: Int32Array.from([0, 0, -1, 0, 0]), values: ['MUMBAI'] },
    custAccountBalance: Float64Array.from([NaN, 1, NaN, 2, 3]),
    // 17015 = 2016-08-02, 17000 = 2016-07-18, 17095 = 2016-10-21 (days since 1970-01-01, worked out by hand)
    transactionDate: Int32Array.from([17015, 17014, 17095, 17015, 17000]),
    transactionTime: Int32Array.from([0, 1, 2, 3, 4]),
    transactionAmount: Float64Array.from([1, 2, 3, 4, 5]),
    malformed: { count: 12, examples: [{ file: 'hand', line: 7, column: 'TransactionTime', value: '246000', expected: 'a time' }] },
  };
}

describe('profileTransactions', () => {
  test('a hand-made table', () => {
    const t = handTable();
    const before = JSON.stringify([...t.customerId.codes, ...t.custAccountBalance]);
    assert.deepEqual(profileTransactions(t), {
      rows: 5,
      customers: 3,
      missing: { CustomerDOB: 1, CustGender: 2, CustLocation: 1, CustAccountBalance: 2 },
      placeholderDob: 2, // 1/1/1800 and 01-01-1800; 2/2/18 is 2018 or 1918, not 1800
      dateRange: ['2016-07-18', '2016-10-21'],
      malformedRows: 12,
    });
    assert.equal(JSON.stringify([...t.customerId.codes, ...t.custAccountBalance]), before, 'input not mutated');
  });

  test('the readable table shows every figure and the malformed rows', () => {
    const t = handTable();
    const text = formatProfile(profileTransactions(t), t);
    for (const line of [
      /^ {2}rows +5$/m,
      /^ {2}customers +3$/m,
      /^ {2}date range +2016-07-18 \.\. 2016-10-21$/m,
      /^ {2}missing CustGender +2 +\(40\.00%\)$/m,
      /^ {2}placeholder DOB \(year 1800\) +2 +\(40\.00%\)$/m,
      /^ {2}malformed rows skipped +12$/m,
      /line 7: column TransactionTime: value "246000"/,
      /\.\.\. and 11 more/,
    ]) {
      assert.match(text, line);
    }
  });

  for (const file of [REAL, SHEET]) {
    test(`${path.basename(file)}: the facts computed with pandas`, async () => {
      assert.deepEqual(profileTransactions(await readTransactions(file)), REAL_FACTS);
    });
  }
});

// ---------- the CLI, spawned as a user would run it ----------

const ROOT = path.join(__dirname, '..');
interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function bankseg(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'bin', 'bankseg.js'), ...args],
      { cwd: ROOT, env: { ...process.env, BANKSEG_QUIET: '1' } },
      (err, stdout, stderr) => resolve({ code: err ? (err.code as number) : 0, stdout, stderr }),
    );
  });
}
const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('bankseg profile', () => {
  let dir = '';
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-profile-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('--json on both real files and on gzip: exactly the expected object, nothing on stderr', async () => {
    const gz = path.join(dir, 'real.csv.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(SHEET)));
    const runs = await Promise.all([REAL, SHEET, gz].map((f) => bankseg('profile', '--input', f, '--json')));
    for (const run of runs) {
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, '');
      assert.equal(lines(run.stdout).length, 1);
      const json = JSON.parse(run.stdout);
      assert.deepEqual(json, REAL_FACTS);
      assert.deepEqual(Object.keys(json), ['rows', 'customers', 'missing', 'placeholderDob', 'dateRange', 'malformedRows']);
      assert.deepEqual(Object.keys(json.missing), ['CustomerDOB', 'CustGender', 'CustLocation', 'CustAccountBalance']);
    }
  });

  test('a malformed row: skipped with one warning line (--json), or a one-line error and exit 1 (--strict)', async () => {
    const file = path.join(dir, 'bad.csv');
    fs.writeFileSync(
      file,
      `${HEADER}\nT1,C1,10/1/94,F,MUMBAI,1.5,2/8/16,143207,25.0\nT2,C2,1/1/1800,M,PUNE,,2/8/16,246000,5\nT3,C2,1/1/1800,M,PUNE,,3/8/16,1,5\n`,
    );
    const [lenient, strict, text] = await Promise.all([
      bankseg('profile', '--input', file, '--json'),
      bankseg('profile', '--input', file, '--json', '--strict'),
      bankseg('profile', '--input', file),
    ]);
    assert.equal(lenient.code, 0, lenient.stderr);
    assert.deepEqual(JSON.parse(lenient.stdout), {
      rows: 2,
      customers: 2,
      missing: { CustomerDOB: 0, CustGender: 0, CustLocation: 0, CustAccountBalance: 1 },
      placeholderDob: 1,
      dateRange: ['2016-08-02', '2016-08-03'],
      malformedRows: 1,
    });
    assert.deepEqual(lines(lenient.stderr), ['bankseg profile: warning: skipped 1 malformed row(s); first at line 3, column TransactionTime']);

    assert.equal(strict.code, 1);
    assert.equal(strict.stdout, '');
    assert.deepEqual(lines(strict.stderr), [
      `bankseg profile: ${file}:3: column TransactionTime: value "246000": expected a time HHMMSS (0..235959, minutes and seconds < 60)`,
    ]);

    assert.equal(text.code, 0);
    assert.match(text.stdout, /malformed rows skipped +1/);
    assert.match(text.stdout, /line 3: column TransactionTime: value "246000"/);
  });

  test('input errors: one line on stderr, exit 1; usage errors exit 2', async () => {
    const missing = path.join(dir, 'nope.csv');
    const empty = path.join(dir, 'empty.csv');
    fs.writeFileSync(empty, '');
    const [noFile, emptyFile, badOption] = await Promise.all([
      bankseg('profile', '--input', missing, '--json'),
      bankseg('profile', '--input', empty),
      bankseg('profile', '--input', REAL, '--bogus'),
    ]);
    assert.deepEqual([noFile.code, noFile.stdout, lines(noFile.stderr)], [1, '', [`bankseg profile: ${missing}: no such file`]]);
    assert.deepEqual([emptyFile.code, emptyFile.stdout, lines(emptyFile.stderr)], [1, '', [`bankseg profile: ${empty}: file is empty`]]);
    assert.equal(badOption.code, 2);
    assert.equal(lines(badOption.stderr).length, 1);
    assert.match(badOption.stderr, /bogus/);
  });

  test('--help shows the usage and every option', async () => {
    const run = await bankseg('profile', '--help');
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: bankseg profile/);
    for (const option of ['--input', '--url', '--table', '--json', '--strict']) assert.ok(run.stdout.includes(option), option);
  });
});
