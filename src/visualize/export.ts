/**
 * Figures to files: standalone HTML (plotly.js inlined, works offline) and static PNG/SVG rendered by
 * plotly.js itself in one headless Chromium, so the images match what the notebook shows.
 */
import { ENV } from '../config';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Figure } from './figure';
import { FIGURE_HEIGHT, FIGURE_WIDTH } from './theme';
import { OutputSet } from '../io/atomic';
import { escapeHtml, scriptJson } from '../format';

export type StaticFormat = 'png' | 'svg';
export type ExportFormat = StaticFormat | 'html';
/** A static image to render: PNG, SVG or WebP (a small lossy fallback), at a pixel density. */
export interface ImageRequest {
  readonly format: StaticFormat | 'webp';
  /** Pixels per figure unit (default: 2 for PNG, 1 otherwise). */
  readonly scale?: number;
}

/**
 * The part of playwright-core this module uses, typed here rather than imported: playwright's own type files
 * (2 MB) would otherwise be type-checked by the notebook kernel on every first cell, since the notebooks reach this
 * module. test/export.test.ts checks that playwright-core's real types fit these.
 */
export interface PlaywrightPage {
  setContent(html: string): Promise<void>;
  addScriptTag(opts: { content: string }): Promise<unknown>;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
}
export interface PlaywrightBrowser {
  newPage(): Promise<PlaywrightPage>;
  close(): Promise<void>;
}
export interface PlaywrightChromium {
  launch(opts: { executablePath: string; args: string[]; headless: boolean }): Promise<PlaywrightBrowser>;
}

/** Chromium used for static images: `BANKSEG_CHROMIUM` if set, else Debian's `/usr/bin/chromium`. */
export const DEFAULT_CHROMIUM = process.env[ENV.chromium] || '/usr/bin/chromium';

/** PNG pixel density: 2 × the figure size, sharp on slides and high-DPI screens. */
const PNG_SCALE = 2;

/** Flags for headless Chromium as root on a machine without network (no sandbox, no background calls). */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Chromium is missing or would not start; the message is one line that says what to install. */
export class ChromiumUnavailableError extends Error {
  override name = 'ChromiumUnavailableError';
}

export interface RenderOptions {
  /** Chromium binary (default DEFAULT_CHROMIUM). */
  readonly executablePath?: string;
}

export interface ExportOptions extends RenderOptions {
  /** Default: all three. */
  readonly formats?: readonly ExportFormat[];
  /** Called after each figure is written (for progress). */
  readonly onFigure?: (name: string, done: number, total: number) => void;
  /**
   * The command's output set: the figure files join it and appear when it is committed (src/io/atomic.ts).
   * Without it the figures are their own set, committed here.
   */
  readonly outputs?: OutputSet;
}

let plotlyCache: string | undefined;

/** The plotly.js-dist-min bundle as text (read once; it is a browser bundle and cannot be require()d in Node). */
export function plotlySource(): string {
  if (plotlyCache === undefined) {
    const file = require.resolve('plotly.js-dist-min/plotly.min.js');
    // A literal `</script` inside an inline script would end it early; `<\/script` means the same in JS.
    plotlyCache = fs.readFileSync(file, 'utf8').replace(/<\/script/gi, '<\\/script');
  }
  return plotlyCache;
}

/**
 * A standalone HTML page showing `fig` interactively, with plotly.js inlined (no CDN, works offline;
 * about 4.8 MB, almost all of it plotly.js). Cost: O(size of the spec + bundle).
 */
