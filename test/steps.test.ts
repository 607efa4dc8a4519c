import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { hasRows, StepData, withoutRawRows } from '../src/cli/steps';
import { loadData } from '../src/preprocess/load';
import { REAL_RAW } from './helpers/real-data';
import type { CleanTable } from '../src/table';

/** The collector, without starting node with --expose-gc. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

test('withoutRawRows (segment, run --no-figures): the same report and features, the clean table\'s dates; reading raw or another clean column is a bug; they become garbage', async () => {
  const gc = collector();
  let data: StepData = await loadData({ input: REAL_RAW });
  assert.ok(hasRows(data));
  const { quality, features } = data;
  const raw = new WeakRef(data.raw);
  const { letGo, rows, date, keys } = cleanColumns(data.clean);
  data = withoutRawRows(data);

  assert.ok(hasRows(data));
  assert.equal(data.quality, quality);
  assert.equal(data.features, features);
  assert.equal(data.features.customerId, keys, 'the features keep the customer keys');
  assert.equal(data.clean.rows, rows);
  assert.equal(data.clean.date, date);
  assert.deepEqual(Object.keys({ ...data.clean }).sort(), ['date', 'rows']);
  assert.throws(() => (data as { raw: unknown }).raw, /^Error: bankseg bug: the rows as read were let go/);
  const trimmed = data.clean as unknown as Record<string, unknown>;
  for (const column of ['customer', 'customerIds', 'time', 'amount', 'balance', 'age', 'gender', 'location'] as const) {
    assert.throws(() => trimmed[column], new RegExp(`^Error: bankseg bug: the clean table's ${column} column was let go`));
  }
  assert.ok(!Object.keys({ ...data }).includes('raw'), 'a spread does not touch it');
  assert.equal(rows, 20_000);

  // Nothing keeps the table as read or the let-go clean columns: the collector takes them.
  const reachable = () => raw.deref() !== undefined || letGo.some((c) => c.deref() !== undefined);
  for (let k = 0; k < 5 && reachable(); k++) {
    await turn();
    gc();
  }
  assert.equal(raw.deref(), undefined, 'the rows as read are still reachable');
  assert.ok(letGo.every((c) => c.deref() === undefined), 'a let-go clean column is still reachable');
  assert.ok(hasRows(data));
  assert.equal(data.clean.date.length, 20_000);
});

/**
 * The clean columns nothing reads after the load (customer codes, times, amounts, balances, ages, genders, locations),
 * held weakly, and what stays: the row count, the dates (the transactions per day read them), the customer keys
 * (the features'). In a function of its own, so the test keeps no reference to the full table.
 */
function cleanColumns(clean: CleanTable) {
  const columns = [clean.customer, clean.time, clean.amount, clean.balance, clean.age, clean.gender, clean.location.codes];
  assert.ok(columns.every((c) => c.length === clean.rows));
  return { letGo: columns.map((c) => new WeakRef(c)), rows: clean.rows, date: clean.date, keys: clean.customerIds };
}
