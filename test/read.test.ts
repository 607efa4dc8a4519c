import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { parseDayFirst } from '../src/collect/dates';
import { CsvSplitter, LineProblem, parseDecimal, fieldText, Utf8Lines } from '../src/collect/csv';
import { readTransactions } from '../src/collect/read';
import { InputError } from '../src/errors';
import { createRng } from '../src/stats/random';
import { dictValue, TransactionTable } from '../src/table';
import { REAL_RAW, REAL_SPREADSHEET } from './helpers/real-data';
import { assertTableEquals, refRead, refSplitLine } from './helpers/reference-reader';

const REAL = REAL_RAW;
const SHEET = REAL_SPREADSHEET;
const HEADER =
  'TransactionID,CustomerID,CustomerDOB,CustGender,CustLocation,CustAccountBalance,TransactionDate,TransactionTime,TransactionAmount (INR)';

// ---------- scratch files ----------

let dir = '';
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-read-'));
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

describe('parseDayFirst', () => {
  const cases: [string, ReturnType<typeof parseDayFirst>][] = [
    ['2/8/16', { day: 2, month: 8, year: 16, twoDigitYear: true }],
    ['10/1/94', { day: 10, month: 1, year: 94, twoDigitYear: true }],
    ['26/11/1996', { day: 26, month: 11, year: 1996, twoDigitYear: false }],
    ['1/1/1800', { day: 1, month: 1, year: 1800, twoDigitYear: false }],
    ['02-08-2016', { day: 2, month: 8, year: 2016, twoDigitYear: false }],
    ['2-8-16', { day: 2, month: 8, year: 16, twoDigitYear: true }],
    ['1/1/00', { day: 1, month: 1, year: 0, twoDigitYear: true }],
    ['2016-08-21', { day: 21, month: 8, year: 2016, twoDigitYear: false }],
    [' 31/12/99 ', { day: 31, month: 12, year: 99, twoDigitYear: true }],
    ['29/2/2016', { day: 29, month: 2, year: 2016, twoDigitYear: false }],
    ['29/2/2000', { day: 29, month: 2, year: 2000, twoDigitYear: false }],
    ['29/2/16', { day: 29, month: 2, year: 16, twoDigitYear: true }],
    ['30/4/2016', { day: 30, month: 4, year: 2016, twoDigitYear: false }],
  ];
  for (const [text, expected] of cases) {
    test(`accepts "${text}"`, () => assert.deepEqual(parseDayFirst(text), expected));
  }
  const rejected = [
    '', 'nan', '31/2/16', '30/2/2016', '29/2/2017', '29/2/1900', '31/4/2016', '0/1/16', '1/0/16', '1/13/16', '32/1/16',
    '1/1/1', '1/1/123', '1/1/12345', '1/8-16', '1//16', '/1/16', '1/1/', '1/1/16/2', '123/1/16', '1.1.16',
    '2016/08/21', '2016-8-32', '2016-13-01', 'a/1/16', '1/1/16x',
  ];
  for (const text of rejected) {
    test(`rejects "${text}"`, () => assert.equal(parseDayFirst(text), undefined));
  }
});

