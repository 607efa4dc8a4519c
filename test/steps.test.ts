import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { hasRows, StepData, withoutRawRows } from '../src/cli/steps';
import { loadData } from '../src/preprocess/load';
import { REAL_RAW } from './helpers/real-data';

/** The collector, without starting node with --expose-gc. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('withoutRawRows (segment, run --no-figures): the same clean table, report and features; reading raw is a bug; the rows as read become garbage', async () => {
  const gc = collector();
  let data: StepData = await loadData({ input: REAL_RAW });
  assert.ok(hasRows(data));
  const { clean, quality, features } = data;
  const raw = new WeakRef(data.raw);
  data = withoutRawRows(data);

  assert.ok(hasRows(data));
  assert.equal(data.clean, clean);
  assert.equal(data.quality, quality);
  assert.equal(data.features, features);
  assert.throws(() => (data as { raw: unknown }).raw, /^Error: bankseg bug: the rows as read were let go/);
  assert.ok(!Object.keys({ ...data }).includes('raw'), 'a spread does not touch it');

  // Nothing keeps the table as read: the collector takes it (the clean table keeps only the columns it shares).
  for (let k = 0; k < 3 && raw.deref() !== undefined; k++) {
    await turn();
    gc();
  }
  assert.equal(raw.deref(), undefined, 'the rows as read are still reachable');
  assert.equal(clean.rows, 20_000);
});
