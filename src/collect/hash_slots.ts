/**
 * The hash index shared by the readers' growing dictionaries (text spans in src/collect/dictionary.ts, bytes in
 * src/collect/db/byte_dictionary.ts): open addressing with linear probing, each slot a pair (code + 1, hash) side by side
 * so a probe touches one cache line; 0 marks an empty slot. The dictionary keeps its values and compares them
 * itself while it walks the probe sequence (`slots`, `mask`); this class only places codes and grows.
 */
export class HashSlots {
  /** Pairs (code + 1, hash), 2 entries per slot. Replaced (not resized in place) when the index grows. */
  slots: Int32Array;
  /** Slot count - 1 (the slot count is a power of two): `hash & mask` is the first slot to probe. */
  mask: number;

  /** `expected`: how many codes to make room for up front (it doubles beyond as needed). */
  constructor(expected: number) {
    let n = 16;
    while (n < 2 * expected) n *= 2;
    this.slots = new Int32Array(2 * n);
    this.mask = n - 1;
  }

  /**
   * Records `code` (new, and not yet recorded) under `hash`. The index doubles once codes would fill half of it,
   * so probe sequences stay short. O(1) amortised.
   */
  insert(code: number, hash: number): void {
    if (2 * (code + 1) > this.mask + 1) this.rehash(2 * (this.mask + 1));
    this.place(code + 1, hash);
  }

  private place(entry: number, hash: number): void {
    let slot = hash & this.mask;
    while (this.slots[2 * slot] !== 0) slot = (slot + 1) & this.mask;
    this.slots[2 * slot] = entry;
    this.slots[2 * slot + 1] = hash;
  }

  private rehash(count: number): void {
    const old = this.slots;
    this.slots = new Int32Array(2 * count);
    this.mask = count - 1;
    for (let i = 0; i < old.length; i += 2) if (old[i] !== 0) this.place(old[i], old[i + 1]);
  }
}
