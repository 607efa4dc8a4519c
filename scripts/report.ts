/**
 * The notebooks as a report for people who do not run notebooks: each notebook executed top to bottom in a fresh
 * kernel (as `npm run notebooks` does), then written as ONE self-contained HTML page that works offline: no code,
 * JupyterLab's look, interactive Plotly charts (plotly.js inlined once per page that has charts) with the static
 * image inside each chart's box for a reader without JavaScript or a printout; nothing fetched from anywhere.
 *
 *   npm run report                                  # all of them, on the generated default data → figures/report/
 *   BANKSEG_INPUT=path/to/bank_transactions.csv npm run report
 *   tsx scripts/report.ts [--out DIR] [--executed DIR] [notebook.ipynb ...]
 *
 * `--executed DIR` takes notebooks already executed there (e.g. by `npm run notebooks -- --out DIR`) instead of
 * running them. Pages: `<out>/NN_name.html`, and `<out>/index.html` listing them. Exit 1 if a notebook fails.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { defaultNotebooks, describeFailure, JUPYTER, jupyterEnv, runNotebook } from './run-notebooks';
import { escapeHtml, scriptJson } from '../src/format';
import { plotlySource } from '../src/visualize/export';

const ROOT = path.resolve(__dirname, '..');
const DEFAULT_OUT = path.join(ROOT, 'figures', 'report');
const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

interface Output {
  output_type: string;
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}
interface Notebook {
  cells: { cell_type: string; source: string | string[]; outputs?: Output[] }[];
  metadata: Record<string, unknown>;
  [key: string]: unknown;
}

const joinText = (t: unknown): string => (Array.isArray(t) ? t.join('') : String(t ?? ''));

/**
 * One figure output (the bundle src/notebook/display.ts sends) as report HTML: a box holding the static image
 * (the bundle's PNG, else its HTML fallback), which a script replaces with the interactive chart once plotly.js is
 * on the page. O(size of the spec + image).
 */
export function reportFigureHtml(data: Record<string, unknown>, id: string): string {
  const spec = data[PLOTLY_MIME] as { data: unknown[]; layout: { height?: number }; config?: unknown };
  const title = joinText(data['text/plain']);
  const png = data['image/png'] ? joinText(data['image/png']).replace(/\s/g, '') : undefined;
  const picture = png
    ? `<img src="data:image/png;base64,${png}" alt="${escapeHtml(title)}" style="max-width:100%;height:auto">`
    : joinText(data['text/html']);
  const height = spec.layout.height ?? 650;
  const script =
    `(function(){var el=document.getElementById(${JSON.stringify(id)}),P=window.Plotly;if(!el||!P)return;` +
    `var spec=${scriptJson(spec)};el.innerHTML="";el.style.height="${height}px";` +
    'P.newPlot(el,spec.data,spec.layout,spec.config);})();';
  return `<div class="bankseg-figure" id="${id}">${picture}</div>\n<script type="text/javascript">${script}</script>`;
}

/**
 * The executed notebook made ready for nbconvert's HTML: each figure output becomes report HTML (see
 * `reportFigureHtml`); everything else is kept. Returns it with the number of figures. O(notebook size).
 */
export function prepareForReport(nb: Notebook): { nb: Notebook; figures: number } {
  let figures = 0;
  const cells = nb.cells.map((cell) => {
    if (!cell.outputs) return cell;
    const outputs = cell.outputs.map((o) => {
      if (!o.data || !o.data[PLOTLY_MIME]) return o;
      figures++;
      return { ...o, data: { 'text/html': reportFigureHtml(o.data, `bankseg-report-fig-${figures}`) }, metadata: {} };
    });
    return { ...cell, outputs };
  });
  return { nb: { ...nb, cells }, figures };
}

/** The page's title: the notebook's first Markdown heading. */
function notebookTitle(nb: Notebook, fallback: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'markdown') continue;
    const m = /^#\s+(.+)$/m.exec(joinText(cell.source));
    if (m) return m[1].trim();
  }
  return fallback;
}

