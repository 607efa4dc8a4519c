/**
 * The parallel reader gives the table the streaming (single-threaded) one gives, value for value: on the real rows,
 * and on generated files with malformed rows of every kind, CRLF, a byte order mark, quoted fields, and pieces
 * small enough that their boundaries fall everywhere (inside quoted fields too). Also the parts it is made of:
 * packed IDs, first-appearance numbering, the text dictionary.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DATE_ALPHABET, NO_ALPHABET, TextDictionary } from '../src/collect/dictionary';
import { firstAppearance, MAX_PACKED_ID, packId, unpackId } from '../src/collect/id_codes';
import { MALFORMED_EXAMPLES } from '../src/collect/columns';
import { assembleTable, Share } from '../src/collect/merge';
import { newControl, planPieces, readPieces, shareOf } from '../src/collect/parallel';
import { columnLayout, defaultThreads, readTransactions, ReadOptions } from '../src/collect/read';
import { RowReader } from '../src/collect/rows';
import { workerScript } from '../src/io/worker_script';
import { InputError } from '../src/errors';
import { importClosure } from '../src/io/code_version';
import { createRng, Rng } from '../src/stats/random';
import { TransactionTable } from '../src/table';
import { writeGeneratedCsv } from '../src/collect/generate';
import { REAL_RAW, REAL_SPREADSHEET } from './helpers/real-data';

const HEADER =
  'TransactionID,CustomerID,CustomerDOB,CustGender,CustLocation,CustAccountBalance,TransactionDate,TransactionTime,TransactionAmount (INR)';

let dir = '';
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-parallel-'));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function scratch(name: string, content: string | Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Every field of a table, transaction IDs included (a getter: spelled out so it is certainly compared). */
function fields(t: TransactionTable): object {
  return { ...t, transactionId: [...t.transactionId] };
}

/** The parallel path, forced on a small file. */
const parallel = (threads: number, pieceBytes: number, strict = false): ReadOptions => ({ threads, pieceBytes, parallelMinBytes: 0, strict });

/** The outcome of a read: the table's fields, or the one-line error. */
async function outcome(file: string, opts: ReadOptions): Promise<object | string> {
  try {
    return fields(await readTransactions(file, opts));
  } catch (err) {
    if (err instanceof InputError) return `InputError: ${err.message}`;
    throw err;
  }
}

describe('parallel = streaming on the real rows', () => {
  for (const file of [REAL_RAW, REAL_SPREADSHEET]) {
    test(`${path.basename(file)}: 2 and 3 threads, pieces of 1 byte to 1 MiB`, async () => {
      const expected = fields(await readTransactions(file, { threads: 1 }));
      for (const [threads, pieceBytes] of [[2, 1 << 20], [2, 65_536], [3, 4_096], [2, 777], [3, 1]]) {
        assert.deepStrictEqual(fields(await readTransactions(file, parallel(threads, pieceBytes))), expected, `${threads} threads, ${pieceBytes}-byte pieces`);
      }
    });
  }
});

/**
 * A generated transactions file: valid rows (IDs that pack and IDs that do not, quoted locations with commas and
 * doubled quotes, missing values, repeated customers) with malformed lines of every kind among them.
 */
