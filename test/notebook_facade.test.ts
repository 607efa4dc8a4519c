/**
 * The notebooks' one import, src/notebook/index.ts: what it offers, that each name comes with a one-line example,
 * that internals stay out, and the pandas-like idioms (head, describe) on the pipeline's tables, checked by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as bs from '../src/notebook/index';
import { FEATURE_NAMES, MODEL_FEATURES } from '../src/preprocess/feature_registry';
import { customerFeaturesOf } from './helpers/features';
import { smallClean, smallRaw } from './helpers/figure_input';

const INDEX = fs.readFileSync(path.resolve(__dirname, '..', 'src', 'notebook', 'index.ts'), 'utf8');

test('the facade exports what notebooks use, each name shown in a one-line example, and no internals', () => {
  const names = Object.keys(bs).sort();
  for (const internal of ['figureBundle', 'tableHtml', 'formatCell', 'textHtml', 'showTable', 'transactionsFrame']) {
    assert.ok(!names.includes(internal), `${internal} is internal`);
  }
  for (const expected of ['load', 'segment', 'source', 'head', 'describe', 'show', 'showMarkdown', 'showText', 'amountDistribution', 'segmentMap']) {
    assert.ok(names.includes(expected), `${expected} is offered`);
  }
  // The examples are the comment lines above each export group: `bs.<name>` for every exported name.
  const examples = INDEX.split('\n').filter((line) => line.startsWith('//')).join('\n');
  const undocumented = names.filter((name) => !new RegExp(`\\bbs\\.${name}\\b`).test(examples));
  assert.deepEqual(undocumented, []);
});

test('head: the first n rows of the raw, clean and feature tables, with their own column names', () => {
  const raw = bs.head(smallRaw(), 2);
  assert.deepEqual(raw.shape, [2, 9]);
  assert.deepEqual(raw.columns.slice(0, 2), ['TransactionID', 'CustomerID']);
  assert.deepEqual(raw.column('CustomerDOB').values, ['1/1/1800', '4/4/57']);
  const clean = bs.head(smallClean(), 3);
  assert.deepEqual(clean.shape, [3, 8]);
  assert.deepEqual(clean.column('date').values, ['2016-08-01', '2016-08-01', '2016-08-01']);
  assert.deepEqual(clean.column('time').values, ['00:00:00', '00:59:59', '09:00:00']);
  const f = customerFeaturesOf(4, { recencyDays: [3, 1, 4, 1] });
  const features = bs.head(f); // default: 5 rows, fewer when the table is shorter
  assert.equal(features.shape[0], 4);
  assert.deepEqual(features.columns, ['customerId', ...FEATURE_NAMES], 'every registered feature');
  assert.deepEqual(features.column('recencyDays').values, [3, 1, 4, 1]);
});

test('describe(features) covers every numeric feature without listing them; statistics worked by hand', () => {
  // recencyDays 1, 2, 3, 4 and one unknown: mean 2.5, population std √1.25, type-7 quartiles 1.75, 2.5, 3.25.
  const f = customerFeaturesOf(5, { recencyDays: [4, NaN, 1, 3, 2], frequency: [1, 1, 1, 1, 1] });
  const d = bs.describe(f);
  assert.deepEqual(d.columns, [...MODEL_FEATURES]);
  assert.deepEqual(d.index, ['count', 'missing', 'mean', 'std', 'min', '25%', '50%', '75%', 'max']);
  const recency = d.column('recencyDays').values as number[];
  assert.deepEqual(recency.slice(0, 3), [4, 1, 2.5]);
  assert.ok(Math.abs(recency[3] - Math.sqrt(1.25)) < 1e-12);
  assert.deepEqual(recency.slice(4), [1, 1.75, 2.5, 3.25, 4]);
  assert.deepEqual(d.column('frequency').values, [5, 0, 1, 0, 1, 1, 1, 1, 1]);
  // The clean transactions: amount, balance and age.
  assert.deepEqual(bs.describe(smallClean()).columns, ['amount', 'balance', 'age']);
});
