/**
 * Hostile inputs and faults (issue 11): a full disk, a read-only folder, a kill during a write, a stale or damaged
 * cache, degenerate data, passwords in URLs, negative and out-of-range numbers, a database that goes away. Every
 * input is generated here (nothing large is committed); faults are real: a 2 MB tmpfs, a read-only bind mount,
 * signals sent to a real child process, bytes flipped in real cache files, a real PostgreSQL server whose backend is
 * terminated. Mounting needs root; without it those tests are reported as skipped, with the reason.
 * The test names carry the item numbers.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../src/cli/main';
import { OutputSet, writeFileAtomicAsync } from '../src/io/atomic';
import { writeGeneratedCsv } from '../src/collect/generate';
import { cachedLoad } from '../src/preprocess/load_cache';
import { loadData } from '../src/preprocess/load';
import { cachedSegmentation } from '../src/segment/cached';
import { segmentCustomers } from '../src/segment/index';
import { createRng } from '../src/stats/random';
import { describeSource } from '../src/notebook/data';
import { startPgServer } from './helpers/pg-server';
import { BIN, banksegStart, banksegSync, CliResult } from './helpers/cli';
import type { PgServer } from './helpers/pg-server';
import { Client } from 'pg';
import { query } from './helpers/pg-query';

const isRoot = process.getuid?.() === 0;
const NEEDS_ROOT = !isRoot && 'needs root to mount a tmpfs or a read-only bind mount';

const made: string[] = [];
const mounts: string[] = [];
after(() => {
  for (const m of mounts.reverse()) spawnSync('umount', [m]);
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});
function tmp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-hostile-'));
  made.push(dir);
  return dir;
}
function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error}`);
}
/** A fresh tmpfs of `size` (e.g. `2m`), unmounted after the tests. */
function mountTmpfs(size: string): string {
  const dir = tmp();
  run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}
/** A read-only view of a new folder holding `files`, unmounted after the tests. */
function readOnlyFolder(files: Record<string, string>): string {
  const source = tmp();
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(source, name), text);
  const view = tmp();
  run('mount', ['--bind', source, view]);
  mounts.push(view);
  run('mount', ['-o', 'remount,bind,ro', view]);
  return view;
}

/** The cache of every child bankseg: a folder of this test file, never the clone's data/. */
let cacheRoot = '';
/** A small generated transactions file (2,000 rows), shared by the tests that need ordinary data. */
let small = '';
before(async () => {
  cacheRoot = tmp();
  small = path.join(tmp(), 'small.csv');
  await writeGeneratedCsv(small, { rows: 2000, seed: 7 });
});

/** The binary with this file's own cache folder. */
function bankseg(args: string[], env: Record<string, string> = {}): CliResult {
  return banksegSync(args, { BANKSEG_CACHE_ROOT: cacheRoot, ...env });
}

/** The files of a folder with their text, to compare before and after. */
function snapshot(dir: string): Record<string, string> {
  const files = fs.readdirSync(dir).sort().filter((name) => fs.statSync(path.join(dir, name)).isFile());
  return Object.fromEntries(files.map((name) => [name, fs.readFileSync(path.join(dir, name), 'latin1')]));
}
/** Every file under `dir` (relative paths), folders left out. */
function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((p) => fs.statSync(path.join(dir, p)).isFile()).sort();
}
function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
}
const OLD_RESULTS = { 'customers.csv': 'old customers\n', 'segments.json': '{"old": true}\n' };
const OLD_REPORT = { 'insights.md': '# old report\n', 'insights.html': '<p>old report</p>\n' };

/** Captures what `main` writes to stderr. */
async function mainErr(argv: string[]): Promise<{ code: number; stderr: string }> {
  const write = process.stderr.write;
  let stderr = '';
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  try {
    return { code: await main(argv), stderr };
  } finally {
    process.stderr.write = write;
  }
}

