/**
 * A saved model applied to new data (src/monitor/): on the training data itself it gives back the training labels,
 * RFM segments and shares with zero drift (the real rows); on generated next periods with known injected drift the
 * PSI finds the drift where it was injected and nowhere else, and the migration matrix counts exactly the customers
 * who returned, went quiet and arrived, with the segment changes made by the injected movers; the periods are those
 * the data supports (the real rows and small generated files here; the full default file in assign_cli.test.ts).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeGeneratedCsv, writeNextPeriodCsv } from '../src/collect/generate';
import type { DriftOptions, NextPeriodResult } from '../src/collect/generate';
import { readSource } from '../src/collect/source';
import { loadData } from '../src/preprocess/load';
import { segmentCustomers } from '../src/segment/index';
import { profileSegmentation } from '../src/insights/profile';
import { buildModel } from '../src/model/build';
import { modelJson, parseModel } from '../src/model/model';
import type { SegmentModel } from '../src/model/model';
import { assignCustomers, modelLoadOptions } from '../src/monitor/assign';
import { migrate, planPeriods } from '../src/monitor/migration';
import { assignmentBlocks, migrationBlocks, renderBlocks } from '../src/monitor/report';
import { dayNumber, isoDate, keyTexts } from '../src/table';
import { REAL_RAW } from './helpers/real-data';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-monitor-'));
const P1 = path.join(dir, 'p1.csv');
const ROWS = 20_000;

/** A model fitted (k = 4) on a file, through its text (what `assign` reads). */
async function modelOf(input: string): Promise<{ model: SegmentModel; labels: Int32Array; data: Awaited<ReturnType<typeof loadData>> }> {
  const data = await loadData({ input });
  const seg = profileSegmentation(data.features, segmentCustomers(data.features, { k: 4, kMin: 4, kMax: 4 }));
  return { model: parseModel(modelJson(buildModel(seg, data))), labels: seg.fit.labels, data };
}

let trained: Awaited<ReturnType<typeof modelOf>>;
before(async () => {
  await writeGeneratedCsv(P1, { rows: ROWS, seed: 42 });
  trained = await modelOf(P1);
});

