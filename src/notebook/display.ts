/**
 * Notebook helpers for the tslab kernel: where the data comes from (BANKSEG_INPUT, read here and nowhere else),
 * small tables as danfo DataFrames shown as HTML, and figures shown as interactive Plotly charts with a static PNG
 * inside, so a reopened or untrusted notebook is never blank.
 *
 * plotly.js is sent to the page once per notebook (`setupPlotly()`, ~4.8 MB inlined from plotly.js-dist-min, no
 * CDN); each chart is then a small HTML output: a <div> holding the PNG, and a script that swaps in the
 * interactive chart when `window.Plotly` exists (scripts only run in trusted notebooks; the PNG needs none).
 * Heavy work stays in the pipeline modules; everything here is O(rows shown) unless it says otherwise.
 */
import * as crypto from 'node:crypto';
import * as dfd from 'danfojs-node';
import { FIGURES_DIR } from '../config';
import { InputError } from '../errors';
import * as ss from 'simple-statistics';
import { pushDownSource } from '../preprocess/load';
import type { LoadOptions } from '../preprocess/load';
import { cachedLoad } from '../preprocess/load_cache';
import { cachedSegmentation } from '../segment/cached';
import type { CachedLoad } from '../preprocess/load_cache';
import type { CachedSegmentation } from '../segment/cached';
import { exportFigures, plotlySource, renderStatic } from '../visualize/export';
import { customerEdaFigures, reportFigures, segmentFigures } from '../visualize/figure_registry';
import type { LoadedData } from '../preprocess/load';
import type { Figure } from '../visualize/figure';
import { FIGURE_HEIGHT, FIGURE_WIDTH } from '../visualize/theme';
import { quantileSorted, sortedPresent } from '../stats/quantile';
import type { CleanTable, DictColumn, TransactionTable } from '../table';
import type { CustomerFeatures } from '../preprocess/feature_registry';
import { GENDERS, isoDate } from '../table';
import { FEATURES, NUMERIC_FEATURES, featureColumns } from '../preprocess/feature_registry';
import type { NumberFeatureSpec } from '../preprocess/feature_registry';
import type { SegmentOptions } from '../segment/index';
import type { KScore } from '../segment/types';
import type { ProfiledSegmentation } from '../insights/types';
import { profileSegmentation } from '../insights/profile';
import { count, escapeHtml, grouped, pct, scriptJson } from '../format';
import { DEFAULT_TABLE, ENV } from '../config';
import { redactUrl } from '../collect/db/connection';

// ---------------------------------------------------------------------------------------------------------------
// Where the data comes from.

/** The environment variable naming the transactions file the notebooks read (e.g. the real 1M-row CSV). */
export const INPUT_ENV = ENV.input;
/** Or a PostgreSQL database (postgres://…) and table (default `transactions`) to read them from. */
export const URL_ENV = ENV.url;
export const TABLE_ENV = ENV.table;
/** `1`: with BANKSEG_URL, clean and build the customer features inside the database (no transaction rows in the kernel). */
export const PUSH_DOWN_ENV = ENV.pushDown;

/**
 * The notebooks' data source, the ONE place they read it: `BANKSEG_URL` (+ `BANKSEG_TABLE`) for a database,
 * else `BANKSEG_INPUT` (a CSV, plain or .gz; a relative path is relative to the project root, the kernel's working
 * directory), else the generated default data.
 */
export function notebookSource(env: NodeJS.ProcessEnv = process.env): LoadOptions {
  const url = env[URL_ENV]?.trim();
  const pushDown = env[PUSH_DOWN_ENV]?.trim() === '1';
  if (url) {
    const table = env[TABLE_ENV]?.trim();
    return { url, ...(table ? { table } : {}), ...(pushDown ? { pushDown } : {}) };
  }
  if (pushDown) throw new InputError(`${PUSH_DOWN_ENV}=1 needs ${URL_ENV}: the push-down runs inside the database`);
  const input = env[INPUT_ENV]?.trim();
  return input ? { input } : {};
}

/** Where `notebookSource` points, in words (the password of a URL hidden). */
export function describeSource(env: NodeJS.ProcessEnv): string {
  const source = notebookSource(env);
  if (source.url) {
    const how = source.pushDown ? `, ${PUSH_DOWN_ENV}=1` : '';
    return `${URL_ENV}=${redactUrl(source.url)} (table ${source.table ?? DEFAULT_TABLE}${how})`;
  }
  if (source.input) return `${INPUT_ENV}=${source.input}`;
  return 'the generated default data';
}

/**
 * Read → clean → features for the notebook's source, from the stage cache when possible (about a second for the
 * 1M-row default instead of ~10 s), printing one line that says where the data came from.
 */
export async function loadNotebookData(env: NodeJS.ProcessEnv = process.env): Promise<CachedLoad> {
  const options = notebookSource(env);
  const data = options.pushDown ? await pushedDownNotebookData(options) : await cachedLoad(options);
  const source = describeSource(env);
  const how = data.cache.hit ? `from the stage cache (${data.cache.dirs.join(', ')})` : data.cache.note ?? 'computed and cached';
  console.log(
    `${count(data.quality.outputRows)} clean transactions, ${count(data.features.n)} customers ` +
      `from ${source}; ${how} in ${data.cache.seconds.toFixed(1)} s`,
  );
  return data;
}

