/**
 * The PostgreSQL source against a real throwaway server (test/helpers/pg-server.ts): import, read back,
 * the SQL push-down of the customer features, and every bad-input path. References: facts of the real rows
 * computed with Python's csv module, a hand-worked small file, and the TypeScript pipeline (file → clean → features).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { InputError, UsageError } from '../src/errors';
import { db_importCommand } from '../src/cli/db_import';
import { readTransactions } from '../src/collect/read';
import { cleanTransactions } from '../src/preprocess/clean';
import { customerFeatures } from '../src/preprocess/features';
import { ByteDictionary } from '../src/collect/db/byte_dictionary';
import { copyText, CopyTextChunk } from '../src/collect/db/copy_in';
import { BinaryDecoder, CopyRow } from '../src/collect/db/copy_out';
import { importTransactions, importTransactionsFile } from '../src/collect/db/import';
import { readTransactionsFromDb } from '../src/collect/db/read';
import { customerFeaturesFromDb, pushDownFromDb } from '../src/collect/db/pushdown';
import { dayNumber, TransactionTable } from '../src/table';
import { CustomerFeatures } from '../src/preprocess/feature_registry';
import { CATEGORY_FEATURES, MODEL_FEATURES } from '../src/preprocess/feature_registry';
import { featureRow } from './helpers/features';
import { bankseg } from './helpers/cli';
import { query } from './helpers/pg-query';
import { PgServer, startPgServer } from './helpers/pg-server';
import { REAL_DIR } from './helpers/real-data';

const REAL = REAL_DIR;
const RAW = path.join(REAL, 'bank_transactions_first20k.csv');
const SPREADSHEET = path.join(REAL, 'bank_transactions_first20k_spreadsheet.csv');
const HEADER = 'TransactionID,CustomerID,CustomerDOB,CustGender,CustLocation,CustAccountBalance,TransactionDate,TransactionTime,TransactionAmount (INR)';

let server: PgServer;
let tmp: string;

before(async () => {
  server = await startPgServer();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-db-test-'));
  process.env.BANKSEG_QUIET = '1';
  await importTransactionsFile(server.url, RAW, 'raw_tx');
});

after(async () => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  if (!server) return;
  // The helper's own promise: stopping removes the cluster directory and nothing listens any more.
  server.stop();
  assert.equal(fs.existsSync(server.dir), false, 'stop() removes the data directory');
  await assert.rejects(sql('SELECT 1'), /ECONNREFUSED/);
});

const sql = <T extends Record<string, unknown>>(text: string, params: unknown[] = [], url = server.url): Promise<T[]> => query<T>(url, text, params);

function writeCsv(name: string, lines: string[]): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, [HEADER, ...lines].join('\n') + '\n');
  return file;
}

/** The table without `source` (which says where it was read from, so it differs by design). */
function withoutSource(t: TransactionTable): Omit<TransactionTable, 'source'> {
  const { source: _source, ...rest } = t;
  return rest;
}

function close(a: number, b: number, rel = 1e-9): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

function assertSameFeatures(actual: CustomerFeatures, expected: CustomerFeatures): void {
  assert.equal(actual.n, expected.n, 'number of customers');
  assert.equal(actual.endDate, expected.endDate, 'endDate');
  assert.deepEqual(actual.location.values, expected.location.values, 'location buckets');
  for (let i = 0; i < expected.n; i++) {
    const a = featureRow(actual, i);
    const e = featureRow(expected, i);
    for (const k of MODEL_FEATURES) assert.ok(close(a[k] as number, e[k] as number), `customer ${i} (${e.customerId}) ${k}: ${a[k]} vs ${e[k]}`);
    assert.deepEqual(
      [a.customerId, ...CATEGORY_FEATURES.map((k) => a[k])],
      [e.customerId, ...CATEGORY_FEATURES.map((k) => e[k])],
      `customer ${i}: id, ${CATEGORY_FEATURES.join(', ')}`,
    );
  }
}

/** An assert.rejects check: a one-line InputError matching `pattern` that does not show the password. */
function refusing(pattern: RegExp) {
  return (err: Error) => {
    assert.ok(err instanceof InputError, `InputError expected, got ${err}`);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), 'one line');
    assert.ok(!err.message.includes(server.password), 'the password is never shown');
    return true;
  };
}

