/**
 * A dictionary of UTF-8 byte strings (fields of a binary COPY) → codes in order of first appearance, looked up on
 * the bytes where they arrived: no string is made for a value already seen, only for new ones. With a million rows
 * and a million distinct customer ids, hashing fresh JS strings into a Map costs far more than hashing the bytes.
 */
import { HashSlots } from '../hash_slots';

/** Codes to make room for up front (the index and the arena grow beyond as needed). */
const INITIAL_CODES = 512;

export class ByteDictionary {
  /** The distinct values, decoded, in order of first appearance (value k has code k). */
  readonly values: string[] = [];
  /** Bytes of every value, back to back; value k is arena[starts[k] .. starts[k + 1]). */
  private arena = Buffer.allocUnsafe(1 << 16);
  private starts = new Int32Array(2 * INITIAL_CODES + 1);
  private readonly index = new HashSlots(INITIAL_CODES);
  /** Hash of the bytes of the last find(), reused by add(). */
  private lastHash = 0;

  /** Code of the bytes `bytes[from .. to)`, or -1 when they are not in the dictionary. O(length). */
  find(bytes: Buffer, from: number, to: number): number {
    let h = 0x811c9dc5; // FNV-1a
    for (let p = from; p < to; p++) h = Math.imul(h ^ bytes[p], 0x01000193);
    this.lastHash = h;
    const n = to - from;
    const { arena, starts } = this;
    const { slots: table, mask } = this.index;
    for (let slot = h & mask; ; slot = (slot + 1) & mask) {
      const entry = table[2 * slot];
      if (entry === 0) return -1;
      if (table[2 * slot + 1] !== h) continue;
      const at = starts[entry - 1];
      if (starts[entry] - at !== n) continue;
      let k = 0;
      while (k < n && arena[at + k] === bytes[from + k]) k++;
      if (k === n) return entry - 1;
    }
  }

  /** Adds the bytes the last find() was called with (and did not find); returns their new code. O(length). */
  add(bytes: Buffer, from: number, to: number): number {
    const code = this.values.length;
    const at = this.starts[code];
    const end = at + (to - from);
    if (end > this.arena.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.arena.length, end));
      this.arena.copy(grown, 0, 0, at);
      this.arena = grown;
    }
    bytes.copy(this.arena, at, from, to);
    if (code + 2 > this.starts.length) {
      const grown = new Int32Array(2 * this.starts.length);
      grown.set(this.starts);
      this.starts = grown;
    }
    this.starts[code + 1] = end;
    this.values.push(bytes.toString('utf8', from, to));
    this.index.insert(code, this.lastHash);
    return code;
  }

  /** Code of `bytes[from .. to)`, adding them if new. O(length). */
  code(bytes: Buffer, from: number, to: number): number {
    const code = this.find(bytes, from, to);
    return code >= 0 ? code : this.add(bytes, from, to);
  }
}
