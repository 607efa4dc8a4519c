/**
 * The file reader's growing dictionaries: text → code in order of first appearance, looked up on the characters of
 * a field where it lies in the decoded chunk, so a value already seen costs no string.
 *
 * Two indexes, chosen per value by its characters, never both for one value:
 * - **packed**: a short text over a small alphabet (a date of birth `10/1/94`) is read as a number in bijective
 *   base b (every character a digit 1..b-1), exact in a double, so two texts are equal exactly when their numbers
 *   are. The index holds (number, code) pairs side by side: a probe never touches the value's string.
 * - **text**: anything else (locations, unusual dates, customer IDs that do not pack): FNV-1a hash in HashSlots,
 *   then a character compare with the stored string.
 * Customer IDs, ~900k distinct, are not looked up row by row at all: see id_codes.ts.
 * One-character ASCII values (gender `M`/`F`) use a direct table.
 */
import { HashSlots } from './hash_slots';
import { hashKey } from './id_codes';

/** Which texts a dictionary packs into numbers. */
export interface PackedAlphabet {
  /** Digit (1..base-1) of each ASCII character in the alphabet; 0 for every other character. */
  readonly digits: Uint8Array;
  readonly base: number;
  /** Longest text packed: base^maxLength must stay below 2^53 so the number is exact. */
  readonly maxLength: number;
}

function alphabet(chars: string): PackedAlphabet {
  const digits = new Uint8Array(128);
  for (let k = 0; k < chars.length; k++) digits[chars.charCodeAt(k)] = k + 1;
  const base = chars.length + 1;
  const maxLength = Math.floor(53 / Math.log2(base));
  return { digits, base, maxLength };
}

/** Dates: digits and the separators, up to 13 characters: `10/1/94`, `26-11-1996`, `1994-01-10`. */
export const DATE_ALPHABET = alphabet('0123456789-./');
/** No packing: every value goes through the text index (locations, genders). */
export const NO_ALPHABET: PackedAlphabet = { digits: new Uint8Array(128), base: 2, maxLength: 0 };

const EMPTY = 0;

export class TextDictionary {
  /** The distinct values in order of first appearance (value k has code k). */
  readonly values: string[] = [];
  /** Packed index: pairs (number, code + 1); code + 1 = 0 marks an empty slot. */
  private packed: Float64Array;
  private packedMask: number;
  private packedCount = 0;
  /** Text index for values that are not packed. */
  private readonly index: HashSlots;
  /** Code of each one-character ASCII value, -1 if absent. */
  private readonly single = new Int32Array(128).fill(-1);
  /** What the last `find` computed, reused by `add`: the one-character value, the number (-1: not packed), the text hash. */
  private lastSingle = -1;
  private lastKey = -1;
  private lastHash = 0;

  /** `expected`: how many distinct values to make room for up front (it grows beyond as needed). */
  constructor(
    private readonly alphabet: PackedAlphabet,
    expected = 16,
  ) {
    let slots = 16;
    while (slots < 2 * expected) slots *= 2;
    this.packed = new Float64Array(alphabet.maxLength > 0 ? 2 * slots : 2);
    this.packedMask = alphabet.maxLength > 0 ? slots - 1 : 0;
    this.index = new HashSlots(alphabet.maxLength > 0 ? 16 : expected);
  }

  /** Number of distinct values. */
  get size(): number {
    return this.values.length;
  }

  /**
   * Code of text[start, end), or -1 if not in the dictionary yet (then `add` may follow, with exactly this text).
   * O(length): one pass computes the hash and, when every character is in the alphabet, the packed number.
   */
  find(text: string, start: number, end: number): number {
    const n = end - start;
    if (n === 1) {
      const c = text.charCodeAt(start);
      if (c < 128) {
        this.lastSingle = c;
        return this.single[c];
      }
    }
    this.lastSingle = -1;
    if (n <= this.alphabet.maxLength) {
      // Packed: the number, then its slot from a mix of the number (so growing needs no text).
      const { digits, base } = this.alphabet;
      let key = 0;
      let p = start;
      for (; p < end; p++) {
        const c = text.charCodeAt(p);
        const d = c < 128 ? digits[c] : 0;
        if (d === 0) break;
        key = key * base + d;
      }
      if (p === end) {
        this.lastKey = key;
        const table = this.packed;
        const mask = this.packedMask;
        for (let slot = hashKey(key) & mask; ; slot = (slot + 1) & mask) {
          const entry = table[2 * slot + 1];
          if (entry === EMPTY) return -1;
          if (table[2 * slot] === key) return entry - 1;
        }
      }
    }
    let h = 0x811c9dc5; // FNV-1a over the characters
    for (let p = start; p < end; p++) h = Math.imul(h ^ text.charCodeAt(p), 0x01000193);
    // FNV's low bits, which pick the slot, mix poorly for short texts that differ in the last character.
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    this.lastHash = h;
    this.lastKey = -1;
    const { slots, mask } = this.index;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = slots[2 * slot];
      if (entry === 0) return -1;
      if (slots[2 * slot + 1] !== h) continue;
      const value = this.values[entry - 1];
      if (value.length !== n) continue;
      let k = 0;
      while (k < n && value.charCodeAt(k) === text.charCodeAt(start + k)) k++;
      if (k === n) return entry - 1;
    }
  }

  /** Adds `value`, which the last `find` (called with exactly this text) did not find; returns its code. O(1) amortised. */
  add(value: string): number {
    const code = this.values.length;
    this.values.push(value);
    if (this.lastSingle >= 0) {
      this.single[this.lastSingle] = code;
    } else if (this.lastKey >= 0) {
      if (2 * (this.packedCount + 1) > this.packedMask + 1) this.growPacked();
      this.placePacked(this.lastKey, code + 1);
      this.packedCount++;
    } else {
      this.index.insert(code, this.lastHash);
    }
    return code;
  }

  /** Code of a whole string, finding or adding it. */
  code(value: string): number {
    const code = this.find(value, 0, value.length);
    return code >= 0 ? code : this.add(value);
  }

  private placePacked(key: number, entry: number): void {
    const table = this.packed;
    const mask = this.packedMask;
    let slot = hashKey(key) & mask;
    while (table[2 * slot + 1] !== EMPTY) slot = (slot + 1) & mask;
    table[2 * slot] = key;
    table[2 * slot + 1] = entry;
  }

  /** Doubles the packed index. O(size). */
  private growPacked(): void {
    const old = this.packed;
    this.packed = new Float64Array(2 * old.length);
    this.packedMask = old.length - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i + 1] !== EMPTY) this.placePacked(old[i], old[i + 1]);
  }
}
