/**
 * The free-cores decision (src/io/threads.ts) of the reader and the k sweep: readings of the runnable threads in other
 * processes, hand-worked; a real busy process on every core leaves one thread; the environment overrides.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import { busyElsewhere, freeThreads, threadState } from '../src/io/threads';

/** busyElsewhere over these readings; how many it took. */
function decide(readings: (number | undefined)[]): { busy: number; taken: number } {
  let taken = 0;
  const busy = busyElsewhere(() => readings[taken++], () => {});
  return { busy, taken };
}

test('busyElsewhere: the median of three readings, two equal readings decide, unknown means none', () => {
  assert.deepEqual(decide([0, 0, 9]), { busy: 0, taken: 2 });
  assert.deepEqual(decide([3, 0, 0]), { busy: 0, taken: 3 }); // one noisy reading does not decide
  assert.deepEqual(decide([1, 2, 3]), { busy: 2, taken: 3 });
  assert.deepEqual(decide([4, 1, 2]), { busy: 2, taken: 3 });
  assert.deepEqual(decide([2, 5, 2]), { busy: 2, taken: 3 });
  assert.deepEqual(decide([undefined, 7, 7]), { busy: 0, taken: 1 });
});

test('threadState: the letter after the last ")", whatever the thread name holds', () => {
  assert.equal(threadState('4711 (node) R 1 4711 0 0'), 'R');
  assert.equal(threadState('4712 (a) S (b) S 1 2 3'), 'S');
  assert.equal(threadState('4713 (V8 Defaults) R) D 1 2'), 'D');
});

test('freeThreads: a busy process on every core leaves one thread; the environment decides when set', async () => {
  const cores = os.availableParallelism();
  const spinners = Array.from({ length: cores }, () => spawn(process.execPath, ['-e', 'for (;;);'], { stdio: 'ignore' }));
  try {
    await new Promise((r) => setTimeout(r, 300)); // the spinners are running
    assert.equal(freeThreads(8), 1);
  } finally {
    for (const s of spinners) s.kill('SIGKILL');
  }
  const saved = { read: process.env.BANKSEG_READ_THREADS, all: process.env.BANKSEG_THREADS };
  try {
    process.env.BANKSEG_THREADS = '3';
    process.env.BANKSEG_READ_THREADS = '5';
    assert.equal(freeThreads(2, ['BANKSEG_READ_THREADS']), 5);
    assert.equal(freeThreads(2), 3);
    process.env.BANKSEG_READ_THREADS = 'two';
    assert.equal(freeThreads(2, ['BANKSEG_READ_THREADS']), 3);
  } finally {
    for (const [name, v] of [['BANKSEG_READ_THREADS', saved.read], ['BANKSEG_THREADS', saved.all]] as const) {
      if (v === undefined) delete process.env[name];
      else process.env[name] = v;
    }
  }
});
