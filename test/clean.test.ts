import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { cleanTransactions, customerKeys } from '../src/preprocess/clean';
import { formatQualityReport } from '../src/preprocess/quality';
import { CustomerKeys, dayNumber, keyCustomerId, keyHasBirthDate, keysJoined, keyTexts, type QualityReport, type TransactionTable } from '../src/table';
import { readTransactions } from '../src/collect/read';
import { REAL_RAW } from './helpers/real-data';

/** One hand-written transaction; undefined = missing. Dates are [year, month, day]. */
interface Row {
  customer: string;
  date: [number, number, number];
  amount: number;
  time?: number;
  dob?: string;
  gender?: string;
  location?: string;
  balance?: number;
}

/** Dictionary-encodes a column in first-appearance order (as the reader does). */
function dict(texts: (string | undefined)[]): { codes: Int32Array; values: string[] } {
  const values: string[] = [];
  const index = new Map<string, number>();
  const codes = Int32Array.from(texts, (text) => {
    if (text === undefined) return -1;
    let code = index.get(text);
    if (code === undefined) index.set(text, (code = values.push(text) - 1));
    return code;
  });
  return { codes, values };
}

function table(rows: Row[]): TransactionTable {
  return {
    source: 'test',
    rows: rows.length,
    transactionId: rows.map((_, i) => `T${i + 1}`),
    customerId: dict(rows.map((r) => r.customer)),
    customerDob: dict(rows.map((r) => r.dob)),
    custGender: dict(rows.map((r) => r.gender)),
    custLocation: dict(rows.map((r) => r.location)),
    custAccountBalance: Float64Array.from(rows, (r) => r.balance ?? NaN),
    transactionDate: Int32Array.from(rows, (r) => dayNumber(...r.date)),
    transactionTime: Int32Array.from(rows, (r) => r.time ?? 120000),
    transactionAmount: Float64Array.from(rows, (r) => r.amount),
    malformed: { count: 0, examples: [] },
  };
}

/** The count of the one report entry for `column` whose reason starts with `reason`. */
function count(report: QualityReport, column: string, reason: string): number {
  const found = report.entries.filter((e) => e.column === column && e.reason.startsWith(reason));
  assert.equal(found.length, 1, `one entry ${column} / ${reason}, found ${found.length}`);
  return found[0].count;
}

const AUG_2_2016: [number, number, number] = [2016, 8, 2];

