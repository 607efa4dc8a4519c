/**
 * The CLI is the one place error kinds become exit codes: bad command line 2, bad data 1, and anything else is a
 * bug that says so (exit 70, with its stack), never dressed up as a bad command line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUG_EXIT_CODE, failure, main } from '../src/cli/main';
import { InputError, UsageError } from '../src/errors';

test('usage errors exit 2 and input errors exit 1, as one line', () => {
  assert.deepEqual(failure(new UsageError('--k expects auto or a whole number >= 2, got "1"')), {
    code: 2,
    message: '--k expects auto or a whole number >= 2, got "1"',
  });
  assert.deepEqual(failure(new InputError('x.csv: no such file')), { code: 1, message: 'x.csv: no such file' });
});

test('an internal RangeError (a bug) is reported as a bug with its stack, not as a bad command line', () => {
  const bug = new RangeError('k must be a whole number >= 2, got 0');
  const { code, message } = failure(bug);
  assert.equal(code, BUG_EXIT_CODE);
  assert.notEqual(code, 2);
  assert.match(message, /^internal error \(a bug in bankseg, please report it\):\nRangeError: k must be a whole number >= 2, got 0\n\s+at /);
  assert.match(failure('thrown text').message, /internal error .*\nthrown text$/s);
});

test('main: an unknown command and a bad option are usage errors (exit 2)', async () => {
  const write = process.stderr.write;
  let stderr = '';
  process.stderr.write = ((chunk: string) => ((stderr += chunk), true)) as typeof process.stderr.write;
  try {
    assert.equal(await main(['nope']), 2);
    assert.equal(await main(['generate', '--seed', '4294967296']), 2);
  } finally {
    process.stderr.write = write;
  }
  assert.match(stderr, /unknown command "nope"/);
  assert.match(stderr, /bankseg generate: --seed expects a whole number in 0..4294967295, got "4294967296"/);
});
