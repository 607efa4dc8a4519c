/**
 * "Restart and run all" for every notebook: executes each one top to bottom in a fresh tslab kernel with
 * `jupyter nbconvert --to notebook --execute`, writes the executed copies to an output directory (never over
 * the committed notebooks) and fails, naming the notebook and the cell, on the first cell that did not run.
 *
 *   npm run notebooks                         # all of notebooks/*.ipynb, on the generated default data
 *   BANKSEG_INPUT=path/to/bank_transactions.csv npm run notebooks
 *   BANKSEG_URL=postgres://user@host/db [BANKSEG_TABLE=transactions] npm run notebooks
 *   tsx scripts/run-notebooks.ts [--out DIR] [--timeout SECONDS] [notebook.ipynb ...]
 *
 * Needs the project's Python venv (.venv/ with nbconvert and nbclient, made by scripts/install.sh) and the project
 * kernel (jupyter/kernels/bankseg-tslab, found through JUPYTER_PATH, which this script sets).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(__dirname, '..');
export const NOTEBOOK_DIR = path.join(ROOT, 'notebooks');
const KERNEL_DIR = path.join(ROOT, 'jupyter');
/** The project's venv (scripts/install-python.sh): Jupyter comes from here, never from the system. */
export const VENV_BIN = path.join(ROOT, '.venv', 'bin');
/** The venv's `jupyter` command. */
export const JUPYTER = path.join(VENV_BIN, 'jupyter');
const RUN_CONFIG = path.join(ROOT, 'jupyter', 'run_all_config.py');

/** The parts of an .ipynb file this script reads. */
export interface NotebookJson {
  readonly cells: readonly NotebookCell[];
}
export interface NotebookCell {
  readonly cell_type: string;
  readonly source: string | readonly string[];
  readonly metadata?: { readonly bankseg_run?: { readonly status: string }; readonly execution?: Record<string, string> };
  readonly outputs?: readonly NotebookOutput[];
}
export interface NotebookOutput {
  readonly output_type: string;
  readonly name?: string;
  readonly text?: string | readonly string[];
  readonly ename?: string;
  readonly evalue?: string;
  readonly traceback?: readonly string[];
}

/** Where a run went wrong: 1-based cell number (all cells, as they appear), its first source line, the error text. */
export interface CellFailure {
  readonly cell: number;
  readonly firstLine: string;
  readonly status: string;
  readonly error: string;
}

const joinText = (t: string | readonly string[] | undefined): string => (typeof t === 'string' ? t : (t ?? []).join(''));

// tslab's own frames (vm, executor, jupyter handler) say nothing about the notebook.
const isKernelFrame = (line: string): boolean => /node_modules\/tslab\/|\(node:vm:|sigintHandlersWrap|processTicksAndRejections/.test(line);

/** The error text of a cell: its `error` outputs and stderr, without tslab's internal stack frames. O(output size). */
export function cellErrorText(cell: NotebookCell): string {
  const parts: string[] = [];
  for (const out of cell.outputs ?? []) {
    if (out.output_type === 'error') {
      parts.push(`${out.ename ?? 'Error'}: ${out.evalue ?? ''}`, ...(out.traceback ?? []));
    } else if (out.output_type === 'stream' && out.name === 'stderr') {
      parts.push(joinText(out.text));
    }
  }
  return parts
    .join('\n')
    .split('\n')
    .filter((line) => line.trim() !== '' && !isKernelFrame(line))
    .join('\n');
}

/**
 * The first code cell of an executed notebook that failed: its reply status (recorded by jupyter/run_all_config.py)
 * is not "ok", or it has an `error` output. Undefined when every code cell ran. O(cells).
 */
export function firstFailure(nb: NotebookJson): CellFailure | undefined {
  for (let i = 0; i < nb.cells.length; i++) {
    const cell = nb.cells[i];
    if (cell.cell_type !== 'code' || joinText(cell.source).trim() === '') continue;
    const status = cell.metadata?.bankseg_run?.status ?? 'not run';
    const hasErrorOutput = (cell.outputs ?? []).some((o) => o.output_type === 'error');
    if (status !== 'ok' || hasErrorOutput) {
      const firstLine = joinText(cell.source).split('\n')[0];
      return { cell: i + 1, firstLine, status, error: cellErrorText(cell) || `(reply status "${status}", no error text)` };
    }
  }
  return undefined;
}

/** Seconds each code cell took (kernel busy → idle), from nbclient's timing metadata; 1-based cell numbers. */
export function cellSeconds(nb: NotebookJson): { cell: number; seconds: number }[] {
  const out: { cell: number; seconds: number }[] = [];
  nb.cells.forEach((cell, i) => {
    const t = cell.metadata?.execution;
    const busy = t?.['iopub.status.busy'];
    const idle = t?.['iopub.status.idle'];
    if (busy && idle) out.push({ cell: i + 1, seconds: (Date.parse(idle) - Date.parse(busy)) / 1000 });
  });
  return out;
}

/** Environment for Jupyter, as scripts/jupyter-env.sh sets it: the venv first on PATH, the project kernel first on JUPYTER_PATH. */
export function jupyterEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    PATH: base.PATH ? `${VENV_BIN}${path.delimiter}${base.PATH}` : VENV_BIN,
    JUPYTER_PATH: base.JUPYTER_PATH ? `${KERNEL_DIR}${path.delimiter}${base.JUPYTER_PATH}` : KERNEL_DIR,
  };
}