describe('parseDecimal', () => {
  const parse = (text: string) => parseDecimal(text, 0, text.length);
  test('hand cases equal Number()', () => {
    for (const text of ['0', '25.0', '25', '17819.05', '-3.5', '+7', '.5', '5.', '007.50', '115035500.0', '1560035', '0.1', '-0']) {
      assert.ok(Object.is(parse(text), Number(text)), text);
    }
    assert.ok(Object.is(parse('-0'), -0));
  });
  test('falls back to Number() for exponents and long mantissas', () => {
    for (const text of ['1e3', '2.5E-2', '12345678901234567890', '0.12345678901234567', '9007199254740993', '1.7976931348623157e308']) {
      assert.ok(Object.is(parse(text), Number(text)), text);
    }
  });
  test('rejects what is not a plain decimal', () => {
    for (const text of ['', '.', '-', 'abc', '1,5', '0x10', 'Infinity', '1.2.3', '12a', '1e', ' ']) {
      assert.ok(Number.isNaN(parse(text)), text);
    }
  });
  test('equals Number() on 20,000 random decimals (1..17 digits, 0..10 decimals)', () => {
    const rng = createRng(7);
    for (let k = 0; k < 20_000; k++) {
      const digits = 1 + rng.int(17);
      let text = '';
      for (let d = 0; d < digits; d++) text += String(rng.int(10));
      const decimals = rng.int(Math.min(digits, 11));
      if (decimals > 0) text = text.slice(0, digits - decimals) + '.' + text.slice(digits - decimals);
      if (rng.next() < 0.2) text = '-' + text;
      assert.ok(Object.is(parse(text), Number(text)), text);
    }
  });
  test('reads a span inside a longer text', () => {
    assert.equal(parseDecimal('x,17819.05,y', 2, 10), 17819.05);
  });
});

describe('CsvSplitter', () => {
  const text =
    'a,b,c\r\n' +
    '1," JORHAT, ASSAM ",x\r\n' +
    '\r\n' +
    '2,"say ""hi""",  y  \n' +
    '3,"two\nlines",z\n' +
    '  \n' +
    '4,,\n' +
    '5,"",last\n' +
    '6,"ab"c,d\n' +
    '7,a"b,c\n' +
    '\0\0\0\n' +
    '8,"x"  ,y';
  // A line end always ends a row: the quoted value spanning lines 5-6 costs both lines, each flagged.
  const expected = [
    { line: 1, problem: 0, fields: ['a', 'b', 'c'] },
    { line: 2, problem: 0, fields: ['1', 'JORHAT, ASSAM', 'x'] },
    { line: 4, problem: 0, fields: ['2', 'say "hi"', 'y'] },
    { line: 5, problem: LineProblem.UnclosedQuote, fields: [] },
    { line: 6, problem: LineProblem.StrayQuote, fields: [] },
    { line: 8, problem: 0, fields: ['4', '', ''] },
    { line: 9, problem: 0, fields: ['5', '', 'last'] },
    { line: 10, problem: LineProblem.StrayQuote, fields: [] }, // text after a closing quote
    { line: 11, problem: LineProblem.StrayQuote, fields: [] }, // a quote inside an unquoted field
    { line: 12, problem: 0, fields: [''] }, // NULs are not a blank line: a row of one (empty, trimmed) field
    { line: 13, problem: 0, fields: ['8', 'x', 'y'] },
  ];
  function splitInChunks(size: number): { line: number; problem: number; fields: string[] }[] {
    const rows: { line: number; problem: number; fields: string[] }[] = [];
    const splitter = new CsvSplitter((t, spans, line) => {
      const fields: string[] = [];
      if (spans.problem === 0) for (let i = 0; i < spans.count; i++) fields.push(fieldText(t, spans, i));
      rows.push({ line, problem: spans.problem, fields });
    }, 2); // start small so the span arrays must grow
    for (let at = 0; at < text.length; at += size) splitter.push(text.slice(at, at + size));
    splitter.end();
    return rows;
  }
  test('splits quoted fields, CRLF, blank lines and a last line without line end; flags stray and unclosed quotes', () => {
    assert.deepEqual(splitInChunks(text.length), expected);
  });
  test('gives the same rows whatever the chunk boundaries', () => {
    for (let size = 1; size <= 12; size++) assert.deepEqual(splitInChunks(size), expected, `chunks of ${size}`);
  });
  test('the reference line splitter agrees on the one-line rows', () => {
    assert.deepEqual(refSplitLine('1," JORHAT, ASSAM ",x'), ['1', 'JORHAT, ASSAM', 'x']);
  });
});