test('1. disk full during a write: one line naming the file and "no space left", exit 1, the old set untouched, no temporary left', { skip: NEEDS_ROOT }, () => {
  const reference = tmp();
  const first = bankseg(['segment', '--input', small, '--out', reference, '--figures', reference]);
  assert.equal(first.code, 0, first.stderr);
  const csvBytes = fs.statSync(path.join(reference, 'customers.csv')).size;

  const disk = mountTmpfs('2m');
  writeFiles(disk, { ...OLD_RESULTS, ...OLD_REPORT });
  // Room for the new customers.csv and one page more: the next file of the set does not fit.
  const { bavail, bsize } = fs.statfsSync(disk);
  const room = (Math.ceil(csvBytes / bsize) + 1) * bsize;
  assert.ok(bavail * bsize > room, `the 2 MB tmpfs must hold customers.csv (${csvBytes} bytes)`);
  fs.writeFileSync(path.join(disk, 'filler'), Buffer.alloc(bavail * bsize - room));
  const before = snapshot(disk);

  const r = bankseg(['segment', '--input', small, '--out', disk, '--figures', disk]);
  assert.deepEqual(snapshot(disk), before, 'the old outputs and nothing else');
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], new RegExp(`^bankseg segment: cannot write ${disk}/(segments\\.json|insights\\.md|insights\\.html): no space left on device$`));
});

test('1. disk full under the cache: the command still succeeds and says in one line that the entry was not written', { skip: NEEDS_ROOT }, async () => {
  const disk = mountTmpfs('2m');
  const { bavail, bsize } = fs.statfsSync(disk);
  fs.writeFileSync(path.join(disk, 'filler'), Buffer.alloc((bavail - 8) * bsize));
  const warnings: string[] = [];
  const data = await cachedLoad({ input: small }, { root: disk, warn: (line) => warnings.push(line) });
  assert.deepEqual(data.features, (await loadData({ input: small })).features);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /^bankseg: cannot write \S+: no space left on device; continuing without caching this result$/);
  assert.deepEqual(filesUnder(disk), ['filler'], 'no entry, no temporary');
});

test('2. a read-only --figures folder (or a file in its place): nothing is replaced, one line names the folder', async () => {
  const out = tmp();
  writeFiles(out, OLD_RESULTS);
  const cases: [string, string, RegExp][] = [];
  const inTheWay = path.join(tmp(), 'figures');
  fs.writeFileSync(inTheWay, 'a file where the folder should be\n');
  cases.push(['a file in the way', inTheWay, /: a file of that name is in the way$/]);
  if (isRoot) cases.push(['a read-only bind mount', readOnlyFolder(OLD_REPORT), /: read-only file system$/]);
  for (const [what, figures, reason] of cases) {
    const before = { out: snapshot(out), figures: fs.statSync(figures).isDirectory() ? snapshot(figures) : {} };
    const r = bankseg(['segment', '--input', small, '--out', out, '--figures', figures]);
    assert.equal(r.code, 1, `${what}: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${what}: ${r.stderr}`);
    assert.ok(lines[0].startsWith(`bankseg segment: cannot write to ${figures}`), `${what}: ${lines[0]}`);
    assert.match(lines[0], reason, what);
    assert.deepEqual(snapshot(out), before.out, `${what}: customers.csv and segments.json untouched`);
    if (fs.statSync(figures).isDirectory()) assert.deepEqual(snapshot(figures), before.figures, what);
  }
});

test('2. a set whose last rename fails puts back the files it already replaced; a short file is never renamed into place', async () => {
  const dir = tmp();
  writeFiles(dir, { 'a.csv': 'old a\n' });
  const outputs = new OutputSet();
  await outputs.write(path.join(dir, 'a.csv'), 'new a\n');
  await outputs.write(path.join(dir, 'b.json'), 'new b\n');
  fs.mkdirSync(path.join(dir, 'b.json')); // appears after b was staged: its rename fails (EISDIR)
  await assert.rejects(outputs.commit(), { name: 'InputError', message: new RegExp(`^cannot write ${dir}/b\\.json: `) });
  assert.deepEqual(snapshot(dir), { 'a.csv': 'old a\n' }, 'a.csv has its old content back, no temporary is left');
  assert.deepEqual(fs.readdirSync(dir).sort(), ['a.csv', 'b.json']);

  // A producer that reports more bytes than reached the file (a stream that lost some): refused, old file kept.
  await assert.rejects(
    writeFileAtomicAsync(path.join(dir, 'a.csv'), async (temp) => {
      fs.writeFileSync(temp, 'abc');
      return 5;
    }),
    { name: 'InputError', message: /a\.csv: the file has 3 bytes after writing 5$/ },
  );
  assert.deepEqual(snapshot(dir), { 'a.csv': 'old a\n' });
});

