/**
 * Rich output in the tslab kernel, the one file that decides how things look in a notebook: Markdown and text,
 * tables as HTML that fits the output, and figures shown the Jupyter way.
 *
 * A figure is ONE display message with several representations, as plotly.py sends it (`figureBundle`): the Plotly
 * spec (`application/vnd.plotly.v1+json`, drawn by JupyterLab's plotly renderer from the venv and by VS Code, with
 * no script to trust and no plotly.js in the notebook), a PNG and a small HTML fallback; each front end shows the
 * richest it can, so a reopened notebook or a viewer without the renderer is never blank.
 */
import * as dfd from 'danfojs-node';
import { count, escapeHtml, grouped, pct } from '../format';
import { renderImages } from '../visualize/export';
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
  display().html(textHtml(text));
}

/**
 * Preformatted text as HTML: long lines wrap at spaces, never inside a word (JupyterLab's own style for <pre> in
 * outputs breaks anywhere, `word-break: break-all`). O(length).
 */
export function textHtml(text: string): string {
  const style = 'font-size:13px;line-height:1.35;white-space:pre-wrap;word-break:normal;overflow-wrap:normal';
  return `<pre class="bankseg-text" style="${style}">${escapeHtml(text)}</pre>`;
}


// ---------------------------------------------------------------------------------------------------------------
// Figures.

/** Plotly's options in every front end: the chart follows the output's width; no Plotly logo. */
const PLOTLY_CONFIG = { responsive: true, displaylogo: false };

/**
 * The narrowest output area figures are made for: JupyterLab's at a 1280 px window with the file browser open is
 * ~850 px (at 1400 px, 968 px). Titles are wrapped to fit it and static images drawn at it; below it a title may be
 * clipped and an image scrolls.
 */
export const NARROWEST_OUTPUT = 800;

/** Average glyph width of the figure font as a share of its size (DejaVu Sans and Inter set ~0.5-0.55 em). */
const GLYPH_EM = 0.56;

/**
 * `text` broken at spaces (`<br>`) into lines of at most `maxChars` visible characters. Its own `<br>` are kept when
 * every line fits; otherwise the whole text is flowed again (a break placed for a wider chart would leave a ragged
 * short line). A single longer word stays whole. O(length).
 */
export function wrapLines(text: string, maxChars: number): string {
  const lines = text.split(/<br\s*\/?>/i);
  if (lines.every((line) => visibleLength(line) <= maxChars)) return text;
  const out: string[] = [];
  let current = '';
  for (const word of lines.join(' ').split(/\s+/).filter(Boolean)) {
    if (current && visibleLength(current) + 1 + visibleLength(word) > maxChars) {
      out.push(current);
      current = word;
    } else current = current ? `${current} ${word}` : word;
  }
  out.push(current);
  return out.join('<br>');
}

/** Characters a reader sees (Plotly's few tags, e.g. `<b>`, take no room). */
function visibleLength(s: string): number {
  return s.replace(/<[^>]+>/g, '').length;
}

interface TitleLayout {
  text?: string;
  font?: { size?: number };
  subtitle?: { text?: string; font?: { size?: number } };
  [key: string]: unknown;
}

/**
 * The figure with its title and subtitle broken into lines that fit an output `width` px wide, anchored at the top
 * of the chart, with a top margin that holds them and a row of labels above the plot (e.g. "recommended k = 6"),
 * the height grown as much as the margin so the plot keeps its size. Plotly never wraps a title: a long one is
 * clipped at the edge of a chart narrower than the figure's own width. O(title length).
 */
