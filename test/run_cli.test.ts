/**
 * `bankseg run`, the main job, end to end on the real rows: every promised file is there and consistent with the
 * others (segment sizes counted again from customers.csv), figures are real images, and bad input is one line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REAL_RAW } from './helpers/real-data';
import { banksegSync, CliResult } from './helpers/cli';
import { figureEntries } from '../src/visualize/figure_registry';


const bankseg = (args: string[]): CliResult => banksegSync(args);

test('run writes the segmentation, the report and every figure, consistent with each other', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-run-'));
  const out = path.join(dir, 'processed');
  const figures = path.join(dir, 'figures');
  const { code, stdout, stderr } = bankseg(['run', '--input', REAL_RAW, '--out', out, '--figures', figures, '--k', '3']);
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^3 segments of 19,999 customers/);

  const doc = JSON.parse(fs.readFileSync(path.join(out, 'segments.json'), 'utf8'));
  assert.equal(doc.k, 3);
  assert.deepEqual(doc.kSweep.map((s: { k: number }) => s.k), [2, 3, 4, 5, 6, 7, 8]);

  // Count the segment of every customer from the CSV and compare with the sizes the JSON reports.
  const lines = fs.readFileSync(path.join(out, 'customers.csv'), 'utf8').trimEnd().split('\n');
  const segmentColumn = lines[0].split(',').indexOf('segment');
  const counted = new Map<number, number>();
  for (const line of lines.slice(1)) {
    const s = Number(line.split(',')[segmentColumn]);
    counted.set(s, (counted.get(s) ?? 0) + 1);
  }
  assert.equal(lines.length - 1, 19_999);
  for (const seg of doc.segments as { id: number; size: number; share: number }[]) {
    assert.equal(counted.get(seg.id), seg.size, `segment ${seg.id}`);
    assert.ok(Math.abs(seg.share - seg.size / 19_999) < 1e-9); // segments.json rounds shares to 10 digits
  }

  const report = fs.readFileSync(path.join(figures, 'insights.md'), 'utf8');
  for (const seg of doc.segments as { name: string }[]) assert.ok(report.includes(seg.name), seg.name);
  assert.match(fs.readFileSync(path.join(figures, 'insights.html'), 'utf8'), /<html/i);

  const files = fs.readdirSync(figures);
  const stems = files.filter((f) => f.endsWith('.png')).map((f) => f.slice(0, -4));
  const analysis = [...figureEntries('eda'), ...figureEntries('segments')];
  assert.deepEqual(stems.sort(), analysis.map((f) => f.name).sort(), 'one PNG per registered figure of the analysis (eda, segments)');
  for (const stem of stems) {
    assert.ok(files.includes(`${stem}.svg`) && files.includes(`${stem}.html`), stem);
    const png = fs.readFileSync(path.join(figures, `${stem}.png`));
    assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], `${stem}.png is a PNG`);
  }
});

test('run: a bad k or a missing file is one line on stderr, with exit codes 2 and 1', () => {
  const badK = bankseg(['run', '--input', REAL_RAW, '--k', '1', '--no-figures']);
  assert.equal(badK.code, 2);
  assert.equal(badK.stderr.trim().split('\n').length, 1);
  assert.match(badK.stderr, /--k expects auto or a whole number >= 2/);

  const missing = bankseg(['run', '--input', '/nonexistent/bank.csv', '--no-figures']);
  assert.equal(missing.code, 1);
  assert.equal(missing.stderr.trim().split('\n').length, 1, missing.stderr);
  assert.match(missing.stderr, /\/nonexistent\/bank\.csv: no such file/);
});

test('run lists the malformed rows the reader skipped in the data-quality report on stderr, as profile does', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-run-malformed-'));
  const input = path.join(dir, 'two-malformed.csv');
  const real = fs.readFileSync(REAL_RAW, 'utf8').split('\n');
  // 300 real rows (file lines 2..301), then a time of 99:99:99 (line 302) and a row without a CustomerID (line 303).
  fs.writeFileSync(input, [...real.slice(0, 301), 'Y1,CY1,1/1/90,M,PUNE,10,1/8/16,999999,5', 'Y2,,1/1/90,M,PUNE,10,1/8/16,100000,5'].join('\n') + '\n');
  const loud = { BANKSEG_QUIET: '' }; // the data-quality listing is a stage line
  const r = banksegSync(['run', '--input', input, '--out', dir, '--figures', dir, '--k', '3', '--no-figures'], loud);
  assert.equal(r.code, 0, r.stderr);
  const listing = [
    '  malformed rows skipped by the reader: 2 (not among the rows in)',
    '    line 302: column TransactionTime: value "999999": expected a time HHMMSS (0..235959, minutes and seconds < 60)',
    '    line 303: column CustomerID: value "": expected a customer ID (not empty)',
    '  rows in   300',
  ].join('\n');
  assert.ok(r.stderr.includes(`Data quality\n${listing}\n`), r.stderr);
  const profile = banksegSync(['profile', '--input', input], loud);
  for (const line of listing.split('\n').slice(1, 3)) assert.ok(profile.stdout.includes(`${line}\n`), `profile lists it the same way: ${line}`);
  fs.rmSync(dir, { recursive: true });
});

