/** `bankseg profile`, spawned as a user runs it, against the facts of the real rows (test/helpers/real-data.ts). */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { bankseg as runBankseg, CliResult } from './helpers/cli';
import { REAL_FACTS, REAL_RAW, REAL_SPREADSHEET } from './helpers/real-data';

const REAL = REAL_RAW;
const SHEET = REAL_SPREADSHEET;
const HEADER =
  'TransactionID,CustomerID,CustomerDOB,CustGender,CustLocation,CustAccountBalance,TransactionDate,TransactionTime,TransactionAmount (INR)';

const bankseg = (...args: string[]): Promise<CliResult> => runBankseg(args);
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
