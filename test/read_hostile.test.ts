/**
 * Hostile input for the reader (issue 11, items 3, 6, 7, 9, 12, 14): every input is generated here, small, and each
 * case is read on both paths (streaming, and parallel with tiny pieces) so a policy holds wherever a row lands.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { readTransactions, ReadOptions } from '../src/collect/read';
import { InputError } from '../src/errors';
import { cleanTransactions } from '../src/preprocess/clean';
import { customerFeatures } from '../src/preprocess/features';
import { TransactionTable } from '../src/table';
import { REAL_RAW } from './helpers/real-data';
import { bankseg as runBankseg, CliResult } from './helpers/cli';
import { assertTableEquals, refRead } from './helpers/reference-reader';

const HEADER =
  'TransactionID,CustomerID,CustomerDOB,CustGender,CustLocation,CustAccountBalance,TransactionDate,TransactionTime,TransactionAmount (INR)';
const GOOD = 'T1,C1,10/1/94,F,MUMBAI,100.5,2/8/16,143207,25.0';
const DATE = 'a day-first date (d/m/yy, d/m/yyyy, dd-mm-yyyy or yyyy-mm-dd), year 1900..2100';
const DOB = 'a day-first date (d/m/yy, d/m/yyyy, dd-mm-yyyy or yyyy-mm-dd), year 1800..2100, or empty';
const AMOUNT = 'a number from -1e12 to 1e12 (INR)';
const BALANCE = 'a number from -1e12 to 1e12 (INR) or empty';

/** The two paths: the streaming one, and the parallel one with pieces small enough to cut every few rows. */
const PATHS: [string, ReadOptions][] = [
  ['streaming', { threads: 1 }],
  ['parallel', { threads: 2, pieceBytes: 64, parallelMinBytes: 0 }],
];

let dir = '';
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-hostile-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function scratch(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

async function inputError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof InputError, `expected an InputError, got ${String(err)}`);
    assert.ok(!(err as Error).message.includes('\n'), 'the message is one line');
    return (err as Error).message;
  }
  assert.fail('expected an InputError');
}

/** A file of GOOD rows (T1, T2, ...) with `bad` rows after the first; returns the file and the bad rows' line numbers. */
function withBadRows(name: string, bad: readonly string[], lineEnd = '\n'): { file: string; lines: number[] } {
  const rows = [HEADER, GOOD];
  const lines: number[] = [];
  bad.forEach((row, k) => {
    rows.push(row);
    lines.push(rows.length);
    rows.push(GOOD.replace('T1', `T${k + 2}`));
  });
  return { file: scratch(name, rows.join(lineEnd) + lineEnd), lines };
}

/** The CLI, as a user runs it. */
const bankseg = (...args: string[]): Promise<CliResult> => runBankseg(args);

