import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALWAYS_MAPPED_BYTES, mapLargeArrays, mappedArray, MIN_BYTES, type TypedArrayClass } from '../src/io/mapped';

test('mappedArray on a worker: a zeroed array of the length and type asked; between MIN_BYTES and 32 MiB a view of a 32 MiB buffer', () => {
  const cases: [Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor | Uint16ArrayConstructor, number, number][] = [
    [Float64Array, 10, 80], // small: as usual
    [Int32Array, MIN_BYTES / 4 - 1, MIN_BYTES - 4],
    [Int32Array, MIN_BYTES / 4, ALWAYS_MAPPED_BYTES],
    [Float64Array, 2_500_000, ALWAYS_MAPPED_BYTES], // 20 MB: a reader column of 2.5M rows
    [Uint16Array, 3_000_000, ALWAYS_MAPPED_BYTES],
    [Uint8Array, ALWAYS_MAPPED_BYTES - 1, ALWAYS_MAPPED_BYTES],
    [Uint8Array, ALWAYS_MAPPED_BYTES, ALWAYS_MAPPED_BYTES], // large: mapped anyway
    [Float64Array, 5_000_000, 40_000_000],
  ];
  for (const [C, length, bufferBytes] of cases) {
    const a = mappedArray(C as TypedArrayClass<Float64Array | Int32Array | Uint8Array | Uint16Array>, length, true);
    assert.ok(a instanceof C, `${C.name} ${length}`);
    assert.equal(a.length, length);
    assert.equal(a.byteOffset, 0);
    assert.equal(a.buffer.byteLength, bufferBytes, `${C.name} ${length}: buffer`);
    assert.ok(!(a.buffer instanceof SharedArrayBuffer));
    for (const i of [0, Math.floor(length / 2), length - 1]) assert.equal(a[i], 0);
    a[length - 1] = 7;
    assert.equal(a[length - 1], 7);
  }
});

test('mappedArray: the unused part of a 32 MiB buffer is never written, so it is not resident (Linux)', { skip: process.platform !== 'linux' }, () => {
  const before = process.memoryUsage().rss;
  const arrays = Array.from({ length: 24 }, () => mappedArray(Uint8Array, MIN_BYTES, true).fill(1)); // 24 MiB used, 768 MiB of buffers
  const grown = process.memoryUsage().rss - before;
  assert.equal(arrays.length, 24);
  assert.ok(grown < 200 * MIN_BYTES, `RSS grew by ${Math.round(grown / MIN_BYTES)} MiB for 24 MiB written`);
});

test('mappedArray: new C(length), whatever the size, unless mapLargeArrays(true) on this thread', () => {
  for (const length of [10, MIN_BYTES, 3_000_000]) {
    const a = mappedArray(Int32Array, length);
    assert.equal(a.length, length);
    assert.equal(a.buffer.byteLength, 4 * length);
  }
  mapLargeArrays(true);
  try {
    assert.equal(mappedArray(Int32Array, 3_000_000).buffer.byteLength, ALWAYS_MAPPED_BYTES);
  } finally {
    mapLargeArrays(false);
  }
  assert.equal(mappedArray(Int32Array, 3_000_000).buffer.byteLength, 12_000_000);
});

test('mappedArray in a worker thread: new C(length) until mapLargeArrays(true), then mapped', async () => {
  const { Worker } = await import('node:worker_threads');
  const code = `const { parentPort } = require('node:worker_threads'); require('tsx/cjs');
    const { mapLargeArrays, mappedArray } = require(${JSON.stringify(require.resolve('../src/io/mapped'))});
    const before = mappedArray(Int32Array, 1 << 20).buffer.byteLength;
    mapLargeArrays(true);
    const after = mappedArray(Int32Array, 1 << 20).buffer.byteLength;
    mapLargeArrays(false);
    parentPort.postMessage([before, after, mappedArray(Int32Array, 1 << 20).buffer.byteLength]);`;
  const bytes = await new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.once('message', resolve);
    w.once('error', reject);
  });
  assert.deepEqual(bytes, [4 << 20, ALWAYS_MAPPED_BYTES, 4 << 20]);
});
