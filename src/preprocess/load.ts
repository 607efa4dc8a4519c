/**
 * The pipeline's front door: where the transactions come from (a file, the generated default, or a database)
 * and the stages every command and notebook starts from. Holds no logic of its own; each stage lives in its module.
 */
import * as fs from 'node:fs';
import { readTransactions } from '../collect/read';
import { ensureDefaultData, DEFAULT_RAW_PATH } from '../collect/generate';
import { readTransactionsFromDb } from '../collect/db/read';
import { cleanTransactions } from './clean';
import { customerFeatures } from './features';
import type { CleanTable, QualityReport, TransactionTable } from '../table';
import type { CustomerFeatures } from './feature_registry';

export interface SourceOptions {
  /** A transactions CSV (plain or .gz). Default: the generated file at DEFAULT_RAW_PATH (made if missing). */
  readonly input?: string;
  /** A PostgreSQL URL (postgres://...); takes precedence over `input`. */
  readonly url?: string;
  /** Table to read with `url` (default `transactions`). */
  readonly table?: string;
  /** Stop at the first malformed row instead of skipping and counting it. */
  readonly strict?: boolean;
}

/** The `parseOptions` spec shared by every command that reads transactions. */
export const SOURCE_OPTION_SPEC = {
  input: { type: 'string' },
  url: { type: 'string' },
  table: { type: 'string' },
  strict: { type: 'boolean' },
} as const;

export const SOURCE_HELP = [
  '  --input FILE   transactions CSV, plain or .gz (default: the generated ' + DEFAULT_RAW_PATH + ', made if missing)',
  '  --url URL      read from PostgreSQL instead (postgres://user:pass@host:port/db)',
  '  --table NAME   table to read with --url (default: transactions)',
  '  --strict       stop at the first malformed row (default: skip it and count it in the report)',
].join('\n');

/** Reads the transactions from wherever `opts` points. */
export async function readSource(opts: SourceOptions = {}): Promise<TransactionTable> {
  if (opts.url) return readTransactionsFromDb(opts.url, opts.table ?? 'transactions', { strict: opts.strict });
  const input = opts.input ?? (await ensureDefaultData());
  return readTransactions(input, { strict: opts.strict });
}

export interface LoadedData {
  readonly raw: TransactionTable;
  readonly clean: CleanTable;
  readonly quality: QualityReport;
  readonly features: CustomerFeatures;
}

export interface LoadOptions extends SourceOptions {
  readonly capQuantile?: number;
  readonly topLocations?: number;
}

/** Read → clean → customer features. */
export async function loadData(opts: LoadOptions = {}): Promise<LoadedData> {
  const raw = await readSource(opts);
  const { table: clean, report: quality } = cleanTransactions(raw, { capQuantile: opts.capQuantile });
  const features = customerFeatures(clean, { topLocations: opts.topLocations });
  return { raw, clean, quality, features };
}

/** True when `path` exists and is a file (used to give a clean "missing file" error before streaming). */
export function isFile(path: string): boolean {
  return fs.existsSync(path) && fs.statSync(path).isFile();
}
