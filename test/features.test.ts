import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { bucketLocations, customerFeatures } from '../src/preprocess/features';
import { UsageError } from '../src/errors';
import { cleanTransactions } from '../src/preprocess/clean';
import { readTransactions } from '../src/collect/read';
import { dayNumber, GENDERS, keyTexts, type CleanTable, type QualityReport } from '../src/table';
import { type CustomerFeatures } from '../src/preprocess/feature_registry';
import { CATEGORY_FEATURES, MODEL_FEATURES, type CategoryFeature, type ModelFeature } from '../src/preprocess/feature_registry';
import { featureRow } from './helpers/features';
import { REAL_RAW } from './helpers/real-data';
import { splitCsvLine } from './helpers/naive-csv';

const REAL = REAL_RAW;

/** A cleaned transaction written by hand; undefined = missing. */
interface CleanRow {
  customer: string;
  day: number; // of August 2016
  time: number;
  amount: number;
  balance?: number;
  age?: number;
  gender?: 'F' | 'M';
  location?: string;
}

/** Builds a CleanTable; `customerIds` may list customers without rows (dropped in cleaning). */
function cleanTable(rows: CleanRow[], customerIds: string[], locations: string[]): CleanTable {
  return {
    rows: rows.length,
    customer: Int32Array.from(rows, (r) => customerIds.indexOf(r.customer)),
    customerIds,
    date: Int32Array.from(rows, (r) => dayNumber(2016, 8, r.day)),
    time: Int32Array.from(rows, (r) => r.time),
    amount: Float64Array.from(rows, (r) => r.amount),
    balance: Float64Array.from(rows, (r) => r.balance ?? NaN),
    age: Float64Array.from(rows, (r) => r.age ?? NaN),
    gender: Int8Array.from(rows, (r) => (r.gender === undefined ? -1 : GENDERS.indexOf(r.gender))),
    location: { codes: Int32Array.from(rows, (r) => (r.location === undefined ? -1 : locations.indexOf(r.location))), values: locations },
  };
}

/** Customer `id`'s features as plain values, for comparison (every registry feature). */
function featuresOf(f: CustomerFeatures, id: string) {
  const j = keyTexts(f.customerId).indexOf(id);
  assert.ok(j >= 0, `customer ${id} present`);
  const { customerId: _id, ...row } = featureRow(f, j);
  return row;
}

