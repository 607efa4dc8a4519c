/**
 * How long each notebook's first cell (the import of the notebook facade) takes in a fresh project kernel: wall
 * seconds and the kernel process's CPU seconds (steadier than wall time on a shared machine), with the kernel's
 * compile cache (jupyter/kernels/bankseg-tslab/compile-cache.js) empty and then filled, as a person meets it the
 * first time and every time after. Prints one line per notebook and run; nothing is written.
 *
 *   tsx scripts/first-cell.ts [--runs N] [notebook.ipynb ...]
 *
 * Needs the project's venv (.venv/, scripts/install.sh). A measurement, not a test: numbers depend on the machine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultNotebooks, NotebookJson } from './run-notebooks';
import { kernelSession } from '../test/helpers/kernel-session';

const ROOT = path.resolve(__dirname, '..');
/** Where compile-cache.js keeps its entries (see there). */
const COMPILE_CACHE = path.join(ROOT, 'node_modules', '.cache', 'bankseg-tslab');

function firstCodeCell(notebook: string): string {
  const nb = JSON.parse(fs.readFileSync(notebook, 'utf8')) as NotebookJson;
  const cell = nb.cells.find((c) => c.cell_type === 'code');
  if (!cell) throw new Error(`${notebook}: no code cell`);
  return typeof cell.source === 'string' ? cell.source : cell.source.join('');
}

function main(): void {
  const { values, positionals } = parseArgs({ options: { runs: { type: 'string' } }, allowPositionals: true });
  const runs = Number(values.runs ?? 1);
  const notebooks = positionals.length > 0 ? positionals.map((p) => path.resolve(p)) : defaultNotebooks();
  for (const cache of ['empty', 'filled'] as const) {
    for (let run = 0; run < runs; run++) {
      for (const nb of notebooks) {
        if (cache === 'empty') fs.rmSync(COMPILE_CACHE, { recursive: true, force: true });
        const [cell] = kernelSession([{ execute: firstCodeCell(nb) }]);
        if (cell.status !== 'ok') throw new Error(`${path.basename(nb)}: first cell ${cell.status}: ${cell.stderr}`);
        process.stdout.write(
          `${path.basename(nb).padEnd(32)} compile cache ${cache.padEnd(6)} ${cell.seconds.toFixed(2)} s wall, ${cell.cpu_seconds.toFixed(2)} s CPU\n`,
        );
      }
    }
  }
}

main();
