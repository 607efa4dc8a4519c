import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { jupyterEnv, VENV_BIN } from '../../scripts/run-notebooks';

/** One step of a live kernel session (see kernel_session.py). */
export type KernelStep = { execute: string } | { write: [string, string] } | { remove: string } | { sleep: number };

/** What one executed cell produced. `displays`: the MIME bundle of each display/execute_result message. */
export interface CellResult {
  readonly status: 'ok' | 'error' | 'abort';
  readonly stdout: string;
  readonly stderr: string;
  readonly displays: Record<string, unknown>[];
  readonly seconds: number;
  /** CPU seconds the kernel process spent on the cell (0 where /proc is unavailable). */
  readonly cpu_seconds: number;
}

/**
 * Starts the project kernel (jupyter_client from the venv), runs the steps in order, shuts the kernel down and
 * returns one result per `execute` step. Throws with the driver's stderr if the session itself failed.
 */
export function kernelSession(steps: readonly KernelStep[], env: NodeJS.ProcessEnv = {}): CellResult[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-kernel-session-'));
  const results = path.join(dir, 'results.json');
  try {
    const r = spawnSync(path.join(VENV_BIN, 'python'), [path.join(__dirname, 'kernel_session.py'), results], {
      input: JSON.stringify(steps),
      env: { ...jupyterEnv(), ...env },
      encoding: 'utf8',
      timeout: 900_000,
    });
    if (r.status !== 0 || !fs.existsSync(results)) throw new Error(`kernel session failed (${r.status ?? r.signal}):\n${r.stderr}`);
    return JSON.parse(fs.readFileSync(results, 'utf8')) as CellResult[];
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
