/**
 * model.json: it round-trips; scoring the training customers with the saved model gives back the labels k-means
 * delivered (and the brute-force nearest centroid of the documented transform); RFM by the saved cut points gives
 * back the training scores; a model of another format version, feature set, unit or rule set is refused with one
 * line; fixed caps in cleaning cap where they say.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { segmentCustomers } from '../src/segment/index';
import { profileSegmentation } from '../src/insights/profile';
import { rfmCutPoints, rfmScores, scoresFromCuts, tieAwareScores } from '../src/insights/rfm';
import { buildModel } from '../src/model/build';
import { MODEL_FORMAT_VERSION, modelJson, parseModel, readModel } from '../src/model/model';
import type { SegmentModel } from '../src/model/model';
import { modelRfm, scoreCustomers } from '../src/model/score';
import { cleanTransactions } from '../src/preprocess/clean';
import { InputError } from '../src/errors';
import { createRng } from '../src/stats/random';
import { dayNumber } from '../src/table';
import type { QualityReport } from '../src/table';
import { featuresOf, syntheticCustomers } from './helpers/segment';
import { smallRaw } from './helpers/figure_input';

const QUALITY: QualityReport = { malformed: { count: 0, examples: [] }, inputRows: 2400, outputRows: 2400, entries: [], caps: { amount: 50_000, balance: 5e6, quantile: 0.999 } };

/** A small fitted, profiled segmentation and its model (k = 3 on 1,500 synthetic customers, ~5% missing ages and balances). */
function fitted() {
  const features = syntheticCustomers(1500, 21);
  const seg = profileSegmentation(features, segmentCustomers(features, { k: 3, kMin: 3, kMax: 3, seed: 4 }));
  const model = buildModel(seg, { features, quality: QUALITY }, { seed: 4, createdAt: new Date('2026-01-01T00:00:00Z') });
  return { features, seg, model };
}
const FIT = fitted();

test('model.json round-trips: the text read back is the model, and says its format version', () => {
  const text = modelJson(FIT.model);
  const back = parseModel(text);
  assert.deepEqual(back, FIT.model);
  assert.equal(back.formatVersion, MODEL_FORMAT_VERSION);
  assert.equal(modelJson(back), text);
  // Through a file too.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-model-')), 'model.json');
  fs.writeFileSync(file, text);
  assert.deepEqual(readModel(file), FIT.model);
  assert.ok(text.length < 20_000, `model.json is small (${text.length} bytes)`);
});

test('the saved model gives the training customers the labels k-means delivered, as a brute-force nearest centroid does', () => {
  const { features, seg } = FIT;
  const model = parseModel(modelJson(FIT.model));
  const scores = scoreCustomers(model, features);
  assert.deepEqual(scores.labels, seg.fit.labels);
  // Brute force from the documented transform: t = log1p(x) or x; missing → median; z = (t − mean) / std; nearest centroid.
  let imputed = 0;
  for (let i = 0; i < features.n; i++) {
    const z = model.features.map((f) => {
      const x = features[f.name][i];
      let t = f.log1p ? Math.log1p(x) : x;
      if (Number.isNaN(t)) {
        t = f.median;
        imputed++;
      }
      return (t - f.mean) / f.std;
    });
    const dist = model.segments.map((s) => Math.sqrt(s.centroid.reduce((sum, c, j) => sum + (z[j] - c) ** 2, 0)));
    const best = dist.indexOf(Math.min(...dist));
    assert.equal(scores.labels[i], best, `customer ${i}`);
    assert.ok(Math.abs(scores.distances[i] - dist[best]) < 1e-12);
    // The z of the training model space.
    z.forEach((v, j) => assert.ok(Math.abs(v - seg.space.X[i * seg.space.d + j]) < 1e-12));
  }
  assert.ok(imputed > 0, 'the data had missing values to impute');
  assert.equal(scores.imputed.reduce((a, b) => a + b, 0), imputed);
  // The training distances the model keeps: its p99 is reached by at most 1% of each segment (+1 for rounding).
  for (const s of model.segments) {
    let beyond = 0;
    for (let i = 0; i < features.n; i++) if (scores.labels[i] === s.id && scores.distances[i] > s.distance.p99) beyond++;
    assert.ok(beyond <= Math.ceil(0.01 * s.customers), `segment ${s.id}: ${beyond} beyond p99`);
  }
});