function generatedFile(rng: Rng, rows: number, opts: { crlf: boolean; bom: boolean; finalLineEnd: boolean }): string {
  const locations = ['MUMBAI', '"JORHAT, ASSAM"', '"SAY ""HI"""', 'NEW DELHI', '', 'nan', 'PUNE', ' THANE '];
  const dobs = ['10/1/94', '1/1/1800', '04-04-1957', '1994-01-10', '', 'NaN', '29/2/00'];
  const customer = () => {
    const k = rng.int(rows / 3); // repeated customers
    return k % 7 === 0 ? `CUSTOMER-${k}` : k % 11 === 0 ? `"C${k}"` : k % 13 === 0 ? `C${k}Ä` : `C${k}`;
  };
  const good = (i: number) =>
    [
      `T${i}`,
      customer(),
      dobs[rng.int(dobs.length)],
      ['M', 'F', 'T', ''][rng.int(4)],
      locations[rng.int(locations.length)],
      rng.next() < 0.1 ? '' : (rng.next() * 1e6).toFixed(2),
      `${1 + rng.int(28)}/${1 + rng.int(12)}/16`,
      String(rng.int(24) * 10000 + rng.int(60) * 100 + rng.int(60)),
      (rng.next() * 5e4).toFixed(1),
    ].join(',');
  const bad = (i: number): string => {
    const f = good(i).split(',');
    switch (rng.int(16)) {
      case 0: return f.slice(0, 8).join(','); // too few fields
      case 1: return `${f.join(',')},extra`; // too many
      case 2: return ['', ...f.slice(1)].join(','); // no TransactionID
      case 3: return [f[0], 'nan', ...f.slice(2)].join(','); // no CustomerID
      case 4: return [...f.slice(0, 6), '31/2/16', ...f.slice(7)].join(','); // no such date
      case 5: return [...f.slice(0, 6), '2/8/0000', ...f.slice(7)].join(','); // year out of range
      case 6: return [...f.slice(0, 7), '126000', f[8]].join(','); // 60 minutes
      case 7: return [...f.slice(0, 8), '1e309'].join(','); // not a plausible amount
      case 8: return [...f.slice(0, 5), 'abc', ...f.slice(6)].join(','); // balance not a number
      case 9: return [f[0], f[1], '30/2/94', ...f.slice(3)].join(','); // DOB not a date
      case 10: return `${f[0]},"${f.slice(1).join(',')}`; // unclosed quote
      case 11: return `${f[0]},${f[1]}x"y,${f.slice(2).join(',')}`; // stray quote
      case 12: return '\0'.repeat(1 + rng.int(20)); // NULs
      case 13: return `${f.slice(0, 4).join(',')},"NAVI\nMUMBAI",${f.slice(5).join(',')}`; // a value spanning lines
      case 14: return `${f[0]},${f[1]},${f[2]},${f[3]},"PUNE"X,${f.slice(5).join(',')}`; // text after a closing quote
      default: return '   '; // a blank line (not a row)
    }
  };
  const lines = [HEADER];
  for (let i = 1; i <= rows; i++) lines.push(rng.next() < 0.15 ? bad(i) : good(i));
  const lineEnd = opts.crlf ? '\r\n' : '\n';
  let text = lines.join(lineEnd);
  if (opts.finalLineEnd) text += lineEnd;
  return (opts.bom ? '\uFEFF' : '') + text;
}

describe('parallel = streaming on generated files with malformed rows of every kind', () => {
  const cases = [
    { seed: 1, rows: 400, crlf: false, bom: false, finalLineEnd: true },
    { seed: 2, rows: 400, crlf: true, bom: true, finalLineEnd: false },
    { seed: 3, rows: 1500, crlf: false, bom: true, finalLineEnd: false },
    { seed: 4, rows: 1500, crlf: true, bom: false, finalLineEnd: true },
  ];
  for (const c of cases) {
    test(`seed ${c.seed}: ${c.rows} rows${c.crlf ? ', CRLF' : ''}${c.bom ? ', BOM' : ''}${c.finalLineEnd ? '' : ', no final line end'}`, async () => {
      const rng = createRng(c.seed);
      const file = scratch(`generated-${c.seed}.csv`, generatedFile(rng, c.rows, c));
      const expected = fields(await readTransactions(file, { threads: 1 }));
      const e = expected as TransactionTable;
      assert.ok(e.malformed.count > c.rows / 20 && e.rows > c.rows / 2, `${e.rows} rows, ${e.malformed.count} malformed`);
      assert.ok(e.customerId.values.some((v) => v.length > MAX_PACKED_ID) && e.customerId.values.some((v) => v.length <= MAX_PACKED_ID));
      for (const pieceBytes of [1, 37, 300, 5_000]) {
        for (const threads of [2, 3]) {
          assert.deepStrictEqual(await outcome(file, parallel(threads, pieceBytes)), expected, `${threads} threads, ${pieceBytes}-byte pieces`);
        }
      }
      // --strict: the same first malformed row, in file order, whichever thread meets it.
      const strict = await outcome(file, { threads: 1, strict: true });
      assert.match(String(strict), /^InputError: .*:\d+: column /);
      for (const pieceBytes of [1, 300]) assert.equal(await outcome(file, parallel(3, pieceBytes, true)), strict);
    });
  }

  test('a file smaller than the worker count, a header alone, blank lines before the header', async () => {
    const files = [
      scratch('one-row.csv', `${HEADER}\nT1,C1,10/1/94,F,MUMBAI,1,2/8/16,143207,25.0`),
      scratch('header-only.csv', `${HEADER}\n`),
      scratch('blank-first.csv', `\n  \r\n${HEADER}\r\nT1,C1,10/1/94,F,MUMBAI,1,2/8/16,143207,25.0\r\nbad\r\n`),
      scratch('only-bad.csv', `${HEADER}\nT1,C1,10/1/94,F,MUMBAI,1,2/8/16,246000,25.0\n`),
    ];
    for (const file of files) {
      const expected = await outcome(file, { threads: 1 });
      for (const pieceBytes of [1, 3, 1000]) assert.deepStrictEqual(await outcome(file, parallel(4, pieceBytes)), expected, `${path.basename(file)}, ${pieceBytes}-byte pieces`);
    }
  });

  test('a line longer than 1 MiB: the same one-line error on both paths', async () => {
    const good = 'T1,C1,10/1/94,F,MUMBAI,1,2/8/16,143207,25.0';
    const file = scratch('long-line.csv', `${HEADER}\n${good}\n${good}\nT2,${'x'.repeat(1_100_000)}\n${good}\n`);
    const expected = await outcome(file, { threads: 1 });
    assert.match(String(expected), /^InputError: .*:4: line longer than 1048576 characters/);
    for (const pieceBytes of [10, 100_000]) assert.equal(await outcome(file, parallel(2, pieceBytes)), expected);
  });
});

