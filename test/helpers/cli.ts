/**
 * The real binary, bin/bankseg.js, run in a child process the way a user runs it: exit code, stdout and stderr.
 * Quiet by default (BANKSEG_QUIET=1: no progress lines on stderr); `env` adds or overrides variables, e.g.
 * `{ BANKSEG_QUIET: '' }` to see the progress, `{ BANKSEG_NO_CACHE: '1' }` or a private `BANKSEG_CACHE_ROOT`.
 * It runs in the project folder, as `npm test` does, wherever the test was started from.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
export const BIN = path.join(ROOT, 'bin', 'bankseg.js');

/** What a run ended with; `code` is -1 when the process was killed by a signal. */
export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...process.env, BANKSEG_QUIET: '1', ...env };
}

/** Runs `bankseg ...args` and waits for it (blocks the test process: no database calls can be served meanwhile). */
export function banksegSync(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs?: number): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', env: childEnv(env), timeout: timeoutMs });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `bankseg ...args`; `done` resolves when it exits. The child is returned so a test can signal it. */
export function banksegStart(args: readonly string[], env: NodeJS.ProcessEnv = {}): { child: ReturnType<typeof spawn>; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: childEnv(env) });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
  return { child, done };
}

/** Runs `bankseg ...args` without blocking the test process (its own database calls go on meanwhile). */
export function bankseg(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return banksegStart(args, env).done;
}
