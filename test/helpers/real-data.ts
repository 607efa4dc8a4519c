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
