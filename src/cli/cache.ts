import * as path from 'node:path';
import { cacheRoot, ENV } from '../config';
import { UsageError } from '../errors';
import { CACHE_FOLDERS, clearCache } from '../io/cache';
import { Command } from './command';

const HELP = `Usage: bankseg cache clear

The stage cache keeps each stage's result (Apache Arrow files) so the next command or notebook starts from it:
  ${CACHE_FOLDERS[0]}/load-*/      the transactions as read and as cleaned: copies of the raw rows, with
                                CustomerIDs, dates of birth, genders, locations, balances and amounts
  ${CACHE_FOLDERS[1]}/load-*/    one row per customer: recency, amounts, balance, age, gender, location
  ${CACHE_FOLDERS[1]}/segment-*/ the model coordinates and segment of each customer
(under ${ENV.cacheRoot} when set, else the project folder). Up to 3 entries of each kind are kept.

  clear   removes every entry (and the temporary files of interrupted writes); the outputs customers.csv and
          segments.json beside them are not touched

--no-cache on run, segment and figures (or ${ENV.noCache}=1 for every command and notebook) neither reads nor
writes the cache.
`;

/** `bankseg cache clear`: removes the stage cache, which holds copies of personal data. */
export const cacheCommand: Command = {
  name: 'cache',
  summary: 'clear the stage cache (copies of the transactions and customer features under data/)',
  help: HELP,
  async run(argv) {
    const [action, ...rest] = argv;
    if (action !== 'clear') throw new UsageError(`expected \`bankseg cache clear\`${action === undefined ? '' : `, got "${action}"`}`);
    if (rest.length > 0) throw new UsageError(`cache clear takes no arguments, got "${rest.join(' ')}"`);
    const root = cacheRoot();
    const { removed, bytes } = clearCache(root);
    const where = CACHE_FOLDERS.map((f) => path.join(root, f)).join(' and ');
    process.stdout.write(
      removed.length === 0
        ? `the cache in ${where} is empty\n`
        : `removed ${removed.length} cache ${removed.length === 1 ? 'entry' : 'entries'} (${(bytes / 1e6).toFixed(1)} MB) from ${where}\n`,
    );
    return 0;
  },
};
