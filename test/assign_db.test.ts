/**
 * `bankseg assign --url` and `migrate --url`: the same transactions in PostgreSQL (db-import of the real rows) give the
 * same assignments as the file, byte for byte, with the training caps applied in bankseg; `--push-down` is refused in
 * one line (the caps are applied to the rows in bankseg).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { importTransactionsFile } from '../src/collect/db/import';
import { PgServer, startPgServer } from './helpers/pg-server';
import { REAL_RAW } from './helpers/real-data';
import { banksegSync, CliResult } from './helpers/cli';


const bankseg = (args: string[]): CliResult => banksegSync(args, { BANKSEG_NO_CACHE: '1' }, 300_000);

let server: PgServer;
let dir: string;

before(async () => {
  server = await startPgServer();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-assign-db-'));
  process.env.BANKSEG_QUIET = '1';
  await importTransactionsFile(server.url, REAL_RAW, 'raw_tx');
});

after(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  server?.stop();
});

test('assign and migrate from PostgreSQL give the files they give from the CSV; --push-down is refused in one line', () => {
  const fit = path.join(dir, 'fit');
  assert.equal(bankseg(['segment', '--input', REAL_RAW, '--k', '4', '--out', fit, '--figures', fit]).code, 0);
  const model = path.join(fit, 'model.json');

  const fromFile = path.join(dir, 'file');
  const fromDb = path.join(dir, 'db');
  const a = bankseg(['assign', '--model', model, '--input', REAL_RAW, '--out', fromFile, '--figures', fromFile, '--no-figures']);
  assert.equal(a.code, 0, a.stderr);
  const b = bankseg(['assign', '--model', model, '--url', server.url, '--table', 'raw_tx', '--out', fromDb, '--figures', fromDb, '--no-figures']);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(fs.readFileSync(path.join(fromDb, 'assignments.csv'), 'utf8'), fs.readFileSync(path.join(fromFile, 'assignments.csv'), 'utf8'));
  // assignment.json differs only where it names the source.
  const docA = JSON.parse(fs.readFileSync(path.join(fromFile, 'assignment.json'), 'utf8'));
  const docB = JSON.parse(fs.readFileSync(path.join(fromDb, 'assignment.json'), 'utf8'));
  assert.deepEqual(docB.segments, docA.segments);
  assert.deepEqual(docB.drift, docA.drift);
  assert.equal(docB.drift.reading, 'stable');

  const p = bankseg(['assign', '--model', model, '--url', server.url, '--table', 'raw_tx', '--push-down', '--out', fromDb]);
  assert.equal(p.code, 2);
  assert.equal(p.stderr.trim().split('\n').length, 1);
  assert.match(p.stderr, /--push-down is not available for assign/);

  // migrate: the real rows support one month only (August); two as-of dates cut two halves of it and the rest.
  const mFile = path.join(dir, 'mfile');
  const mDb = path.join(dir, 'mdb');
  const periods = ['--as-of', '2016-08-15,2016-08-31'];
  const m1 = bankseg(['migrate', '--model', model, '--input', REAL_RAW, ...periods, '--out', mFile, '--figures', mFile, '--no-figures']);
  assert.equal(m1.code, 0, m1.stderr);
  const m2 = bankseg(['migrate', '--model', model, '--url', server.url, '--table', 'raw_tx', ...periods, '--out', mDb, '--figures', mDb, '--no-figures']);
  assert.equal(m2.code, 0, m2.stderr);
  assert.equal(fs.readFileSync(path.join(mDb, 'migration.csv'), 'utf8'), fs.readFileSync(path.join(mFile, 'migration.csv'), 'utf8'));
  const month = bankseg(['migrate', '--model', model, '--url', server.url, '--table', 'raw_tx', '--out', mDb, '--no-figures']);
  assert.equal(month.code, 1);
  assert.equal(month.stderr.trim().split('\n').length, 1, month.stderr);
  assert.match(month.stderr, /the data supports only one period \(2016-08: transactions on 31 of its 31 days, 655 rows\).*Give the periods with --as-of/);
});