describe('Utf8Lines', () => {
  test('cuts at line ends without splitting multi-byte characters, drops a BOM', () => {
    const bytes = Buffer.from('\uFEFFname\nKÖLN,ÄÖ\nΑΘΗΝΑ\nlast', 'utf8');
    for (let size = 1; size <= 7; size++) {
      const lines = new Utf8Lines();
      let out = '';
      for (let at = 0; at < bytes.length; at += size) {
        const piece = lines.push(bytes.subarray(at, at + size));
        assert.ok(piece === '' || piece.endsWith('\n'), 'every piece ends at a line end');
        out += piece;
      }
      out += lines.end();
      assert.equal(out, 'name\nKÖLN,ÄÖ\nΑΘΗΝΑ\nlast', `chunks of ${size}`);
    }
  });
  test('drops a byte order mark only at the very start of the file', () => {
    const bytes = Buffer.from('\n\uFEFFab\n', 'utf8');
    for (let size = 1; size <= 4; size++) {
      const lines = new Utf8Lines();
      let out = '';
      for (let at = 0; at < bytes.length; at += size) out += lines.push(bytes.subarray(at, at + size));
      out += lines.end();
      assert.equal(out, '\n\uFEFFab\n', `chunks of ${size}`);
    }
  });
});

describe('readTransactions on the real rows', () => {
  let raw: TransactionTable;
  let sheet: TransactionTable;
  before(async () => {
    raw = await readTransactions(REAL);
    sheet = await readTransactions(SHEET);
  });

  test('raw file: every value equals the reference reader', () => {
    assertTableEquals(raw, refRead(REAL));
    assert.equal(raw.malformed.count, 0);
    assert.equal(raw.source, REAL);
  });

  test('raw file: the published facts (20,000 rows, 19,937 customers, missing 72/11/1/27)', () => {
    const ref = refRead(REAL);
    const facts = {
      rows: ref.length,
      customers: new Set(ref.map((r) => r.customer)).size,
      dobMissing: ref.filter((r) => r.dob === undefined).length,
      genderMissing: ref.filter((r) => r.gender === undefined).length,
      locationMissing: ref.filter((r) => r.location === undefined).length,
      balanceMissing: ref.filter((r) => Number.isNaN(r.balance)).length,
    };
    assert.deepEqual(facts, { rows: 20_000, customers: 19_937, dobMissing: 72, genderMissing: 11, locationMissing: 1, balanceMissing: 27 });
    assert.equal(raw.customerId.values.length, 19_937);
    let dobMissing = 0;
    for (let i = 0; i < raw.rows; i++) if (raw.customerDob.codes[i] < 0) dobMissing++;
    assert.equal(dobMissing, 72);
  });

  test('quoted locations with commas are read whole', () => {
    const quoted = fs.readFileSync(REAL, 'utf8').split('\n').filter((l) => l.includes('"')).length;
    assert.ok(quoted > 0);
    const withComma = raw.custLocation.values.filter((v) => v.includes(',')).length;
    assert.ok(withComma > 0, 'some location holds a comma');
    assert.ok(raw.custLocation.values.includes('JORHAT, ASSAM'));
  });

  test('spreadsheet file: the same table apart from the DOB text', () => {
    assertTableEquals(sheet, refRead(SHEET));
    assertTableEquals(sheet, refRead(REAL), { skipDob: true });
    // The DOB text differs (dd-mm-yyyy vs d/m/yy) but denotes the same day, month and year (mod 100).
    for (let i = 0; i < raw.rows; i++) {
      const a = dictValue(raw.customerDob, i);
      const b = dictValue(sheet.customerDob, i);
      assert.equal(a === undefined, b === undefined, `row ${i + 1}`);
      if (a === undefined || b === undefined) continue;
      const da = parseDayFirst(a)!;
      const db = parseDayFirst(b)!;
      assert.deepEqual([da.day, da.month, da.year % 100], [db.day, db.month, db.year % 100], `row ${i + 1}: ${a} vs ${b}`);
    }
  });

  test('gzip input gives the same table as the plain file', async () => {
    const gz = scratch('real.csv.data', zlib.gzipSync(fs.readFileSync(REAL))); // no .gz suffix: detected by magic bytes
    const table = await readTransactions(gz);
    assert.deepStrictEqual({ ...table, source: REAL }, raw);
  });
});