describe('issue 11 item 3: a stray quote costs at most its own line', () => {
  // Row 102 of the real rows (line 103) with one stray quote: on main this swallowed 642 lines into one malformed row.
  let file = '';
  before(() => {
    const lines = fs.readFileSync(REAL_RAW, 'utf8').split('\n');
    assert.ok(!lines[102].includes('"'));
    lines[102] = lines[102].replace(/,([A-Z])/, ',"$1'); // an opening quote before the first letter-led field
    file = scratch('stray-quote.csv', lines.join('\n'));
  });

  for (const [name, opts] of PATHS) {
    test(`row 102 of the real rows with a stray quote: 19,999 rows as in the file, line 103 counted (${name})`, async () => {
      const t = await readTransactions(file, opts);
      assertTableEquals(t, refRead(REAL_RAW, new Set([103])));
      assert.equal(t.malformed.count, 1);
      const m = t.malformed.examples[0];
      assert.deepEqual([m.line, m.column, m.expected], [103, '(row)', '9 fields as in the header, found an unclosed quote (a quoted value cannot span lines)']);
      assert.equal(await inputError(readTransactions(file, { ...opts, strict: true })), `${file}:103: column (row): value ${JSON.stringify(m.value)}: expected ${m.expected}`);
    });
  }

  test('every kind of stray quote, and a quoted value spanning two lines: each line counted once, reading resumes', async () => {
    const stray = '9 fields as in the header, found a stray quote';
    const unclosed = '9 fields as in the header, found an unclosed quote (a quoted value cannot span lines)';
    const { file: f, lines } = withBadRows('quotes.csv', [
      'T90,C9,10/1/94,F,MUM"BAI,1,2/8/16,143207,25.0', // a quote inside an unquoted field
      'T91,C9,10/1/94,F,"MUMBAI"X,1,2/8/16,143207,25.0', // text after a closing quote
      'T92,C9,10/1/94,F,"MUMBAI,1,2/8/16,143207,25.0', // an unclosed quote
      'T93,C9,10/1/94,F,"NAVI\nMUMBAI",1,2/8/16,143207,25.0', // a quoted value spanning lines: two bad lines
    ]);
    for (const [, opts] of PATHS) {
      const t = await readTransactions(f, opts);
      assert.deepEqual(t.transactionId, ['T1', 'T2', 'T3', 'T4', 'T5']);
      assert.deepEqual(
        t.malformed.examples.map((m) => [m.line, m.expected]),
        [[lines[0], stray], [lines[1], stray], [lines[2], unclosed], [lines[3], unclosed], [lines[3] + 1, stray]],
      );
      assert.equal(t.malformed.count, 5);
    }
  });

  test('bankseg profile counts the lines lost (one row each) and names the first', async () => {
    const [text, json] = await Promise.all([bankseg('profile', '--input', file), bankseg('profile', '--input', file, '--json')]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^ {2}rows +19,999$/m);
    assert.match(text.stdout, /^ {2}malformed rows skipped +1$/m);
    assert.match(text.stdout, /line 103: column \(row\): value ".*": expected 9 fields as in the header, found an unclosed quote/);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).malformedRows, 1);
    assert.equal(JSON.parse(json.stdout).rows, 19_999);
  });
});

describe('issue 11 item 6: amounts and balances outside ±1e12 INR (and non-finite ones) are malformed', () => {
  const bad: [string, string, string, string][] = [
    ['1e308', 'T9,C9,10/1/94,F,MUMBAI,1,2/8/16,143207,1e308', 'TransactionAmount (INR)', AMOUNT],
    ['1e309 (Infinity in a double)', 'T9,C9,10/1/94,F,MUMBAI,1,2/8/16,143207,1e309', 'TransactionAmount (INR)', AMOUNT],
    ['-1e309', 'T9,C9,10/1/94,F,MUMBAI,1,2/8/16,143207,-1e309', 'TransactionAmount (INR)', AMOUNT],
    ['Infinity', 'T9,C9,10/1/94,F,MUMBAI,1,2/8/16,143207,Infinity', 'TransactionAmount (INR)', AMOUNT],
    ['NaN', 'T9,C9,10/1/94,F,MUMBAI,1,2/8/16,143207,NaN', 'TransactionAmount (INR)', AMOUNT],
    ['just above 1e12', 'T9,C9,10/1/94,F,MUMBAI,1,2/8/16,143207,1000000000000.01', 'TransactionAmount (INR)', AMOUNT],
    ['balance 1e309', 'T9,C9,10/1/94,F,MUMBAI,1e309,2/8/16,143207,25.0', 'CustAccountBalance', BALANCE],
    ['balance -Infinity', 'T9,C9,10/1/94,F,MUMBAI,-Infinity,2/8/16,143207,25.0', 'CustAccountBalance', BALANCE],
    ['balance -2e12', 'T9,C9,10/1/94,F,MUMBAI,-2e12,2/8/16,143207,25.0', 'CustAccountBalance', BALANCE],
  ];
  for (const [name, row, column, expected] of bad) {
    test(`${name}: malformed, one-line error with strict`, async () => {
      const { file, lines } = withBadRows(`money-${name.replace(/\W+/g, '-')}.csv`, [row]);
      for (const [, opts] of PATHS) {
        const t = await readTransactions(file, opts);
        assert.deepEqual(t.transactionId, ['T1', 'T2']);
        const value = row.split(',')[column === 'CustAccountBalance' ? 5 : 8];
        assert.deepEqual(t.malformed.examples, [{ file, line: lines[0], column, value, expected }]);
        assert.equal(await inputError(readTransactions(file, { ...opts, strict: true })), `${file}:${lines[0]}: column ${column}: value ${JSON.stringify(value)}: expected ${expected}`);
      }
    });
  }

  test('the bounds themselves are kept, a NaN balance is missing (as `nan` always was), and nothing non-finite reaches the features', async () => {
    const { file } = withBadRows('money-bounds.csv', [
      'T90,C90,10/1/94,F,MUMBAI,1e12,2/8/16,143207,1e12',
      'T91,C91,10/1/94,F,MUMBAI,-1e12,2/8/16,143207,-1e12',
      'T92,C92,10/1/94,F,MUMBAI,NaN,2/8/16,143207,1e308',
    ]);
    const t = await readTransactions(file);
    assert.deepEqual(t.transactionId, ['T1', 'T90', 'T2', 'T91', 'T3', 'T4']);
    assert.deepEqual([...t.transactionAmount], [25, 1e12, 25, -1e12, 25, 25]);
    assert.deepEqual([...t.custAccountBalance], [100.5, 1e12, 100.5, -1e12, 100.5, 100.5]);
    const f = customerFeatures(cleanTransactions(t, { capQuantile: 1 }).table);
    for (const column of [f.recencyDays, f.frequency, f.monetaryTotal, f.monetaryMean, f.balance]) {
      for (const v of column) assert.ok(Number.isFinite(v), `${v}`);
    }
  });
});

