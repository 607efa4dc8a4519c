/**
 * A generated transactions file that exercises every reading rule of docs/data-model.md section 1: valid rows (quoted
 * values with commas and doubled quotes, spaces and control characters at field edges, missing values, `NaN`, every
 * accepted date form, repeated customers and reused CustomerIDs, values at the plausible limits) among malformed lines
 * of every kind (field counts, missing IDs, impossible dates and times, implausible or non-decimal money, quoting
 * errors, NUL lines, a value spanning lines) and blank lines; columns reordered, with an extra column. For comparing
 * independent implementations of the rules (the benchmark's references against bankseg).
 */
import type { Rng } from '../../src/stats/random';

const COLUMNS = [
  'CustomerID', 'Note', 'TransactionDate', 'TransactionTime', 'CustomerDOB', 'CustGender', 'CustLocation',
  'CustAccountBalance', 'TransactionAmount (INR)', 'TransactionID',
] as const;
type Column = (typeof COLUMNS)[number];

export interface HostileOptions {
  readonly crlf: boolean;
  readonly bom: boolean;
}

/** The text of a hostile file with `rows` lines after the header (about 20% malformed or blank). */
export function hostileCsv(rng: Rng, rows: number, opts: HostileOptions): string {
  const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
  const locations = ['MUMBAI', '"JORHAT, ASSAM"', '"SAY ""HI"""', 'NEW DELHI', '', 'nan', 'PUNE', ' THANE ', '\tGOA\x01', '"  AGRA  " ', 'NAVI\rMUMBAI'];
  const dobs = ['10/1/94', '1/1/1800', '04-04-1957', '1994-01-10', '', 'NaN', '29/2/00', '1/1/10', '5/5/20', '31-12-2100', ' 7/7/77 '];
  const dates = ['2/8/16', '02-08-2016', '2016-08-03', '4/8/2016', '5-8-16', '31/8/16', ' 1/9/16\t', '1/1/1900', '31/12/2100'];
  const amounts = () => pick([(rng.next() * 5e4).toFixed(1), '0', '1e3', '.5', '5.', '+12', '1000000000000', '-1000000000000', ' 250 ', '2e-3']);
  // Negative balances (overdrafts, kept by rule 8; the model space reads them as 0) down to the reader's limit.
  const balances = () => pick([(rng.next() * 1e6).toFixed(2), '', 'nan', 'NaN', '0', '1e12', '  17819.05  ', '-2500.75', '-1e12']);
  const customer = () => {
    const k = rng.int(Math.max(1, Math.floor(rows / 3)));
    return k % 7 === 0 ? `CUSTOMER-${k}` : k % 11 === 0 ? `"C${k}"` : `C${k}`;
  };
  const good = (i: number): Record<Column, string> => ({
    CustomerID: customer(),
    Note: pick(['x', '', '"a,b"']),
    TransactionDate: pick(dates),
    TransactionTime: String(rng.int(24) * 10000 + rng.int(60) * 100 + rng.int(60)),
    CustomerDOB: pick(dobs),
    CustGender: pick(['M', 'F', 'T', '', 'nan']),
    CustLocation: pick(locations),
    CustAccountBalance: balances(),
    'TransactionAmount (INR)': amounts(),
    TransactionID: `T${i}`,
  });
  const line = (f: Record<Column, string>): string => COLUMNS.map((c) => f[c]).join(',');
  const bad = (i: number): string => {
    const f = good(i);
    switch (rng.int(22)) {
      case 0: return line(f).split(',').slice(0, 8).join(','); // too few fields
      case 1: return `${line(f)},extra`; // too many
      case 2: return line({ ...f, TransactionID: pick(['', 'nan', '  ']) });
      case 3: return line({ ...f, CustomerID: pick(['', 'NaN']) });
      case 4: return line({ ...f, TransactionDate: pick(['31/2/16', '2/8/0000', '9/9/9999', '2016/08/02', '', '1/13/16', '12/31/1899']) });
      case 5: return line({ ...f, TransactionTime: pick(['126000', '240000', '', '12:00', '-1', '1234567890', '1e3']) });
      case 6: return line({ ...f, 'TransactionAmount (INR)': pick(['1e309', 'Infinity', '-Infinity', 'nan', '', '0x10', '1000000000001', '1,5', 'abc', '1e13']) });
      case 7: return line({ ...f, CustAccountBalance: pick(['abc', '1e309', '-1e13', 'Infinity', '12a']) });
      case 8: return line({ ...f, CustomerDOB: pick(['30/2/94', '1/1/0001', '1/1/1799', '1/1/2101', 'abc', '1-1/90']) });
      case 9: return line({ ...f, CustLocation: `"${f.CustLocation}` }); // unclosed quote
      case 10: return line({ ...f, CustLocation: 'AB"C' }); // a quote inside an unquoted field
      case 11: return line({ ...f, CustLocation: '"PUNE"X' }); // text after a closing quote
      case 12: return '\0'.repeat(1 + rng.int(20)); // NULs
      case 13: return line({ ...f, CustLocation: '"NAVI\nMUMBAI"' }); // a value spanning lines: both lines malformed
      case 14: return pick(['   ', '', '\t', ' \t ']); // a blank line (not a row)
      default: return line(f);
    }
  };
  const lines = [COLUMNS.join(',')];
  for (let i = 1; i <= rows; i++) lines.push(rng.next() < 0.25 ? bad(i) : line(good(i)));
  const end = opts.crlf ? '\r\n' : '\n';
  return (opts.bom ? '\uFEFF' : '') + lines.join(end) + end;
}