export function fitTitles(fig: Figure, width: number = NARROWEST_OUTPUT): Figure {
  const title = fig.layout.title as TitleLayout | undefined;
  if (!title?.text) return fig;
  const usable = 0.96 * width; // the title starts at x = 0.02 of the width
  const titleSize = title.font?.size ?? 17;
  const subSize = title.subtitle?.font?.size ?? 12;
  const text = wrapLines(title.text, Math.floor(usable / (GLYPH_EM * titleSize)));
  const sub = title.subtitle?.text ? wrapLines(title.subtitle.text, Math.floor(usable / (GLYPH_EM * subSize))) : undefined;
  const lines = (s: string | undefined) => (s ? s.split('<br>').length : 0);
  const TOP_PAD = 14;
  const LABEL_ROW = 34;
  const needed = Math.ceil(TOP_PAD + 1.25 * titleSize * lines(text) + (sub ? 8 + 1.3 * subSize * lines(sub) : 0) + LABEL_ROW);
  const margin = (fig.layout.margin ?? {}) as { t?: number };
  const top = Math.max(margin.t ?? 80, needed);
  return {
    ...fig,
    height: (fig.height ?? FIGURE_HEIGHT) + (top - (margin.t ?? 80)),
    layout: {
      ...fig.layout,
      title: { ...title, text, ...(sub ? { subtitle: { ...title.subtitle, text: sub } } : {}), yref: 'container', y: 1, yanchor: 'top', pad: { t: TOP_PAD } },
      margin: { ...margin, t: top },
    },
  };
}

/**
 * The MIME bundle of one figure: one display message with several representations, each front end showing the
 * richest it can (plotly.py's convention):
 * - `application/vnd.plotly.v1+json`: the spec (data, layout without a width so it takes the output's, config), drawn
 *   by JupyterLab/Notebook 7 through the jupyterlab-plotly renderer of the venv's `plotly` package and by VS Code,
 *   with no script to trust. That renderer shows the bundle's PNG first and draws the chart when the pointer
 *   enters it (its design, to open notebooks with many charts fast), so the PNG is made to fit any usual output;
 * - `image/png`: the static image (`png`, rendered at the narrowest usual output width), for viewers, converters,
 *   and that first look;
 * - `text/html`: the same picture as a small WebP (`webp`), for front ends without the Plotly renderer, which prefer
 *   HTML to a PNG (JupyterLab without it, the classic Notebook, nbconvert's HTML): no script, nothing to trust;
 * - `text/plain`: the title.
 * O(size of the spec + images).
 */
export function figureBundle(fig: Figure, images: { png?: Uint8Array; webp?: Uint8Array } = {}): Record<string, unknown> {
  const height = fig.height ?? FIGURE_HEIGHT;
  const layout = { ...fig.layout, height, autosize: true };
  const picture = images.webp
    ? `<img src="data:image/webp;base64,${Buffer.from(images.webp).toString('base64')}" alt="${escapeHtml(fig.title)}" style="width:100%;height:auto">`
    : `<div style="color:#5F6368">${escapeHtml(fig.title)} (an interactive chart: open the notebook in JupyterLab to see it)</div>`;
  return {
    'application/vnd.plotly.v1+json': { data: fig.data, layout, config: PLOTLY_CONFIG },
    ...(images.png ? { 'image/png': Buffer.from(images.png).toString('base64') } : {}),
    'text/html': `<div class="bankseg-figure" style="width:100%;max-width:${fig.width ?? FIGURE_WIDTH}px">${picture}</div>`,
    'text/plain': `${fig.title} (Plotly figure)`,
  };
}

