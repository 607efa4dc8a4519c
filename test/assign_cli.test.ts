/**
 * The monthly flow end to end through the `bankseg` binary: `segment`/`run` write model.json, `assign` scores data
 * with it (the training data gives back the training labels, on the real rows and on the full default data), the
 * drift figure and report are written; `generate --next-period` and `migrate` show the migration; bad arguments and
 * unusable models are one line. Every file is read back and checked against the others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REAL_RAW } from './helpers/real-data';
import { banksegSync, CliResult } from './helpers/cli';
import { splitCsvLine } from './helpers/naive-csv';
import { defaultRawPath } from '../src/collect/generate';


/** Runs `bankseg`; small inputs skip the stage cache (it keeps three entries: leave them to the big default data). */
function bankseg(args: string[], cache = false): CliResult {
  return banksegSync(args, cache ? {} : { BANKSEG_NO_CACHE: '1' }, 600_000);
}

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-assign-'));

/** A CSV's header and the named columns, read in one pass with the tests' own parser. */
function columns(file: string, names: readonly string[]): { header: string[]; values: string[][] } {
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const header = splitCsvLine(lines[0]);
  const at = names.map((name) => {
    const j = header.indexOf(name);
    assert.ok(j >= 0, `${path.basename(file)} has a ${name} column`);
    return j;
  });
  const values = names.map(() => new Array<string>(lines.length - 1));
  for (let i = 1; i < lines.length; i++) {
    const fields = splitCsvLine(lines[i]);
    at.forEach((j, c) => (values[c][i - 1] = fields[j]));
  }
  return { header, values };
}

function column(file: string, name: string): { header: string[]; values: string[] } {
  const { header, values } = columns(file, [name]);
  return { header, values: values[0] };
}

/**
 * The key, segment and RFM segment of each row of customers.csv or assignments.csv, found by position: the key is the
 * first field (it holds no comma), and the fields after the last text column that may be quoted (location in
 * customers.csv) hold none either, so they are counted from the end of the line. Much faster than parsing every field
 * of a million lines, and checked against the full parser on the first lines.
 */
function labelsOf(file: string): { keys: string[]; segment: string[]; rfm: string[] } {
  const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
  const header = splitCsvLine(lines[0]);
  const fromEnd = (name: string) => header.length - 1 - header.indexOf(name);
  const [segmentAt, rfmAt] = [fromEnd('segment'), fromEnd('rfmSegment')];
  const keys: string[] = [];
  const segment: string[] = [];
  const rfm: string[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    const tail: string[] = [];
    let end = line.length;
    for (let f = 0; f <= Math.max(segmentAt, rfmAt); f++) {
      const comma = line.lastIndexOf(',', end - 1);
      tail.push(line.slice(comma + 1, end));
      end = comma;
    }
    keys.push(line.slice(0, line.indexOf(',')));
    segment.push(tail[segmentAt]);
    rfm.push(tail[rfmAt]);
    if (i <= 100) {
      const fields = splitCsvLine(line);
      assert.deepEqual([keys[i - 1], segment[i - 1], rfm[i - 1]], [fields[0], fields[header.indexOf('segment')], fields[header.indexOf('rfmSegment')]]);
    }
  }
  return { keys, segment, rfm };
}

/** Asserts that `assignments.csv` gives every customer of `customers.csv` the same segment and RFM segment, in the same order. */
function sameLabels(customersCsv: string, assignmentsCsv: string): number {
  const trained = labelsOf(customersCsv);
  const assigned = labelsOf(assignmentsCsv);
  for (const part of ['keys', 'segment', 'rfm'] as const) {
    const differ = trained[part].findIndex((v, i) => v !== assigned[part][i]);
    assert.equal(differ, -1, `${part} of customer ${differ}: ${trained[part][differ]} at training, ${assigned[part][differ]} assigned`);
  }
  assert.equal(assigned.keys.length, trained.keys.length);
  return trained.keys.length;
}