/** A port nothing listens on (taken from the OS, then released). */
function deadPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('COPY encoding and decoding (no server)', () => {
  test('text format escaping: backslash, tab, newline, carriage return; nothing else', () => {
    assert.equal(copyText('JORHAT, ASSAM "Q"'), 'JORHAT, ASSAM "Q"');
    assert.equal(copyText('a\\b\tc\nd\re'), 'a\\\\b\\tc\\nd\\re');
    assert.equal(copyText('\\N'), '\\\\N');
  });

  test('numbers are written exactly as String() writes them (the shortest text that reads back as the same double)', () => {
    const chunk = new CopyTextChunk(64);
    const written = (v: number) => {
      chunk.number(v);
      return chunk.take().toString('latin1');
    };
    const edges = [0, -0, 0.01, 0.1, 0.05, -0.05, 0.07, 1.005, 25, 25.5, 17819.05, -5, 999_999_999.99, 1e9, 1e9 + 0.5, 2 ** 31, -(2 ** 31), 2 ** 53, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, Infinity, -Infinity];
    for (const v of edges) assert.equal(written(v), String(v), `value ${v}`);
    assert.equal(written(NaN), '\\N');
    // Random amounts in cents (the fast path) and random doubles of every size (the String() path).
    let seed = 7;
    const random = () => ((seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32);
    for (let i = 0; i < 100_000; i++) {
      const cents = Math.floor(random() * 2e11) - 1e11;
      for (const v of [cents / 100, cents / 1000, random() * 10 ** (random() * 14 - 2)]) assert.equal(written(v), String(v));
    }
  });

  test('whole numbers: CopyTextChunk.int against String()', () => {
    const chunk = new CopyTextChunk(16);
    for (const n of [0, 7, 10, 99, 100, 143207, 235959, 1_048_566, -1, -10, 2 ** 31 - 1, -(2 ** 31)]) {
      chunk.int(n);
      assert.equal(chunk.take().toString('latin1'), String(n));
    }
  });

  /** A binary COPY stream built by hand from the documented format: header, rows, end marker. */
  function binaryCopy(rows: (Buffer | null)[][]): Buffer {
    const parts = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(4), Buffer.from([0, 0, 0, 3, 9, 9, 9])]; // flags 0, a 3-byte header extension
    for (const row of rows) {
      const count = Buffer.alloc(2);
      count.writeInt16BE(row.length);
      parts.push(count);
      for (const field of row) {
        const length = Buffer.alloc(4);
        length.writeInt32BE(field === null ? -1 : field.length);
        parts.push(length, ...(field === null ? [] : [field]));
      }
    }
    parts.push(Buffer.from([0xff, 0xff]));
    return Buffer.concat(parts);
  }
  const be = (write: (b: Buffer) => void, size: number) => {
    const b = Buffer.alloc(size);
    write(b);
    return b;
  };
  const stream = binaryCopy([
    [Buffer.from('MÜNCHEN ✓'), be((b) => b.writeDoubleBE(17819.05), 8), be((b) => b.writeInt32BE(-17000), 4), be((b) => b.writeBigInt64BE(-5n), 8)],
    [null, null, null, null],
    [Buffer.from(''), be((b) => b.writeDoubleBE(-0.5), 8), be((b) => b.writeInt32BE(2 ** 31 - 1), 4), be((b) => b.writeBigInt64BE(2n ** 52n + 3n), 8)],
  ]);
  const expected = [
    ['MÜNCHEN ✓', 17819.05, -17000, -5],
    [null, null, null, null],
    ['', -0.5, 2 ** 31 - 1, 2 ** 52 + 3],
  ];
  const decode = (chunks: Buffer[]) => {
    const rows: unknown[][] = [];
    const decoder = new BinaryDecoder(4, (r: CopyRow) => rows.push([r.text(0), r.float8(1), r.int4(2), r.int8(3)]));
    for (const c of chunks) decoder.push(c);
    decoder.end();
    return rows;
  };

  test('binary COPY: rows decoded from the documented format, whatever the chunk boundaries', () => {
    assert.deepEqual(decode([stream]), expected);
    for (let cut = 1; cut < stream.length; cut++) {
      assert.deepEqual(decode([stream.subarray(0, cut), stream.subarray(cut)]), expected, `cut at byte ${cut}`);
    }
    assert.deepEqual(decode(Array.from(stream, (_, i) => stream.subarray(i, i + 1))), expected, 'one byte per chunk');
  });

  test('binary COPY: a truncated stream, a wrong field count or a wrong signature is an error', () => {
    assert.throws(() => decode([stream.subarray(0, stream.length - 1)]), /ended in the middle of a row/);
    assert.throws(() => new BinaryDecoder(3, () => undefined).push(stream), /a row of 4 fields, expected 3/);
    assert.throws(() => decode([Buffer.concat([Buffer.from('X'), stream.subarray(1)])]), /not a PGCOPY stream/);
    assert.throws(() => decode([stream, Buffer.from([0])]), /data after the end marker/);
  });

  test('ByteDictionary gives the codes a Map gives, in order of first appearance', () => {
    const words = ['C1', 'C2', 'C1', '', 'MÜNCHEN', 'C10', 'c1', 'MÜNCHEN', 'C2', ...Array.from({ length: 5000 }, (_, i) => `C${(i * 7919) % 3001}`)];
    const reference = new Map<string, number>();
    const dict = new ByteDictionary();
    for (const w of words) {
      if (!reference.has(w)) reference.set(w, reference.size);
      const bytes = Buffer.from(`xx${w}yy`); // the value in the middle of a larger buffer, as in a COPY chunk
      assert.equal(dict.code(bytes, 2, bytes.length - 2), reference.get(w), w);
    }
    assert.deepEqual(dict.values, [...reference.keys()]);
  });
});

describe('throwaway server', () => {
  test('listens only on 127.0.0.1 (no Unix socket) and wants a password', async () => {
    const rows = await sql<{ listen: string; socket: string }>(
      `SELECT current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS socket`,
      [],
      server.adminUrl,
    );
    assert.deepEqual(rows, [{ listen: '127.0.0.1', socket: '' }]);
    await assert.rejects(sql('SELECT 1', [], `postgres://bankseg_test@127.0.0.1:${server.port}/bankseg_test`), /password/);
  });
});