describe('readTransactions: more rows than the size guess (columns grown in blocks, joined once)', () => {
  // Rows of ~30 bytes where the reader guesses one per 56 bytes: ~60,000 rows into a first block of ~30,000 and
  // several more (RowReader joins them into exact-length columns). IDs of 1..60 characters, some not ASCII and a few
  // past Latin-1 only after row 30,000 (the ID characters turn from bytes into UTF-16 midway), so the
  // ID characters fill several blocks too. Checked against the reference reader, on both paths.
  let file = '';
  let ref: ReturnType<typeof refRead> = [];
  before(() => {
    const rng = createRng(13).next;
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
    const lines = [HEADER];
    for (let r = 0; r < 60_000; r++) {
      const long = rng() < 0.01 ? 'x'.repeat(Math.floor(rng() * 50)) : '';
      const id = `${pick(['T', 'Tä', 'ß', r > 30_000 && r % 997 === 0 ? '€' : 'T'])}${r}${long}`;
      const balance = rng() < 0.2 ? '' : (Math.floor(rng() * 1e6) / 100).toString();
      lines.push([id, `C${Math.floor(rng() * 20_000)}`, pick(['', '1/1/80', '2/3/1990']), pick(['M', 'F', '']), pick(['A', 'BB', 'Dé', '']), balance, pick(['1/8/16', '2/8/16', '30/9/16']), String(Math.floor(rng() * 24) * 10000 + 5), String(Math.floor(rng() * 1000))].join(','));
    }
    file = scratch('short-rows.csv', lines.join('\n') + '\n');
    ref = refRead(file);
  });

  /** Every dictionary column numbers its values in order of first appearance (what byte-identical outputs rely on). */
  function assertFirstAppearanceCodes(t: TransactionTable): void {
    for (const column of [t.customerId, t.customerDob, t.custGender, t.custLocation]) {
      let next = 0;
      for (const c of column.codes) {
        if (c < 0) continue;
        assert.ok(c <= next, `code ${c} before ${next}`);
        if (c === next) next++;
      }
      assert.equal(next, column.values.length);
    }
  }

  test('streaming path: every value equals the reference reader, columns exactly as long as the rows', async () => {
    const t = await readTransactions(file, { threads: 1 });
    assert.equal(t.rows, 60_000);
    assertTableEquals(t, ref);
    assertFirstAppearanceCodes(t);
    for (const column of [t.customerId.codes, t.custAccountBalance, t.transactionDate, t.transactionTime, t.transactionAmount]) assert.equal(column.length, 60_000);
  });

  test('parallel path, small pieces: the same table as the streaming path', async () => {
    const single = await readTransactions(file, { threads: 1 });
    const parallel = await readTransactions(file, { threads: 3, pieceBytes: 20_000, parallelMinBytes: 0, waitForWorkers: true });
    assertTableEquals(parallel, ref);
    assertFirstAppearanceCodes(parallel);
    assert.deepStrictEqual({ ...parallel }, { ...single });
  });
});