/**
 * The merge on its own, without threads: the file's pieces are dealt to readers in the given way (each reader reads
 * its list in that order, as a worker claiming from the back would), then assembled as the parallel path does.
 */
function readDealt(file: string, pieceBytes: number, deal: (pieces: number) => number[][]): object | string {
  const bytes = fs.readFileSync(file);
  const layout = columnLayout(file, HEADER.split(','), 1);
  const fd = fs.openSync(file, 'r');
  const bounds = planPieces(fd, bytes.indexOf(10) + 1, bytes.length, pieceBytes);
  fs.closeSync(fd);
  const plan = { file, layout, strict: false, bounds, expectedRows: 16, control: newControl(bounds.length - 1) };
  const readers: RowReader[] = [];
  const shares: Share[] = deal(bounds.length - 1).map((list, k) => {
    const reader = new RowReader(file, layout, false, 16, MALFORMED_EXAMPLES);
    readers.push(reader);
    return shareOf(reader, readPieces(plan, reader, k, { only: list }), k === 0);
  });
  const main = readers[0];
  try {
    return fields(assembleTable(file, 1, shares, main.otherCustomers, bounds.length - 1));
  } catch (err) {
    if (err instanceof InputError) return `InputError: ${err.message}`;
    throw err;
  }
}

describe('the merge, with pieces dealt to readers in every pattern', () => {
  const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from) }, (_, k) => from + k);
  const deals: [string, (n: number) => number[][]][] = [
    ['a prefix to the main reader, the rest from the back to one worker', (n) => [range(0, n >> 1), range(n >> 1, n).reverse()]],
    ['a prefix, then two workers taking turns from the back', (n) => [range(0, n >> 2), range(n >> 2, n).reverse().filter((p) => p % 2 === 0), range(n >> 2, n).reverse().filter((p) => p % 2 === 1)]],
    ['round robin over three readers (no prefix)', (n) => [0, 1, 2].map((k) => range(0, n).filter((p) => p % 3 === k))],
    ['the main reader also reads a late piece (as after a failed worker)', (n) => [[...range(0, n >> 1), n - 1], range(n >> 1, n - 1)]],
    ['everything to one worker, nothing to the main reader', (n) => [[], range(0, n)]],
  ];
  for (const seed of [21, 22]) {
    test(`seed ${seed}: every deal gives the streaming table`, async () => {
      const file = scratch(`dealt-${seed}.csv`, generatedFile(createRng(seed), 800, { crlf: seed === 22, bom: false, finalLineEnd: true }));
      const expected = fields(await readTransactions(file, { threads: 1 }));
      for (const pieceBytes of [50, 2_000]) {
        for (const [name, deal] of deals) assert.deepStrictEqual(readDealt(file, pieceBytes, deal), expected, `${name}, ${pieceBytes}-byte pieces`);
      }
    });
  }

  test('a deal that leaves out a piece (the last one, or one in the middle) is a reader bug, never a shorter table', () => {
    const file = scratch('dealt-gap.csv', generatedFile(createRng(23), 800, { crlf: false, bom: false, finalLineEnd: true }));
    assert.throws(() => readDealt(file, 2_000, (n) => [range(0, n - 1)]), /^Error: reader bug: \d+ pieces read, the file has \d+$/);
    assert.throws(() => readDealt(file, 2_000, (n) => [range(0, 2), range(3, n)]), /^Error: reader bug: piece 2 is missing \(found 3\)$/);
  });

  test('with real worker threads that certainly take part', async () => {
    const file = scratch('threads.csv', generatedFile(createRng(31), 3000, { crlf: false, bom: true, finalLineEnd: true }));
    const expected = fields(await readTransactions(file, { threads: 1 }));
    for (const threads of [2, 3]) {
      let owners: readonly number[] = [];
      const t = await readTransactions(file, { ...parallel(threads, 500), waitForWorkers: true, onPieces: (o) => (owners = o) });
      assert.ok(owners.some((o) => o > 0), `a worker read pieces (${owners.join(' ')})`);
      assert.deepStrictEqual(fields(t), expected, `${threads} threads`);
    }
  });
});

