/**
 * The push-down as a first-class path, on a real throwaway server: the data-quality report computed in SQL equals
 * cleanTransactions' report rule by rule (on the real rows, and on generated rows plus a row of every kind that
 * a rule acts on), the profile equals profileTransactions, the features equal the TypeScript path's, and the
 * commands (`--push-down`) and the notebooks (`BANKSEG_PUSH_DOWN=1`) give what the file path gives.
 * The reference is always the TypeScript path on the file itself, never the database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError } from '../src/errors';
import { writeGeneratedCsv } from '../src/collect/generate';
import { readTransactions } from '../src/collect/read';
import { importTransactionsFile } from '../src/collect/db/import';
import { profileFromDb, pushDownFromDb } from '../src/collect/db/pushdown';
import { profileTransactions } from '../src/explore/profile';
import { cleanTransactions } from '../src/preprocess/clean';
import { customerFeatures } from '../src/preprocess/features';
import { load as loadNotebookData, source as notebookSource } from '../src/notebook/index';
import type { CachedLoad } from '../src/preprocess/load_cache';
import { bankseg as runBankseg } from './helpers/cli';
import { assertSameFeatures, assertSameReport } from './helpers/pg-compare';
import { PgServer, startPgServer } from './helpers/pg-server';
import { REAL_RAW, REAL_SPREADSHEET } from './helpers/real-data';

/**
 * A row for every case a reading or cleaning rule decides, after 3,000 generated rows. The reader skips the
 * malformed ones (db-import records them); every other row reaches cleaning.
 */
const EVERY_KIND = [
  'X01,CX01,1/1/90,M,PUNE,100,1/8/16,100000,-5', // rule 1: negative amount
  'X02,CX02,1/1/90,M,PUNE,100,2/8/16,100000,-1', // rule 1: a customer whose only row is dropped
  'X03,CX03,,F,PUNE,100,2/8/16,100000,10', // rule 2: DOB empty
  'X04,CX04,nan,F,PUNE,100,2/8/16,100000,10', // rule 2: DOB nan
  'X05,CX05,NaN,F,PUNE,100,2/8/16,100000,10', // rule 2: DOB NaN (any case)
  'X06,CX06,1/1/1800,M,DELHI,100,3/8/16,100000,10', // rule 3: placeholder
  'X07,CX07,01-01-1800,M,DELHI,100,3/8/16,100000,10', // rule 3: placeholder, spreadsheet form
  'X08,CX08,5/6/10,M,DELHI,100,3/8/16,100000,10', // rule 4: 2010
  'X09,CX09,5/6/90,M,DELHI,100,3/8/16,100000,10', // rule 4: 2090 is after 2016, so 1990
  'X10,CX10,29/2/00,M,DELHI,100,1/1/1999,100000,10', // rule 4: 1900 (2000 is after 1999) has no 29 February
  'X34,CX34,5/5/16,M,DELHI,100,1/1/16,100000,10', // rule 4: 2016 is not after 2016, even on 1 January: 20yy
  'X11,CX11,1/1/1900,F,DELHI,100,3/8/16,100000,10', // rule 5: age 116
  'X12,CX12,1/1/2020,F,DELHI,100,3/8/16,100000,10', // rule 5: born after the transaction
  'X13,CX13,1990-01-31,F,DELHI,100,3/8/16,100000,10', // ISO DOB
  'X14,CX14,31-01-1990,F,DELHI,100,3/8/16,100000,10', // dd-mm-yyyy DOB
  'X15,CX15,1/1/90,T,MUMBAI,100,4/8/16,100000,10', // rule 6: T
  'X16,CX16,1/1/90,m,MUMBAI,100,4/8/16,100000,10', // rule 6: lower-case m is not M
  'X17,CX17,1/1/90,,MUMBAI,100,4/8/16,100000,10', // rule 6: gender missing
  'X18,CX18,1/1/90,nan,MUMBAI,100,4/8/16,100000,10', // rule 6: gender nan
  'X19,CX19,1/1/90,M,,100,5/8/16,100000,10', // rule 7: location missing
  'X20,CX20,1/1/90,M,nan,100,5/8/16,100000,10', // rule 7: location nan
  'X21,CX21,1/1/90,M,"JORHAT, ASSAM",100,5/8/16,100000,10', // a quoted location with a comma
  'X22,CX22,1/1/90,M,PUNE,,5/8/16,100000,10', // rule 8: balance missing
  'X23,CX23,1/1/90,M,PUNE,nan,5/8/16,100000,10', // rule 8: balance nan
  'X24,CX24,1/1/90,M,PUNE,99999999999,6/8/16,100000,10', // rule 9: balance far above the cap
  'X25,CX25,1/1/90,M,PUNE,100,6/8/16,100000,1000000000', // rule 9: amount far above the cap
  'X35,CX35,1/1/90,M,PUNE,-500,6/8/16,100000,10', // rule 8: a negative balance (an overdraft), kept and counted
  'X36,CX36,1/1/90,F,PUNE,-70,6/8/16,100000,-3', // rule 1 drops the row: its negative balance is not counted
  'X26,CX26,1/1/90,M,PUNE,100,6/8/16,100000,0', // amount 0 is kept
  'X27,CX27, 1/1/90 , M , PUNE ,100,6/8/16,100000,10', // spaces around fields (trimmed by the reader)
  'X28,CX01,1/1/90,M,PUNE,100,7/8/16,235959,20', // CX01 again, later: its first row was dropped
  'X29,CX29,1/1/90,M,PUNE,100,7/8/16,999999,10', // malformed: time
  ',CX30,1/1/90,M,PUNE,100,7/8/16,100000,10', // malformed: no TransactionID
  'X31,CX31,31/2/90,M,PUNE,100,7/8/16,100000,10', // malformed: no such DOB
  'X32,CX32,1/1/90,M,PUNE,abc,7/8/16,100000,10', // malformed: balance not a number
  'X33,CX33,1/1/90,M,PUNE,100,7/8/16,100000,', // malformed: amount missing
];

