/**
 * The generated default files and their stamps (src/collect/default_data.ts): a stale or foreign file at the default
 * path is never silently reused, a foreign one is kept aside, and a user's file at an --input path is never touched.
 * Small files (2,000 rows) in a temporary folder; the generator version is read from the project's sources.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureGenerated, generatorVersion, readStamp, stampIfDefault, stampPath } from '../src/collect/default_data';
import { writeGeneratedCsv } from '../src/collect/generate';
import { readSource } from '../src/collect/source';
import { PROJECT_ROOT } from '../src/config';
import { importClosure } from '../src/io/code_version';

const ROWS = 2_000;
const expected = () => ({ generator: generatorVersion(), params: { rows: ROWS, seed: 42 } });
const write = (target: string) => writeGeneratedCsv(target, { rows: ROWS, seed: 42 });
const what = { name: 'data/raw/x.csv', made: '2,000 rows, seed 42' };
const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-default-data-'));
}

/** The bytes the generator gives for ROWS rows and seed 42, written on their own (the reference). */
let reference: string | undefined;
async function referenceSha(): Promise<string> {
  if (!reference) {
    const dir = tempDir();
    await write(path.join(dir, 'reference.csv'));
    reference = sha(path.join(dir, 'reference.csv'));
    fs.rmSync(dir, { recursive: true });
  }
  return reference;
}

test('a missing file is generated and stamped; a fresh one is then reused untouched, without a line', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'x.csv');
  const first = await ensureGenerated(file, expected(), write, what);
  assert.equal(first.note, 'no data/raw/x.csv yet: generating it (2,000 rows, seed 42)');
  assert.equal(sha(file), await referenceSha());
  assert.deepEqual(readStamp(file), { ...expected(), bytes: fs.statSync(file).size });
  const before = fs.statSync(file);
  const again = await ensureGenerated(file, expected(), write, what);
  assert.equal(again.note, undefined);
  const after = fs.statSync(file);
  assert.deepEqual([after.ino, after.mtimeMs], [before.ino, before.mtimeMs]);
  assert.deepEqual(fs.readdirSync(dir).sort(), ['x.csv', 'x.csv.stamp.json']);
  fs.rmSync(dir, { recursive: true });
});

test('a file an older generator made (its stamp names another version) is generated again, saying so in one line', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'x.csv');
  // What an older generator left: other bytes, stamped with its version and their size.
  fs.writeFileSync(file, 'TransactionID,CustomerID\nT1,C1\n');
  fs.writeFileSync(stampPath(file), JSON.stringify({ generator: 'an-older-one', params: { rows: ROWS, seed: 42 }, bytes: fs.statSync(file).size }));
  const result = await ensureGenerated(file, expected(), write, what);
  assert.equal(result.note, 'data/raw/x.csv was made by another version of the generator: generating it again (2,000 rows, seed 42)');
  assert.equal(sha(file), await referenceSha());
  assert.equal(readStamp(file)?.generator, generatorVersion());
  assert.deepEqual(fs.readdirSync(dir).sort(), ['x.csv', 'x.csv.stamp.json'], 'our own stale file is replaced, not kept');
  fs.rmSync(dir, { recursive: true });
});

test('a file made with other rows or seed than the default is generated again', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'x.csv');
  await writeGeneratedCsv(file, { rows: 1_000, seed: 7 });
  fs.writeFileSync(stampPath(file), JSON.stringify({ generator: generatorVersion(), params: { rows: 1_000, seed: 7 }, bytes: fs.statSync(file).size }));
  const result = await ensureGenerated(file, expected(), write, what);
  assert.equal(result.note, 'data/raw/x.csv was made with rows 1,000, seed 7, not the default rows 2,000, seed 42: generating it again (2,000 rows, seed 42)');
  assert.equal(sha(file), await referenceSha());
  fs.rmSync(dir, { recursive: true });
});