describe('db-import of the real rows', () => {
  test('typed columns hold the facts Python computes from the file', async () => {
    const [f] = await sql<Record<string, string>>(`
      SELECT count(*) AS rows, count(DISTINCT customer_id) AS customers,
             count(*) FILTER (WHERE customer_dob IS NULL) AS dob_missing,
             count(*) FILTER (WHERE cust_gender IS NULL) AS gender_missing,
             count(*) FILTER (WHERE cust_location IS NULL) AS location_missing,
             count(*) FILTER (WHERE cust_account_balance IS NULL) AS balance_missing,
             count(*) FILTER (WHERE customer_dob = '1/1/1800' AND customer_dob_date = DATE '1800-01-01') AS placeholder,
             count(*) FILTER (WHERE customer_dob_date >= DATE '2000-01-01') AS dob_2000s,
             count(*) FILTER (WHERE customer_dob_date BETWEEN DATE '1900-01-01' AND DATE '1999-12-31') AS dob_1900s,
             sum(transaction_amount)::text AS amount_sum, sum(cust_account_balance)::text AS balance_sum,
             min(transaction_date)::text AS first_day, max(transaction_date)::text AS last_day
        FROM raw_tx`);
    assert.deepEqual(f, {
      rows: '20000', customers: '19937', dob_missing: '72', gender_missing: '11', location_missing: '1', balance_missing: '27',
      placeholder: '1290', dob_2000s: '26', dob_1900s: '18612',
      amount_sum: '34385502.79', balance_sum: '2417067332.14', first_day: '2016-08-01', last_day: '2016-10-21',
    });
  });

  test('rows keep their file values and order (T1 is the first line, "JORHAT, ASSAM" keeps its comma)', async () => {
    const rows = await sql(`
      SELECT row_index, transaction_id, customer_id, customer_dob, customer_dob_date::text AS dob_date, cust_gender,
             cust_location, cust_account_balance::text AS balance, transaction_date::text AS day, transaction_time,
             transaction_amount::text AS amount
        FROM raw_tx WHERE row_index IN (0, 1) ORDER BY row_index`);
    // From the file: T1,C5841053,10/1/94,F,JAMSHEDPUR,17819.05,2/8/16,143207,25.0 and T2,C2142763,4/4/57,M,JHAJJAR,2270.69,2/8/16,141858,27999.0
    assert.deepEqual(rows, [
      { row_index: 0, transaction_id: 'T1', customer_id: 'C5841053', customer_dob: '10/1/94', dob_date: '1994-01-10', cust_gender: 'F',
        cust_location: 'JAMSHEDPUR', balance: '17819.05', day: '2016-08-02', transaction_time: 143207, amount: '25' },
      { row_index: 1, transaction_id: 'T2', customer_id: 'C2142763', customer_dob: '4/4/57', dob_date: '1957-04-04', cust_gender: 'M',
        cust_location: 'JHAJJAR', balance: '2270.69', day: '2016-08-02', transaction_time: 141858, amount: '27999' },
    ]);
    const [jorhat] = await sql<{ n: string }>(`SELECT count(*) AS n FROM raw_tx WHERE cust_location = 'JORHAT, ASSAM'`);
    assert.ok(Number(jorhat.n) > 0);
  });

  test('reading the table back gives the same TransactionTable as reading the file', async () => {
    const fromDb = await readTransactionsFromDb(server.url, 'raw_tx');
    const fromFile = await readTransactions(RAW);
    assert.deepEqual(withoutSource(fromDb), withoutSource(fromFile));
    assert.match(fromDb.source, /^postgres:\/\/bankseg_test@127\.0\.0\.1:\d+\/bankseg_test table raw_tx$/);
  });

  test('re-running the import replaces the rows instead of adding them', async () => {
    const before = await sql<{ n: string; digest: string }>(
      `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY row_index)) AS digest FROM raw_tx t`,
    );
    const result = await importTransactionsFile(server.url, RAW, 'raw_tx');
    assert.deepEqual(result, { table: 'raw_tx', rows: 20000, malformed: 0 });
    const again = await sql<{ n: string; digest: string }>(
      `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY row_index)) AS digest FROM raw_tx t`,
    );
    assert.deepEqual(again, before);
    const leftovers = await sql(`SELECT relname FROM pg_class WHERE relname LIKE 'raw_tx%' AND relkind = 'r' ORDER BY relname`);
    assert.deepEqual(leftovers, [{ relname: 'raw_tx' }]);
  });

  test('awkward text goes through COPY exactly: commas, quotes, backslashes, tabs, line breaks, \\N, non-ASCII', async () => {
    // [TransactionID, CustomerID, CustGender, CustLocation] as the table must hold them (null = SQL NULL).
    const expected: [string, string, string | null, string | null][] = [
      ['T1', 'C1', 'M', 'JORHAT, ASSAM'],
      ['T2', 'C2', 'F', 'SAY "HI"'],
      ['T\\3', 'C\\3', 'M\\F', 'C:\\BANK\\'],
      ['T4', 'C\t4', 'M', 'TAB\tHERE'],
      ['T5', 'C5', 'M', 'LINE\u2028BREAK'], // not \n: a quoted value cannot span lines (docs/data-model.md §1)
      ['T6', 'C6', 'M', 'CR\rHERE'],
      ['T7', '\\N', '\\N', '\\N'], // the text format's NULL marker, as plain text
      ['T8', 'C8', null, '\\.'], // the end-of-data marker, as plain text
      ['T9', 'C9', 'F', null],
      ['T10', 'C10', 'F', 'MÜNCHEN ✓ "Q", \\t'],
    ];
    const csvField = (v: string | null) => (v === null ? '' : /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    const lines = expected.map(([tid, cid, g, l]) => [tid, cid, '1/1/90', g, l, '10', '1/8/16', '100000', '5'].map(csvField).join(','));
    const file = writeCsv('awkward.csv', lines);
    assert.deepEqual(await importTransactionsFile(server.url, file, 'awkward_tx'), { table: 'awkward_tx', rows: expected.length, malformed: 0 });
    const rows = await sql<{ t: string; c: string; g: string | null; l: string | null }>(
      `SELECT transaction_id AS t, customer_id AS c, cust_gender AS g, cust_location AS l FROM awkward_tx ORDER BY row_index`,
    );
    assert.deepEqual(rows.map((r) => [r.t, r.c, r.g, r.l]), expected);
    const fromDb = await readTransactionsFromDb(server.url, 'awkward_tx');
    assert.deepEqual(withoutSource(fromDb), withoutSource(await readTransactions(file)));
  });

  test('the spreadsheet-saved file (dd-mm-yyyy, nan) reads back equal too', async () => {
    await importTransactionsFile(server.url, SPREADSHEET, 'sheet_tx');
    const fromDb = await readTransactionsFromDb(server.url, 'sheet_tx');
    assert.deepEqual(withoutSource(fromDb), withoutSource(await readTransactions(SPREADSHEET)));
    const [f] = await sql<Record<string, string>>(
      `SELECT count(*) FILTER (WHERE customer_dob IS NULL) AS dob_missing,
              count(*) FILTER (WHERE customer_dob_date >= DATE '2000-01-01') AS dob_2000s FROM sheet_tx`,
    );
    assert.deepEqual(f, { dob_missing: '72', dob_2000s: '29' });
  });
});

describe('feature push-down', () => {
  for (const [file, table] of [
    [RAW, 'raw_tx'],
    [SPREADSHEET, 'sheet_tx'],
  ] as const) {
    test(`SQL features equal the TypeScript path on ${path.basename(file)}, customer by customer`, async () => {
      await importTransactionsFile(server.url, file, table);
      const expected = customerFeatures(cleanTransactions(await readTransactions(file)).table);
      assertSameFeatures(await customerFeaturesFromDb(server.url, table), expected);
    });
  }

  test('options: capQuantile 0.99 and top 3 locations agree too', async () => {
    const expected = customerFeatures(cleanTransactions(await readTransactions(RAW), { capQuantile: 0.99 }).table, { topLocations: 3 });
    assertSameFeatures(await customerFeaturesFromDb(server.url, 'raw_tx', { capQuantile: 0.99, topLocations: 3 }), expected);
  });

  // Worked by hand (see each customer's comment); both paths must give exactly these. A customer is (CustomerID,
  // birth date, gender) (cleaning rule 10), in order of their first kept row.
  const HAND = [
    'T1,C1,1/1/90,M,PUNE,1000,1/8/16,100000,50',
    'T2,C2,5/6/90,F,MUMBAI,200,2/8/16,200000,-5', // negative: dropped
    'T3,C3,10/10/10,T,DELHI,,3/8/16,30000,10',
    'T4,C2,5/6/90,F,MUMBAI,300,4/8/16,120000,20',
    'T5,C1,1/1/90,M,PUNE,400,4/8/16,235959,30',
    'T6,C1,1/1/90,M,DELHI,,4/8/16,235959,40', // same date and time as T5: the later row is the latest
    'T7,C4,1/1/15,F,,600,5/8/16,60000,1000',
    'T8,C4,1/1/1900,M,MUMBAI,,5/8/16,50000,2000', // another person under C4: the ID is reused
    'T9,C5,1/1/1800,F,CHENNAI,5000,1/8/16,70000,5',
  ];
  // Amount cap: kept amounts 5,10,20,30,40,50,1000,2000; h = 7 × 0.999 = 6.993 → 1000 + 0.993 × 1000 = 1993.
  // Balance cap: 300,400,600,1000,5000; h = 4 × 0.999 = 3.996 → 1000 + 0.996 × 4000 = 4984.
  const expectedHand = [
    // C1: T1,T5,T6; latest T6 (DELHI, age: 1990-01-01 → 2016-08-04 = 9712 days / 365.25 = 26.59); balance from T5.
    { customerId: 'C1|1990-01-01|M', recencyDays: 1, frequency: 3, monetaryTotal: 120, monetaryMean: 40, balance: 400, age: 26, gender: 'M', location: 'DELHI', timeOfDay: 'evening' },
    // C3: DOB 10/10/10 → 2010: age 5, under 10 → unknown; gender T → unknown; 03:00 → night.
    { customerId: 'C3|2010-10-10|?', recencyDays: 2, frequency: 1, monetaryTotal: 10, monetaryMean: 10, balance: NaN, age: NaN, gender: undefined, location: 'DELHI', timeOfDay: 'night' },
    // C2: only T4; DOB 5/6/90: 2090 is after 2016, so 1990 → 26.
    { customerId: 'C2|1990-06-05|F', recencyDays: 1, frequency: 1, monetaryTotal: 20, monetaryMean: 20, balance: 300, age: 26, gender: 'F', location: 'MUMBAI', timeOfDay: 'afternoon' },
    // C4 born 2015 (age 1: unknown), 06:00 → morning, no location → OTHER.
    { customerId: 'C4|2015-01-01|F', recencyDays: 0, frequency: 1, monetaryTotal: 1000, monetaryMean: 1000, balance: 600, age: NaN, gender: 'F', location: 'OTHER', timeOfDay: 'morning' },
    // C4 born 1900 (age 116: impossible); 2000 capped to 1993; 05:00 → night.
    { customerId: 'C4|1900-01-01|M', recencyDays: 0, frequency: 1, monetaryTotal: 1993, monetaryMean: 1993, balance: NaN, age: NaN, gender: 'M', location: 'MUMBAI', timeOfDay: 'night' },
    // C5: placeholder DOB → unknown; balance 5000 capped to 4984.
    { customerId: 'C5|?|F', recencyDays: 4, frequency: 1, monetaryTotal: 5, monetaryMean: 5, balance: 4984, age: NaN, gender: 'F', location: 'CHENNAI', timeOfDay: 'morning' },
  ];

  function assertHand(f: CustomerFeatures, locations: string[], expected = expectedHand): void {
    assert.equal(f.n, expected.length);
    assert.equal(f.endDate, dayNumber(2016, 8, 5));
    assert.deepEqual(f.location.values, locations);
    expected.forEach((e, i) => {
      const a = featureRow(f, i);
      for (const k of Object.keys(e) as (keyof typeof e)[]) {
        const [x, y] = [a[k], e[k]];
        if (typeof y === 'number') assert.ok(close(x as number, y), `${e.customerId} ${k}: ${x} vs ${y}`);
        else assert.equal(x, y, `${e.customerId} ${k}`);
      }
    });
  }

  test('a hand-worked file: cleaning rules, latest-row ties, century rule, caps, buckets, bins', async () => {
    const file = writeCsv('hand.csv', HAND);
    await importTransactionsFile(server.url, file, 'hand_tx');
    const locations = ['DELHI', 'MUMBAI', 'CHENNAI', 'OTHER'];
    assertHand(await customerFeaturesFromDb(server.url, 'hand_tx'), locations);
    assertHand(customerFeatures(cleanTransactions(await readTransactionsFromDb(server.url, 'hand_tx')).table), locations);
  });

  test('top 1 location: DELHI and MUMBAI tie on 2 customers, alphabetical order keeps DELHI', async () => {
    const other = expectedHand.map((e) => ({ ...e, location: e.location === 'DELHI' ? 'DELHI' : 'OTHER' }));
    assertHand(await customerFeaturesFromDb(server.url, 'hand_tx', { topLocations: 1 }), ['DELHI', 'OTHER'], other);
  });

  test('--as-of: recency from the given day in SQL too; a day before the data is a usage error', async () => {
    const later = await customerFeaturesFromDb(server.url, 'hand_tx', { asOf: dayNumber(2016, 8, 15) });
    assert.deepEqual(Array.from(later.recencyDays), expectedHand.map((e) => e.recencyDays + 10));
    assert.equal(later.asOf, dayNumber(2016, 8, 15));
    await assert.rejects(
      customerFeaturesFromDb(server.url, 'hand_tx', { asOf: dayNumber(2016, 8, 4) }),
      (e: Error) => e instanceof UsageError && /--as-of 2016-08-04 is before the last transaction date in the data, 2016-08-05/.test(e.message),
    );
  });

  test('the reused CustomerID of the hand-worked file is counted, last in the report, as cleaning counts it', async () => {
    const { quality } = await pushDownFromDb(server.url, 'hand_tx');
    const fromTs = cleanTransactions(await readTransactionsFromDb(server.url, 'hand_tx')).report;
    assert.deepEqual(quality.entries.at(-1), fromTs.entries.at(-1));
    assert.match(quality.entries.at(-1)!.reason, /1 CustomerIDs split into 2 customers/);
  });

  test('bad options are refused before connecting', async () => {
    await assert.rejects(customerFeaturesFromDb(server.url, 'hand_tx', { capQuantile: 0 }), RangeError);
    await assert.rejects(customerFeaturesFromDb(server.url, 'hand_tx', { topLocations: 1.5 }), RangeError);
  });
});

describe('malformed rows', () => {
  test('rows the import skipped are still reported by a read from the table, and --strict stops at them', async () => {
    const file = writeCsv('bad.csv', ['T1,C1,1/1/90,M,PUNE,10,1/8/16,100000,5', 'T2,C2,1/1/90,M,PUNE,10,1/8/16,999999,5']);
    const result = await importTransactionsFile(server.url, file, 'bad_tx');
    assert.deepEqual(result, { table: 'bad_tx', rows: 1, malformed: 1 });
    const fromFile = await readTransactions(file);
    const fromDb = await readTransactionsFromDb(server.url, 'bad_tx');
    assert.deepEqual(fromDb.malformed, fromFile.malformed);
    assert.deepEqual(withoutSource(fromDb), withoutSource(fromFile));
    await assert.rejects(readTransactionsFromDb(server.url, 'bad_tx', { strict: true }), (err: Error) => {
      assert.ok(err instanceof InputError);
      assert.equal(err.message, `${file}:3: column TransactionTime: value "999999": expected a time HHMMSS (0..235959, minutes and seconds < 60) (skipped when bad_tx was imported)`);
      return true;
    });
  });

  test('--strict stops at an early bad row of a large table and the connection is not left stuck in the COPY', async () => {
    await sql(`CREATE TABLE early_bad AS SELECT * FROM raw_tx; UPDATE early_bad SET customer_dob_date = DATE '2090-01-01' WHERE row_index = 3`);
    // Row 3 of the real file: T4,C5342380,14/9/73,... (1973 by the century rule).
    await assert.rejects(
      readTransactionsFromDb(server.url, 'early_bad', { strict: true }),
      refusing(/^early_bad:3: column CustomerDOB: value "14\/9\/73 with customer_dob_date 2090-01-01": expected customer_dob_date 1973-09-14/),
    );
    const t = await readTransactionsFromDb(server.url, 'early_bad');
    assert.equal(t.rows, 19_999);
    assert.deepEqual(t.malformed.examples.map((m) => [m.line, m.column]), [[3, 'CustomerDOB']]);
  });

  test('a table filled by other means is checked row by row with the reading rules', async () => {
    await sql(`
      CREATE TABLE foreign_tx (row_index int, transaction_id text, customer_id text, customer_dob text, customer_dob_date date,
        cust_gender text, cust_location text, cust_account_balance float8, transaction_date date, transaction_time int, transaction_amount float8);
      INSERT INTO foreign_tx VALUES
        (0, 'T1', 'C1', '1/1/90', '1990-01-01', 'M', 'PUNE', 10, '2016-08-01', 100000, 5),
        (1, 'T2', 'C2', NULL, NULL, 'F', 'nan', 'NaN', '2016-08-02', 236000, 5),
        (2, 'T3', NULL, NULL, NULL, 'F', '', NULL, '2016-08-02', 100000, 5),
        (3, 'T4', 'C3', 'abc', NULL, 'F', 'PUNE', NULL, '2016-08-02', 100000, 5),
        (4, 'T5', 'C3', '1/1/90', '2090-01-01', 'F', 'PUNE', NULL, '2016-08-02', 100000, 5),
        (5, 'T6', 'C4', NULL, NULL, 'F', 'nan', 'NaN', '2016-08-03', 120000, 7)`);
    const t = await readTransactionsFromDb(server.url, 'foreign_tx');
    assert.equal(t.rows, 2);
    assert.deepEqual(t.transactionId, ['T1', 'T6']);
    assert.deepEqual(t.custLocation.codes, Int32Array.of(0, -1)); // `nan` is missing, as in a file
    assert.ok(Number.isNaN(t.custAccountBalance[1])); // so is a NaN balance
    assert.deepEqual(
      t.malformed.examples.map((m) => [m.line, m.column, m.value]),
      [
        [1, 'TransactionTime', '236000'],
        [2, 'CustomerID', ''],
        [3, 'CustomerDOB', 'abc'],
        [4, 'CustomerDOB', '1/1/90 with customer_dob_date 2090-01-01'],
      ],
    );
    assert.equal(t.malformed.count, 4);
    await assert.rejects(readTransactionsFromDb(server.url, 'foreign_tx', { strict: true }), /^InputError: foreign_tx:1: column TransactionTime: value "236000"/);
  });
});

describe('plausible ranges (section 1) on a table filled by other means', () => {
  // Each row: id, then the values as SQL and as file text. Hand-worked: which rows a reader must refuse and why.
  const rows: [string, string, string, string, string, string, string, string | null][] = [
    // id, dob text, dob date, balance SQL, balance text, date, amount SQL, amount text -> refused column (null: kept)
    ['T0', '1/1/1990', "'1990-01-01'", '10', '10', '2016-08-01', '5', null],
    ['T1', '1/1/1990', "'1990-01-01'", '10', '10', '0001-01-01', '5', 'TransactionDate'],
    ['T2', '1/1/1990', "'1990-01-01'", '10', '10', '2101-01-01', '5', 'TransactionDate'],
    ['T3', '1/1/1990', "'1990-01-01'", '10', '10', '1900-01-01', '5', null],
    ['T4', '1/1/1990', "'1990-01-01'", '10', '10', '2100-12-31', '5', null],
    ['T5', '1/1/1990', "'1990-01-01'", '10', '10', '2016-08-01', '10000000000000', 'TransactionAmount (INR)'],
    ['T6', '1/1/1990', "'1990-01-01'", '10', '10', '2016-08-01', '1000000000000', null],
    ['T7', '1/1/1990', "'1990-01-01'", '10', '10', '2016-08-01', '-1000000000000', null],
    ['T8', '1/1/1990', "'1990-01-01'", '10', '10', '2016-08-01', "'Infinity'", 'TransactionAmount (INR)'],
    ['T9', '1/1/1990', "'1990-01-01'", '10', '10', '2016-08-01', "'NaN'", 'TransactionAmount (INR)'],
    ['T10', '1/1/1990', "'1990-01-01'", '-2000000000000', '-2000000000000', '2016-08-01', '5', 'CustAccountBalance'],
    ['T11', '1/1/1990', "'1990-01-01'", "'NaN'", 'NaN', '2016-08-01', '5', null],
    ['T12', '1/1/1990', "'1990-01-01'", "'-Infinity'", '-Infinity', '2016-08-01', '5', 'CustAccountBalance'],
    ['T13', '1/1/1800', "'1800-01-01'", '10', '10', '2016-08-01', '5', null],
    ['T14', '31/12/2100', "'2100-12-31'", '10', '10', '2016-08-01', '5', null],
    ['T15', '1/1/1700', "'1700-01-01'", '10', '10', '2016-08-01', '5', 'CustomerDOB'],
    ['T16', '1/1/1990', "'1990-01-01'", '1000000000001', '1000000000001', '2016-08-01', '5', 'CustAccountBalance'],
  ];
  const fileText = (sqlValue: string) => sqlValue.replace(/'/g, '');
  const dmy = (iso: string) => iso.split('-').reverse().join('/');

  test('readTransactionsFromDb refuses exactly the rows the file reader and the push-down refuse, for the same columns', async () => {
    await sql(`
      CREATE TABLE ranges_tx (row_index int, transaction_id text, customer_id text, customer_dob text, customer_dob_date date,
        cust_gender text, cust_location text, cust_account_balance float8, transaction_date date, transaction_time int, transaction_amount float8);
      INSERT INTO ranges_tx VALUES ${rows
        .map(([id, dob, dobDate, balance, , date, amount], k) => `(${k}, '${id}', 'C${k}', '${dob}', ${dobDate}, 'M', 'PUNE', ${balance}, '${date}', 100000, ${amount})`)
        .join(',\n')}`);
    const file = writeCsv('ranges.csv', rows.map(([id, dob, , , balance, date, amount], k) => `${id},C${k},${dob},M,PUNE,${balance},${dmy(date)},100000,${fileText(amount)}`));
    const refused = rows.filter((r) => r[7] !== null);
    const kept = rows.filter((r) => r[7] === null).map((r) => r[0]);

    const fromDb = await readTransactionsFromDb(server.url, 'ranges_tx');
    assert.deepEqual(fromDb.transactionId, kept);
    assert.equal(fromDb.malformed.count, refused.length);
    assert.deepEqual(fromDb.malformed.examples.map((m) => [m.line, m.column]), refused.slice(0, 10).map((r) => [rows.indexOf(r), r[7]]));
    assert.ok(Number.isNaN(fromDb.custAccountBalance[kept.indexOf('T11')]), 'a NaN balance is missing, not refused');

    const fromFile = await readTransactions(file);
    assert.deepEqual(fromFile.transactionId, kept);
    assert.deepEqual(fromFile.malformed.examples.map((m) => m.column), fromDb.malformed.examples.map((m) => m.column));
    const same = (t: TransactionTable) => ({ ...withoutSource(t), transactionId: [...t.transactionId], malformed: t.malformed.count });
    assert.deepEqual(same(fromDb), same(fromFile));

    assert.equal((await pushDownFromDb(server.url, 'ranges_tx')).malformed.count, refused.length);
    await assert.rejects(
      readTransactionsFromDb(server.url, 'ranges_tx', { strict: true }),
      refusing(/^ranges_tx:1: column TransactionDate: value "0001-01-01": expected a date \(not null\), year 1900\.\.2100 \(line = row_index\)$/),
    );
  });
});

describe('bad input: one clear line, nothing half-imported', () => {
  test('unreachable server', async () => {
    const url = `postgres://bankseg_test:${server.password}@127.0.0.1:${await deadPort()}/bankseg_test`;
    await assert.rejects(readTransactionsFromDb(url, 'raw_tx'), refusing(/^postgres:\/\/bankseg_test@127\.0\.0\.1:\d+\/bankseg_test: cannot connect: connection refused/));
    await assert.rejects(importTransactionsFile(url, RAW, 'x'), refusing(/cannot connect: connection refused/));
  });

  test('wrong credentials', async () => {
    const url = server.url.replace(encodeURIComponent(server.password), 'wrong-password');
    await assert.rejects(customerFeaturesFromDb(url, 'raw_tx'), refusing(/cannot connect: password authentication failed for user "bankseg_test"/));
  });

  test('the password may come from PGPASSWORD instead of the URL', async () => {
    process.env.PGPASSWORD = server.password;
    try {
      const t = await readTransactionsFromDb(`postgres://bankseg_test@127.0.0.1:${server.port}/bankseg_test`, 'raw_tx');
      assert.equal(t.rows, 20000);
    } finally {
      delete process.env.PGPASSWORD;
    }
  });

  test('not a PostgreSQL URL, bad table names', async () => {
    await assert.rejects(readTransactionsFromDb('mysql://u:p@h/db', 'raw_tx'), refusing(/not a PostgreSQL URL/));
    await assert.rejects(readTransactionsFromDb(server.url, 'raw_tx; DROP TABLE raw_tx'), refusing(/table name/));
    await assert.rejects(importTransactionsFile(server.url, RAW, 'a.b.c'), refusing(/table name/));
  });

  test('missing table', async () => {
    await assert.rejects(readTransactionsFromDb(server.url, 'no_such_table'), refusing(/^postgres:\/\/bankseg_test@127\.0\.0\.1:\d+\/bankseg_test table no_such_table: no such table \(load it with: bankseg db-import\)$/));
    await assert.rejects(customerFeaturesFromDb(server.url, 'public.no_such_table'), refusing(/table public\.no_such_table: no such table/));
  });

  test('wrong column types, missing columns', async () => {
    await sql(`CREATE TABLE typed_wrong AS SELECT * FROM raw_tx LIMIT 5`);
    await sql(`ALTER TABLE typed_wrong ALTER COLUMN transaction_date TYPE text`);
    await assert.rejects(readTransactionsFromDb(server.url, 'typed_wrong'), refusing(/column transaction_date has type text, expected one of date/));
    await assert.rejects(customerFeaturesFromDb(server.url, 'typed_wrong'), refusing(/column transaction_date has type text/));
    await sql(`CREATE TABLE lacking AS SELECT row_index, transaction_id FROM raw_tx LIMIT 5`);
    await assert.rejects(readTransactionsFromDb(server.url, 'lacking'), refusing(/lacks column\(s\) customer_id, customer_dob, .*transaction_amount/));
  });

  test('a table bankseg did not create is never replaced', async () => {
    await sql(`CREATE TABLE mine (x int); INSERT INTO mine VALUES (42)`);
    await assert.rejects(importTransactionsFile(server.url, RAW, 'mine'), refusing(/mine already exists and was not made by bankseg db-import/));
    assert.deepEqual(await sql(`SELECT x FROM mine`), [{ x: 42 }]);
  });

  test('a failure in the middle of the load leaves the old table as it was and no staging table', async () => {
    const before = await sql(`SELECT count(*) AS n, obj_description('raw_tx'::regclass, 'pg_class') AS comment FROM raw_tx`);
    const good = await readTransactions(RAW);
    // 150,000 rows (about a dozen COPY chunks of 1 MB) with a bad time in the second chunk, so the server refuses the
    // COPY while the client is still sending; the reader never lets a bad time through, so build one by hand.
    const n = 150_000;
    const time = new Int32Array(n);
    for (let i = 0; i < time.length; i++) time[i] = good.transactionTime[i % good.rows];
    time[20_000] = 236000;
    const rep = <T extends Int32Array | Float64Array>(a: T): T => {
      const out = new (a.constructor as new (n: number) => T)(n);
      for (let i = 0; i < out.length; i++) out[i] = a[i % good.rows];
      return out;
    };
    const bad: TransactionTable = {
      ...good,
      rows: n,
      transactionId: Array.from({ length: n }, (_, i) => `X${i}`),
      customerId: { codes: rep(good.customerId.codes), values: good.customerId.values },
      customerDob: { codes: rep(good.customerDob.codes), values: good.customerDob.values },
      custGender: { codes: rep(good.custGender.codes), values: good.custGender.values },
      custLocation: { codes: rep(good.custLocation.codes), values: good.custLocation.values },
      custAccountBalance: rep(good.custAccountBalance),
      transactionDate: rep(good.transactionDate),
      transactionTime: time,
      transactionAmount: rep(good.transactionAmount),
    };
    await assert.rejects(importTransactions(server.url, bad, 'raw_tx'), refusing(/importing into raw_tx: .*violates check constraint "time_is_hhmmss"/));
    assert.deepEqual(await sql(`SELECT count(*) AS n, obj_description('raw_tx'::regclass, 'pg_class') AS comment FROM raw_tx`), before);
    assert.deepEqual(await sql(`SELECT relname FROM pg_class WHERE relname LIKE 'raw_tx_%'`), [{ relname: 'raw_tx_pkey' }]);
  });

  test('--strict import of a file with a malformed row loads nothing', async () => {
    const file = writeCsv('strict.csv', ['T1,C1,1/1/90,M,PUNE,10,1/8/16,100000,5', 'T2,C2,31/2/90,M,PUNE,10,1/8/16,100000,5']);
    await assert.rejects(importTransactionsFile(server.url, file, 'strict_tx', { strict: true }), refusing(/strict\.csv:3: column CustomerDOB: value "31\/2\/90"/));
    assert.deepEqual(await sql(`SELECT to_regclass('strict_tx') AS t`), [{ t: null }]);
  });
});

describe('bankseg db-import', () => {
  /** Runs the real binary; resolves with its exit code and output. */
  test('loads the file, prints one line, exit code 0', async () => {
    const r = await bankseg(['db-import', '--input', RAW, '--url', server.url, '--table', 'cli_tx']);
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^loaded 20,000 rows from .*first20k\.csv into cli_tx at postgres:\/\/bankseg_test@127\.0\.0\.1:\d+\/bankseg_test \(no malformed rows\) in \d+\.\d s\n$/);
    assert.deepEqual(await sql(`SELECT count(*) AS n FROM cli_tx`), [{ n: '20000' }]);
  });

  test('a bad server is one line on stderr and exit code 1; missing options exit 2', async () => {
    const url = `postgres://bankseg_test:secret@127.0.0.1:${await deadPort()}/bankseg_test`;
    const r = await bankseg(['db-import', '--input', RAW, '--url', url]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^bankseg db-import: postgres:\/\/bankseg_test@127\.0\.0\.1:\d+\/bankseg_test: cannot connect: connection refused[^\n]*\n$/);
    assert.ok(!r.stderr.includes('secret'));
    const usage = await bankseg(['db-import', '--url', server.url]);
    assert.equal(usage.code, 2);
    assert.equal(usage.stderr, 'bankseg db-import: --input FILE is required (the transactions CSV to load)\n');
  });

  test('a missing file is an input error', async () => {
    await assert.rejects(db_importCommand.run(['--input', RAW]), /UsageError: --url URL is required/);
    await assert.rejects(db_importCommand.run(['--input', path.join(tmp, 'nope.csv'), '--url', server.url]), refusing(/nope\.csv: no such file/));
  });
});
