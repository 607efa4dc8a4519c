/**
 * Runs one side of the benchmark as a child process and reads the one JSON line it prints.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { RunResult, Side } from './lib_compare';

export const BENCH_DIR = __dirname;
export const ROOT = path.resolve(__dirname, '..');
/** The project's Python (scripts/install-python.sh makes .venv/ from requirements.txt: pandas, Polars, scikit-learn). */
export const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
/** The script of each reference. */
export const REFERENCE_SCRIPTS: Record<Exclude<Side, 'ts'>, string> = {
  polars: path.join(BENCH_DIR, 'polars_reference.py'),
  pandas: path.join(BENCH_DIR, 'reference.py'),
};

/** The options both sides take, with the same meaning. */
export interface SideOptions {
  readonly input: string;
  readonly k: number;
  readonly nInit: number;
  readonly seed: number;
  readonly sample: number;
  readonly kMin: number;
  readonly kMax: number;
  /** Threads for Polars, scikit-learn and numpy (POLARS_MAX_THREADS, OMP_NUM_THREADS, ...); unset: their default (every core). */
  readonly pyThreads?: number;
}

export function sideArgs(o: SideOptions): string[] {
  return [
    '--input', o.input,
    '--k', String(o.k),
    '--n-init', String(o.nInit),
    '--seed', String(o.seed),
    '--sample', String(o.sample),
    '--k-min', String(o.kMin),
    '--k-max', String(o.kMax),
  ];
}

/** The command line of a side: node with tsx for bankseg (optionally profiling itself), the venv's Python for a reference. */
export function sideCommand(side: Side, o: SideOptions, cpuProfDir?: string): { cmd: string; args: string[] } {
  if (side === 'ts') {
    const prof = cpuProfDir ? ['--cpu-profile', cpuProfDir] : [];
    return { cmd: process.execPath, args: ['--import', 'tsx', path.join(BENCH_DIR, 'ts_side.ts'), ...sideArgs(o), ...prof] };
  }
  return { cmd: PYTHON, args: [REFERENCE_SCRIPTS[side], ...sideArgs(o)] };
}

function threadEnv(side: Side, threads: number | undefined): Record<string, string> {
  if (side === 'ts' || threads === undefined) return {};
  const t = String(threads);
  return { OMP_NUM_THREADS: t, OPENBLAS_NUM_THREADS: t, MKL_NUM_THREADS: t, POLARS_MAX_THREADS: t };
}

/**
 * Spawns one side, waits for it, and returns its JSON line with `wall` (spawn to exit, start-up included).
 * Its stderr is passed through; a non-zero exit or a missing JSON line throws with the side's last output.
 */
export function runSide(side: Side, o: SideOptions, cpuProfDir?: string): Promise<RunResult & Record<string, unknown>> {
  const { cmd, args } = sideCommand(side, o, cpuProfDir);
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, BANKSEG_QUIET: '1', ...threadEnv(side, o.pyThreads) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
      process.stderr.write(b);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const wall = Number(process.hrtime.bigint() - start) / 1e9;
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        reject(new Error(`${side} side ${how}: ${(stderr.trim().split('\n').pop() ?? '').slice(0, 500)}`));
        return;
      }
      try {
        resolve({ ...(JSON.parse(last) as RunResult & Record<string, unknown>), side, wall });
      } catch {
        reject(new Error(`${side} side printed no JSON result line (stdout ended with ${JSON.stringify(last.slice(-200))})`));
      }
    });
  });
}