let server: PgServer;
let tmp: string;
let everyKind: string;

before(async () => {
  server = await startPgServer();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-pushdown-test-'));
  process.env.BANKSEG_QUIET = '1';
  everyKind = path.join(tmp, 'every_kind.csv');
  await writeGeneratedCsv(everyKind, { rows: 3000, seed: 7 });
  fs.appendFileSync(everyKind, EVERY_KIND.join('\n') + '\n');
  await importTransactionsFile(server.url, REAL_RAW, 'raw_tx');
  await importTransactionsFile(server.url, REAL_SPREADSHEET, 'sheet_tx');
  await importTransactionsFile(server.url, everyKind, 'every_tx');
});

after(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  server?.stop();
});




describe('push-down: the data-quality report in SQL, rule by rule', () => {
  const cases = [
    ['the real rows', () => REAL_RAW, 'raw_tx'],
    ['the real rows as a spreadsheet saved them', () => REAL_SPREADSHEET, 'sheet_tx'],
    ['generated rows plus one of every kind', () => everyKind, 'every_tx'],
  ] as const;
  for (const [label, file, table] of cases) {
    test(`${label}: the report, the profile and the customers equal the file path's`, async () => {
      const fromFile = await readTransactions(file());
      const cleaned = cleanTransactions(fromFile);
      const pushed = await pushDownFromDb(server.url, table);
      assertSameReport(pushed.quality, cleaned.report);
      assert.deepEqual(pushed.quality.malformed, cleaned.report.malformed, 'the report lists the rows the reader skipped, on both paths');
      assert.deepEqual(pushed.profile, profileTransactions(fromFile));
      assert.deepEqual(pushed.malformed, fromFile.malformed, 'malformed rows: those the import skipped, with examples');
      assertSameFeatures(pushed.features, customerFeatures(cleaned.table));
    });
  }

  test('the every-kind file exercises every rule (no count is 0, the 29 February entry is there)', async () => {
    const { report } = cleanTransactions(await readTransactions(everyKind));
    for (const e of report.entries) assert.ok(e.count > 0, `rule "${e.column}: ${e.reason}" has a case`);
    assert.ok(report.entries.some((e) => /29 Feb/.test(e.reason)));
    assert.ok(report.entries.some((e) => e.reason === 'not M or F ("T", "m"): gender unknown'));
  });

  test('options: capQuantile 0.99 and 1 (no capping), top 3 locations', async () => {
    const fromFile = await readTransactions(everyKind);
    for (const capQuantile of [0.99, 1]) {
      const cleaned = cleanTransactions(fromFile, { capQuantile });
      const pushed = await pushDownFromDb(server.url, 'every_tx', { capQuantile, topLocations: 3 });
      assertSameReport(pushed.quality, cleaned.report);
      assertSameFeatures(pushed.features, customerFeatures(cleaned.table, { topLocations: 3 }));
    }
  });

  test('stored rows that fail the reading rules are malformed, as readTransactionsFromDb counts them', async () => {
    // A table filled by other means (not db-import): a bad time, a missing id, a DOB that is not a date.
    const { Client } = await import('pg');
    const client = new Client({ connectionString: server.url });
    await client.connect();
    await client.query(`CREATE TABLE other_tx AS SELECT * FROM raw_tx WHERE row_index < 100`);
    await client.query(`INSERT INTO other_tx (row_index, transaction_id, customer_id, customer_dob, customer_dob_date, cust_gender,
                          cust_location, cust_account_balance, transaction_date, transaction_time, transaction_amount)
                        VALUES (100, 'B1', 'C1', NULL, NULL, 'M', 'PUNE', 1, '2016-08-01', 236000, 5),
                               (101, 'B2', '', NULL, NULL, 'M', 'PUNE', 1, '2016-08-01', 100000, 5),
                               (102, 'B3', 'C3', 'abc', NULL, 'M', 'PUNE', 1, '2016-08-01', 100000, 5)`);
    await client.end();
    const { readTransactionsFromDb } = await import('../src/collect/db/read');
    const read = await readTransactionsFromDb(server.url, 'other_tx');
    const pushed = await pushDownFromDb(server.url, 'other_tx');
    assert.equal(read.malformed.count, 3);
    assert.equal(pushed.malformed.count, 3);
    assertSameReport(pushed.quality, cleanTransactions(read).report);
    await assert.rejects(pushDownFromDb(server.url, 'other_tx', { strict: true }), (err: Error) => {
      assert.ok(err instanceof InputError);
      assert.match(err.message, /table other_tx: 3 stored row\(s\) fail the reading rules/);
      return true;
    });
    // Section 1's plausible values (the file reader's rows.ts): four implausible rows are malformed, nothing else moves.
    const more = new Client({ connectionString: server.url });
    await more.connect();
    await more.query(`CREATE TABLE implausible_tx AS SELECT * FROM other_tx`);
    await more.query(`INSERT INTO implausible_tx (row_index, transaction_id, customer_id, customer_dob, customer_dob_date, cust_gender,
                        cust_location, cust_account_balance, transaction_date, transaction_time, transaction_amount)
                      VALUES (103, 'B4', 'C4', NULL, NULL, 'M', 'PUNE', 1, '0001-01-01', 100000, 5),
                             (104, 'B5', 'C5', NULL, NULL, 'M', 'PUNE', 1, '2016-08-01', 100000, 1e13),
                             (105, 'B6', 'C6', NULL, NULL, 'M', 'PUNE', -2e12, '2016-08-01', 100000, 5),
                             (106, 'B7', 'C7', '1/1/1700', '1700-01-01', 'M', 'PUNE', 1, '2016-08-01', 100000, 5)`);
    await more.end();
    const implausible = await pushDownFromDb(server.url, 'implausible_tx');
    assert.equal(implausible.malformed.count, 3 + 4);
    assert.equal(implausible.quality.malformed.count, 3 + 4, 'the report counts them too (SQL lists none)');
    assertSameReport(implausible.quality, pushed.quality);
    assertSameFeatures(implausible.features, pushed.features);
  });

  test('--strict stops at a row the import skipped, with the file line, as readTransactionsFromDb does', async () => {
    await assert.rejects(pushDownFromDb(server.url, 'every_tx', { strict: true }), (err: Error) => {
      assert.ok(err instanceof InputError);
      assert.match(err.message, /every_kind\.csv:\d+: column TransactionTime: value "999999": .* \(skipped when every_tx was imported\)$/);
      return true;
    });
    const profile = await profileFromDb(server.url, 'raw_tx');
    assert.deepEqual(profile.profile, profileTransactions(await readTransactions(REAL_RAW)));
  });
});

