/**
 * Customer IDs → dictionary codes in order of first appearance, for a whole column at once.
 *
 * Why not a hash lookup per row while reading: ~900k distinct IDs make a hash table of tens of MB, so nearly every
 * lookup misses every cache (~100–200 ns each, a third of the reader's time). Instead the reader stores each ID as a
 * number (`packId`: a short letters-and-digits text read in bijective base 63, exact in a double, so equal numbers
 * mean equal texts), and `firstAppearance` groups the numbers by hash into partitions whose tables fit in the L2
 * cache (radix-partitioned hashing, as columnar engines do), then numbers the distinct IDs in order of first
 * appearance with one pass over the rows. Strings are made once per distinct ID, at the end, from the numbers
 * (`unpackId`). IDs that do not pack (longer than 8 characters, other characters) go through an ordinary dictionary.
 */
import { mappedArray } from '../io/mapped';

const ID_CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BASE = ID_CHARS.length + 1; // digit 0 is never used, so `0A` and `A` differ
/** Longest ID packed: 63^8 < 2^53, so every packed number is an exact integer in a double. */
export const MAX_PACKED_ID = 8;
/** Digit (1..62) of each ASCII character of ID_CHARS, 0 for every other character. */
const DIGIT = new Uint8Array(128);
for (let k = 0; k < ID_CHARS.length; k++) DIGIT[ID_CHARS.charCodeAt(k)] = k + 1;
const CHAR_CODE = Uint16Array.from(ID_CHARS, (c) => c.charCodeAt(0));

/** text[start, end) as a number ≥ 1, or -1 when it is empty, longer than MAX_PACKED_ID or has other characters. O(length). */
export function packId(text: string, start: number, end: number): number {
  if (end - start > MAX_PACKED_ID || end === start) return -1;
  let key = 0;
  for (let p = start; p < end; p++) {
    const c = text.charCodeAt(p);
    const d = c < 128 ? DIGIT[c] : 0;
    if (d === 0) return -1;
    key = key * BASE + d;
  }
  return key;
}

/** Scratch for unpackId: the character codes of one ID, last character first. */
const CHARS = new Int32Array(MAX_PACKED_ID);
const BASE4 = BASE ** 4;

/**
 * The text of a packed ID. O(length); one string, built without intermediate strings. The number is split once into
 * two halves of 4 digits, so the digits come from int32 divisions by a constant (a multiply and a shift), not from a
 * chain of 8 float divisions.
 */
export function unpackId(key: number): string {
  const high = Math.floor(key / BASE4);
  let low = key - high * BASE4;
  let n = 0;
  let rest = high;
  for (let k = 0; k < 4 && (low > 0 || rest > 0); k++) {
    const q = (low / BASE) | 0;
    CHARS[n++] = CHAR_CODE[low - q * BASE - 1];
    low = q;
  }
  while (rest > 0) {
    const q = (rest / BASE) | 0;
    CHARS[n++] = CHAR_CODE[rest - q * BASE - 1];
    rest = q;
  }
  const c = CHARS;
  switch (n) {
    case 1: return String.fromCharCode(c[0]);
    case 2: return String.fromCharCode(c[1], c[0]);
    case 3: return String.fromCharCode(c[2], c[1], c[0]);
    case 4: return String.fromCharCode(c[3], c[2], c[1], c[0]);
    case 5: return String.fromCharCode(c[4], c[3], c[2], c[1], c[0]);
    case 6: return String.fromCharCode(c[5], c[4], c[3], c[2], c[1], c[0]);
    case 7: return String.fromCharCode(c[6], c[5], c[4], c[3], c[2], c[1], c[0]);
    default: return String.fromCharCode(c[7], c[6], c[5], c[4], c[3], c[2], c[1], c[0]);
  }
}

/** The text of each ID number (a packed ID, or `-1 - j` for `others[j]`). O(total length): one string each. */
export function idTexts(keys: Float64Array, others: readonly string[]): string[] {
  const values: string[] = new Array(keys.length);
  for (let k = 0; k < keys.length; k++) values[k] = keys[k] >= 0 ? unpackId(keys[k]) : others[-1 - keys[k]];
  return values;
}

