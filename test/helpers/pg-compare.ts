/**
 * Comparisons the database tests share: the SQL paths (push-down, sharded) against the TypeScript path on the file.
 * Features customer by customer over every registered feature (numbers to 1e-9 relative: sums are added in another
 * order in SQL; texts exactly), and the data-quality report entry by entry, so a failure names the rule that drifted.
 */
import assert from 'node:assert/strict';
import { FEATURE_NAMES } from '../../src/preprocess/feature_registry';
import type { CustomerFeatures } from '../../src/preprocess/feature_registry';
import { keyTexts } from '../../src/table';
import type { QualityReport } from '../../src/table';
import { featureRow } from './features';

function close(a: number, b: number, rel = 1e-9): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Same customers in the same order, same end date and location buckets, every feature equal. O(customers × features). */
export function assertSameFeatures(actual: CustomerFeatures, expected: CustomerFeatures): void {
  assert.equal(actual.n, expected.n, 'number of customers');
  assert.equal(actual.endDate, expected.endDate, 'endDate');
  assert.deepEqual(keyTexts(actual.customerId), keyTexts(expected.customerId), 'customers and their order');
  assert.deepEqual(actual.location.values, expected.location.values, 'location buckets');
  for (let i = 0; i < expected.n; i++) {
    const [a, e] = [featureRow(actual, i), featureRow(expected, i)];
    for (const k of FEATURE_NAMES) {
      const [x, y] = [a[k], e[k]];
      if (typeof y === 'number' && typeof x === 'number') assert.ok(close(x, y), `${e.customerId} ${k}: ${x} vs ${y}`);
      else assert.equal(x, y, `${e.customerId} ${k}`);
    }
  }
}

/** The report entry by entry, each count compared on its own so a failure names the rule; caps to the bit. */
export function assertSameReport(actual: QualityReport, expected: QualityReport): void {
  const rule = (e: QualityReport['entries'][number]) => `${e.action} ${e.column}: ${e.reason}`;
  assert.deepEqual(actual.entries.map(rule), expected.entries.map(rule), 'the same rules, in the same order, with the same words');
  expected.entries.forEach((e, i) => assert.equal(actual.entries[i].count, e.count, `rule "${rule(e)}"`));
  assert.equal(actual.inputRows, expected.inputRows, 'rows in');
  assert.equal(actual.outputRows, expected.outputRows, 'rows out');
  assert.deepEqual(actual.caps, expected.caps, 'rule 9 caps, to the bit');
}
