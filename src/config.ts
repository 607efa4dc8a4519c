/**
 * The project's places and defaults, in one spot: where the clone is, where outputs go.
 */
import * as path from 'node:path';

/** The root of this clone (the notebooks' working directory; `data/` and `figures/` live here). */
export const PROJECT_ROOT = path.resolve(__dirname, '..');
/** Where the figures and the business report are written by default. */
export const FIGURES_DIR = path.join(PROJECT_ROOT, 'figures');
