/**
 * Seeded pseudo-random numbers, so every generated file, sample and restart is reproducible.
 * mulberry32: 32-bit state, fast, good enough for simulation and sampling (not for cryptography).
 */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
}

/**
 * Throws a one-line RangeError unless `seed` is a whole number 0..4294967295. The generators keep 32 bits, so a
 * larger (or negative, or fractional) seed would silently give the same numbers as another seed.
 */
export function checkSeed(seed: number): void {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be a whole number in 0..4294967295, got ${seed}`);
}

export function createRng(seed: number): Rng {
  checkSeed(seed);
  let state = seed ^ 0x9e3779b9;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare = NaN;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal() {
      if (!Number.isNaN(spare)) {
        const s = spare;
        spare = NaN;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const r = Math.sqrt(-2 * Math.log(u));
      const theta = 2 * Math.PI * next();
      spare = r * Math.sin(theta);
      return r * Math.cos(theta);
    },
  };
}

/**
 * `m` distinct indices from 0..n-1, uniformly, in increasing order (all of them when m >= n).
 * O(n) time via selection sampling (Knuth's algorithm S), O(m) memory.
 */
export function sampleIndices(n: number, m: number, rng: Rng): Int32Array {
  if (m >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const out = new Int32Array(m);
  let chosen = 0;
  for (let i = 0; i < n && chosen < m; i++) {
    if ((n - i) * rng.next() < m - chosen) out[chosen++] = i;
  }
  return out;
}

/**
 * `m` distinct indices of 0..n-1 drawn uniformly (Floyd's algorithm), in increasing order; all of them when m >= n.
 * O(m log m) time, O(n) bits: independent of n in time, unlike a pass over all rows.
 */
export function sampleDistinct(n: number, m: number, rng: Rng): Int32Array {
  if (m >= n) return Int32Array.from({ length: n }, (_, i) => i);
  const taken = new Uint8Array(n);
  const out = new Int32Array(m);
  let c = 0;
  for (let j = n - m; j < n; j++) {
    const t = rng.int(j + 1);
    const pick = taken[t] ? j : t;
    taken[pick] = 1;
    out[c++] = pick;
  }
  return out.sort();
}