/** Runs the real binary; resolves with its exit code and output. */
// Not quiet: some tests read the progress lines.
const bankseg = (args: string[]) => runBankseg(args, { BANKSEG_QUIET: '' });

describe('--push-down on the commands', () => {
  test('profile --push-down prints what profile prints for the file', async () => {
    const fromDb = await bankseg(['profile', '--url', server.url, '--table', 'raw_tx', '--push-down', '--json']);
    const fromFile = await bankseg(['profile', '--input', REAL_RAW, '--json']);
    assert.equal(fromDb.code, 0, fromDb.stderr);
    assert.equal(fromDb.stdout, fromFile.stdout);
    const text = await bankseg(['profile', '--url', server.url, '--table', 'every_tx', '--push-down']);
    assert.match(text.stdout, /^Profile of postgres:\/\/bankseg_test@127\.0\.0\.1:\d+\/bankseg_test table every_tx\n/);
    assert.match(text.stdout, /malformed rows skipped +5\n/);
  });

  test('segment --push-down writes the same customers.csv and segments.json as segment on the file', async () => {
    const out = (name: string) => fs.mkdtempSync(path.join(tmp, name));
    const [dbOut, fileOut] = [out('db-'), out('file-')];
    const fromDb = await bankseg(['segment', '--url', server.url, '--table', 'raw_tx', '--push-down', '--k', '4', '--out', dbOut, '--figures', dbOut]);
    assert.equal(fromDb.code, 0, fromDb.stderr);
    assert.match(fromDb.stderr, /segment: 20,000 transactions, 19,999 customers, computed in the database \(/);
    const fromFile = await bankseg(['segment', '--input', REAL_RAW, '--k', '4', '--out', fileOut, '--figures', fileOut]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    for (const f of ['customers.csv', 'segments.json', 'insights.md']) {
      assert.equal(fs.readFileSync(path.join(dbOut, f), 'utf8'), fs.readFileSync(path.join(fileOut, f), 'utf8'), f);
    }
  });

  test('every kind of row, negative balances included: segment --push-down writes what segment writes for the file', async () => {
    const out = (name: string) => fs.mkdtempSync(path.join(tmp, name));
    const [dbOut, fileOut] = [out('db-every-'), out('file-every-')];
    const fromDb = await bankseg(['segment', '--url', server.url, '--table', 'every_tx', '--push-down', '--k', '3', '--out', dbOut, '--figures', dbOut]);
    assert.equal(fromDb.code, 0, fromDb.stderr);
    const fromFile = await bankseg(['segment', '--input', everyKind, '--k', '3', '--out', fileOut, '--figures', fileOut]);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    for (const f of ['customers.csv', 'segments.json', 'insights.md']) {
      assert.equal(fs.readFileSync(path.join(dbOut, f), 'utf8'), fs.readFileSync(path.join(fileOut, f), 'utf8'), f);
    }
    const overdrawn = fs.readFileSync(path.join(dbOut, 'customers.csv'), 'utf8').split('\n').find((l) => l.startsWith('CX35|'));
    assert.match(overdrawn ?? '', /^CX35\|1990-01-01\|M,CX35,\d+,1,10,10,-500,/);
    assert.match(fs.readFileSync(path.join(dbOut, 'insights.md'), 'utf8'), /CustAccountBalance: 1 counted \(negative \(an overdraft\): kept; the model reads it as 0\)/);
  });

  test('figures --push-down draws the customer figures and names the ones that need the rows', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'fig-'));
    const r = await bankseg(['figures', '--url', server.url, '--table', 'raw_tx', '--push-down', '--only', 'eda', '--format', 'html', '--out', dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /figures: --push-down: the transaction rows stay in the database, so the figures that need them are not drawn \(data quality, amounts, dates, hours, locations\)/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['age_distribution.html', 'balance_distribution.html', 'gender_split.html']);
  });

  test('--push-down without --url is a usage error', async () => {
    const r = await bankseg(['segment', '--input', REAL_RAW, '--push-down']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr, 'bankseg segment: --push-down needs --url: it runs inside the database (a file is read by bankseg anyway)\n');
  });
});