describe('cleanTransactions: ages (rules 2–5)', () => {
  // Expected ages worked by hand: floor(days / 365.25), days counted with the leap years in between.
  const rows: Row[] = [
    // 1957-04-04 → 2016-08-02: 59·365 + 15 leap days + 120 = 21,670 days; /365.25 = 59.33 → 59.
    { customer: 'C1', date: AUG_2_2016, amount: 1, dob: '4/4/57' },
    // 2005-01-01 → 2016-08-02: 11·365 + 3 + 214 = 4,232 days → 11.59 → 11 (05 → 2005, not after 2016).
    { customer: 'C2', date: AUG_2_2016, amount: 1, dob: '1/1/05' },
    // 17 → 2017 is after 2016 → 1917: 99·365 + 24 + 214 = 36,373 days → 99.58 → 99.
    { customer: 'C3', date: AUG_2_2016, amount: 1, dob: '1/1/17' },
    // Same DOB text, a 2017 transaction: 2017 is not after 2017 → 2017-01-01 → 2017-01-05: 4 days → 0.
    { customer: 'C3', date: [2017, 1, 5], amount: 1, dob: '1/1/17' },
    // 16 → 2016, the day after the transaction: −1 day → floor(−0.003) = −1 → impossible.
    { customer: 'C4', date: AUG_2_2016, amount: 1, dob: '3/8/16' },
    // Exactly 100·365.25 = 36,525 days (25 leap days 1920..2016) → 100: kept (only > 100 is impossible).
    { customer: 'C5', date: AUG_2_2016, amount: 1, dob: '2/8/1916' },
    // 1910 → 106: impossible.
    { customer: 'C6', date: AUG_2_2016, amount: 1, dob: '1/1/1910' },
    // 365 days is 0.9993 of 365.25 → 0 (the formula, not the calendar birthday).
    { customer: 'C7', date: [2002, 1, 1], amount: 1, dob: '1/1/2001' },
    // Placeholder in both spellings, missing DOB.
    { customer: 'C8', date: AUG_2_2016, amount: 1, dob: '1/1/1800' },
    { customer: 'C8', date: AUG_2_2016, amount: 1, dob: '01-01-1800' },
    { customer: 'C9', date: AUG_2_2016, amount: 1 },
    // 29/2/00 with a 1999 transaction: 2000 is after 1999 → 1900, which has no 29 February → unknown.
    { customer: 'C10', date: [1999, 3, 1], amount: 1, dob: '29/2/00' },
    // ISO and dd-mm-yyyy DOBs: 1990-06-15 → 2016-08-02: 26 years (9,497 days / 365.25 = 26.0).
    { customer: 'C11', date: AUG_2_2016, amount: 1, dob: '1990-06-15' },
    { customer: 'C11', date: AUG_2_2016, amount: 1, dob: '15-06-1990' },
    // A dropped row (negative amount) is not counted by the later rules.
    { customer: 'C12', date: AUG_2_2016, amount: -5, dob: '1/1/1800' },
  ];
  const { table: clean, report } = cleanTransactions(table(rows));

  test('ages as computed by hand', () => {
    // Ages 0 (C3's 2017 row, C7) are under 10: too young to transact alone → unknown.
    const expected = [59, 11, 99, NaN, NaN, 100, NaN, NaN, NaN, NaN, NaN, NaN, 26, 26];
    assert.deepEqual(Array.from(clean.age), expected);
  });

  test('each rule is counted', () => {
    assert.equal(count(report, 'TransactionAmount (INR)', 'negative'), 1);
    assert.equal(count(report, 'CustomerDOB', 'missing'), 1);
    assert.equal(count(report, 'CustomerDOB', 'placeholder'), 2);
    // Two-digit years: 57, 17 (2016), 00 → 19yy; 05, 17 (2017), 16 → 20yy.
    assert.equal(count(report, 'CustomerDOB', 'two-digit year resolved to 19yy'), 3);
    assert.equal(count(report, 'CustomerDOB', 'two-digit year resolved to 20yy'), 3);
    assert.equal(count(report, 'CustomerDOB', 'day does not exist'), 1);
    assert.equal(count(report, 'CustomerDOB', 'age < 0 or > 100'), 2);
    assert.equal(count(report, 'CustomerDOB', 'age 0–9'), 2);
    assert.equal(count(report, 'CustomerDOB', 'age 10–17'), 1); // C2, 11
    assert.equal(report.inputRows, 15);
    assert.equal(report.outputRows, 14);
  });

  test('a day that does not exist is reported only when it happens', () => {
    const { report: plain } = cleanTransactions(table([{ customer: 'C1', date: AUG_2_2016, amount: 1, dob: '1/1/70' }]));
    assert.equal(plain.entries.filter((e) => e.reason.startsWith('day does not exist')).length, 0);
  });
});