/**
 * The push-down for a notebook: the quality report and the customers come from the database; the transaction
 * tables (`raw`, `clean`) are not in the kernel, and a cell that asks for them says so.
 */
async function pushedDownNotebookData(options: LoadOptions): Promise<CachedLoad> {
  const started = Date.now();
  const { quality, features } = await pushDownSource(options);
  const absent = (): never => {
    throw new InputError(
      `${PUSH_DOWN_ENV}=1: the transaction rows stay in the database, and this cell needs them ` +
        `(notebooks 01–03 look at transactions: run them without ${PUSH_DOWN_ENV})`,
    );
  };
  const cache = { hit: false, key: '', dirs: [], seconds: (Date.now() - started) / 1000, note: 'computed inside the database (push-down)' };
  // raw and clean exist as getters that throw (defineProperties' result type does not show them).
  const data = Object.defineProperties({ quality, features, cache }, { raw: { get: absent }, clean: { get: absent } }) as unknown as CachedLoad;
  PUSHED_DOWN.add(data);
  return data;
}

/** The data objects loadNotebookData made with the push-down (they hold no transaction rows). */
const PUSHED_DOWN = new WeakSet<object>();

/**
 * The segmentation options every notebook uses, so 04, 05 and 06 share one cached result: k chosen by the sweep
 * (2..10), the six numeric features, log1p on the money features, the project's default seed.
 */
export const NOTEBOOK_SEGMENT_OPTIONS: SegmentOptions = { k: 'auto' };

/**
 * The customers' segmentation with NOTEBOOK_SEGMENT_OPTIONS (or `opts`), from the stage cache when possible, with
 * its segments profiled, named and given actions (derived each time, never cached), printing one line that says
 * which k was kept and where the result came from.
 */
export async function segmentNotebookCustomers(
  features: CustomerFeatures,
  opts: SegmentOptions = NOTEBOOK_SEGMENT_OPTIONS,
): Promise<ProfiledSegmentation<CachedSegmentation>> {
  const seg = await cachedSegmentation(features, opts);
  const how = seg.cache.hit ? `from the stage cache (${seg.cache.dirs.join(', ')})` : 'computed and cached';
  console.log(`${seg.k} segments of ${count(features.n)} customers; ${how} in ${seg.cache.seconds.toFixed(1)} s`);
  return profileSegmentation(features, seg);
}

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

// ---------------------------------------------------------------------------------------------------------------
// Tables.

/** A column for display: numbers (NaN = missing), dictionary-encoded text, or text (undefined/null = missing). */
export type DisplayColumn = ArrayLike<number> | DictColumn | readonly (string | null | undefined)[];

export interface RowRange {
  /** First row (default 0). */
  readonly start?: number;
  /** One past the last row (default start + 10). */
  readonly end?: number;
}

function isDictColumn(c: DisplayColumn): c is DictColumn {
  return typeof c === 'object' && c !== null && 'codes' in c && 'values' in c;
}

/**
 * Rows [start, end) of equally long columns as a danfo DataFrame (missing numbers stay NaN, missing text is
 * null). For display only: O(rows shown × columns).
 */
export function frame(columns: Readonly<Record<string, DisplayColumn>>, range: RowRange = {}): dfd.DataFrame {
  const start = range.start ?? 0;
  const data: Record<string, (number | string | null)[]> = {};
  let end = range.end ?? start + 10;
  for (const col of Object.values(columns)) end = Math.min(end, isDictColumn(col) ? col.codes.length : col.length);
  for (const [name, col] of Object.entries(columns)) {
    const out: (number | string | null)[] = [];
    for (let i = start; i < end; i++) {
      if (isDictColumn(col)) out.push(col.codes[i] < 0 ? null : col.values[col.codes[i]]);
      else out.push(col[i] ?? null);
    }
    data[name] = out;
  }
  return new dfd.DataFrame(data, { index: Array.from({ length: Math.max(0, end - start) }, (_, i) => start + i) });
}

/** Rows of the transactions as read, with the source's column names and readable dates. */
export function transactionsFrame(t: TransactionTable, range: RowRange = {}): dfd.DataFrame {
  return frame(
    {
      TransactionID: t.transactionId,
      CustomerID: t.customerId,
      CustomerDOB: t.customerDob,
      CustGender: t.custGender,
      CustLocation: t.custLocation,
      CustAccountBalance: t.custAccountBalance,
      TransactionDate: datesColumn(t.transactionDate, range),
      TransactionTime: timesColumn(t.transactionTime, range),
      'TransactionAmount (INR)': t.transactionAmount,
    },
    range,
  );
}

/** Rows of the cleaned transactions (customer id, date, time, capped amount and balance, age, gender, location). */
export function cleanFrame(c: CleanTable, range: RowRange = {}): dfd.DataFrame {
  return frame(
    {
      customer: { codes: c.customer, values: c.customerIds },
      date: datesColumn(c.date, range),
      time: timesColumn(c.time, range),
      amount: c.amount,
      balance: c.balance,
      age: c.age,
      gender: { codes: Int32Array.from(c.gender), values: GENDERS },
      location: c.location,
    },
    range,
  );
}

