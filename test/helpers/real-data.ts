import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The real rows of the public file, in `../shared/data/real/` beside the clone (as on developer machines and CI).
 * BANKSEG_REAL_DATA points elsewhere when the folder lives somewhere else.
 */
export const REAL_DIR = process.env.BANKSEG_REAL_DATA ?? path.resolve(__dirname, '../../../shared/data/real');
/** The first 20,000 rows in the raw format (`d/m/yy`, `25.0`). */
export const REAL_RAW = path.join(REAL_DIR, 'bank_transactions_first20k.csv');
/** The same rows as a spreadsheet saved them (`dd-mm-yyyy`, `nan`). */
export const REAL_SPREADSHEET = path.join(REAL_DIR, 'bank_transactions_first20k_spreadsheet.csv');

// Fail with the reason, once, rather than with dozens of ENOENTs.
if (!fs.existsSync(REAL_RAW) || !fs.existsSync(REAL_SPREADSHEET)) {
  throw new Error(`the real rows are missing: expected ${REAL_RAW} and ${path.basename(REAL_SPREADSHEET)} (set BANKSEG_REAL_DATA to their folder)`);
}

/**
 * The facts of both real files, computed with pandas 1.5.3 (Debian python), independently of this code:
 *   d = pd.read_csv(f, dtype=str, keep_default_na=False)
 *   len(d); d.CustomerID.nunique(); (d[c].str.strip().str.lower().isin(['', 'nan'])).sum() per column;
 *   d.CustomerDOB.str.endswith('1800').sum(); pd.to_datetime(d.TransactionDate, format='%d/%m/%y' or '%d-%m-%Y').min()/.max()
 */
export const REAL_FACTS = {
  rows: 20_000,
  customers: 19_937,
  missing: { CustomerDOB: 72, CustGender: 11, CustLocation: 1, CustAccountBalance: 27 },
  placeholderDob: 1_290,
  dateRange: ['2016-08-01', '2016-10-21'],
  malformedRows: 0,
};