/** Resolves when `check` returns a value other than undefined (polling every 10 ms), or rejects after `ms`. */
async function waitFor<T>(check: () => T | undefined, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('11. SIGTERM or SIGINT while writing removes the temporary file; one left by kill -9 is removed by the next write there', { timeout: 180_000 }, async () => {
  // One child per signal, at the same time, each writing its own folder.
  const runs = (['SIGTERM', 'SIGINT', 'SIGKILL'] as const).map(async (signal) => {
    const dir = tmp();
    const target = path.join(dir, 'tx.csv');
    fs.writeFileSync(target, 'old\n');
    const child = spawn(process.execPath, [BIN, 'generate', '--rows', '250000', '--out', target], {
      env: { ...process.env, BANKSEG_QUIET: '1' },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, how) => resolve(how)));
    // Mid-write: the temporary exists and has bytes in it.
    const temp = await waitFor(
      () => fs.readdirSync(dir).find((n) => n.startsWith('.tx.csv.tmp-') && fs.statSync(path.join(dir, n)).size > 0),
      120_000,
      `${signal}: the temporary file of generate`,
    );
    assert.ok(temp.startsWith(`.tx.csv.tmp-${child.pid}-`), temp);
    child.kill(signal);
    assert.equal(await exited, signal, `${signal}: the child died of the signal`);
    assert.equal(fs.readFileSync(target, 'utf8'), 'old\n', `${signal}: the old file is untouched`);
    return { signal, dir, target, temp };
  });
  for (const { signal, dir, target, temp } of await Promise.all(runs)) {
    if (signal !== 'SIGKILL') {
      assert.deepEqual(fs.readdirSync(dir), ['tx.csv'], `${signal}: no temporary left`);
      continue;
    }
    // kill -9 cannot be caught: the temporary stays until the next write into the folder, which removes it.
    assert.deepEqual(fs.readdirSync(dir).sort(), [temp, 'tx.csv']);
    const next = bankseg(['generate', '--rows', '10', '--out', target]);
    assert.equal(next.code, 0, next.stderr);
    assert.deepEqual(fs.readdirSync(dir), ['tx.csv'], 'the dead process\'s temporary was swept');
  }
});

/** Changes one digit of the first amount in the file (same size), as a different export of the same day might. */
function changeOneAmount(file: string): void {
  const lines = fs.readFileSync(file, 'latin1').split('\n');
  const amount = lines[0].split(',').indexOf('TransactionAmount (INR)');
  assert.equal(amount, lines[0].split(',').length - 1, 'the amount is the last column');
  const row = lines[1].split(',');
  const digit = row[amount].search(/[1-8]/);
  row[amount] = row[amount].slice(0, digit) + String(Number(row[amount][digit]) + 1) + row[amount].slice(digit + 1);
  lines[1] = row.join(',');
  fs.writeFileSync(file, lines.join('\n'), 'latin1');
}

test('4. the cache keys the input by content: other bytes with the same size and date (touch -r) are recomputed', async () => {
  const root = tmp();
  const input = path.join(tmp(), 'tx.csv');
  fs.copyFileSync(small, input);
  const first = await cachedLoad({ input }, { root });
  const reference = path.join(tmp(), 'reference.csv');
  run('cp', ['-p', input, reference]);
  changeOneAmount(input);
  run('touch', ['-r', reference, input]);
  const [was, is] = [fs.statSync(reference), fs.statSync(input)];
  assert.deepEqual([is.size, is.mtimeMs], [was.size, was.mtimeMs], 'same size and modification time');

  const second = await cachedLoad({ input }, { root });
  assert.equal(second.cache.hit, false);
  const fresh = await loadData({ input });
  assert.deepEqual(second.raw.transactionAmount, fresh.raw.transactionAmount);
  assert.notDeepEqual(second.raw.transactionAmount, first.raw.transactionAmount);
  assert.deepEqual(second.features, fresh.features);
});