describe('issue 11 item 7: years out of range are malformed, not 1900/1901', () => {
  const bad: [string, string, string, string][] = [
    ['transaction year 0000', 'T9,C9,10/1/94,F,MUMBAI,1,2/8/0000,143207,25.0', 'TransactionDate', DATE],
    ['transaction year 0001', 'T9,C9,10/1/94,F,MUMBAI,1,2/8/0001,143207,25.0', 'TransactionDate', DATE],
    ['ISO year 0001', 'T9,C9,10/1/94,F,MUMBAI,1,0001-08-02,143207,25.0', 'TransactionDate', DATE],
    ['transaction year 1899', 'T9,C9,10/1/94,F,MUMBAI,1,31/12/1899,143207,25.0', 'TransactionDate', DATE],
    ['transaction year 2101', 'T9,C9,10/1/94,F,MUMBAI,1,1/1/2101,143207,25.0', 'TransactionDate', DATE],
    ['DOB year 0000', 'T9,C9,1/1/0000,F,MUMBAI,1,2/8/16,143207,25.0', 'CustomerDOB', DOB],
    ['DOB year 0001', 'T9,C9,01-01-0001,F,MUMBAI,1,2/8/16,143207,25.0', 'CustomerDOB', DOB],
    ['DOB year 1799', 'T9,C9,15/6/1799,F,MUMBAI,1,2/8/16,143207,25.0', 'CustomerDOB', DOB],
    ['DOB year 2101', 'T9,C9,1/1/2101,F,MUMBAI,1,2/8/16,143207,25.0', 'CustomerDOB', DOB],
  ];
  for (const [name, row, column, expected] of bad) {
    test(`${name}: malformed`, async () => {
      const { file, lines } = withBadRows(`year-${name.replace(/\W+/g, '-')}.csv`, [row]);
      const value = row.split(',')[column === 'CustomerDOB' ? 2 : 6];
      for (const [, opts] of PATHS) {
        const t = await readTransactions(file, opts);
        assert.deepEqual(t.transactionId, ['T1', 'T2']);
        assert.deepEqual(t.malformed.examples, [{ file, line: lines[0], column, value, expected }]);
      }
    });
  }

  test('the ends of the ranges are kept, with their true day numbers', async () => {
    const { file } = withBadRows('year-bounds.csv', ['T90,C9,1/1/1800,F,MUMBAI,1,1/1/1900,0,1', 'T91,C9,31/12/2100,F,MUMBAI,1,31-12-2100,0,1']);
    const t = await readTransactions(file);
    assert.equal(t.malformed.count, 0);
    // Worked by hand: 1900-01-01 is 70 years of 365 days and 17 leap days (1904..1968) before 1970-01-01: -25,567.
    // 2101-01-01 is 131 years and 32 leap days (1972..2096; 2100 is not one) after it: 47,847, so 2100-12-31 is 47,846.
    assert.deepEqual([t.transactionDate[1], t.transactionDate[3]], [-25_567, 47_846]);
    assert.deepEqual(t.customerDob.values, ['10/1/94', '1/1/1800', '31/12/2100']);
  });
});