/** Rows of the customer features. */
export function featuresFrame(f: CustomerFeatures, range: RowRange = {}): dfd.DataFrame {
  return frame(
    featureColumns(f),
    range,
  );
}

/** ISO dates for the rows of `range` only (the rest stay empty: frame() reads nothing else). */
function datesColumn(days: Int32Array, range: RowRange): (string | undefined)[] {
  return formatRange(days, range, isoDate);
}

/** `HH:MM:SS` for HHMMSS integers, for the rows of `range` only. */
function timesColumn(times: Int32Array, range: RowRange): (string | undefined)[] {
  return formatRange(times, range, (t) => {
    const s = String(t).padStart(6, '0');
    return `${s.slice(0, 2)}:${s.slice(2, 4)}:${s.slice(4, 6)}`;
  });
}

function formatRange(values: Int32Array, range: RowRange, format: (v: number) => string): (string | undefined)[] {
  const start = range.start ?? 0;
  const end = Math.min(range.end ?? start + 10, values.length);
  const out = new Array<string | undefined>(values.length);
  for (let i = start; i < end; i++) out[i] = format(values[i]);
  return out;
}

/**
 * Summary statistics of numeric columns (count present, missing, mean, std (population), min, 25%, 50%, 75%,
 * max; type-7 quantiles, NaN ignored) as a DataFrame with one column per input column, like pandas' describe().
 * Computed here, not in danfo (whose describe turns a column with any NaN into NaN). O(n log n) per column.
 */
export function describe(columns: Readonly<Record<string, Float64Array>>): dfd.DataFrame {
  const stats = ['count', 'missing', 'mean', 'std', 'min', '25%', '50%', '75%', 'max'];
  const data: Record<string, number[]> = {};
  for (const [name, values] of Object.entries(columns)) {
    const sorted = sortedPresent(values);
    const n = sorted.length;
    // simple-statistics: compensated (Kahan) sums, so the mean of a million money values keeps its cents.
    const present = Array.from(sorted);
    data[name] = [
      n,
      values.length - n,
      n ? ss.mean(present) : NaN,
      n ? ss.standardDeviation(present) : NaN,
      n ? sorted[0] : NaN,
      quantileSorted(sorted, 0.25),
      quantileSorted(sorted, 0.5),
      quantileSorted(sorted, 0.75),
      n ? sorted[n - 1] : NaN,
    ];
  }
  return new dfd.DataFrame(data, { index: stats });
}

/** One row per segment: name, size, shares of customers/money/balances and the median of each numeric feature. */
export function segmentsFrame(seg: ProfiledSegmentation): dfd.DataFrame {
  const s = seg.segments;
  const medians = NUMERIC_FEATURES.map((f) => {
    const spec = FEATURES[f] as NumberFeatureSpec;
    return [`median ${spec.words} (${spec.axisUnit ?? spec.unit})`, s.map((x) => x.profile[f])];
  });
  return new dfd.DataFrame(
    {
      segment: s.map((x) => x.name),
      customers: s.map((x) => x.size),
      'share of customers': s.map((x) => x.share),
      'share of money': s.map((x) => x.monetaryShare),
      'share of balances': s.map((x) => x.balanceShare),
      ...Object.fromEntries(medians),
    },
    { index: s.map((x) => x.id) },
  );
}

/** One row per k of the sweep: inertia, silhouette, Davies–Bouldin, Calinski–Harabasz, stability. */
export function sweepFrame(kSweep: readonly KScore[]): dfd.DataFrame {
  return new dfd.DataFrame(
    {
      inertia: kSweep.map((s) => s.inertia),
      silhouette: kSweep.map((s) => s.silhouette),
      'Davies–Bouldin': kSweep.map((s) => s.daviesBouldin),
      'Calinski–Harabasz': kSweep.map((s) => s.calinskiHarabasz),
      stability: kSweep.map((s) => s.stability),
    },
    { index: kSweep.map((s) => `k = ${s.k}`) },
  );
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

// ---------------------------------------------------------------------------------------------------------------



/** The project's figures folder (the kernel's working directory is the project root, but resolve it anyway). */
export { FIGURES_DIR };

/**
 * Writes every figure of the analysis (the exploratory ones and the segment ones) as PNG (2×), SVG and standalone
 * HTML into `outDir`, as `bankseg figures` does, in one headless Chromium; returns the files written.
 */
export async function exportReportFigures(data: LoadedData, seg: ProfiledSegmentation, outDir: string = FIGURES_DIR): Promise<string[]> {
  // After the push-down only the customer-level exploratory figures can be drawn (the rows stayed in the database).
  const figs = PUSHED_DOWN.has(data) ? [...customerEdaFigures(data.features), ...segmentFigures(data.features, seg)] : reportFigures(data, seg);
  const { written } = await exportFigures(figs, outDir);
  return written;
}