/** Damages that a cache file can suffer on disk. */
const DAMAGES: [string, (file: string) => void, RegExp][] = [
  ['one flipped byte', (file) => flip(file, [0.5]), /checksum mismatch/],
  ['64 flipped bytes', (file) => flip(file, Array.from({ length: 64 }, (_, i) => (i + 0.5) / 64)), /checksum mismatch/],
  ['a truncated file', (file) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2)), /[\d,]+ of [\d,]+ bytes/],
];
/** Inverts the byte at each relative position of the file. */
function flip(file: string, at: number[]): void {
  const bytes = fs.readFileSync(file);
  for (const p of at) bytes[Math.floor(p * (bytes.length - 1))] ^= 0xff;
  fs.writeFileSync(file, bytes);
}

test('5. a damaged cache file (one or 64 flipped bytes, truncated) is discarded with one line and recomputed', async () => {
  const root = tmp();
  const fresh = await loadData({ input: small });
  for (const [what, damage, says] of DAMAGES) {
    const entry = await cachedLoad({ input: small }, { root });
    const file = path.join(root, entry.cache.dirs[1], 'customer_features.arrow');
    damage(file);
    const warnings: string[] = [];
    const again = await cachedLoad({ input: small }, { root, warn: (line) => warnings.push(line) });
    assert.equal(again.cache.hit, false, what);
    assert.equal(warnings.length, 1, `${what}: ${warnings.join('\n')}`);
    assert.match(warnings[0], /^bankseg: cache entry \S+ \+ \S+ is damaged \(customer_features\.arrow: .*\); discarded, recomputing$/, what);
    assert.match(warnings[0], says, what);
    assert.deepEqual(again.features, fresh.features, what);
    assert.equal((await cachedLoad({ input: small }, { root })).cache.hit, true, `${what}: the entry is whole again`);
  }

  // The segmentation's entry too.
  const opts = { kMin: 2, kMax: 3, nInit: 1, seed: 3, silhouetteSampleSize: 300, stabilityRuns: 2 };
  const seg = await cachedSegmentation(fresh.features, opts, { root });
  flip(path.join(root, seg.cache.dirs[0], 'segmentation.arrow'), [0.5]);
  const warnings: string[] = [];
  const again = await cachedSegmentation(fresh.features, opts, { root, warn: (line) => warnings.push(line) });
  assert.equal(again.cache.hit, false);
  assert.match(warnings.join('\n'), /^bankseg: cache entry \S+ is damaged \(segmentation\.arrow: checksum mismatch\); discarded, recomputing$/);
  assert.deepEqual(again.fit.labels, segmentCustomers(fresh.features, opts).fit.labels);
});