test('RFM by the saved cut points gives the training customers their training scores', () => {
  const { features, seg, model } = FIT;
  const again = modelRfm(model, features);
  const training = seg.context.rfm.scores;
  assert.deepEqual(again.r, training.r);
  assert.deepEqual(again.m, training.m);
  assert.deepEqual(again.segment, training.segment);
});

test('RFM cut points reproduce the tie-aware scores, and score unseen values like the training values below them', () => {
  // Hand-worked: 10, 20, 20, 30, 40 score 1, 3, 3, 4, 5 (higher is better); the cuts are the least values scoring 2..5.
  const values = Float64Array.of(10, 20, 20, 30, 40);
  assert.deepEqual(rfmCutPoints(values, true), [20, 20, 30, 40]);
  assert.deepEqual([...scoresFromCuts(Float64Array.of(10, 20, 25, 30, 40, 99, 5, NaN), [20, 20, 30, 40], true)], [1, 3, 3, 4, 5, 5, 1, 0]);
  // Lower is better (recency): 0, 0, 5, 9 score 4, 4, 2, 1 (the tied best two: 1 + ⌊5·(2 + 2/2)/4⌋ = 4).
  const recency = Float64Array.of(0, 0, 5, 9);
  assert.deepEqual([...tieAwareScores(recency, false)], [4, 4, 2, 1]);
  assert.deepEqual(rfmCutPoints(recency, false), [5, 0, 0, null]);
  // Random data with many ties, both directions: the cuts give back exactly the scores.
  const rng = createRng(3);
  for (let trial = 0; trial < 30; trial++) {
    const v = Float64Array.from({ length: 20 + trial * 13 }, () => (rng.next() < 0.05 ? NaN : Math.floor(rng.next() * (3 + trial))));
    for (const higher of [true, false]) {
      assert.deepEqual(scoresFromCuts(v, rfmCutPoints(v, higher), higher), tieAwareScores(v, higher), `trial ${trial}, higher ${higher}`);
    }
  }
  // And the segments built from them, on the synthetic customers.
  const f = FIT.features;
  assert.deepEqual(modelRfm(FIT.model, f).segment, rfmScores(f.recencyDays, f.frequency, f.monetaryTotal).segment);
});

/** The model's JSON with one change, parsed: the error's message (one line), or undefined when it loads. */
function loadWith(change: (doc: Record<string, any>) => void): string | undefined {
  const doc = JSON.parse(modelJson(FIT.model));
  change(doc);
  try {
    parseModel(JSON.stringify(doc), 'm.json');
    return undefined;
  } catch (err) {
    assert.ok(err instanceof InputError, String(err));
    assert.equal(err.message.split('\n').length, 1, `one line: ${err.message}`);
    return err.message;
  }
}