describe('readTransactions on hand-made input', () => {
  test('BOM, CRLF, reordered and extra columns, quotes, nan, spaces, ISO and dd-mm-yyyy dates, trailing empty line', async () => {
    const file = scratch(
      'hand.csv',
      '\uFEFFTransactionAmount (INR),Extra,TransactionID,CustomerID,CustomerDOB,CustGender,CustLocation,CustAccountBalance,TransactionDate,TransactionTime\r\n' +
        '25.0,x,T1,C1,10/1/94,F,"JORHAT, ASSAM",17819.05,2/8/16,143207\r\n' +
        '"1,5",y,T2, C2 ,NaN,,"say ""hi""",,2016-10-21,0\r\n' +
        '7, ,T3,C1,04-04-1957,M, MUMBAI ,0,31-12-2016,235959\r\n' +
        '\r\n',
    );
    // "1,5" is quoted, so it is one field, and not a number: that row is malformed.
    const t = await readTransactions(file);
    assert.equal(t.rows, 2);
    assert.deepEqual(t.transactionId, ['T1', 'T3']);
    assert.deepEqual([...t.customerId.codes], [0, 0]);
    assert.deepEqual(t.customerId.values, ['C1']);
    assert.deepEqual([dictValue(t.customerDob, 0), dictValue(t.customerDob, 1)], ['10/1/94', '04-04-1957']);
    assert.deepEqual([dictValue(t.custLocation, 0), dictValue(t.custLocation, 1)], ['JORHAT, ASSAM', 'MUMBAI']);
    assert.deepEqual([...t.custAccountBalance], [17819.05, 0]);
    // 2016-08-02 is day 17015 and 2016-12-31 is day 17166 since 1970-01-01 (computed by hand: 46 years with 11 leap days = 16801, + 214 and + 365).
    assert.deepEqual([...t.transactionDate], [17015, 17166]);
    assert.deepEqual([...t.transactionTime], [143207, 235959]);
    assert.deepEqual([...t.transactionAmount], [25, 7]);
    assert.equal(t.malformed.count, 1);
    assert.deepEqual(t.malformed.examples[0], {
      file,
      line: 3,
      column: 'TransactionAmount (INR)',
      value: '1,5',
      expected: 'a number from -1e12 to 1e12 (INR)',
    });
  });

  test('quotes, nan in any case and spaces: the good row of the file above', async () => {
    const file = scratch('hand2.csv', HEADER + '\n' + 'T2, C2 ,NaN,,"say ""hi""",nan,2016-10-21,0," 12.5 "\n');
    const t = await readTransactions(file);
    assert.equal(t.rows, 1);
    assert.deepEqual(t.customerId.values, ['C2']);
    assert.deepEqual([...t.customerDob.codes, ...t.custGender.codes], [-1, -1]);
    assert.equal(dictValue(t.custLocation, 0), 'say "hi"');
    assert.ok(Number.isNaN(t.custAccountBalance[0]));
    assert.deepEqual([t.transactionDate[0], t.transactionTime[0], t.transactionAmount[0]], [17095, 0, 12.5]);
  });
});