test('assigning the real rows with the model fitted on them gives back its labels, RFM segments and shares; no drift', async () => {
  const { model, labels, data } = await modelOf(REAL_RAW);
  const again = await loadData(modelLoadOptions(model, { input: REAL_RAW }));
  const a = assignCustomers(model, again);
  assert.deepEqual(keyTexts(a.data.features.customerId), keyTexts(data.features.customerId));
  assert.deepEqual(a.scores.labels, labels);
  a.segments.forEach((s) => {
    assert.equal(s.customers, model.segments[s.id].customers);
    s.nameWords.forEach((w) => assert.ok(Math.abs(w.share - w.trainingShare) < 1e-12, `${s.name}: ${w.word}`));
    assert.deepEqual(s.distance, s.trainingDistance);
  });
  a.rfmSegments.forEach((r) => assert.ok(Math.abs(r.share - r.trainingShare) < 1e-12, r.name));
  for (const v of [...a.drift.features, a.drift.segments]) assert.equal(v.psi, 0, v.variable);
  assert.match(a.drift.recommendation, /^Keep the model: every PSI is below 0\.1/);
  assert.equal(a.window.days, 82);
  // The report says what it rests on, from these numbers.
  const { md } = renderBlocks(assignmentBlocks(a));
  assert.match(md, /19,999 customers, 2016-08-01 to 2016-10-21; recency from 2016-10-21/);
  assert.match(md, /this data's is 82 \(2016-08-01 to 2016-10-21\)/);
});

/** The customer key of a person as the generator wrote them (docs/data-model.md rule 10, by hand): two-digit birth
 * years are 20yy up to 16 (the first transaction year, 2016) and 19yy after; the generator's years are 1921–2013. */
function keyOf(p: { customerId: string; dob: string; gender: string }): string {
  let dob = '?';
  const m = /^(\d+)\/(\d+)\/(\d\d)$/.exec(p.dob);
  if (m) {
    const yy = Number(m[3]);
    dob = isoDate(dayNumber(yy <= 16 ? 2000 + yy : 1900 + yy, Number(m[2]), Number(m[1])));
  }
  return `${p.customerId}|${dob}|${p.gender === 'M' || p.gender === 'F' ? p.gender : '?'}`;
}

async function nextPeriod(name: string, drift: DriftOptions): Promise<{ file: string; truth: NextPeriodResult }> {
  const file = path.join(dir, name);
  const truth = await writeNextPeriodCsv(file, { rows: ROWS, seed: 42, drift, truth: true });
  return { file, truth };
}

test('no injected drift: every PSI reads stable and the segment shares stay', async () => {
  const { file } = await nextPeriod('same.csv', { returning: 0.5, moving: 0, arriving: 0.25 });
  const a = assignCustomers(trained.model, await loadData(modelLoadOptions(trained.model, { input: file })));
  for (const v of [...a.drift.features, a.drift.segments]) assert.equal(v.reading, 'stable', `${v.variable}: ${v.psi}`);
  assert.match(a.drift.recommendation, /^Keep the model/);
});

test('injected balance drift: the PSI of balance reads refit, the other features stay stable; the report says so', async () => {
  const { file, truth } = await nextPeriod('richer.csv', { returning: 0.6, moving: 1, balanceFactor: 30, arriving: 0 });
  assert.equal(truth.moved, truth.returned + truth.moved);
  const a = assignCustomers(trained.model, await loadData(modelLoadOptions(trained.model, { input: file })));
  const byName = new Map(a.drift.features.map((v) => [v.variable, v]));
  assert.equal(byName.get('balance')?.reading, 'refit', String(byName.get('balance')?.psi));
  for (const f of ['recencyDays', 'monetaryTotal', 'age']) assert.equal(byName.get(f)?.reading, 'stable', `${f}: ${byName.get(f)?.psi}`);
  assert.match(a.drift.recommendation, /^Refit: PSI above 0\.25 for balance \(\d+\.\d{3}\)/);
  // Every balance decile of training below the top one lost customers... the new shares tilt to the top bins.
  const bins = byName.get('balance')!.bins;
  const share = (b: { training: number; current: number }, side: 'training' | 'current') => b[side] / bins.reduce((s, x) => s + x[side], 0);
  assert.ok(share(bins[bins.length - 2], 'current') > 2 * share(bins[bins.length - 2], 'training'), 'the top decile of balances holds more than twice its training share');
});

test('migration over two generated periods: exactly the returning, quiet and new customers; the segment changes are the movers\'', async () => {
  const { file, truth } = await nextPeriod('drift.csv', { returning: 0.5, moving: 0.5, balanceFactor: 30, arriving: 0.25 });
  const tables = [await readSource({ input: P1 }), await readSource({ input: file })];
  const mg = migrate(trained.model, tables, { kind: 'input' }, ['p1', 'p2']);
  const k = trained.model.k;
  const t = mg.transitions[0];
  // Expected from the generator's truth, through the customer key written by hand.
  const role = new Map<string, string>();
  for (const p of truth.truth!) role.set(keyOf(p), p.role);
  const count = (r: string) => [...role.values()].filter((x) => x === r).length;
  assert.equal(t.quiet, count('quiet'), 'gone quiet');
  assert.equal(t.arrived, count('arrived'), 'new');
  assert.equal(t.stayed + t.moved, count('returned') + count('moved'), 'in both periods');
  assert.equal(t.counts[k][k], 0);
  // Every customer is counted once: the first period's rows plus the new ones.
  const total = t.counts.flat().reduce((s, x) => s + x, 0);
  assert.equal(total, mg.periods[0].features.n + t.arrived);
  assert.equal(mg.inOnePeriod, t.quiet + t.arrived);
  // Row shares are the counts over their row.
  t.counts.forEach((row, r) => {
    const sum = row.reduce((s, x) => s + x, 0);
    row.forEach((c, col) => (sum > 0 ? assert.ok(Math.abs(t.rowShares[r][col] - c / sum) < 1e-12) : assert.ok(Number.isNaN(t.rowShares[r][col]))));
  });
  // Who changed segment: per customer, from each period's features and labels.
  const m = mg.periods.length;
  const { keys, labels } = mg.customers;
  const moved = { movers: 0, moversChanged: 0, others: 0, othersChanged: 0, moversUp: 0 };
  const p1 = new Map(keyTexts(mg.periods[0].features.customerId).map((key, i) => [key, i]));
  const p2 = new Map(keyTexts(mg.periods[1].features.customerId).map((key, i) => [key, i]));
  const balanceZ = trained.model.features.findIndex((f) => f.name === 'balance');
  keys.forEach((key, c) => {
    const [a, b] = [labels[c * m], labels[c * m + 1]];
    if (a < 0 || b < 0) return;
    if (role.get(key) === 'moved') {
      moved.movers++;
      if (a !== b) {
        moved.moversChanged++;
        if (trained.model.segments[b].centroid[balanceZ] > trained.model.segments[a].centroid[balanceZ]) moved.moversUp++;
      }
    } else {
      moved.others++;
      const f1 = mg.periods[0].features;
      const f2 = mg.periods[1].features;
      const i = p1.get(key)!;
      const j = p2.get(key)!;
      const same = trained.model.features.every((f) => Object.is(f1[f.name][i], f2[f.name][j]));
      // The same features give the same segment; only those whose age ticked over can change.
      if (same) assert.equal(a, b, `${key}: same features, same segment`);
      if (a !== b) moved.othersChanged++;
    }
  });
  assert.equal(moved.moversChanged + moved.othersChanged, t.moved);
  const moverRate = moved.moversChanged / moved.movers;
  const otherRate = moved.othersChanged / moved.others;
  assert.ok(moverRate > 10 * otherRate, `movers changed segment at ${moverRate}, the others at ${otherRate}`);
  assert.ok(moved.moversUp / moved.moversChanged > 0.9, `movers went to a higher-balance centroid: ${moved.moversUp} of ${moved.moversChanged}`);
  // The report states the counts it was given.
  const { md } = renderBlocks(migrationBlocks(trained.model, mg));
  assert.ok(md.includes(`had no transaction in p2`) && md.includes(`${t.quiet.toLocaleString('en-US')} (`), 'the quiet count is in the report');
});

// Counted independently with Python's csv module: 655 rows in August, 15,803 in September, 3,542 in October.
test('periods the data supports: on the real rows, August only (September 5 of 30 days, October 2 of 31)', async () => {
  const real = await readSource({ input: REAL_RAW });
  const { periods } = planPeriods(real.transactionDate, { kind: 'month' });
  assert.deepEqual(
    periods.map((p) => [p.label, p.activeDays, p.calendarDays, p.rows, p.supported]),
    [
      ['2016-08', 31, 31, 655, true],
      ['2016-09', 5, 30, 15_803, false],
      ['2016-10', 2, 31, 3_542, false],
    ],
  );
  assert.throws(
    () => migrate(trained.model, [real], { kind: 'month' }),
    /^InputError: the data supports only one period \(2016-08: transactions on 31 of its 31 days, 655 rows\): at least two are needed\. Left out as too sparse: 2016-09: transactions on 5 of its 30 days: 22 September, 23 September, 25 September, 26 September, 27 September, 15,803 rows; 2016-10: transactions on 2 of its 31 days: 16 October, 21 October, 3,542 rows\. Give the periods with --as-of DATE,DATE\.$/,
  );
  // With explicit as-of dates the periods are kept, the sparse one flagged, rows after the last date counted.
  const mg = migrate(trained.model, [real], { kind: 'as-of', dates: [dayNumber(2016, 8, 31), dayNumber(2016, 9, 30)] });
  assert.deepEqual(mg.periods.map((p) => [p.period.label, p.period.rows, p.period.supported]), [
    ['2016-08-01 to 2016-08-31', 655, true],
    ['2016-09-01 to 2016-09-30', 15_803, false],
  ]);
  assert.equal(mg.rowsOutside, 3_542);
  assert.ok(mg.notes.some((n) => n.startsWith('2016-09-01 to 2016-09-30 is sparse: transactions on 5 of its 30 days')));
  assert.ok(mg.notes.includes('3,542 rows after the last as-of date are in no period.'));
});

test('periods of a generated file: August and September kept, October left out and counted', async () => {
  const table = await readSource({ input: P1 });
  const mg = migrate(trained.model, [table], { kind: 'month' });
  assert.deepEqual(mg.periods.map((p) => [p.period.label, p.period.activeDays, p.period.calendarDays]), [
    ['2016-08', 31, 31],
    ['2016-09', 22, 30],
  ]);
  assert.deepEqual(mg.leftOut.map((p) => [p.label, p.activeDays, p.fewDays]), [['2016-10', 2, ['16 October', '21 October']]]);
  const rows = mg.periods.reduce((s, p) => s + p.period.rows, 0) + mg.leftOut[0].rows;
  assert.equal(rows, ROWS);
  assert.throws(() => migrate(trained.model, [table], { kind: 'as-of', dates: [dayNumber(2016, 9, 30), dayNumber(2016, 8, 31)] }), /the as-of dates must increase/);
  assert.throws(() => migrate(trained.model, [table], { kind: 'as-of', dates: [dayNumber(2016, 7, 1), dayNumber(2016, 8, 31)] }), /before the first transaction, 2016-08-01/);
});
