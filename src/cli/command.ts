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

/**
 * `util.parseArgs` with strict checking, whose complaints become a one-line `UsageError`. A negative number after
 * an option that takes a value (`--k -3`, `--seed -1`) is that option's value, so its own check can say what is
 * wrong with it (parseArgs would call the argument "ambiguous").
 */
export function parseOptions<O extends OptionSpec>(argv: string[], options: O): OptionValues<O> {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = /^--([^=]+)$/.exec(argv[i])?.[1];
    if (name !== undefined && options[name]?.type === 'string' && /^-[\d.]/.test(argv[i + 1] ?? '')) {
      args.push(`--${name}=${argv[++i]}`);
    } else {
      args.push(argv[i]);
    }
  }
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0]);
  }
}

/** Parses a whole number option in min..max, or throws a `UsageError` naming the option and the range. */
export function intOption(name: string, value: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${name} expects a whole number ${range}, got "${value}"`);
  return Number(value);
}