describe('customerFeatures on hand-built customers', () => {
  const locations = ['PUNE', 'MUMBAI', 'DELHI', 'AGRA'];
  const rows: CleanRow[] = [
    { customer: 'C1', day: 2, time: 143207, amount: 100, balance: 500, age: 30, gender: 'M', location: 'PUNE' },
    { customer: 'C2', day: 3, time: 235959, amount: 10 },
    // C1's two latest rows tie on (date, time): the later row (index 3) is the latest, but it has no balance, age,
    // gender or location, so those come from row 2.
    { customer: 'C1', day: 5, time: 90000, amount: 50, balance: 800, age: 31, gender: 'F', location: 'MUMBAI' },
    { customer: 'C1', day: 5, time: 90000, amount: 30 },
    // C3: a tie where both rows have values: the later row index wins.
    { customer: 'C3', day: 10, time: 100000, amount: 5, balance: 111, age: 40, gender: 'M', location: 'DELHI' },
    { customer: 'C3', day: 10, time: 100000, amount: 7, balance: 222, age: 41, gender: 'F', location: 'AGRA' },
    { customer: 'C3', day: 1, time: 20000, amount: 3, balance: 999, location: 'MUMBAI' },
    // C4: one night and one evening transaction → tie → night; latest is the 20:00:00 row.
    { customer: 'C4', day: 20, time: 30000, amount: 1, age: 50, gender: 'M', location: 'DELHI' },
    { customer: 'C4', day: 20, time: 200000, amount: 2, balance: 5, location: 'PUNE' },
    // C5: the later date wins over the later time; afternoon/evening tie → afternoon.
    { customer: 'C5', day: 12, time: 130000, amount: 4, location: 'DELHI' },
    { customer: 'C5', day: 11, time: 190000, amount: 6, age: 60, location: 'MUMBAI' },
  ];
  // C6's rows were all dropped in cleaning: it is in the dictionary but not in the features.
  const customerIds = ['C1', 'C2', 'C6', 'C3', 'C4', 'C5'];
  const f = customerFeatures(cleanTable(rows, customerIds, locations), { topLocations: 2 });

  test('customers with rows, in dictionary order; endDate is the last date', () => {
    assert.equal(f.n, 5);
    assert.deepEqual(keyTexts(f.customerId), ['C1', 'C2', 'C3', 'C4', 'C5']);
    assert.equal(f.endDate, dayNumber(2016, 8, 20));
  });

  test('features computed by hand', () => {
    // Feature locations: C1 MUMBAI, C2 none, C3 AGRA, C4 PUNE, C5 DELHI: all 1 customer → alphabetical: AGRA, DELHI.
    const expected = {
      C1: { recencyDays: 15, frequency: 3, monetaryTotal: 180, monetaryMean: 60, balance: 800, age: 31, gender: 'F', location: 'OTHER', timeOfDay: 'morning' },
      C2: { recencyDays: 17, frequency: 1, monetaryTotal: 10, monetaryMean: 10, balance: NaN, age: NaN, gender: undefined, location: 'OTHER', timeOfDay: 'evening' },
      C3: { recencyDays: 10, frequency: 3, monetaryTotal: 15, monetaryMean: 5, balance: 222, age: 41, gender: 'F', location: 'AGRA', timeOfDay: 'morning' },
      C4: { recencyDays: 0, frequency: 2, monetaryTotal: 3, monetaryMean: 1.5, balance: 5, age: 50, gender: 'M', location: 'OTHER', timeOfDay: 'night' },
      C5: { recencyDays: 8, frequency: 2, monetaryTotal: 10, monetaryMean: 5, balance: NaN, age: 60, gender: undefined, location: 'DELHI', timeOfDay: 'afternoon' },
    };
    for (const [id, want] of Object.entries(expected)) assert.deepEqual(featuresOf(f, id), want, id);
  });

  test('--as-of: recency counts from the given day (here 10 days after the last date); an earlier day is a usage error', () => {
    assert.equal(f.asOf, f.endDate);
    const later = customerFeatures(cleanTable(rows, customerIds, locations), { topLocations: 2, asOf: dayNumber(2016, 8, 30) });
    assert.deepEqual(Array.from(later.recencyDays), [25, 27, 20, 10, 18]);
    assert.equal(later.asOf, dayNumber(2016, 8, 30));
    assert.equal(later.endDate, f.endDate);
    assert.throws(
      () => customerFeatures(cleanTable(rows, customerIds, locations), { asOf: dayNumber(2016, 8, 19) }),
      (e: Error) => e instanceof UsageError && e.message === '--as-of 2016-08-19 is before the last transaction date in the data, 2016-08-20',
    );
  });

  test('dictionaries: genders, top locations in rank order then OTHER, time-of-day bins', () => {
    assert.deepEqual(f.gender.values, ['F', 'M']);
    assert.deepEqual(f.location.values, ['AGRA', 'DELHI', 'OTHER']);
    assert.deepEqual(f.timeOfDay.values, ['night', 'morning', 'afternoon', 'evening']);
  });

  test('time-of-day bin edges: 05:59:59 is night, 06:00:00 morning, 11:59:59 morning, 12:00:00 afternoon, 18:00:00 evening', () => {
    const edges: [number, string][] = [[0, 'night'], [55959, 'night'], [60000, 'morning'], [115959, 'morning'], [120000, 'afternoon'], [175959, 'afternoon'], [180000, 'evening'], [235959, 'evening']];
    const g = customerFeatures(cleanTable(edges.map(([time], i) => ({ customer: `C${i}`, day: 1, time, amount: 1 })), edges.map((_, i) => `C${i}`), []));
    assert.deepEqual(Array.from(g.timeOfDay.codes, (c) => g.timeOfDay.values[c]), edges.map(([, bin]) => bin));
  });

  test('no rows: no customers, endDate NaN; bad topLocations refused', () => {
    const g = customerFeatures(cleanTable([], ['C1'], []));
    assert.equal(g.n, 0);
    assert.ok(Number.isNaN(g.endDate));
    assert.throws(() => customerFeatures(cleanTable([], [], []), { topLocations: -1 }), RangeError);
    assert.throws(() => customerFeatures(cleanTable([], [], []), { topLocations: 1.5 }), RangeError);
  });
});

