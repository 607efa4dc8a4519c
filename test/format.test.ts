/**
 * The shared text helpers: hand-worked cases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { article } from '../src/format';

test('article: "an" before the numbers read with a vowel sound (eight…, eleven…, eighteen…), "a" before the others', () => {
  const an = [8, 11, 18, 80, 82, 89, 800, 8_000, 11_000, 18_000, 80_000, 800_000, 8_000_000, 11_000_000, 18_500_000];
  const a = [1, 2, 7, 10, 12, 28, 81 - 60, 100, 110, 180, 1_100, 1_800, 111_000, 118_000, 1_000_000, 100_000_000];
  for (const n of an) assert.equal(article(n), 'an', String(n));
  for (const n of a) assert.equal(article(n), 'a', String(n));
});