describe('workers that map their large arrays (io/mapped.ts, as for a share of 1M rows or more)', () => {
  test('600,000 generated rows on 2 and 3 threads: the same table as one thread, with and without mapping', async () => {
    const file = path.join(dir, 'mapped.csv');
    await writeGeneratedCsv(file, { rows: 600_000 });
    const expected = fields(await readTransactions(file, { threads: 1 }));
    for (const threads of [2, 3]) {
      for (const mapLargeArrays of [true, false]) {
        const got = fields(await readTransactions(file, { threads, parallelMinBytes: 0, waitForWorkers: true, mapLargeArrays }));
        assert.deepStrictEqual(got, expected, `${threads} threads, mapped ${mapLargeArrays}`);
      }
    }
  });
});

describe('worker threads: plain JavaScript, never torn down mid-work', () => {
  test('each worker exits by itself (code 0, not terminated) before the read returns, also when --strict stops it', async () => {
    const file = scratch('exits.csv', generatedFile(createRng(41), 1500, { crlf: false, bom: false, finalLineEnd: true }));
    for (const strict of [false, true]) {
      for (const pieceBytes of [1, 300, 1 << 20]) {
        let exits: readonly number[] | undefined;
        let settled = false;
        const read = readTransactions(file, { ...parallel(3, pieceBytes, strict), onWorkersExited: (codes) => (exits = settled ? undefined : codes) });
        await read.then(
          () => (settled = true),
          (err) => {
            settled = true;
            if (!(err instanceof InputError)) throw err;
          },
        );
        // 3 threads but a 1 MiB piece: the file is one piece, so no worker is started.
        assert.deepEqual(exits, pieceBytes === 1 << 20 ? [] : [0, 0], `strict ${strict}, ${pieceBytes}-byte pieces: exit codes before the read settled`);
      }
    }
  });

  /**
   * Worker scripts that fail in each way a worker can: at once, by an uncaught error, after claiming pieces (some
   * marked as its own, the last one not, as if it died between the two steps), by sending something that is not a
   * share, or because the script does not exist. Claiming follows parallel.ts's control block: cell 0 holds the
   * unclaimed pieces [front, back) (front in the low 16 bits), cell 2 + p the owner of piece p (thread + 1).
   */
  const failingWorkers: [string, string, RegExp][] = [
    ['exits at once', 'process.exit(3);', /exited with code 3 before sending its rows/],
    ['throws', 'throw new Error("a bug in the worker\\nsecond line");', /failed \(a bug in the worker\); the main/],
    [
      'claims three pieces, marks two, then exits without a word',
      `const { workerData, parentPort } = require('node:worker_threads');
       const cells = new Int32Array(workerData.plan.control);
       for (let k = 0; k < 3; k++) {
         for (;;) {
           const cell = Atomics.load(cells, 0), front = cell & 0xffff, back = cell >>> 16;
           if (front >= back) break;
           if (Atomics.compareExchange(cells, 0, cell, ((back - 1) << 16) | front) !== cell) continue;
           if (k < 2) Atomics.store(cells, 2 + back - 1, workerData.thread + 1);
           break;
         }
       }
       parentPort.postMessage('ready');
       process.exit(0);`,
      /exited with code 0 before sending its rows/,
    ],
    ['sends something that is not a share', `require('node:worker_threads').parentPort.postMessage({ records: 'no' });`, /sent a share that does not read/],
  ];

  test('a worker that fails costs time, not rows: the main thread reads its pieces, the table is the same, one line says so', async () => {
    const file = scratch('failing.csv', generatedFile(createRng(43), 1500, { crlf: true, bom: false, finalLineEnd: true }));
    const expected = fields(await readTransactions(file, { threads: 1 }));
    const cases: [string, ReadOptions['workerScript'], RegExp][] = failingWorkers.map(([name, code, why]) => [name, { file: scratch(`${name.replace(/\W+/g, '-')}.cjs`, code) }, why]);
    cases.push(['a script that does not exist', { file: path.join(dir, 'no-such-worker.cjs') }, /failed \(.*no-such-worker/]);
    cases.push(['the same, as code', { code: failingWorkers[2][1] }, /exited with code 0 before sending its rows/]);
    for (const [name, workerScript, why] of cases) {
      const lines: string[] = [];
      let owners: readonly number[] = [];
      let exits: readonly number[] = [];
      const opts: ReadOptions = { ...parallel(3, 300), workerScript, waitForWorkers: true, warn: (l) => lines.push(l), onPieces: (o) => (owners = o), onWorkersExited: (c) => (exits = c) };
      assert.deepStrictEqual(fields(await readTransactions(file, opts)), expected, name);
      assert.equal(lines.length, 2, `${name}: one line per failed worker: ${lines.join(' | ')}`);
      for (const [k, line] of lines.entries()) {
        assert.match(line, new RegExp(`^bankseg: reading thread ${k + 1} of 3 failed \\(`), name);
        assert.match(line, why, name);
        assert.ok(line.endsWith(`; the main thread read its part of ${file}`) && !line.includes('\n'), `${name}: ${line}`);
      }
      assert.ok(owners.length > 20 && owners.every((o) => o === 0), `${name}: every piece read on the main thread (${owners.join(' ')})`);
      assert.equal(exits.length, 2, name);
    }
  });

  test('a failing worker under --strict: the same first malformed row as one thread', async () => {
    const file = scratch('failing-strict.csv', generatedFile(createRng(44), 1500, { crlf: false, bom: false, finalLineEnd: true }));
    const expected = await outcome(file, { threads: 1, strict: true });
    assert.match(String(expected), /^InputError: .*failing-strict\.csv:\d+: /);
    for (const [name, code] of failingWorkers) {
      const lines: string[] = [];
      const got = await outcome(file, { ...parallel(3, 300, true), workerScript: { code }, waitForWorkers: true, warn: (l) => lines.push(l) });
      assert.equal(got, expected, name);
      assert.equal(lines.length, 2, name);
    }
  });

  test('the worker script is a bundle of the current sources: kept while they stay the same, rebuilt when one changes', () => {
    // A copy of the worker's sources (its import closure), so the real cache and sources are not touched.
    const root = fs.mkdtempSync(path.join(dir, 'worker-src-'));
    const entry = 'src/collect/read_worker.ts';
    const projectRoot = path.resolve(__dirname, '..');
    const sources = importClosure(projectRoot, entry);
    assert.ok(sources.includes('src/collect/rows.ts') && sources.includes('src/collect/parallel.ts'), sources.join(' '));
    for (const f of sources) {
      fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
      fs.copyFileSync(path.join(projectRoot, f), path.join(root, f));
    }
    const cacheDir = path.join(root, 'cache');
    const first = workerScript(entry, { root, cacheDir });
    assert.ok('file' in first && fs.existsSync(first.file), JSON.stringify(first).slice(0, 200));
    const code = fs.readFileSync(first.file, 'utf8');
    assert.doesNotMatch(code, /require\("(\.\.?\/|tsx|esbuild)/, 'no TypeScript module, loader or compiler left to load');
    assert.match(code, /MAX_ABS_INR/, 'the row code is in it');
    const builtAt = fs.statSync(first.file).mtimeMs;
    assert.deepEqual(workerScript(entry, { root, cacheDir }), first, 'same sources, same file');
    assert.equal(fs.statSync(first.file).mtimeMs, builtAt, 'not rebuilt');

    fs.appendFileSync(path.join(root, 'src/collect/rows.ts'), '\n// an edit\n');
    const second = workerScript(entry, { root, cacheDir });
    assert.ok('file' in second && second.file !== first.file && fs.existsSync(second.file), 'an edited source gives a new bundle');

    // A cache folder that cannot be written: the code itself, built in memory.
    const blocked = path.join(root, 'not-a-folder');
    fs.writeFileSync(blocked, '');
    const inMemory = workerScript(entry, { root, cacheDir: path.join(blocked, 'cache') });
    assert.ok('code' in inMemory && inMemory.code.includes('MAX_ABS_INR'));
  });
});

describe('defaultThreads', () => {
  test('BANKSEG_READ_THREADS decides; otherwise 1 to 4 threads', () => {
    const saved = process.env.BANKSEG_READ_THREADS;
    try {
      process.env.BANKSEG_READ_THREADS = '3';
      assert.equal(defaultThreads(), 3);
      process.env.BANKSEG_READ_THREADS = 'many';
      const n = defaultThreads();
      assert.ok(Number.isInteger(n) && n >= 1 && n <= 4, String(n));
    } finally {
      if (saved === undefined) delete process.env.BANKSEG_READ_THREADS;
      else process.env.BANKSEG_READ_THREADS = saved;
    }
  });
});

describe('planPieces', () => {
  test('cuts after line ends only, covers the data exactly, and keeps a too-long line in one piece', () => {
    const text = `h\n${'a,b\n'.repeat(50)}${'x'.repeat(3000)}\n${'c,d\r\n'.repeat(50)}`;
    const file = scratch('plan.csv', text);
    const fd = fs.openSync(file, 'r');
    try {
      for (const pieceBytes of [1, 7, 64, 1000, 10_000]) {
        const bounds = planPieces(fd, 2, text.length, pieceBytes);
        assert.equal(bounds[0], 2);
        assert.equal(bounds[bounds.length - 1], text.length);
        for (let k = 1; k < bounds.length - 1; k++) {
          assert.equal(text[bounds[k] - 1], '\n', `boundary ${bounds[k]} follows a line end`);
          assert.ok(bounds[k] > bounds[k - 1]);
        }
      }
    } finally {
      fs.closeSync(fd);
    }
  });
});

describe('packed IDs and first-appearance numbering', () => {
  test('packId and unpackId are inverse on random IDs of 1 to 8 letters and digits; others do not pack', () => {
    const chars = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
    const rng = createRng(11);
    const seen = new Map<number, string>();
    for (let k = 0; k < 20_000; k++) {
      let id = '';
      const n = 1 + rng.int(MAX_PACKED_ID);
      for (let j = 0; j < n; j++) id += chars[rng.int(chars.length)];
      const key = packId(` ${id} `, 1, n + 1);
      assert.ok(Number.isSafeInteger(key) && key > 0, id);
      assert.equal(unpackId(key), id);
      const before = seen.get(key);
      assert.ok(before === undefined || before === id, `${id} and ${before} share a number`);
      seen.set(key, id);
    }
    for (const id of ['', '123456789', 'C-1', 'C 1', 'Ä1', 'a.b']) assert.equal(packId(id, 0, id.length), -1, id);
    assert.notEqual(packId('0A', 0, 2), packId('A', 0, 1));
  });

  test('firstAppearance equals a Map on random keys with many repeats, negatives and 1M-row partitions', () => {
    const rng = createRng(5);
    for (const [n, distinct] of [[0, 1], [1, 1], [1000, 10], [50_000, 40_000], [300_000, 200_000]]) {
      const keys = new Float64Array(n);
      for (let i = 0; i < n; i++) keys[i] = rng.next() < 0.05 ? -1 - rng.int(50) : 1 + rng.int(distinct) * 9_007_199; // large, exact
      const { codes, distinct: values } = firstAppearance(keys);
      const ref = new Map<number, number>();
      for (let i = 0; i < n; i++) {
        if (!ref.has(keys[i])) ref.set(keys[i], ref.size);
        assert.equal(codes[i], ref.get(keys[i]));
      }
      assert.deepEqual([...values], [...ref.keys()]);
    }
  });
});

describe('TextDictionary', () => {
  test('codes in order of first appearance, equal to a Map, across growth, for packed and unpacked texts', () => {
    const rng = createRng(9);
    for (const alphabet of [DATE_ALPHABET, NO_ALPHABET]) {
      const dict = new TextDictionary(alphabet, 2);
      const ref = new Map<string, number>();
      for (let k = 0; k < 30_000; k++) {
        const r = rng.int(5000);
        const text = r % 3 === 0 ? `${r % 28}/${r % 12}/${r}` : r % 3 === 1 ? String.fromCharCode(65 + (r % 60)) : `LOC ${r} Ä`;
        const padded = `,${text},`;
        let code = dict.find(padded, 1, padded.length - 1);
        if (code < 0) code = dict.add(text);
        if (!ref.has(text)) ref.set(text, ref.size);
        assert.equal(code, ref.get(text), text);
      }
      assert.deepEqual(dict.values, [...ref.keys()]);
    }
  });
});
