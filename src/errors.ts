/**
 * The project's error kinds. Domain code throws them; only the CLI turns them into exit codes
 * (src/cli/main.ts). Any other error is a bug and shows as one.
 */

/** A bad command line: printed as one line, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Bad input data or an unreachable source: printed as one line, exit code 1. */
export class InputError extends Error {
  override name = 'InputError';
}