const HEADER = 'TransactionID,CustomerID,CustomerDOB,CustGender,CustLocation,CustAccountBalance,TransactionDate,TransactionTime,TransactionAmount (INR)';
/** A transactions file of `groups.length × perGroup` customers, one transaction each; customers of a group are identical but for their ID. */
function identicalCustomers(groups: readonly { amount: string; balance: string }[], perGroup: number): string {
  const file = path.join(tmp(), 'identical.csv');
  const lines = [HEADER];
  groups.forEach((g, j) => {
    for (let i = 0; i < perGroup; i++) lines.push(`T${j}-${i},C${j}-${i},10/1/94,F,MUMBAI,${g.balance},2/8/16,143207,${g.amount}`);
  });
  fs.writeFileSync(file, lines.join('\n') + '\n');
  return file;
}
/** Every text a segment command produced: stdout, stderr and its four files. */
function allText(r: { stdout: string; stderr: string }, out: string): string {
  const files = ['customers.csv', 'segments.json', 'insights.md', 'insights.html'].map((f) => path.join(out, f));
  return [r.stdout, r.stderr, ...files.filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8'))].join('\n');
}

test('8. degenerate data: fewer distinct customers than k is one clear line (or a smaller k, said); never an empty segment or NaN', () => {
  const out = tmp();
  const verbose = { BANKSEG_QUIET: '' };
  // 300 identical customers: nothing to segment.
  const same = bankseg(['segment', '--input', identicalCustomers([{ amount: '25.0', balance: '17819.05' }], 300), '--out', out, '--figures', out], verbose);
  assert.equal(same.code, 1, same.stdout + same.stderr);
  assert.match(same.stderr.trimEnd().split('\n').at(-1)!, /^bankseg segment: all 300 customers have the same .*: there is nothing to segment$/);
  assert.deepEqual(fs.readdirSync(out), [], 'nothing written');

  // Three distinct customers, 100 copies each: k = 5 asked is refused; the sweep stops at 3 and says so.
  const three = identicalCustomers(
    [{ amount: '25.0', balance: '1000.0' }, { amount: '2500.0', balance: '50000.0' }, { amount: '90000.0', balance: '900.0' }],
    100,
  );
  const tooMany = bankseg(['segment', '--input', three, '--k', '5', '--out', out, '--figures', out], verbose);
  assert.equal(tooMany.code, 1, tooMany.stderr);
  assert.match(tooMany.stderr.trimEnd().split('\n').at(-1)!, /^bankseg segment: k = 5 segments need 5 different customers, but these 300 customers have only 3 distinct combinations of .*; ask for k <= 3$/);
  assert.deepEqual(fs.readdirSync(out), [], 'nothing written');

  const auto = bankseg(['segment', '--input', three, '--out', out, '--figures', out], verbose);
  assert.equal(auto.code, 0, auto.stderr);
  assert.match(auto.stderr, /The sweep stopped at k = 3: the customers have only 3 distinct combinations of /);
  const doc = JSON.parse(fs.readFileSync(path.join(out, 'segments.json'), 'utf8'));
  assert.ok(doc.k <= 3, `k = ${doc.k}`);
  assert.deepEqual(doc.kSweep.map((s: { k: number }) => s.k), [2, 3]);
  const sizes = doc.segments.map((s: { size: number }) => s.size);
  assert.ok(sizes.every((n: number) => n > 0), `no empty segment: ${sizes}`);
  assert.equal(sizes.reduce((a: number, b: number) => a + b, 0), 300);
  const text = allText(auto, out);
  assert.doesNotMatch(text, /\bNaN\b|Infinity|: 0 customers/);
});

test('12. --k -3 and --seed -1 say what is wrong with the number, not "argument is ambiguous"', async () => {
  const cases: [string[], string][] = [
    [['segment', '--k', '-3'], 'bankseg segment: --k expects auto or a whole number >= 2, got "-3"'],
    [['segment', '--seed', '-1'], 'bankseg segment: --seed expects a whole number in 0..4294967295, got "-1"'],
    [['run', '--seed', '-1'], 'bankseg run: --seed expects a whole number in 0..4294967295, got "-1"'],
    [['figures', '--k', '-3'], 'bankseg figures: --k expects auto or a whole number >= 2, got "-3"'],
    [['generate', '--rows', '-5'], 'bankseg generate: --rows expects a whole number >= 1, got "-5"'],
  ];
  for (const [argv, line] of cases) assert.deepEqual(await mainErr(argv), { code: 2, stderr: line + '\n' }, argv.join(' '));
});

test('13. seeds out of 0..4294967295 are refused by the library and by every command, never wrapped', async () => {
  // A library caller (a notebook) gets a RangeError instead of seed 0's results for seed 2^32.
  const { features } = await loadData({ input: small });
  for (const seed of [2 ** 32, -1, 0.5, NaN]) {
    assert.throws(() => createRng(seed), { name: 'RangeError', message: `seed must be a whole number in 0..4294967295, got ${seed}` });
    assert.throws(() => segmentCustomers(features, { kMin: 2, kMax: 2, nInit: 1, seed }), { name: 'RangeError' });
  }
  for (const command of ['run', 'segment', 'figures', 'generate']) {
    for (const seed of ['4294967296', '-1', '1.5']) {
      assert.deepEqual(
        await mainErr([command, '--seed', seed]),
        { code: 2, stderr: `bankseg ${command}: --seed expects a whole number in 0..4294967295, got "${seed}"\n` },
        `${command} --seed ${seed}`,
      );
    }
  }
});

test('Also: --no-cache and BANKSEG_NO_CACHE=1 write no entry; a damaged entry is one line; bankseg cache clear removes every entry and nothing else', () => {
  const root = tmp();
  const env = { BANKSEG_CACHE_ROOT: root };
  const processed = path.join(root, 'data', 'processed');
  const interim = path.join(root, 'data', 'interim');
  const figures = tmp();
  const segment = (...extra: string[]) => bankseg(['segment', '--input', small, '--out', processed, '--figures', figures, '--k', '3', ...extra], env);
  const entries = () => [interim, processed].flatMap((d) => (fs.existsSync(d) ? fs.readdirSync(d) : []).filter((n) => !n.endsWith('.csv') && !n.endsWith('.json')));

  const uncached = segment('--no-cache');
  assert.equal(uncached.code, 0, uncached.stderr);
  assert.deepEqual(entries(), []);
  const byEnv = bankseg(['segment', '--input', small, '--out', processed, '--figures', figures, '--k', '3'], { ...env, BANKSEG_NO_CACHE: '1' });
  assert.equal(byEnv.code, 0, byEnv.stderr);
  assert.deepEqual(entries(), []);

  const cached = segment();
  assert.equal(cached.code, 0, cached.stderr);
  assert.equal(cached.stderr, '');
  assert.equal(entries().length, 3, entries().join(', ')); // load in interim and processed, segment in processed
  const outputs = snapshot(processed);
  const load = fs.readdirSync(processed).find((n) => n.startsWith('load-'))!;
  flip(path.join(processed, load, 'customer_features.arrow'), [0.5]);
  const damaged = segment();
  assert.equal(damaged.code, 0, damaged.stderr);
  assert.equal(
    damaged.stderr,
    `bankseg: cache entry data/interim/${load} + data/processed/${load} is damaged (customer_features.arrow: checksum mismatch); discarded, recomputing\n`,
  );
  for (const name of ['customers.csv', 'segments.json']) assert.equal(fs.readFileSync(path.join(processed, name), 'latin1'), outputs[name], name);
  // The saved model too, but for the time it was written.
  const withoutTime = (text: string) => ({ ...JSON.parse(text), createdAt: undefined });
  assert.deepEqual(withoutTime(fs.readFileSync(path.join(processed, 'model.json'), 'latin1')), withoutTime(outputs['model.json']), 'model.json');

  const clear = bankseg(['cache', 'clear'], env);
  assert.equal(clear.code, 0, clear.stderr);
  assert.match(clear.stdout, /^removed 3 cache entries \([\d.]+ MB\) from /);
  assert.deepEqual(entries(), []);
  assert.deepEqual(fs.readdirSync(processed).sort(), ['customers.csv', 'model.json', 'segments.json'], 'the outputs beside the cache stay');
  assert.match(bankseg(['cache', 'clear'], env).stdout, /^the cache in .* is empty$/m);
});

// ---------------------------------------------------------------------------------------------------------------
// A real PostgreSQL server (test/helpers/pg-server.ts): passwords and a database that goes away.

/** The test role's password, set to a marker that no output may contain in any form. */
const MARKER = 'Marker-S3cret-pw';
/** A wrong password, also a marker. */
const WRONG = 'Wrong-M4rker-pw';

async function sqlAsAdmin(server: PgServer, text: string): Promise<void> {
  await query(server.adminUrl, text);
}

/** `bankseg` run asynchronously (the test process keeps serving its own database calls meanwhile). */
function banksegAsync(args: string[], env: Record<string, string> = {}): ReturnType<typeof banksegStart> {
  return banksegStart(args, { BANKSEG_CACHE_ROOT: cacheRoot, ...env });
}

test('10 and 12: passwords never shown; sslmode=require without SSL and a lost connection are one line each', { timeout: 300_000 }, async (t) => {
  let server: PgServer;
  try {
    server = await startPgServer();
  } catch (err) {
    assert.fail(`PostgreSQL is needed for this test (scripts/install.sh installs it): ${(err as Error).message}`);
  }
  t.after(() => server.stop());
  await sqlAsAdmin(server, `ALTER ROLE bankseg_test PASSWORD '${MARKER}'`);
  const hostDb = `127.0.0.1:${server.port}/bankseg_test`;
  const forms: Record<string, { url: string; env: Record<string, string> }> = {
    'user-info': { url: `postgres://bankseg_test:${MARKER}@${hostDb}`, env: {} },
    '?password=': { url: `postgres://bankseg_test@${hostDb}?password=${MARKER}`, env: {} },
    PGPASSWORD: { url: `postgres://bankseg_test@${hostDb}`, env: { PGPASSWORD: MARKER } },
  };
  const wrong = (url: string) => url.replace(MARKER, WRONG);
  const leaks = (what: string, text: string) => {
    for (const secret of [MARKER, WRONG, '12345/678']) assert.ok(!text.includes(secret), `${what} shows a password:\n${text}`);
  };
  const oneLine = (what: string, r: Ran, pattern: RegExp) => {
    assert.equal(r.code, 1, `${what}: ${r.stderr}`);
    const lines = r.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `${what}: ${r.stderr}`);
    assert.match(lines[0], pattern, what);
  };

  // The runs are independent: at most three at a time (imports into the same table wait for each other's lock).
  const runs: [string, string[], Record<string, string>, (r: Ran) => void][] = [];
  for (const [form, { url, env }] of Object.entries(forms)) {
    // db-import's stdout, in every form.
    runs.push([`db-import with the password in ${form}`, ['db-import', '--input', small, '--url', url, '--table', 'tx'], { ...env, BANKSEG_QUIET: '' }, (r) => {
      assert.equal(r.code, 0, `${form}: ${r.stderr}`);
      assert.match(r.stdout, /^loaded 2,000 rows from .* into tx at postgres:\/\/bankseg_test@127\.0\.0\.1:\d+\/bankseg_test(\?password=\*\*\*)? /);
    }]);
    // Wrong password: the connection error.
    runs.push([`wrong password in ${form}`, ['profile', '--url', wrong(url), '--table', 'tx'], form === 'PGPASSWORD' ? { PGPASSWORD: WRONG } : env, (r) =>
      oneLine(`wrong password in ${form}`, r, /cannot connect: password authentication failed for user "bankseg_test"$/)]);
  }
  // A missing table, with the password in the user-info and in the query.
  for (const form of ['user-info', '?password='] as const) {
    runs.push([`missing table, ${form}`, ['profile', '--url', forms[form].url, '--table', 'nope'], {}, (r) => oneLine(`missing table, ${form}`, r, /table nope: no such table/)]);
  }
  // Nobody listening; a URL whose unencoded "/" in the password fools URL parsers.
  runs.push(['connection refused', ['profile', '--url', `postgres://bankseg_test@127.0.0.1:1/x?password=${MARKER}`], {}, (r) =>
    oneLine('connection refused', r, /cannot connect: connection refused/)]);
  runs.push(['a password with an unencoded /', ['profile', '--url', `postgres://bankseg_test:12345/678@${hostDb}`], {}, (r) => assert.equal(r.code, 1, r.stderr)]);
  // 12: sslmode=require on a server without SSL: one line, no Node warning.
  runs.push(['sslmode=require', ['profile', '--url', `${forms['user-info'].url}?sslmode=require`, '--table', 'tx'], {}, (r) =>
    oneLine('sslmode=require', r, /^bankseg profile: postgres:\/\/bankseg_test@\S+\?sslmode=require: cannot connect: the server does not support SSL, which sslmode=require requires$/)]);
  await inPool(runs, 3, async ([what, args, env, check]) => {
    const r = await banksegAsync(args, env).done;
    check(r);
    leaks(what, r.stdout + r.stderr);
  });
  // sslmode=prefer falls back to no encryption (after the imports above made the table).
  const prefer = bankseg(['profile', '--url', `${forms['user-info'].url}?sslmode=prefer`, '--table', 'tx', '--json']);
  assert.equal(prefer.code, 0, prefer.stderr);
  assert.equal(JSON.parse(prefer.stdout).rows, 2000);
  // Every line of a whole segmentation from the database (progress and stage lines on), and its report.
  await Promise.all(['', '--push-down'].map(async (pushDown) => {
    const out = tmp();
    const args = ['segment', '--url', forms['?password='].url, '--table', 'tx', '--k', '3', '--out', out, '--figures', out];
    const segmented = await banksegAsync(pushDown ? [...args, pushDown] : args, { BANKSEG_QUIET: '' }).done;
    assert.equal(segmented.code, 0, segmented.stderr);
    leaks(`segment --url ${pushDown}`, allText(segmented, out));
  }));
  // The notebooks' one-line description of their source.
  const described = describeSource({ BANKSEG_URL: forms['?password='].url });
  assert.equal(described, `BANKSEG_URL=postgres://bankseg_test@${hostDb}?password=*** (table transactions)`);

  // 12: the server goes away during an import: one line, and the old table is still the old one.
  await lostDuringImport(server, forms['user-info'].url);
});