test('a model of another format version, feature set, unit or rule set is refused with one line', () => {
  assert.equal(loadWith(() => {}), undefined);
  assert.match(loadWith((d) => (d.formatVersion = 2)) ?? '', /^m\.json: model format version 2 \(written by bankseg [\d.]+\); this bankseg reads version 1/);
  assert.match(loadWith((d) => (d.format = 'other')) ?? '', /not a bankseg model/);
  assert.match(loadWith((d) => (d.features[1].name = 'income')) ?? '', /uses the feature "income", which this bankseg does not compute/);
  assert.match(loadWith((d) => (d.features[0].unit = 'weeks')) ?? '', /feature "recencyDays" is in "weeks" there and in "days since last transaction" in this bankseg/);
  assert.match(loadWith((d) => d.features.push(d.features[0])) ?? '', /lists the feature "recencyDays" twice/);
  assert.match(loadWith((d) => (d.cleaning.minAge = 12)) ?? '', /trained with the age floor \(minAge\) 12; this bankseg's is 10/);
  assert.match(loadWith((d) => (d.cleaning.placeholderDobYear = 1900)) ?? '', /placeholder birth year/);
  assert.match(loadWith((d) => (d.naming.thresholds.recentDays = 21)) ?? '', /threshold recentDays = 21; this bankseg's is 14/);
  assert.match(loadWith((d) => d.segments[1].centroid.pop()) ?? '', /segments\[1\]\.centroid must be 4 numbers \(one per feature: recencyDays, monetaryTotal, balance, age\)/);
  assert.match(loadWith((d) => (d.features[2].std = 0)) ?? '', /feature "balance": std must be a number above 0/);
  assert.match(loadWith((d) => (d.k = 4)) ?? '', /has 3 segments for k = 4/);
  assert.match(loadWith((d) => (d.rfm.recencyCuts = [1, 2])) ?? '', /rfm\.recencyCuts/);
  assert.throws(() => parseModel('{"format": "bankseg-model", ', 'x.json'), /^InputError: x\.json: not a bankseg model \(not JSON/);
  assert.throws(() => readModel('/nonexistent/model.json'), /\/nonexistent\/model\.json: cannot read the model \(no such file\)/);
});

test('a model fitted on other features loads and scores on them', () => {
  const features = FIT.features;
  const seg = profileSegmentation(features, segmentCustomers(features, { k: 2, kMin: 2, kMax: 2, features: ['balance', 'age'] }));
  const model = parseModel(modelJson(buildModel(seg, { features, quality: QUALITY })));
  assert.deepEqual(model.features.map((f) => f.name), ['balance', 'age']);
  assert.deepEqual(scoreCustomers(model, features).labels, seg.fit.labels);
});

test('scoring: a negative balance (an overdraft) reads as 0 under log1p, as at training and in SQL', () => {
  const model = FIT.model as SegmentModel;
  const f = featuresOf({ balance: [100, -5, 0] }, ['A|?|M', 'B|?|F', 'C|?|F']);
  const scores = scoreCustomers(model, f);
  const j = model.features.findIndex((x) => x.name === 'balance');
  const t = model.features[j];
  assert.ok(t.log1p, 'the balance is a log1p feature of the default model');
  // Hand-worked: log1p(max(−5, 0)) = 0, so z = (0 − mean) / std, the same as a zero balance.
  const d = model.features.length;
  assert.equal(scores.z[1 * d + j], (0 - t.mean) / t.std);
  assert.equal(scores.z[2 * d + j], (0 - t.mean) / t.std);
  assert.equal(scores.z[0 * d + j], (Math.log1p(100) - t.mean) / t.std);
  assert.equal(scores.labels[1], scores.labels[2]);
});

test('cleaning with fixed caps caps at them; with the data\'s own caps it is the default cleaning', () => {
  const raw = { ...smallRaw(), transactionAmount: Float64Array.of(1, 2, 3, 400, 5, 6), transactionDate: new Int32Array(6).fill(dayNumber(2016, 8, 1)) };
  const own = cleanTransactions(raw);
  const fixed = cleanTransactions(raw, { caps: own.report.caps });
  assert.deepEqual(fixed.table, own.table);
  const low = cleanTransactions(raw, { caps: { amount: 4, balance: 2 } });
  assert.deepEqual([...low.table.amount], [1, 2, 3, 4, 4, 4]);
  assert.deepEqual([...low.table.balance], [1, NaN, NaN, 2, 2, NaN]);
  const entry = low.report.entries.find((e) => e.column === 'TransactionAmount (INR)' && /capped/.test(e.reason));
  assert.equal(entry?.count, 3);
  assert.match(entry?.reason ?? '', /training data's 99\.9th percentile, INR 4: capped/);
  assert.throws(() => cleanTransactions(raw, { caps: { amount: NaN, balance: 1 } }), /caps\.amount must be a number/);
});
