/**
 * Figures of a saved model applied to new data: the drift (PSI of every model feature and of the segment shares,
 * against the bands banks read it by) and the segment migration between periods (a Sankey diagram). They take plain
 * numbers (src/monitor/ computes them), so each is drawn the same from a command, a notebook or a snapshot test.
 * Segment `id` has the colour `segmentColor(id)`, as in the other segment figures.
 */
import type { Figure } from './figure';
import { axis, baseLayout, makeFigure, MUTED_COLOR, segmentColor } from './theme';
import { num, pct } from '../format';
import { featureSpec, MODEL_FEATURES } from '../preprocess/feature_registry';
import type { ModelFeature } from '../preprocess/feature_registry';

/** What the drift figure shows: each variable's PSI and reading. */
export interface DriftFigureInput {
  readonly features: readonly { readonly variable: string; readonly psi: number }[];
  readonly segments: { readonly psi: number };
  readonly recommendation: string;
}

/** What the migration figure shows: the periods, the segment names, and each transition's matrix (last row and column: no transaction). */
export interface MigrationFigureInput {
  readonly periods: readonly string[];
  readonly segments: readonly string[];
  readonly transitions: readonly { readonly counts: readonly (readonly number[])[] }[];
}

/** The PSI bands and their colours: stable (green), watch (amber), refit (red). */
const BANDS = [
  { upTo: 0.1, color: '#59A14F', label: 'stable (< 0.1)' },
  { upTo: 0.25, color: '#EDC948', label: 'watch (0.1–0.25)' },
  { upTo: Infinity, color: '#E15759', label: 'refit (> 0.25)' },
] as const;

function bandOf(psi: number): (typeof BANDS)[number] {
  return BANDS.find((b) => psi < b.upTo || (b.upTo === 0.25 && psi <= 0.25)) ?? BANDS[2];
}

function variableLabel(variable: string): string {
  if (!(MODEL_FEATURES as readonly string[]).includes(variable)) return variable;
  return featureSpec(variable as ModelFeature).label;
}

/**
 * Horizontal bars of the PSI of each model feature and of the segment shares, coloured by their reading, with the
 * 0.1 and 0.25 lines; the recommendation as the subtitle. O(variables).
 */
export function driftFigure(drift: DriftFigureInput): Figure {
  const rows = [...drift.features.map((f) => ({ label: variableLabel(f.variable), psi: f.psi })), { label: 'Segment shares', psi: drift.segments.psi }];
  const values = rows.map((r) => (Number.isFinite(r.psi) ? r.psi : 0));
  const top = Math.max(0.3, ...values.map((v) => v * 1.15));
  const data = [
    {
      type: 'bar',
      orientation: 'h',
      y: rows.map((r) => r.label),
      x: values,
      marker: { color: values.map((v) => bandOf(v).color) },
      text: rows.map((r) => (Number.isFinite(r.psi) ? num(r.psi, 3) : 'n/a')),
      textposition: 'outside',
      cliponaxis: false,
      hovertemplate: '%{y}: PSI %{x:.3f}<extra></extra>',
      showlegend: false,
    },
    // Legend entries for the bands (no data of their own).
    ...BANDS.map((b) => ({ type: 'bar', orientation: 'h', x: [null], y: [null], name: b.label, marker: { color: b.color }, showlegend: true, hoverinfo: 'skip' })),
  ];
  const line = (x: number) => ({ type: 'line', xref: 'x', yref: 'paper', x0: x, x1: x, y0: 0, y1: 1, line: { color: '#5F6368', width: 1.5, dash: 'dash' } });
  const layout = {
    ...baseLayout('Drift from the training data: population stability index', wrapText(drift.recommendation, 120, 2)),
    xaxis: axis('PSI (0 = the same distribution as training)', { range: [0, top], rangemode: 'tozero' }),
    yaxis: axis('', { autorange: 'reversed' }),
    barmode: 'overlay',
    bargap: 0.35,
    shapes: [line(0.1), line(0.25)],
    legend: { orientation: 'h', x: 0.5, xanchor: 'center', y: -0.16, yanchor: 'top', font: { size: 14 } },
    margin: { l: 150, r: 60, t: 125, b: 110 },
  };
  return makeFigure('drift_psi', 'Drift from the training data: population stability index', data, layout);
}