describe('readTransactions: bad input', () => {
  const good = 'T1,C1,10/1/94,F,MUMBAI,100.5,2/8/16,143207,25.0';

  test('missing file', async () => {
    const file = path.join(dir, 'nope.csv');
    assert.equal(await inputError(readTransactions(file)), `${file}: no such file`);
  });
  test('a directory', async () => {
    assert.equal(await inputError(readTransactions(dir)), `${dir}: is a directory, not a file`);
  });
  test('empty file, and a file of blank lines', async () => {
    const empty = scratch('empty.csv', '');
    assert.equal(await inputError(readTransactions(empty)), `${empty}: file is empty`);
    const blank = scratch('blank.csv', '\n\r\n  \n');
    assert.equal(await inputError(readTransactions(blank)), `${blank}: file is empty`);
  });
  test('header lacking columns names all of them', async () => {
    const file = scratch('lacks.csv', 'TransactionID,CustomerID,CustLocation,CustAccountBalance,TransactionDate,TransactionTime,TransactionAmount (INR)\n');
    assert.equal(
      await inputError(readTransactions(file)),
      `${file}: header lacks column(s) CustomerDOB, CustGender (expected: ${HEADER.split(',').join(', ')})`,
    );
  });
  test('header only', async () => {
    const file = scratch('header.csv', HEADER + '\r\n');
    assert.equal(await inputError(readTransactions(file)), `${file}: no data rows (only a header)`);
  });
  test('not gzip after all: corrupt data behind the gzip magic bytes', async () => {
    const file = scratch('corrupt.gz', Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('not really gzip')]));
    assert.match(await inputError(readTransactions(file)), new RegExp(`^${file}: not a valid gzip file \\(`));
  });

  const DATE = 'a day-first date (d/m/yy, d/m/yyyy, dd-mm-yyyy or yyyy-mm-dd), year 1900..2100';
  const AMOUNT = 'a number from -1e12 to 1e12 (INR)';
  const DOB = 'a day-first date (d/m/yy, d/m/yyyy, dd-mm-yyyy or yyyy-mm-dd), year 1800..2100, or empty';
  // Each bad row: [row text, line-1 column, value, expected]
  const badRows: [string, string, string, string, string][] = [
    ['wrong field count', 'T2,C2,10/1/94,F,MUMBAI,100.5,2/8/16,143207', '(row)', 'T2,C2,10/1/94,F,MUMBAI,100.5,2/8/16,143207', '9 fields as in the header, found 8'],
    ['too many fields', good + ',extra', '(row)', good + ',extra', '9 fields as in the header, found 10'],
    ['missing TransactionID', ',C2,10/1/94,F,MUMBAI,100.5,2/8/16,143207,25.0', 'TransactionID', '', 'a transaction ID (not empty)'],
    ['TransactionID nan', 'NaN,C2,10/1/94,F,MUMBAI,100.5,2/8/16,143207,25.0', 'TransactionID', 'NaN', 'a transaction ID (not empty)'],
    ['missing CustomerID', 'T2,nan,10/1/94,F,MUMBAI,100.5,2/8/16,143207,25.0', 'CustomerID', 'nan', 'a customer ID (not empty)'],
    ['bad date', 'T2,C2,10/1/94,F,MUMBAI,100.5,31/2/16,143207,25.0', 'TransactionDate', '31/2/16', DATE],
    ['missing date', 'T2,C2,10/1/94,F,MUMBAI,100.5,,143207,25.0', 'TransactionDate', '', DATE],
    ['bad time 246000', 'T2,C2,10/1/94,F,MUMBAI,100.5,2/8/16,246000,25.0', 'TransactionTime', '246000', 'a time HHMMSS (0..235959, minutes and seconds < 60)'],
    ['bad time 126000 (minutes 60)', 'T2,C2,10/1/94,F,MUMBAI,100.5,2/8/16,126000,25.0', 'TransactionTime', '126000', 'a time HHMMSS (0..235959, minutes and seconds < 60)'],
    ['bad time 143260 (seconds 60)', 'T2,C2,10/1/94,F,MUMBAI,100.5,2/8/16,143260,25.0', 'TransactionTime', '143260', 'a time HHMMSS (0..235959, minutes and seconds < 60)'],
    ['bad time 14:32', 'T2,C2,10/1/94,F,MUMBAI,100.5,2/8/16,14:32,25.0', 'TransactionTime', '14:32', 'a time HHMMSS (0..235959, minutes and seconds < 60)'],
    ['bad amount', 'T2,C2,10/1/94,F,MUMBAI,100.5,2/8/16,143207,25.0x', 'TransactionAmount (INR)', '25.0x', AMOUNT],
    ['amount with a decimal comma (quoted)', 'T2,C2,10/1/94,F,MUMBAI,100.5,2/8/16,143207,"25,5"', 'TransactionAmount (INR)', '25,5', AMOUNT],
    ['missing amount', 'T2,C2,10/1/94,F,MUMBAI,100.5,2/8/16,143207,', 'TransactionAmount (INR)', '', AMOUNT],
    ['bad balance', 'T2,C2,10/1/94,F,MUMBAI,1.2.3,2/8/16,143207,25.0', 'CustAccountBalance', '1.2.3', 'a number from -1e12 to 1e12 (INR) or empty'],
    ['bad DOB', 'T2,C2,30/2/94,F,MUMBAI,100.5,2/8/16,143207,25.0', 'CustomerDOB', '30/2/94', DOB],
  ];
  for (const [name, row, column, value, expected] of badRows) {
    test(`${name}: skipped and counted by default, one-line error with strict`, async () => {
      // The bad row is line 3, between two good ones.
      const file = scratch(`bad-${name.replace(/\W+/g, '-')}.csv`, `${HEADER}\n${good}\n${row}\n${good.replace('T1', 'T3')}\n`);
      const t = await readTransactions(file);
      assert.deepEqual(t.transactionId, ['T1', 'T3']);
      assert.equal(t.rows, 2);
      assert.equal(t.malformed.count, 1);
      assert.deepEqual(t.malformed.examples[0], { file, line: 3, column, value, expected });
      assert.equal(
        await inputError(readTransactions(file, { strict: true })),
        `${file}:3: column ${column}: value ${JSON.stringify(value)}: expected ${expected}`,
      );
    });
  }

  test('CRLF file: the reported row text has no carriage return', async () => {
    const row = 'T2,C2,10/1/94,F,MUMBAI,100.5,2/8/16,143207';
    const file = scratch('crlf-bad.csv', `${HEADER}\r\n${good}\r\n${row}\r\n`);
    const t = await readTransactions(file);
    assert.deepEqual(t.malformed.examples[0], { file, line: 3, column: '(row)', value: row, expected: '9 fields as in the header, found 8' });
  });

  test('an unclosed quote costs its own line only: reading resumes at the next line', async () => {
    const row = 'T3,C2,10/1/94,F,"MUMBAI,100.5,2/8/16,143207,25.0';
    const file = scratch('unclosed.csv', `${HEADER}\n${good}\n${row}\n${good.replace('T1', 'T4')}\n`);
    const t = await readTransactions(file);
    assert.deepEqual(t.transactionId, ['T1', 'T4']);
    assert.equal(t.malformed.count, 1);
    const unclosed = '9 fields as in the header, found an unclosed quote (a quoted value cannot span lines)';
    assert.deepEqual(t.malformed.examples[0], { file, line: 3, column: '(row)', value: row, expected: unclosed });
    assert.equal(
      await inputError(readTransactions(file, { strict: true })),
      `${file}:3: column (row): value ${JSON.stringify(row)}: expected ${unclosed}`,
    );
  });

  test('a line longer than 1 MiB: a one-line error naming it', async () => {
    const file = scratch('runaway.csv', `${HEADER}\n${good}\nT2,"C2,${'x,y;'.repeat(300_000)}\n${good}\n`);
    assert.equal(
      await inputError(readTransactions(file)),
      `${file}:3: line longer than 1048576 characters (not a transactions file, or line ends other than \\n?)`,
    );
  });

  test('counts every malformed row, keeps the first 10 as examples', async () => {
    const lines = [HEADER];
    for (let k = 0; k < 25; k++) lines.push(k % 2 === 0 ? good.replace('T1', `T${k}`) : `T${k},C1,10/1/94,F,MUMBAI,100.5,2/8/16,999999,1`);
    const file = scratch('many-bad.csv', lines.join('\n'));
    const t = await readTransactions(file);
    assert.equal(t.rows, 13);
    assert.equal(t.malformed.count, 12);
    assert.deepEqual(
      t.malformed.examples.map((m) => m.line),
      [3, 5, 7, 9, 11, 13, 15, 17, 19, 21],
    );
  });

  test('only malformed rows: an error that says so', async () => {
    const file = scratch('all-bad.csv', `${HEADER}\nT1,C1,10/1/94,F,MUMBAI,100.5,2/8/16,246000,25.0\n`);
    assert.equal(
      await inputError(readTransactions(file)),
      `${file}: no valid rows (1 malformed; first: ${file}:2: column TransactionTime: value "246000": expected a time HHMMSS (0..235959, minutes and seconds < 60))`,
    );
  });
});