/** Converts one executed notebook to `<outDir>/<stem>.html`; returns its title. */
async function writePage(executed: string, outDir: string): Promise<{ file: string; title: string; figures: number; input?: string }> {
  const stem = path.basename(executed, '.ipynb');
  const original = JSON.parse(fs.readFileSync(executed, 'utf8')) as Notebook;
  const title = notebookTitle(original, stem);
  const { nb, figures } = prepareForReport(original);
  nb.metadata = { ...nb.metadata, title };
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-report-'));
  try {
    const prepared = path.join(tmp, `${stem}.ipynb`);
    fs.writeFileSync(prepared, JSON.stringify(nb));
    const args = ['nbconvert', '--to', 'html', '--template', 'bankseg_report', '--no-input', '--output-dir', tmp, prepared];
    const { code, stderr } = await run(JUPYTER, args);
    const html = path.join(tmp, `${stem}.html`);
    if (code !== 0 || !fs.existsSync(html)) throw new Error(`jupyter nbconvert exited with ${code}:\n${stderr.trim().split('\n').slice(-8).join('\n')}`);
    let page = fs.readFileSync(html, 'utf8');
    // Nothing the page loads may come from the network (links a reader clicks are fine).
    const remote = /<(?:script|img|iframe|link)\b[^>]*\s(?:src|href)=["']?(?:https?:)?\/\/[^"'\s>]+/i.exec(page);
    if (remote) throw new Error(`${stem}: the page would load ${remote[0]} from the network`);
    if (figures > 0) {
      // plotly.js once, in the head, before the charts' scripts run.
      page = page.replace('</head>', () => `<script type="text/javascript">${plotlySource()}</script>\n</head>`);
    }
    const file = path.join(outDir, `${stem}.html`);
    const part = `${file}.tmp-${process.pid}`;
    fs.writeFileSync(part, page);
    fs.renameSync(part, file);
    return { file, title, figures, input: loadedFrom(original) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Where an executed notebook read its data, from its own load line (src/notebook/data.ts `load`:
 * "N clean transactions, N customers from WHERE; how in S s"); undefined when it has none. O(outputs).
 */
export function loadedFrom(nb: Notebook): string | undefined {
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      if (o.output_type !== 'stream') continue;
      const m = /^[\d,]+ clean transactions, [\d,]+ customers from (.+); [^;\n]+ in [\d.]+ s$/m.exec(joinText(o.text));
      if (m) return m[1];
    }
  }
  return undefined;
}

/**
 * What the index says the pages were run on: the one input their load lines name, or, when they differ or
 * none names one, that each page says.
 */
export function reportSource(inputs: readonly (string | undefined)[]): string {
  const named = new Set(inputs.filter((s): s is string => s !== undefined));
  return named.size === 1 ? `run on ${[...named][0]}` : 'run on the input each page names';
}

/** `<outDir>/index.html`: the pages in reading order. */
function writeIndex(outDir: string, pages: { file: string; title: string }[], source: string): string {
  const items = pages.map((p) => `<li><a href="${encodeURI(path.basename(p.file))}">${escapeHtml(p.title)}</a></li>`).join('\n');
  const html = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8"><title>bankseg: customer segmentation report</title>',
    '<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:40px auto;line-height:1.5;color:#2F3437}</style>',
    '</head><body>',
    '<h1>Customer segmentation of bank transactions</h1>',
    `<p>The notebooks, ${escapeHtml(source)}; pages written on ${new Date().toISOString().slice(0, 10)}. Each page works offline.</p>`,
    `<ol>\n${items}\n</ol>`,
    '</body></html>',
    '',
  ].join('\n');
  const file = path.join(outDir, 'index.html');
  fs.writeFileSync(file, html);
  return file;
}

function run(cmd: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env: jupyterEnv(), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => resolve({ code: 127, stderr: `${cmd}: ${err.message} (the project's Python is missing: bash scripts/install.sh)` }));
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, executed: { type: 'string' }, help: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) {
    process.stdout.write(
      'Usage: tsx scripts/report.ts [--out DIR] [--executed DIR] [notebook.ipynb ...]\n' +
        '  Runs each notebook (default: notebooks/NN_*.ipynb) in a fresh kernel and writes it as a self-contained\n' +
        `  HTML page that works offline, plus index.html, into DIR (default ${path.relative(process.cwd(), DEFAULT_OUT) || DEFAULT_OUT}).\n` +
        '  --executed DIR: use the notebooks already executed in DIR instead of running them.\n',
    );
    return 0;
  }
  const notebooks = positionals.length > 0 ? positionals.map((p) => path.resolve(p)) : defaultNotebooks();
  const outDir = path.resolve(values.out ?? DEFAULT_OUT);
  fs.mkdirSync(outDir, { recursive: true });
  const pages: { file: string; title: string; input?: string }[] = [];
  const scratch = values.executed ? undefined : fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-report-run-'));
  try {
    for (const nb of notebooks) {
      let executed: string;
      if (values.executed) {
        executed = path.join(path.resolve(values.executed), path.basename(nb));
        if (!fs.existsSync(executed)) throw new Error(`${executed}: no such executed notebook`);
      } else {
        const r = await runNotebook(nb, scratch as string, 1800);
        if (r.failure || r.nbconvertError || !r.executed) {
          process.stderr.write(describeFailure(r) + '\n');
          return 1;
        }
        executed = r.executed;
      }
      const page = await writePage(executed, outDir);
      pages.push(page);
      process.stdout.write(`${path.relative(process.cwd(), page.file)}: ${page.title} (${page.figures} interactive chart(s))\n`);
    }
    const index = writeIndex(outDir, pages, reportSource(pages.map((p) => p.input)));
    process.stdout.write(`${path.relative(process.cwd(), index)}: the report's contents\n`);
    return 0;
  } finally {
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`report: ${err.message}\n`);
      process.exit(2);
    },
  );
}
