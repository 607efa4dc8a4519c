/**
 * `npm run test:unit`: the fast tier for the edit–test loop, seconds instead of minutes. Every test/*.test.ts runs
 * except those below, which need Chromium, PostgreSQL, Jupyter or Python, spawn the CLI, or generate many rows;
 * `npm test` runs them all. A new test file is in the fast tier unless it is listed here with its reason.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SLOW: Readonly<Record<string, string>> = {
  'assign_cli.test.ts': 'spawns bankseg segment, run, assign, migrate; the full default data; figures in Chromium',
  'assign_db.test.ts': 'a throwaway PostgreSQL server; spawns bankseg segment, assign, migrate',
  'bench.test.ts': 'runs the pandas + scikit-learn benchmark (Python)',
  'browser.test.ts': 'JupyterLab in headless Chromium',
  'db.test.ts': 'a throwaway PostgreSQL server',
  'db_pushdown.test.ts': 'a throwaway PostgreSQL server',
  'db_sharded.test.ts': 'throwaway PostgreSQL servers',
  'db_scoring.test.ts': 'throwaway PostgreSQL servers; spawns bankseg segment and assign',
  'export.test.ts': 'renders figures in Chromium',
  'generate.test.ts': 'generates and reads 200,000 rows',
  'hostile.test.ts': 'faults: tmpfs and bind mounts, killed child processes, PostgreSQL',
  'monitor.test.ts': 'generates and segments 20,000-row files',
  'notebooks.test.ts': 'Jupyter kernels',
  'profile_cli.test.ts': 'spawns bankseg profile',
  'read_hostile.test.ts': 'spawns bankseg and FIFO writers; both reader paths per case',
  'read_parallel.test.ts': 'worker threads over generated files',
  'report.test.ts': 'runs a notebook in a Jupyter kernel, opens the page in Chromium',
  'run_cli.test.ts': 'spawns bankseg run, with figures in Chromium',
  'segment_cli.test.ts': 'spawns bankseg segment',
  'sweep_threads.test.ts': 'worker threads; sweeps the real rows twice',
};

const dir = __dirname;
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.test.ts') && !(f in SLOW)).sort();
const unknown = Object.keys(SLOW).filter((f) => !fs.existsSync(path.join(dir, f)));
if (unknown.length > 0) {
  process.stderr.write(`test/unit.ts lists test files that do not exist: ${unknown.join(', ')}\n`);
  process.exit(2);
}
const run = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...files.map((f) => path.join(dir, f))], { stdio: 'inherit' });
process.exit(run.status ?? 1);