describe('notebooks: BANKSEG_PUSH_DOWN=1', () => {
  test('the source setting carries it, and needs BANKSEG_URL', () => {
    assert.deepEqual(notebookSource({ BANKSEG_URL: server.url, BANKSEG_TABLE: 'raw_tx', BANKSEG_PUSH_DOWN: '1' }), { url: server.url, table: 'raw_tx', pushDown: true });
    assert.deepEqual(notebookSource({ BANKSEG_URL: server.url }), { url: server.url });
    assert.throws(() => notebookSource({ BANKSEG_PUSH_DOWN: '1' }), /BANKSEG_PUSH_DOWN=1 needs BANKSEG_URL/);
  });

  test('loadNotebookData gives the file path\'s report and customers; a cell asking for the rows is told why not', async () => {
    const env = { BANKSEG_URL: server.url, BANKSEG_TABLE: 'raw_tx', BANKSEG_PUSH_DOWN: '1' };
    const log = console.log;
    const lines: string[] = [];
    console.log = (line: string) => lines.push(line);
    let data: CachedLoad;
    try {
      data = await loadNotebookData({}, env);
    } finally {
      console.log = log;
    }
    const cleaned = cleanTransactions(await readTransactions(REAL_RAW));
    assertSameReport(data.quality, cleaned.report);
    assertSameFeatures(data.features, customerFeatures(cleaned.table));
    assert.match(lines[0], /^20,000 clean transactions, 19,999 customers from BANKSEG_URL=postgres:\/\/bankseg_test@127\.0\.0\.1:\d+\/bankseg_test \(table raw_tx, BANKSEG_PUSH_DOWN=1\); computed inside the database \(push-down\) in \d+\.\d s$/);
    assert.throws(() => data.clean, /BANKSEG_PUSH_DOWN=1: the transaction rows stay in the database, and this cell needs them/);
  });
});
