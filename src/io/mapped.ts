/**
 * Large typed arrays whose memory goes back to the system when they die, whichever thread made them.
 *
 * Node allocates an ArrayBuffer with the C library's malloc (calloc). glibc serves a request below its mmap
 * threshold from an arena and one above it with a mapping of its own, unmapped on free. The threshold starts at
 * 128 KiB but rises to the size of any mapped block freed, up to 32 MiB: after the reader frees its first 10–20 MB
 * blocks, every array up to that size comes from an arena. Each thread allocates from an arena of its own, and memory
 * freed in a worker thread's arena is reused only by that thread (which has exited) and given back only from the
 * arena's top: the reader's worker threads made and freed hundreds of MB of columns there, which stayed resident to
 * the end (~150 MB at 5M rows on two threads; the main thread's arena kept ~140 MB more after the read, partly reused
 * by the next stages' arrays: the peak, in the k sweep, was still ~110 MB higher than with the main thread's mapped). A request of at least 32 MiB is always mapped, whatever the threshold, and
 * calloc does not write to a fresh mapping, so pages never written are never resident: an array of `length` elements
 * as a view of such a buffer costs what it uses, and all of it returns when it dies. (Not an environment variable
 * such as MALLOC_MMAP_THRESHOLD_: users start bankseg with `npx`.)
 *
 * The price: address space (32 MiB a buffer), the page faults of fresh memory each time (an arena's freed memory is
 * reused as it is), and V8 counts the whole buffer as external memory (process.memoryUsage's arrayBuffers too), so
 * the garbage collector runs more often: mapped at 1M rows, the two-thread read took ~0.3 s more CPU, for little
 * (an arena then keeps tens of MB). So only a reader that makes large arrays maps them (mapLargeArrays: the
 * parallel reader's threads for shares of MAPPED_SHARE_ROWS rows or more), and only arrays of MIN_BYTES or more;
 * everywhere else mappedArray is `new C(length)`.
 */
/** A request this large is always mapped by glibc's malloc (its DEFAULT_MMAP_THRESHOLD_MAX on 64-bit systems). */
export const ALWAYS_MAPPED_BYTES = 32 << 20;
/** Smaller arrays are allocated as usual: an arena holds them at little cost. */
export const MIN_BYTES = 1 << 20;

export interface TypedArrayClass<T> {
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** A reader worker maps its large arrays when it expects this many rows or more (files of ~2M rows on two threads). */
export const MAPPED_SHARE_ROWS = 1_000_000;

let mapping = false;

/** Whether this thread's mappedArray maps large arrays from now on (until told otherwise; a thread has its own). */
export function mapLargeArrays(on: boolean): void {
  mapping = on;
}

/**
 * A zeroed `new C(length)`; when `map` (default: as mapLargeArrays set) and it is large (MIN_BYTES
 * up to ALWAYS_MAPPED_BYTES), a view of the first `length` elements of an ALWAYS_MAPPED_BYTES buffer: a mapping of its
 * own. O(1) besides zeroing small arrays.
 */
export function mappedArray<T>(C: TypedArrayClass<T>, length: number, map = mapping): T {
  const bytes = length * C.BYTES_PER_ELEMENT;
  if (!map || bytes < MIN_BYTES || bytes >= ALWAYS_MAPPED_BYTES) return new C(length);
  return new C(new ArrayBuffer(ALWAYS_MAPPED_BYTES), 0, length);
}