describe('issue 11 item 9: a repeated column name is refused, naming it', () => {
  for (const [name, opts] of PATHS) {
    test(`two CustomerID columns (${name})`, async () => {
      const file = scratch(`dup-${name}.csv`, `${HEADER},CustomerID\n${GOOD},C2\n`);
      assert.equal(await inputError(readTransactions(file, opts)), `${file}:1: header has column CustomerID twice (fields 2 and 10)`);
    });
  }
  test('a repeated column the reader does not use is harmless', async () => {
    const file = scratch('dup-extra.csv', `${HEADER},Note,Note\n${GOOD},a,b\n`);
    const t = await readTransactions(file);
    assert.deepEqual([t.rows, t.malformed.count], [1, 0]);
  });
});

describe('issue 11 item 12: pipes and UTF-16', () => {
  let plain: TransactionTable;
  before(async () => {
    plain = await readTransactions(REAL_RAW);
  });

  /** Reads `fifo` while a child process writes `source` into it (as `--input <(cat f)` or `mkfifo` do). */
  async function readThroughFifo(name: string, source: string): Promise<TransactionTable> {
    const fifo = path.join(dir, name);
    const made = spawn('mkfifo', [fifo]);
    await new Promise((resolve) => made.on('exit', resolve));
    const writer = spawn('sh', ['-c', `cat "$1" > "$2"`, 'sh', source, fifo]);
    const exited = new Promise((resolve) => writer.on('exit', resolve));
    try {
      return await readTransactions(fifo);
    } finally {
      // A reader that gave up without opening the FIFO leaves the writer blocked: end it.
      if (writer.exitCode === null && writer.signalCode === null) {
        const timer = setTimeout(() => writer.kill(), 2000);
        await exited;
        clearTimeout(timer);
      }
    }
  }

  test('a FIFO is read as a stream: the same table as the file', async () => {
    const t = await readThroughFifo('real.fifo', REAL_RAW);
    assert.deepStrictEqual({ ...t, source: REAL_RAW }, { ...plain });
  });

  test('a gzip stream through a FIFO: the same table', async () => {
    const gz = scratch('real.csv.gz', zlib.gzipSync(fs.readFileSync(REAL_RAW)));
    const t = await readThroughFifo('real-gz.fifo', gz);
    assert.deepStrictEqual({ ...t, source: REAL_RAW }, { ...plain });
  });

  test('an empty pipe: one line that says so', async () => {
    const empty = scratch('empty-source.csv', '');
    const fifo = path.join(dir, 'empty.fifo');
    await assert.rejects(readThroughFifo('empty.fifo', empty), new InputError(`${fifo}: no data (the pipe was empty)`));
  });

  for (const [flavour, bom, encode] of [
    ['UTF-16 LE', [0xff, 0xfe], (s: string) => Buffer.from(s, 'utf16le')],
    ['UTF-16 BE', [0xfe, 0xff], (s: string) => Buffer.from(s, 'utf16le').swap16()],
  ] as const) {
    test(`${flavour} with a byte order mark is decoded: the same table`, async () => {
      const text = fs.readFileSync(REAL_RAW, 'utf8');
      const file = scratch(`${flavour.replace(/\W+/g, '')}.csv`, Buffer.concat([Buffer.from(bom), encode(text)]));
      for (const [, opts] of PATHS) {
        const t = await readTransactions(file, opts);
        assert.deepStrictEqual({ ...t, source: REAL_RAW }, { ...plain });
      }
    });
  }

  test('UTF-16 without a byte order mark: the error says what the file looks like', async () => {
    const file = scratch('utf16-nobom.csv', Buffer.from(`${HEADER}\n${GOOD}\n`, 'utf16le'));
    assert.match(await inputError(readTransactions(file)), /header lacks column\(s\) .*; the file looks like UTF-16 without a byte order mark: save it as UTF-8$/);
  });
});

describe('issue 11 item 14: a line of NUL bytes is a malformed row, counted', () => {
  for (const lineEnd of ['\n', '\r\n']) {
    test(`between two good rows (${JSON.stringify(lineEnd)} line ends)`, async () => {
      const nuls = '\0'.repeat(12);
      const { file, lines } = withBadRows(`nul${lineEnd.length}.csv`, [nuls], lineEnd);
      for (const [, opts] of PATHS) {
        const t = await readTransactions(file, opts);
        assert.deepEqual(t.transactionId, ['T1', 'T2']);
        assert.deepEqual(t.malformed, {
          count: 1,
          examples: [{ file, line: lines[0], column: '(row)', value: nuls, expected: '9 fields as in the header, found 1' }],
        });
      }
    });
  }
});