describe('cleanTransactions: rows, gender, location, balance (rules 1, 6–8)', () => {
  const rows: Row[] = [
    { customer: 'C1', date: AUG_2_2016, amount: 10, gender: 'M', location: 'PUNE', balance: 100 },
    { customer: 'C2', date: AUG_2_2016, amount: -1, gender: 'T', location: 'AGRA', balance: 1e9 },
    { customer: 'C3', date: [2016, 8, 3], amount: 0, gender: 'T', balance: 300 },
    { customer: 'C1', date: [2016, 8, 4], amount: 30, gender: 'F', location: 'DELHI' },
    { customer: 'C4', date: [2016, 8, 5], amount: -0.5, location: 'DELHI', balance: 5 },
    { customer: 'C4', date: [2016, 8, 6], amount: 40, location: 'PUNE', balance: 7, time: 235959 },
  ];
  const input = table(rows);
  const { table: clean, report } = cleanTransactions(input, { capQuantile: 1 });

  test('negative amounts are dropped and counted; zero is kept', () => {
    assert.equal(clean.rows, 4);
    assert.deepEqual(Array.from(clean.amount), [10, 0, 30, 40]);
    assert.equal(count(report, 'TransactionAmount (INR)', 'negative'), 2);
    const aug = (day: number) => dayNumber(2016, 8, day);
    assert.deepEqual(Array.from(clean.date), [aug(2), aug(3), aug(4), aug(6)]);
    assert.deepEqual(Array.from(clean.time), [120000, 120000, 120000, 235959]);
  });

  test('customers are keys of the kept rows: C1 as M and as F are two people; a dropped row makes none', () => {
    assert.deepEqual(keyTexts(clean.customerIds), ['C1|?|M', 'C3|?|?', 'C1|?|F', 'C4|?|?']);
    assert.deepEqual(Array.from(clean.customer), [0, 1, 2, 3]);
    assert.equal(count(report, 'CustomerID', 'reused by different people'), 1);
  });

  test('gender: M/F by GENDERS order, T changed to unknown, missing counted', () => {
    assert.deepEqual(Array.from(clean.gender), [1, -1, 0, -1]);
    assert.equal(count(report, 'CustGender', 'not M or F'), 1); // the dropped row's T is not counted
    assert.match(report.entries.find((e) => e.column === 'CustGender' && e.reason.startsWith('not M or F'))!.reason, /\("T"\)/);
    assert.equal(count(report, 'CustGender', 'missing'), 1);
  });

  test('location keeps the raw dictionary; missing kept and counted', () => {
    assert.equal(clean.location.values, input.custLocation.values);
    assert.deepEqual(Array.from(clean.location.codes), [0, -1, 2, 0]);
    assert.equal(count(report, 'CustLocation', 'missing'), 1);
  });

  test('balance missing kept as NaN and counted', () => {
    assert.deepEqual(Array.from(clean.balance), [100, 300, NaN, 7]);
    assert.equal(count(report, 'CustAccountBalance', 'missing'), 1);
  });

  test('a negative balance (an overdraft) is kept as it is and counted; a dropped row\'s is not counted', () => {
    const { table: cleaned, report: counted } = cleanTransactions(
      table([
        { customer: 'C1', date: AUG_2_2016, amount: 10, balance: -500 },
        { customer: 'C2', date: AUG_2_2016, amount: 10, balance: 0 },
        { customer: 'C3', date: AUG_2_2016, amount: 10, balance: -0.01 },
        { customer: 'C4', date: AUG_2_2016, amount: -1, balance: -70 },
        { customer: 'C5', date: AUG_2_2016, amount: 10 },
      ]),
      { capQuantile: 1 },
    );
    assert.deepEqual(Array.from(cleaned.balance), [-500, 0, -0.01, NaN]);
    const entry = counted.entries.find((e) => e.column === 'CustAccountBalance' && e.reason.startsWith('negative'))!;
    assert.deepEqual(entry, { action: 'counted', column: 'CustAccountBalance', reason: 'negative (an overdraft): kept; the model reads it as 0', count: 2 });
    assert.equal(count(report, 'CustAccountBalance', 'negative'), 0);
  });

  test('the input table is not modified', () => {
    const again = table(rows);
    assert.deepEqual(input, again);
  });
});

describe('cleanTransactions: outlier caps (rule 9)', () => {
  // Amounts 1..9 and 100 (sorted); balances 10, 20, ..., 90, 1000 and one missing.
  const amounts = [5, 1, 100, 2, 3, 4, 6, 7, 8, 9];
  const balances = [50, 10, 1000, 20, 30, 40, 60, 70, 80, 90, NaN];
  const rows: Row[] = balances.map((b, i) => ({
    customer: `C${i}`,
    date: AUG_2_2016,
    amount: amounts[i] ?? 1,
    balance: Number.isNaN(b) ? undefined : b,
  }));
  // A dropped row: its huge balance must not move the balance cap.
  rows.push({ customer: 'X', date: AUG_2_2016, amount: -1, balance: 1e12 });

  test('q = 0.9 by hand: amounts (11 values incl. the extra 1) h = 9 → 9; balances (10 values) h = 8.1 → 90 + 0.1·910 = 181', () => {
    const { table: clean, report } = cleanTransactions(table(rows), { capQuantile: 0.9 });
    assert.equal(report.caps.amount, 9);
    assert.ok(Math.abs(report.caps.balance - 181) < 1e-9);
    assert.equal(report.caps.quantile, 0.9);
    assert.deepEqual(Array.from(clean.amount), [5, 1, 9, 2, 3, 4, 6, 7, 8, 9, 1]);
    assert.equal(clean.balance[2], report.caps.balance);
    assert.equal(count(report, 'TransactionAmount (INR)', 'above the 90th percentile'), 1);
    assert.equal(count(report, 'CustAccountBalance', 'above the 90th percentile'), 1);
  });

  test('default 0.999 by hand: balances h = 9·0.999 = 8.991 → 90 + 0.991·910 = 991.81', () => {
    const { table: clean, report } = cleanTransactions(table(rows));
    assert.ok(Math.abs(report.caps.balance - 991.81) < 1e-9);
    assert.ok(Math.abs(clean.balance[2] - 991.81) < 1e-9);
    assert.ok(Number.isNaN(clean.balance[10]));
    // amounts (n = 11): h = 10·0.999 = 9.99 → 9 + 0.99·91 = 99.09
    assert.ok(Math.abs(report.caps.amount - 99.09) < 1e-9);
  });

  test('capQuantile 1 changes nothing; out-of-range values are refused', () => {
    const { table: clean, report } = cleanTransactions(table(rows), { capQuantile: 1 });
    assert.deepEqual(Array.from(clean.amount), [...amounts, 1]);
    assert.equal(count(report, 'TransactionAmount (INR)', 'above'), 0);
    assert.equal(count(report, 'CustAccountBalance', 'above'), 0);
    for (const q of [0, -0.5, 1.5, NaN]) assert.throws(() => cleanTransactions(table(rows), { capQuantile: q }), RangeError);
  });
});

