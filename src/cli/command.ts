import { parseArgs, ParseArgsConfig } from 'node:util';
import { UsageError } from '../errors';

/** What every `bankseg` sub-command provides; `main.ts` dispatches on `name`. */
export interface Command {
  readonly name: string;
  /** One line for `bankseg --help`. */
  readonly summary: string;
  /** Full text for `bankseg <name> --help` (usage line first). */
  readonly help: string;
  /** Runs the command; returns the process exit code. Throwing `UsageError`/`InputError` prints one line. */
  run(argv: string[]): Promise<number>;
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>;
/** The parsed values for an option spec (named, so declaration emit — tslab's — can refer to it). */
export type OptionValues<O extends OptionSpec> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>
>['values'];

/** `util.parseArgs` with strict checking, whose complaints become a one-line `UsageError`. */
export function parseOptions<O extends OptionSpec>(argv: string[], options: O): OptionValues<O> {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
}

/** Parses a whole number option, or throws a `UsageError` naming the option. */
export function intOption(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) throw new UsageError(`--${name} expects a whole number >= ${min}, got "${value}"`);
  return Number(value);
}
