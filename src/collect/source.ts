/**
 * Where the transactions come from: a CSV file, the generated default data, or a PostgreSQL table. The one place
 * a source is chosen, for every command and notebook.
 */
import * as fs from 'node:fs';
import { DEFAULT_TABLE } from '../config';
import type { TransactionTable } from '../table';
import { readTransactionsFromDb } from './db/read';
import { ensureDefaultData } from './default_data';
import { readTransactions } from './read';

export interface SourceOptions {
  /** A transactions CSV (plain or .gz). Default: the generated file at DEFAULT_RAW_PATH (made if missing). */
  readonly input?: string;
  /** A PostgreSQL URL (postgres://...); takes precedence over `input`. */
  readonly url?: string;
  /** Table to read with `url` (default DEFAULT_TABLE, `transactions`). */
  readonly table?: string;
  /** Stop at the first malformed row instead of skipping and counting it. */
  readonly strict?: boolean;
  /**
   * With `url`: clean and compute the quality report and the customer features inside the database (one row per
   * customer reaches Node, no transaction rows; collect/db/pushdown.ts, preprocess/load.ts pushDownSource).
   */
  readonly pushDown?: boolean;
}

/** Reads the transactions from wherever `opts` points. */
export async function readSource(opts: SourceOptions = {}): Promise<TransactionTable> {
  if (opts.url) return readTransactionsFromDb(opts.url, opts.table ?? DEFAULT_TABLE, { strict: opts.strict });
  const input = opts.input ?? (await ensureDefaultData());
  return readTransactions(input, { strict: opts.strict });
}

/** True when `path` exists and is a file (used to give a clean "missing file" error before streaming). */
export function isFile(path: string): boolean {
  return fs.existsSync(path) && fs.statSync(path).isFile();
}
