/**
 * Rich output in the tslab kernel, the one file that decides how things look in a notebook: Markdown and text,
 * tables as HTML, and figures as interactive Plotly charts with a static PNG inside, so a reopened or untrusted
 * notebook is never blank.
 *
 * plotly.js is sent to the page once per notebook (`setupPlotly()`, ~4.8 MB inlined from plotly.js-dist-min, no
 * CDN); each chart is then a small HTML output: a <div> holding the PNG, and a script that swaps in the
 * interactive chart when `window.Plotly` exists (scripts only run in trusted notebooks; the PNG needs none).
 */
import * as crypto from 'node:crypto';
import * as dfd from 'danfojs-node';
import { count, escapeHtml, grouped, pct, scriptJson } from '../format';
import { plotlySource, renderStatic } from '../visualize/export';
import type { Figure } from '../visualize/figure';
import { FIGURE_HEIGHT, FIGURE_WIDTH } from '../visualize/theme';

// ---------------------------------------------------------------------------------------------------------------
// Rich output through tslab.

type Tslab = typeof import('tslab');

/** tslab's display, required lazily: inside the kernel `require('tslab')` is the running kernel's instance. */
function display(): Tslab['display'] {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return (require('tslab') as Tslab).display;
}

/** Shows Markdown (e.g. findings written from results). */
export function showMarkdown(markdown: string): void {
  display().markdown(markdown);
}

/** Shows preformatted text (e.g. a text report) without the stream styling of console output. */
export function showText(text: string): void {
  display().html(`<pre style="font-size:13px;line-height:1.35">${escapeHtml(text)}</pre>`);
}

// ---------------------------------------------------------------------------------------------------------------
// Figures.

/** The HTML that loads plotly.js into the page and defines `window.Plotly` (no require.js, no CDN). O(bundle). */
export function plotlyBundleHtml(): string {
  const version = /plotly\.js v([\d.]+)/.exec(plotlySource().slice(0, 200))?.[1] ?? '';
  return (
    `<script type="text/javascript">${plotlySource()}</script>\n` +
    `<div style="color:#5F6368;font-size:12px">plotly.js ${escapeHtml(version)} loaded for the interactive charts ` +
    '(static images are shown where scripts do not run)</div>'
  );
}

/** Loads plotly.js into the notebook page. Run it once, in the notebook's first code cells. */
export function setupPlotly(): void {
  display().html(plotlyBundleHtml());
}

/**
 * One figure as notebook HTML: a <div> holding the static PNG (if given), and a script that replaces it with the
 * interactive chart once `window.Plotly` is there (it waits up to 10 s for `setupPlotly`'s output to load).
 * O(size of the spec + PNG).
 */
export function figureOutputHtml(fig: Figure, png?: Uint8Array): string {
  const id = `bankseg-fig-${crypto.randomBytes(6).toString('hex')}`;
  const width = fig.width ?? FIGURE_WIDTH;
  const height = fig.height ?? FIGURE_HEIGHT;
  const img = png
    ? `<img src="data:image/png;base64,${Buffer.from(png).toString('base64')}" alt="${escapeHtml(fig.title)}" ` +
      `style="width:100%;max-width:${width}px;height:auto">`
    : `<div style="color:#5F6368">${escapeHtml(fig.title)} (interactive chart; run setupPlotly() and trust the notebook to see it)</div>`;
  const spec = scriptJson({ data: fig.data, layout: { ...fig.layout, height, autosize: true } });
  const script =
    '(function(){var spec=' + spec + ',tries=0;' +
    'function draw(){var el=document.getElementById("' + id + '");if(!el)return;' +
    'var P=window.Plotly;if(!P){if(++tries<100)setTimeout(draw,100);return;}' +
    'el.innerHTML="";el.style.height="' + height + 'px";' +
    'P.newPlot(el,spec.data,spec.layout,{responsive:true,displaylogo:false});}' +
    'draw();})();';
  return `<div class="bankseg-figure" id="${id}" style="width:100%;max-width:${width}px">${img}</div>\n<script type="text/javascript">${script}</script>`;
}