export function figureHtml(fig: Figure): string {
  const width = fig.width ?? FIGURE_WIDTH;
  const height = fig.height ?? FIGURE_HEIGHT;
  const spec = scriptJson({ data: fig.data, layout: fig.layout });
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(fig.title)}</title>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<style>body{margin:0;padding:16px;background:#fff}#figure{width:100%;max-width:' +
      `${width}px;height:${height}px;margin:0 auto}</style>`,
    `<script>${plotlySource()}</script>`,
    '</head>',
    '<body>',
    '<div id="figure"></div>',
    `<script>(function(){var spec=${spec};Plotly.newPlot('figure',spec.data,spec.layout,{responsive:true,displaylogo:false});})();</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Writes each figure as `<outDir>/<name>.<format>`, as one set of files (src/io/atomic.ts: all replaced or none,
 * never a half-written file). HTML is written first and needs no browser; PNG (scale 2) and SVG are rendered in ONE
 * headless Chromium that is always closed. If Chromium is missing, a `ChromiumUnavailableError` with a one-line
 * message is thrown; without `opts.outputs` the HTML files are still written first (with it, the caller's set
 * decides). Cost: one browser start (~0.5 s) and plotly.js load (~2 s), then roughly 0.1–0.5 s per image.
 */
export async function exportFigures(
  figs: readonly Figure[],
  outDir: string,
  opts: ExportOptions = {},
): Promise<{ written: string[] }> {
  const formats = opts.formats ?? ['png', 'svg', 'html'];
  checkNames(figs);
  const outputs = opts.outputs ?? new OutputSet();
  const own = opts.outputs === undefined;
  const written: string[] = [];
  const staticFormats = formats.filter((f): f is StaticFormat => f === 'png' || f === 'svg');
  const total = figs.length;
  try {
    if (formats.includes('html')) {
      for (const fig of figs) written.push(await outputs.write(path.join(outDir, `${fig.name}.html`), figureHtml(fig)));
    }
    if (staticFormats.length === 0) {
      figs.forEach((fig, i) => opts.onFigure?.(fig.name, i + 1, total));
    } else {
      await withPlotlyPage(opts, async (page) => {
        for (let i = 0; i < figs.length; i++) {
          for (const format of staticFormats) {
            const image = await renderOne(page, figs[i], format);
            written.push(await outputs.write(path.join(outDir, `${figs[i].name}.${format}`), image));
          }
          opts.onFigure?.(figs[i].name, i + 1, total);
        }
      });
    }
    if (own) await outputs.commit();
  } catch (err) {
    if (own && err instanceof ChromiumUnavailableError && formats.includes('html')) {
      // The HTML needs no browser: keep it, and say so.
      await outputs.commit();
      throw new ChromiumUnavailableError(`${err.message}; the HTML figures were still written to ${outDir}`);
    }
    if (own) await outputs.discard();
    throw err;
  }
  return { written };
}

/**
 * Each figure rendered to PNG (a Buffer, scale 2) or SVG (a string), keyed by figure name, in one
 * headless Chromium that is always closed. Cost: as `exportFigures`.
 */
export async function renderStatic(
  figs: readonly Figure[],
  format: StaticFormat,
  opts: RenderOptions = {},
): Promise<Map<string, Buffer | string>> {
  const images = await renderImages(figs, [{ format }], opts);
  return new Map([...images].map(([name, [image]]) => [name, image]));
}

/**
 * Each figure rendered once per request (e.g. a 2× PNG and a 1× WebP), keyed by figure name, the images in the
 * order of `requests` (SVG as text, the others as bytes), in one headless Chromium that is always closed.
 * For the notebook's static fallbacks. Cost: as `exportFigures`, per image.
 */
export async function renderImages(
  figs: readonly Figure[],
  requests: readonly ImageRequest[],
  opts: RenderOptions = {},
): Promise<Map<string, (Buffer | string)[]>> {
  checkNames(figs);
  const out = new Map<string, (Buffer | string)[]>();
  await withPlotlyPage(opts, async (page) => {
    for (const fig of figs) {
      const images: (Buffer | string)[] = [];
      for (const r of requests) images.push(await renderOne(page, fig, r.format, r.scale));
      out.set(fig.name, images);
    }
  });
  return out;
}

/** Starts Chromium, loads plotly.js into a blank page, runs `work`, and closes the browser whatever happens. */
async function withPlotlyPage<T>(opts: RenderOptions, work: (page: PlaywrightPage) => Promise<T>): Promise<T> {
  const executablePath = opts.executablePath ?? DEFAULT_CHROMIUM;
  if (!fs.existsSync(executablePath)) {
    throw new ChromiumUnavailableError(
      `Chromium not found at ${executablePath}: PNG/SVG export needs it (install it with \`apt-get install chromium\`, or set BANKSEG_CHROMIUM)`,
    );
  }
  // Required at first use, untyped (see PlaywrightPage): HTML-only use never loads playwright-core.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { chromium } = require('playwright-core') as { chromium: PlaywrightChromium };
  let browser: PlaywrightBrowser;
  try {
    browser = await chromium.launch({ executablePath, args: [...CHROMIUM_ARGS], headless: true });
  } catch (err) {
    const first = String((err as Error).message).split('\n').find((l) => l.trim()) ?? 'unknown error';
    throw new ChromiumUnavailableError(
      `Chromium at ${executablePath} did not start (${first.trim()}); install it with \`apt-get install chromium\``,
    );
  }
  try {
    const page = await browser.newPage();
    await page.setContent('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>');
    await page.addScriptTag({ content: plotlySource() });
    return await work(page);
  } finally {
    await browser.close();
  }
}

/** One figure through `Plotly.toImage` in the page; decodes the data URL it returns (SVG as text, others as bytes). */
async function renderOne(page: PlaywrightPage, fig: Figure, format: ImageRequest['format'], scale?: number): Promise<Buffer | string> {
  const args = {
    data: fig.data,
    layout: fig.layout,
    format,
    width: fig.width ?? FIGURE_WIDTH,
    height: fig.height ?? FIGURE_HEIGHT,
    scale: scale ?? (format === 'png' ? PNG_SCALE : 1),
  };
  let url: string;
  try {
    url = await page.evaluate(async (a) => {
      // Runs in the browser, where the inlined bundle defined the global `Plotly`.
      const P = (globalThis as unknown as { Plotly: { toImage(fig: unknown, opts: unknown): Promise<string> } }).Plotly;
      return P.toImage({ data: a.data, layout: a.layout }, { format: a.format, width: a.width, height: a.height, scale: a.scale });
    }, args);
  } catch (err) {
    throw new Error(`figure ${fig.name}: Plotly could not render it as ${format}: ${String((err as Error).message).split('\n')[0]}`);
  }
  const comma = url.indexOf(',');
  const header = url.slice(0, comma);
  const body = url.slice(comma + 1);
  if (format !== 'svg') return Buffer.from(body, 'base64');
  return header.endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
}

function checkNames(figs: readonly Figure[]): void {
  const seen = new Set<string>();
  for (const fig of figs) {
    if (!/^[A-Za-z0-9._-]+$/.test(fig.name)) throw new Error(`figure name "${fig.name}" is not a safe file stem (letters, digits, . _ -)`);
    if (seen.has(fig.name)) throw new Error(`two figures are named "${fig.name}"; names become file names and must be unique`);
    seen.add(fig.name);
  }
}