/** A 32-bit hash of a packed ID or text (an integer below 2^53): murmur3's finaliser over its two halves. O(1). */
export function hashKey(key: number): number {
  const lo = key >>> 0; // ToUint32 takes the number modulo 2^32
  const hi = (key / 4294967296) | 0;
  let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** Rows per partition aimed at: a table of 2× that many 16-byte slots stays within a core's 1 MiB L2 cache. */
const ROWS_PER_PARTITION = 16_384;

/**
 * The distinct values of a column of numbers (packed IDs, or any integers in ±2^53) in order of first appearance,
 * and the code of every row: `distinct[codes[i]] === keys[i]`. O(rows) time, no per-row lookup in a big table;
 * memory ~28 bytes per row, transient.
 */
export function firstAppearance(keys: Float64Array): { codes: Int32Array; distinct: Float64Array } {
  const n = keys.length;
  let bits = 0;
  while (bits < 10 && n >> bits > ROWS_PER_PARTITION) bits++;
  const parts = 1 << bits;
  const shift = 32 - bits;

  // 1. The partition of every row (the hash's top bits; its low bits pick the slot within the partition).
  const partOf = mappedArray(Uint16Array, n);
  const start = new Int32Array(parts + 1);
  for (let i = 0; i < n; i++) {
    const p = bits === 0 ? 0 : hashKey(keys[i]) >>> shift;
    partOf[i] = p;
    start[p + 1]++;
  }
  for (let p = 0; p < parts; p++) start[p + 1] += start[p];

  // 2. Keys and row numbers grouped by partition, rows in file order within each (a stable counting sort).
  const groupedKey = mappedArray(Float64Array, n);
  const groupedRow = mappedArray(Int32Array, n);
  const fill = start.slice(0, parts);
  for (let i = 0; i < n; i++) {
    const at = fill[partOf[i]]++;
    groupedKey[at] = keys[i];
    groupedRow[at] = i;
  }

  // 3. One small hash table per partition: each distinct key gets an id (ids in partition order, not file order).
  const idOf = mappedArray(Int32Array, n);
  let largest = 0;
  for (let p = 0; p < parts; p++) largest = Math.max(largest, start[p + 1] - start[p]);
  let slots = 16;
  while (slots < 2 * largest) slots *= 2;
  const table = new Float64Array(2 * slots); // pairs (key, id + 1); id + 1 = 0 marks an empty slot
  const keyOfId = mappedArray(Float64Array, n);
  let ids = 0;
  for (let p = 0; p < parts; p++) {
    const from = start[p];
    const to = start[p + 1];
    let mask = 15;
    while (mask + 1 < 2 * (to - from)) mask = 2 * mask + 1;
    table.fill(0, 0, 2 * (mask + 1));
    for (let j = from; j < to; j++) {
      const key = groupedKey[j];
      let slot = hashKey(key) & mask;
      let id: number;
      for (;;) {
        const entry = table[2 * slot + 1];
        if (entry === 0) {
          id = ids++;
          keyOfId[id] = key;
          table[2 * slot] = key;
          table[2 * slot + 1] = id + 1;
          break;
        }
        if (table[2 * slot] === key) {
          id = entry - 1;
          break;
        }
        slot = (slot + 1) & mask;
      }
      idOf[groupedRow[j]] = id;
    }
  }

  // 4. Codes in order of first appearance: the first row of each id gives it the next code.
  const codeOfId = mappedArray(Int32Array, ids).fill(-1);
  const distinct = mappedArray(Float64Array, ids);
  let next = 0;
  for (let i = 0; i < n; i++) {
    const id = idOf[i];
    let code = codeOfId[id];
    if (code < 0) {
      code = codeOfId[id] = next++;
      distinct[code] = keyOfId[id];
    }
    idOf[i] = code; // the array now holds codes
  }
  return { codes: idOf, distinct };
}
