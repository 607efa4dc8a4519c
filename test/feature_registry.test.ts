/**
 * The feature registry names every place a new feature must reach. The compiler names the code that computes
 * features (the CustomerFeatures object in preprocess/features.ts and collect/db/features.ts, the naive reference
 * in test/features.test.ts); these tests name the rest: the data model document and the pandas reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CATEGORY_FEATURES, DEFAULT_LOG_FEATURES, DEFAULT_MODEL_FEATURES, FEATURE_NAMES, FEATURES, MODEL_FEATURES,
  featureColumns,
} from '../src/preprocess/feature_registry';
import { customerFeatures } from '../src/preprocess/features';
import { dayNumber } from '../src/table';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

test('the model takes an explicit list of features; a registered feature stays out unless its entry says model: true', () => {
  // Changing this list moves every segment: it is a decision (docs/data-model.md section 4), not a side effect.
  assert.deepEqual(DEFAULT_MODEL_FEATURES, ['recencyDays', 'monetaryTotal', 'balance', 'age']);
  assert.deepEqual(DEFAULT_LOG_FEATURES, ['monetaryTotal', 'monetaryMean', 'balance']);
  for (const f of MODEL_FEATURES) assert.equal(DEFAULT_MODEL_FEATURES.includes(f), FEATURES[f].model, f);
});

test('docs/data-model.md defines every registered feature (section 3) and states the default model and log lists (section 4)', () => {
  const doc = read('docs/data-model.md');
  const section3 = doc.slice(doc.indexOf('## 3.'), doc.indexOf('## 4.'));
  const defined = [...section3.matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(defined, FEATURE_NAMES, 'the rows of the feature table, in registry order');
  const section4 = doc.slice(doc.indexOf('## 4.'));
  assert.match(section4, new RegExp(`Default features: \`${DEFAULT_MODEL_FEATURES.join(', ')}\``));
  assert.match(section4, new RegExp(`\`log1p\` on the money features \`${DEFAULT_LOG_FEATURES.join(', ')}\``));
});

for (const script of ['bench/reference.py', 'bench/polars_reference.py']) {
  test(`the benchmark's reference ${script} computes every numeric feature and models the same ones`, () => {
    const py = read(script);
    const list = (name: string): string[] => {
      const m = new RegExp(`^${name} = \\[([^\\]]*)\\]`, 'm').exec(py);
      assert.ok(m, `${script} defines ${name}`);
      return [...m[1].matchAll(/'(\w+)'/g)].map((x) => x[1]);
    };
    assert.deepEqual(list('NUMERIC_FEATURES'), MODEL_FEATURES, 'NUMERIC_FEATURES: numbers and flags, registry order');
    assert.deepEqual(list('MODEL_FEATURES'), DEFAULT_MODEL_FEATURES);
    assert.deepEqual(list('LOG_FEATURES'), DEFAULT_LOG_FEATURES);
  });
}

test('customerFeatures fills a column for every registered feature, of the kind its entry says', () => {
  const f = customerFeatures({
    rows: 2,
    customer: Int32Array.of(0, 1),
    customerIds: ['C1', 'C2'],
    date: Int32Array.of(dayNumber(2016, 8, 1), dayNumber(2016, 8, 2)),
    time: Int32Array.of(100000, 200000),
    amount: Float64Array.of(10, 20),
    balance: Float64Array.of(100, NaN),
    age: Float64Array.of(30, NaN),
    gender: Int8Array.of(0, -1),
    location: { codes: Int32Array.of(0, -1), values: ['PUNE'] },
  });
  const columns = featureColumns(f);
  assert.deepEqual(Object.keys(columns), ['customerId', ...FEATURE_NAMES]);
  for (const name of FEATURE_NAMES) {
    const column = columns[name];
    if (CATEGORY_FEATURES.includes(name as never)) {
      assert.ok(!(column instanceof Float64Array) && column.codes.length === 2, `${name} is a dictionary column of 2 rows`);
      const values = FEATURES[name as (typeof CATEGORY_FEATURES)[number]].values;
      if (values !== 'data') assert.deepEqual(column.values, values, `${name}: the registered vocabulary`);
    } else {
      assert.ok(column instanceof Float64Array && column.length === 2, `${name} is a Float64Array of 2 rows`);
    }
  }
});
