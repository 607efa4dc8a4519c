/**
 * How the readers' typed columns grow: one helper for the row columns (rows.ts, columns.ts), the transaction-ID
 * characters (rows.ts) and the CSV field spans (csv.ts).
 */

type Grows = Int32Array | Float64Array | Uint16Array | Uint8Array;

/**
 * A new array of the same type with room for at least `needed` elements, and at least double `a`'s length (so n
 * appends cost O(n) copying in all), holding `a`'s first `keep` elements (default all); the rest are 0.
 * O(new length).
 */
export function grown<T extends Grows>(a: T, needed: number = a.length + 1, keep: number = a.length): T {
  const b = new (a.constructor as new (length: number) => T)(Math.max(needed, 2 * a.length));
  b.set(keep === a.length ? a : a.subarray(0, keep));
  return b;
}
