/** A figure as data: a Plotly spec plus a file name. Built by `src/visualize/`, rendered by `src/visualize/export.ts` and `src/notebook/`. */
export interface Figure {
  /** File stem, e.g. `balance_distribution` (no extension). */
  readonly name: string;
  readonly title: string;
  readonly data: readonly Record<string, unknown>[];
  readonly layout: Record<string, unknown>;
  /** Pixel size for static export. */
  readonly width?: number;
  readonly height?: number;
}
