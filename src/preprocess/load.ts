/**
 * Read → clean → customer features: the stages every command and notebook starts from (cached by
 * load_cache.ts). Holds no logic of its own; each step lives in its module.
 */
import { readSource } from '../collect/source';
import type { SourceOptions } from '../collect/source';
import type { CleanTable, QualityReport, TransactionTable } from '../table';
import { cleanTransactions } from './clean';
import type { CustomerFeatures } from './feature_registry';
import { customerFeatures } from './features';

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
