/**
 * The notebooks and their runner: committed clean, the project kernel (from the venv's Jupyter, found through
 * JUPYTER_PATH) and the metadata it reports, every src module compiling under tslab's own TypeScript, the run-all
 * script (`npm run notebooks`, nbconvert) failing loudly on a broken notebook, and one real notebook run by it on
 * the 20,000 real rows (BANKSEG_INPUT).
 *
 * All seven notebooks run top to bottom in test/browser.test.ts, in JupyterLab as a person runs them; running them
 * again here with nbconvert would prove nothing more for twice the time, so this file runs one, for the runner.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  cellErrorText,
  defaultNotebooks,
  firstFailure,
  folderImports,
  JUPYTER,
  jupyterEnv,
  NotebookJson,
  notebookModules,
  packageTypeSurface,
  tslabDiagnostics,
} from '../scripts/run-notebooks';
import { figureBundle, fitTitles, formatCell, tableHtml, wrapLines } from '../src/notebook/display';
import { describe as describeColumns, frame } from '../src/notebook/tables';
import { source as notebookSource } from '../src/notebook/data';
import { REAL_RAW } from './helpers/real-data';
import { kernelSession } from './helpers/kernel-session';

const ROOT = path.resolve(__dirname, '..');
const REAL_ROWS = REAL_RAW;
const EXPECTED = [
  '01_data_collection',
  '02_preprocessing',
  '03_exploratory_analysis',
  '04_segmentation',
  '05_visualization',
  '06_business_insights',
  '07_segment_migration',
];

const made: string[] = [];
const tmp = (prefix: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
};
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

const readNotebook = (file: string) =>
  JSON.parse(fs.readFileSync(file, 'utf8')) as {
    cells: { cell_type: string; source: string[]; outputs?: unknown[]; execution_count?: number | null }[];
    metadata: { kernelspec?: { name?: string } };
  };

function runScript(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'run-notebooks.ts'), ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 900_000,
  });
}

test('the seven notebooks are committed in reading order, without outputs, on the project kernel', () => {
  const files = defaultNotebooks();
  assert.deepEqual(files.map((f) => path.basename(f, '.ipynb')), EXPECTED);
  for (const file of files) {
    const nb = readNotebook(file);
    const name = path.basename(file);
    assert.equal(nb.metadata.kernelspec?.name, 'bankseg-tslab', name);
    assert.equal(nb.cells[0].cell_type, 'markdown', `${name} opens with what it does`);
    assert.match(nb.cells[0].source.join(''), /What this notebook does/, name);
    const code = nb.cells.filter((c) => c.cell_type === 'code');
    for (const c of code) {
      assert.deepEqual(c.outputs, [], `${name}: committed without outputs`);
      assert.equal(c.execution_count, null, name);
    }
    // Ends with its findings, written from results.
    assert.match(nb.cells[nb.cells.length - 2].source.join(''), /What we found/, name);
    assert.match(nb.cells[nb.cells.length - 1].source.join(''), /showMarkdown\(/, name);
    // The data source is read in one place only.
    for (const c of code) assert.doesNotMatch(c.source.join(''), /BANKSEG_INPUT|process\.env/, `${name}: reads the source itself`);
    // A parameters cell right after the import (tagged for papermill), used by every load and segmentation, and
    // shown in the intro.
    assert.match(nb.cells[0].source.join(''), /\*\*Parameters\.\*\* The cell after the import sets/, `${name}: the intro shows the parameters cell`);
    const params = nb.cells[2] as { cell_type: string; source: string[]; metadata?: { tags?: string[] } };
    assert.equal(params.cell_type, 'code', name);
    assert.match(params.source.join(''), /^\/\/ Parameters: edit, then Run → Run Selected Cell and All Below\.\nconst params = bs\.parameters\(\{/, name);
    assert.deepEqual(params.metadata?.tags, ['parameters'], `${name}: tagged as papermill's parameters cell`);
    const all = code.map((c) => c.source.join('')).join('\n');
    assert.deepEqual(all.match(/bs\.load\([^)]*\)/g)?.map((m) => m), ['bs.load(params)'], `${name}: loads with the parameters`);
    for (const m of all.match(/bs\.segment\([^)]*\)/g) ?? []) assert.equal(m, 'bs.segment(data.features, params)', name);
    // The model's default features are read from the code, never listed in a notebook.
    assert.doesNotMatch(all, /recencyDays.*frequency.*monetaryTotal/, `${name}: lists the features by hand`);
  }
});

test('BANKSEG_URL/BANKSEG_TABLE or BANKSEG_INPUT is the only way the notebooks choose their input', () => {
  assert.deepEqual(notebookSource({}), {});
  assert.deepEqual(notebookSource({ BANKSEG_INPUT: '  ' }), {});
  assert.deepEqual(notebookSource({ BANKSEG_INPUT: '/data/bank_transactions.csv' }), { input: '/data/bank_transactions.csv' });
  // A database takes precedence over a file; the table is optional.
  assert.deepEqual(notebookSource({ BANKSEG_URL: 'postgres://u@h/db', BANKSEG_INPUT: '/x.csv' }), { url: 'postgres://u@h/db' });
  assert.deepEqual(notebookSource({ BANKSEG_URL: 'postgres://u@h/db', BANKSEG_TABLE: 'tx' }), { url: 'postgres://u@h/db', table: 'tx' });
});

test('describe: pandas-style statistics with NaN ignored (hand-worked: numpy percentiles of 1, 2, 3, 4)', () => {
  const df = describeColumns({ a: Float64Array.of(4, NaN, 1, 3, 2), empty: Float64Array.of(NaN) });
  assert.deepEqual(df.index, ['count', 'missing', 'mean', 'std', 'min', '25%', '50%', '75%', 'max']);
  const col = (name: string) => (df.values as number[][]).map((row) => row[df.columns.indexOf(name)]);
  assert.deepEqual(col('a'), [4, 1, 2.5, Math.sqrt(1.25), 1, 1.75, 2.5, 3.25, 4]);
  assert.deepEqual(col('empty').slice(0, 2), [0, 1]);
  assert.ok(col('empty').slice(2).every(Number.isNaN));
});

test('frame and tableHtml: a slice of columns, missing shown as a dash, shares as percentages', () => {
  const df = frame(
    {
      id: ['C1', 'C2', 'C3', 'C4'],
      amount: Float64Array.of(1234567, NaN, 0.5, 12.345),
      location: { codes: Int32Array.of(0, -1, 1, 0), values: ['PUNE', 'THANE'] },
      share: [0.5, 0.25, 0.125, 0.125],
    },
    { start: 1, end: 3 },
  );
  assert.deepEqual(df.index, [1, 2]);
  assert.deepEqual(df.values, [
    ['C2', NaN, null, 0.25],
    ['C3', 0.5, 'THANE', 0.125],
  ]);
  const html = tableHtml(df, { caption: 'a <b> c' });
  assert.match(html, /<caption[^>]*>a &lt;b&gt; c<\/caption>/);
  assert.match(html, /<th style="text-align:left[^"]*">1<\/th><td[^>]*>C2<\/td><td[^>]*>—<\/td><td[^>]*>—<\/td><td[^>]*>25\.0%<\/td>/);
  // Headers aligned as their values: text columns (id, location) left, numbers (amount, share) right.
  const align = (tag: string) => [...html.matchAll(new RegExp(`<${tag} style="text-align:(\\w+)`, 'g'))].map((m) => m[1]);
  assert.deepEqual(align('th').slice(0, 5), ['left', 'left', 'right', 'left', 'right']);
  assert.deepEqual(align('td').slice(0, 4), ['left', 'right', 'left', 'right']);
  assert.equal(formatCell(1234567), '1,234,567');
  assert.equal(formatCell(12.345), '12.35');
  assert.equal(formatCell(0.5), '0.5000');
  assert.equal(formatCell(98765.4), '98,765');
});

test('figureBundle: the Plotly spec, the PNG, an HTML fallback holding the WebP, and a title, in one bundle', () => {
  const png = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);
  const webp = Uint8Array.of(82, 73, 70, 70, 0, 0, 0, 0, 87, 69, 66, 80);
  const data = [{ type: 'bar', y: [1, 2] }];
  const fig = { name: 'x', title: 'evil "<b>" & co', data, layout: { title: { text: 'T' } }, width: 800, height: 500 };
  const bundle = figureBundle(fig, { png, webp });
  assert.deepEqual(Object.keys(bundle).sort(), ['application/vnd.plotly.v1+json', 'image/png', 'text/html', 'text/plain']);
  // The spec as plotly.py sends it: data, layout (height kept, the width left to the output), config.
  assert.deepEqual(bundle['application/vnd.plotly.v1+json'], {
    data,
    layout: { title: { text: 'T' }, height: 500, autosize: true },
    config: { responsive: true, displaylogo: false },
  });
  assert.equal(bundle['image/png'], Buffer.from(png).toString('base64'));
  assert.equal(
    bundle['text/html'],
    '<div class="bankseg-figure" style="width:100%;max-width:800px">' +
      `<img src="data:image/webp;base64,${Buffer.from(webp).toString('base64')}" alt="evil &quot;&lt;b&gt;&quot; &amp; co" style="width:100%;height:auto"></div>`,
  );
  assert.equal(bundle['text/plain'], 'evil "<b>" & co (Plotly figure)');
  // Without images (no Chromium): the spec, a line of HTML text and the title, no image.
  const bare = figureBundle(fig);
  assert.deepEqual(Object.keys(bare).sort(), ['application/vnd.plotly.v1+json', 'text/html', 'text/plain']);
  assert.doesNotMatch(bare['text/html'] as string, /<img|<script/);
});

test('wrapLines and fitTitles: titles broken at spaces to fit the narrowest output, the margin and height grown', () => {
  assert.equal(wrapLines('aaa bbb ccc dd', 7), 'aaa bbb<br>ccc dd');
  assert.equal(wrapLines('one<br>two three', 5), 'one<br>two<br>three');
  assert.equal(wrapLines('one two<br>three', 7), 'one two<br>three', 'its own breaks kept when every line fits');
  assert.equal(wrapLines('aa bb cc dd<br>ee', 8), 'aa bb cc<br>dd ee', 'flowed again when a line is too long');
  assert.equal(wrapLines('<b>bold</b> x', 6), '<b>bold</b> x', 'tags take no room');
  assert.equal(wrapLines('unbreakableword', 4), 'unbreakableword');
  const long = 'Who holds the money: share of customers, of the money moved and of balances per segment';
  const fig = { name: 'f', title: long, data: [], width: 1100, height: 650, layout: { title: { text: long, font: { size: 24 }, subtitle: { text: 'short', font: { size: 15 } } }, margin: { l: 80, t: 105 } } };
  // 800 px × 0.96 / (0.56 × 24 px) = 57 characters per line: 88 characters take two lines.
  const fitted = fitTitles(fig, 800);
  const title = fitted.layout.title as { text: string; subtitle: { text: string }; y: number; yanchor: string };
  assert.equal(title.text, 'Who holds the money: share of customers, of the money<br>moved and of balances per segment');
  assert.equal(title.subtitle.text, 'short');
  assert.deepEqual([title.y, title.yanchor], [1, 'top']);
  // Room on top: 14 pad + 2 × 30 (title) + 8 + 19.5 (subtitle) + 34 (labels above the plot) = 135.5 → 136 px.
  assert.deepEqual(fitted.layout.margin, { l: 80, t: 136 });
  assert.equal(fitted.height, 650 + (136 - 105));
  assert.equal(fig.layout.title.text, long, 'the input figure is not changed');
  // Wide enough: the lines stay, the margin is kept when it is already large enough.
  const wide = fitTitles(fig, 2000);
  assert.equal((wide.layout.title as { text: string }).text, long);
  assert.deepEqual([wide.layout.margin, wide.height], [{ l: 80, t: 106 }, 651]);
});

test('in a live kernel, show(figure) sends ONE display message with the spec, a PNG that fits, a WebP and a title', { timeout: 300_000 }, () => {
  const [cell] = kernelSession([
    {
      execute:
        "import * as bs from './src/notebook/index';\nimport { NARROWEST_OUTPUT } from './src/notebook/display';\n" +
        "import { baseLayout, makeFigure } from './src/visualize/theme';\n" +
        "await bs.show(makeFigure('probe', 'A probe', [{ type: 'bar', x: ['a', 'b'], y: [1, 2] }], baseLayout('A probe', 'two bars')));\n" +
        'console.log(NARROWEST_OUTPUT);',
    },
  ]);
  assert.equal(cell.status, 'ok', cell.stderr);
  assert.equal(cell.displays.length, 1, 'one display message');
  const bundle = cell.displays[0];
  assert.deepEqual(Object.keys(bundle).sort(), ['application/vnd.plotly.v1+json', 'image/png', 'text/html', 'text/plain']);
  const spec = bundle['application/vnd.plotly.v1+json'] as { data: { y: number[] }[]; layout: { width?: number } };
  assert.deepEqual(spec.data[0].y, [1, 2]);
  assert.equal(spec.layout.width, undefined, 'the interactive chart takes the width of the output');
  const png = Buffer.from(bundle['image/png'] as string, 'base64');
  assert.equal(png.toString('latin1', 1, 4), 'PNG');
  // The PNG is shown at its pixel size by JupyterLab's plotly renderer: no wider than the narrowest output.
  assert.equal(png.readUInt32BE(16), Number(cell.stdout.trim()));
  const webp = /data:image\/webp;base64,([A-Za-z0-9+/=]+)/.exec(bundle['text/html'] as string)?.[1];
  assert.ok(webp);
  assert.equal(Buffer.from(webp, 'base64').toString('latin1', 8, 12), 'WEBP');
});

test('the project kernel is found through JUPYTER_PATH and points into this clone', () => {
  const r = spawnSync(JUPYTER, ['kernelspec', 'list', '--json'], { env: jupyterEnv(), encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const specs = (JSON.parse(r.stdout) as { kernelspecs: Record<string, { resource_dir: string; spec: { argv: string[] } }> }).kernelspecs;
  const spec = specs['bankseg-tslab'];
  assert.ok(spec, 'bankseg-tslab listed');
  assert.equal(spec.resource_dir, path.join(ROOT, 'jupyter', 'kernels', 'bankseg-tslab'));
  assert.ok(spec.spec.argv.includes('{connection_file}'));
  // Without our JUPYTER_PATH entry, Jupyter does not know it: nothing was installed globally.
  const bare = spawnSync(JUPYTER, ['kernelspec', 'list', '--json'], {
    env: { ...process.env, JUPYTER_PATH: '' },
    encoding: 'utf8',
  });
  assert.equal((JSON.parse(bare.stdout) as { kernelspecs: Record<string, unknown> }).kernelspecs['bankseg-tslab'], undefined);
});

test('firstFailure names the first cell whose reply was not ok, with the error text minus tslab frames', () => {
  const nb: NotebookJson = {
    cells: [
      { cell_type: 'markdown', source: ['# title'] },
      { cell_type: 'code', source: ['const a = 1;'], metadata: { bankseg_run: { status: 'ok' } }, outputs: [] },
      { cell_type: 'code', source: [''], outputs: [] }, // empty cells are not executed
      {
        cell_type: 'code',
        source: ['await load();\n', 'more'],
        metadata: { bankseg_run: { status: 'error' } },
        outputs: [
          { output_type: 'stream', name: 'stdout', text: ['fine\n'] },
          {
            output_type: 'stream',
            name: 'stderr',
            text: ['Error: no such file x.csv\n', '    at load (evalmachine.<anonymous>:3:9)\n', '    at Object.execute (/p/node_modules/tslab/dist/executor.js:160:38)\n'],
          },
        ],
      },
      { cell_type: 'code', source: ['later()'], metadata: { bankseg_run: { status: 'abort' } }, outputs: [] },
    ],
  };
  assert.deepEqual(firstFailure(nb), {
    cell: 4,
    firstLine: 'await load();',
    status: 'error',
    error: 'Error: no such file x.csv\n    at load (evalmachine.<anonymous>:3:9)',
  });
  // A cell with an error output fails even when its status says ok; a cell never run fails too.
  assert.equal(
    firstFailure({ cells: [{ cell_type: 'code', source: 'x', metadata: { bankseg_run: { status: 'ok' } }, outputs: [{ output_type: 'error', ename: 'E', evalue: 'bad' }] }] })?.cell,
    1,
  );
  assert.equal(firstFailure({ cells: [{ cell_type: 'code', source: 'x', outputs: [] }] })?.status, 'not run');
  assert.equal(firstFailure({ cells: [{ cell_type: 'code', source: 'x', metadata: { bankseg_run: { status: 'ok' } } }] }), undefined);
  assert.equal(cellErrorText({ cell_type: 'code', source: '', outputs: [{ output_type: 'error', ename: 'TypeError', evalue: 'x is undefined', traceback: [] }] }), 'TypeError: x is undefined');
});

test('folderImports flags imports of a folder, which tslab cannot load', () => {
  const file = path.join(ROOT, 'src', 'example.ts');
  const text = [
    "import { a } from './visualize';",
    "import { b } from './visualize/index';",
    "import type { C } from './segment/types';",
    "const d = require('./segment');",
    "import { e } from 'danfojs-node';",
  ].join('\n');
  assert.deepEqual(folderImports(file, text, ROOT), [
    "src/example.ts:1 - import of folder './visualize': tslab cannot load it, write './visualize/index'",
    "src/example.ts:4 - import of folder './segment': tslab cannot load it, write './segment/index'",
  ]);
});

test('every module under src/ compiles with the TypeScript and options of the tslab kernel', () => {
  assert.deepEqual(tslabDiagnostics(ROOT, 'src'), []);
});

test('the notebooks reach the figure exporter but not Playwright\'s 2 MB of type files (loaded lazily, typed by shape)', () => {
  const reached = [...notebookModules(defaultNotebooks(), ROOT).keys()].filter((f) => f.endsWith('.ts'));
  assert.ok(reached.includes(path.join(ROOT, 'src', 'visualize', 'export.ts')), 'the exporter is in the graph');
  const surface = packageTypeSurface(reached, ROOT);
  const names = surface.map((p) => p.name);
  assert.ok(names.includes('danfojs-node') && names.includes('@types/node'), `the program loads package types: ${names.join(', ')}`);
  assert.deepEqual(names.filter((n) => /playwright/.test(n)), [], 'no Playwright type file in the kernel\'s first cell');
});

test('run-notebooks fails naming the notebook and the cell, and never writes over the notebook', () => {
  const dir = tmp('bankseg-nb-fail-');
  const file = path.join(dir, 'broken.ipynb');
  const cell = (source: string) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source });
  const text = JSON.stringify({
    cells: [
      { cell_type: 'markdown', metadata: {}, source: '# broken' },
      cell("console.log('first');"),
      cell("const n: number = 1;\nif (n === 1) throw new Error('the second code cell breaks');"),
      cell("console.log('never');"),
    ],
    metadata: { kernelspec: { name: 'bankseg-tslab', display_name: 'TypeScript (bankseg)', language: 'typescript' } },
    nbformat: 4,
    nbformat_minor: 4,
  });
  fs.writeFileSync(file, text);
  // With a database set (it wins over a file), the first line names it, password hidden, as the notebooks' load line does.
  const dbEnv = { ...process.env, BANKSEG_URL: 'postgres://ana:s3cret@db.example/bank', BANKSEG_TABLE: 'tx', BANKSEG_INPUT: '/x.csv' };
  const r = runScript(['--skip-check', '--out', path.join(dir, 'out'), file], dbEnv);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^Running 1 notebook\(s\) on BANKSEG_URL=postgres:\/\/ana@db\.example\/bank \(table tx\); executed copies in /);
  assert.doesNotMatch(r.stdout + r.stderr, /s3cret|generated default data/);
  assert.match(r.stdout, /FAIL .*broken\.ipynb/);
  assert.match(r.stderr, /broken\.ipynb: cell 3 failed \(error\): const n: number = 1;/);
  assert.match(r.stderr, /Error: the second code cell breaks/);
  assert.equal(fs.readFileSync(file, 'utf8'), text);
  // A type error is a failure too (tslab reports it without an exception).
  fs.writeFileSync(file, text.replace("const n: number = 1;", "const n: number = 'one';"));
  const typed = runScript(['--skip-check', '--out', path.join(dir, 'out'), file]);
  assert.equal(typed.status, 1);
  assert.match(typed.stderr, /cell 3 failed \(error\)[^\n]*\n\s+1:7 - Type 'string' is not assignable to type 'number'/);
});

test('a live kernel picks up edits to src/ at the next cell: new code, new types, modules importing it too', { timeout: 300_000 }, () => {
  // Throwaway modules of our own under src/, edited from outside the kernel as an editor would; removed in finally.
  const stem = `__reload_probe_${process.pid}`;
  const leaf = path.join(ROOT, 'src', `${stem}.ts`);
  const user = path.join(ROOT, 'src', `${stem}_user.ts`);
  const folder = path.join(ROOT, 'src', `${stem}_dir`);
  try {
    const cells = kernelSession([
      { write: [leaf, 'export function version(): number { return 1; }\n'] },
      { write: [user, `import { version } from './${stem}';\nexport const describe = (): string => 'v' + version();\n`] },
      { execute: `import { describe } from './src/${stem}_user';\nimport { version } from './src/${stem}';\nconsole.log(describe(), version());` },
      // One edit.
      { write: [leaf, 'export function version(): number { return 2; }\n'] },
      { execute: 'console.log(describe(), version());' },
      // Two edits (a changed type and a new export), a new folder and file between two cells: tslab's own watcher
      // failed the next cell with "Unexpected pending rebuildTimer" on this.
      { write: [leaf, 'export function version(): number { return 3; }\n'] },
      { sleep: 0.3 },
      { write: [leaf, "export function version(): string { return 'four'; }\nexport const added = (): string => 'new';\n"] },
      { write: [path.join(folder, 'b.ts'), 'export const b = 1;\n'] },
      { execute: 'const v: string = version();\nconsole.log(describe(), v);' },
      { execute: `import { added } from './src/${stem}';\nimport { b } from './src/${stem}_dir/b';\nconsole.log(added(), b);` },
      // A type error against the new type is reported where it is in the cell (line 1, column 7).
      { write: [leaf, "export function version(): string { return 'five'; }\n"] },
      { execute: 'const n: number = version();' },
      { sleep: 0.5 }, // tslab aborts what it receives in the 200 ms after a failed cell
      // No edit since: no message, and the reload the failed cell saw still reaches this one.
      { execute: 'console.log(describe());' },
    ]);
    assert.deepEqual(cells.map((c) => c.status), ['ok', 'ok', 'ok', 'ok', 'error', 'ok'], JSON.stringify(cells, null, 1));
    assert.equal(cells[0].stdout, 'v1 1\n');
    assert.equal(cells[1].stdout, `(reloaded after edits to src/${stem}.ts and 1 module(s) importing them)\nv2 2\n`);
    assert.equal(cells[2].stdout, `(reloaded after edits to src/${stem}.ts and 1 module(s) importing them)\nvfour four\n`);
    assert.equal(cells[3].stdout, 'new 1\n');
    assert.match(cells[4].stderr, /^1:7 - Type 'string' is not assignable to type 'number'/m);
    assert.equal(cells[5].stdout, 'vfive\n');
    for (const c of cells) assert.doesNotMatch(c.stderr, /rebuildTimer/);
  } finally {
    for (const p of [leaf, user, folder]) fs.rmSync(p, { recursive: true, force: true });
  }
});

test('notebook 04 in a live kernel: edit the parameters cell to another k, run it and all below, then every cell again', { timeout: 600_000 }, () => {
  const nb = readNotebook(path.join(ROOT, 'notebooks', '04_segmentation.ipynb'));
  const cells = nb.cells.filter((c) => c.cell_type === 'code').map((c) => c.source.join(''));
  const paramsAt = cells.findIndex((c) => c.includes('bs.parameters('));
  assert.equal(paramsAt, 1, 'the parameters cell follows the import');
  const run = (sources: string[]) => sources.map((execute) => ({ execute }));
  // First as committed (k 'auto'); then k set by hand, as a reader would, to one the sweep does not recommend.
  const first = kernelSession(run(cells), { BANKSEG_INPUT: REAL_ROWS });
  assert.deepEqual(first.map((c) => c.status), cells.map(() => 'ok'), first.map((c) => c.stderr).join(''));
  const recommended = Number(/^(\d+) segments of/m.exec(first.map((c) => c.stdout).join(''))?.[1]);
  assert.ok(recommended >= 2, 'the auto run kept the recommended k');
  const k = recommended === 5 ? 4 : 5;
  const edited = cells[paramsAt].replace("k: 'auto',", `k: ${k},`);
  assert.notEqual(edited, cells[paramsAt]);
  // A fresh kernel: the import, the edited parameters and everything below; then every cell once more.
  const withEdit = cells.map((c, i) => (i === paramsAt ? edited : c));
  const second = kernelSession([...run(withEdit), ...run(withEdit)], { BANKSEG_INPUT: REAL_ROWS });
  assert.deepEqual(second.map((c) => c.status), second.map(() => 'ok'), 'every cell runs, and runs again: ' + second.map((c) => c.stderr).join(''));
  const edit = second.slice(0, cells.length);
  const out = edit.map((c) => c.stdout).join('');
  assert.match(out, new RegExp(`^Parameters: input: BANKSEG_INPUT=.*; k = ${k}; features [a-zA-Z, ]+; seed 42$`, 'm'));
  assert.match(out, new RegExp(`^${k} segments of [\\d,]+ customers`, "m"));
  assert.doesNotMatch(second.map((c) => c.stdout).join(''), /Promise \{/, 'no cell prints a stray value');
  // The figure and the findings say which k is in use and, separately, which one is recommended.
  const displays = edit.flatMap((c) => c.displays);
  const figure = displays.find((d) => d['application/vnd.plotly.v1+json']) as Record<string, { layout: { annotations: { text: string }[]; title: { subtitle: { text: string } } } }>;
  const layout = figure['application/vnd.plotly.v1+json'].layout;
  assert.deepEqual(layout.annotations.map((a) => a.text).sort(), [`<b>in use k = ${k}</b>`, `<b>recommended k = ${recommended}</b>`]);
  assert.match(layout.title.subtitle.text.replace(/<br>/g, ' '), new RegExp(`^k = ${k} in use, as requested\\. Recommended: k = ${recommended} `));
  const markdown = displays.map((d) => String(d['text/markdown'] ?? '')).join('\n');
  assert.match(markdown, new RegExp(`^- \\*\\*k = ${k}\\*\\*, as requested; the sweep recommends \\*\\*k = ${recommended}\\*\\*: `, 'm'));
  assert.doesNotMatch(markdown, new RegExp(`\\*\\*k = ${k}\\*\\*: k = ${recommended} is`), 'never the old contradiction');
});

test('run-notebooks runs a real notebook on the real rows; the saved kernel metadata is what the kernel reports', { timeout: 600_000 }, () => {
  const out = tmp('bankseg-nb-run-');
  const committed = defaultNotebooks().map((f) => fs.readFileSync(f, 'utf8'));
  const first = path.join(ROOT, 'notebooks', '01_data_collection.ipynb');
  const r = runScript(['--skip-check', '--out', out, first], { ...process.env, BANKSEG_INPUT: REAL_ROWS });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /ok +notebooks\/01_data_collection\.ipynb/);
  // The findings are written from the results (counts checked independently in test/profile.test.ts).
  const executed = readNotebook(path.join(out, '01_data_collection.ipynb'));
  assert.match(JSON.stringify(executed.cells[executed.cells.length - 1].outputs), /20,000\*\* transactions under \*\*19,937\*\* CustomerIDs/);
  // nbclient stores the language_info of the kernel's own kernel_info reply. A committed notebook whose metadata
  // differs is marked modified as soon as JupyterLab opens it (test/browser.test.ts checks that in the page).
  const reported = (executed.metadata as { language_info?: unknown }).language_info;
  assert.ok(reported, 'the kernel reported its language_info');
  // The kernelspec as JupyterLab writes it: the kernel's name and its kernel.json's display name and language.
  const spec = JSON.parse(fs.readFileSync(path.join(ROOT, 'jupyter', 'kernels', 'bankseg-tslab', 'kernel.json'), 'utf8')) as { display_name: string; language: string };
  for (const file of defaultNotebooks()) {
    const nb = readNotebook(file);
    assert.deepEqual((nb.metadata as { language_info?: unknown }).language_info, reported, `${path.basename(file)}: language_info`);
    assert.deepEqual(nb.metadata.kernelspec, { name: 'bankseg-tslab', display_name: spec.display_name, language: spec.language }, path.basename(file));
  }
  // The committed notebooks are untouched.
  assert.deepEqual(defaultNotebooks().map((f) => fs.readFileSync(f, 'utf8')), committed);
});
