import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatMalformed, MALFORMED_EXAMPLES, TransactionColumnsBuilder } from '../src/collect/columns';
import { grown } from '../src/collect/grown';
import { HashSlots } from '../src/collect/hash_slots';
import { createRng } from '../src/stats/random';
import { MalformedRow } from '../src/table';

const DICTS = { customerId: ['C1', 'C2'], customerDob: ['1/1/90'], custGender: ['F', 'M'], custLocation: ['MUMBAI'] };

function bad(line: number): MalformedRow {
  return { file: 'f.csv', line, column: 'TransactionTime', value: 'x', expected: 'a time' };
}

describe('TransactionColumnsBuilder', () => {
  test('keeps every pushed row in order across growth, and the table has exactly those rows', () => {
    const b = new TransactionColumnsBuilder(1); // forces several doublings
    type Row = [string, number, number, number, number, number, number, number, number];
    const rows: Row[] = [
      ['T1', 0, -1, 1, 0, 17819.05, 17014, 143207, 25],
      ['T2', 1, 0, 0, -1, NaN, 17015, 0, 27999],
      ['T3', 0, 0, -1, 0, 0.5, 17016, 235959, 459],
      ['T4', 1, -1, 1, 0, 1e6, 17017, 101010, 0],
      ['T5', 1, 0, 0, 0, -3, 17018, 5959, 1.25],
    ];
    for (const r of rows) b.push(...r);
    assert.equal(b.rows, 5);
    const t = b.table('src', DICTS);
    assert.equal(t.source, 'src');
    assert.equal(t.rows, 5);
    assert.deepEqual(t.transactionId, ['T1', 'T2', 'T3', 'T4', 'T5']);
    assert.deepEqual([...t.customerId.codes], [0, 1, 0, 1, 1]);
    assert.deepEqual([...t.customerDob.codes], [-1, 0, 0, -1, 0]);
    assert.deepEqual([...t.custGender.codes], [1, 0, -1, 1, 0]);
    assert.deepEqual([...t.custLocation.codes], [0, -1, 0, 0, 0]);
    assert.deepEqual([...t.custAccountBalance], [17819.05, NaN, 0.5, 1e6, -3]);
    assert.deepEqual([...t.transactionDate], [17014, 17015, 17016, 17017, 17018]);
    assert.deepEqual([...t.transactionTime], [143207, 0, 235959, 101010, 5959]);
    assert.deepEqual([...t.transactionAmount], [25, 27999, 459, 0, 1.25]);
    // Sliced to the row count, not the (grown) capacity.
    assert.equal(t.transactionTime.length, 5);
    assert.equal(t.custAccountBalance.length, 5);
    assert.equal(t.customerId.values, DICTS.customerId);
    assert.deepEqual(t.malformed, { count: 0, examples: [] });
  });

  test('counts every malformed row and keeps only the first MALFORMED_EXAMPLES', () => {
    const b = new TransactionColumnsBuilder(4);
    const before = b.firstMalformed;
    assert.equal(before, undefined);
    for (let k = 1; k <= MALFORMED_EXAMPLES + 5; k++) b.addMalformed(bad(k));
    assert.equal(b.malformed, MALFORMED_EXAMPLES + 5);
    assert.equal(b.firstMalformed?.line, 1);
    b.push('T1', 0, 0, 0, 0, 1, 2, 3, 4);
    const t = b.table('src', DICTS);
    assert.equal(t.malformed.count, 15);
    assert.deepEqual(
      t.malformed.examples.map((m) => m.line),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
  });

  test('rows skipped earlier count first and share the examples cap', () => {
    const b = new TransactionColumnsBuilder(4);
    b.addSkipped({ count: 40, examples: [bad(3), bad(8), bad(9)] });
    for (let k = 100; k < 120; k++) b.addMalformed(bad(k));
    const t = b.table('src', DICTS);
    assert.equal(t.malformed.count, 60);
    assert.deepEqual(
      t.malformed.examples.map((m) => m.line),
      [3, 8, 9, 100, 101, 102, 103, 104, 105, 106],
    );
  });

  test('formatMalformed writes the one-line message', () => {
    assert.equal(formatMalformed(bad(7)), 'f.csv:7: column TransactionTime: value "x": expected a time');
  });
});

describe('grown', () => {
  test('same type, at least double the length or what is needed, the kept elements first and zeros after', () => {
    const ints = grown(Int32Array.of(7, -8, 9), 4);
    assert.ok(ints instanceof Int32Array);
    assert.deepEqual([...ints], [7, -8, 9, 0, 0, 0]);
    const doubles = grown(Float64Array.of(0.5, NaN), 9);
    assert.ok(doubles instanceof Float64Array);
    assert.deepEqual([...doubles], [0.5, NaN, 0, 0, 0, 0, 0, 0, 0]);
    const chars = grown(Uint16Array.of(65, 66, 67, 68), 5, 2); // only the first two are in use
    assert.ok(chars instanceof Uint16Array);
    assert.deepEqual([...chars], [65, 66, 0, 0, 0, 0, 0, 0]);
    const flags = grown(new Uint8Array(0));
    assert.ok(flags instanceof Uint8Array);
    assert.equal(flags.length, 1);
  });

  test('appending one element at a time copies fewer than 2n elements in all (doubling)', () => {
    let a = new Int32Array(1);
    let copied = 0;
    for (let n = 0; n < 10_000; n++) {
      if (n === a.length) {
        copied += a.length;
        a = grown(a);
      }
      a[n] = n;
    }
    assert.ok(copied < 2 * 10_000, `${copied} elements copied`);
    assert.ok(a.subarray(0, 10_000).every((v, i) => v === i));
  });
});

describe('HashSlots', () => {
  /** Codes recorded under `hash`, by walking the probe sequence as the dictionaries do. */
  function codesUnder(index: HashSlots, hash: number): number[] {
    const found: number[] = [];
    const { slots, mask } = index;
    for (let slot = hash & mask; slots[2 * slot] !== 0; slot = (slot + 1) & mask) {
      if (slots[2 * slot + 1] === hash) found.push(slots[2 * slot] - 1);
    }
    return found;
  }

  test('every code is found under its hash after growth, with heavy collisions (checked against a Map)', () => {
    const rng = createRng(7);
    const index = new HashSlots(2);
    const byHash = new Map<number, number[]>();
    const n = 5000;
    for (let code = 0; code < n; code++) {
      // Few distinct hashes, some negative: many codes share a hash and all probe sequences wrap.
      const hash = rng.int(300) - 150;
      index.insert(code, hash);
      byHash.set(hash, [...(byHash.get(hash) ?? []), code]);
    }
    assert.ok(index.mask + 1 >= 2 * n, 'grew to keep at most half full');
    for (const [hash, codes] of byHash) assert.deepEqual(codesUnder(index, hash).sort((a, b) => a - b), codes);
    let filled = 0;
    for (let i = 0; i < index.slots.length; i += 2) if (index.slots[i] !== 0) filled++;
    assert.equal(filled, n);
  });
});