test('segment writes model.json; assign on the same real rows gives back every label; the files agree', () => {
  const dir = tmp();
  const seg = bankseg(['segment', '--input', REAL_RAW, '--k', '4', '--out', path.join(dir, 'fit'), '--figures', path.join(dir, 'fit')]);
  assert.equal(seg.code, 0, seg.stderr);
  assert.match(seg.stdout, /model\.json/);
  const model = JSON.parse(fs.readFileSync(path.join(dir, 'fit', 'model.json'), 'utf8'));
  assert.equal(model.formatVersion, 1);
  assert.equal(model.training.customers, 19_999);
  assert.equal(model.training.inputSha256.length, 64);
  assert.equal(model.k, 4);

  const out = path.join(dir, 'assign');
  const r = bankseg(['assign', '--model', path.join(dir, 'fit', 'model.json'), '--input', REAL_RAW, '--out', out, '--figures', out, '--no-figures']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^assigned 19,999 customers to the 4 segments of /);
  assert.match(r.stdout, /Keep the model: every PSI is below 0\.1/);
  assert.equal(sameLabels(path.join(dir, 'fit', 'customers.csv'), path.join(out, 'assignments.csv')), 19_999);
  const { header } = column(path.join(out, 'assignments.csv'), 'distance');
  assert.deepEqual(header, [
    'customer', 'CustomerID', 'recencyDays', 'monetaryTotal', 'balance', 'age',
    'z_recencyDays', 'z_monetaryTotal', 'z_balance', 'z_age', 'segment', 'segmentName', 'distance', 'rfmR', 'rfmF', 'rfmM', 'rfmSegment',
  ]);
  // assignment.json: counts per segment as counted from assignments.csv, the training shares from segments.json.
  const doc = JSON.parse(fs.readFileSync(path.join(out, 'assignment.json'), 'utf8'));
  const training = JSON.parse(fs.readFileSync(path.join(dir, 'fit', 'segments.json'), 'utf8'));
  const labels = column(path.join(out, 'assignments.csv'), 'segment').values;
  for (const s of doc.segments as { id: number; customers: number; trainingShare: number }[]) {
    assert.equal(s.customers, labels.filter((x) => Number(x) === s.id).length);
    assert.ok(Math.abs(s.trainingShare - training.segments[s.id].share) < 1e-9);
  }
  assert.equal(doc.model.sha256.length, 64);
  assert.equal(doc.drift.reading, 'stable');
  assert.ok(fs.readFileSync(path.join(out, 'assignment.md'), 'utf8').includes(doc.drift.recommendation));
});

test('assign and migrate: one line for a bad command line or an unusable model, nothing written', () => {
  const dir = tmp();
  const cases: [string[], number, RegExp][] = [
    [['assign', '--input', REAL_RAW], 2, /--model FILE is required/],
    [['assign', '--model', 'm.json'], 2, /--input FILE or --url URL is required/],
    [['assign', '--model', 'm.json', '--url', 'postgres://u@h/db', '--push-down'], 2, /--push-down is not available for assign/],
    [['assign', '--model', path.join(dir, 'none.json'), '--input', REAL_RAW, '--out', dir], 1, /none\.json: cannot read the model \(no such file\)/],
    [['migrate', '--model', 'm.json', '--input', REAL_RAW, '--period', 'week'], 2, /--period expects month or input, got "week"/],
    [['migrate', '--model', 'm.json', '--input', REAL_RAW, '--as-of', '2016-08-31,2016-9-30'], 2, /--as-of expects dates as YYYY-MM-DD separated by commas, got "2016-9-30"/],
    [['migrate', '--model', 'm.json', '--input', REAL_RAW, '--period', 'input'], 2, /--period input needs two or more --input files/],
  ];
  for (const [args, code, message] of cases) {
    const r = bankseg(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, message);
  }
  const other = path.join(dir, 'v2.json');
  fs.writeFileSync(other, JSON.stringify({ format: 'bankseg-model', formatVersion: 2, bankseg: '9.0.0' }));
  const r = bankseg(['assign', '--model', other, '--input', REAL_RAW, '--out', dir]);
  assert.equal(r.code, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /v2\.json: model format version 2 \(written by bankseg 9\.0\.0\); this bankseg reads version 1/);
  assert.deepEqual(fs.readdirSync(dir), ['v2.json'], 'nothing written');
});