type Ran = { code: number; stdout: string; stderr: string };

/** Runs `work` on every item, at most `size` at a time. */
async function inPool<T>(items: readonly T[], size: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/** Rows of `table` in the test database, counted as the test role. */
async function rowsIn(url: string, table: string): Promise<number> {
  return Number((await query<{ n: string }>(url, `SELECT count(*) AS n FROM ${table}`))[0].n);
}

/**
 * Two ways a connection dies mid-import: while the import waits for its lock (the backend is terminated), and while
 * COPY streams rows (the backend is frozen with SIGSTOP as soon as COPY starts, terminated, then thawed, so the
 * client's writes hit a closed socket: the "write EPIPE" case).
 */
async function lostDuringImport(server: PgServer, url: string): Promise<void> {
  assert.equal(await rowsIn(url, 'tx'), 2000, 'the table imported before');
  const expect = /^bankseg db-import: postgres:\/\/bankseg_test@\S+: importing into tx: connection to the database lost during import; the old table is unchanged$/;
  // Admin connections in the same database: one holds the import lock, one watches pg_stat_activity (a
  // transaction sees a frozen snapshot of it).
  const admin = new Client({ connectionString: server.adminUrl.replace(/\/postgres$/, '/bankseg_test') });
  const holder = new Client({ connectionString: server.adminUrl.replace(/\/postgres$/, '/bankseg_test') });
  await admin.connect();
  await holder.connect();
  const importBackend = async (where: string): Promise<number | undefined> =>
    (await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE application_name = 'bankseg' AND ${where}`)).rows[0]?.pid;
  try {
    // While waiting for the import lock, which the test holds.
    await holder.query('BEGIN');
    await holder.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['bankseg-import:"tx"']);
    const waiting = banksegAsync(['db-import', '--input', small, '--url', url, '--table', 'tx']);
    const pid = await waitForAsync(() => importBackend("wait_event_type = 'Lock'"), 60_000, 'the import waiting for its lock');
    await admin.query('SELECT pg_terminate_backend($1)', [pid]);
    const r1 = await waiting.done;
    await holder.query('ROLLBACK');
    assert.equal(r1.code, 1, r1.stderr);
    assert.match(r1.stderr.trimEnd(), expect);
    assert.equal(await rowsIn(url, 'tx'), 2000, 'the old table is unchanged');

    // While COPY streams rows: frozen as soon as it is seen, so it cannot finish first.
    const big = path.join(tmp(), 'big.csv');
    await writeGeneratedCsv(big, { rows: 150_000, seed: 11 });
    const copying = banksegAsync(['db-import', '--input', big, '--url', url, '--table', 'tx']);
    const copyPid = await waitForAsync(async () => {
      const p = await importBackend("query LIKE 'COPY%' AND state = 'active'");
      if (p !== undefined) process.kill(p, 'SIGSTOP');
      return p;
    }, 120_000, 'the import streaming COPY');
    await admin.query('SELECT pg_terminate_backend($1)', [copyPid]);
    process.kill(copyPid, 'SIGCONT');
    const r2 = await copying.done;
    assert.equal(r2.code, 1, r2.stderr);
    assert.match(r2.stderr.trimEnd(), expect);
    assert.equal(await rowsIn(url, 'tx'), 2000, 'the old table is unchanged');
  } finally {
    await admin.end();
    await holder.end();
  }
}

async function waitForAsync<T>(check: () => Promise<T | undefined>, ms: number, what: string): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}
