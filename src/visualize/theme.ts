/**
 * The one look of every bankseg figure: font, colours, margins and size, so a chart from the notebook,
 * the CLI or a slide deck reads the same. Segment `i` always has colour `segmentColor(i)`.
 */
import { inrCompact } from '../format';
import type { Figure } from './figure';

/** Static export size: readable on a 16:9-ish slide. */
export const FIGURE_WIDTH = 1100;
export const FIGURE_HEIGHT = 650;

/** Falls back to DejaVu Sans on the headless Debian renderer. */
export const FONT_FAMILY = 'Inter, "Segoe UI", "Helvetica Neue", Arial, "DejaVu Sans", sans-serif';

/** Tableau 10: distinguishable for most colour-vision deficiencies and in greyscale print. */
export const SEGMENT_COLORS = [
  '#4E79A7',
  '#F28E2B',
  '#E15759',
  '#76B7B2',
  '#59A14F',
  '#EDC948',
  '#B07AA1',
  '#FF9DA7',
  '#9C755F',
  '#BAB0AC',
] as const;

/** Colour for charts that are not about segments (one series). */
export const PRIMARY_COLOR = '#4E79A7';
/** Second series (e.g. placeholders next to missing values). */
export const SECONDARY_COLOR = '#F28E2B';
/** Missing / unknown categories. */
export const MUTED_COLOR = '#BAB0AC';
const TEXT_COLOR = '#2F3437';
const GRID_COLOR = '#E6E8EB';

/** The colour of segment `id` (0-based), the same in every figure. */
export function segmentColor(id: number): string {
  return SEGMENT_COLORS[((id % SEGMENT_COLORS.length) + SEGMENT_COLORS.length) % SEGMENT_COLORS.length];
}

/** Axis defaults: light grid, readable ticks, titles never clipped. */
export function axis(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: { text: title, standoff: 12 },
    gridcolor: GRID_COLOR,
    zerolinecolor: '#C9CDD2',
    linecolor: '#9AA0A6',
    ticks: 'outside',
    tickcolor: '#9AA0A6',
    automargin: true,
    ...extra,
  };
}

/**
 * A log axis labelled at every power of ten between `lo` and `hi` (0.01, 0.1, 1, 10, 100, 1k, 10k, 1M):
 * explicit labels, because Plotly's SI format would write 0.01 as "10m". Without a range, Plotly's own.
 */
export function logAxis(title: string, range?: readonly [number, number], extra: Record<string, unknown> = {}): Record<string, unknown> {
  const ticks = range ? decadeTicks(range[0], range[1]) : { dtick: 1, tickformat: '~s' };
  return axis(title, { type: 'log', ...ticks, ...extra });
}

/** Tick positions and labels at the powers of ten covering [lo, hi] (positive numbers). */
export function decadeTicks(lo: number, hi: number): { tickvals: number[]; ticktext: string[] } {
  const tickvals: number[] = [];
  if (lo > 0 && hi >= lo && Number.isFinite(hi)) {
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) tickvals.push(Number(`1e${e}`));
  }
  return { tickvals, ticktext: tickvals.map(inrCompact) };
}

/**
 * A count axis from 0: SI suffixes for big numbers (20k, 1.5M), plain numbers below 1,000 (never "500m").
 */
export function countAxis(title: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return axis(title, {
    rangemode: 'tozero',
    tickformatstops: [
      { dtickrange: [null, 999], value: ',~g' },
      { dtickrange: [999, null], value: '~s' },
    ],
    ...extra,
  });
}

/** The shared layout: title (with an optional subtitle line), fonts, margins, white background. */
export function baseLayout(title: string, subtitle?: string): Record<string, unknown> {
  return {
    title: {
      text: title,
      x: 0.02,
      xanchor: 'left',
      font: { size: 24, color: TEXT_COLOR },
      ...(subtitle ? { subtitle: { text: subtitle, font: { size: 15, color: '#5F6368' } } } : {}),
    },
    font: { family: FONT_FAMILY, size: 15, color: TEXT_COLOR },
    paper_bgcolor: '#FFFFFF',
    plot_bgcolor: '#FFFFFF',
    margin: { l: 80, r: 40, t: subtitle ? 105 : 80, b: 70 },
    legend: { bgcolor: 'rgba(255,255,255,0.85)', font: { size: 14 } },
    hoverlabel: { font: { family: FONT_FAMILY } },
    colorway: [...SEGMENT_COLORS],
  };
}

/** Assembles a Figure at the shared size. */
export function makeFigure(
  name: string,
  title: string,
  data: Record<string, unknown>[],
  layout: Record<string, unknown>,
  size: { width?: number; height?: number } = {},
): Figure {
  return { name, title, data, layout, width: size.width ?? FIGURE_WIDTH, height: size.height ?? FIGURE_HEIGHT };
}

/** Plotly cannot carry NaN in JSON: missing values become null (a gap). */
export function finiteOrNull(x: number): number | null {
  return Number.isFinite(x) ? x : null;
}
