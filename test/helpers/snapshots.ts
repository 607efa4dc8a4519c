/**
 * Figure spec snapshots: each registered figure built from the small deterministic input of figure_input.ts,
 * as the JSON committed in test/snapshots/figures/<name>.json. The test only reads them; `npm run snapshots`
 * (test/update-snapshots.ts) rewrites them, deliberately, for a person to review in `git diff`.
 */
import * as path from 'node:path';
import { FIGURES } from '../../src/visualize/figure_registry';
import type { Figure } from '../../src/visualize/figure';
import { smallFigureInput } from './figure_input';

export const SNAPSHOT_DIR = path.resolve(__dirname, '..', 'snapshots', 'figures');

/** Every registered figure of the snapshot input, by name. */
export function snapshotFigures(): Map<string, Figure> {
  const input = smallFigureInput();
  return new Map(FIGURES.map((f) => [f.name, f.build(input)]));
}

/** A figure as the JSON of its snapshot file (2-space indent, final newline). */
export function snapshotText(fig: Figure): string {
  return JSON.stringify({ name: fig.name, title: fig.title, width: fig.width, height: fig.height, data: fig.data, layout: fig.layout }, null, 2) + '\n';
}