describe('cleanTransactions: empty input and the report text', () => {
  test('an empty table cleans to an empty table with NaN caps', () => {
    const { table: clean, report } = cleanTransactions(table([]));
    assert.equal(clean.rows, 0);
    assert.ok(Number.isNaN(report.caps.amount));
    assert.ok(report.entries.every((e) => e.count === 0));
  });

  test('formatQualityReport shows rows in/out, every entry with its count, and the caps', () => {
    const { report } = cleanTransactions(
      table([
        { customer: 'C1', date: AUG_2_2016, amount: 1234567.891, dob: '1/1/1800', gender: 'T' },
        { customer: 'C1', date: AUG_2_2016, amount: -1 },
      ]),
    );
    const text = formatQualityReport(report);
    assert.match(text, /rows in\s+2\n/);
    assert.match(text, /rows out\s+1 \(1 dropped\)/);
    for (const e of report.entries) {
      const line = text.split('\n').find((l) => l.includes(e.column) && l.endsWith(e.reason));
      assert.ok(line, `line for ${e.reason}`);
      assert.match(line!, new RegExp(`^\\s+${e.action}\\s+${e.column.replace(/[()]/g, '\\$&')}\\s+${e.count}\\s`));
    }
    assert.match(text, /TransactionAmount \(INR\)\s+1,234,567\.89 INR/);
    assert.match(text, /99\.9th percentile/);
  });
});