test('the monthly flow on generated data: fit, generate the next period, assign it (with the drift figure), migrate (with the Sankey)', () => {
  const dir = tmp();
  const p1 = path.join(dir, 'p1.csv');
  const p2 = path.join(dir, 'p2.csv');
  assert.equal(bankseg(['generate', '--rows', '20000', '--out', p1]).code, 0);
  const next = bankseg(['generate', '--next-period', '--rows', '20000', '--out', p2]);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stdout, /2016-11-01 to 2017-01-21/);
  assert.equal(bankseg(['segment', '--input', p1, '--k', '4', '--out', dir, '--figures', dir]).code, 0);
  const model = path.join(dir, 'model.json');

  const a = bankseg(['assign', '--model', model, '--input', p2, '--out', dir, '--figures', dir]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /^(Keep the model|Watch|Refit): /m);
  for (const ext of ['png', 'svg', 'html']) assert.ok(fs.statSync(path.join(dir, `drift_psi.${ext}`)).size > 1000, `drift_psi.${ext}`);
  assert.deepEqual([...fs.readFileSync(path.join(dir, 'drift_psi.png')).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);

  const m = bankseg(['migrate', '--model', model, '--input', p1, '--input', p2, '--out', dir, '--figures', dir]);
  assert.equal(m.code, 0, m.stderr);
  assert.match(m.stdout, /^2 periods: p1\.csv \(19,953 customers\), p2\.csv \(/);
  assert.ok(fs.statSync(path.join(dir, 'segment_migration.png')).size > 1000);
  const doc = JSON.parse(fs.readFileSync(path.join(dir, 'migration.json'), 'utf8'));
  const t = doc.transitions[0];
  // migration.csv: one row per customer, the matrix counted again from it.
  const lines = fs.readFileSync(path.join(dir, 'migration.csv'), 'utf8').trimEnd().split('\n').slice(1).map(splitCsvLine);
  assert.equal(lines.length, doc.customers);
  const k = doc.model.k;
  const counts = Array.from({ length: k + 1 }, () => new Array(k + 1).fill(0));
  for (const row of lines) counts[row[2] === '' ? k : Number(row[2])][row[3] === '' ? k : Number(row[3])]++;
  assert.deepEqual(counts, t.counts);
  assert.ok(fs.readFileSync(path.join(dir, 'migration.md'), 'utf8').includes(t.sentences[0]));
});

test('the full default data: run writes model.json, assign gives back all 1,045,533 labels; months: October left out', { timeout: 900_000 }, () => {
  // The stages come from the project's cache when an earlier run computed them (the default data, generated if missing).
  const dir = tmp();
  let started = Date.now();
  const run = bankseg(['run', '--no-figures', '--out', dir, '--figures', dir], true);
  assert.equal(run.code, 0, run.stderr);
  process.stdout.write(`# run: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  started = Date.now();
  const a = bankseg(['assign', '--model', path.join(dir, 'model.json'), '--input', defaultRawPath(), '--out', path.join(dir, 'a'), '--figures', path.join(dir, 'a'), '--no-figures'], true);
  const seconds = (Date.now() - started) / 1000;
  assert.equal(a.code, 0, a.stderr);
  started = Date.now();
  assert.equal(sameLabels(path.join(dir, 'customers.csv'), path.join(dir, 'a', 'assignments.csv')), 1_045_533);
  process.stdout.write(`# compared in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  process.stdout.write(`# assign on the 1,048,567-row default file: ${seconds.toFixed(1)} s; model.json ${fs.statSync(path.join(dir, 'model.json')).size} bytes\n`);

  started = Date.now();
  const m = bankseg(['migrate', '--model', path.join(dir, 'model.json'), '--input', defaultRawPath(), '--out', dir, '--figures', dir, '--no-figures']);
  process.stdout.write(`# migrate: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  assert.equal(m.code, 0, m.stderr);
  const doc = JSON.parse(fs.readFileSync(path.join(dir, 'migration.json'), 'utf8'));
  assert.deepEqual(doc.periods.map((p: { label: string; activeDays: number }) => [p.label, p.activeDays]), [['2016-08', 31], ['2016-09', 22]]);
  assert.deepEqual(doc.leftOut.map((p: { label: string; activeDays: number; fewDays: string[] }) => [p.label, p.activeDays, p.fewDays]), [['2016-10', 2, ['16 October', '21 October']]]);
  assert.match(m.stdout, /left out: 2016-10 \(transactions on 2 of its 31 days\)/);
});