export interface RunResult {
  readonly notebook: string;
  readonly executed?: string;
  readonly seconds: number;
  readonly failure?: CellFailure;
  /** nbconvert itself failed (kernel died, timeout, unreadable notebook): its last stderr lines. */
  readonly nbconvertError?: string;
  readonly slowestCells: { cell: number; seconds: number }[];
}

/** Executes one notebook into `outDir` in a fresh kernel. Never throws for a failing notebook: see `failure`. */
export async function runNotebook(notebook: string, outDir: string, timeoutSeconds: number): Promise<RunResult> {
  const start = Date.now();
  const args = [
    'nbconvert',
    '--config', RUN_CONFIG,
    '--to', 'notebook',
    '--execute',
    `--ExecutePreprocessor.timeout=${timeoutSeconds}`,
    '--output-dir', outDir,
    notebook,
  ];
  const { code, stderr } = await run(JUPYTER, args, jupyterEnv());
  const seconds = (Date.now() - start) / 1000;
  const executed = path.join(outDir, path.basename(notebook));
  if (code !== 0 || !fs.existsSync(executed)) {
    const tail = stderr.trim().split('\n').slice(-8).join('\n');
    return { notebook, seconds, nbconvertError: `jupyter nbconvert exited with ${code}:\n${tail}`, slowestCells: [] };
  }
  const nb = JSON.parse(fs.readFileSync(executed, 'utf8')) as NotebookJson;
  const slowestCells = cellSeconds(nb)
    .sort((a, b) => b.seconds - a.seconds)
    .slice(0, 3);
  return { notebook, executed, seconds, failure: firstFailure(nb), slowestCells };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => resolve({ code: 127, stderr: `${cmd}: ${err.message} (the project's Python is missing: bash scripts/install.sh)` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

/** One line per failure, naming the notebook and the cell, then the error text indented. */
export function describeFailure(r: RunResult): string {
  const name = path.relative(process.cwd(), r.notebook) || r.notebook;
  if (r.nbconvertError) return `${name}: ${r.nbconvertError}`;
  if (!r.failure) return '';
  const f = r.failure;
  const error = f.error.split('\n').slice(0, 12).map((l) => `    ${l}`).join('\n');
  return `${name}: cell ${f.cell} failed (${f.status}): ${f.firstLine}\n${error}`;
}

/**
 * Errors tslab would report when a notebook imports src/: the modules the notebooks reach (scope `notebooks`) or
 * every .ts file under `<root>/src` (scope `src`), compiled with tslab's own TypeScript (5.0) and the options its
 * kernel uses (ESNext modules turned into CommonJS, Node10 resolution, declaration emit, not strict), plus folder
 * imports in the code the notebooks reach (see `folderImports`).
 * Run first so a break shows as one list, not as a notebook failure. One line per error,
 * `file:line:col - message`; empty when clean. Cost: one TypeScript program, a few seconds.
 */
export function tslabDiagnostics(root = ROOT, scope: 'notebooks' | 'src' = 'notebooks'): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) files.push(full);
    }
  };
  walk(path.join(root, 'src'));
  const reachable = notebookModules(defaultNotebooks(path.join(root, 'notebooks')), root);
  const { ts, program } = tslabProgram(scope === 'src' ? files : files.filter((f) => reachable.has(f)), root);
  const typeErrors = ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return message;
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${path.relative(root, d.file.fileName)}:${line + 1}:${character + 1} - ${message}`;
  });
  return [...typeErrors, ...[...reachable.keys()].flatMap((f) => folderImports(f, reachable.get(f) ?? '', root))];
}

/**
 * The TypeScript program the tslab kernel builds for `roots`: tslab's own TypeScript (5.0) and the options its
 * kernel uses (ESNext modules turned into CommonJS, Node10 resolution, declaration emit, not strict). Its source
 * files are what a first cell parses and binds, type files of packages included.
 */
export function tslabProgram(roots: readonly string[], root = ROOT): { ts: typeof import('typescript'); program: import('typescript').Program } {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ts = require(require.resolve('@tslab/typescript-for-tslab', { paths: [path.join(root, 'node_modules', 'tslab')] })) as typeof import('typescript');
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  // As tslab/dist/converter.js: ES2022 from Node 16 on.
  const target = nodeMajor >= 16 ? ts.ScriptTarget.ES2022 : ts.ScriptTarget.ES2020;
  const program = ts.createProgram(roots, {
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    target,
    lib: [nodeMajor >= 16 ? 'lib.es2022.d.ts' : 'lib.es2020.d.ts'],
    declaration: true,
    noEmit: false,
    emitDeclarationOnly: false,
    experimentalDecorators: true,
    resolveJsonModule: true,
    skipLibCheck: true,
    allowJs: true,
    rootDir: root,
    outDir: path.join(root, 'outDir'),
  });
  return { ts, program };
}

/**
 * The packages whose files the kernel's program for `roots` loads, with their characters of source (type files
 * mostly), largest first: what a notebook's first cell parses beyond src/. O(size of those files).
 */
export function packageTypeSurface(roots: readonly string[], root = ROOT): { name: string; chars: number }[] {
  const chars = new Map<string, number>();
  for (const file of tslabProgram(roots, root).program.getSourceFiles()) {
    const m = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(file.fileName);
    if (m) chars.set(m[1], (chars.get(m[1]) ?? 0) + file.text.length);
  }
  return [...chars].map(([name, n]) => ({ name, chars: n })).sort((a, b) => b.chars - a.chars);
}

const RELATIVE_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)['"](\.{1,2}(?:\/[^'"]*)?)['"]/gm;

/**
 * The code the notebooks run: their code cells (keyed `<notebook>.ipynb`, resolved from the root, the kernel's
 * working directory) and every src module reachable from them through relative imports. O(size of that code).
 */
export function notebookModules(notebooks: readonly string[], root = ROOT): Map<string, string> {
  const seen = new Map<string, string>();
  const queue: string[] = [];
  for (const nb of notebooks) {
    const cells = (JSON.parse(fs.readFileSync(nb, 'utf8')) as NotebookJson).cells.filter((c) => c.cell_type === 'code');
    // As the kernel sees it: relative imports resolve from the root.
    const key = path.join(root, path.basename(nb));
    seen.set(key, cells.map((c) => joinText(c.source)).join('\n'));
    queue.push(key);
  }
  while (queue.length > 0) {
    const file = queue.pop() as string;
    for (const m of (seen.get(file) ?? '').matchAll(RELATIVE_IMPORT)) {
      const target = path.resolve(path.dirname(file), m[1]);
      const resolved = [`${target}.ts`, path.join(target, 'index.ts')].find((f) => fs.existsSync(f));
      if (resolved && !seen.has(resolved)) {
        seen.set(resolved, fs.readFileSync(resolved, 'utf8'));
        queue.push(resolved);
      }
    }
  }
  return seen;
}

/**
 * Relative imports of a folder (`'./plots'` meaning `./plots/index.ts`): TypeScript accepts them, but tslab loads
 * the modules a notebook imports by adding `.js` to the path, so the import fails at run time. O(file size).
 */
export function folderImports(file: string, text: string, root = ROOT): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    for (const m of line.matchAll(RELATIVE_IMPORT)) {
      const target = path.resolve(path.dirname(file), m[1]);
      if (!fs.existsSync(`${target}.ts`) && fs.existsSync(path.join(target, 'index.ts'))) {
        out.push(`${path.relative(root, file)}:${i + 1} - import of folder '${m[1]}': tslab cannot load it, write '${m[1]}/index'`);
      }
    }
  });
  return out;
}

/** The committed notebooks in reading order (notebooks/NN_*.ipynb). */
export function defaultNotebooks(dir = NOTEBOOK_DIR): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^\d\d_.*\.ipynb$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/**
 * Where the notebooks will read their data, in the words their own load line uses (BANKSEG_URL before
 * BANKSEG_INPUT, a URL's password hidden): the kernels inherit this process's environment. Imported here, not at
 * the top, so the tests importing this file do not load the pipeline.
 */
export async function notebookInput(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const { describeSource } = await import('../src/notebook/data');
  return describeSource(env);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, timeout: { type: 'string' }, 'skip-check': { type: 'boolean' }, help: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'Usage: tsx scripts/run-notebooks.ts [--out DIR] [--timeout SECONDS_PER_CELL] [--skip-check] [notebook.ipynb ...]\n' +
        '  Runs each notebook top to bottom in a fresh tslab kernel (default: notebooks/NN_*.ipynb) into DIR\n' +
        '  (default: a new temp folder), after checking that src/ compiles under tslab (--skip-check skips that).\n' +
        '  The input is BANKSEG_URL (+ BANKSEG_TABLE) if set, else BANKSEG_INPUT, else the generated default data.\n' +
        '  Exit 1 if any notebook fails.\n',
    );
    return 0;
  }
  const timeout = values.timeout === undefined ? 1800 : Number(values.timeout);
  if (!Number.isInteger(timeout) || timeout <= 0) throw new Error(`--timeout expects whole seconds > 0, got "${values.timeout}"`);
  const notebooks = positionals.length > 0 ? positionals.map((p) => path.resolve(p)) : defaultNotebooks();
  for (const nb of notebooks) if (!fs.existsSync(nb)) throw new Error(`${nb}: no such notebook`);
  const outDir = path.resolve(values.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-notebooks-')));
  fs.mkdirSync(outDir, { recursive: true });
  process.stdout.write(`Running ${notebooks.length} notebook(s) on ${await notebookInput()}; executed copies in ${outDir}\n`);

  if (!values['skip-check']) {
    const problems = tslabDiagnostics();
    if (problems.length > 0) {
      process.stderr.write(`src/ does not compile in the tslab kernel (TypeScript 5.0, CommonJS):\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
      return 1;
    }
  }
  let failed = 0;
  for (const nb of notebooks) {
    const r = await runNotebook(nb, outDir, timeout);
    const name = path.relative(process.cwd(), nb) || nb;
    if (r.failure || r.nbconvertError) {
      failed++;
      process.stdout.write(`FAIL ${name} (${r.seconds.toFixed(1)} s)\n`);
      process.stderr.write(describeFailure(r) + '\n');
    } else {
      const slow = r.slowestCells.map((c) => `cell ${c.cell} ${c.seconds.toFixed(1)} s`).join(', ');
      process.stdout.write(`ok   ${name} (${r.seconds.toFixed(1)} s; slowest: ${slow})\n`);
    }
  }
  process.stdout.write(failed ? `${failed} of ${notebooks.length} notebook(s) failed\n` : `all ${notebooks.length} notebook(s) ran\n`);
  return failed ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`run-notebooks: ${err.message}\n`);
      process.exit(2);
    },
  );
}