/**
 * The customers of each period by segment, and where they went in the next period, as a Sankey diagram: one column
 * of nodes per period (the segments, then "no transaction" for those absent from it but present next to it), one
 * link per non-empty cell of each transition's matrix. Nodes keep their segment's colour; links take their source's.
 * O(periods · k²).
 */
export function migrationSankey(input: MigrationFigureInput): Figure {
  const k = input.segments.length;
  const m = input.periods.length;
  const nodeLabels: string[] = [];
  const nodeColors: string[] = [];
  const nodeX: number[] = [];
  const nodeY: number[] = [];
  // Node of (period p, row r) where r = k is "no transaction".
  const node = (p: number, r: number): number => p * (k + 1) + r;
  // A node's size is the larger of what flows in and out (as Plotly draws it); nodes are stacked in segment order,
  // each centred in its share of the column, so the columns line up and nothing leaves the plot.
  const size = (p: number, r: number): number => {
    const inflow = p > 0 ? input.transitions[p - 1].counts.reduce((s, row) => s + row[r], 0) : 0;
    const outflow = p < m - 1 ? input.transitions[p].counts[r].reduce((s, x) => s + x, 0) : 0;
    return Math.max(inflow, outflow);
  };
  for (let p = 0; p < m; p++) {
    const sizes = Array.from({ length: k + 1 }, (_, r) => size(p, r));
    const total = sizes.reduce((s, x) => s + x, 0) || 1;
    let before = 0;
    for (let r = 0; r <= k; r++) {
      nodeLabels.push(r < k ? `${input.segments[r]}` : 'no transaction');
      nodeColors.push(r < k ? segmentColor(r) : MUTED_COLOR);
      nodeX.push(m === 1 ? 0.5 : 0.001 + (0.998 * p) / (m - 1));
      nodeY.push(0.01 + (0.98 * (before + sizes[r] / 2)) / total);
      before += sizes[r];
    }
  }
  const source: number[] = [];
  const target: number[] = [];
  const value: number[] = [];
  const linkColors: string[] = [];
  const linkText: string[] = [];
  input.transitions.forEach((t, p) => {
    t.counts.forEach((row, a) =>
      row.forEach((n, b) => {
        if (n <= 0) return;
        source.push(node(p, a));
        target.push(node(p + 1, b));
        value.push(n);
        linkColors.push(fade(a < k ? segmentColor(a) : MUTED_COLOR));
        const total = row.reduce((s, x) => s + x, 0);
        linkText.push(`${input.periods[p]} → ${input.periods[p + 1]}: ${pct(n / total)} of the row`);
      }),
    );
  });
  const title = 'Segment migration between periods';
  const subtitle = `${input.periods.join(' → ')}: customers by segment in each period; "no transaction": absent from that period (gone quiet, or new in the next)`;
  const data = [
    {
      type: 'sankey',
      arrangement: 'fixed',
      valueformat: ',d',
      node: { label: nodeLabels, color: nodeColors, x: nodeX, y: nodeY, pad: 14, thickness: 18, line: { color: '#FFFFFF', width: 0.5 } },
      link: { source, target, value, color: linkColors, customdata: linkText, hovertemplate: '%{source.label} → %{target.label}: %{value:,d} customers<br>%{customdata}<extra></extra>' },
    },
  ];
  const annotations = input.periods.map((label, p) => ({
    text: `<b>${label}</b>`,
    x: m === 1 ? 0.5 : p / (m - 1),
    xanchor: p === 0 ? 'left' : p === m - 1 ? 'right' : 'center',
    y: 1.01,
    yanchor: 'bottom',
    xref: 'paper',
    yref: 'paper',
    showarrow: false,
    font: { size: 15 },
  }));
  const layout = { ...baseLayout(title, wrapText(subtitle, 120, 2)), annotations, margin: { l: 30, r: 30, t: 150, b: 30 } };
  return makeFigure('segment_migration', title, data, layout);
}

/** A colour as rgba with 40% opacity, for links under their nodes. */
function fade(hex: string): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},0.4)`;
}

/** Text in lines of at most `width` characters joined by <br>, at most `lines` lines (the rest cut with …). */
function wrapText(text: string, width: number, lines: number): string {
  const out: string[] = [];
  for (const word of text.split(' ')) {
    const last = out[out.length - 1];
    if (last !== undefined && last.length + 1 + word.length <= width) out[out.length - 1] = `${last} ${word}`;
    else out.push(word);
  }
  return out.length <= lines ? out.join('<br>') : out.slice(0, lines).join('<br>').replace(/\s*\S*$/, ' …');
}
