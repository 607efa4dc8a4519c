/**
 * The project's places, defaults and environment variables, in one spot.
 */
import * as path from 'node:path';

/** The root of this clone (the notebooks' working directory; `data/` and `figures/` live here). */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** The default transactions file, relative to the root (generated with DEFAULT_SEED when missing). */
export const DEFAULT_RAW_PATH = 'data/raw/bank_transactions.csv';
/** Where `bankseg run`/`segment` write customers.csv and segments.json by default. */
export const PROCESSED_DIR = path.join(PROJECT_ROOT, 'data', 'processed');
/** Where the figures and the business report are written by default. */
export const FIGURES_DIR = path.join(PROJECT_ROOT, 'figures');

/** The one default seed: the generator, k-means and every seeded sample. Seeds are whole numbers 0..2^32−1. */
export const DEFAULT_SEED = 42;
/** The largest seed: seeds are 32-bit, and a larger one would silently wrap to a smaller one. */
export const MAX_SEED = 0xffffffff;
/** The PostgreSQL table the transactions are imported to and read from by default. */
export const DEFAULT_TABLE = 'transactions';

/** The environment variables the project reads, by what they set. */
export const ENV = {
  /** The notebooks' transactions file. */
  input: 'BANKSEG_INPUT',
  /** The notebooks' PostgreSQL URL (wins over `input`), and its table. */
  url: 'BANKSEG_URL',
  table: 'BANKSEG_TABLE',
  /** `1`: with the URL, clean and build the customer features inside the database (no transaction rows in Node). */
  pushDown: 'BANKSEG_PUSH_DOWN',
  /** `1` silences progress and stage lines on stderr. */
  quiet: 'BANKSEG_QUIET',
  /** The Chromium used for PNG/SVG export. */
  chromium: 'BANKSEG_CHROMIUM',
  /** `1` turns the stage cache off (nothing read or written), as `--no-cache` does for one command. */
  noCache: 'BANKSEG_NO_CACHE',
  /** The folder whose data/interim and data/processed hold the stage cache (default: the project root). */
  cacheRoot: 'BANKSEG_CACHE_ROOT',
} as const;

/** True when BANKSEG_QUIET=1: no progress or stage lines on stderr. */
export function isQuiet(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[ENV.quiet] === '1';
}

/** True when BANKSEG_NO_CACHE=1: the stage cache is neither read nor written. */
export function cacheDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[ENV.noCache] === '1';
}

/** The folder whose data/interim and data/processed hold the stage cache: BANKSEG_CACHE_ROOT, else the project root. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const root = env[ENV.cacheRoot];
  return root ? path.resolve(root) : PROJECT_ROOT;
}
