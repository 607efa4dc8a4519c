import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { readTransactions } from '../src/collect/read';
import { formatProfile, profileTransactions } from '../src/explore/profile';
import { TransactionTable } from '../src/table';
import { REAL_FACTS, REAL_RAW, REAL_SPREADSHEET } from './helpers/real-data';

const REAL = REAL_RAW;
const SHEET = REAL_SPREADSHEET;

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
      /^ {2}CustomerIDs +3$/m,
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