describe('bucketLocations', () => {
  test('top N by number of customers, ties alphabetical, the rest and missing → OTHER', () => {
    const names = ['PUNE', 'AGRA', 'DELHI', 'NOIDA', 'ZIRA'];
    // PUNE 3, AGRA 1, DELHI 3, NOIDA 2, ZIRA 0, two missing.
    const codes = Int32Array.of(0, 2, 0, 3, 1, 2, -1, 3, 0, 2, -1);
    const top3 = bucketLocations(codes, names, 3);
    assert.deepEqual(top3.values, ['DELHI', 'PUNE', 'NOIDA', 'OTHER']);
    assert.deepEqual(Array.from(top3.codes, (c) => top3.values[c]), ['PUNE', 'DELHI', 'PUNE', 'NOIDA', 'OTHER', 'DELHI', 'OTHER', 'NOIDA', 'PUNE', 'DELHI', 'OTHER']);
    assert.deepEqual(bucketLocations(codes, names, 0).values, ['OTHER']);
    assert.deepEqual(bucketLocations(codes, names, 10).values, ['DELHI', 'PUNE', 'NOIDA', 'AGRA', 'OTHER']);
  });

  test('a source location named OTHER shares the OTHER bucket', () => {
    const b = bucketLocations(Int32Array.of(0, 0, 1, -1), ['OTHER', 'PUNE'], 2);
    assert.deepEqual(b.values, ['OTHER', 'PUNE']);
    assert.deepEqual(Array.from(b.codes), [0, 0, 1, 0]);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// A deliberately naive reference: row objects, Date objects, sorting instead of one-pass accumulators.

interface RefRow {
  index: number;
  customer: string;
  date: Date;
  time: number;
  amount: number;
  balance?: number;
  age?: number;
  gender?: string;
  location?: string;
}

/** Every registry feature: a new one does not compile here until the reference computes it too. */
type RefFeatures = { [F in ModelFeature]: number } & { [F in CategoryFeature]: string | undefined };

function referenceFeatures(rows: RefRow[], topLocations: number): Map<string, RefFeatures> {
  const byCustomer = new Map<string, RefRow[]>();
  for (const r of rows) {
    if (!byCustomer.has(r.customer)) byCustomer.set(r.customer, []);
    byCustomer.get(r.customer)!.push(r);
  }
  const endDate = Math.max(...rows.map((r) => r.date.getTime()));
  const latestLocation = new Map<string, string | undefined>();
  const out = new Map<string, RefFeatures>();
  for (const [id, own] of byCustomer) {
    const newestFirst = [...own].sort((a, b) => b.date.getTime() - a.date.getTime() || b.time - a.time || b.index - a.index);
    const latest = <K extends keyof RefRow>(key: K) => newestFirst.find((r) => r[key] !== undefined)?.[key];
    const bins = ['night', 'morning', 'afternoon', 'evening'];
    const perBin = bins.map((_, b) => own.filter((r) => Math.floor(Math.floor(r.time / 10000) / 6) === b).length);
    const most = Math.max(...perBin);
    const total = own.reduce((s, r) => s + r.amount, 0);
    latestLocation.set(id, latest('location') as string | undefined);
    out.set(id, {
      recencyDays: Math.round((endDate - newestFirst[0].date.getTime()) / 86_400_000),
      frequency: own.length,
      monetaryTotal: total,
      monetaryMean: total / own.length,
      balance: (latest('balance') as number | undefined) ?? NaN,
      age: (latest('age') as number | undefined) ?? NaN,
      gender: latest('gender') as string | undefined,
      location: '',
      timeOfDay: bins[perBin.indexOf(most)],
    });
  }
  const customersAt = new Map<string, number>();
  for (const loc of latestLocation.values()) if (loc !== undefined) customersAt.set(loc, (customersAt.get(loc) ?? 0) + 1);
  const top = new Set(
    [...customersAt.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, topLocations)
      .map(([loc]) => loc),
  );
  for (const [id, f] of out) {
    const loc = latestLocation.get(id);
    f.location = loc !== undefined && top.has(loc) ? loc : 'OTHER';
  }
  return out;
}

function assertMatchesReference(f: CustomerFeatures, expected: Map<string, RefFeatures>): void {
  assert.equal(f.n, expected.size);
  const keys = keyTexts(f.customerId);
  assert.deepEqual(keys, [...expected.keys()]);
  const near = (a: number, b: number) => (Number.isNaN(a) && Number.isNaN(b)) || Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  for (let j = 0; j < f.n; j++) {
    const want: RefFeatures = expected.get(keys[j])!;
    const got = featureRow(f, j);
    for (const key of MODEL_FEATURES) {
      assert.ok(near(got[key] as number, want[key]), `${keys[j]} ${key}: ${got[key]} vs reference ${want[key]}`);
    }
    for (const key of CATEGORY_FEATURES) {
      assert.equal(got[key], want[key], `${keys[j]} ${key}`);
    }
  }
}

describe('customerFeatures against the naive reference on generated data (many ties)', () => {
  test('200 random tables', () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)];
    const times = [0, 55959, 60000, 115959, 120000, 175959, 180000, 235959];
    const locations = ['PUNE', 'AGRA', 'DELHI', 'NOIDA', 'MUMBAI', 'THANE'];
    for (let trial = 0; trial < 200; trial++) {
      const customerIds = Array.from({ length: 12 }, (_, k) => `C${k}`);
      const rows: CleanRow[] = Array.from({ length: Math.floor(rand() * 40) + 1 }, () => ({
        customer: pick(customerIds.slice(0, 10)), // C10, C11 never have rows
        day: 1 + Math.floor(rand() * 3),
        time: pick(times),
        amount: Math.round(rand() * 1e5) / 100,
        balance: rand() < 0.3 ? undefined : Math.round(rand() * 1e6) / 100,
        age: rand() < 0.3 ? undefined : Math.floor(rand() * 80),
        gender: rand() < 0.3 ? undefined : pick(['F', 'M'] as const),
        location: rand() < 0.2 ? undefined : pick(locations),
      }));
      // First appearance order, as the reader makes it (rows may start with any customer). Every other table has no
      // customer without rows, as after cleaning (the accumulators become the features in place), the others two.
      const order = [...new Set(rows.map((r) => r.customer)), ...(trial % 2 === 0 ? [] : ['C10', 'C11'])];
      const top = Math.floor(rand() * 5);
      const f = customerFeatures(cleanTable(rows, order, locations), { topLocations: top });
      const refRows: RefRow[] = rows.map((r, index) => ({ ...r, index, date: new Date(Date.UTC(2016, 7, r.day)) }));
      assertMatchesReference(f, referenceFeatures(refRows, top));
      assertSeparateColumns(f);
    }
  });
});

/** No two feature columns share a byte (some are views into one buffer): writing one never changes another. */
function assertSeparateColumns(f: CustomerFeatures): void {
  const columns = [...MODEL_FEATURES.map((k) => f[k]), ...CATEGORY_FEATURES.map((k) => f[k].codes)];
  for (const [a, x] of columns.entries()) {
    assert.equal(x.length, f.n);
    for (const y of columns.slice(a + 1)) {
      const overlap = x.buffer === y.buffer && x.byteOffset < y.byteOffset + y.byteLength && y.byteOffset < x.byteOffset + x.byteLength;
      assert.ok(!overlap || x.byteLength === 0 || y.byteLength === 0, 'two feature columns overlap');
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The real rows: readTransactions → cleanTransactions → customerFeatures against a naive parse of the same file.


/** d/m/yy or d/m/yyyy → parts; the raw file writes every date so. */
function dateParts(text: string): { day: number; month: number; year: number; digits: number } {
  const m = /^(\d{1,2})\/(\d{1,2})\/(\d+)$/.exec(text);
  if (!m) throw new Error(`reference: unexpected date ${text}`);
  return { day: Number(m[1]), month: Number(m[2]), year: Number(m[3]), digits: m[3].length };
}

function typeSevenQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return lo + 1 < sorted.length ? sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]) : sorted[lo];
}

/** The cleaning rules done the slow way. */
function referenceClean(path: string) {
  const lines = fs.readFileSync(path, 'utf8').split(/\r?\n/).filter((l) => l.length > 0);
  const header = splitCsvLine(lines[0]);
  const col = (name: string) => header.indexOf(name);
  const missing = (v: string) => v.trim() === '' || v.trim().toLowerCase() === 'nan';
  let placeholders = 0;
  let dobMissing = 0;
  const rows: RefRow[] = [];
  for (const line of lines.slice(1)) {
    const f = splitCsvLine(line);
    const amount = Number(f[col('TransactionAmount (INR)')]);
    if (amount < 0) continue;
    const tx = dateParts(f[col('TransactionDate')]);
    const date = new Date(Date.UTC(2000 + tx.year, tx.month - 1, tx.day));
    let age: number | undefined;
    let birth = '?';
    const dobText = f[col('CustomerDOB')];
    if (missing(dobText)) dobMissing++;
    else {
      const dob = dateParts(dobText);
      let year = dob.year;
      if (dob.digits === 2) year = 2000 + year > date.getUTCFullYear() ? 1900 + year : 2000 + year;
      if (year === 1800) placeholders++;
      else {
        const born = Date.UTC(year, dob.month - 1, dob.day);
        birth = new Date(born).toISOString().slice(0, 10);
        const years = Math.floor((date.getTime() - born) / (365.25 * 86_400_000));
        if (years >= 10 && years <= 100) age = years; // under 10: too young to transact alone
      }
    }
    const gender = f[col('CustGender')];
    const location = f[col('CustLocation')];
    const balance = f[col('CustAccountBalance')];
    const sex = gender === 'M' || gender === 'F' ? gender : '?';
    rows.push({
      index: rows.length,
      // The customer key: CustomerID, resolved birth date, gender (docs/data-model.md, cleaning rule 10).
      customer: `${f[col('CustomerID')]}|${birth}|${sex}`,
      date,
      time: Number(f[col('TransactionTime')]),
      amount,
      balance: missing(balance) ? undefined : Number(balance),
      age,
      gender: gender === 'M' || gender === 'F' ? gender : undefined,
      location: missing(location) ? undefined : location.trim(),
    });
  }
  const amountCap = typeSevenQuantile(rows.map((r) => r.amount), 0.999);
  const balanceCap = typeSevenQuantile(rows.flatMap((r) => (r.balance === undefined ? [] : [r.balance])), 0.999);
  for (const r of rows) {
    r.amount = Math.min(r.amount, amountCap);
    if (r.balance !== undefined) r.balance = Math.min(r.balance, balanceCap);
  }
  return { rows, placeholders, dobMissing, amountCap, balanceCap };
}

describe('the first 20,000 real rows', () => {
  let report: QualityReport;
  let features: CustomerFeatures;
  let customersBeforeDrops: number;
  before(async () => {
    const raw = await readTransactions(REAL);
    customersBeforeDrops = raw.customerId.values.length;
    const cleaned = cleanTransactions(raw);
    report = cleaned.report;
    features = customerFeatures(cleaned.table);
  });

  test('counts known from the data README: 19,937 CustomerIDs, 1,290 placeholders, 72/11/1/27 missing', () => {
    assert.equal(customersBeforeDrops, 19_937);
    assert.equal(report.inputRows, 20_000);
    assert.equal(report.outputRows, 20_000);
    const count = (column: string, reason: string) => report.entries.find((e) => e.column === column && e.reason.startsWith(reason))!.count;
    assert.equal(count('CustomerDOB', 'placeholder'), 1_290);
    assert.equal(count('CustomerDOB', 'missing'), 72);
    assert.equal(count('CustGender', 'missing'), 11);
    assert.equal(count('CustLocation', 'missing'), 1);
    assert.equal(count('CustAccountBalance', 'missing'), 27);
  });

  test('caps equal numpy 1.24 (np.quantile / np.nanquantile at 0.999) and 20 values each are capped', () => {
    assert.ok(Math.abs(report.caps.amount - 99999.88012) < 1e-6);
    assert.ok(Math.abs(report.caps.balance - 7048182.490677562) < 1e-6);
    const capped = report.entries.filter((e) => e.reason.startsWith('above'));
    assert.deepEqual(capped.map((e) => e.count), [20, 20]);
  });

  test('every customer matches the naive reference', () => {
    const ref = referenceClean(REAL);
    assert.equal(ref.placeholders, 1_290);
    assert.equal(ref.dobMissing, 72);
    assert.ok(Math.abs(report.caps.amount - ref.amountCap) < 1e-6);
    assertMatchesReference(features, referenceFeatures(ref.rows, 10));
    assertSeparateColumns(features);
    // 62 of the 63 repeated CustomerIDs carry different birth dates (data README): 19,937 − 62 + 2 · 62 customers.
    assert.equal(features.n, 19_999);
  });

  test('reused CustomerIDs and young ages are counted in the report', () => {
    const entry = (column: string, reason: string) => report.entries.find((e) => e.column === column && e.reason.startsWith(reason))!;
    const reused = entry('CustomerID', 'reused by different people');
    assert.equal(reused.action, 'counted');
    assert.equal(reused.count, 62);
    assert.match(reused.reason, /62 CustomerIDs split into 124 customers/);
    // Hand-counted from the rows (the two-digit-year rule): 6 rows aged 3–8, 36 aged 11–17.
    assert.equal(entry('CustomerDOB', 'age 0–9').count, 6);
    assert.equal(entry('CustomerDOB', 'age 10–17').count, 36);
  });
});
