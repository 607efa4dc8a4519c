import type { Command } from './command';
import { InputError, UsageError } from '../errors';
import { COMMANDS } from './commands';
import { enableSignalCleanup } from '../io/temps';
import { scrubSecrets, urlSecrets } from '../collect/db/connection';

function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: bankseg <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `bankseg <command> --help` for the options of a command.',
  ].join('\n');
}

/** Entry point of the `bankseg` binary; returns the exit code instead of exiting, so tests can call it. */
export async function main(argv: string[]): Promise<number> {
  // Ctrl-C or a kill while an output is being written removes its temporary file (src/io/temps.ts).
  enableSignalCleanup();
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  const command: Command | undefined = COMMANDS.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`bankseg: unknown command "${name}" (commands: ${COMMANDS.map((c) => c.name).join(', ')})\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(command.help.trimEnd() + '\n');
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    const { code, message } = failure(err);
    // Last line of defence: whatever produced the message, no password of --url or PGPASSWORD gets printed.
    process.stderr.write(`bankseg ${name}: ${scrubSecrets(message, secretsOf(rest))}\n`);
    return code;
  }
}

/** Exit code of an internal error (a bug): EX_SOFTWARE of sysexits.h, distinct from bad data (1) and usage (2). */
export const BUG_EXIT_CODE = 70;

/**
 * What a command's error means for the user, the one place error kinds become exit codes: a bad command line (2)
 * and bad input data (1) are one line; anything else is a bug, reported as one with its stack, never as a bad
 * command line.
 */
export function failure(err: unknown): { code: number; message: string } {
  if (err instanceof UsageError) return { code: 2, message: err.message };
  if (err instanceof InputError) return { code: 1, message: err.message };
  const detail = err instanceof Error ? err.stack ?? `${err.name}: ${err.message}` : String(err);
  return { code: BUG_EXIT_CODE, message: `internal error (a bug in bankseg, please report it):\n${detail}` };
}

/** The secrets of the `--url` values among a command's arguments, and PGPASSWORD. */
function secretsOf(argv: readonly string[]): string[] {
  const urls = argv.flatMap((a, i) => (a === '--url' ? [argv[i + 1] ?? ''] : a.startsWith('--url=') ? [a.slice(6)] : []));
  return [...new Set([...urls.flatMap((u) => urlSecrets(u)), ...urlSecrets('')])];
}