describe('the data-quality report lists the malformed rows the reader skipped', () => {
  const bad = (line: number) => ({ file: 'f.csv', line, column: 'TransactionTime' as const, value: '999999', expected: 'a time HHMMSS' });

  test('carried from the table, listed line by line as profile lists them, then how many more', () => {
    const t = { ...table([{ customer: 'C1', date: AUG_2_2016, amount: 5 }]), malformed: { count: 12, examples: [3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map(bad) } };
    const { report } = cleanTransactions(t);
    assert.equal(report.malformed, t.malformed);
    const lines = formatQualityReport(report).split('\n');
    assert.deepEqual(lines.slice(0, 13), [
      'Data quality',
      '  malformed rows skipped by the reader: 12 (not among the rows in)',
      ...[3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((l) => `    line ${l}: column TransactionTime: value "999999": expected a time HHMMSS`),
      '    ... and 2 more',
    ]);
    assert.equal(lines[13], '  rows in   1');
  });

  test('counted but not listed (the push-down counts stored rows that fail the reading rules in SQL)', () => {
    const t = { ...table([{ customer: 'C1', date: AUG_2_2016, amount: 5 }]), malformed: { count: 3, examples: [] } };
    const lines = formatQualityReport(cleanTransactions(t).report).split('\n');
    assert.deepEqual(lines.slice(1, 4), ['  malformed rows skipped by the reader: 3 (not among the rows in)', '    (3 not listed)', '  rows in   1']);
  });

  test('none skipped: the count 0 and no listing', () => {
    const text = formatQualityReport(cleanTransactions(table([{ customer: 'C1', date: AUG_2_2016, amount: 5 }])).report);
    assert.ok(text.startsWith('Data quality\n  malformed rows skipped by the reader: 0\n  rows in   1\n'), text);
  });
});

describe('cleanTransactions: the customer key (rule 10)', () => {
  const rows: Row[] = [
    // The same person twice: one customer, whatever the spelling of the birth date.
    { customer: 'C1', date: AUG_2_2016, amount: 1, dob: '4/4/57', gender: 'F' },
    { customer: 'C1', date: [2016, 9, 1], amount: 1, dob: '04-04-1957', gender: 'F' },
    // Another birth date under the same ID: another person.
    { customer: 'C1', date: AUG_2_2016, amount: 1, dob: '5/4/57', gender: 'F' },
    // Same birth date, another gender: another person.
    { customer: 'C1', date: AUG_2_2016, amount: 1, dob: '4/4/57', gender: 'M' },
    // Placeholder and missing birth date are both unknown: one customer; T is an unknown gender.
    { customer: 'C2', date: AUG_2_2016, amount: 1, dob: '1/1/1800', gender: 'T' },
    { customer: 'C2', date: AUG_2_2016, amount: 1 },
    // Unknown vs known birth date: different (on the real rows such pairs differ in location and balance too).
    { customer: 'C2', date: AUG_2_2016, amount: 1, dob: '1/1/90' },
    // An impossible age keeps its birth date in the key (it still tells people apart).
    { customer: 'C3', date: AUG_2_2016, amount: 1, dob: '3/8/16', gender: 'M' },
  ];
  const { table: clean, report } = cleanTransactions(table(rows));

  test('keys as worked out by hand, in order of first appearance', () => {
    assert.deepEqual(keyTexts(clean.customerIds), ['C1|1957-04-04|F', 'C1|1957-04-05|F', 'C1|1957-04-04|M', 'C2|?|?', 'C2|1990-01-01|?', 'C3|2016-08-03|M']);
    assert.deepEqual(Array.from(clean.customer), [0, 0, 1, 2, 3, 3, 4, 5]);
  });

  test('two CustomerIDs are reused, split into five customers', () => {
    const entry = report.entries.find((e) => e.column === 'CustomerID')!;
    assert.equal(entry.count, 2);
    assert.equal(entry.action, 'counted');
    assert.match(entry.reason, /2 CustomerIDs split into 5 customers/);
  });
});

describe('customerKeys: the key texts', () => {
  test('over several 65,536-key chunks, with non-ASCII IDs, each key reads CustomerID|YYYY-MM-DD|G', () => {
    const n = 150_001;
    const idValues = Array.from({ length: n }, (_, i) => (i % 1000 === 7 ? `Ç${i}€` : `C${i}`));
    const idCodes = Int32Array.from({ length: n }, (_, i) => i);
    const birthDay = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? NaN : i % 20000));
    const gender = Int8Array.from({ length: n }, (_, i) => (i % 5) - 1 > 1 ? -1 : (i % 5) - 1);
    const keys = customerKeys(idCodes, idValues, birthDay, gender);
    assert.equal(keys.keys.length, n);
    const iso = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < n; i++) {
      const g = gender[i] < 0 ? '?' : ['F', 'M'][gender[i]];
      const want = `${idValues[i]}|${Number.isNaN(birthDay[i]) ? '?' : iso(birthDay[i])}|${g}`;
      if (keys.keys.text(i) !== want) assert.fail(`key ${i}: ${keys.keys.text(i)} !== ${want}`);
    }
  });
});