test('a file without a stamp (made before stamps, or not by bankseg) is kept as .old, and the default generated', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'x.csv');
  const foreign = 'TransactionID,CustomerID,CustomerDOB\nT1,C5841053,10/1/94\n';
  fs.writeFileSync(file, foreign);
  const result = await ensureGenerated(file, expected(), write, what);
  assert.equal(result.note, 'data/raw/x.csv has no stamp of the generator (made by an older bankseg, or not by bankseg): generating it (2,000 rows, seed 42); the old file is kept as x.csv.old');
  assert.equal(fs.readFileSync(`${file}.old`, 'utf8'), foreign);
  assert.equal(sha(file), await referenceSha());
  assert.ok(readStamp(file));
  fs.rmSync(dir, { recursive: true });
});

test('an unstamped file that holds the very bytes generated now (a default file made before stamps) is not kept twice', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'x.csv');
  await write(file);
  const result = await ensureGenerated(file, expected(), write, what);
  assert.equal(result.note, 'data/raw/x.csv has no stamp of the generator (made by an older bankseg, or not by bankseg): generating it (2,000 rows, seed 42); it held the same bytes');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['x.csv', 'x.csv.stamp.json']);
  assert.equal(sha(file), await referenceSha());
  fs.rmSync(dir, { recursive: true });
});

test('a stamped file changed since it was generated (another size) is kept aside too', async () => {
  const dir = tempDir();
  const file = path.join(dir, 'x.csv');
  await ensureGenerated(file, expected(), write, what);
  fs.appendFileSync(file, 'T9,C9,1/1/90,M,PUNE,10.0,1/8/16,120000,5.0\n');
  const changed = sha(file);
  const result = await ensureGenerated(file, expected(), write, what);
  assert.match(result.note ?? '', /^data\/raw\/x\.csv changed since it was generated \([\d,]+ bytes, stamped [\d,]+\): generating it \(2,000 rows, seed 42\); the old file is kept as x\.csv\.old$/);
  assert.equal(sha(`${file}.old`), changed);
  assert.equal(sha(file), await referenceSha());
  fs.rmSync(dir, { recursive: true });
});

test("a user's own file at an --input path is read and never touched: no stamp, no .old, same bytes and time", async () => {
  const dir = tempDir();
  const file = path.join(dir, 'bank_transactions.csv');
  await writeGeneratedCsv(file, { rows: 500, seed: 3 });
  fs.appendFileSync(file, ''); // a file of the user's: no stamp beside it
  const before = { sha: sha(file), stat: fs.statSync(file) };
  const table = await readSource({ input: file });
  assert.equal(table.rows, 500);
  stampIfDefault(file, { rows: 500, seed: 3 }); // what `bankseg generate --out` calls: stamps only the default paths
  const after = fs.statSync(file);
  assert.deepEqual([sha(file), after.ino, after.mtimeMs], [before.sha, before.stat.ino, before.stat.mtimeMs]);
  assert.deepEqual(fs.readdirSync(dir), ['bank_transactions.csv']);
  fs.rmSync(dir, { recursive: true });
});

test('the generator version changes with the code that decides the bytes, not with the writing machinery or messages', () => {
  const root = tempDir();
  for (const file of importClosure(PROJECT_ROOT, 'src/collect/generate.ts')) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.copyFileSync(path.join(PROJECT_ROOT, file), path.join(root, file));
  }
  const version = generatorVersion(root);
  assert.equal(version, generatorVersion());
  const edit = (file: string) => fs.appendFileSync(path.join(root, file), '\n// edited\n');
  edit('src/io/atomic.ts');
  edit('src/format.ts');
  assert.equal(generatorVersion(root), version, 'the atomic writer and the number format do not change the bytes');
  edit('src/stats/random.ts');
  const afterRandom = generatorVersion(root);
  assert.notEqual(afterRandom, version, 'the random numbers do');
  edit('src/collect/generate.ts');
  assert.notEqual(generatorVersion(root), afterRandom, 'the generator does');
  fs.rmSync(root, { recursive: true });
});