/**
 * Shows figures: interactive charts with their PNG inside. The PNGs are rendered in ONE headless Chromium
 * (src/visualize/export.ts; ~2 s to start plus ~0.3 s per figure); if Chromium is unavailable the charts are shown
 * without the static image and one line says why.
 */
export async function showFigures(figs: readonly Figure[]): Promise<void> {
  let pngs = new Map<string, Buffer | string>();
  try {
    pngs = await renderStatic(figs, 'png');
  } catch (err) {
    console.log(`(static images skipped: ${String((err as Error).message).split('\n')[0]})`);
  }
  for (const fig of figs) {
    const png = pngs.get(fig.name);
    display().html(figureOutputHtml(fig, typeof png === 'string' ? undefined : png));
  }
}

/** Shows one figure (see `showFigures`). */
export async function showFigure(fig: Figure): Promise<void> {
  await showFigures([fig]);
}

export interface TableOptions {
  /** A caption above the table. */
  readonly caption?: string;
  /** Columns whose values are shares (0..1), shown as percentages. Default: names containing "share". */
  readonly percent?: readonly string[];
}

/** The DataFrame as an HTML table: numbers right-aligned with thousands separators, NaN/null shown as "—". O(cells). */
export function tableHtml(df: dfd.DataFrame, opts: TableOptions = {}): string {
  const columns = df.columns.map(String);
  const percent = new Set(opts.percent ?? columns.filter((c) => /share/i.test(c)));
  const rows = df.values as unknown[][];
  const index = df.index;
  const th = (s: string, align = 'right') => `<th style="text-align:${align}">${escapeHtml(s)}</th>`;
  const head = `<tr>${th('', 'left')}${columns.map((c) => th(c)).join('')}</tr>`;
  const body = rows
    .map((row, r) => {
      const cells = row.map((v, c) => {
        const isNumber = typeof v === 'number';
        const text = formatCell(v, percent.has(columns[c]));
        return `<td style="text-align:${isNumber ? 'right' : 'left'};white-space:nowrap">${escapeHtml(text)}</td>`;
      });
      return `<tr><th style="text-align:left">${escapeHtml(String(index[r]))}</th>${cells.join('')}</tr>`;
    })
    .join('\n');
  const caption = opts.caption ? `<caption style="caption-side:top;text-align:left;font-weight:600">${escapeHtml(opts.caption)}</caption>` : '';
  return `<table class="bankseg-table" style="border-collapse:collapse;font-size:13px">${caption}\n<thead>${head}</thead>\n<tbody>${body}</tbody></table>`;
}

/** Shows a DataFrame as an HTML table (see `tableHtml`). */
export function showTable(df: dfd.DataFrame, opts: TableOptions = {}): void {
  display().html(tableHtml(df, opts));
}

/** A cell's text: "—" for missing, percentages for shares, integers with separators, other numbers to 4 significant digits (at least 2 decimals below 1,000). */
export function formatCell(v: unknown, asPercent = false): string {
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '—';
  if (typeof v !== 'number') return String(v);
  if (asPercent) return pct(v, 1);
  if (Number.isInteger(v)) return count(v);
  const abs = Math.abs(v);
  return grouped(v, abs >= 1000 ? 0 : abs >= 1 ? 2 : 4);
}

/**
 * Shows a figure (interactive, with its PNG inside), a list of figures (their PNGs rendered in one Chromium), or a
 * table (a DataFrame, as HTML; `opts` gives a caption). Await it for figures.
 * @example await show(amountDistribution(data.clean))
 */
export async function show(x: Figure | readonly Figure[] | dfd.DataFrame, opts: TableOptions = {}): Promise<void> {
  if (x instanceof dfd.DataFrame) return showTable(x, opts);
  await showFigures(Array.isArray(x) ? x : [x as Figure]);
}