describe('customerKeys: keys as numbers, texts on demand', () => {
  /** Brute force: rows grouped by the key text, keys in order of first appearance; reused IDs counted by text. */
  function byText(idCodes: Int32Array, idValues: readonly string[], birthDay: Float64Array, gender: Int8Array) {
    const iso = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
    const index = new Map<string, number>();
    const texts: string[] = [];
    const codes = Array.from(idCodes, (id, i) => {
      const text = `${idValues[id]}|${Number.isNaN(birthDay[i]) ? '?' : iso(birthDay[i])}|${gender[i] < 0 ? '?' : ['F', 'M'][gender[i]]}`;
      if (!index.has(text)) index.set(text, texts.push(text) - 1);
      return index.get(text)!;
    });
    const perId = new Map<string, number>();
    for (let k = 0; k < texts.length; k++) {
      const id = idValues[idCodes[codes.indexOf(k)]];
      perId.set(id, (perId.get(id) ?? 0) + 1);
    }
    const reused = [...perId.values()].filter((k) => k > 1);
    return { codes, texts, reusedIds: reused.length, splitCustomers: reused.reduce((s, k) => s + k, 0) };
  }

  test('hostile rows (few IDs reused many times, unknown birth dates and genders, IDs with | and non-ASCII): the same grouping as by text', () => {
    let seed = 12345;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const idValues = ['C1', 'C1|1990-01-01', 'Ç2€', '', 'C|?|M', ...Array.from({ length: 300 }, (_, i) => `C${i + 10}`)];
    const n = 40_000;
    const idCodes = Int32Array.from({ length: n }, () => Math.floor(random() ** 3 * idValues.length));
    // Birth days from a handful (so the same ID meets the same person again), before 1970 too, or unknown.
    const days = [NaN, -3653, -1, 0, 7305, 12000, 16651];
    const birthDay = Float64Array.from({ length: n }, () => days[Math.floor(random() * days.length)]);
    const gender = Int8Array.from({ length: n }, () => Math.floor(random() * 3) - 1);
    const got = customerKeys(idCodes, idValues, birthDay, gender);
    const want = byText(idCodes, idValues, birthDay, gender);
    assert.deepEqual(Array.from(got.codes), want.codes);
    assert.deepEqual(keyTexts(got.keys), want.texts);
    assert.ok(want.texts.length > 1000 && want.reusedIds > 200, `${want.texts.length} keys, ${want.reusedIds} reused IDs: a hard case`);
    assert.equal(got.reusedIds, want.reusedIds);
    assert.equal(got.splitCustomers, want.splitCustomers);
    // Every part back from the numbers: ID, birth day, gender of the key's first row.
    for (let k = 0; k < got.keys.length; k++) {
      const i = want.codes.indexOf(k);
      assert.equal(keyCustomerId(got.keys, k), idValues[idCodes[i]]);
      assert.equal(keyCustomerId(want.texts, k), idValues[idCodes[i]], 'the text form parses to the same ID');
      assert.equal(keyHasBirthDate(got.keys, k), !Number.isNaN(birthDay[i]));
      assert.equal(keyHasBirthDate(want.texts, k), !Number.isNaN(birthDay[i]));
    }
    // Blocks of texts as one string, as Array.join makes them.
    for (const [start, end] of [[0, 0], [0, 1], [3, 700], [0, got.keys.length]]) {
      assert.equal(keysJoined(got.keys, start, end, '\0'), want.texts.slice(start, end).join('\0'));
      assert.equal(keysJoined(want.texts, start, end, '\0'), want.texts.slice(start, end).join('\0'));
    }
    // The subset keeps the ID dictionary and the texts.
    const picked = Int32Array.from([5, 0, got.keys.length - 1]);
    assert.deepEqual(keyTexts(got.keys.subset(picked)), Array.from(picked, (k) => want.texts[k]));
  });

  test('the real rows: codes group the rows exactly as the key texts do; each text carries the row\'s CustomerID, gender and age', async () => {
    const raw = await readTransactions(REAL_RAW);
    const { table: clean, report } = cleanTransactions(raw);
    const keys = clean.customerIds;
    assert.ok(keys instanceof CustomerKeys, 'cleaning gives the keys as numbers');
    const texts = keyTexts(keys);
    const index = new Map<string, number>();
    for (let i = 0; i < clean.rows; i++) {
      const text = texts[clean.customer[i]];
      if (!index.has(text)) index.set(text, index.size);
      if (index.get(text) !== clean.customer[i]) assert.fail(`row ${i}: key ${text} is code ${clean.customer[i]}, by text ${index.get(text)}`);
      const id = keyCustomerId(keys, clean.customer[i]);
      const [dob, g] = text.slice(id.length + 1).split('|');
      assert.equal(id, raw.customerId.values[raw.customerId.codes[i]], `row ${i}`); // no row of the 20k is dropped
      assert.equal(g, clean.gender[i] < 0 ? '?' : ['F', 'M'][clean.gender[i]], `row ${i}`);
      if (!Number.isNaN(clean.age[i])) {
        const [y, m, d] = dob.split('-').map(Number);
        assert.equal(Math.floor((clean.date[i] - dayNumber(y, m, d)) / 365.25), clean.age[i], `row ${i}: ${text}`);
      }
    }
    assert.equal(clean.rows, 20_000);
    assert.equal(index.size, 19_999, 'customers (test/helpers/real-data.ts: 19,937 CustomerIDs, 19,999 customers)');
    assert.equal(new Set(texts).size, texts.length, 'every key text distinct');
    const rule10 = report.entries[report.entries.length - 1];
    assert.equal(rule10.count, 62);
    assert.match(rule10.reason, /62 CustomerIDs split into 124 customers/);
  });
});