/** The kernel's writer of display messages (tslab's public `display.raw` sends one MIME type per message). */
type WriteDisplayData = (msg: { data: Record<string, unknown>; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void;

/**
 * Sends one display message carrying a whole MIME bundle, through the writer tslab itself uses for display
 * messages (`lastWriteDisplayData` of tslab/dist/jupyter, set for the running cell). Throws outside a tslab kernel.
 */
function displayBundle(data: Record<string, unknown>): void {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const write = (require('tslab/dist/jupyter') as { lastWriteDisplayData?: WriteDisplayData | null }).lastWriteDisplayData;
  if (typeof write !== 'function') throw new Error('figures are shown in a tslab notebook kernel only (no cell is running)');
  write({ data, metadata: {}, transient: {} }, false);
}

/**
 * Shows figures, each as one display message carrying its interactive spec and its static images (see
 * `figureBundle`). Titles are fitted to the narrowest usual output (`fitTitles`); the images are drawn at that
 * width, in ONE headless Chromium (src/visualize/export.ts; ~2 s to start plus ~0.2 s per image). If Chromium is
 * unavailable the figures go out without images and one line says why.
 */
export async function showFigures(figs: readonly Figure[]): Promise<void> {
  const fitted = figs.map((f) => fitTitles(f));
  const atNarrowest = fitted.map((f) => ({ ...f, width: Math.min(f.width ?? FIGURE_WIDTH, NARROWEST_OUTPUT) }));
  let images = new Map<string, (Buffer | string)[]>();
  try {
    images = await renderImages(atNarrowest, [{ format: 'png', scale: 1 }, { format: 'webp', scale: 1 }]);
  } catch (err) {
    console.log(`(static images skipped: ${String((err as Error).message).split('\n')[0]})`);
  }
  fitted.forEach((fig, i) => {
    const [png, webp] = (images.get(fig.name) ?? []) as Buffer[];
    displayBundle(figureBundle({ ...fig, width: atNarrowest[i].width }, { png, webp }));
  });
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

/**
 * The DataFrame as an HTML table that fits the output: a column whose values are all numbers (NaN/null = missing)
 * is right-aligned, header included, with thousands separators and no line break inside a number; any other
 * column is left-aligned and wraps at spaces, as do the headers; NaN/null are shown as "—". O(cells).
 */
export function tableHtml(df: dfd.DataFrame, opts: TableOptions = {}): string {
  const columns = df.columns.map(String);
  const percent = new Set(opts.percent ?? columns.filter((c) => /share/i.test(c)));
  const rows = df.values as unknown[][];
  const index = df.index;
  const numeric = columns.map((_, c) => rows.every((row) => row[c] === null || row[c] === undefined || typeof row[c] === 'number'));
  const pad = 'padding:3px 4px';
  // Headers wrap at spaces and inside camelCase names from the source file (CustAccountBalance → Cust·Account·Balance).
  const header = (s: string) => escapeHtml(s).replace(/([a-z])([A-Z])/g, '$1<wbr>$2');
  const th = (s: string, align: string) => `<th style="text-align:${align};${pad};vertical-align:bottom;white-space:normal;font-size:12px">${header(s)}</th>`;
  const head = `<tr>${th('', 'left')}${columns.map((c, j) => th(c, numeric[j] ? 'right' : 'left')).join('')}</tr>`;
  const body = rows
    .map((row, r) => {
      const cells = row.map((v, c) => {
        const text = formatCell(v, percent.has(columns[c]));
        const style = numeric[c] ? 'text-align:right;white-space:nowrap' : 'text-align:left;white-space:normal';
        return `<td style="${style};${pad};vertical-align:top">${escapeHtml(text)}</td>`;
      });
      return `<tr><th style="text-align:left;${pad};vertical-align:top">${escapeHtml(String(index[r]))}</th>${cells.join('')}</tr>`;
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
 * Shows a table (a DataFrame, as HTML; `opts` gives a caption) at once, or a figure (one message: interactive spec,
 * PNG, HTML fallback) or a list of figures (their images rendered in one Chromium): await those. A table returns
 * nothing, so a cell ending with `bs.show(table)` prints no stray value.
 * @example await show(amountDistribution(data.clean))
 */
export function show(x: dfd.DataFrame, opts?: TableOptions): void;
export function show(x: Figure | readonly Figure[]): Promise<void>;
export function show(x: Figure | readonly Figure[] | dfd.DataFrame, opts: TableOptions = {}): void | Promise<void> {
  if (x instanceof dfd.DataFrame) {
    showTable(x, opts);
    return;
  }
  return showFigures(Array.isArray(x) ? x : [x as Figure]);
}
